"""Forms of the procurement pages. They carry input only: the services check it
and the rules, and their messages are put back beside these fields. Fields are
optional here so that one refusal lists every problem at once."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from govbuy.budgets import services as budgets
from govbuy.core.forms import BaseForm
from govbuy.core.money import yuan
from govbuy.orgs.models import Region
from govbuy.procurement.models import ProjectStatus, SplitFlagStatus

TEXT = {"class": "form-control"}
SELECT = {"class": "form-select"}
CHECK = {"class": "form-check-input"}


def text_field(label, *, maxlength=None, help_text="", required=False, attrs=None):
    widget_attrs = {**TEXT, **({"maxlength": maxlength} if maxlength else {}), **(attrs or {})}
    return forms.CharField(
        label=label,
        required=required,
        help_text=help_text,
        strip=True,
        widget=forms.TextInput(attrs=widget_attrs),
    )


def area_field(label, *, rows=3, help_text="", maxlength=20000):
    return forms.CharField(
        label=label,
        required=False,
        help_text=help_text,
        strip=True,
        widget=forms.Textarea(attrs={**TEXT, "rows": rows, "maxlength": maxlength}),
    )


def date_field(label, *, help_text=""):
    # Kept as text: the service parses it and names the field when it cannot.
    return forms.CharField(
        label=label,
        required=False,
        help_text=help_text,
        widget=forms.DateInput(attrs={**TEXT, "type": "date"}, format="%Y-%m-%d"),
    )


def check_field(label, *, help_text=""):
    return forms.BooleanField(
        label=label,
        required=False,
        help_text=help_text,
        widget=forms.CheckboxInput(attrs=CHECK),
    )


def money_field(label, *, help_text=""):
    return text_field(
        label,
        maxlength=20,
        help_text=help_text,
        attrs={"inputmode": "decimal", "autocomplete": "off"},
    )


class ProjectForm(BaseForm):
    """A purchase project and its requirements (采购需求, P7). ``lines`` (create
    only) are the department's approved lines; ``units`` its own 公益二类 units."""

    budget_line = forms.IntegerField(
        label=_("Budget line (预算表)"),
        required=False,
        help_text=_("An approved line of your department; the purchase commits its money (B1)."),
        widget=forms.Select(attrs=SELECT),
    )
    name = text_field(_("Project name"), maxlength=200)
    amount = money_field(
        _("Budget of the purchase (采购预算, 元)"),
        help_text=_("In 元, e.g. 300000.00; at most what the line has left."),
    )
    intended_provider = forms.IntegerField(
        label=_("Own 公益二类 unit to commission (optional, P6)"),
        required=False,
        help_text=_("Only a 公益二类 public institution your department is competent for."),
        widget=forms.Select(attrs=SELECT),
    )
    voucher = check_field(
        _("Voucher programme (凭单制)"),
        help_text=_("Recipients choose among several admitted providers and pay with vouchers."),
    )
    emergency = check_field(
        _("Emergency (应急绿色通道, P9)"),
        help_text=_("A disaster or sudden event that the normal procedure cannot wait for."),
    )
    emergency_reason = area_field(_("Emergency: what happened"), rows=2)
    content = area_field(_("Service content (服务内容)"), rows=3)
    standards = area_field(_("Service standards (服务标准)"), rows=3)
    quantity = text_field(_("Quantity (服务数量)"), maxlength=500)
    recipients = text_field(_("Recipients (服务对象)"), maxlength=500)
    place = text_field(_("Place (服务地点)"), maxlength=300)
    term_start = date_field(_("Term from"))
    term_end = date_field(_("Term to"))
    technical_guarantees = area_field(_("Technical guarantees (技术保障)"), rows=2)
    goals = area_field(_("Performance goals (绩效目标)"), rows=2)
    indicators = area_field(
        _("Indicators (绩效指标)"),
        rows=3,
        help_text=_("One per line: indicator：target, e.g. 服务满意度：≥90%"),
    )

    REQUIREMENT_FIELDS = (
        "content",
        "standards",
        "quantity",
        "recipients",
        "place",
        "term_start",
        "term_end",
        "technical_guarantees",
        "goals",
        "indicators",
    )
    PROJECT_FIELDS = (
        "name",
        "amount",
        "intended_provider",
        "voucher",
        "emergency",
        "emergency_reason",
    )

    def __init__(self, *args, lines=None, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        if lines is None:
            del self.fields["budget_line"]
        else:
            self.fields["budget_line"].widget.choices = [
                ("", _("— choose an approved line —")),
                *[
                    (
                        line.pk,
                        _("%(code)s %(name)s · %(year)s · %(available)s available")
                        % {
                            "code": line.code,
                            "name": line.name,
                            "year": line.fiscal_year,
                            "available": yuan(line.available),
                        },
                    )
                    for line in lines
                ],
            ]
        self.fields["intended_provider"].widget.choices = [
            ("", _("— none: choose the provider competitively —")),
            *[(u.pk, u.name) for u in units],
        ]

    def service_values(self) -> dict:
        """What create_project / update_project receive (the service parses
        amounts and dates)."""
        data = self.cleaned_data
        values = {name: data.get(name) for name in (*self.PROJECT_FIELDS, *self.REQUIREMENT_FIELDS)}
        values["voucher"] = bool(values["voucher"])
        values["emergency"] = bool(values["emergency"])
        for name in ("term_start", "term_end"):
            values[name] = values[name] or None
        return values


def project_initial(project) -> dict:
    req = project.requirement
    initial = {
        "name": project.name,
        "amount": project.amount,
        "intended_provider": project.intended_provider_id,
        "voucher": project.voucher,
        "emergency": project.emergency,
        "emergency_reason": project.emergency_reason,
    }
    for name in ProjectForm.REQUIREMENT_FIELDS:
        value = getattr(req, name)
        initial[name] = value.isoformat() if hasattr(value, "isoformat") else value
    return initial


class ProjectFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={**TEXT, "type": "search", "placeholder": _("number or name")}
        ),
    )
    year = forms.IntegerField(
        label=_("Fiscal year"),
        required=False,
        min_value=2000,
        max_value=2100,
        widget=forms.NumberInput(attrs={**TEXT, "min": 2000, "max": 2100}),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All")), *ProjectStatus.choices],
        widget=forms.Select(attrs=SELECT),
    )
    department = forms.IntegerField(
        label=_("Department"), required=False, widget=forms.Select(attrs=SELECT)
    )

    def __init__(self, *args, departments=None, **kwargs):
        super().__init__(*args, **kwargs)
        if departments is None:
            del self.fields["department"]
        else:
            self.fields["department"].widget.choices = [
                ("", _("All")),
                *[(d.pk, d.name) for d in departments],
            ]


class SplitFlagFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All")), *SplitFlagStatus.choices],
        widget=forms.Select(attrs=SELECT),
    )


class ReviewForm(BaseForm):
    complete = check_field(
        _("Complete (完整性)"), help_text=_("Every part of the requirements is stated.")
    )
    compliant = check_field(
        _("Compliant (合规性)"), help_text=_("Nothing barred, no discriminatory conditions.")
    )
    reasonable = check_field(
        _("Reasonable (合理性)"), help_text=_("Quantity, standards and budget fit the need.")
    )
    note = area_field(
        _("Note"), rows=2, help_text=_("Required when returning: say what must be revised.")
    )


class MethodForm(BaseForm):
    # A plain CharField: a method the oracle does not allow reaches the service,
    # which refuses it under P2/P3/P6 beside this field.
    method = forms.CharField(
        label=_("Procurement method"),
        error_messages={"required": _("Choose a method.")},
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    reason = area_field(
        _("Why this method"),
        rows=2,
        help_text=_("Required for a method that needs the finance bureau's approval."),
    )

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["method"].widget.choices = list(choices)


class NoteForm(BaseForm):
    note = area_field(_("Note"), rows=2)


class CapacityForm(BaseForm):
    """C8: one side's sign-off on a 公益一类 unit's capacity."""

    side = forms.ChoiceField(
        choices=[("finance", "finance"), ("department", "department")], widget=forms.HiddenInput
    )
    note = area_field(
        _("Note: what was checked"),
        rows=3,
        maxlength=5000,
        help_text=_("The unit's capacity, the demand, and why the unit can or cannot meet it."),
    )


class CancelForm(BaseForm):
    reason = area_field(_("Reason for cancelling"), rows=3)


class MethodsForm(BaseForm):
    """The public method oracle's facts; checked here like the API checks them."""

    region = text_field(
        _("Region code (optional)"),
        maxlength=12,
        help_text=_("GB/T 2260, e.g. 410100 for 郑州市; empty: the national values."),
        attrs={"inputmode": "numeric", "list": "region-codes", "autocomplete": "off"},
    )
    on = forms.DateField(
        label=_("Date the purchase starts"),
        required=False,
        help_text=_("The parameters in force that day decide; empty: today."),
        widget=forms.DateInput(attrs={**TEXT, "type": "date"}, format="%Y-%m-%d"),
    )
    amount = money_field(_("Budget of the purchase (采购预算, 元)"), help_text=_("e.g. 1500000.00"))
    centralized_catalog = check_field(_("In the centralized procurement catalog (集中采购目录)"))
    own_public_welfare_2 = check_field(_("Commissioning the department's own 公益二类 unit (P6)"))
    voucher = check_field(_("Voucher programme (凭单制)"))
    emergency = check_field(_("Emergency (应急绿色通道, P9)"))

    def clean_amount(self):
        errors: list[dict] = []
        value = budgets.parse_amount(self.cleaned_data.get("amount"), "amount", errors)
        if errors:
            raise forms.ValidationError(errors[0]["message"])
        return value

    def clean_region(self):
        code = (self.cleaned_data.get("region") or "").strip()
        if not code:
            return None
        region = Region.objects.filter(code=code).select_related("parent__parent").first()
        if region is None:
            raise forms.ValidationError(
                _("Unknown region code %(code)s (use GB/T 2260, e.g. 410100).") % {"code": code}
            )
        return region

    def clean_on(self):
        return self.cleaned_data.get("on") or timezone.localdate()
