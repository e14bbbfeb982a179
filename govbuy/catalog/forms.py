"""Forms of the catalog pages. They only carry input: the services check it
(and the rules), and their errors are put back beside these fields."""

from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from govbuy.core.forms import BaseForm

from .models import AdjustmentAction, AdjustmentStatus, NegativeClause, ServiceKind

MAX_IMPORT_BYTES = 5 * 1024 * 1024
MAX_EXPERT_REVIEW_BYTES = 10 * 1024 * 1024

TEXT = {"class": "form-control"}
SELECT = {"class": "form-select"}


def _kind_field(*, required: bool = False, blank_label=None) -> forms.ChoiceField:
    choices = list(ServiceKind.choices)
    if not required:
        choices = [("", blank_label or _("Same as the parent item")), *choices]
    return forms.ChoiceField(
        label=_("Kind"), required=required, choices=choices, widget=forms.Select(attrs=SELECT)
    )


def _text(label, *, required=False, help_text="", datalist="", attrs=None):
    widget_attrs = {**TEXT, **(attrs or {})}
    if datalist:
        widget_attrs["list"] = datalist
        widget_attrs["autocomplete"] = "off"
    return forms.CharField(
        label=label,
        required=required,
        help_text=help_text,
        strip=True,
        widget=forms.TextInput(attrs=widget_attrs),
    )


def _area(label, *, required=False, rows=3, help_text="", attrs=None):
    return forms.CharField(
        label=label,
        required=required,
        help_text=help_text,
        strip=True,
        widget=forms.Textarea(attrs={**TEXT, "rows": rows, **(attrs or {})}),
    )


class UploadForm(BaseForm):
    """An Excel file; anything over ``max_bytes`` is refused before it is read."""

    file = forms.FileField(
        label=_("Excel file (.xlsx)"),
        help_text=_("At most 5 MB. Export the catalog first to get the expected columns."),
        widget=forms.ClearableFileInput(
            attrs={
                "class": "form-control",
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            }
        ),
    )

    def __init__(self, *args, max_bytes: int = MAX_IMPORT_BYTES, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_bytes = max_bytes

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.max_bytes:
            raise forms.ValidationError(
                _("The file is %(size)s; at most %(max)s are accepted.")
                % {"size": filesizeformat(upload.size), "max": filesizeformat(self.max_bytes)}
            )
        return upload


class CatalogImportForm(UploadForm):
    reason = _text(_("Reason"), help_text=_("e.g. the catalog as adopted by 豫财购〔2026〕1号"))


class ScreenForm(BaseForm):
    title = _text(_("Title of the purchase"), attrs={"maxlength": 300})
    description = _area(
        _("Description"),
        rows=5,
        help_text=_("What will be bought: the service, its content and its outputs."),
        attrs={"maxlength": 20000},
    )
    catalog_item = _text(
        _("Guidance-catalog item code (optional)"),
        help_text=_("e.g. A050101; checked against the catalog in force for the region."),
        attrs={"maxlength": 40},
    )
    region = _text(
        _("Region code (optional)"),
        help_text=_("GB/T 2260, e.g. 410100: the region's own negative list applies too."),
        attrs={"maxlength": 12, "inputmode": "numeric"},
    )


class DepartmentCatalogCreateForm(BaseForm):
    year = forms.IntegerField(
        label=_("Year"), widget=forms.NumberInput(attrs={**TEXT, "min": 2000, "max": 2100})
    )


class DepartmentItemForm(BaseForm):
    parent_code = _text(
        _("Parent item code"),
        required=True,
        datalist="department-item-codes",
        help_text=_("The item it belongs under, e.g. A05 for a level-3 item."),
    )
    code = _text(_("Code"), required=True, help_text=_("e.g. A050101"))
    name = _text(_("Name"), required=True)
    kind = _kind_field()
    description = _area(_("Description"), rows=2)


class DecisionForm(BaseForm):
    note = _area(
        _("Note"),
        rows=2,
        help_text=_("Required when returning: say what must be revised."),
    )


class AdjustmentForm(BaseForm):
    action = forms.ChoiceField(
        label=_("Change"),
        choices=AdjustmentAction.choices,
        widget=forms.Select(attrs=SELECT),
    )
    parent_code = _text(
        _("Parent item code (to add)"),
        datalist="catalog-item-codes",
        help_text=_("Where the new item belongs."),
    )
    item_code = _text(
        _("Item code (to change or remove)"),
        datalist="catalog-item-codes",
    )
    code = _text(_("New item's code (optional)"), help_text=_("Left empty, one is assigned."))
    name = _text(_("Name"), help_text=_("For a change, leave empty to keep the current one."))
    kind = _kind_field(blank_label=_("Unchanged / same as the parent item"))
    description = _area(_("Description"), rows=2)
    procurement_code = _text(_("Procurement item code (政府采购品目)"), help_text=_("e.g. C1204"))
    keywords = _text(_("Keywords"), help_text=_("Separated by spaces or commas."))
    reason = _area(_("Reason"), required=True, rows=3)
    expert_review = forms.FileField(
        label=_("Expert review (optional)"),
        required=False,
        help_text=_("At most 10 MB."),
        widget=forms.ClearableFileInput(attrs={"class": "form-control"}),
    )

    def clean_expert_review(self):
        upload = self.cleaned_data.get("expert_review")
        if upload and upload.size > MAX_EXPERT_REVIEW_BYTES:
            raise forms.ValidationError(
                _("The file is %(size)s; at most %(max)s are accepted.")
                % {
                    "size": filesizeformat(upload.size),
                    "max": filesizeformat(MAX_EXPERT_REVIEW_BYTES),
                }
            )
        return upload

    def item_fields(self) -> dict:
        data = self.cleaned_data
        return {
            k: data.get(k, "")
            for k in ("code", "name", "kind", "description", "procurement_code", "keywords")
        }


class AdjustmentFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All")), *AdjustmentStatus.choices],
        widget=forms.Select(attrs=SELECT),
    )


class CatalogCopyForm(BaseForm):
    source = forms.TypedChoiceField(
        label=_("Copy of"), coerce=int, widget=forms.Select(attrs=SELECT)
    )
    year = forms.IntegerField(
        label=_("Year"), widget=forms.NumberInput(attrs={**TEXT, "min": 2000, "max": 2100})
    )
    name = _text(_("Name (optional)"), help_text=_("Left empty, the source's name is kept."))

    def __init__(self, *args, catalogs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = [
            (c.pk, f"{c.year} · {c.level_name} · {c.name}") for c in catalogs
        ]


class CatalogEditForm(BaseForm):
    action = forms.ChoiceField(
        label=_("Change"),
        choices=AdjustmentAction.choices,
        widget=forms.Select(attrs=SELECT),
    )
    item_code = _text(
        _("Item code (to change or remove)"),
        datalist="catalog-item-codes",
    )
    parent_code = _text(
        _("Parent item code (to add)"),
        datalist="catalog-item-codes",
        help_text=_("Empty for a new first-level category."),
    )
    code = _text(_("New item's code (optional)"), help_text=_("Left empty, one is assigned."))
    name = _text(_("Name"), help_text=_("For a change, leave empty to keep the current one."))
    kind = _kind_field(blank_label=_("Unchanged / same as the parent item"))
    description = _area(
        _("Description"), rows=2, help_text=_("For a change, leave empty to keep the current one.")
    )
    procurement_code = _text(_("Procurement item code (政府采购品目)"), help_text=_("e.g. C1204"))
    keywords = _text(_("Keywords"), help_text=_("Separated by spaces or commas."))
    reason = _area(
        _("Reason"),
        required=True,
        rows=2,
        help_text=_("Recorded in the item's history and shown to the public."),
    )

    def item_fields(self) -> dict:
        """What the service receives: for a change, only what was filled in."""
        data = self.cleaned_data
        names = ("code", "name", "kind", "description", "procurement_code", "keywords")
        if data.get("action") == AdjustmentAction.CHANGE:
            return {k: data[k] for k in names if k != "code" and data.get(k)}
        return {k: data.get(k, "") for k in names}


class NegativeItemForm(BaseForm):
    clause = forms.ChoiceField(
        label=_("Clause"),
        choices=NegativeClause.choices,
        initial=NegativeClause.LOCAL,
        widget=forms.Select(attrs=SELECT),
        help_text=_("A region's own additions are local additions with their local basis."),
    )
    title = _text(_("Title"), required=True)
    title_en = _text(_("Title (English)"))
    description = _area(_("Why it must not be bought"), required=True, rows=3)
    description_en = _area(_("Why it must not be bought (English)"), rows=2)
    basis = _text(_("Legal basis"), required=True, help_text=_("e.g. 郑财购〔2026〕3号"))
    phrases = _area(
        _("Matching phrases"),
        rows=4,
        help_text=_("One pattern per line, e.g. 招聘 + 编外人员|工作人员"),
        attrs={"class": "form-control font-monospace"},
    )
    unless = _area(
        _("Exceptions"),
        rows=2,
        help_text=_("One pattern per line; a match next to one of these is not a violation."),
        attrs={"class": "form-control font-monospace"},
    )
    is_active = forms.BooleanField(
        label=_("In force"),
        required=False,
        initial=True,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
