"""Reads of the procurement app, scoped to the user: a department sees its own
projects, a finance bureau or auditor its region and everything below it.
Single objects come through `get_for_user_or_404` (404 for others' objects)."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, Sum

from govbuy.accounts.models import Role
from govbuy.budgets.models import BudgetLine, BudgetLineStatus
from govbuy.budgets.selectors import deciding_region_ids
from govbuy.core.permissions import get_for_user_or_404
from govbuy.orgs.models import InstitutionClass, Organization, OrgType
from govbuy.orgs.selectors import overseen_below_q
from govbuy.procurement.models import (
    CapacityConfirmation,
    CapacityDecision,
    MethodApproval,
    ProjectStatus,
    PurchaseProject,
    SplitFlag,
    SplitFlagStatus,
)

# What a list row shows: the department, its region and the budget line.
LIST_RELATED = ("department", "region", "budget_line")
DETAIL_RELATED = (
    "department__region",
    "region",
    "budget_line",
    "intended_provider",
    "requirement",
    "created_by",
    "submitted_by",
    "method_decided_by",
)


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def projects_for_user(user, *, year=None, status=None, q=None, department=None):
    """The projects the user may see, newest first, optionally filtered by
    fiscal year, status, a search in number and name, and department (an
    Organization or its pk)."""
    qs = PurchaseProject.objects.visible_to(user).select_related(*LIST_RELATED)
    if year not in (None, ""):
        year = _int(year)
        qs = qs.filter(fiscal_year=year) if year is not None else qs.none()
    if status:
        qs = qs.filter(status=status) if status in ProjectStatus.values else qs.none()
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(code__icontains=q))
    if department not in (None, ""):
        dept_id = department.pk if isinstance(department, Organization) else _int(department)
        qs = qs.filter(department_id=dept_id) if dept_id is not None else qs.none()
    return qs.order_by("-created_at", "-pk")


def total_amount(projects) -> dict:
    """Count and sum of a project queryset's amounts (one query)."""
    agg = projects.order_by().aggregate(total=Sum("amount"), n=Count("pk"))
    return {"total": agg["total"] or 0, "count": agg["n"]}


def project_for_user(user, pk) -> PurchaseProject:
    return get_for_user_or_404(PurchaseProject.objects.select_related(*DETAIL_RELATED), user, pk=pk)


def project_departments(user):
    """Departments with projects the user sees (the list page's filter)."""
    visible = PurchaseProject.objects.visible_to(user).values("department_id")
    return Organization.objects.filter(pk__in=visible).order_by("region__code", "name")


def _managed_department_ids(user) -> list[int]:
    if not getattr(user, "is_authenticated", False):
        return []
    return [
        m.organization_id
        for m in user.active_memberships
        if m.role == Role.PURCHASER and m.is_manager
    ]


def review_queue(user):
    """Requirements under review in the departments the user manages (负责人),
    except those the user submitted (someone else reviews them), oldest first."""
    ids = _managed_department_ids(user)
    if not ids:
        return PurchaseProject.objects.none()
    return (
        PurchaseProject.objects.filter(department_id__in=ids, status=ProjectStatus.REVIEW)
        .exclude(submitted_by=user)
        .select_related(*LIST_RELATED, "submitted_by")
        .order_by("submitted_at", "pk")
    )


def method_approvals_for(user):
    """Changes of method (变更采购方式) waiting for the user's finance bureau."""
    regions = deciding_region_ids(user)
    qs = PurchaseProject.objects.filter(
        method_approval=MethodApproval.PENDING, status=ProjectStatus.APPROVED
    )
    qs = qs.filter(department__region_id__in=regions)
    return qs.select_related(*LIST_RELATED).order_by("updated_at", "pk")


def method_approvals_below(user):
    """Changes of method waiting at the finance bureaus below the user's (read-only)."""
    below = overseen_below_q(user, "region")
    if below is None:
        return PurchaseProject.objects.none()
    return (
        PurchaseProject.objects.filter(
            below, method_approval=MethodApproval.PENDING, status=ProjectStatus.APPROVED
        )
        .select_related(*LIST_RELATED)
        .order_by("updated_at", "pk")
    )


def _flag_projects():
    return Prefetch(
        "projects",
        queryset=PurchaseProject.objects.only(
            "pk", "code", "name", "amount", "status", "fiscal_year"
        ).order_by("created_at", "pk"),
    )


def split_flags_for_user(user, status=None):
    """Splitting flags (B4) the user may see, with their projects."""
    qs = SplitFlag.objects.visible_to(user)
    if status:
        qs = qs.filter(status=status) if status in SplitFlagStatus.values else qs.none()
    return (
        qs.select_related("department", "region", "cleared_by")
        .prefetch_related(_flag_projects())
        .order_by("-created_at", "-pk")
    )


def split_flags_to_clear(user):
    """Open flags of the departments whose finance bureau the user acts for."""
    regions = deciding_region_ids(user)
    qs = split_flags_for_user(user, SplitFlagStatus.OPEN)
    qs = qs.filter(department__region_id__in=regions)
    return qs.order_by("created_at", "pk")


def split_flags_below(user):
    """Open flags waiting at the finance bureaus below the user's (read-only)."""
    below = overseen_below_q(user, "region")
    if below is None:
        return SplitFlag.objects.none()
    return (
        split_flags_for_user(user, SplitFlagStatus.OPEN).filter(below).order_by("created_at", "pk")
    )


def split_flag_for_user(user, pk) -> SplitFlag:
    return get_for_user_or_404(
        SplitFlag.objects.select_related(
            "department__region", "region", "cleared_by"
        ).prefetch_related(_flag_projects()),
        user,
        pk=pk,
    )


def lines_to_buy_on(department):
    """The department's approved budget lines: where its purchases take their money."""
    return (
        BudgetLine.objects.filter(department=department, status=BudgetLineStatus.APPROVED)
        .select_related("catalog_item")
        .order_by("-fiscal_year", "code")
    )


def own_units(department):
    """The department's own 公益二类 units (P6: it may commission them directly)."""
    return Organization.objects.filter(
        competent_department=department,
        org_type=OrgType.PUBLIC_INSTITUTION,
        institution_class=InstitutionClass.PUBLIC_WELFARE_2,
        is_active=True,
    ).order_by("name")


def method_regions():
    """Regions the public method page suggests: the provinces and every region
    with thresholds of its own."""
    from govbuy.core.models import PolicyParameter
    from govbuy.orgs.models import Region, RegionLevel

    own = PolicyParameter.objects.filter(
        definition_id__in=(
            "procurement.decentralized_threshold",
            "procurement.open_tender_threshold",
        ),
        region__isnull=False,
    ).values("region_id")
    return Region.objects.filter(Q(level=RegionLevel.PROVINCE) | Q(pk__in=own)).order_by("code")


# --- S11 and C8 -------------------------------------------------------------------------


def s11_purchases_for(user):
    """S11: live purchases by 公益一类 units (buying auxiliary services for their own
    work) of the departments whose finance bureau the user acts for, newest first."""
    regions = deciding_region_ids(user)
    if regions == []:
        return PurchaseProject.objects.none()
    qs = PurchaseProject.objects.live().filter(department__auxiliary_purchaser=True)
    if regions is not None:
        qs = qs.filter(department__region_id__in=regions)
    return qs.select_related(*LIST_RELATED).order_by("-created_at", "-pk")


CAPACITY_RELATED = (
    "project__department__region",
    "project__region",
    "unit__competent_department",
    "finance_org",
    "finance_by",
    "department_org",
    "department_by",
)


def capacity_for_user(user, pk) -> CapacityConfirmation:
    return get_for_user_or_404(
        CapacityConfirmation.objects.select_related(*CAPACITY_RELATED), user, pk=pk
    )


def capacity_of_project(project):
    return list(project.capacity_confirmations.select_related(*CAPACITY_RELATED))


def capacity_to_sign(user):
    """C8 confirmations waiting for a sign-off the user gives: as the finance bureau
    of the project's department's region, or as a manager (负责人) of the unit's
    competent department; oldest first."""
    if not getattr(user, "is_authenticated", False):
        return CapacityConfirmation.objects.none()
    bureaus = [
        m.organization.region_id
        for m in user.active_memberships
        if m.role == Role.FINANCE and m.organization.is_finance_bureau
    ]
    managed = _managed_department_ids(user)
    wanted = Q(pk__in=[])
    if bureaus:
        wanted |= Q(finance=CapacityDecision.PENDING, project__department__region_id__in=bureaus)
    if managed:
        wanted |= Q(department=CapacityDecision.PENDING, unit__competent_department_id__in=managed)
    return (
        CapacityConfirmation.objects.filter(wanted)
        .filter(
            project__status__in=(ProjectStatus.DRAFT, ProjectStatus.REVIEW, ProjectStatus.APPROVED)
        )
        .exclude(Q(finance=CapacityDecision.REFUSED) | Q(department=CapacityDecision.REFUSED))
        .select_related(*CAPACITY_RELATED)
        .order_by("created_at", "pk")
    )


def mark_clearable(user, flags) -> list:
    """Set ``may_clear`` on each flag: the user's finance bureau decides for its
    department (procurement.permissions.can_clear_flag, without a query per flag)."""
    regions = deciding_region_ids(user)
    flags = list(flags)
    for flag in flags:
        flag.may_clear = flag.department.region_id in regions
    return flags
