"""Forms of the pages that run a purchase: notices, bids, the opening, the
panel, the award, questions and complaints, and the list filters.

Like `forms`, they carry input only: the services parse and check it (and the
rules), and their messages are put back beside these fields. Most fields are
optional here so that one refusal lists every problem at once.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext_lazy as _

from govbuy.core.forms import BaseForm
from govbuy.core.uploads import accept_attribute, allowed_label
from govbuy.orgs.models import Region, SmeSize
from govbuy.procurement.forms import (
    CHECK,
    SELECT,
    TEXT,
    area_field,
    check_field,
    date_field,
    money_field,
    text_field,
)
from govbuy.procurement.models import Method
from govbuy.tendering.models import CallOffMode, EvaluationMethod, NoticeKind, TenderStatus
from govbuy.tendering.schedule import ADMITTING_METHODS
from govbuy.tendering.services.bids import ATTACHMENT_KINDS, MAX_ATTACHMENTS

# Blank criteria rows offered on the notice form besides those already filled in.
CRITERIA_ROWS = 4
ATTACHMENT_ACCEPT = accept_attribute(ATTACHMENT_KINDS)


def moment_field(label, *, help_text=""):
    # Kept as text: the service parses it (local time) and names the field when it cannot.
    return forms.CharField(
        label=label,
        required=False,
        help_text=help_text,
        widget=forms.DateTimeInput(
            attrs={**TEXT, "type": "datetime-local", "step": 60}, format="%Y-%m-%dT%H:%M"
        ),
    )


def choice_field(label, choices, *, blank=None, help_text=""):
    return forms.ChoiceField(
        label=label,
        required=False,
        help_text=help_text,
        choices=[("", blank), *choices] if blank is not None else list(choices),
        widget=forms.Select(attrs=SELECT),
    )


# --- purchase intention and the purchase notice ----------------------------------------------


class IntentionForm(BaseForm):
    expected_on = date_field(
        _("Expected start of the purchase"),
        help_text=_("The purchase notice may follow the intention no sooner than this."),
    )
    note = area_field(_("Note (published with the intention)"), rows=3, maxlength=2000)


class RoundForm(BaseForm):
    """The purchase notice (or single-source publicity) that opens a round.
    Criteria come as rows ``criteria-N-name``, ``criteria-N-points``,
    ``criteria-N-description``; see `criteria_rows`."""

    title = text_field(
        _("Title of the notice"), maxlength=200, help_text=_("Empty: the project's name.")
    )
    bid_deadline = moment_field(
        _("Bid deadline (投标截止时间)"),
        help_text=_("Local time (Asia/Shanghai). The opening is held at the bid deadline."),
    )
    evaluation_method = choice_field(_("Evaluation method"), EvaluationMethod.choices)
    price_weight = text_field(
        _("Price weight (价格分值, points of 100)"),
        maxlength=6,
        attrs={"inputmode": "decimal", "autocomplete": "off"},
    )
    # Only for the service's messages about the rows; the rows are rendered by hand.
    criteria = forms.CharField(required=False, widget=forms.HiddenInput)
    sme_deduction = text_field(
        _("SME price deduction (小微企业价格扣除, %)"),
        maxlength=6,
        attrs={"inputmode": "decimal", "autocomplete": "off"},
    )
    reserved_for_sme = check_field(
        _("Reserved for SMEs (专门面向中小企业)"),
        help_text=_("Only small and medium enterprises may bid; no price deduction applies."),
    )
    over_budget_invalid = check_field(
        _("Bids above the budget are invalid"),
        help_text=_(
            "The notice says a bid priced above the purchase's budget is invalid (财政部令第87号 "
            "第六十三条（四）); untick only where the documents allow such bids, which are then "
            "marked for the panel."
        ),
    )
    qualification = area_field(_("Qualification requirements (资格要求)"), rows=3)
    documents = area_field(_("Purchase documents (采购文件要点)"), rows=5, maxlength=50000)
    invited = forms.MultipleChoiceField(
        label=_("Providers invited"),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    late_reason = area_field(
        _("Reason to publish now (before the intention period is over)"),
        rows=2,
        help_text=_("Reported to the finance bureau and shown on the notice."),
    )
    call_off_mode = choice_field(
        _("How call-offs choose the provider"), CallOffMode.choices, blank=_("— choose —")
    )
    max_members = forms.CharField(
        label=_("Providers admitted at most"),
        required=False,
        widget=forms.NumberInput(attrs={**TEXT, "min": 2, "max": 99}),
    )
    term_start = date_field(_("Agreement term from"))
    term_end = date_field(_("Agreement term to"))

    FRAMEWORK_FIELDS = ("call_off_mode", "max_members", "term_start", "term_end")

    def __init__(self, *args, providers=(), method="", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["invited"].choices = [(str(p.pk), p.name) for p in providers]
        self.method = method
        if method not in ADMITTING_METHODS:
            for name in self.FRAMEWORK_FIELDS:
                del self.fields[name]
        elif method == Method.VOUCHER:
            del self.fields["call_off_mode"]  # recipients choose (P5)

    def criteria_rows(self) -> list[dict]:
        """The criteria as entered (bound) or from ``initial``, plus blank rows."""
        if self.is_bound:
            rows, i = [], 0
            while f"criteria-{i}-name" in self.data or f"criteria-{i}-points" in self.data:
                rows.append(
                    {
                        "name": self.data.get(f"criteria-{i}-name", "").strip(),
                        "points": self.data.get(f"criteria-{i}-points", "").strip(),
                        "description": self.data.get(f"criteria-{i}-description", "").strip(),
                    }
                )
                i += 1
            filled = [r for r in rows if r["name"] or r["points"] or r["description"]]
        else:
            filled = list(self.initial.get("criteria_rows", []))
        blank = {"name": "", "points": "", "description": ""}
        return [
            {**r, "index": i}
            for i, r in enumerate(filled + [blank] * max(CRITERIA_ROWS - len(filled), 1))
        ]

    def service_values(self) -> dict:
        """What start_round receives (it parses the numbers and the deadline)."""
        data = self.cleaned_data
        values = {
            name: data.get(name) or ""
            for name in (
                "title",
                "bid_deadline",
                "evaluation_method",
                "price_weight",
                "qualification",
                "documents",
                "late_reason",
            )
        }
        values["evaluation_method"] = values["evaluation_method"] or EvaluationMethod.COMPREHENSIVE
        values["price_weight"] = values["price_weight"] or "0"
        values["sme_deduction"] = percent_to_ratio(data.get("sme_deduction"))
        values["reserved_for_sme"] = bool(data.get("reserved_for_sme"))
        values["over_budget_invalid"] = bool(data.get("over_budget_invalid"))
        values["criteria"] = [
            {"name": r["name"], "points": r["points"], "description": r["description"]}
            for r in self.criteria_rows()
            if r["name"] or r["points"] or r["description"]
        ]
        values["invited"] = list(data.get("invited") or [])
        if self.method in ADMITTING_METHODS:
            values["framework"] = {
                name: data.get(name) or "" for name in self.FRAMEWORK_FIELDS if name in self.fields
            }
        return values


def percent_to_ratio(raw) -> str:
    """'10' (per cent, as the form asks) → '0.1'; anything else goes to the
    service as it is, which names the field."""
    text = str(raw or "").strip().rstrip("%").strip()
    if not text:
        return "0"
    try:
        value = Decimal(text)
    except InvalidOperation:
        return text
    if not value.is_finite():
        return text
    return str(value / 100)


class CorrectionForm(BaseForm):
    text = area_field(_("What is corrected (更正事项)"), rows=5)
    affects_bids = check_field(
        _("The change may affect the bids"),
        help_text=_(
            "E.g. the requirements, the qualification or the scoring change. Close to the "
            "deadline this postpones it."
        ),
    )
    new_bid_deadline = moment_field(
        _("New bid deadline (optional)"),
        help_text=_("Empty: the deadline stays, or moves to the first day the law allows."),
    )


class TerminateForm(BaseForm):
    reason = area_field(_("Why the round is terminated"), rows=3)
    cancel_project = check_field(
        _("Also cancel the project"),
        help_text=_("Its budget goes back to the line. Otherwise the project stays approved."),
    )


class ReplyForm(BaseForm):
    reply = area_field(_("Reply to the objection"), rows=2)


class OpeningResponseForm(BaseForm):
    objection = area_field(
        _("Objection (异议)"),
        rows=2,
        help_text=_("Only when you object: what in the opening record is wrong."),
    )


class PanelForm(BaseForm):
    members = forms.MultipleChoiceField(
        label=_("Members"),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    chair = forms.ChoiceField(
        label=_("Chair (组长)"), required=False, widget=forms.Select(attrs=SELECT)
    )

    def __init__(self, *args, experts=(), representatives=(), **kwargs):
        super().__init__(*args, **kwargs)
        people = [*experts, *representatives]
        self.fields["members"].choices = [(str(u.pk), str(u)) for u in people]
        self.fields["chair"].choices = [("", _("— the first member —"))] + [
            (str(u.pk), str(u)) for u in experts
        ]


class ReviewBidForm(BaseForm):
    reason = area_field(_("Why the bid is invalid"), rows=2)


class QuoteRoundForm(BaseForm):
    deadline = moment_field(_("Deadline of the new round of quotes"))


class QuoteForm(BaseForm):
    price = money_field(_("Quoted price (元)"), help_text=_("In 元, e.g. 480000.00."))
    note = area_field(_("Note"), rows=2, maxlength=5000)


class AwardForm(BaseForm):
    bid = forms.CharField(label=_("Winner"), required=False, widget=forms.RadioSelect(attrs=CHECK))
    reason = area_field(
        _("Why the candidates ranked before are passed over"),
        rows=2,
        help_text=_("Required when you do not confirm the first-ranked bid."),
    )
    late_reason = area_field(_("Reason for confirming late"), rows=2)


class ResultForm(BaseForm):
    note = area_field(_("Note published with the result"), rows=3, maxlength=5000)
    late_reason = area_field(_("Reason for publishing late"), rows=2)


class CommissionForm(BaseForm):
    price = money_field(_("Price of the commission (元)"), help_text=_("At most the budget."))
    reason = area_field(_("Why the unit is commissioned directly (定向委托)"), rows=3)


class CallOffForm(BaseForm):
    member = forms.CharField(label=_("Provider"), required=False, widget=forms.Select(attrs=SELECT))
    amount = money_field(_("Amount (元)"))
    description = area_field(_("What is ordered"), rows=2, maxlength=5000)
    recipient_name = text_field(
        _("Recipient who chose (服务对象)"),
        maxlength=100,
        help_text=_("For orders chosen by the recipient."),
    )

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].widget.choices = [("", _("— choose —"))] + [
            (str(m.pk), f"{m.rank}. {m.provider.name} · {m.price:,.2f} 元") for m in members
        ]


# --- bids --------------------------------------------------------------------------------------


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; the service checks each (type by its bytes, size)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget",
            MultipleFileInput(
                attrs={"class": "form-control", "accept": ATTACHMENT_ACCEPT, "multiple": True}
            ),
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [f for f in data if f]
        return [data] if data else []


class BidForm(BaseForm):
    price = money_field(_("Bid price (投标报价, 元)"), help_text=_("In 元, e.g. 486000.00."))
    technical_response = area_field(_("Technical response (技术响应)"), rows=8, maxlength=50000)
    sme_size = choice_field(
        _("Declared enterprise size (中小企业声明)"),
        SmeSize.choices,
        blank=_("— not an SME declaration —"),
        help_text=_(
            "Enterprises and 个体工商户 declare their size; small and micro enterprises get "
            "the price deduction of the notice."
        ),
    )
    attachments = MultipleFileField(label=_("Attachments"), required=False)

    def __init__(self, *args, max_mb=20, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attachments"].help_text = _(
            "Up to %(n)s files, each at most %(mb)s MB: %(types)s. The type is checked from "
            "the content."
        ) % {"n": MAX_ATTACHMENTS, "mb": max_mb, "types": allowed_label(ATTACHMENT_KINDS)}


# --- filters -----------------------------------------------------------------------------------


class RegionFilterMixin:
    def clean_region(self):
        code = (self.cleaned_data.get("region") or "").strip()
        if not code:
            return None
        region = Region.objects.filter(code=code).first()
        if region is None:
            raise forms.ValidationError(
                _("Unknown region code %(code)s (use GB/T 2260, e.g. 410100).") % {"code": code}
            )
        return region


def _search(placeholder):
    return forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={**TEXT, "type": "search", "placeholder": placeholder}),
    )


def _region():
    return forms.CharField(
        label=_("Region code"),
        required=False,
        max_length=12,
        widget=forms.TextInput(
            attrs={**TEXT, "inputmode": "numeric", "placeholder": "410100", "autocomplete": "off"}
        ),
    )


BIDDING_METHOD_CHOICES = [(m, label) for m, label in Method.choices if m not in (Method.VOUCHER,)]


class OpportunityFilterForm(RegionFilterMixin, forms.Form):
    q = _search(_("title, number or service"))
    region = _region()
    method = forms.ChoiceField(
        label=_("Method"),
        required=False,
        choices=[("", _("All"))] + BIDDING_METHOD_CHOICES,
        widget=forms.Select(attrs=SELECT),
    )


class NoticeFilterForm(RegionFilterMixin, forms.Form):
    q = _search(_("title, number or department"))
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[("", _("All"))] + list(NoticeKind.choices),
        widget=forms.Select(attrs=SELECT),
    )
    region = _region()
    method = forms.ChoiceField(
        label=_("Method"),
        required=False,
        choices=[("", _("All"))] + BIDDING_METHOD_CHOICES,
        widget=forms.Select(attrs=SELECT),
    )


ROUND_FLAGS = [
    ("late", _("Published out of time or done late")),
    ("emergency", _("Emergency (P9)")),
    ("suspended", _("Suspended")),
]


class RoundFilterForm(forms.Form):
    q = _search(_("title or project number"))
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All"))] + list(TenderStatus.choices),
        widget=forms.Select(attrs=SELECT),
    )
    flag = forms.ChoiceField(
        label=_("Flag"),
        required=False,
        choices=[("", _("All"))] + ROUND_FLAGS,
        widget=forms.Select(attrs=SELECT),
    )
