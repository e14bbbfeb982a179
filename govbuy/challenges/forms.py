"""Forms of the pages of questions and complaints: input only, as the forms of
`govbuy.procurement.forms`; the services check it."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from govbuy.challenges.models import ComplaintStatus, QuestionSubject
from govbuy.core.forms import BaseForm
from govbuy.procurement.forms import (
    SELECT,
    TEXT,
    area_field,
)
from govbuy.tendering.forms import choice_field

# --- questions and complaints ------------------------------------------------------------------


class QuestionForm(BaseForm):
    subject = choice_field(_("What is questioned"), QuestionSubject.choices, blank=_("— choose —"))
    content = area_field(_("Question and your request (质疑事项与请求)"), rows=6)


class AnswerForm(BaseForm):
    answer = area_field(_("Answer (答复)"), rows=5)


class ComplaintForm(BaseForm):
    content = area_field(_("Complaint and your request (投诉事项与请求)"), rows=6)


class ComplaintReviewForm(BaseForm):
    review_note = area_field(
        _("Review note"), rows=2, help_text=_("Required when the complaint is not accepted.")
    )


class SuspendForm(BaseForm):
    days = forms.CharField(
        label=_("Suspend for (days)"),
        required=False,
        widget=forms.NumberInput(attrs={**TEXT, "min": 1, "max": 30}),
    )


class DecisionForm(BaseForm):
    decision_text = area_field(_("Decision and reasons (处理决定)"), rows=5)


class ComplaintFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All"))] + list(ComplaintStatus.choices),
        widget=forms.Select(attrs=SELECT),
    )
