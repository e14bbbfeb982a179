"""The periodic tick (`manage.py tick`): the writes that only the passing of
time calls for. Correctness never waits for it — bids after the deadline are
refused and sealed bids stay sealed by the server's clock alone — but the
records should follow the clock: rounds whose opening time has passed are
opened (the seal lifts only then), suspensions whose last day has passed are
lifted, duties whose deadline passed undone are marked late, and the files of
replaced or withdrawn bids are deleted once their retention period is over.

Idempotent: each step selects only what is still to do and re-checks it under
a row lock, so a second run (or two ticks at once) changes nothing more.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from govbuy.core import audit
from govbuy.core.errors import InvalidState
from govbuy.core.rules import RuleViolation
from govbuy.tendering import schedule
from govbuy.tendering.audit_actions import TenderingAction
from govbuy.tendering.models import (
    CURRENT_TENDER_STATUSES,
    Bid,
    BidAttachment,
    BidStatus,
    Deadline,
    DeadlineKind,
    Tender,
    TenderStatus,
)
from govbuy.tendering.services.bids import open_bids
from govbuy.tendering.services.common import SYSTEM, locked_tender, rules_for

# Deadlines that are somebody's duty (a step to take by then), as opposed to
# windows that simply close (questions, documents, display, clarifications) or
# the bidders' own deadline. Only duties can be late.
DUTY_KINDS = (
    DeadlineKind.OPENING,
    DeadlineKind.EVALUATION_REPORT,
    DeadlineKind.CONFIRMATION,
    DeadlineKind.RESULT_NOTICE,
    DeadlineKind.CONTRACT_SIGNING,
)


@dataclass
class TickReport:
    resumed: list[Tender] = field(default_factory=list)
    opened: list[Tender] = field(default_factory=list)
    failed: list[Tender] = field(default_factory=list)
    # Rounds whose opening time has passed but that may not open (suspended).
    waiting: list[tuple[Tender, str]] = field(default_factory=list)
    late: list[Deadline] = field(default_factory=list)
    # Deadlines that waited for their year's holiday calendar and now have a date.
    dated: list[Deadline] = field(default_factory=list)
    # Replaced or withdrawn bids whose files were deleted after the retention period.
    purged: list[Bid] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(
            self.resumed or self.opened or self.failed or self.late or self.dated or self.purged
        )

    def lines(self) -> list[str]:
        out = []
        for tender in self.resumed:
            out.append(_("Resumed %(round)s: the suspension has ended.") % {"round": _name(tender)})
        for tender in self.opened:
            out.append(
                _("Opened %(round)s: %(n)s bid(s) read out.")
                % {"round": _name(tender), "n": len(tender.opening_record)}
            )
        for tender in self.failed:
            out.append(
                _("Failed %(round)s (流标): %(reason)s")
                % {"round": _name(tender), "reason": tender.end_reason}
            )
        for tender, why in self.waiting:
            out.append(_("Not opened %(round)s: %(why)s") % {"round": _name(tender), "why": why})
        for row in self.dated:
            out.append(
                _("Dated: %(deadline)s of %(project)s, due %(due)s (holiday calendar entered).")
                % {
                    "deadline": row.get_kind_display(),
                    "project": row.project.code,
                    "due": timezone.localtime(row.due_at).strftime("%Y-%m-%d"),
                }
            )
        for row in self.late:
            out.append(
                _("Late: %(round)s, %(deadline)s, due %(due)s.")
                % {
                    "round": _name(row.tender),
                    "deadline": row.get_kind_display(),
                    "due": timezone.localtime(row.due_at).strftime("%Y-%m-%d %H:%M"),
                }
            )
        if self.purged:
            out.append(
                _(
                    "Deleted the files of %(n)s replaced or withdrawn bid(s) after the retention period."
                )
                % {"n": len(self.purged)}
            )
        out.append(self.summary())
        return out

    def summary(self) -> str:
        if not self.changed:
            return _("tick: nothing to do.")
        return _(
            "tick: %(opened)s round(s) opened, %(failed)s failed, %(late)s deadline(s) "
            "marked late, %(resumed)s suspension(s) lifted, %(dated)s deadline(s) dated."
        ) % {
            "dated": len(self.dated),
            "opened": len(self.opened),
            "failed": len(self.failed),
            "late": len(self.late),
            "resumed": len(self.resumed),
        }


def _name(tender: Tender) -> str:
    return f"{tender.project.code} #{tender.round_no}"


def tick() -> TickReport:
    """One pass, in this order: lift suspensions (so a resumed round can open),
    open rounds, mark late what is still undone, then delete the files whose
    retention period is over."""
    report = TickReport()
    report.dated = date_pending_deadlines()
    report.resumed = lift_ended_suspensions()
    report.opened, report.failed, report.waiting = open_due_rounds()
    report.late = mark_late_deadlines()
    report.purged = purge_superseded_files()
    return report


@transaction.atomic
def date_pending_deadlines() -> list[Deadline]:
    """Give a date to deadlines stored without one because their year had no
    holiday calendar, once the finance administrator has entered it."""
    rows = list(
        Deadline.objects.select_for_update(of=("self",))
        .filter(due_at__isnull=True, superseded_at__isnull=True)
        .select_related("project__region")
        .order_by("pk")
    )
    dated = []
    for row in rows:
        display = None
        if row.kind == DeadlineKind.QUESTION_RESULT:
            display = (
                Deadline.objects.filter(
                    tender_id=row.tender_id,
                    kind=DeadlineKind.RESULT_DISPLAY,
                    superseded_at__isnull=True,
                )
                .values_list("due_at", flat=True)
                .first()
            )
        due = schedule.date_pending(rules_for(row.project), row, display_due=display)
        if due is None:
            continue
        row.due_at = due
        row.explanation = row.explanation.split(";")[0][:300]
        row.explanation_text = schedule.dated_explanation(row.explanation_text)
        row.save(update_fields=["due_at", "explanation", "explanation_text"])
        audit.record(
            actor=SYSTEM,
            action=TenderingAction.DEADLINE_DATED,
            obj=row,
            data={"kind": row.kind, "due_at": due.isoformat()},
        )
        dated.append(row)
    return dated


def lift_ended_suspensions() -> list[Tender]:
    """A suspension (暂停采购活动) runs to the end of its last day; from the next
    day the purchase moves again."""
    today = timezone.localdate()
    lifted = []
    due = Tender.objects.filter(suspended_at__isnull=False, suspended_until__lt=today)
    for pk in due.order_by("pk").values_list("pk", flat=True):
        with transaction.atomic():
            tender = locked_tender(pk)
            until = tender.suspended_until
            if tender.suspended_at is None or until is None or until >= today:
                continue  # lifted or extended meanwhile
            tender.suspended_at = None
            tender.suspended_until = None
            tender.save(update_fields=["suspended_at", "suspended_until", "updated_at"])
            audit.record(
                actor=SYSTEM,
                action=TenderingAction.PURCHASE_RESUME,
                obj=tender,
                data={"suspended_until": until.isoformat()},
            )
            lifted.append(tender)
    return lifted


def open_due_rounds() -> tuple[list[Tender], list[Tender], list[tuple[Tender, str]]]:
    """Open every round whose opening time has passed (`open_bids` is idempotent
    and takes the round's lock, so a purchaser opening at the same moment is fine)."""
    opened, failed, waiting = [], [], []
    due = Tender.objects.filter(status=TenderStatus.BIDDING, opening_at__lte=timezone.now())
    for tender in due.select_related("project").order_by("opening_at", "pk"):
        try:
            result = open_bids(actor=SYSTEM, tender=tender)
        except RuleViolation as exc:  # suspended while a complaint is handled
            waiting.append((tender, "; ".join(v.message for v in exc.violations)))
            continue
        except InvalidState:  # opened or postponed by someone else meanwhile
            continue
        if result.status == TenderStatus.OPENED:
            opened.append(result)
        elif result.status == TenderStatus.FAILED and result.opened_at is not None:
            failed.append(result)
    return opened, failed, waiting


@transaction.atomic
def mark_late_deadlines() -> list[Deadline]:
    """Duties of rounds under way whose deadline passed without being done. A
    suspended round is not late: the law stops its clock."""
    now = timezone.now()
    rows = list(
        Deadline.objects.select_for_update(of=("self",))
        .filter(
            kind__in=DUTY_KINDS,
            superseded_at__isnull=True,
            done_at__isnull=True,
            late=False,
            due_at__lt=now,
            tender__status__in=CURRENT_TENDER_STATUSES,
            tender__suspended_at__isnull=True,
        )
        .order_by("due_at", "pk")
    )
    tenders = Tender.objects.select_related("project").in_bulk({r.tender_id for r in rows})
    for row in rows:
        row.tender = tenders[row.tender_id]
        row.late = True
        row.save(update_fields=["late"])
        audit.record(
            actor=SYSTEM,
            action=TenderingAction.DEADLINE_LATE,
            obj=row,
            data={
                "tender": row.tender_id,
                "kind": row.kind,
                "due_at": row.due_at.isoformat(),
                "rule": row.rule,
            },
        )
    return rows


def purge_superseded_files() -> list[Bid]:
    """Delete the files of replaced or withdrawn bids once the retention period
    (`bid.superseded_files_retention_days`) has passed since the opening — or
    since the end of a round that was never opened. Such bids are never read;
    the attachment rows keep name, size and SHA-256 (so the bid's digest can
    still be recomputed) and the audit event lists the hashes. Each bid is done
    under its rows' lock, the files deleted before the rows are marked: a run
    that fails half-way leaves rows still to do, which the next run finishes."""
    now = timezone.now()
    due = (
        BidAttachment.objects.filter(
            purged_at__isnull=True,
            bid__status__in=[BidStatus.REPLACED, BidStatus.WITHDRAWN],
        )
        .filter(Q(bid__tender__opened_at__isnull=False) | Q(bid__tender__ended_at__isnull=False))
        .values_list("bid_id", flat=True)
        .distinct()
    )
    purged = []
    for bid_id in sorted(set(due)):
        bid = Bid.objects.select_related("tender__project__region").get(pk=bid_id)
        tender = bid.tender
        start = tender.opened_at or tender.ended_at
        days = rules_for(tender.project).cite("bid.superseded_files_retention_days")
        if now < start + dt.timedelta(days=days.value):
            continue
        with transaction.atomic():
            rows = list(
                BidAttachment.objects.select_for_update()
                .filter(bid_id=bid_id, purged_at__isnull=True)
                .order_by("pk")
            )
            if not rows:
                continue  # done meanwhile
            for row in rows:
                if row.file.name:
                    row.file.storage.delete(row.file.name)
                row.file = ""
                row.purged_at = now
            BidAttachment.objects.bulk_update(rows, ["file", "purged_at"])
            audit.record(
                actor=SYSTEM,
                action=TenderingAction.BID_FILES_PURGED,
                obj=bid,
                data={
                    "tender": tender.pk,
                    "status": bid.status,
                    "digest": bid.digest,
                    "attachments": [{"sha256": r.sha256, "size": r.size} for r in rows],
                    "retention_days": days.value,
                    "basis": days.basis,
                },
            )
            purged.append(bid)
    return purged
