"""The scoped procurement API over the real HTTP stack: projects from an
approved line, requirements and their review, the method and its approval,
cancellation and splitting flags, per role; field-level 422s for bad input,
404 for others' objects, 401 without login, never a 500; query counts on the
list; the public method endpoint in Chinese and English, and its rate limit."""

import json
from decimal import Decimal

import pytest
from django.core.cache import cache

from govbuy.budgets.models import BudgetLine
from govbuy.procurement import services
from govbuy.procurement.models import MethodApproval, ProjectStatus, PurchaseProject, SplitFlag
from govbuy.procurement.tests.test_views import (
    approved,
    make_project,
    new_line,
    own_unit,
    requirement,
    submitted,
)

D = Decimal
API = "/api/v1"


def call(client, method, path, body=None, **extra):
    kwargs = {"content_type": "application/json", **extra}
    if body is not None:
        kwargs["data"] = body if isinstance(body, str) else json.dumps(body)
    return getattr(client, method)(f"{API}{path}", **kwargs)


def as_user(client, user):
    client.force_login(user)
    return client


def body_for(line, **over) -> dict:
    data = {
        "budget_line": line.pk,
        "name": "老年助餐服务采购",
        "amount": "300000.00",
        **requirement(line.fiscal_year),
    }
    data.update(over)
    return data


def rules_of(response) -> list[tuple[str, str | None]]:
    return [(v["rule"], v["field"]) for v in response.json()["violations"]]


def fields_of(response) -> set:
    return {e["field"] for e in response.json()["errors"]}


@pytest.fixture
def provider(buying, make_org, make_user):
    org = make_org("郑州某养老服务有限公司（接口）", "410100", "enterprise", is_provider=True)
    return make_user("provider", org)


# --- authentication and scoping --------------------------------------------------------------


def test_anonymous_users_get_401(client, buying):
    p = make_project(buying)
    for method, path in (
        ("get", "/projects"),
        ("post", "/projects"),
        ("get", f"/projects/{p.pk}"),
        ("patch", f"/projects/{p.pk}"),
        ("post", f"/projects/{p.pk}/submit"),
        ("post", f"/projects/{p.pk}/cancel"),
        ("get", f"/projects/{p.pk}/methods"),
        ("get", "/split-flags"),
    ):
        assert call(client, method, path, None if method == "get" else {}).status_code == 401
    p.refresh_from_db()
    assert p.status == ProjectStatus.DRAFT


def test_list_and_detail_are_scoped(client, buying, provider):
    p = make_project(buying)
    for user in (
        buying.purchaser,
        buying.manager,
        buying.finance,
        buying.finance_hn,
        buying.auditor,
    ):
        as_user(client, user)
        r = call(client, "get", "/projects")
        assert r.status_code == 200
        assert [x["id"] for x in r.json()["items"]] == [p.pk], user
        r = call(client, "get", f"/projects/{p.pk}")
        assert r.status_code == 200
        assert r.json()["requirement"]["place"] == "郑州市金水区"
    for user in (buying.other_purchaser, buying.finance_ly, provider):
        as_user(client, user)
        assert call(client, "get", "/projects").json()["count"] == 0
        r = call(client, "get", f"/projects/{p.pk}")
        assert r.status_code == 404 and r.json()["code"] == "not_found"
        assert call(client, "get", f"/projects/{p.pk}/methods").status_code == 404
        assert call(client, "post", f"/projects/{p.pk}/cancel", {"reason": "x"}).status_code == 404
    p.refresh_from_db()
    assert p.status == ProjectStatus.DRAFT


def test_list_filters_and_pagination(client, buying):
    line = new_line(buying, "5000000.00")
    first = make_project(buying, line, "100000.00")
    second = submitted(buying, make_project(buying, line, "100000.00", name="社区助浴服务采购"))
    as_user(client, buying.finance)

    def ids(**params):
        r = client.get(f"{API}/projects", params)
        assert r.status_code == 200, r.content
        return [x["id"] for x in r.json()["items"]]

    assert ids() == [second.pk, first.pk]
    assert ids(status="review") == [second.pk]
    assert ids(status="nope") == []
    assert ids(q="助浴") == [second.pk]
    assert ids(year=buying.year) == [second.pk, first.pk]
    assert ids(year=buying.year - 1) == []
    assert ids(department=buying.dept.pk) == [second.pk, first.pk]
    assert ids(department=buying.other.pk) == []
    assert ids(page_size=1, page=2) == [first.pk]
    r = client.get(f"{API}/projects", {"year": "abc"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "year"


def _count(client, django_assert_max_num_queries, limit=10) -> int:
    with django_assert_max_num_queries(limit) as captured:
        r = client.get(f"{API}/projects", {"page_size": 50})
    assert r.status_code == 200
    return len(captured)


@pytest.mark.parametrize("who", ["purchaser", "finance"])
def test_list_queries_do_not_grow_with_the_rows(client, buying, who, django_assert_max_num_queries):
    line = new_line(buying, "30000000.00")
    for i in range(3):
        make_project(buying, line, "10000.00", name=f"老年助餐服务第{i}批")
    as_user(client, getattr(buying, who))
    call(client, "get", "/projects")  # warm-up
    few = _count(client, django_assert_max_num_queries)
    for i in range(3, 30):
        make_project(buying, line, "10000.00", name=f"老年助餐服务第{i}批")
    assert _count(client, django_assert_max_num_queries) == few
    assert call(client, "get", "/projects").json()["count"] == 30


# --- creation ------------------------------------------------------------------------------------


def test_purchaser_creates_a_project(client, buying, make_org):
    line = new_line(buying)
    unit = own_unit(buying, make_org)
    as_user(client, buying.purchaser)
    r = call(
        client,
        "post",
        "/projects",
        body_for(line, amount=300000.5, intended_provider=unit.pk, voucher=True),
    )
    assert r.status_code == 201, r.content
    data = r.json()
    assert data["status"] == "draft" and data["amount"] == "300000.50"
    assert data["intended_provider_id"] == unit.pk and data["voucher"] is True
    assert data["requirement"]["term_end"] == f"{buying.year + 1}-12-31"
    assert data["budget_line_id"] == line.pk and data["reviews"] == []
    line.refresh_from_db()
    assert line.committed == D("300000.50")


@pytest.mark.parametrize(
    "over, field",
    [
        ({"amount": "0"}, "amount"),
        ({"amount": "-5"}, "amount"),
        ({"amount": 0}, "amount"),
        ({"amount": "abc"}, "amount"),
        ({"amount": "1.001"}, "amount"),
        ({"name": ""}, "name"),
        ({"term_start": "2027-13-01"}, "term_start"),
        # An intended_provider of no organization answers like another department's
        # unit (P6): test_enumeration.py.
        ({"quantity": "x" * 501}, "quantity"),
    ],
)
def test_bad_input_is_a_field_error_and_commits_nothing(client, buying, over, field):
    line = new_line(buying)
    as_user(client, buying.purchaser)
    r = call(client, "post", "/projects", body_for(line, **over))
    assert r.status_code == 422, r.content
    assert r.json()["code"] == "invalid_input"
    assert field in fields_of(r)
    line.refresh_from_db()
    assert line.committed == 0 and not PurchaseProject.objects.exists()


@pytest.mark.parametrize(
    "over, expected",
    [
        ({"amount": "1000001.01"}, ("B1", "amount")),
        ({"emergency": True, "emergency_reason": " "}, ("P9", "emergency_reason")),
        ({"name": "街道劳务派遣服务"}, ("C2", None)),
    ],
)
def test_rule_refusals_name_the_rule_and_field(client, buying, over, expected):
    line = new_line(buying)
    as_user(client, buying.purchaser)
    r = call(client, "post", "/projects", body_for(line, **over))
    assert r.status_code == 422 and r.json()["code"] == "rule_violation"
    rule, field = expected
    assert rule in [v["rule"] for v in r.json()["violations"]]
    if field:
        assert (rule, field) in rules_of(r)
    assert all(v["basis"] and v["message"] for v in r.json()["violations"])
    assert not PurchaseProject.objects.exists()


def test_p6_only_the_departments_own_public_welfare_2_unit(client, buying, make_org):
    line = new_line(buying)
    stranger = own_unit(buying, make_org, "郑州市就业服务中心（接口）", competent=buying.other)
    as_user(client, buying.purchaser)
    r = call(client, "post", "/projects", body_for(line, intended_provider=stranger.pk))
    assert r.status_code == 422
    assert rules_of(r) == [("P6", "intended_provider")]


def test_only_the_lines_department_buys_on_it(client, buying):
    line = new_line(buying)
    as_user(client, buying.other_purchaser)
    assert call(client, "post", "/projects", body_for(line)).status_code == 404
    for user in (buying.finance, buying.auditor):
        as_user(client, user)
        r = call(client, "post", "/projects", body_for(line))
        assert r.status_code == 403 and r.json()["code"] == "not_allowed"
    as_user(client, buying.purchaser)
    draft = buying.line("100000.00", approve=False)
    r = call(client, "post", "/projects", body_for(draft))
    assert r.status_code == 422 and rules_of(r) == [("B1", "budget_line")]
    assert call(client, "post", "/projects", body_for(line, budget_line=999999)).status_code == 404
    assert BudgetLine.objects.filter(committed__gt=0).count() == 0


@pytest.mark.parametrize("raw", ["{not json", "[1, 2]", "null", '"text"'])
def test_malformed_bodies_are_client_errors(client, buying, raw):
    as_user(client, buying.purchaser)
    r = call(client, "post", "/projects", raw)
    assert 400 <= r.status_code < 500


def test_missing_fields_are_listed(client, buying):
    as_user(client, buying.purchaser)
    r = call(client, "post", "/projects", {})
    assert r.status_code == 422
    assert {"budget_line", "name", "amount"} <= fields_of(r)


# --- edit, submit, review ------------------------------------------------------------------------


def test_patch_a_draft_moves_the_commitment(client, buying):
    line = new_line(buying)
    p = make_project(buying, line)
    as_user(client, buying.purchaser)
    r = call(client, "patch", f"/projects/{p.pk}", {"amount": "450000.00", "place": "郑州市二七区"})
    assert r.status_code == 200, r.content
    assert r.json()["amount"] == "450000.00"
    assert r.json()["requirement"]["place"] == "郑州市二七区"
    assert r.json()["requirement"]["content"].startswith("为辖区")  # untouched fields stay
    line.refresh_from_db()
    assert line.committed == D("450000.00")
    r = call(client, "patch", f"/projects/{p.pk}", {"amount": "5000000.00"})
    assert r.status_code == 422 and rules_of(r) == [("B1", "amount")]
    r = call(client, "patch", f"/projects/{p.pk}", {"amount": "-1"})
    assert r.status_code == 422 and fields_of(r) == {"amount"}
    r = call(client, "patch", f"/projects/{p.pk}", {"emergency": True})
    assert r.status_code == 422 and rules_of(r) == [("P9", "emergency_reason")]
    line.refresh_from_db()
    assert line.committed == D("450000.00")
    as_user(client, buying.finance)
    assert call(client, "patch", f"/projects/{p.pk}", {"name": "改"}).status_code == 403
    as_user(client, buying.other_purchaser)
    assert call(client, "patch", f"/projects/{p.pk}", {"name": "改"}).status_code == 404
    submitted(buying, p)
    as_user(client, buying.purchaser)
    r = call(client, "patch", f"/projects/{p.pk}", {"name": "改"})
    assert r.status_code == 409 and r.json()["code"] == "invalid_state"


def test_submit_lists_p7_problems_per_field(client, buying):
    p = make_project(buying, content="", standards=" ", technical_guarantees="", indicators="")
    as_user(client, buying.purchaser)
    r = call(client, "post", f"/projects/{p.pk}/submit")
    assert r.status_code == 422
    found = rules_of(r)
    assert {rule for rule, _f in found} == {"P7"}
    assert {"content", "standards", "technical_guarantees", "indicators"} <= {f for _r, f in found}
    p.refresh_from_db()
    assert p.status == ProjectStatus.DRAFT
    r = call(client, "patch", f"/projects/{p.pk}", requirement(buying.year))
    assert r.status_code == 200
    r = call(client, "post", f"/projects/{p.pk}/submit")
    assert r.status_code == 200 and r.json()["status"] == "review"
    assert call(client, "post", f"/projects/{p.pk}/submit").status_code == 409


def test_review_by_a_manager_who_did_not_submit(client, buying):
    p = submitted(buying, make_project(buying))
    all_three = {"approve": True, "complete": True, "compliant": True, "reasonable": True}
    for user in (buying.purchaser, buying.finance):
        as_user(client, user)
        r = call(client, "post", f"/projects/{p.pk}/review", all_three)
        assert r.status_code == 403, user
    as_user(client, buying.finance_ly)
    assert call(client, "post", f"/projects/{p.pk}/review", all_three).status_code == 404
    as_user(client, buying.manager)
    r = call(client, "post", f"/projects/{p.pk}/review", {"approve": True, "complete": True})
    assert r.status_code == 422 and rules_of(r) == [("P7", "complete")]
    r = call(client, "post", f"/projects/{p.pk}/review", {"approve": False})
    assert r.status_code == 422 and rules_of(r) == [("P7", "note")]
    r = call(client, "post", f"/projects/{p.pk}/review", {})
    assert r.status_code == 422 and "approve" in fields_of(r)
    r = call(
        client, "post", f"/projects/{p.pk}/review", {"approve": False, "note": "请细化服务标准"}
    )
    assert r.status_code == 200 and r.json()["status"] == "draft"
    assert r.json()["reviews"][0]["decision"] == "returned"
    submitted(buying, p)
    r = call(client, "post", f"/projects/{p.pk}/review", all_three)
    assert r.status_code == 200 and r.json()["status"] == "approved"
    assert [x["decision"] for x in r.json()["reviews"]] == ["approved", "returned"]


# --- the method ----------------------------------------------------------------------------------


def test_project_methods_are_the_oracles_answer(client, buying):
    p = make_project(buying)
    for user in (buying.purchaser, buying.finance):
        as_user(client, user)
        r = call(client, "get", f"/projects/{p.pk}/methods")
        assert r.status_code == 200
        data = r.json()
        assert data["procurement_law_applies"] is False
        assert data["allowed"] == ["competitive_review"]
        assert data["reasons"][0]["rule"] == "P3" and "300,000.00" in data["reasons"][0]["message"]
        assert {x["key"] for x in data["parameters"]} >= {"procurement.decentralized_threshold"}


def test_method_must_be_allowed(client, buying):
    p = approved(buying)
    as_user(client, buying.purchaser)
    r = call(client, "post", f"/projects/{p.pk}/method", {"method": "open_tender"})
    assert r.status_code == 422 and rules_of(r) == [("P3", "method")]
    r = call(client, "post", f"/projects/{p.pk}/method", {"method": "direct_commission"})
    assert r.status_code == 422 and rules_of(r) == [("P6", "method")]
    r = call(client, "post", f"/projects/{p.pk}/method", {"method": "nonsense"})
    assert r.status_code == 422 and r.json()["violations"][0]["field"] == "method"
    r = call(client, "post", f"/projects/{p.pk}/method", {})
    assert r.status_code == 422 and fields_of(r) == {"method"}
    as_user(client, buying.finance)
    r = call(client, "post", f"/projects/{p.pk}/method", {"method": "competitive_review"})
    assert r.status_code == 403
    p.refresh_from_db()
    assert p.method == ""
    as_user(client, buying.purchaser)
    r = call(client, "post", f"/projects/{p.pk}/method", {"method": "competitive_review"})
    assert r.status_code == 200
    assert r.json()["method_approval"] == "not_needed" and r.json()["can_start"] is True


def test_change_of_method_and_the_finance_bureaus_decision(client, buying):
    line = new_line(buying, "4500000.00")
    p = approved(buying, line, "4200000.00")
    as_user(client, buying.purchaser)
    r = call(client, "post", f"/projects/{p.pk}/method", {"method": "competitive_review"})
    assert r.status_code == 422 and rules_of(r) == [("P2", "method")]
    r = call(client, "post", f"/projects/{p.pk}/method", {"method": "competitive_consultation"})
    assert r.status_code == 422 and fields_of(r) == {"method_reason"}
    r = call(
        client,
        "post",
        f"/projects/{p.pk}/method",
        {"method": "competitive_consultation", "reason": "专业养老服务市场主体有限"},
    )
    assert r.status_code == 200 and r.json()["method_approval"] == "pending"
    assert r.json()["method_decision"]["default"] == "open_tender"
    decision = f"/projects/{p.pk}/method-decision"
    as_user(client, buying.purchaser)
    assert call(client, "post", decision, {"approve": True}).status_code == 403
    as_user(client, buying.finance_hn)
    assert call(client, "post", decision, {"approve": True}).status_code == 403
    as_user(client, buying.finance_ly)
    assert call(client, "post", decision, {"approve": True}).status_code == 404
    as_user(client, buying.finance)
    r = call(client, "post", decision, {"approve": False, "note": ""})
    assert r.status_code == 422 and fields_of(r) == {"method_decision_note"}
    p.refresh_from_db()
    assert p.method_approval == MethodApproval.PENDING
    r = call(client, "post", decision, {"approve": True, "note": "同意变更"})
    assert r.status_code == 200
    assert r.json()["method_approval"] == "approved" and r.json()["can_start"] is True
    assert call(client, "post", decision, {"approve": True}).status_code == 409


# --- cancel and splitting flags ------------------------------------------------------------------


def test_cancel_releases_the_money(client, buying):
    line = new_line(buying)
    p = make_project(buying, line, "800000.00")
    as_user(client, buying.finance)
    assert call(client, "post", f"/projects/{p.pk}/cancel", {"reason": "x"}).status_code == 403
    as_user(client, buying.purchaser)
    r = call(client, "post", f"/projects/{p.pk}/cancel", {"reason": " "})
    assert r.status_code == 422 and fields_of(r) == {"reason"}
    line.refresh_from_db()
    assert line.committed == D("800000.00")
    r = call(client, "post", f"/projects/{p.pk}/cancel", {"reason": "政策调整"})
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    assert r.json()["cancel_reason"] == "政策调整"
    line.refresh_from_db()
    assert line.committed == 0
    assert call(client, "post", f"/projects/{p.pk}/cancel", {"reason": "again"}).status_code == 409


def test_split_flags_are_listed_and_cleared_by_the_finance_bureau(client, buying):
    line = new_line(buying, "2000000.00")
    pieces = [make_project(buying, line, a) for a in ("400000.00", "400000.00", "200000.00")]
    flag = SplitFlag.objects.get()
    as_user(client, buying.purchaser)
    r = call(client, "get", "/split-flags")
    assert r.status_code == 200 and [f["id"] for f in r.json()["items"]] == [flag.pk]
    assert {p["id"] for p in r.json()["items"][0]["projects"]} == {p.pk for p in pieces}
    r = call(client, "get", f"/projects/{pieces[2].pk}")
    assert r.json()["split_flags"] == [flag.pk]
    assert [w["rule"] for w in r.json()["warnings"]] == ["B4"]
    clear = f"/split-flags/{flag.pk}/clear"
    assert call(client, "post", clear, {"note": "x"}).status_code == 403
    as_user(client, buying.finance_ly)
    assert call(client, "get", "/split-flags").json()["count"] == 0
    assert call(client, "post", clear, {"note": "x"}).status_code == 404
    as_user(client, buying.finance_hn)
    assert call(client, "post", clear, {"note": "x"}).status_code == 403
    as_user(client, buying.finance)
    r = call(client, "post", clear, {"note": ""})
    assert r.status_code == 422 and fields_of(r) == {"cleared_note"}
    r = call(client, "post", clear, {"note": "两次为不同街道，已核实"})
    assert r.status_code == 200 and r.json()["status"] == "cleared"
    assert r.json()["cleared_note"] == "两次为不同街道，已核实"
    r = client.get(f"{API}/split-flags", {"status": "open"})
    assert r.json()["count"] == 0
    assert call(client, "post", clear, {"note": "again"}).status_code == 409
    assert call(client, "post", "/split-flags/999999/clear", {"note": "x"}).status_code == 404


def test_split_flag_list_queries_do_not_grow(client, buying, django_assert_max_num_queries):
    line = new_line(buying, "30000000.00")
    for _ in range(3):
        make_project(buying, line, "400000.00")
    as_user(client, buying.finance)
    call(client, "get", "/split-flags")

    def count():
        with django_assert_max_num_queries(10) as captured:
            assert call(client, "get", "/split-flags").status_code == 200
        return len(captured)

    few = count()
    for _ in range(20):
        make_project(buying, line, "400000.00")
    assert count() == few


# --- the public method endpoint ------------------------------------------------------------------

ORACLE = f"{API}/rules/methods"
EXAMPLE = {"region": "370000", "on": "2026-03-01", "amount": "1500000.00"}


@pytest.mark.django_db
def test_public_endpoint_in_english_by_cookie(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    r = client.post(ORACLE, EXAMPLE, content_type="application/json")
    assert r.status_code == 200
    assert r.json()["default"] == "competitive_consultation"
    message = r.json()["reasons"][0]["message"]
    assert message.startswith("Budget 1,500,000.00 元 is at or above the procurement threshold")


@pytest.mark.django_db
def test_public_endpoint_in_chinese_by_default(client):
    r = client.post(ORACLE, EXAMPLE, content_type="application/json")
    assert r.status_code == 200
    assert r.headers["Content-Language"] == "zh-hans"
    reasons = r.json()["reasons"]
    assert [x["rule"] for x in reasons] == ["P2", "P2", "P2"]
    assert "1,500,000.00" in reasons[0]["message"] and "分散采购限额标准" in reasons[0]["message"]


@pytest.mark.django_db
def test_public_endpoint_is_rate_limited(client, settings):
    cache.clear()
    settings.GOVBUY_PUBLIC_API_RATE = "3/m"
    try:
        codes = [
            client.post(ORACLE, EXAMPLE, content_type="application/json").status_code
            for _ in range(3)
        ]
        limited = client.post(ORACLE, EXAMPLE, content_type="application/json")
        # invalid requests count too and answer 429 before being looked at
        invalid = client.post(ORACLE, {}, content_type="application/json")
        other_client = client.post(
            ORACLE, EXAMPLE, content_type="application/json", REMOTE_ADDR="10.1.2.3"
        )
    finally:
        cache.clear()
    assert codes == [200, 200, 200]
    assert limited.status_code == 429 and limited.json()["code"] == "rate_limited"
    assert 1 <= int(limited["Retry-After"]) <= 61
    assert invalid.status_code == 429
    assert other_client.status_code == 200


def test_the_scoped_endpoints_are_not_throttled_by_the_public_limit(client, buying, settings):
    cache.clear()
    settings.GOVBUY_PUBLIC_API_RATE = "1/m"
    p = make_project(buying)
    as_user(client, buying.purchaser)
    try:
        codes = {call(client, "get", f"/projects/{p.pk}/methods").status_code for _ in range(3)}
    finally:
        cache.clear()
    assert codes == {200}


def test_services_refusals_over_the_api_leave_the_line_untouched(client, buying):
    line = new_line(buying)
    p = make_project(buying, line)
    services.cancel_project(actor=buying.purchaser, project=p, reason="测试")
    as_user(client, buying.purchaser)
    r = call(client, "patch", f"/projects/{p.pk}", {"amount": "1.00"})
    assert r.status_code == 409
    line.refresh_from_db()
    assert line.committed == 0
