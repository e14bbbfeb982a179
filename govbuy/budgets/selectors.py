"""Reads of the budgets app, scoped to the user: a department sees its own lines,
a finance bureau or auditor every line of its region and below."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Q, Sum

from govbuy.catalog.models import DepartmentCatalogItem
from govbuy.core.money import to_money
from govbuy.core.permissions import get_for_user_or_404
from govbuy.orgs.models import Organization
from govbuy.orgs.permissions import deciding_region_ids
from govbuy.orgs.selectors import overseen_below_q

from .models import AdjustmentStatus, BudgetAdjustment, BudgetLine, BudgetLineStatus

ZERO = Decimal("0.00")


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def lines_for_user(user, *, year=None, status=None, department=None, q=None):
    """The lines the user may read, newest year first, with what a list row shows
    (department, catalog item, out-years) fetched up front."""
    qs = (
        BudgetLine.objects.visible_to(user)
        .select_related("department", "region", "catalog_item")
        .prefetch_related("out_years")
    )
    year = _int(year)
    if year is not None:
        qs = qs.filter(fiscal_year=year)
    if status:
        qs = qs.filter(status=status) if status in BudgetLineStatus.values else qs.none()
    if department is not None and department != "":
        pk = department.pk if isinstance(department, Organization) else _int(department)
        qs = qs.filter(department_id=pk) if pk is not None else qs.none()
    q = (q or "").strip()[:100]
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(code__icontains=q))
    return qs.order_by("-fiscal_year", "department__name", "code")


def line_for_user(user, pk) -> BudgetLine:
    return get_for_user_or_404(
        BudgetLine.objects.select_related(
            "department__region",
            "region",
            "catalog_item__department_catalog",
            "created_by",
            "decided_by",
        ).prefetch_related("out_years"),
        user,
        pk=pk,
    )


def totals(lines) -> dict:
    """Sums of a (filtered) set of lines in one aggregate query."""
    sums = lines.order_by().aggregate(
        amount=Sum("amount"),
        total=Sum("total"),
        committed=Sum("committed"),
        count=Count("pk"),
    )
    result = {k: to_money(sums[k] or ZERO) for k in ("amount", "total", "committed")}
    result["available"] = result["total"] - result["committed"]
    result["count"] = sums["count"] or 0
    return result


def departments_with_lines(user):
    """The departments whose lines the user reads (the list page's filter)."""
    visible = BudgetLine.objects.visible_to(user).values("department_id")
    return Organization.objects.filter(pk__in=visible).order_by("name")


def years_with_lines(user) -> list[int]:
    return list(
        BudgetLine.objects.visible_to(user)
        .order_by("-fiscal_year")
        .values_list("fiscal_year", flat=True)
        .distinct()
    )


def catalog_items_for(department, fiscal_year) -> list[DepartmentCatalogItem]:
    """The items of the department's catalog for the year a line can name."""
    year = _int(fiscal_year)
    if department is None or year is None:
        return []
    return list(
        DepartmentCatalogItem.objects.filter(
            department_catalog__organization=department, department_catalog__year=year
        ).order_by("sort_key")
    )


def projects_of(user, line: BudgetLine):
    """The purchase projects committing the line's money (those the user may read)."""
    return (
        # The reverse relation: procurement sits above budgets.
        line.projects.visible_to(user).order_by("-created_at", "-pk")
    )


def adjustments_for_user(user, *, status=None, line=None):
    qs = BudgetAdjustment.objects.visible_to(user).select_related(
        "line__department", "proposed_by", "decided_by"
    )
    if status:
        qs = qs.filter(status=status) if status in AdjustmentStatus.values else qs.none()
    if line is not None:
        qs = qs.filter(line_id=line.pk if isinstance(line, BudgetLine) else _int(line))
    return qs.order_by("-proposed_at", "-pk")


def adjustment_for_user(user, pk) -> BudgetAdjustment:
    return get_for_user_or_404(
        BudgetAdjustment.objects.select_related(
            "line__department__region", "line__catalog_item", "proposed_by", "decided_by"
        ),
        user,
        pk=pk,
    )


def finance_inbox(user) -> dict:
    """Submitted lines and proposed adjustments the user's finance bureau decides
    (``permissions.can_decide``), oldest first."""
    lines = BudgetLine.objects.filter(status=BudgetLineStatus.SUBMITTED)
    adjustments = BudgetAdjustment.objects.filter(status=AdjustmentStatus.PROPOSED)
    regions = deciding_region_ids(user)
    lines = lines.filter(department__region_id__in=regions)
    adjustments = adjustments.filter(line__department__region_id__in=regions)
    return {
        "lines": lines.select_related("department", "region", "catalog_item")
        .prefetch_related("out_years")
        .order_by("submitted_at", "pk"),
        "adjustments": adjustments.select_related("line__department", "proposed_by").order_by(
            "proposed_at", "pk"
        ),
    }


def inbox_below(user) -> dict:
    """Submitted lines and proposed adjustments waiting at the finance bureaus below
    the user's (``orgs.selectors.overseen_below_q``): read-only for the user, the
    same-level bureau decides. Oldest first, like ``finance_inbox``."""
    below = overseen_below_q(user, "region")
    if below is None:
        return {"lines": BudgetLine.objects.none(), "adjustments": BudgetAdjustment.objects.none()}
    adjustment_below = overseen_below_q(user, "line__region")
    return {
        "lines": BudgetLine.objects.filter(below, status=BudgetLineStatus.SUBMITTED)
        .select_related("department", "region")
        .order_by("submitted_at", "pk"),
        "adjustments": BudgetAdjustment.objects.filter(
            adjustment_below, status=AdjustmentStatus.PROPOSED
        )
        .select_related("line__department", "line__region")
        .order_by("proposed_at", "pk"),
    }
