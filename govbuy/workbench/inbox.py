"""What is due, for whom, and by when: the in-app inbox of running purchases,
and what waits at the finance bureaus below (the workbenches' and the inbox
pages' sections). It composes every app's selectors, so it sits in the
workbench, above them all; the reads the running pages need themselves are in
`govbuy.tendering.selectors` and `govbuy.challenges.selectors`.

Each party sees its own work:

- a purchasing department: its deadlines not yet met (open the bids, confirm
  the winner, publish the result, sign the contract), questions to answer,
  objections to the opening record to reply to;
- a provider: invitations and open rounds, its live bids and their deadlines,
  opening records to confirm, rounds of quotes to answer, its questions — the
  answer it waits for, and when answered (or left unanswered) until when it
  may complain;
- a panel member (expert or purchaser's representative): panels to score;
- a finance bureau: complaints to review (受理) and to decide, with their dates;
  providers' objections to credit records it may revoke;
- a provider: also credit records about it (S9), which it may object to.

Nothing here reads a bid's content: a bid's existence and its time of receipt
are not sealed, its price and response are (P12).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import CharField, Count, Exists, OuterRef, Value
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from govbuy.accounts.models import Role
from govbuy.budgets import selectors as budget_selectors
from govbuy.catalog import selectors as catalog_selectors
from govbuy.challenges.models import Complaint, ComplaintStatus, Question
from govbuy.challenges.selectors import complaint_queue, complaint_window_ends
from govbuy.core.permissions import member_orgs
from govbuy.orgs import selectors as org_selectors
from govbuy.orgs.selectors import finance_bureaus_of, overseen_below_q
from govbuy.procurement import selectors
from govbuy.tendering import bidding_selectors, schedule
from govbuy.tendering.models import (
    CURRENT_TENDER_STATUSES,
    Bid,
    BidQuote,
    BidStatus,
    Deadline,
    DeadlineKind,
    OpeningAnswer,
    OpeningResponse,
    Tender,
    TenderStatus,
)
from govbuy.tendering.selectors import PURCHASER_TASKS


def _task_label(kind: str) -> str:
    labels = {
        DeadlineKind.OPENING: _("Open the bids"),
        DeadlineKind.CONFIRMATION: _("Confirm the winner"),
        DeadlineKind.RESULT_NOTICE: _("Publish the result notice"),
        DeadlineKind.CONTRACT_SIGNING: _("Sign the contract"),
    }
    return labels[kind]


@dataclass
class Item:
    """One thing due: what to do, on which round, by when, and where to do it."""

    section: str
    what: str
    subject: str
    code: str
    url: str
    due_at: dt.datetime | None = None
    whole_day: bool = True
    note: str = ""

    @property
    def overdue(self) -> bool:
        return self.due_at is not None and timezone.now() > self.due_at

    @property
    def sort_key(self):
        far = dt.datetime.max.replace(tzinfo=dt.UTC)
        return (self.due_at or far, self.code)


def _end_of(day: dt.date | None) -> dt.datetime | None:
    return schedule.end_of_day(day) if day else None


def _round_url(tender_id: int) -> str:
    return reverse("tendering:round_detail", args=[tender_id])


# --- the inbox ---------------------------------------------------------------------------------


def items_for(user, role: str | None) -> dict[str, list[Item]]:
    """The inbox of `user` acting in `role` (the active membership's role):
    sections of items, each sorted by due date, soonest first."""
    sections: dict[str, list[Item]] = {}
    if not getattr(user, "is_authenticated", False) or role is None:
        return sections
    if role == Role.PURCHASER:
        orgs = [o.pk for o in member_orgs(user, Role.PURCHASER)]
        sections["deadlines"] = purchaser_deadlines(orgs)
        sections["questions"] = questions_to_answer(orgs)
        sections["objections"] = objections_to_reply(orgs)
    if role in (Role.PURCHASER, Role.EXPERT):
        sections["panels"] = panels_to_score(user)
    if role == Role.PROVIDER:
        orgs = [o.pk for o in member_orgs(user, Role.PROVIDER)]
        sections["invitations"] = invitations(user)
        sections["bids"] = live_bids(orgs)
        sections["openings"] = openings_to_confirm(orgs)
        sections["quotes"] = quotes_to_give(orgs)
        sections["questions"] = my_questions(orgs)
        sections["credit"] = credit_records_to_see(user)
    if role == Role.FINANCE:
        sections["complaints"] = complaints_to_handle(user)
        sections["credit_objections"] = credit_objections_to_answer(user)
    for items in sections.values():
        items.sort(key=lambda i: i.sort_key)
    return sections


def count(sections: dict[str, list[Item]]) -> int:
    return sum(len(v) for v in sections.values())


def purchaser_deadlines(orgs: list[int]) -> list[Item]:
    rows = (
        Deadline.objects.current()
        .filter(
            done_at__isnull=True,
            kind__in=list(PURCHASER_TASKS),
            project__department_id__in=orgs,
            tender__status__in=CURRENT_TENDER_STATUSES,
        )
        .select_related("tender__project")
        .order_by("due_at", "pk")
    )
    return [
        Item(
            "deadlines",
            _task_label(d.kind),
            d.tender.title,
            d.tender.project.code,
            _round_url(d.tender_id),
            d.due_at,
            d.whole_day,
            note=d.explained,
        )
        for d in rows
    ]


def questions_to_answer(orgs: list[int]) -> list[Item]:
    rows = (
        Question.objects.filter(answered_at__isnull=True, tender__project__department_id__in=orgs)
        .select_related("tender__project", "provider")
        .order_by("answer_due", "pk")
    )
    return [
        Item(
            "questions",
            _("Answer the question of %(provider)s") % {"provider": q.provider.name},
            q.tender.title,
            q.tender.project.code,
            reverse("challenges:question_detail", args=[q.pk]),
            _end_of(q.answer_due),
            note=q.get_subject_display(),
        )
        for q in rows
    ]


def objections_to_reply(orgs: list[int]) -> list[Item]:
    rows = (
        OpeningResponse.objects.filter(
            answer=OpeningAnswer.OBJECTED,
            replied_at__isnull=True,
            tender__project__department_id__in=orgs,
        )
        .select_related("tender__project", "provider")
        .order_by("responded_at", "pk")
    )
    return [
        Item(
            "objections",
            _("Reply to the objection of %(provider)s") % {"provider": r.provider.name},
            r.tender.title,
            r.tender.project.code,
            reverse("tendering:opening", args=[r.tender_id]),
            None,
            note=_("objected at %(at)s")
            % {"at": timezone.localtime(r.responded_at).strftime("%Y-%m-%d %H:%M")},
        )
        for r in rows
    ]


def panels_to_score(user) -> list[Item]:
    items = []
    for m in bidding_selectors.panels_for(user):
        t = m.tender
        if t.opened_at is None:
            what, note = _("Evaluate after the opening"), _("opening")
        elif m.no_conflict_declared_at is None:
            what, note = _("Declare no conflict of interest, then score"), ""
        else:
            what, note = _("Score the bids"), ""
        items.append(
            Item(
                "panels",
                what,
                t.title,
                t.project.code,
                # Before the opening the sheet is sealed: the round's page shows when it opens.
                reverse(
                    "tendering:panel_sheet" if t.opened_at else "tendering:round_detail",
                    args=[t.pk],
                ),
                t.opening_at if t.opened_at is None else None,
                whole_day=False,
                note=note,
            )
        )
    return items


def invitations(user) -> list[Item]:
    return [
        Item(
            "invitations",
            _("Invited: bid by the deadline"),
            t.title,
            t.project.code,
            reverse("tendering:bid_submit", args=[t.pk]),
            t.bid_deadline,
            whole_day=False,
            note=t.get_method_display(),
        )
        for t in bidding_selectors.invitations_for(user)
    ]


def live_bids(orgs: list[int]) -> list[Item]:
    """Live bids on rounds still open: replace or withdraw until the deadline."""
    rows = (
        Bid.objects.filter(
            provider_id__in=orgs,
            status=BidStatus.SUBMITTED,
            tender__status=TenderStatus.BIDDING,
        )
        .select_related("tender__project")
        .only(
            "pk",
            "tender__id",
            "tender__title",
            "tender__bid_deadline",
            "tender__project__code",
            "submitted_at",
        )
        .order_by("tender__bid_deadline", "pk")
    )
    return [
        Item(
            "bids",
            _("Your bid may be replaced or withdrawn until the deadline"),
            b.tender.title,
            b.tender.project.code,
            reverse("tendering:bid_submit", args=[b.tender.pk]),
            b.tender.bid_deadline,
            whole_day=False,
            note=_("received %(at)s")
            % {"at": timezone.localtime(b.submitted_at).strftime("%Y-%m-%d %H:%M:%S")},
        )
        for b in rows
    ]


def openings_to_confirm(orgs: list[int]) -> list[Item]:
    """Opened rounds where one of the orgs bid and has not answered the record."""
    if not orgs:
        return []
    rows = (
        Tender.objects.filter(status=TenderStatus.OPENED, evaluated_at__isnull=True)
        .filter(
            Exists(
                Bid.objects.filter(
                    tender=OuterRef("pk"), provider_id__in=orgs, status=BidStatus.SUBMITTED
                )
            )
        )
        .exclude(
            Exists(OpeningResponse.objects.filter(tender=OuterRef("pk"), provider_id__in=orgs))
        )
        .select_related("project")
        .order_by("opened_at", "pk")
    )
    return [
        Item(
            "openings",
            _("Confirm the opening record or object"),
            t.title,
            t.project.code,
            reverse("tendering:opening", args=[t.pk]),
            None,
            note=_("opened at %(at)s")
            % {"at": timezone.localtime(t.opened_at).strftime("%Y-%m-%d %H:%M")},
        )
        for t in rows
    ]


def quotes_to_give(orgs: list[int]) -> list[Item]:
    """Open rounds of quotes where a live, not invalid bid of the orgs has not quoted yet."""
    if not orgs:
        return []
    now = timezone.now()
    rows = (
        Bid.objects.filter(
            provider_id__in=orgs,
            status=BidStatus.SUBMITTED,
            tender__status=TenderStatus.OPENED,
            tender__quote_deadline__gt=now,
        )
        .exclude(valid=False)
        .exclude(
            Exists(
                BidQuote.objects.filter(
                    bid=OuterRef("pk"), round_no=OuterRef("tender__quote_round")
                )
            )
        )
        .select_related("tender__project")
        .only(
            "pk",
            "tender__id",
            "tender__title",
            "tender__quote_round",
            "tender__quote_deadline",
            "tender__project__code",
        )
        .order_by("tender__quote_deadline", "pk")
    )
    return [
        Item(
            "quotes",
            _("Quote again (round %(n)s)") % {"n": b.tender.quote_round},
            b.tender.title,
            b.tender.project.code,
            reverse("tendering:quote_submit", args=[b.tender.pk]),
            b.tender.quote_deadline,
            whole_day=False,
        )
        for b in rows
    ]


class _RulesCache:
    """One `schedule.Rules` per (region, start day): the parameters and the
    calendar are looked up once for all the questions of a project."""

    def __init__(self):
        self._rules = {}

    def of(self, project) -> schedule.Rules:
        key = (project.region_id, project.started_on)
        if key not in self._rules:
            self._rules[key] = schedule.Rules(project.region, project.started_on)
        return self._rules[key]


def my_questions(orgs: list[int]) -> list[Item]:
    """The orgs' questions without a complaint: waiting for the answer, or (answered
    or past the answer period) open to a complaint until the window ends."""
    rows = (
        Question.objects.filter(provider_id__in=orgs)
        .exclude(Exists(Complaint.objects.filter(question=OuterRef("pk"))))
        .select_related("tender__project__region")
        .order_by("answer_due", "pk")
    )
    today = timezone.localdate()
    cache = _RulesCache()
    items = []
    for q in rows:
        url = reverse("challenges:question_detail", args=[q.pk])
        if q.answered_at is None and today <= q.answer_due:
            items.append(
                Item(
                    "questions",
                    _("The purchaser answers your question by this day"),
                    q.tender.title,
                    q.tender.project.code,
                    url,
                    _end_of(q.answer_due),
                    note=q.get_subject_display(),
                )
            )
            continue
        ends = complaint_window_ends(q, cache.of(q.tender.project))
        if ends is not None and today > ends:
            continue
        items.append(
            Item(
                "questions",
                _("Answered: you may complain to the finance bureau until this day")
                if q.answered_at
                else _("Not answered in time: you may complain until this day"),
                q.tender.title,
                q.tender.project.code,
                url,
                _end_of(ends),
                note=q.get_subject_display(),
            )
        )
    return items


def complaints_to_handle(user) -> list[Item]:
    items = []
    for c in complaint_queue(user):
        url = reverse("challenges:complaint_detail", args=[c.pk])
        t = c.question.tender
        if c.status == ComplaintStatus.FILED:
            what, due = _("Accept the complaint or not (受理审查)"), c.review_due
        else:
            what, due = _("Decide the complaint (处理决定)"), c.decision_due
        items.append(
            Item(
                "complaints",
                what,
                t.title,
                t.project.code,
                url,
                _end_of(due),
                note=c.provider.name,
            )
        )
    return items


# --- what waits at the bureaus below (read-only for the bureau above) ----------------------


@dataclass
class WaitingAt:
    """What waits at the finance bureau of one region below the user's."""

    region_code: str
    region_name: str
    bureau: str
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


# Each kind, its queryset of what waits below, and the field holding its region.
def _below_sources(user):
    budgets = budget_selectors.inbox_below(user)
    catalogs = catalog_selectors.inbox_below(user)
    return (
        ("lines", budgets["lines"], "region"),
        ("budget_adjustments", budgets["adjustments"], "line__region"),
        ("department_catalogs", catalogs["department_catalogs"], "organization__region"),
        ("catalog_adjustments", catalogs["adjustments"], "catalog__owner__region"),
        ("method_approvals", selectors.method_approvals_below(user), "region"),
        ("split_flags", selectors.split_flags_below(user), "region"),
        ("complaints", complaints_below(user), "question__tender__project__region"),
    )


BELOW_KINDS = (
    "lines",
    "budget_adjustments",
    "department_catalogs",
    "catalog_adjustments",
    "method_approvals",
    "split_flags",
    "complaints",
)


def waiting_below(user) -> list[WaitingAt]:
    """Per region below the user's finance bureaus, how many budget lines, budget
    adjustments, department catalogs, catalog adjustments, changes of method,
    splitting flags and complaints wait at that region's bureau (the deciding
    one): two queries, however many regions and items."""
    if overseen_below_q(user, "region") is None:
        return []
    # One query: a grouped count per kind, all in one UNION ALL.
    grouped = [
        qs.order_by()
        .annotate(waiting_kind=Value(kind, output_field=CharField()))
        .values_list("waiting_kind", field, f"{field}__code", f"{field}__name")
        .annotate(n=Count("pk"))
        for kind, qs, field in _below_sources(user)
    ]
    rows: dict[int, WaitingAt] = {}
    for kind, region_id, code, name, n in grouped[0].union(*grouped[1:], all=True):
        row = rows.setdefault(region_id, WaitingAt(code, name, "", dict.fromkeys(BELOW_KINDS, 0)))
        row.counts[kind] = n
    bureaus = finance_bureaus_of(rows) if rows else {}
    for region_id, row in rows.items():
        row.bureau = bureaus.get(region_id) or _("the finance bureau of %(region)s") % {
            "region": row.region_name
        }
    return sorted(rows.values(), key=lambda r: r.region_code)


def complaints_below(user):
    """Complaints being handled at the finance bureaus below the user's (read-only)."""
    below = overseen_below_q(user, "question__tender__project__region")
    if below is None:
        return Complaint.objects.none()
    return (
        Complaint.objects.filter(
            below, status__in=[ComplaintStatus.FILED, ComplaintStatus.ACCEPTED]
        )
        .select_related(
            "question__tender__project__department", "question__tender__project__region", "provider"
        )
        .order_by("review_due", "decision_due", "pk")
    )


def provider_counts(user) -> dict:
    """A provider's workbench: open rounds, invitations, live bids."""
    orgs = [o.pk for o in member_orgs(user, Role.PROVIDER)]
    return {
        "opportunities": bidding_selectors.opportunities().count(),
        "invitations": bidding_selectors.invitations_for(user).count(),
        "live_bids": Bid.objects.filter(
            provider_id__in=orgs,
            status=BidStatus.SUBMITTED,
            tender__status=TenderStatus.BIDDING,
        ).count(),
    }


# --- credit records (S9): the provider is told, the finance bureau answers objections ----------


def credit_records_to_see(user) -> list[Item]:
    return [
        Item(
            "credit",
            _("A credit record about you: object if it is wrong"),
            r.get_kind_display(),
            r.project.code if r.project_id else "",
            reverse("orgs:credit_detail", args=[r.pk]),
            None,
            note=r.recording_organization.name,
        )
        for r in org_selectors.records_to_see(user)
    ]


def credit_objections_to_answer(user) -> list[Item]:
    return [
        Item(
            "credit_objections",
            _("%(provider)s objects to a credit record: revoke it or keep it")
            % {"provider": o.record.organization.name},
            o.record.get_kind_display(),
            o.record.project.code if o.record.project_id else "",
            reverse("orgs:credit_detail", args=[o.record_id]),
            None,
            note=_("objected at %(at)s")
            % {"at": timezone.localtime(o.raised_at).strftime("%Y-%m-%d %H:%M")},
        )
        for o in org_selectors.objections_to_answer(user)
    ]
