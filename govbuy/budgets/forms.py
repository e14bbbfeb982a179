"""Forms of the budget pages. They only carry input: the services parse the
amounts and codes and check the rules, and their errors are put back beside
these fields (see ``views._refuse``)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from govbuy.catalog import rules as catalog_rules
from govbuy.catalog.forms import UploadForm
from govbuy.core.forms import BaseForm

from .excel import MAX_IMPORT_BYTES
from .models import BudgetLineStatus, FundNature

TEXT = {"class": "form-control"}
SELECT = {"class": "form-select"}
CHECK = {"class": "form-check-input"}
MONEY = {**TEXT, "inputmode": "decimal", "autocomplete": "off", "placeholder": "0.00"}
MIN_OUT_YEAR_ROWS = 2
INDENT = "\u3000"  # an ideographic space per level of the catalog tree


def item_choices(items) -> list:
    """The items a line may name (level 3 and deeper, C5), grouped under the level-2
    category they belong to; the categories themselves cannot be chosen."""
    groups: list = []
    first = catalog_rules.CATEGORY_LEVELS + 1
    top = ""
    for i in items:  # in catalog order (sort_key): each category before its items
        if i.depth < first:
            if i.depth == 1:
                top = f"{i.code} {i.name}"
            else:
                groups.append((f"{top} › {i.code} {i.name}", []))
            continue
        if groups:
            groups[-1][1].append((i.pk, f"{INDENT * (i.depth - first)}{i.code} {i.name}"))
    return [(label, options) for label, options in groups if options]


def filing_years() -> list[int]:
    """The fiscal years lines are filed for (last year, this year, next year)."""
    today = timezone.localdate().year
    return [today - 1, today, today + 1]


def _plain(text: str) -> str:
    """Browser textareas send CRLF; keep one newline convention (Excel keeps LF)."""
    return (text or "").replace("\r\n", "\n").replace("\r", "\n")


def _char(label, *, help_text="", attrs=None, max_length=None):
    widget_attrs = {**TEXT, **(attrs or {})}
    if max_length:
        widget_attrs["maxlength"] = max_length
    return forms.CharField(
        label=label,
        required=False,
        help_text=help_text,
        widget=forms.TextInput(attrs=widget_attrs),
    )


def _area(label, *, rows=3, help_text=""):
    return forms.CharField(
        label=label,
        required=False,
        strip=True,
        help_text=help_text,
        widget=forms.Textarea(attrs={**TEXT, "rows": rows, "maxlength": 20000}),
    )


class LineForm(BaseForm):
    """A budget line. Fields are not required here: the service answers for every
    missing or malformed value at once, in the same words as the API."""

    # Shown with an asterisk although the form leaves the check to the service.
    marked_required = (
        "fiscal_year",
        "name",
        "catalog_item",
        "amount",
        "functional_class",
        "economic_class",
        "justification",
    )

    fiscal_year = forms.TypedChoiceField(
        label=_("Fiscal year"),
        coerce=int,
        widget=forms.Select(attrs=SELECT),
    )
    name = _char(_("Project name (项目名称)"), max_length=200)
    catalog_item = forms.TypedChoiceField(
        label=_("Department catalog item (部门目录事项)"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_("An item of your department's approved catalog for the fiscal year."),
        widget=forms.Select(attrs=SELECT),
    )
    amount = _char(
        _("Amount this year (本年预算, 元)"),
        help_text=_("In 元 with at most 2 decimals, e.g. 500000.00."),
        attrs=MONEY,
    )
    functional_class = _char(
        _("Functional classification (功能分类)"),
        help_text=_("类款项 code of the 政府收支分类科目, e.g. 2081002."),
        attrs={"inputmode": "numeric", "maxlength": 7},
    )
    economic_class = _char(
        _("Economic classification (经济分类)"),
        help_text=_("部门预算支出经济分类 code, e.g. 30227 委托业务费."),
        attrs={"inputmode": "numeric", "maxlength": 5},
    )
    fund_nature = forms.ChoiceField(
        label=_("Nature of funds (资金性质)"),
        choices=FundNature.choices,
        initial=FundNature.GENERAL_PUBLIC_BUDGET,
        widget=forms.Select(attrs=SELECT),
    )
    is_new = forms.BooleanField(
        label=_("New project (新增项目)"),
        required=False,
        initial=True,
        help_text=_("A continuing project (延续项目) needs no ex-ante assessment (B7)."),
        widget=forms.CheckboxInput(attrs=CHECK),
    )
    justification = _area(
        _("Basis and estimate (立项依据及测算)"),
        rows=4,
        help_text=_(
            "Why the money is needed and how the amount was estimated. Being in the catalog "
            "is not a reason (B2)."
        ),
    )
    centralized_catalog = forms.BooleanField(
        label=_("In the centralized procurement catalog (集中采购目录)"),
        required=False,
        help_text=_("Then a government-procurement budget is filed whatever the amount (B3)."),
        widget=forms.CheckboxInput(attrs=CHECK),
    )
    procurement_budget = _char(
        _("Government-procurement budget (政府采购预算, 元)"),
        help_text=_(
            "Required at submission when the item is in the centralized catalog or the line "
            "reaches the decentralized-procurement threshold (B3)."
        ),
        attrs=MONEY,
    )
    ex_ante_assessment = _area(
        _("Ex-ante performance assessment (事前绩效评估)"),
        help_text=_(
            "Conclusion of the assessment, who made it and when: required for a new project "
            "at or above the major-project amount (B7)."
        ),
    )
    performance_goals = _area(_("Draft performance goals (绩效目标)"))

    def __init__(self, *args, items=(), with_year=True, **kwargs):
        super().__init__(*args, **kwargs)
        if with_year:
            self.fields["fiscal_year"].choices = [(y, str(y)) for y in filing_years()]
        else:
            del self.fields["fiscal_year"]
        self.fields["catalog_item"].choices = [("", _("— choose an item —"))] + item_choices(items)

    def service_data(self) -> dict:
        """The cleaned input as the service's keyword arguments."""
        data = {k: v for k, v in self.cleaned_data.items() if k != "fiscal_year"}
        data["catalog_item"] = data.get("catalog_item") or ""
        for name in ("justification", "ex_ante_assessment", "performance_goals"):
            data[name] = _plain(data.get(name, ""))
        return data


class OutYearForm(forms.Form):
    year = forms.CharField(
        label=_("Year"),
        required=False,
        widget=forms.NumberInput(attrs={**TEXT, "min": 2000, "max": 2100}),
    )
    amount = forms.CharField(label=_("Amount (元)"), required=False, widget=forms.TextInput(MONEY))

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not (data.get("year") or "").strip() and not (data.get("amount") or "").strip()


class BaseOutYearFormSet(forms.BaseFormSet):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Refusals about the split as a whole (B5 names no single row).
        self.violations: list = []
        self.problems: list[str] = []

    def entries(self) -> list[tuple[int, dict]]:
        """(form index, {"year", "amount"}) of the rows filled in."""
        return [
            (
                i,
                {
                    "year": f.cleaned_data.get("year", ""),
                    "amount": f.cleaned_data.get("amount", ""),
                },
            )
            for i, f in enumerate(self.forms)
            if not f.is_blank()
        ]


def out_year_formset(rows: int = MIN_OUT_YEAR_ROWS):
    """The out-years (中期财政规划, B5) as a small formset of year + amount rows."""
    rows = max(rows, MIN_OUT_YEAR_ROWS)
    return forms.formset_factory(
        OutYearForm,
        formset=BaseOutYearFormSet,
        extra=rows,
        max_num=rows,
        absolute_max=rows,
        validate_max=True,
    )


class DecisionForm(BaseForm):
    note = forms.CharField(
        label=_("Note"),
        required=False,
        help_text=_("Required when returning: say what must be revised."),
        widget=forms.Textarea(attrs={**TEXT, "rows": 2, "maxlength": 5000}),
    )


class AdjustmentForm(BaseForm):
    marked_required = ("amount_after", "reason")

    amount_after = _char(
        _("New amount this year (元)"),
        help_text=_("What the line's amount this year becomes; the out-years stay as they are."),
        attrs=MONEY,
    )
    reason = _area(_("Reason (调剂理由)"), rows=4)

    def service_data(self) -> dict:
        return {
            "amount_after": self.cleaned_data["amount_after"],
            "reason": _plain(self.cleaned_data["reason"]),
        }


class ImportForm(UploadForm):
    fiscal_year = forms.TypedChoiceField(
        label=_("Fiscal year"), coerce=int, widget=forms.Select(attrs=SELECT)
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, max_bytes=MAX_IMPORT_BYTES, **kwargs)
        self.fields["fiscal_year"].choices = [(y, str(y)) for y in filing_years()]
        self.fields["file"].help_text = _(
            "At most 5 MB. Download the table first to get the expected columns; every row "
            "becomes a draft line, and nothing is saved unless every row is right."
        )
        self.order_fields(["fiscal_year", "file"])


class LineFilterForm(forms.Form):
    year = forms.TypedChoiceField(
        label=_("Fiscal year"),
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.Select(attrs=SELECT),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All")), *BudgetLineStatus.choices],
        widget=forms.Select(attrs=SELECT),
    )
    department = forms.TypedChoiceField(
        label=_("Department"),
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.Select(attrs=SELECT),
    )
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={**TEXT, "type": "search", "placeholder": _("Project name or line number")}
        ),
    )

    def __init__(self, *args, years=(), departments=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", _("All"))] + [(y, str(y)) for y in years]
        if departments is None:
            del self.fields["department"]
        else:
            self.fields["department"].choices = [("", _("All"))] + [
                (d.pk, d.name) for d in departments
            ]

    def filters(self) -> dict:
        """The valid filters (a bad one is ignored, the others still apply)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}
