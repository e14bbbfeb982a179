"""Issue 11, item 18: 老年人能力综合评估 is its own item of 基本养老服务 in the
shipped catalog — not a 助餐服务 — and its standard name (国家基本养老服务清单)
finds it, so that a department files its purchases there and the splitting
check (B4) never joins them with meal services."""

import pytest

from govbuy.catalog import seed
from govbuy.catalog.selectors import search_catalog


def find(items, code, parents=()):
    for node in items:
        if node["code"] == code:
            return node, parents
        found = find(node.get("children", []), code, (*parents, node["code"]))
        if found:
            return found
    return None


def test_the_assessment_is_a_level_3_item_of_basic_elderly_care_and_meals_hold_no_assessment():
    items = seed.guidance_seed()["items"]

    node, parents = find(items, "A0506")
    assert (node["name"], parents) == ("老年人能力评估", ("A", "A05"))
    meals, _ = find(items, "A050101")
    texts = [meals["name"], meals.get("description", "")] + [
        c["name"] + c.get("description", "") for c in meals.get("children", [])
    ]
    assert not [t for t in texts if "评估" in t]


@pytest.mark.parametrize("query", ["老年人能力综合评估", "能力综合评估", "老年人能力评估"])
def test_its_standard_names_find_it_first(db, query):
    catalog = seed.load_guidance_catalog(year=2026)

    found = list(search_catalog(catalog, query)[:3])

    assert found and found[0].code == "A0506", [(i.code, i.name) for i in found]
