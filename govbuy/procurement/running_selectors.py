"""Reads for the running pages (rounds, panels, bids' receipts, complaints)
that the running views and services need beside `bidding_selectors`; the
workbench inbox (`govbuy.workbench.inbox`) builds on them.

Nothing here reads a bid's content: a bid's existence and its time of receipt
are not sealed, its price and response are (P12).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from govbuy.accounts.models import Membership, Role
from govbuy.budgets.selectors import deciding_region_ids
from govbuy.core.errors import ApplicationError
from govbuy.core.permissions import member_orgs
from govbuy.orgs.models import Organization

from . import bidding_selectors, schedule
from .models import (
    Bid,
    BidStatus,
    Complaint,
    ComplaintStatus,
    Deadline,
    DeadlineKind,
    Notice,
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


def complaint_window_ends(question, rules: schedule.Rules) -> dt.date | None:
    """The last day to complain about `question` (15 working days after its
    answer period), or None when that year's calendar is not entered yet."""
    try:
        return schedule.complaint_window(rules, question.answer_due).due_on
    except ApplicationError:
        return None


# --- reads for the running pages --------------------------------------------------------------


def complaint_queue(user):
    """Complaints being handled by the finance bureaus the user acts for (the
    bureau of the purchasing department's region), soonest due first."""
    regions = deciding_region_ids(user)
    qs = Complaint.objects.filter(
        status__in=[ComplaintStatus.FILED, ComplaintStatus.ACCEPTED],
        question__tender__project__department__region_id__in=regions,
    )
    return qs.select_related("question__tender__project", "provider").order_by(
        "review_due", "decision_due", "pk"
    )


def receipts_for_user(user, *, q=None, status=None):
    """The user's providers' bids on every round, as receipts: the round, when
    the platform received each and its digest — never the price or content."""
    orgs = [o.pk for o in member_orgs(user, Role.PROVIDER)]
    qs = Bid.objects.filter(provider_id__in=orgs)
    if status:
        qs = qs.filter(status=status) if status in BidStatus.values else qs.none()
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(tender__title__icontains=q) | Q(tender__project__code__icontains=q))
    return (
        qs.select_related("tender__project", "provider")
        .only(
            "pk",
            "status",
            "submitted_at",
            "digest",
            "withdrawn_at",
            "replaces_id",
            "provider__name",
            "tender__id",
            "tender__title",
            "tender__status",
            "tender__bid_deadline",
            "tender__opening_at",
            "tender__opened_at",
            "tender__project__code",
        )
        .order_by("-submitted_at", "-pk")
    )


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


def round_counts(user) -> dict:
    """Rounds the user sees that are running, flagged late, or emergencies (one query)."""
    rounds = rounds_for_user(user).order_by()
    return rounds.aggregate(
        running=Count(
            "pk",
            filter=Q(
                status__in=(TenderStatus.BIDDING, TenderStatus.OPENED, TenderStatus.EVALUATED)
            ),
        ),
        late=Count(
            "pk",
            filter=Q(late_notice=True)
            | Q(early_notice=True)
            | Q(late_deadline=True)
            | Q(overdue=True),
        ),
        emergency=Count("pk", filter=Q(emergency=True)),
    )


def rounds_of(project):
    return Tender.objects.filter(project=project).order_by("-round_no")


def expert_pool(project):
    """Evaluation experts (评审专家) of the finance bureaus of the project's region
    and the regions above it."""
    paths = _ancestor_paths(project.region.path)
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


def _ancestor_paths(path: str) -> list[str]:
    parts = [p for p in path.split("/") if p]
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]
