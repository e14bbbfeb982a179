"""The workbenches (工作台) and the inbox pages: what each role sees first, and
what waits for it. They compose every app (budgets, catalog, orgs, procurement
and the apps above it), so they live here, above all of them; no app imports
this package. URL paths and names are unchanged: `govbuy.urls` mounts these
views in the `accounts` and `procurement` namespaces where they always were.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.shortcuts import render
from django.utils.translation import gettext as _

from govbuy.budgets import selectors as budget_selectors
from govbuy.budgets.models import BudgetLine
from govbuy.catalog import selectors as catalog_selectors
from govbuy.core.audit import last_verification
from govbuy.core.counts import count_kinds, scope_branches
from govbuy.core.models import AuditEvent, HolidayCalendar
from govbuy.core.roles import NON_ACTING_ROLES, Role, active_membership
from govbuy.orgs.models import Organization
from govbuy.orgs.rules import OrgCategory, eligibility
from govbuy.orgs.selectors import finance_bureaus_of, supervised_region_ids
from govbuy.procurement import selectors as proc_selectors
from govbuy.procurement.models import MethodApproval, PurchaseProject, SplitFlag
from govbuy.tendering import bidding_selectors
from govbuy.tendering import selectors as tendering_selectors
from govbuy.tendering.sealing import audit_rows

from . import inbox as waiting


def _require_role(request, *roles):
    """The active membership, when its role is one of ``roles`` (403 otherwise)."""
    m = active_membership(request)
    if m is None or m.role not in roles:
        raise PermissionDenied
    return m


# --- the workbench ---------------------------------------------------------------------------


@login_required
def workbench(request):
    """工作台: the home of each role."""
    membership = active_membership(request)
    role = membership.role if membership else "recipient"
    context = {"membership": membership, "role": role}
    if membership:
        org = membership.organization
        context["org"] = org
        # An expert sits in a finance bureau's pool without acting for the bureau: it
        # sees none of the bureau's own pages, so its workbench links none of them.
        context["acts_for_org"] = membership.role not in NON_ACTING_ROLES
        context["eligibility"] = eligibility(OrgCategory.of(org))
    if role in (Role.FINANCE, Role.AUDITOR, Role.PLATFORM_ADMIN):
        visible = Organization.objects.visible_to(request.user)
        context["org_counts"] = visible.aggregate(
            total=Count("pk"),
            purchasers=Count("pk", filter=Q(is_purchaser=True)),
            providers=Count("pk", filter=Q(is_provider=True)),
            social=Count("pk", filter=Q(is_provider=True, org_type="social_organization")),
        )
        context["calendars"] = HolidayCalendar.objects.all()[:5]
    if role in (Role.PURCHASER, Role.FINANCE, Role.AUDITOR, Role.PLATFORM_ADMIN):
        context.update(_purchasing_counts(request.user, membership))
    if role in (
        Role.PURCHASER,
        Role.FINANCE,
        Role.AUDITOR,
        Role.PLATFORM_ADMIN,
        Role.PROVIDER,
        Role.EXPERT,
    ):
        context.update(running_context(request, membership))
    if role in (Role.AUDITOR, Role.PLATFORM_ADMIN):
        events = AuditEvent.objects.select_related("organization").order_by("-seq")
        if role == Role.AUDITOR:
            path = membership.organization.region.path
            events = events.filter(organization__region__path__startswith=path)
        # Events about bids name no bidder before the opening (P12).
        context["events"] = audit_rows(events[:15])
        context["chain"] = last_verification()  # verify_audit and tick verify, never a page
    return render(request, f"workbench/{role}.html", context)


def planning_counts(user) -> dict:
    """The budget lines the user sees by status, the purchases still in planning
    by status and those whose change of method waits for a decision: status
    first, per indexed visibility branch (`core.counts`), in one query."""
    branches = scope_branches(
        user,
        own="department_id",
        region_path="region__path",
        region_ids=supervised_region_ids(user) if user.is_authenticated else None,
    )
    lines = BudgetLine.objects.all()
    projects = PurchaseProject.objects.all()
    counts = count_kinds(
        {
            "line_draft": (lines.filter(status__in=("draft", "returned")), "pk", branches),
            "line_submitted": (lines.filter(status="submitted"), "pk", branches),
            "line_approved": (lines.filter(status="approved"), "pk", branches),
            "draft": (projects.filter(status="draft"), "pk", branches),
            "review": (projects.filter(status="review"), "pk", branches),
            "approved": (projects.filter(status="approved"), "pk", branches),
            "method_pending": (
                projects.filter(method_approval=MethodApproval.PENDING),
                "pk",
                branches,
            ),
        }
    )
    line_counts = {
        k.removeprefix("line_"): counts.pop(k) for k in list(counts) if k.startswith("line_")
    }
    return {"line_counts": line_counts, "project_counts": counts}


def project_counts(user) -> dict:
    return planning_counts(user)["project_counts"]


def _purchasing_counts(user, membership) -> dict:
    """Budget lines and purchases by status, and what waits for this user."""
    context = planning_counts(user)
    if membership.role == Role.FINANCE:
        inbox = budget_selectors.finance_inbox(user)
        context["budget_inbox"] = inbox["lines"].count() + inbox["adjustments"].count()
        context["open_split_flags"] = (
            SplitFlag.objects.visible_to(user).filter(status="open").count()
        )
        context["catalog_inbox"] = _catalog_inbox_count(user)
        # What waits at the bureaus below (read-only here: the same-level bureau decides).
        context["waiting_below"] = waiting.waiting_below(user)
    return context


def _catalog_inbox_count(user) -> int:
    """Catalog adjustments and department catalogs waiting for the user's bureau
    (one query)."""
    queues = catalog_selectors.finance_inbox(user)
    ids = [qs.order_by().values_list("pk") for qs in queues.values()]
    return ids[0].union(*ids[1:], all=True).count()


def inbox_sections(user, role) -> list[dict]:
    """The running items of the inbox, section by section, for `inbox`."""
    titles = {
        "deadlines": _("Deadlines of your purchases"),
        "questions": _("Questions to answer (质疑)")
        if role == Role.PURCHASER
        else _("Your questions and complaint windows"),
        "objections": _("Objections to the opening record"),
        "panels": _("Panels to score"),
        "invitations": _("Invitations to bid"),
        "bids": _("Your live bids"),
        "openings": _("Opening records to confirm"),
        "quotes": _("Rounds of quotes to answer"),
        "complaints": _("Complaints to handle (投诉)"),
        "credit": _("Credit records about you (信用记录)"),
        "credit_objections": _("Objections to credit records"),
    }
    return [
        {"key": key, "title": titles[key], "items": items}
        for key, items in waiting.items_for(user, role).items()
    ]


def running_context(request, membership) -> dict:
    """What each role's workbench shows of running purchases."""
    user = request.user
    role = membership.role if membership else None
    sections = waiting.items_for(user, role)
    context = {
        "running_due": sorted(
            (i for items in sections.values() for i in items), key=lambda i: i.sort_key
        )[:8],
        "running_due_count": waiting.count(sections),
    }
    if role == Role.PROVIDER:
        context["provider_counts"] = waiting.provider_counts(user)
    if role == Role.EXPERT:
        context["panels"] = list(bidding_selectors.panels_for(user))
    if role in (Role.FINANCE, Role.AUDITOR, Role.PLATFORM_ADMIN, Role.PURCHASER):
        context["round_counts"] = tendering_selectors.round_counts(user)
    return context


# --- the inbox pages -------------------------------------------------------------------------


@login_required
def inbox(request):
    """What waits for the user: reviews, changes of method and splitting flags,
    and in running purchases what is due and by when (`inbox`)."""
    # Nothing waits for the platform administrator: it decides and buys nothing.
    m = _require_role(request, Role.PURCHASER, Role.FINANCE, Role.PROVIDER, Role.EXPERT)
    deciding = m.role == Role.FINANCE
    running = inbox_sections(request.user, m.role)
    return render(
        request,
        "procurement/inbox.html",
        {
            "running": running,
            "running_count": sum(len(s["items"]) for s in running),
            "staff": m.role in (Role.PURCHASER, Role.FINANCE),
            "reviews": list(proc_selectors.review_queue(request.user)),
            "is_manager": any(
                x.role == Role.PURCHASER and x.is_manager for x in request.user.active_memberships
            ),
            "deciding": deciding,
            "approvals": list(proc_selectors.method_approvals_for(request.user))
            if deciding
            else [],
            "flags": proc_selectors.mark_clearable(
                request.user, proc_selectors.split_flags_to_clear(request.user)
            )
            if deciding
            else [],
            "capacity": list(proc_selectors.capacity_to_sign(request.user)),
            "s11_purchases": list(proc_selectors.s11_purchases_for(request.user))
            if deciding
            else [],
        },
    )


@login_required
def inbox_below(request):
    """What waits at the finance bureaus below the user's, each item with the bureau
    it waits at: read-only here, the same-level bureau decides (同级财政部门)."""
    _require_role(request, Role.FINANCE)
    budgets_below = budget_selectors.inbox_below(request.user)
    catalogs_below = catalog_selectors.inbox_below(request.user)
    limit = 200
    # Each kind with the path from an item to the region whose bureau decides it.
    kinds = {
        "lines": (budgets_below["lines"], "region"),
        "budget_adjustments": (budgets_below["adjustments"], "line.region"),
        "department_catalogs": (catalogs_below["department_catalogs"], "organization.region"),
        "catalog_adjustments": (catalogs_below["adjustments"], "catalog.owner.region"),
        "method_approvals": (proc_selectors.method_approvals_below(request.user), "region"),
        "split_flags": (proc_selectors.split_flags_below(request.user), "region"),
        "complaints": (waiting.complaints_below(request.user), "question.tender.project.region"),
    }
    context = {}
    regions = {}
    for kind, (qs, path) in kinds.items():
        items = list(qs[:limit])
        for item in items:
            region = item
            for step in path.split("."):
                region = getattr(region, step)
            regions[region.pk] = region
            item.waiting_region = region
        context[kind] = items
    bureaus = finance_bureaus_of(regions) if regions else {}
    for items in list(context.values()):
        for item in items:
            region = item.waiting_region
            item.waiting_at = bureaus.get(region.pk) or _("the finance bureau of %(region)s") % {
                "region": region.name
            }
    context["total"] = sum(len(items) for items in context.values())
    return render(request, "procurement/inbox_below.html", context)
