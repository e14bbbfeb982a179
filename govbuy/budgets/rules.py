"""B — budget first (先有预算、后购买服务). Pure functions: facts in, violations out."""

from __future__ import annotations

import re
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from govbuy.core.money import yuan
from govbuy.core.rules import Rule, Severity, Violation
from govbuy.core.text import Money, Text

B1 = Rule(
    "B1",
    Severity.HARD,
    "102号令 第十六条; Q51; 鲁财采〔2022〕14号 三(二)",
    gettext_noop("No budget line, no purchase"),
)
B2 = Rule(
    "B2",
    Severity.HARD,
    "Q52; 鲁财采〔2022〕14号 三(二)",
    gettext_noop("Being in the catalog is never by itself a reason to ask for money"),
)
B3 = Rule(
    "B3",
    Severity.HARD,
    "鲁财采〔2022〕14号 三(二); Q54",
    gettext_noop("Budget table, and a government-procurement budget where the law applies"),
)
B4 = Rule(
    "B4",
    Severity.WARN,
    "鲁财采〔2022〕14号 三(二)",
    gettext_noop("No splitting of a project to stay under a threshold"),
)
B5 = Rule(
    "B5",
    Severity.HARD,
    "Q44; 财预〔2017〕87号",
    gettext_noop("Money per year within the annual budget and the medium-term plan"),
)
B6 = Rule(
    "B6",
    Severity.HARD,
    "Q55",
    gettext_noop("In-year changes follow the budget adjustment (预算调剂) procedure"),
)
B7 = Rule(
    "B7",
    Severity.HARD,
    "102号令 第二十条; 鲁财采〔2022〕14号 三(五)",
    gettext_noop("New major projects get an ex-ante performance assessment"),
)


def commitment_violations(
    *, line_status: str | None, available: Decimal | None, amount: Decimal
) -> list[Violation]:
    """B1: a purchase needs an approved line with at least `amount` uncommitted."""
    if line_status is None:
        return [
            B1.violation(
                _("A purchase starts from an approved budget line; choose one."),
                field="budget_line",
            )
        ]
    if line_status != "approved":
        return [
            B1.violation(
                _("The budget line is not approved by the finance bureau."),
                field="budget_line",
            )
        ]
    if available is not None and amount > available:
        return [
            B1.violation(
                _("The budget line has %(available)s uncommitted; this purchase needs %(amount)s.")
                % {"available": yuan(available), "amount": yuan(amount)},
                field="amount",
            )
        ]
    return []


# What a justification says when all it says is "it is in the catalog".
_CATALOG_ONLY = re.compile(
    r"^(?:该?(?:事项|项目|服务)?(?:已|均)?(?:被)?(?:纳入|列入|属于|在)(?:本级|本部门|我省|我市|我县)?"
    r"(?:政府购买服务)?(?:指导性)?(?:部门)?目录(?:范围|之内|以内|中|内)?"
    r"(?:，|,)?(?:故|因此|所以)?(?:申请|拟)?(?:安排|申请)?(?:预算|资金|经费)?[。.！!]?)$"
)
_CATALOG_ONLY_EN = re.compile(
    r"^(?:it|this|the (?:service|item|project))?\s*(?:is|was)?\s*(?:listed\s+)?in the"
    r"(?: guidance| department)? catalog(?:ue)?\.?$",
    re.IGNORECASE,
)


def justification_violations(justification: str) -> list[Violation]:
    """B2: the line says why the money is needed; the catalog is never the reason."""
    text = re.sub(r"\s+", "", justification or "")
    if not text:
        return [
            B2.violation(
                _("Say why the money is needed and how the amount was estimated."),
                field="justification",
            )
        ]
    if _CATALOG_ONLY.match(text) or _CATALOG_ONLY_EN.match((justification or "").strip()):
        return [
            B2.violation(
                _(
                    "Being in the catalog is not a reason to ask for money: state the need, "
                    "the work and how the amount was estimated."
                ),
                field="justification",
            )
        ]
    return []


def procurement_budget_required(
    *, total: Decimal, centralized_catalog: bool, threshold: Decimal
) -> bool:
    """B3: a government-procurement budget is filed when the item is in the
    centralized procurement catalog or the amount is at/above the threshold."""
    return centralized_catalog or total >= threshold


def procurement_budget_violations(
    *,
    total: Decimal,
    centralized_catalog: bool,
    threshold: Decimal,
    threshold_cited: str,
    procurement_budget: Decimal | None,
) -> list[Violation]:
    """B3 at submission."""
    if not procurement_budget_required(
        total=total, centralized_catalog=centralized_catalog, threshold=threshold
    ):
        return []
    if procurement_budget is None or procurement_budget <= 0:
        if centralized_catalog:
            why = _("the item is in the centralized procurement catalog")
        else:
            why = _("the amount %(total)s is at or above %(threshold)s") % {
                "total": yuan(total),
                "threshold": threshold_cited,
            }
        return [
            B3.violation(
                _("File the government-procurement budget as well: %(why)s.") % {"why": why},
                field="procurement_budget",
            )
        ]
    return procurement_budget_cap_violations(total=total, procurement_budget=procurement_budget)


def procurement_budget_cap_violations(
    *, total: Decimal, procurement_budget: Decimal | None
) -> list[Violation]:
    """B3 on every save: the government-procurement budget is part of the line."""
    if procurement_budget is not None and procurement_budget > total:
        return [
            B3.violation(
                _("The government-procurement budget cannot exceed the line's %(total)s.")
                % {"total": yuan(total)},
                field="procurement_budget",
            )
        ]
    return []


def plan_violations(*, fiscal_year: int, out_years: list[int], plan_years: int) -> list[Violation]:
    """B5: the multi-year split stays within the medium-term fiscal plan."""
    last = fiscal_year + plan_years - 1
    problems = []
    for year in out_years:
        if year <= fiscal_year:
            problems.append(
                B5.violation(
                    _("Out-year %(year)s must come after the fiscal year %(fy)s.")
                    % {"year": year, "fy": fiscal_year},
                    field="out_years",
                )
            )
        elif year > last:
            problems.append(
                B5.violation(
                    _(
                        "%(year)s is beyond the %(n)s-year medium-term plan (%(fy)s–%(last)s); "
                        "money for it cannot be promised now."
                    )
                    % {"year": year, "n": plan_years, "fy": fiscal_year, "last": last},
                    field="out_years",
                )
            )
    if len(set(out_years)) != len(out_years):
        problems.append(B5.violation(_("Each out-year appears once."), field="out_years"))
    return problems


def funded_years(*, fiscal_year: int, out_years) -> list[int]:
    """The years a line puts money in: its fiscal year and its out-years."""
    return sorted({fiscal_year, *out_years})


def _years_text(years: list[int]) -> str:
    if years == list(range(years[0], years[-1] + 1)):
        return str(years[0]) if len(years) == 1 else f"{years[0]}–{years[-1]}"
    return "、".join(str(y) for y in years)


def term_violations(*, term_start, term_end, funded: list[int]) -> list[Violation]:
    """B5 for a purchase: the service runs only in years its budget line funds —
    from 1 January of the fiscal year to 31 December of its last out-year (never
    past the medium-term plan, which bounds the out-years), every year between
    funded too. Each date is refused beside its own field."""
    problems = []
    years = _years_text(funded)
    for field, day in (("term_start", term_start), ("term_end", term_end)):
        if day is not None and day.year not in funded:
            problems.append(
                B5.violation(
                    _(
                        "The service would run in %(year)s (%(date)s), but its budget line "
                        "funds only %(years)s. Keep the term within those years, or buy on a "
                        "line whose medium-term split funds that year."
                    )
                    % {"year": day.year, "date": day.isoformat(), "years": years},
                    field=field,
                )
            )
    if not problems and term_start is not None and term_end is not None:
        gaps = [y for y in range(term_start.year, term_end.year + 1) if y not in funded]
        if gaps:
            problems.append(
                B5.violation(
                    _(
                        "The service runs through %(gap)s, which its budget line does not fund "
                        "(it funds %(years)s)."
                    )
                    % {"gap": _years_text(gaps), "years": years},
                    field="term_end",
                )
            )
    return problems


def direct_edit_violations(*, status: str) -> list[Violation]:
    """B6: an approved line changes only through a budget adjustment (预算调剂)."""
    if status == "approved":
        return [
            B6.violation(
                _(
                    "The line is approved: change its amount through a budget adjustment "
                    "(预算调剂), which the finance bureau approves."
                ),
                field="amount",
            )
        ]
    return []


def adjustment_violations(
    *, amount_after: Decimal, amount_before: Decimal, out_years_total: Decimal, committed: Decimal
) -> list[Violation]:
    """B6 (and B1): an adjustment cannot leave the line below what is committed."""
    if amount_after == amount_before:
        return [B6.violation(_("The new amount equals the current one."), field="amount_after")]
    if amount_after + out_years_total < committed:
        return [
            B1.violation(
                _(
                    "%(committed)s is already committed to purchases; the line cannot go "
                    "below it. Cancel or reduce purchases first."
                )
                % {"committed": yuan(committed)},
                field="amount_after",
            )
        ]
    return []


def ex_ante_violations(
    *,
    is_new: bool,
    total: Decimal,
    major_threshold: Decimal,
    threshold_cited: str,
    has_assessment: bool,
) -> list[Violation]:
    """B7: a new project at/above the major-project amount carries an ex-ante
    performance assessment before it is budgeted."""
    if is_new and total >= major_threshold and not has_assessment:
        return [
            B7.violation(
                _(
                    "A new project of %(total)s is major (at or above %(threshold)s): attach "
                    "its ex-ante performance assessment (事前绩效评估)."
                )
                % {"total": yuan(total), "threshold": threshold_cited},
                field="ex_ante_assessment",
            )
        ]
    return []


def splitting_violations(
    *,
    amount: Decimal,
    earlier_total: Decimal,
    earlier_max: Decimal,
    thresholds: list[tuple[Decimal, str]],
    earlier_count: int,
    item_name: str,
    year: int,
) -> list[Violation]:
    """B4: this purchase and the department's earlier purchases of the same item
    in the same year each stay under a threshold that together they reach."""
    if not earlier_count:
        return []
    problems = []
    for threshold, cited in thresholds:
        if amount < threshold and earlier_max < threshold <= earlier_total + amount:
            problems.append(
                B4.violation(
                    # Stored on the project and its splitting flag: kept as a Text.
                    Text(
                        gettext_noop(
                            "With %(n)s earlier purchase(s) of “%(item)s” in %(year)s "
                            "(%(earlier)s), this one brings the total to %(total)s, at or above "
                            "%(threshold)s, while each stays below it. Buy it as one project; "
                            "the finance bureau is notified."
                        ),
                        n=earlier_count,
                        item=item_name,
                        year=year,
                        earlier=Money(earlier_total),
                        total=Money(earlier_total + amount),
                        threshold=cited,
                    ),
                    field="amount",
                )
            )
    return problems
