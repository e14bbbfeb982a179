from django import forms
from django.utils.translation import gettext_lazy as _


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
