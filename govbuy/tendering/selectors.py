"""Reads of running a purchase for its pages and services (bids and their
receipts are read through `bidding_selectors`): a project's rounds, the
experts and staff who may sit on its panel, the providers it may invite."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from govbuy.accounts.models import Membership, Role
from govbuy.core.counts import count_kinds, scope_branches
from govbuy.orgs.models import Organization
from govbuy.orgs.selectors import supervised_region_ids
from govbuy.tendering import bidding_selectors
from govbuy.tendering.models import (
    Bid,
    Deadline,
    DeadlineKind,
    Notice,
    PanelMember,
    Tender,
    TenderStatus,
)

# The deadlines a purchasing department meets itself, and what it does to meet each.
PURCHASER_TASKS = (
    DeadlineKind.OPENING,
    DeadlineKind.CONFIRMATION,
    DeadlineKind.RESULT_NOTICE,
    DeadlineKind.CONTRACT_SIGNING,
)


def rounds_of(project):
    return Tender.objects.filter(project=project).order_by("-round_no")


def expert_pool(project):
    """Evaluation experts (评审专家) of the finance bureaus of the project's region
    and the regions above it."""
    paths = ancestor_paths(project.region.path)
    return (
        Membership.objects.filter(
            role=Role.EXPERT,
            is_active=True,
            organization__is_active=True,
            organization__region__path__in=paths,
        )
        .select_related("user")
        .order_by("user__display_name", "user__username", "pk")
    )


def representatives(project):
    """The purchasing department's staff: its representatives on a panel."""
    return (
        Membership.objects.filter(
            role=Role.PURCHASER, is_active=True, organization_id=project.department_id
        )
        .select_related("user")
        .order_by("user__display_name", "user__username", "pk")
    )


def panel_candidates(project) -> dict:
    """Who may sit on the project's panel, by user id: the experts of the pool and
    the department's staff (active users only)."""
    people = {}
    for m in [*expert_pool(project), *representatives(project)]:
        if m.user.is_active:
            people.setdefault(m.user_id, m.user)
    return people


def providers_to_invite(project):
    """Active providers of the project's province (an invitational tender or a
    single-source purchase names them)."""
    province = project.region.path[: len("/410000/")]
    return Organization.objects.filter(
        is_provider=True, is_active=True, region__path__startswith=province
    ).order_by("name")


def ancestor_paths(path: str) -> list[str]:
    parts = [p for p in path.split("/") if p]
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def rounds_for_user(user, *, status=None, q=None, flag=None):
    """The rounds the user sees, with their late flags (a notice published late,
    a deadline met late or passed unmet) for supervisors' lists."""
    qs = bidding_selectors.tenders_for_user(user, status=status, q=q)
    now = timezone.now()
    late_notice = Exists(Notice.objects.late().filter(tender=OuterRef("pk")))
    early_notice = Exists(Notice.objects.early().filter(tender=OuterRef("pk")))
    late_deadline = Exists(Deadline.objects.current().filter(tender=OuterRef("pk"), late=True))
    overdue = Exists(
        Deadline.objects.current().filter(
            tender=OuterRef("pk"),
            done_at__isnull=True,
            due_at__lt=now,
            kind__in=list(PURCHASER_TASKS),
        )
    )
    qs = qs.annotate(
        late_notice=late_notice,
        early_notice=early_notice,
        late_deadline=late_deadline,
        overdue=overdue,
    )
    if flag == "late":
        qs = qs.filter(
            Q(late_notice=True) | Q(early_notice=True) | Q(late_deadline=True) | Q(overdue=True)
        )
    elif flag == "emergency":
        qs = qs.filter(emergency=True)
    elif flag == "suspended":
        qs = qs.filter(suspended_at__isnull=False)
    elif flag:
        qs = qs.none()
    return qs


RUNNING_STATUSES = (TenderStatus.BIDDING, TenderStatus.OPENED, TenderStatus.EVALUATED)


def round_branches(user, prefix: str = "") -> list[Q] | None:
    """The visibility of `Tender.objects.visible_to` as branches that each use an
    index (`core.counts`): the own departments' rounds, the supervised region
    subtrees, the user's panels, the rounds its providers bid in or are invited
    to. ``prefix`` reaches the round from another model (``"tender__"``)."""
    branches = scope_branches(
        user,
        own=f"{prefix}project__department_id",
        region_path=f"{prefix}project__region__path",
        region_ids=supervised_region_ids(user) if user.is_authenticated else None,
    )
    if not branches or branches == [Q()]:
        return branches
    key = f"{prefix}pk" if prefix else "pk"
    branches.append(Q(**{f"{key}__in": PanelMember.objects.filter(user=user).values("tender_id")}))
    orgs = user.organization_ids()
    if orgs:
        branches.append(
            Q(**{f"{key}__in": Bid.objects.filter(provider_id__in=orgs).values("tender_id")})
        )
        branches.append(
            Q(
                **{
                    f"{key}__in": Tender.invited.through.objects.filter(
                        organization_id__in=orgs
                    ).values("tender_id")
                }
            )
        )
    return branches


def round_counts(user, *, now=None) -> dict:
    """Rounds the user sees that are running, flagged late (a notice published out
    of time, a deadline met late or a purchaser's deadline passed unmet: the `late`
    flag of `rounds_for_user`), or emergencies — in one query, each count
    status-first over the indexed branches of the user's visibility (C12)."""
    now = now or timezone.now()
    rounds = round_branches(user)
    via_round = round_branches(user, "tender__")
    deadlines = Deadline.objects.current().filter(tender__isnull=False)
    overdue = deadlines.filter(done_at__isnull=True, due_at__lt=now, kind__in=list(PURCHASER_TASKS))
    return count_kinds(
        {
            "running": (Tender.objects.filter(status__in=RUNNING_STATUSES), "pk", rounds),
            "emergency": (Tender.objects.filter(emergency=True), "pk", rounds),
            # Early and late notices alike carry `late` (see `Notice.early`).
            "late:notice": (
                Notice.objects.filter(late=True, tender__isnull=False),
                "tender_id",
                via_round,
            ),
            "late:deadline": (deadlines.filter(late=True), "tender_id", via_round),
            "late:overdue": (overdue, "tender_id", via_round),
        }
    )
