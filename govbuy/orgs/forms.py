"""Forms of the organization pages. They only carry input: the services check it
(and the rules), and their messages are put back beside these fields."""

from django import forms
from django.utils.translation import gettext_lazy as _

from govbuy.core.forms import BaseForm

from . import rules
from .models import CreditKind

TEXT = {"class": "form-control"}
SELECT = {"class": "form-select"}
CHECK = {"class": "form-check-input"}
DATE = {"type": "date", "class": "form-control"}


def _yes(label, help_text=""):
    return forms.BooleanField(
        label=label, required=False, help_text=help_text, widget=forms.CheckboxInput(attrs=CHECK)
    )


def _date(label, help_text=""):
    return forms.DateField(
        label=label, required=False, help_text=help_text, widget=forms.DateInput(attrs=DATE)
    )


class ComplianceForm(BaseForm):
    """承接主体资格条件: S6 for every provider, S7 for social organizations."""

    established_on = _date(
        _("Established or registered on (成立日期)"),
        _("Shown to purchasers only: no provider is refused for being young (S7, Q96)."),
    )
    independent_civil_liability = _yes(
        _("We can bear civil liability independently (独立承担民事责任)")
    )
    good_tax_record = _yes(_("We have a good record of paying taxes (依法纳税)"))
    good_social_insurance_record = _yes(
        _("We have a good record of paying social insurance contributions (社会保险)")
    )
    last_serious_violation_on = _date(
        _("Date of our latest serious violation of law in business, if any (重大违法记录)"),
        _(
            "Leave empty if there was none. One within the period the policy parameter sets "
            "(3 years by law) bars bidding (S6)."
        ),
    )
    on_abnormal_operation_list = _yes(
        _("We are listed on the abnormal-operation list (经营异常名录)")
    )
    on_serious_violation_list = _yes(
        _("We are listed on the serious-violation list (严重违法失信名单)")
    )
    civil_affairs_registered = _yes(
        _(
            "Registered with the civil-affairs department, with a legal-person certificate (民政部门登记)"
        )
    )
    has_fixed_premises = _yes(_("We have fixed premises (固定办公场所)"))
    has_full_time_staff = _yes(_("We have full-time staff (专职工作人员)"))
    sound_governance = _yes(
        _(
            "Sound corporate governance, internal management, disclosure and oversight (法人治理结构)"
        )
    )
    sound_accounting = _yes(_("Sound accounting and asset management (财务会计制度)"))
    annual_inspection_year = forms.IntegerField(
        label=_("Year of our latest annual inspection or annual report (年检/年报)"),
        required=False,
        help_text=_("The year it covers, e.g. 2025 for the inspection held in 2026."),
        widget=forms.NumberInput(attrs={**TEXT, "min": 1949, "max": 2100}),
    )
    annual_inspection_passed = _yes(_("That annual inspection was passed (年检合格)"))
    in_qualified_directory = _yes(
        _("We are in the civil-affairs directory of organizations qualified for purchased services")
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        help_text=_("Registers checked, certificate numbers, anything the purchaser should know."),
        widget=forms.Textarea(attrs={**TEXT, "rows": 3, "maxlength": 2000}),
    )

    def __init__(self, *args, social: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not social:
            for name in rules.SOCIAL_ORG_FIELDS:
                del self.fields[name]

    @property
    def s6_fields(self):
        return [self[n] for n in rules.COMPLIANCE_FIELDS if n not in rules.SOCIAL_ORG_FIELDS]

    @property
    def s7_fields(self):
        return [self[n] for n in rules.SOCIAL_ORG_FIELDS if n in self.fields]

    def service_data(self) -> dict:
        return dict(self.cleaned_data)


class CreditRecordForm(BaseForm):
    marked_required = ("provider", "project", "kind", "description", "basis")

    provider = forms.CharField(
        label=_("Provider"),
        max_length=40,
        help_text=_(
            "Its unified social credit code (18 characters), or for a natural person its "
            "platform number."
        ),
        widget=forms.TextInput(attrs={**TEXT, "autocomplete": "off"}),
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[("", _("— choose —")), *CreditKind.choices],
        widget=forms.Select(attrs=SELECT),
    )
    description = forms.CharField(
        label=_("What happened"),
        required=False,
        widget=forms.Textarea(attrs={**TEXT, "rows": 4, "maxlength": 4000}),
    )
    project = forms.CharField(
        label=_("Project"),
        max_length=40,
        help_text=_(
            "The number (项目编号) of the purchase concerned: one in which the provider's bid "
            "was opened."
        ),
        widget=forms.TextInput(attrs={**TEXT, "autocomplete": "off"}),
    )
    project_reference = forms.CharField(
        label=_("Other reference"),
        required=False,
        max_length=200,
        help_text=_("A contract number or other reference, if any."),
        widget=forms.TextInput(attrs=TEXT),
    )
    basis = forms.CharField(
        label=_("Legal basis"),
        required=False,
        max_length=300,
        help_text=_("e.g. 政府采购法 第七十七条; 郑财采罚〔2026〕3号"),
        widget=forms.TextInput(attrs=TEXT),
    )
    exclusion_from = _date(
        _("Excluded from"), _("A serious breach only: the first day the provider may not bid.")
    )
    exclusion_until = _date(
        _("Excluded until (inclusive)"),
        _(
            "A serious breach only: the last day, 1 to 3 years after the first (政府采购法 第七十七条)."
        ),
    )

    def service_data(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k not in ("provider", "project")}


class ObjectionForm(BaseForm):
    text = forms.CharField(
        label=_("Why the record is wrong"),
        required=False,
        help_text=_(
            "Your objection goes to the finance bureau, which revokes or keeps the record."
        ),
        widget=forms.Textarea(attrs={**TEXT, "rows": 3, "maxlength": 4000}),
    )


class KeepForm(BaseForm):
    answer = forms.CharField(
        label=_("Why the record stands"),
        required=False,
        widget=forms.Textarea(attrs={**TEXT, "rows": 3, "maxlength": 4000}),
    )


class RevokeForm(BaseForm):
    reason = forms.CharField(
        label=_("Reason for revoking"),
        required=False,
        help_text=_("e.g. overturned on administrative review, decision number."),
        widget=forms.Textarea(attrs={**TEXT, "rows": 3, "maxlength": 4000}),
    )
