"""C1, C4, C5, C6, C8 as pure functions: each rule triggered and passed."""

import datetime as dt
from types import SimpleNamespace

import pytest

from govbuy.catalog import rules
from govbuy.catalog.models import Category, ServiceKind
from govbuy.core.rules import REGISTRY


def test_every_catalog_rule_is_registered_with_a_basis():
    for rule_id in ("C1", "C2", "C3", "C4", "C5", "C6", "C7", "C8", "C9"):
        rule = REGISTRY[rule_id]
        assert rule.basis and rule.title
    assert REGISTRY["C8"].severity == "warn"
    assert REGISTRY["C9"].severity == "warn"


# --- C1 -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kind,category",
    [
        ("", Category.TECHNICAL),
        ("goods", Category.TECHNICAL),
        (ServiceKind.AUXILIARY, Category.BASIC_PUBLIC),
        (ServiceKind.AUXILIARY, Category.SOCIAL_MANAGEMENT),
        (ServiceKind.PUBLIC, Category.AUXILIARY),
    ],
)
def test_c1_refuses_content_that_is_neither_kind_or_contradicts_its_category(kind, category):
    (v,) = rules.kind_violations(kind, category)
    assert v.rule == "C1" and v.is_hard and v.field == "kind"
    assert "第九条" in v.basis


@pytest.mark.parametrize(
    "kind,category",
    [
        (ServiceKind.PUBLIC, Category.BASIC_PUBLIC),
        (ServiceKind.AUXILIARY, Category.AUXILIARY),
        (ServiceKind.PUBLIC, Category.TECHNICAL),
        (ServiceKind.AUXILIARY, Category.TECHNICAL),
        (ServiceKind.AUXILIARY, Category.OTHER),
    ],
)
def test_c1_passes(kind, category):
    assert rules.kind_violations(kind, category) == []


# --- C4 -------------------------------------------------------------------------------


def test_c4_refuses_a_purchase_without_catalog_item_or_consent():
    (v,) = rules.catalog_item_violations(code="", found=False, has_consent=False)
    assert v.rule == "C4" and v.is_hard and v.field == "catalog_item"
    (v,) = rules.catalog_item_violations(
        code="Z99", found=False, has_consent=False, level_name="河南省"
    )
    assert "Z99" in v.message and "河南省" in v.message


def test_c4_passes_with_an_item_or_with_consent():
    assert rules.catalog_item_violations(code="A0501", found=True, has_consent=False) == []
    assert rules.catalog_item_violations(code="", found=False, has_consent=True) == []
    assert rules.catalog_item_violations(code="Z99", found=False, has_consent=True) == []


# --- C5 -------------------------------------------------------------------------------


def _g(code, name, depth, sort_key, catalog_id=1, active=True):
    return SimpleNamespace(
        code=code,
        name=name,
        depth=depth,
        sort_key=sort_key,
        catalog_id=catalog_id,
        is_active=active,
    )


A = _g("A", "基本公共服务", 1, "0001")
A05 = _g("A05", "基本养老服务", 2, "0001.0005")
A0501 = _g("A0501", "居家养老服务", 3, "0001.0005.0001")
B03 = _g("B03", "社工服务", 2, "0002.0003")


def test_c5_levels_one_and_two_match_the_provincial_catalog():
    ok = rules.department_item_violations(
        depth=2, code="A05", name="基本养老服务", guidance_item=A05, within_catalog_id=1
    )
    assert ok == []
    (v,) = rules.department_item_violations(
        depth=2, code="A05", name="养老服务", guidance_item=A05, within_catalog_id=1
    )
    assert v.rule == "C5" and v.is_hard and "基本养老服务" in v.message


def test_c5_items_point_into_the_levels_catalog():
    (v,) = rules.department_item_violations(
        depth=3, code="X1", name="自定", guidance_item=None, within_catalog_id=1
    )
    assert v.rule == "C5" and v.field == "guidance_item"
    (v,) = rules.department_item_violations(
        depth=3,
        code="A0501",
        name="居家养老服务",
        guidance_item=_g("A0501", "居家养老服务", 3, "0001.0005.0001", catalog_id=2),
        within_catalog_id=1,
        parent_guidance_item=A05,
    )
    assert v.rule == "C5"
    removed = _g("A0501", "居家养老服务", 3, "0001.0005.0001", active=False)
    assert rules.department_item_violations(
        depth=3,
        code="A0501",
        name="居家养老服务",
        guidance_item=removed,
        within_catalog_id=1,
        parent_guidance_item=A05,
    )


def test_c5_deeper_items_fall_within_their_parents_item():
    # level 3 "as needed": its own name, within the parent's guidance item
    assert (
        rules.department_item_violations(
            depth=3,
            code="A0599",
            name="失能老人探访",
            guidance_item=A05,
            within_catalog_id=1,
            parent_guidance_item=A05,
        )
        == []
    )
    # an item under A05 in the department catalog cannot point to B03
    (v,) = rules.department_item_violations(
        depth=3,
        code="B0301",
        name="社会工作服务",
        guidance_item=_g("B0301", "社会工作服务", 3, "0002.0003.0001"),
        within_catalog_id=1,
        parent_guidance_item=A05,
    )
    assert v.rule == "C5" and "基本养老服务" in v.message


def test_c5_a_department_catalog_is_used_only_once_approved():
    (v,) = rules.department_catalog_use_violations(status="submitted")
    assert v.rule == "C5" and v.is_hard
    assert rules.department_catalog_use_violations(status="approved") == []


# --- C6 -------------------------------------------------------------------------------


def test_c6_proposals_after_the_closing_day_are_warned_and_go_to_next_year():
    year, warnings = rules.adjustment_year(
        proposed_on=dt.date(2026, 10, 1), closes=(9, 30), year=2026
    )
    assert year == 2027
    (w,) = warnings
    assert w.rule == "C6" and w.severity == "warn" and "2026-09-30" in w.message


def test_c6_proposals_on_or_before_the_closing_day_stay_in_the_year():
    assert rules.adjustment_year(proposed_on=dt.date(2026, 9, 30), closes=(9, 30), year=2026) == (
        2026,
        [],
    )


def test_c6_published_catalogs_change_only_through_approved_adjustments():
    (v,) = rules.catalog_edit_violations(catalog_published=True, via_adjustment=False)
    assert v.rule == "C6" and v.is_hard
    assert rules.catalog_edit_violations(catalog_published=True, via_adjustment=True) == []
    assert rules.catalog_edit_violations(catalog_published=False, via_adjustment=False) == []
    (v,) = rules.adjustment_decider_violations(is_keeping_bureau=False)
    assert v.rule == "C6"
    assert rules.adjustment_decider_violations(is_keeping_bureau=True) == []


# --- C8 -------------------------------------------------------------------------------


def test_c8_warns_when_a_public_welfare_class_1_unit_provides_the_service():
    unit = SimpleNamespace(organization=SimpleNamespace(name="某县疾控中心"), name="核酸检测")
    (w,) = rules.public_unit_violations([unit])
    assert w.rule == "C8" and w.severity == "warn" and "某县疾控中心" in w.message
    assert rules.public_unit_violations([]) == []
