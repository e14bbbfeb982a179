"""The budgets API over the real HTTP stack: budget lines per role, field-level
errors and rule violations (422), scoping (404), wrong roles (403), the
approval flow, adjustments, totals, Excel export and import, query counts."""

import io
import json
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from govbuy.accounts import services as accounts
from govbuy.budgets import services
from govbuy.budgets.models import AdjustmentStatus, BudgetAdjustment, BudgetLine, BudgetLineStatus
from govbuy.budgets.tests.test_excel import HEADER, as_list, good_row, workbook

D = Decimal
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LINES = "/api/v1/budget-lines"
ADJUSTMENTS = "/api/v1/budget-adjustments"
JUSTIFICATION = "全市 120 个助餐点运营补助，按每点每年 4,200 元测算（民政局 2025 年统计）。"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def post(client, url, body=None):
    return client.post(url, data=json.dumps(body or {}), content_type="application/json")


def patch(client, url, body):
    return client.patch(url, data=json.dumps(body), content_type="application/json")


def body(buying, **overrides):
    data = {
        "fiscal_year": buying.year,
        "name": "社区老年助餐服务",
        "catalog_item": "A050101",
        "amount": "500000.00",
        "functional_class": "2081002",
        "economic_class": "30227",
        "justification": JUSTIFICATION,
        "procurement_budget": "500000.00",
    }
    data.update(overrides)
    return data


@pytest.fixture
def lines(buying):
    approved = buying.line("500000.00", name="社区老年助餐服务")
    submitted = buying.line("200000.00", approve=False, name="老年人助浴服务")
    services.submit_line(actor=buying.purchaser, line=submitted)
    draft = buying.line(
        "300000.00",
        approve=False,
        name="社会工作服务",
        out_years=[{"year": buying.year + 1, "amount": "100000"}],
    )
    return {"approved": approved, "submitted": submitted, "draft": draft}


def errors_by_field(response):
    return {e["field"]: e["message"] for e in response.json()["errors"]}


# --- authentication ----------------------------------------------------------------------


def test_anonymous_requests_answer_401(client, buying, lines):
    pk = lines["draft"].pk
    assert client.get(LINES).status_code == 401
    assert client.get(f"{LINES}/totals").status_code == 401
    assert client.get(f"{LINES}/{pk}").status_code == 401
    assert post(client, LINES, body(buying)).status_code == 401
    assert post(client, f"{LINES}/{pk}/submit").status_code == 401
    assert client.get(ADJUSTMENTS).status_code == 401
    assert client.get("/api/v1/budget-inbox").status_code == 401
    assert client.get(f"{LINES}/export", {"year": buying.year}).status_code == 401
    assert BudgetLine.objects.get(pk=pk).status == BudgetLineStatus.DRAFT


def test_a_bearer_token_works(client, buying, lines):
    _token, key = accounts.create_api_token(actor=buying.purchaser, name="ERP")
    r = client.get(LINES, HTTP_AUTHORIZATION=f"Bearer {key}")
    assert r.status_code == 200 and r.json()["count"] == 3


# --- filing --------------------------------------------------------------------------------


def test_create_a_line_with_out_years(client, buying):
    client.force_login(buying.purchaser)
    r = post(
        client,
        LINES,
        body(buying, out_years=[{"year": buying.year + 1, "amount": "650000.00"}]),
    )
    assert r.status_code == 201, r.content
    data = r.json()
    line = BudgetLine.objects.get(pk=data["id"])
    assert line.department == buying.dept and line.status == "draft"
    assert data["amount"] == "500000.00" and data["total"] == "1150000.00"
    assert data["available"] == "1150000.00" and data["committed"] == "0.00"
    assert data["out_years"] == [{"year": buying.year + 1, "amount": "650000.00"}]
    assert data["catalog_item_code"] == "A050101" and data["department"] == buying.dept.name
    assert data["region_code"] == "410100"
    r = post(
        client,
        LINES,
        body(buying, amount=1234.5, catalog_item=buying.item.pk, procurement_budget=None),
    )
    assert r.status_code == 201, r.content
    assert r.json()["amount"] == "1234.50" and r.json()["procurement_budget"] is None


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"amount": "-5"}, "amount"),
        ({"amount": "0"}, "amount"),
        ({"amount": "abc"}, "amount"),
        ({"amount": "1.234"}, "amount"),
        ({"name": ""}, "name"),
        ({"functional_class": "2a81002"}, "functional_class"),
        ({"economic_class": "3022"}, "economic_class"),
        ({"fund_nature": "cash"}, "fund_nature"),
        ({"catalog_item": "Z999"}, "catalog_item"),
        ({"catalog_item": None}, "catalog_item"),
        ({"out_years": [{"year": 2027, "amount": "-1"}]}, "out_years.0.amount"),
        ({"out_years": [{"year": "next", "amount": "1"}]}, "out_years.0.year"),
    ],
)
def test_bad_input_answers_422_with_the_field(client, buying, overrides, field):
    client.force_login(buying.purchaser)
    r = post(client, LINES, body(buying, **overrides))
    assert r.status_code == 422, r.content
    assert r.json()["code"] == "invalid_input"
    assert field in errors_by_field(r)
    assert not BudgetLine.objects.exists()


def test_malformed_json_and_wrong_types_answer_422(client, buying):
    client.force_login(buying.purchaser)
    r = client.post(LINES, data="{nope", content_type="application/json")
    assert r.status_code in (400, 422)
    r = post(client, LINES, body(buying, amount=[1], is_new="maybe"))
    assert r.status_code == 422 and {"amount", "is_new"} <= {
        (e["field"] or "").split(".")[0] for e in r.json()["errors"]
    }
    r = post(client, LINES, {"name": "x"})
    assert r.status_code == 422 and "fiscal_year" in errors_by_field(r)
    r = post(client, LINES, body(buying, fiscal_year=buying.year + 5))
    assert r.status_code == 422 and "fiscal_year" in errors_by_field(r)
    assert not BudgetLine.objects.exists()


def test_rule_violations_b2_and_b5_answer_422_with_rule_field_and_basis(client, buying):
    client.force_login(buying.purchaser)
    r = post(client, LINES, body(buying, justification="已纳入政府购买服务指导性目录"))
    assert r.status_code == 422 and r.json()["code"] == "rule_violation"
    v = r.json()["violations"][0]
    assert v["rule"] == "B2" and v["field"] == "justification" and "Q52" in v["basis"]
    r = post(client, LINES, body(buying, out_years=[{"year": buying.year + 3, "amount": "1000"}]))
    assert r.status_code == 422
    v = r.json()["violations"][0]
    assert v["rule"] == "B5" and v["field"] == "out_years" and str(buying.year + 3) in v["message"]
    assert not BudgetLine.objects.exists()


def test_only_purchasers_file_lines(client, buying):
    for user in (buying.finance, buying.auditor):
        client.force_login(user)
        assert post(client, LINES, body(buying)).status_code == 403
        r = post(client, LINES, body(buying, department_id=buying.dept.pk))
        assert r.status_code == 403
    client.force_login(buying.other_purchaser)
    r = post(client, LINES, body(buying, department_id=buying.dept.pk))
    assert r.status_code == 404  # another department is not even visible
    client.force_login(buying.finance_ly)
    assert post(client, LINES, body(buying, department_id=buying.dept.pk)).status_code == 404
    assert not BudgetLine.objects.exists()


def test_a_purchaser_of_several_departments_names_one(client, buying):
    user = buying.other_purchaser
    accounts.add_membership(actor="test", user=user, organization=buying.dept, role="purchaser")
    client.force_login(user)
    r = post(client, LINES, body(buying))
    assert r.status_code == 422 and "department_id" in errors_by_field(r)
    r = post(client, LINES, body(buying, department_id=buying.dept.pk))
    assert r.status_code == 201 and r.json()["department_id"] == buying.dept.pk


# --- reading -------------------------------------------------------------------------------


def test_list_per_role(client, buying, lines):
    own = {line.pk for line in lines.values()}
    for user, expected in (
        (buying.purchaser, own),
        (buying.manager, own),
        (buying.finance, own),
        (buying.finance_hn, own),
        (buying.auditor, own),
        (buying.finance_ly, set()),
        (buying.other_purchaser, set()),
    ):
        client.force_login(user)
        r = client.get(LINES)
        assert r.status_code == 200
        assert {x["id"] for x in r.json()["items"]} == expected


def test_list_filters_and_totals(client, buying, lines):
    client.force_login(buying.finance)
    r = client.get(LINES, {"status": "approved"})
    assert [x["id"] for x in r.json()["items"]] == [lines["approved"].pk]
    r = client.get(LINES, {"q": "助浴"})
    assert [x["id"] for x in r.json()["items"]] == [lines["submitted"].pk]
    r = client.get(LINES, {"year": buying.year + 1})
    assert r.json()["count"] == 0
    r = client.get(LINES, {"department_id": buying.other.pk})
    assert r.json()["count"] == 0
    r = client.get(LINES, {"year": "x"})
    assert r.status_code == 422
    r = client.get(f"{LINES}/totals", {"year": buying.year})
    assert r.status_code == 200
    assert r.json() == {
        "count": 3,
        "amount": "1000000.00",
        "total": "1100000.00",
        "committed": "0.00",
        "available": "1100000.00",
    }
    r = client.get(f"{LINES}/totals", {"status": "draft"})
    assert r.json()["count"] == 1 and r.json()["total"] == "400000.00"
    client.force_login(buying.finance_ly)
    assert client.get(f"{LINES}/totals").json()["count"] == 0


def _file_lines(buying, n):
    for i in range(n):
        services.create_line(
            actor=buying.purchaser,
            department=buying.dept,
            fiscal_year=buying.year,
            name=f"助餐点运营补助 {i}",
            catalog_item=buying.item,
            amount="10000.00",
            functional_class="2081002",
            economic_class="30227",
            justification=JUSTIFICATION,
            out_years=[{"year": buying.year + 1, "amount": "5000"}],
        )


@pytest.mark.parametrize("n", [3, 30])
def test_the_list_endpoint_takes_the_same_queries_for_3_and_30_lines(
    client, buying, n, django_assert_max_num_queries
):
    _file_lines(buying, n)
    client.force_login(buying.finance)
    client.get(LINES)
    # session, user, memberships, count, page, out-years
    with django_assert_max_num_queries(6):
        r = client.get(LINES, {"year": buying.year})
    assert r.json()["count"] == n and len(r.json()["items"]) == n
    assert all(len(x["out_years"]) == 1 for x in r.json()["items"])


def test_get_is_scoped(client, buying, lines):
    pk = lines["draft"].pk
    for user in (buying.purchaser, buying.finance, buying.finance_hn, buying.auditor):
        client.force_login(user)
        r = client.get(f"{LINES}/{pk}")
        assert r.status_code == 200 and r.json()["code"] == lines["draft"].code
    for user in (buying.other_purchaser, buying.finance_ly):
        client.force_login(user)
        r = client.get(f"{LINES}/{pk}")
        assert r.status_code == 404 and r.json()["code"] == "not_found"
    client.force_login(buying.purchaser)
    assert client.get(f"{LINES}/999999").status_code == 404


# --- editing and deleting ------------------------------------------------------------------


def test_patch_changes_only_what_is_sent(client, buying, lines):
    line = lines["draft"]
    client.force_login(buying.purchaser)
    r = patch(client, f"{LINES}/{line.pk}", {"name": "社会工作服务（修订）"})
    assert r.status_code == 200, r.content
    assert r.json()["name"] == "社会工作服务（修订）"
    assert r.json()["out_years"] == [{"year": buying.year + 1, "amount": "100000.00"}]
    r = patch(client, f"{LINES}/{line.pk}", {"out_years": [], "amount": "320000"})
    assert r.status_code == 200 and r.json()["total"] == "320000.00"
    r = patch(client, f"{LINES}/{line.pk}", {"amount": "-1"})
    assert r.status_code == 422 and "amount" in errors_by_field(r)
    r = patch(client, f"{LINES}/{line.pk}", {"justification": "属于目录范围"})
    assert r.status_code == 422 and r.json()["violations"][0]["rule"] == "B2"
    line.refresh_from_db()
    assert line.amount == D("320000.00") and line.justification == JUSTIFICATION


def test_patching_an_approved_line_is_refused_by_b6(client, buying, lines):
    client.force_login(buying.purchaser)
    r = patch(client, f"{LINES}/{lines['approved'].pk}", {"amount": "900000"})
    assert r.status_code == 422 and r.json()["violations"][0]["rule"] == "B6"
    r = patch(client, f"{LINES}/{lines['submitted'].pk}", {"amount": "900000"})
    assert r.status_code == 409


def test_patch_and_delete_are_for_the_departments_purchasers(client, buying, lines):
    url = f"{LINES}/{lines['draft'].pk}"
    client.force_login(buying.finance)
    assert patch(client, url, {"name": "x"}).status_code == 403
    assert client.delete(url).status_code == 403
    client.force_login(buying.other_purchaser)
    assert patch(client, url, {"name": "x"}).status_code == 404
    assert client.delete(url).status_code == 404
    assert BudgetLine.objects.get(pk=lines["draft"].pk).name == "社会工作服务"


def test_delete_a_draft(client, buying, lines):
    client.force_login(buying.purchaser)
    assert client.delete(f"{LINES}/{lines['draft'].pk}").status_code == 204
    assert not BudgetLine.objects.filter(pk=lines["draft"].pk).exists()
    assert client.delete(f"{LINES}/{lines['submitted'].pk}").status_code == 409


# --- submission and decision ---------------------------------------------------------------


def test_submit_approve_and_return(client, buying, lines):
    client.force_login(buying.purchaser)
    r = post(client, f"{LINES}/{lines['draft'].pk}/submit")
    assert r.status_code == 200 and r.json()["status"] == "submitted"
    assert r.json()["procurement_budget_required"] is False
    client.force_login(buying.finance)
    inbox = client.get("/api/v1/budget-inbox").json()
    assert {x["id"] for x in inbox["lines"]} == {lines["draft"].pk, lines["submitted"].pk}
    r = post(client, f"{LINES}/{lines['draft'].pk}/approve", {"note": "同意"})
    assert r.status_code == 200 and r.json()["status"] == "approved"
    assert r.json()["decision_note"] == "同意"
    r = post(client, f"{LINES}/{lines['submitted'].pk}/return", {"note": ""})
    assert r.status_code == 422 and "decision_note" in errors_by_field(r)
    r = post(client, f"{LINES}/{lines['submitted'].pk}/return", {"note": "请补充测算"})
    assert r.status_code == 200 and r.json()["status"] == "returned"
    r = post(client, f"{LINES}/{lines['approved'].pk}/approve")
    assert r.status_code == 409


def test_a_refused_submit_names_rule_field_and_basis(client, buying):
    line = buying.line("1200000.00", approve=False, procurement_budget=None)
    client.force_login(buying.purchaser)
    r = post(client, f"{LINES}/{line.pk}/submit")
    assert r.status_code == 422
    v = r.json()["violations"][0]
    assert v["rule"] == "B3" and v["field"] == "procurement_budget"
    assert "鲁财采〔2022〕14号" in v["basis"]
    line.refresh_from_db()
    assert line.status == BudgetLineStatus.DRAFT


def test_only_the_same_level_finance_bureau_decides(client, buying, lines):
    url = f"{LINES}/{lines['submitted'].pk}"
    for user, status in (
        (buying.finance_hn, 403),
        (buying.auditor, 403),
        (buying.purchaser, 403),
        (buying.finance_ly, 404),
        (buying.other_purchaser, 404),
    ):
        client.force_login(user)
        assert post(client, f"{url}/approve").status_code == status
        assert post(client, f"{url}/return", {"note": "x"}).status_code == status
    client.force_login(buying.finance)
    assert post(client, f"{url}/submit").status_code == 403
    assert BudgetLine.objects.get(pk=lines["submitted"].pk).status == BudgetLineStatus.SUBMITTED


# --- adjustments ---------------------------------------------------------------------------


def test_adjustment_flow(client, buying, lines):
    line = lines["approved"]
    client.force_login(buying.purchaser)
    r = post(
        client,
        f"{LINES}/{line.pk}/adjustments",
        {"amount_after": "550000.00", "reason": "助餐点增加 12 个"},
    )
    assert r.status_code == 201, r.content
    data = r.json()
    assert data["amount_before"] == "500000.00" and data["delta"] == "50000.00"
    assert data["status"] == "proposed" and data["line_code"] == line.code
    pk = data["id"]
    r = post(client, f"{LINES}/{line.pk}/adjustments", {"amount_after": "560000", "reason": "x"})
    assert r.status_code == 409  # one open adjustment per line
    assert client.get(ADJUSTMENTS).json()["count"] == 1
    assert post(client, f"{ADJUSTMENTS}/{pk}/approve").status_code == 403
    client.force_login(buying.finance)
    assert [a["id"] for a in client.get("/api/v1/budget-inbox").json()["adjustments"]] == [pk]
    assert client.get(ADJUSTMENTS, {"status": "proposed"}).json()["count"] == 1
    assert client.get(ADJUSTMENTS, {"line_id": lines["draft"].pk}).json()["count"] == 0
    r = post(client, f"{ADJUSTMENTS}/{pk}/approve", {"note": "同意"})
    assert r.status_code == 200 and r.json()["status"] == "approved"
    r = client.get(f"{LINES}/{line.pk}")
    assert r.json()["amount"] == "550000.00" and r.json()["total"] == "550000.00"


@pytest.mark.parametrize(
    "payload, code, field",
    [
        ({"amount_after": "500000.00", "reason": "x"}, "rule_violation", "amount_after"),
        ({"amount_after": "-1", "reason": "x"}, "invalid_input", "amount_after"),
        ({"amount_after": "600000", "reason": ""}, "invalid_input", "reason"),
        ({}, "invalid_input", "amount_after"),
    ],
)
def test_bad_adjustments_answer_422(client, buying, lines, payload, code, field):
    client.force_login(buying.purchaser)
    r = post(client, f"{LINES}/{lines['approved'].pk}/adjustments", payload)
    assert r.status_code == 422 and r.json()["code"] == code
    items = r.json().get("violations") or r.json().get("errors")
    assert field in {i["field"] for i in items}
    assert not BudgetAdjustment.objects.exists()


def test_adjustments_are_scoped_and_withdrawn_by_the_department(client, buying, lines):
    adjustment = services.propose_adjustment(
        actor=buying.purchaser, line=lines["approved"], amount_after="450000", reason="节约"
    )
    url = f"{ADJUSTMENTS}/{adjustment.pk}"
    for user in (buying.finance_ly, buying.other_purchaser):
        client.force_login(user)
        assert client.get(url).status_code == 404
        assert post(client, f"{url}/approve").status_code == 404
        assert client.get(ADJUSTMENTS).json()["count"] == 0
    client.force_login(buying.finance_hn)
    assert client.get(url).status_code == 200
    assert post(client, f"{url}/approve").status_code == 403
    client.force_login(buying.finance)
    assert post(client, f"{url}/withdraw").status_code == 403
    r = post(client, f"{url}/return", {"note": ""})
    assert r.status_code == 422 and "decision_note" in errors_by_field(r)
    client.force_login(buying.purchaser)
    r = post(client, f"{url}/withdraw")
    assert r.status_code == 200 and r.json()["status"] == "withdrawn"
    assert post(client, f"{url}/withdraw").status_code == 409
    assert BudgetAdjustment.objects.get().status == AdjustmentStatus.WITHDRAWN
    assert post(client, f"{LINES}/{lines['draft'].pk}/adjustments", {}).status_code in (409, 422)


# --- Excel ---------------------------------------------------------------------------------


def test_export_as_xlsx(client, buying, lines):
    client.force_login(buying.purchaser)
    r = client.get(f"{LINES}/export", {"year": buying.year})
    assert r.status_code == 200 and r["Content-Type"] == XLSX
    ws = openpyxl.load_workbook(io.BytesIO(r.content)).worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "项目名称" and len(rows) == 4
    client.force_login(buying.finance)
    r = client.get(f"{LINES}/export", {"year": buying.year, "department_id": buying.dept.pk})
    assert r.status_code == 200
    assert client.get(f"{LINES}/export", {"year": buying.year}).status_code == 403
    client.force_login(buying.finance_ly)
    r = client.get(f"{LINES}/export", {"year": buying.year, "department_id": buying.dept.pk})
    assert r.status_code == 404
    assert client.get(f"{LINES}/export").status_code == 422  # the year is required


def upload(data: bytes, name="table.xlsx"):
    return SimpleUploadedFile(name, data, content_type=XLSX)


def test_import_creates_drafts(client, buying):
    client.force_login(buying.purchaser)
    data = workbook([as_list(good_row("第一")), as_list(good_row("第二"))])
    r = client.post(f"{LINES}/import", {"fiscal_year": buying.year, "file": upload(data)})
    assert r.status_code == 201, r.content
    assert r.json()["created"] == 2
    assert set(r.json()["ids"]) == set(BudgetLine.objects.values_list("pk", flat=True))


def test_import_with_bad_rows_saves_nothing_and_lists_them(client, buying):
    y = buying.year
    header = [*HEADER, f"{y + 3}年"]
    rows = [
        as_list(good_row("第一"), header),
        as_list(good_row("第二", **{"立项依据及测算": "已纳入政府购买服务指导性目录"}), header),
        as_list(good_row("第三"), header),
        as_list(good_row("第四", **{f"{y + 3}年": 1000}), header),
    ]
    client.force_login(buying.purchaser)
    r = client.post(
        f"{LINES}/import", {"fiscal_year": y, "file": upload(workbook(rows, header=header))}
    )
    assert r.status_code == 422 and r.json()["code"] == "import_rejected"
    errors = r.json()["errors"]
    assert [(e["row"], e["column"], e["field"]) for e in errors] == [
        (3, "立项依据及测算", "justification"),
        (5, f"{y + 3}年", "out_years"),
    ]
    assert not BudgetLine.objects.exists()


def test_import_refuses_bad_files_and_wrong_roles(client, buying):
    client.force_login(buying.purchaser)
    r = client.post(f"{LINES}/import", {"fiscal_year": buying.year, "file": upload(b"nope")})
    assert r.status_code == 422 and r.json()["errors"][0]["row"] == 0
    big = upload(b"x" * (5 * 1024 * 1024 + 1))
    r = client.post(
        f"{LINES}/import", {"fiscal_year": buying.year, "file": big}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert r.status_code == 422 and "at most 5.0" in r.json()["errors"][0]["message"]
    r = client.post(f"{LINES}/import", {"fiscal_year": buying.year})
    assert r.status_code == 422
    data = workbook([as_list(good_row())])
    client.force_login(buying.finance)
    r = client.post(f"{LINES}/import", {"fiscal_year": buying.year, "file": upload(data)})
    assert r.status_code == 403
    client.force_login(buying.other_purchaser)
    r = client.post(
        f"{LINES}/import",
        {"fiscal_year": buying.year, "department_id": buying.dept.pk, "file": upload(data)},
    )
    assert r.status_code == 404
    assert not BudgetLine.objects.exists()


def test_inbox_is_empty_for_others(client, buying, lines):
    for user in (buying.finance_hn, buying.finance_ly, buying.purchaser, buying.auditor):
        client.force_login(user)
        r = client.get("/api/v1/budget-inbox")
        assert r.status_code == 200 and r.json() == {"lines": [], "adjustments": []}
