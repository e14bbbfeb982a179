"""Issue 11, item 18: only an item of the catalog (level 3 or deeper) is bought,
never a level-1 or level-2 category ("A 基本公共服务"): rule C5 on the field
``catalog_item`` where budget lines and purchases are created, submitted and
approved."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from django.utils import translation

from govbuy.budgets import services
from govbuy.budgets.models import BudgetLine, BudgetLineStatus
from govbuy.catalog import rules as catalog_rules
from govbuy.core.rules import RuleViolation
from govbuy.procurement import services as procurement

JUSTIFICATION = "全市 120 个助餐点运营补助，按每点每年 4,200 元测算（民政局 2025 年统计）。"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def only(exc_info):
    [violation] = exc_info.value.violations
    return violation


def fields(buying, item, **over):
    values = dict(
        name="基本公共服务",
        catalog_item=item,
        amount="500000.00",
        functional_class="2081002",
        economic_class="30227",
        justification=JUSTIFICATION,
        procurement_budget="500000.00",
    )
    values.update(over)
    return values


def test_c5_rule_refuses_levels_1_and_2_and_passes_level_3_and_deeper():
    for depth, code, name in ((1, "A", "基本公共服务"), (2, "A05", "基本养老服务")):
        [v] = catalog_rules.purchasable_item_violations(depth=depth, code=code, name=name)
        assert (v.rule, v.field, v.severity) == ("C5", "catalog_item", "hard")
        assert "鲁财采〔2022〕14号 三(一)" in v.basis
        assert f"“{code} {name}”" in v.message and f"level-{depth}" in v.message
    assert (
        catalog_rules.purchasable_item_violations(depth=3, code="A0501", name="居家养老服务") == []
    )
    assert catalog_rules.purchasable_item_violations(depth=4, code="A050101", name="助餐服务") == []


@pytest.mark.parametrize("code", ["A", "A05"])
def test_a_line_naming_a_category_is_refused_with_c5_on_catalog_item(buying, code):
    with pytest.raises(RuleViolation) as exc:
        services.create_line(
            actor=buying.purchaser,
            department=buying.dept,
            fiscal_year=buying.year,
            **fields(buying, code),
        )

    v = only(exc)
    assert (v.rule, v.field) == ("C5", "catalog_item")
    assert not BudgetLine.objects.exists()


def test_a_line_naming_a_level_3_item_passes(buying):
    line = services.create_line(
        actor=buying.purchaser,
        department=buying.dept,
        fiscal_year=buying.year,
        **fields(buying, "A0501", name="居家养老服务"),
    )
    assert services.submit_line(actor=buying.purchaser, line=line).status == "submitted"


def test_editing_a_line_onto_a_category_is_refused(buying):
    line = buying.line(approve=False)

    with pytest.raises(RuleViolation) as exc:
        services.update_line(actor=buying.purchaser, line=line, catalog_item="A")

    assert (only(exc).rule, only(exc).field) == ("C5", "catalog_item")
    line.refresh_from_db()
    assert line.catalog_item == buying.item


def test_the_api_answers_422_with_the_rule_on_catalog_item(client, buying):
    client.force_login(buying.purchaser)

    response = client.post(
        "/api/v1/budget-lines",
        data=json.dumps({"fiscal_year": buying.year, **fields(buying, "A")}),
        content_type="application/json",
    )

    assert response.status_code == 422
    [v] = response.json()["violations"]
    assert (v["rule"], v["field"]) == ("C5", "catalog_item")


def test_the_form_offers_items_only_grouped_under_their_category(client, buying):
    client.force_login(buying.purchaser)
    category = buying.department_catalog.items.get(code="A")

    response = client.get(reverse("budgets:line_create"))

    choices = response.context["form"].fields["catalog_item"].choices
    groups = {label: [pk for pk, _text in options] for label, options in choices[1:]}
    assert groups["A 基本公共服务 › A05 基本养老服务"] == [
        buying.department_catalog.items.get(code="A0501").pk,
        buying.item.pk,
    ]
    offered = {pk for pks in groups.values() for pk in pks}
    assert category.pk not in offered
    assert all(i.depth >= 3 for i in buying.department_catalog.items.filter(pk__in=offered))
    # A category posted anyway gets a field-level message, never a line.
    data = {"fiscal_year": buying.year, **fields(buying, category.pk)}
    data.update({"out_years-TOTAL_FORMS": "0", "out_years-INITIAL_FORMS": "0"})
    page = client.post(reverse("budgets:line_create"), data)
    assert page.status_code == 200
    assert page.context["form"].errors["catalog_item"]
    assert not BudgetLine.objects.exists()


@pytest.fixture
def legacy_line(buying):
    """A line that names a level-1 category, filed before the rule was enforced."""
    line = buying.line(approve=False)
    BudgetLine.objects.filter(pk=line.pk).update(
        catalog_item=buying.department_catalog.items.get(code="A")
    )
    line.refresh_from_db()
    return line


def test_such_a_line_is_refused_at_submission(buying, legacy_line):
    with pytest.raises(RuleViolation) as exc:
        services.submit_line(actor=buying.purchaser, line=legacy_line)

    assert (only(exc).rule, only(exc).field) == ("C5", "catalog_item")


def test_such_a_line_is_refused_at_approval(buying, legacy_line):
    BudgetLine.objects.filter(pk=legacy_line.pk).update(status=BudgetLineStatus.SUBMITTED)

    with pytest.raises(RuleViolation) as exc:
        services.approve_line(actor=buying.finance, line=legacy_line)

    assert (only(exc).rule, only(exc).field) == ("C5", "catalog_item")
    legacy_line.refresh_from_db()
    assert legacy_line.status == BudgetLineStatus.SUBMITTED


def funded_line(buying):
    return buying.line("1000000.00", out_years=[{"year": buying.year + 1, "amount": "1"}])


def purchase(buying, line, **over):
    values = dict(
        name="基本公共服务采购",
        amount="300000.00",
        content="为辖区老年人提供助餐服务",
        standards="符合《老年人助餐服务规范》",
        quantity="年服务 3 万人次",
        recipients="辖区 60 岁以上老年人",
        place="郑州市金水区",
        technical_guarantees="助餐信息系统实名刷卡",
        goals="老年人就餐便利度提高",
        indicators="服务人次：≥3万\n服务满意度：≥90%",
        term_start=f"{buying.year + 1}-01-01",
        term_end=f"{buying.year + 1}-06-30",
    )
    values.update(over)
    return procurement.create_project(actor=buying.purchaser, budget_line=line, **values)


def test_a_purchase_on_an_approved_line_naming_a_category_is_refused(buying):
    line = funded_line(buying)  # approved on 助餐服务, then (legacy) pointed at "A"
    BudgetLine.objects.filter(pk=line.pk).update(
        catalog_item=buying.department_catalog.items.get(code="A")
    )
    line.refresh_from_db()

    with pytest.raises(RuleViolation) as exc:
        purchase(buying, line)

    assert (only(exc).rule, only(exc).field) == ("C5", "catalog_item")
    line.refresh_from_db()
    assert line.committed == 0


def test_a_purchase_already_made_on_such_a_line_cannot_go_to_review(buying):
    line = funded_line(buying)
    project = purchase(buying, line)
    BudgetLine.objects.filter(pk=line.pk).update(
        catalog_item=buying.department_catalog.items.get(code="A")
    )

    with pytest.raises(RuleViolation) as exc:
        procurement.submit_for_review(actor=buying.purchaser, project=project)

    assert "C5" in [v.rule for v in exc.value.violations]


def test_a_purchase_on_an_item_passes(buying):
    project = purchase(buying, funded_line(buying))
    assert procurement.submit_for_review(actor=buying.purchaser, project=project).status == "review"
