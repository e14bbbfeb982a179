"""Questions (质疑) and complaints (投诉), P11: a provider questions the purchaser
within 7 working days of knowing; the purchaser answers within 7 working days;
the provider may complain to the finance bureau within 15 working days after
the answer period; the bureau reviews in 5, may suspend the purchase (≤ 30
days) and decides within 30 working days. Late filings are refused with the
deadline shown. Every window is stored on the question or complaint.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from govbuy.challenges import permissions
from govbuy.challenges.audit_actions import ChallengesAction
from govbuy.challenges.models import (
    Complaint,
    ComplaintDecision,
    ComplaintStatus,
    Question,
    QuestionSubject,
)
from govbuy.core import audit
from govbuy.core.errors import ApplicationError, CalendarNotCovered, InvalidState, NotAllowed
from govbuy.core.rules import enforce
from govbuy.procurement.models import Method
from govbuy.tendering import schedule
from govbuy.tendering.models import Bid, DeadlineKind, Tender, TenderStatus
from govbuy.tendering.permissions import require_provider, require_purchaser
from govbuy.tendering.rules import running as running_rules
from govbuy.tendering.services import suspension
from govbuy.tendering.services.common import (
    clean_text,
    current_deadline,
    locked_tender,
    rules_for,
)


def _day(due: schedule.Due) -> dt.date:
    """The due day, or a refusal when its year has no holiday calendar yet."""
    if due.due_at is None:
        raise CalendarNotCovered(due.missing_year)
    return due.due_on


def _stored_day(tender, kind) -> dt.date | None:
    row = current_deadline(tender, kind)
    if row is None:
        return None
    if row.due_at is None:
        raise InvalidState(
            _("The deadline is not known yet: %(explanation)s.") % {"explanation": row.explained}
        )
    return timezone.localtime(row.due_at).date()


def question_window(tender: Tender, subject: str) -> tuple[dt.date | None, dt.date | None, str]:
    """(opens on, last day, what is questioned) for a question on `subject` now."""
    rules = rules_for(tender.project)
    published = timezone.localtime(tender.published_at).date()
    if subject == QuestionSubject.DOCUMENTS:
        return published, _stored_day(tender, DeadlineKind.QUESTION_DOCUMENTS), _("the documents")
    if subject == QuestionSubject.PUBLICITY:
        if tender.method != Method.SINGLE_SOURCE:
            raise InvalidState(_("Only a single-source purchase has a publicity period."))
        return (
            published,
            _stored_day(tender, DeadlineKind.PUBLICITY),
            _("the single-source publicity"),
        )
    if subject == QuestionSubject.PROCESS:
        if tender.opened_at is None:
            return timezone.localtime(tender.opening_at).date(), None, _("the process")
        stage = tender.evaluated_at or tender.opened_at
        known = timezone.localtime(stage).date()
        due = schedule.question_window(rules, known)
        return published, _day(due), _("the process")
    if subject == QuestionSubject.RESULT:
        if tender.result_published_at is None:
            return None, None, _("the result")
        return (
            timezone.localtime(tender.result_published_at).date(),
            _stored_day(tender, DeadlineKind.QUESTION_RESULT),
            _("the result"),
        )
    raise ApplicationError("invalid_choice", _("Choose what is questioned."), field="subject")


@transaction.atomic
def file_question(*, actor, tender: Tender, provider, subject: str, content: str) -> Question:
    require_provider(actor, provider)
    if subject not in QuestionSubject.values:
        raise ApplicationError("invalid_choice", _("Choose what is questioned."), field="subject")
    content = clean_text(
        content, field="content", label=_("the question and your request"), limit=20000
    )
    tender = locked_tender(tender)
    if tender.status == TenderStatus.TERMINATED and subject != QuestionSubject.RESULT:
        raise InvalidState(_("This round was terminated."))
    if (
        subject in (QuestionSubject.PROCESS, QuestionSubject.RESULT)
        and not Bid.objects.filter(tender=tender, provider=provider).exists()
    ):
        raise NotAllowed(
            _("Only providers that took part in this round question its process or result.")
        )
    now = timezone.now()
    today = timezone.localtime(now).date()
    opens_on, window_ends, what = question_window(tender, subject)
    if opens_on is None:
        raise InvalidState(_("There is no result to question yet."))
    enforce(
        running_rules.question_window_violations(
            filed_on=today, window_ends=window_ends, opens_on=opens_on, what=what
        )
    )
    rules = rules_for(tender.project)
    answer_due = _day(schedule.answer_due(rules, now))
    question = Question.objects.create(
        tender=tender,
        provider=provider,
        filed_by=actor,
        subject=subject,
        known_on=opens_on if subject != QuestionSubject.PROCESS else today,
        window_ends=window_ends or today,
        filed_at=now,
        content=content,
        answer_due=answer_due,
    )
    audit.record(
        actor=actor,
        action=ChallengesAction.QUESTION_FILE,
        obj=question,
        data={"tender": tender.pk, "subject": subject, "answer_due": answer_due.isoformat()},
    )
    return question


@transaction.atomic
def answer_question(*, actor, question: Question, answer: str) -> Question:
    question = (
        Question.objects.select_for_update(of=("self",))
        .select_related("tender__project__department")
        .get(pk=question.pk)
    )
    require_purchaser(actor, question.tender.project)
    if question.answered_at is not None:
        raise InvalidState(_("This question is already answered."))
    question.answer = clean_text(answer, field="answer", label=_("the answer"), limit=20000)
    now = timezone.now()
    question.answered_at = now
    question.answered_by = actor
    question.answered_late = timezone.localtime(now).date() > question.answer_due
    question.save(update_fields=["answer", "answered_at", "answered_by", "answered_late"])
    audit.record(
        actor=actor,
        action=ChallengesAction.QUESTION_ANSWER,
        obj=question,
        data={"late": question.answered_late},
    )
    return question


@transaction.atomic
def file_complaint(*, actor, question: Question, content: str) -> Complaint:
    question = (
        Question.objects.select_for_update(of=("self",))
        .select_related("tender__project__region", "provider")
        .get(pk=question.pk)
    )
    require_provider(actor, question.provider)
    content = clean_text(
        content, field="content", label=_("the complaint and your request"), limit=20000
    )
    if Complaint.objects.filter(question=question).exists():
        raise InvalidState(_("A complaint on this question is already filed."))
    now = timezone.now()
    today = timezone.localtime(now).date()
    rules = rules_for(question.tender.project)
    window_ends = _day(schedule.complaint_window(rules, question.answer_due))
    enforce(
        running_rules.complaint_window_violations(
            filed_on=today,
            answered=question.answered_at is not None,
            answer_due=question.answer_due,
            window_ends=window_ends,
        )
    )
    complaint = Complaint.objects.create(
        question=question,
        provider=question.provider,
        filed_by=actor,
        window_ends=window_ends,
        filed_at=now,
        content=content,
        review_due=_day(schedule.complaint_review_due(rules, now)),
        decision_due=_day(schedule.complaint_decision_due(rules, now)),
    )
    audit.record(
        actor=actor,
        action=ChallengesAction.COMPLAINT_FILE,
        obj=complaint,
        data={"question": question.pk, "decision_due": complaint.decision_due.isoformat()},
    )
    return complaint


def _locked_complaint(complaint: Complaint, actor) -> Complaint:
    complaint = (
        Complaint.objects.select_for_update(of=("self",))
        .select_related("question__tender__project__department__region")
        .get(pk=complaint.pk)
    )
    permissions.require_handle(actor, complaint.question.tender)
    return complaint


@transaction.atomic
def review_complaint(*, actor, complaint: Complaint, accept: bool, note: str = "") -> Complaint:
    """受理 or 不予受理 within 5 working days of receipt."""
    complaint = _locked_complaint(complaint, actor)
    if not permissions.reviewable(complaint):
        raise InvalidState(_("This complaint is already reviewed."))
    note = clean_text(
        note,
        field="review_note",
        label=_("why it is not accepted"),
        limit=5000,
        required=not accept,
    )
    complaint.status = ComplaintStatus.ACCEPTED if accept else ComplaintStatus.DISMISSED
    complaint.reviewed_at = timezone.now()
    complaint.review_note = note
    complaint.save(update_fields=["status", "reviewed_at", "review_note"])
    if not accept:
        _lift(complaint)
    audit.record(
        actor=actor,
        action=ChallengesAction.COMPLAINT_ACCEPT if accept else ChallengesAction.COMPLAINT_DISMISS,
        obj=complaint,
        data={"note": note},
    )
    return complaint


@transaction.atomic
def suspend_purchase(*, actor, complaint: Complaint, days: int) -> Tender:
    """暂停采购活动 while the complaint is handled, for at most 30 days (a parameter)."""
    complaint = _locked_complaint(complaint, actor)
    if not permissions.suspendable(complaint):
        raise InvalidState(_("Only a complaint being handled suspends the purchase."))
    try:
        days = int(days)
    except (TypeError, ValueError):
        raise ApplicationError(
            "invalid_number", _("Give the number of days."), field="days"
        ) from None
    tender = suspension.suspend_round(complaint.question.tender_id, days=days)
    complaint.suspended = True
    complaint.save(update_fields=["suspended"])
    audit.record(
        actor=actor,
        action=ChallengesAction.PURCHASE_SUSPEND,
        obj=tender,
        data={"complaint": complaint.pk, "until": tender.suspended_until.isoformat()},
    )
    return tender


def _lift(complaint: Complaint) -> None:
    if complaint.suspended:
        suspension.resume_round(complaint.question.tender_id)


@transaction.atomic
def decide_complaint(*, actor, complaint: Complaint, upheld: bool, text: str) -> Complaint:
    """处理决定 within 30 working days; lifts the suspension."""
    complaint = _locked_complaint(complaint, actor)
    if not permissions.decidable(complaint):
        raise InvalidState(_("An accepted complaint is decided."))
    complaint.decision_text = clean_text(
        text, field="decision_text", label=_("the decision and its reasons"), limit=20000
    )
    complaint.decision = ComplaintDecision.UPHELD if upheld else ComplaintDecision.REJECTED
    complaint.status = ComplaintStatus.DECIDED
    complaint.decided_at = timezone.now()
    complaint.decided_by = actor
    complaint.save(
        update_fields=["decision_text", "decision", "status", "decided_at", "decided_by"]
    )
    _lift(complaint)
    audit.record(
        actor=actor,
        action=ChallengesAction.COMPLAINT_DECIDE,
        obj=complaint,
        data={
            "decision": complaint.decision,
            "late": timezone.localtime(complaint.decided_at).date() > complaint.decision_due,
        },
    )
    return complaint
