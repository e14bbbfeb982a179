"""B1–B7 as pure functions: each triggered and passed at its boundary."""

import datetime as dt
from decimal import Decimal

import pytest

from govbuy.budgets import rules

D = Decimal


def ids(violations):
    return [v.rule for v in violations]


@pytest.mark.parametrize(
    "status, available, amount, expected",
    [
        (None, None, D("1"), ["B1"]),
        ("draft", D("100"), D("1"), ["B1"]),
        ("submitted", D("100"), D("1"), ["B1"]),
        ("approved", D("100.00"), D("100.01"), ["B1"]),
        ("approved", D("100.00"), D("100.00"), []),
        ("approved", D("100.00"), D("99.99"), []),
    ],
)
def test_b1_commitment(status, available, amount, expected):
    assert (
        ids(rules.commitment_violations(line_status=status, available=available, amount=amount))
        == expected
    )


@pytest.mark.parametrize(
    "text, expected",
    [
        ("", ["B2"]),
        ("   ", ["B2"]),
        ("已纳入政府购买服务指导性目录", ["B2"]),
        ("该事项已纳入政府购买服务指导性目录，故申请预算。", ["B2"]),
        ("属于部门目录范围", ["B2"]),
        ("列入本级指导性目录内", ["B2"]),
        ("It is in the guidance catalog.", ["B2"]),
        ("全市 120 个助餐点运营补助，按每点每年 4,200 元测算。", []),
        ("已纳入目录；按 2025 年服务人次 3.2 万、单价 30 元测算，共 96 万元。", []),
    ],
)
def test_b2_catalog_is_never_the_reason(text, expected):
    assert ids(rules.justification_violations(text)) == expected


@pytest.mark.parametrize(
    "total, centralized, budget, expected",
    [
        (D("999999.99"), False, None, []),
        (D("1000000.00"), False, None, ["B3"]),
        (D("1000000.01"), False, None, ["B3"]),
        (D("1000000.00"), False, D("1000000.00"), []),
        (D("1000000.00"), False, D("1000000.01"), ["B3"]),
        (D("5000.00"), True, None, ["B3"]),
        (D("5000.00"), True, D("5000.00"), []),
    ],
)
def test_b3_procurement_budget(total, centralized, budget, expected):
    found = rules.procurement_budget_violations(
        total=total,
        centralized_catalog=centralized,
        threshold=D("1000000.00"),
        threshold_cited="1,000,000.00 元",
        procurement_budget=budget,
    )
    assert ids(found) == expected
    assert rules.procurement_budget_required(
        total=total, centralized_catalog=centralized, threshold=D("1000000.00")
    ) is (centralized or total >= D("1000000.00"))


def test_b4_splitting_at_the_threshold():
    kw = dict(thresholds=[(D("1000000"), "100万")], item_name="助餐服务", year=2026)
    # Two earlier pieces of 400k: a third of 199,999.99 stays under; 200k reaches it.
    assert not rules.splitting_violations(
        amount=D("199999.99"),
        earlier_total=D("800000"),
        earlier_max=D("400000"),
        earlier_count=2,
        **kw,
    )
    found = rules.splitting_violations(
        amount=D("200000"),
        earlier_total=D("800000"),
        earlier_max=D("400000"),
        earlier_count=2,
        **kw,
    )
    assert ids(found) == ["B4"] and found[0].severity == "warn"
    # A piece that is itself at the threshold is not a split piece.
    assert not rules.splitting_violations(
        amount=D("1000000"),
        earlier_total=D("800000"),
        earlier_max=D("400000"),
        earlier_count=2,
        **kw,
    )
    # An earlier purchase at the threshold already went the procurement way.
    assert not rules.splitting_violations(
        amount=D("300000"),
        earlier_total=D("1000000"),
        earlier_max=D("1000000"),
        earlier_count=1,
        **kw,
    )
    # No earlier purchases: nothing to compare.
    assert not rules.splitting_violations(
        amount=D("300000"), earlier_total=D("0"), earlier_max=D("0"), earlier_count=0, **kw
    )


@pytest.mark.parametrize(
    "years, expected",
    [
        ([], []),
        ([2027], []),
        ([2027, 2028], []),
        ([2027, 2028, 2029], ["B5"]),
        ([2029], ["B5"]),
        ([2026], ["B5"]),
        ([2027, 2027], ["B5"]),
    ],
)
def test_b5_medium_term_plan(years, expected):
    assert ids(rules.plan_violations(fiscal_year=2026, out_years=years, plan_years=3)) == expected


@pytest.mark.parametrize(
    "start, end, expected",
    [
        ("2026-01-01", "2027-12-31", []),
        ("2025-12-31", "2026-12-31", [("B5", "term_start")]),
        ("2026-06-01", "2028-01-01", [("B5", "term_end")]),
        ("0001-01-01", "9999-12-31", [("B5", "term_start"), ("B5", "term_end")]),
        (None, "2027-12-31", []),
        (None, None, []),
    ],
)
def test_b5_term_within_the_funded_years(start, end, expected):
    day = lambda s: dt.date.fromisoformat(s) if s else None  # noqa: E731
    found = rules.term_violations(term_start=day(start), term_end=day(end), funded=[2026, 2027])
    assert [(v.rule, v.field) for v in found] == expected


def test_b5_a_year_the_line_skips_is_not_funded():
    found = rules.term_violations(
        term_start=dt.date(2026, 6, 1), term_end=dt.date(2028, 3, 31), funded=[2026, 2028]
    )
    assert [(v.rule, v.field) for v in found] == [("B5", "term_end")]
    assert "2027" in found[0].message
    assert rules.funded_years(fiscal_year=2026, out_years=[2028, 2027]) == [2026, 2027, 2028]


@pytest.mark.parametrize(
    "status, expected", [("draft", []), ("returned", []), ("submitted", []), ("approved", ["B6"])]
)
def test_b6_approved_lines_change_only_by_adjustment(status, expected):
    assert ids(rules.direct_edit_violations(status=status)) == expected


@pytest.mark.parametrize(
    "after, committed, expected",
    [
        (D("100"), D("0"), ["B6"]),  # no change
        (D("60"), D("60"), []),
        (D("59.99"), D("60"), ["B1"]),
        (D("150"), D("60"), []),
    ],
)
def test_b6_adjustment_cannot_undercut_commitments(after, committed, expected):
    found = rules.adjustment_violations(
        amount_after=after, amount_before=D("100"), out_years_total=D("0"), committed=committed
    )
    assert ids(found) == expected


@pytest.mark.parametrize(
    "is_new, total, has, expected",
    [
        (True, D("4999999.99"), False, []),
        (True, D("5000000.00"), False, ["B7"]),
        (True, D("5000000.01"), False, ["B7"]),
        (True, D("5000000.00"), True, []),
        (False, D("9000000.00"), False, []),
    ],
)
def test_b7_ex_ante_assessment_for_new_major_projects(is_new, total, has, expected):
    found = rules.ex_ante_violations(
        is_new=is_new,
        total=total,
        major_threshold=D("5000000.00"),
        threshold_cited="5,000,000.00 元",
        has_assessment=has,
    )
    assert ids(found) == expected


def test_every_b_rule_has_its_basis():
    for rule in (rules.B1, rules.B2, rules.B3, rules.B4, rules.B5, rules.B6, rules.B7):
        assert rule.basis and rule.title


@pytest.mark.django_db
def test_rules_page_lists_the_budget_and_method_rules(client):
    import govbuy.procurement.rules  # noqa: F401 - registers P2, P3, P6, P7, P9

    body = client.get("/rules/").content.decode()
    for rule in ("B1", "B2", "B3", "B4", "B5", "B6", "B7", "P2", "P3", "P6", "P7", "P9"):
        assert f">{rule}<" in body or f"{rule}</" in body, rule
    assert "102号令 第二十条" in body
