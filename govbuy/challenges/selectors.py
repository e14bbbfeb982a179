"""Reads of questions and complaints, each scoped to what the user may see."""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef

from govbuy.budgets.selectors import deciding_region_ids
from govbuy.challenges.models import Complaint, ComplaintStatus, Question
from govbuy.core.errors import ApplicationError
from govbuy.core.permissions import get_for_user_or_404
from govbuy.tendering import schedule


def round_context(user, tender) -> dict:
    """What the round page shows of its questions and complaints (registered
    with `tendering.extensions` when the app is ready)."""
    return {
        "questions": list(questions_for_user(user, tender=tender)),
        "complaints": list(complaints_for_user(user, tender=tender)),
    }


def questions_for_user(user, *, tender=None, open_only=False):
    qs = Question.objects.visible_to(user).select_related(
        "tender__project__department", "provider", "filed_by", "answered_by"
    )
    if tender is not None:
        qs = qs.filter(tender=tender)
    if open_only:
        qs = qs.filter(answered_at__isnull=True)
    return qs.annotate(
        has_complaint=Exists(Complaint.objects.filter(question=OuterRef("pk")))
    ).order_by("-filed_at", "-pk")


def question_for_user(user, pk) -> Question:
    return get_for_user_or_404(
        Question.objects.select_related(
            "tender__project__department__region", "provider", "filed_by", "answered_by"
        ),
        user,
        pk=pk,
    )


def complaints_for_user(user, *, status=None, tender=None):
    qs = Complaint.objects.visible_to(user).select_related(
        "question__tender__project__department", "provider", "decided_by"
    )
    if status:
        qs = qs.filter(status=status) if status in ComplaintStatus.values else qs.none()
    if tender is not None:
        qs = qs.filter(question__tender=tender)
    return qs.order_by("-filed_at", "-pk")


def complaint_for_user(user, pk) -> Complaint:
    return get_for_user_or_404(
        Complaint.objects.select_related(
            "question__tender__project__department__region", "provider", "filed_by", "decided_by"
        ),
        user,
        pk=pk,
    )


def complaint_window_ends(question, rules: schedule.Rules) -> dt.date | None:
    """The last day to complain about `question` (15 working days after its
    answer period), or None when that year's calendar is not entered yet."""
    try:
        return schedule.complaint_window(rules, question.answer_due).due_on
    except ApplicationError:
        return None


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
