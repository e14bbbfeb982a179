"""Questions (质疑) to the purchaser and complaints (投诉) to the finance bureau
(P11), with their legal windows stored when they are filed."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from govbuy.core.permissions import org_scope_q
from govbuy.orgs.models import Organization
from govbuy.tendering.models import Tender


class QuestionSubject(models.TextChoices):
    DOCUMENTS = "documents", _("The purchase documents (采购文件)")
    PROCESS = "process", _("The purchase process (采购过程)")
    RESULT = "result", _("The result (中标、成交结果)")
    PUBLICITY = "publicity", _("The single-source publicity (单一来源公示)")


class ChallengeQuerySet(models.QuerySet):
    """The purchasing department and its supervisors, and the organization that filed."""

    tender_path = "tender__"

    def visible_to(self, user):
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.is_platform_admin:
            return self.all()
        p = self.tender_path
        q = org_scope_q(
            user, own=f"{p}project__department_id", region_path=f"{p}project__region__path"
        )
        q |= Q(provider_id__in=user.organization_ids())
        return self.filter(q)


class Question(models.Model):
    tender = models.ForeignKey(Tender, on_delete=models.PROTECT, related_name="questions")
    provider = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="questions", verbose_name=_("filed by")
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    subject = models.CharField(
        _("what is questioned"), max_length=12, choices=QuestionSubject.choices
    )
    # The day the provider knew or should have known of the event: the window counts from it.
    known_on = models.DateField(_("known on"))
    window_ends = models.DateField(_("last day to question"))
    filed_at = models.DateTimeField(_("filed at"))
    content = models.TextField(_("question (质疑事项与请求)"))
    answer_due = models.DateField(_("answer due"))
    answer = models.TextField(_("answer (答复)"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answered_late = models.BooleanField(_("answered late"), default=False)

    objects = ChallengeQuerySet.as_manager()

    class Meta:
        db_table = "procurement_question"  # the table of before the split
        verbose_name = _("质疑 question")
        verbose_name_plural = _("质疑 questions")
        ordering = ["-filed_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(answered_at__isnull=True) | ~Q(answer=""),
                name="question_answer_has_text",
            )
        ]

    def __str__(self):
        return f"{self.tender} · {self.provider} · {self.get_subject_display()}"

    @property
    def audit_organization(self):
        return self.tender.project.department


class ComplaintStatus(models.TextChoices):
    FILED = "filed", _("Filed, under review (审查中)")
    ACCEPTED = "accepted", _("Accepted (受理)")
    DISMISSED = "dismissed", _("Not accepted (不予受理)")
    DECIDED = "decided", _("Decided (处理决定)")


class ComplaintDecision(models.TextChoices):
    UPHELD = "upheld", _("Upheld (投诉成立)")
    REJECTED = "rejected", _("Rejected (投诉不成立)")


class ComplaintQuerySet(ChallengeQuerySet):
    tender_path = "question__tender__"


class Complaint(models.Model):
    """A complaint to the finance bureau after a question (质疑前置)."""

    question = models.OneToOneField(Question, on_delete=models.PROTECT, related_name="complaint")
    provider = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="complaints")
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    window_ends = models.DateField(_("last day to complain"))
    filed_at = models.DateTimeField(_("filed at"))
    content = models.TextField(_("complaint (投诉事项与请求)"))
    status = models.CharField(
        _("status"), max_length=10, choices=ComplaintStatus.choices, default=ComplaintStatus.FILED
    )
    review_due = models.DateField(_("acceptance review due"))
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_note = models.TextField(_("review note"), blank=True)
    decision_due = models.DateField(_("decision due"))
    decision = models.CharField(
        _("decision"), max_length=10, choices=ComplaintDecision.choices, blank=True
    )
    decision_text = models.TextField(_("decision and reasons (处理决定)"), blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The purchase suspended while the complaint is handled (暂停采购活动).
    suspended = models.BooleanField(_("purchase suspended"), default=False)

    objects = ComplaintQuerySet.as_manager()

    class Meta:
        db_table = "procurement_complaint"  # the table of before the split
        verbose_name = _("投诉 complaint")
        verbose_name_plural = _("投诉 complaints")
        ordering = ["-filed_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="decided") | (~Q(decision="") & ~Q(decision_text="")),
                name="complaint_decision_complete",
            )
        ]

    def __str__(self):
        return f"{self.question} · {self.get_status_display()}"

    @property
    def tender(self):
        return self.question.tender

    @property
    def audit_organization(self):
        return self.question.tender.project.department


def open_complaints_exist():
    """Subquery: the tender has a complaint not yet decided or dismissed."""
    return Exists(
        Complaint.objects.filter(
            question__tender=OuterRef("pk"),
            status__in=[ComplaintStatus.FILED, ComplaintStatus.ACCEPTED],
        )
    )


__all__ = [
    "ChallengeQuerySet",
    "Complaint",
    "ComplaintDecision",
    "ComplaintQuerySet",
    "ComplaintStatus",
    "Question",
    "QuestionSubject",
]
