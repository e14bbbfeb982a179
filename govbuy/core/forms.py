from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class RefusalMixin:
    """Where a page puts a refused action's rule violations: ``violations``
    beside the named fields (core/_field.html), ``general_violations`` above
    the form, ``row_errors`` (imports) as a table (`core.pages.refuse`)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.violations: dict[str, list] = {}
        self.general_violations: list = []
        self.row_errors: list[dict] = []

    @property
    def refused(self) -> bool:
        return bool(self.errors or self.violations or self.general_violations or self.row_errors)


class BaseForm(RefusalMixin, forms.Form):
    """The form of every page whose service may refuse with rule violations."""


class HolidayCalendarForm(forms.Form):
    year = forms.IntegerField(
        label=_("Year"),
        min_value=2000,
        max_value=2100,
        widget=forms.NumberInput(attrs={"class": "form-control"}),
    )
    basis = forms.CharField(
        label=_("Notice (reference number)"),
        max_length=200,
        help_text=_("e.g. 国办发明电〔2026〕…号"),
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    published_on = forms.DateField(
        label=_("Published on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}),
    )
    days = forms.CharField(
        label=_("Days"),
        help_text=_(
            "One line per day: YYYY-MM-DD holiday|workday [name]. Holidays are days off (放假); "
            "workdays are weekend make-up working days (调休上班). Ordinary weekends need no line."
        ),
        widget=forms.Textarea(attrs={"class": "form-control font-monospace", "rows": 14}),
    )


class PolicyParameterForm(forms.Form):
    key = forms.ChoiceField(
        label=_("Parameter"), widget=forms.Select(attrs={"class": "form-select"})
    )
    value = forms.CharField(
        label=_("Value"),
        max_length=200,
        help_text=_("Amounts in 元 (1000000.00), ratios between 0 and 1 (0.30), days as MM-DD."),
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    level = forms.ChoiceField(
        label=_("Applies to"),
        required=False,
        choices=[
            ("", _("This region and everything below it")),
            ("city", _("Only cities in this region")),
            ("county", _("Only counties in this region")),
        ],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    effective_from = forms.DateField(
        label=_("Effective from"),
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}),
    )
    basis = forms.CharField(
        label=_("Basis"),
        max_length=300,
        help_text=_("The document that sets the value, e.g. 豫财购〔2020〕4号"),
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 2}),
    )

    def __init__(self, *args, definitions=(), national=False, **kwargs):
        super().__init__(*args, **kwargs)
        if national:
            self.fields["level"].choices = [
                ("", _("Everywhere (the national default)")),
                ("province", _("Only provinces")),
                ("city", _("Only cities")),
                ("county", _("Only counties")),
            ]
        english = (get_language() or "").startswith("en")
        # Named by the label in the reader's language; the key is for the API and data file.
        self.fields["key"].choices = [
            (d.key, (d.name_en if english else d.name) or d.key) for d in definitions
        ]
