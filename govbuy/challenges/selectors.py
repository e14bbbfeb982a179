"""Reads of questions and complaints, each scoped to what the user may see."""

from __future__ import annotations

from django.db.models import Exists, OuterRef

from govbuy.challenges.models import Complaint, ComplaintStatus, Question
from govbuy.core.permissions import get_for_user_or_404


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
