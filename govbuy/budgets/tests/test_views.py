"""Budget pages with the Django test client: the table per role with totals and
filters, filing and editing lines with the services' messages beside the
fields, submission and the finance bureau's decision, adjustments, the inbox,
Excel download and upload; scoping (404 for others' lines), 403 for wrong
roles, refused actions that change nothing, query counts."""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from govbuy.accounts import services as accounts
from govbuy.budgets import services
from govbuy.budgets.models import AdjustmentStatus, BudgetAdjustment, BudgetLine, BudgetLineStatus
from govbuy.budgets.tests.test_excel import HEADER, as_list, good_row, workbook

D = Decimal
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
JUSTIFICATION = "全市 120 个助餐点运营补助，按每点每年 4,200 元测算（民政局 2025 年统计）。"


@pytest.fixture(autouse=True)
def english(client, settings):
    """Pages in English: assert on the English source text."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


def text(response) -> str:
    return response.content.decode()


def login(client, user):
    client.force_login(user)
    return client


def form_data(buying, **overrides):
    data = {
        "fiscal_year": str(buying.year),
        "name": "社区老年助餐服务",
        "catalog_item": str(buying.item.pk),
        "amount": "500000.00",
        "functional_class": "2081002",
        "economic_class": "30227",
        "fund_nature": "general_public_budget",
        "is_new": "on",
        "justification": JUSTIFICATION,
        "procurement_budget": "500000.00",
        "ex_ante_assessment": "",
        "performance_goals": "覆盖 120 个助餐点",
        "out_years-TOTAL_FORMS": "2",
        "out_years-INITIAL_FORMS": "0",
        "out_years-MIN_NUM_FORMS": "0",
        "out_years-MAX_NUM_FORMS": "2",
        "out_years-0-year": "",
        "out_years-0-amount": "",
        "out_years-1-year": "",
        "out_years-1-amount": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def provider(make_org, make_user):
    org = make_org("郑州某养老服务有限公司（预算）", "410100", "enterprise", is_provider=True)
    return make_user("provider", org)


@pytest.fixture
def lines(buying):
    """An approved, a submitted and a draft line of 郑州市民政局."""
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


# --- login and roles ---------------------------------------------------------------------


def test_every_page_needs_a_login(client, buying, lines):
    pk = lines["approved"].pk
    adjustment = services.propose_adjustment(
        actor=buying.purchaser, line=lines["approved"], amount_after="550000", reason="增加"
    )
    for name, args in (
        ("line_list", ()),
        ("line_create", ()),
        ("export", ()),
        ("import", ()),
        ("inbox", ()),
        ("line_detail", (pk,)),
        ("line_edit", (pk,)),
        ("line_delete", (pk,)),
        ("adjustment_create", (pk,)),
        ("adjustment_detail", (adjustment.pk,)),
    ):
        response = client.get(reverse(f"budgets:{name}", args=args))
        assert response.status_code == 302, name
        assert response["Location"].startswith("/accounts/login/"), name
    for name, args in (
        ("line_submit", (pk,)),
        ("line_approve", (pk,)),
        ("line_return", (pk,)),
        ("adjustment_approve", (adjustment.pk,)),
        ("adjustment_return", (adjustment.pk,)),
        ("adjustment_withdraw", (adjustment.pk,)),
    ):
        response = client.post(reverse(f"budgets:{name}", args=args))
        assert response.status_code == 302, name
    assert BudgetLine.objects.get(pk=pk).status == BudgetLineStatus.APPROVED
    assert BudgetAdjustment.objects.get(pk=adjustment.pk).status == AdjustmentStatus.PROPOSED


def test_a_provider_has_no_budget_pages(client, buying, provider, lines):
    login(client, provider)
    for url in (
        reverse("budgets:line_list"),
        reverse("budgets:line_create"),
        reverse("budgets:export"),
        reverse("budgets:import"),
        reverse("budgets:inbox"),
    ):
        assert client.get(url).status_code == 403, url
    assert client.get(reverse("budgets:line_detail", args=[lines["draft"].pk])).status_code == 404


# --- the table ---------------------------------------------------------------------------


def test_purchaser_sees_the_departments_table_with_totals(client, buying, lines):
    other = _other_line(buying)
    response = login(client, buying.purchaser).get(reverse("budgets:line_list"))
    assert response.status_code == 200
    shown = {line.pk for line in response.context["page"]}
    assert shown == {line.pk for line in lines.values()}
    assert other.pk not in shown
    body = text(response)
    assert "社区老年助餐服务" in body and "就业困难人员帮扶服务" not in body
    assert response.context["totals"]["amount"] == D("1000000.00")
    assert response.context["totals"]["total"] == D("1100000.00")
    assert "1,100,000.00" in body and 'id="total-available"' in body
    assert reverse("budgets:line_create") in body and reverse("budgets:import") in body
    assert reverse("budgets:export") in body
    assert 'name="department"' not in body  # a department sees only its own


def test_manager_sees_the_same_table(client, buying, lines):
    response = login(client, buying.manager).get(reverse("budgets:line_list"))
    assert {line.pk for line in response.context["page"]} == {line.pk for line in lines.values()}


def test_finance_and_auditor_see_the_region_with_a_department_filter(client, buying, lines):
    other = _other_line(buying)
    everything = {line.pk for line in lines.values()} | {other.pk}
    for user in (buying.finance, buying.finance_hn, buying.auditor):
        response = login(client, user).get(reverse("budgets:line_list"))
        assert response.status_code == 200
        assert {line.pk for line in response.context["page"]} == everything
        body = text(response)
        assert 'name="department"' in body and "就业困难人员帮扶服务" in body
        assert reverse("budgets:line_create") not in body
    response = client.get(reverse("budgets:line_list"), {"department": buying.other.pk})
    assert [line.pk for line in response.context["page"]] == [other.pk]
    assert response.context["totals"]["amount"] == D("400000.00")
    assert f"department={buying.other.pk}" in text(response)  # the export link


def test_finance_of_another_region_sees_an_empty_table(client, buying, lines):
    response = login(client, buying.finance_ly).get(reverse("budgets:line_list"))
    assert response.status_code == 200
    assert list(response.context["page"]) == []
    assert "No budget lines in your region yet." in text(response)


def test_filters_search_and_the_empty_state(client, buying, lines):
    login(client, buying.purchaser)
    url = reverse("budgets:line_list")
    response = client.get(url, {"status": "approved"})
    assert [line.pk for line in response.context["page"]] == [lines["approved"].pk]
    assert response.context["totals"]["total"] == D("500000.00")
    response = client.get(url, {"q": "助浴"})
    assert [line.pk for line in response.context["page"]] == [lines["submitted"].pk]
    response = client.get(url, {"q": lines["draft"].code})
    assert [line.pk for line in response.context["page"]] == [lines["draft"].pk]
    response = client.get(url, {"year": buying.year + 1})
    assert list(response.context["page"]) == []
    assert "No budget lines match these filters." in text(response)
    # a bad filter is ignored, the others still apply
    response = client.get(url, {"year": "x", "status": "approved"})
    assert [line.pk for line in response.context["page"]] == [lines["approved"].pk]
    # nonsense filters are ignored, never a 500
    for params in ({"year": "x"}, {"status": "nope"}, {"page": "999"}, {"department": "x"}):
        assert client.get(url, params).status_code == 200


def test_a_new_department_sees_the_empty_state(client, buying):
    response = login(client, buying.purchaser).get(reverse("budgets:line_list"))
    assert "No budget lines yet." in text(response)
    assert response.context["totals"]["count"] == 0


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
@pytest.mark.parametrize("who", ["purchaser", "finance"])
def test_the_list_page_takes_the_same_queries_for_3_and_30_lines(
    client, buying, n, who, django_assert_max_num_queries
):
    _file_lines(buying, n)
    login(client, getattr(buying, who))
    url = reverse("budgets:line_list")
    client.get(url)
    # session, user, memberships, years, (departments), count, totals, page, out-years
    with django_assert_max_num_queries(9):
        response = client.get(url, {"year": buying.year})
    assert response.context["totals"]["count"] == n
    assert len(response.context["page"]) == min(n, 25)


def test_pagination_keeps_the_filters(client, buying):
    _file_lines(buying, 30)
    login(client, buying.finance)
    response = client.get(reverse("budgets:line_list"), {"q": "助餐", "page": 2})
    assert len(response.context["page"]) == 5
    assert response.context["totals"]["count"] == 30  # the totals are of every page
    assert "q=%E5%8A%A9%E9%A4%90" in text(response)


# --- filing a line -----------------------------------------------------------------------


def test_create_form_lists_the_departments_catalog_for_the_year(client, buying):
    other_item = _other_catalog(buying).items.get(code="A0502")
    response = login(client, buying.purchaser).get(reverse("budgets:line_create"))
    assert response.status_code == 200
    field = response.context["form"].fields["catalog_item"]
    assert field.valid_value(buying.item.pk) and not field.valid_value(other_item.pk)
    # htmx asks again for another year: that year has no department catalog
    response = client.get(
        reverse("budgets:line_create"), {"fiscal_year": buying.year + 1}, HTTP_HX_REQUEST="true"
    )
    assert len(response.context["form"].fields["catalog_item"].choices) == 1
    assert "no catalog for this year" in text(response)


def test_filing_a_line_with_out_years(client, buying):
    data = form_data(
        buying,
        **{
            "out_years-0-year": str(buying.year + 1),
            "out_years-0-amount": "650000",
            "justification": "第一行\r\n第二行",
        },
    )
    response = login(client, buying.purchaser).post(reverse("budgets:line_create"), data)
    line = BudgetLine.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("budgets:line_detail", args=[line.pk])
    assert line.department == buying.dept and line.status == BudgetLineStatus.DRAFT
    assert line.total == D("1150000.00")
    assert line.justification == "第一行\n第二行"
    assert [(y.year, y.amount) for y in line.out_years.all()] == [(buying.year + 1, D("650000"))]
    page = client.get(response["Location"])
    assert "650,000.00" in text(page) and line.code in text(page)


@pytest.mark.parametrize(
    "overrides, field, words",
    [
        ({"amount": "-5"}, "amount", "more than 0"),
        ({"amount": "12.345"}, "amount", "2 decimals"),
        ({"amount": ""}, "amount", "Enter an amount"),
        ({"name": ""}, "name", "Give the project"),
        ({"functional_class": "2a81002"}, "functional_class", "not a classification code"),
        ({"economic_class": "3022"}, "economic_class", "not a classification code"),
        ({"procurement_budget": "abc"}, "procurement_budget", "not an amount"),
    ],
)
def test_bad_input_is_shown_beside_its_field_and_nothing_is_saved(
    client, buying, overrides, field, words
):
    response = login(client, buying.purchaser).post(
        reverse("budgets:line_create"), form_data(buying, **overrides)
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors and words in " ".join(errors[field])
    assert 'class="invalid-feedback d-block"' in text(response)
    assert not BudgetLine.objects.exists()


def test_all_field_errors_come_back_at_once(client, buying):
    response = login(client, buying.purchaser).post(
        reverse("budgets:line_create"),
        form_data(buying, name="", amount="-1", functional_class="x", catalog_item=""),
    )
    assert {"name", "amount", "functional_class", "catalog_item"} <= set(
        response.context["form"].errors
    )


def test_catalog_only_justification_is_refused_by_b2_beside_the_field(client, buying):
    response = login(client, buying.purchaser).post(
        reverse("budgets:line_create"),
        form_data(buying, justification="已纳入政府购买服务指导性目录"),
    )
    assert response.status_code == 200
    violations = response.context["form"].violations["justification"]
    assert [v.rule for v in violations] == ["B2"]
    body = text(response)
    assert ">B2</span>" in body and "Q52" in body  # rule ID and basis
    assert not BudgetLine.objects.exists()


def test_an_out_year_beyond_the_plan_is_refused_by_b5(client, buying):
    response = login(client, buying.purchaser).post(
        reverse("budgets:line_create"),
        form_data(
            buying,
            **{"out_years-0-year": str(buying.year + 3), "out_years-0-amount": "1000"},
        ),
    )
    assert response.status_code == 200
    formset = response.context["formset"]
    assert [v.rule for v in formset.violations] == ["B5"]
    assert str(buying.year + 3) in formset.violations[0].message
    assert ">B5</span>" in text(response)
    assert not BudgetLine.objects.exists()


def test_a_bad_out_year_amount_is_shown_on_its_row(client, buying):
    response = login(client, buying.purchaser).post(
        reverse("budgets:line_create"),
        form_data(
            buying,
            **{
                "out_years-0-year": "",
                "out_years-0-amount": "",
                "out_years-1-year": str(buying.year + 1),
                "out_years-1-amount": "-3",
            },
        ),
    )
    formset = response.context["formset"]
    assert "more than 0" in " ".join(formset.forms[1].errors["amount"])
    assert not formset.forms[0].errors
    assert not BudgetLine.objects.exists()


def test_tampered_forms_answer_with_errors_not_500(client, buying):
    login(client, buying.purchaser)
    url = reverse("budgets:line_create")
    bad = form_data(buying, catalog_item="999999999", fiscal_year="1999")
    response = client.post(url, bad)
    assert response.status_code == 200
    assert {"catalog_item", "fiscal_year"} <= set(response.context["form"].errors)
    data = form_data(buying)
    del data["out_years-TOTAL_FORMS"]
    assert client.post(url, data).status_code == 200
    data = form_data(buying, **{"out_years-TOTAL_FORMS": "50"})
    assert client.post(url, data).status_code == 200
    assert client.post(url, {}).status_code == 200
    assert not BudgetLine.objects.exists()


def test_only_purchasers_file_lines(client, buying):
    for user in (buying.finance, buying.auditor):
        login(client, user)
        assert client.get(reverse("budgets:line_create")).status_code == 403
        assert client.post(reverse("budgets:line_create"), form_data(buying)).status_code == 403
    assert not BudgetLine.objects.exists()


def test_a_purchaser_of_several_departments_files_for_the_active_one(client, buying, make_user):
    user = make_user("purchaser", buying.other)
    membership = accounts.add_membership(
        actor="test", user=user, organization=buying.dept, role="purchaser"
    )
    login(client, user)
    client.post(reverse("accounts:switch"), {"membership": membership.pk})
    response = client.post(reverse("budgets:line_create"), form_data(buying))
    assert response.status_code == 302
    assert BudgetLine.objects.get().department == buying.dept
    response = client.get(reverse("budgets:line_list"))
    assert len(response.context["page"]) == 1
    assert buying.dept.name in text(response)
    # switched back to 人社局: its table is empty and its catalog has no 民政 item
    other = next(m for m in user.active_memberships if m.organization_id == buying.other.pk)
    client.post(reverse("accounts:switch"), {"membership": other.pk})
    assert list(client.get(reverse("budgets:line_list")).context["page"]) == []
    response = client.post(reverse("budgets:line_create"), form_data(buying))
    assert "catalog_item" in response.context["form"].errors
    assert BudgetLine.objects.count() == 1


# --- editing -------------------------------------------------------------------------------


def test_editing_a_draft(client, buying, lines):
    line = lines["draft"]
    login(client, buying.purchaser)
    page = client.get(reverse("budgets:line_edit", args=[line.pk]))
    assert page.status_code == 200
    assert page.context["form"].initial["amount"] == "300000.00"
    assert page.context["formset"].forms[0].initial == {
        "year": buying.year + 1,
        "amount": "100000.00",
    }
    data = form_data(
        buying,
        name="社会工作服务（修订）",
        amount="320000.00",
        procurement_budget="",
        **{"out_years-INITIAL_FORMS": "1"},
    )
    del data["fiscal_year"]
    response = client.post(reverse("budgets:line_edit", args=[line.pk]), data)
    assert response.status_code == 302
    line.refresh_from_db()
    assert line.name == "社会工作服务（修订）" and line.amount == D("320000.00")
    assert line.out_years.count() == 0 and line.total == D("320000.00")


def test_a_refused_edit_changes_nothing(client, buying, lines):
    line = lines["draft"]
    data = form_data(buying, justification="属于目录范围")
    del data["fiscal_year"]
    response = login(client, buying.purchaser).post(
        reverse("budgets:line_edit", args=[line.pk]), data
    )
    assert response.status_code == 200
    assert [v.rule for v in response.context["form"].violations["justification"]] == ["B2"]
    line.refresh_from_db()
    assert line.justification == JUSTIFICATION


def test_an_approved_line_offers_an_adjustment_instead_of_editing(client, buying, lines):
    line = lines["approved"]
    login(client, buying.purchaser)
    page = client.get(reverse("budgets:line_edit", args=[line.pk]))
    assert page.status_code == 200 and page.context["locked"]
    assert reverse("budgets:adjustment_create", args=[line.pk]) in text(page)
    assert 'name="amount"' not in text(page)
    data = form_data(buying, amount="900000.00")
    del data["fiscal_year"]
    response = client.post(reverse("budgets:line_edit", args=[line.pk]), data)
    assert response.status_code == 200
    assert [v.rule for v in response.context["form"].violations["amount"]] == ["B6"]
    line.refresh_from_db()
    assert line.amount == D("500000.00")


def test_a_submitted_line_cannot_be_edited(client, buying, lines):
    line = lines["submitted"]
    login(client, buying.purchaser)
    page = client.get(reverse("budgets:line_edit", args=[line.pk]))
    assert page.context["locked"] and "waits for the finance bureau" in text(page)
    data = form_data(buying, amount="1.00")
    del data["fiscal_year"]
    response = client.post(reverse("budgets:line_edit", args=[line.pk]), data)
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    line.refresh_from_db()
    assert line.amount == D("200000.00")


def test_edit_is_for_the_departments_purchasers(client, buying, lines):
    url = reverse("budgets:line_edit", args=[lines["draft"].pk])
    for user, status in (
        (buying.finance, 403),
        (buying.auditor, 403),
        (buying.other_purchaser, 404),
        (buying.finance_ly, 404),
    ):
        assert login(client, user).get(url).status_code == status


# --- the line's page -----------------------------------------------------------------------


def test_detail_shows_every_field_per_role(client, buying, lines):
    line = lines["draft"]
    url = reverse("budgets:line_detail", args=[line.pk])
    for user in (buying.purchaser, buying.manager, buying.finance, buying.finance_hn):
        response = login(client, user).get(url)
        assert response.status_code == 200
    body = text(login(client, buying.purchaser).get(url))
    for shown in (
        line.code,
        "社会工作服务",
        "A050101",
        "2081002",
        "30227",
        "General public budget",
        "New project",
        "300,000.00",
        "100,000.00",
        "400,000.00",
        str(buying.year + 1),
        "computed at submission",
    ):
        assert shown in body, shown
    assert reverse("budgets:line_edit", args=[line.pk]) in body
    assert reverse("budgets:line_delete", args=[line.pk]) in body
    body = text(login(client, buying.auditor).get(url))
    assert reverse("budgets:line_edit", args=[line.pk]) not in body
    for user in (buying.other_purchaser, buying.finance_ly):
        assert login(client, user).get(url).status_code == 404
    assert login(client, buying.purchaser).get("/budgets/999999/").status_code == 404


def test_detail_of_an_approved_line_shows_b3_commitments_and_history(client, buying, lines):
    line = lines["approved"]
    services.propose_adjustment(
        actor=buying.purchaser, line=line, amount_after="550000.00", reason="助餐点增加 12 个"
    )
    body = text(login(client, buying.purchaser).get(reverse("budgets:line_detail", args=[line.pk])))
    assert "B3: not required" in body
    assert "550,000.00" in body and "Awaiting approval" in body
    assert "No purchase projects commit this line" in body
    assert reverse("budgets:adjustment_create", args=[line.pk]) not in body  # one open at a time


def test_detail_lists_the_purchase_projects_committing_the_line(client, buying, lines):
    from govbuy.procurement import services as procurement

    project = procurement.create_project(
        actor=buying.purchaser, budget_line=lines["approved"], name="助餐服务采购", amount="120000"
    )
    body = text(
        login(client, buying.finance).get(
            reverse("budgets:line_detail", args=[lines["approved"].pk])
        )
    )
    assert project.code in body and "助餐服务采购" in body
    assert reverse("procurement:project_detail", args=[project.pk]) in body
    assert "380,000.00" in body  # available


# --- submission and decision ---------------------------------------------------------------


def test_submitting_a_line(client, buying, lines):
    line = lines["draft"]
    response = login(client, buying.purchaser).post(reverse("budgets:line_submit", args=[line.pk]))
    assert response.status_code == 302
    line.refresh_from_db()
    assert line.status == BudgetLineStatus.SUBMITTED


def test_a_refused_submit_shows_rule_message_and_basis(client, buying):
    line = buying.line("1200000.00", approve=False, procurement_budget=None)
    response = login(client, buying.purchaser).post(reverse("budgets:line_submit", args=[line.pk]))
    assert response.status_code == 200
    refusal = response.context["refusal"]
    assert [v["rule"] for v in refusal] == ["B3"]
    body = text(response)
    assert ">B3</span>" in body
    assert "File the government-procurement budget" in body
    assert "鲁财采〔2022〕14号" in body  # the basis
    assert "Government-procurement budget" in body  # the field it is about
    line.refresh_from_db()
    assert line.status == BudgetLineStatus.DRAFT


def test_submit_is_for_the_departments_purchasers(client, buying, lines):
    url = reverse("budgets:line_submit", args=[lines["draft"].pk])
    assert login(client, buying.finance).post(url).status_code == 403
    assert login(client, buying.other_purchaser).post(url).status_code == 404
    assert login(client, buying.purchaser).get(url).status_code == 405
    assert BudgetLine.objects.get(pk=lines["draft"].pk).status == BudgetLineStatus.DRAFT


def test_finance_approves_a_submitted_line(client, buying, lines):
    line = lines["submitted"]
    login(client, buying.finance)
    page = client.get(reverse("budgets:line_detail", args=[line.pk]))
    assert reverse("budgets:line_approve", args=[line.pk]) in text(page)
    response = client.post(reverse("budgets:line_approve", args=[line.pk]), {"note": "同意"})
    assert response.status_code == 302
    line.refresh_from_db()
    assert line.status == BudgetLineStatus.APPROVED and line.decision_note == "同意"


def test_returning_needs_a_note_beside_the_note_field(client, buying, lines):
    line = lines["submitted"]
    login(client, buying.finance)
    response = client.post(reverse("budgets:line_return", args=[line.pk]), {"note": " "})
    assert response.status_code == 200
    assert (
        "Say what the department must revise."
        in response.context["decision_form"].errors["note"][0]
    )
    line.refresh_from_db()
    assert line.status == BudgetLineStatus.SUBMITTED
    response = client.post(
        reverse("budgets:line_return", args=[line.pk]), {"note": "请补充测算依据"}
    )
    assert response.status_code == 302
    line.refresh_from_db()
    assert line.status == BudgetLineStatus.RETURNED
    body = text(login(client, buying.purchaser).get(reverse("budgets:line_detail", args=[line.pk])))
    assert "请补充测算依据" in body
    assert reverse("budgets:line_edit", args=[line.pk]) in body  # returned lines are edited


def test_only_the_same_level_finance_bureau_decides(client, buying, lines):
    line = lines["submitted"]
    for user, status in (
        (buying.finance_hn, 403),  # sees 郑州 but does not decide for it
        (buying.auditor, 403),
        (buying.purchaser, 403),
        (buying.finance_ly, 404),
        (buying.other_purchaser, 404),
    ):
        login(client, user)
        for name in ("line_approve", "line_return"):
            response = client.post(reverse(f"budgets:{name}", args=[line.pk]), {"note": "x"})
            assert response.status_code == status, (user, name)
    line.refresh_from_db()
    assert line.status == BudgetLineStatus.SUBMITTED
    body = text(
        login(client, buying.finance_hn).get(reverse("budgets:line_detail", args=[line.pk]))
    )
    assert reverse("budgets:line_approve", args=[line.pk]) not in body


def test_approving_a_draft_is_refused_not_500(client, buying, lines):
    response = login(client, buying.finance).post(
        reverse("budgets:line_approve", args=[lines["draft"].pk])
    )
    assert response.status_code == 200
    assert "not awaiting approval" in text(response)


# --- deleting ------------------------------------------------------------------------------


def test_deleting_a_draft_after_confirmation(client, buying, lines):
    line = lines["draft"]
    login(client, buying.purchaser)
    page = client.get(reverse("budgets:line_delete", args=[line.pk]))
    assert page.status_code == 200 and "Yes, delete it" in text(page)
    assert BudgetLine.objects.filter(pk=line.pk).exists()
    response = client.post(reverse("budgets:line_delete", args=[line.pk]))
    assert response.status_code == 302
    assert not BudgetLine.objects.filter(pk=line.pk).exists()


def test_a_submitted_line_is_not_deleted(client, buying, lines):
    line = lines["submitted"]
    response = login(client, buying.purchaser).post(reverse("budgets:line_delete", args=[line.pk]))
    assert response.status_code == 200
    assert "never submitted" in text(response)
    assert BudgetLine.objects.filter(pk=line.pk).exists()


def test_delete_is_for_the_departments_purchasers(client, buying, lines):
    url = reverse("budgets:line_delete", args=[lines["draft"].pk])
    assert login(client, buying.finance).post(url).status_code == 403
    assert login(client, buying.other_purchaser).post(url).status_code == 404
    assert BudgetLine.objects.filter(pk=lines["draft"].pk).exists()


# --- adjustments ---------------------------------------------------------------------------


def test_proposing_an_adjustment(client, buying, lines):
    line = lines["approved"]
    login(client, buying.purchaser)
    url = reverse("budgets:adjustment_create", args=[line.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"amount_after": "550000.00", "reason": "助餐点增加 12 个"})
    adjustment = BudgetAdjustment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("budgets:adjustment_detail", args=[adjustment.pk])
    assert adjustment.amount_after == D("550000.00")


@pytest.mark.parametrize(
    "data, field, words",
    [
        ({"amount_after": "500000.00", "reason": "x"}, "amount_after", "B6"),
        ({"amount_after": "-1", "reason": "x"}, "amount_after", "more than 0"),
        ({"amount_after": "600000", "reason": ""}, "reason", "reason"),
    ],
)
def test_a_refused_adjustment_is_shown_beside_its_field(client, buying, lines, data, field, words):
    url = reverse("budgets:adjustment_create", args=[lines["approved"].pk])
    response = login(client, buying.purchaser).post(url, data)
    assert response.status_code == 200
    form = response.context["form"]
    found = [v.rule for v in form.violations.get(field, [])] + list(form.errors.get(field, []))
    assert any(words in f for f in found), found
    assert not BudgetAdjustment.objects.exists()


def test_a_draft_is_not_adjusted(client, buying, lines):
    url = reverse("budgets:adjustment_create", args=[lines["draft"].pk])
    login(client, buying.purchaser)
    assert "Only an approved line is adjusted" in text(client.get(url))
    response = client.post(url, {"amount_after": "1", "reason": "x"})
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    assert not BudgetAdjustment.objects.exists()


def test_adjustments_are_for_the_departments_purchasers(client, buying, lines):
    url = reverse("budgets:adjustment_create", args=[lines["approved"].pk])
    assert login(client, buying.finance).get(url).status_code == 403
    assert login(client, buying.other_purchaser).get(url).status_code == 404
    assert login(client, buying.finance_ly).post(url, {"amount_after": "1"}).status_code == 404


@pytest.fixture
def adjustment(buying, lines):
    return services.propose_adjustment(
        actor=buying.purchaser,
        line=lines["approved"],
        amount_after="550000.00",
        reason="助餐点增加 12 个",
    )


def test_finance_approves_an_adjustment_and_the_line_changes(client, buying, lines, adjustment):
    login(client, buying.finance)
    page = client.get(reverse("budgets:adjustment_detail", args=[adjustment.pk]))
    assert page.status_code == 200 and "助餐点增加 12 个" in text(page)
    assert reverse("budgets:adjustment_approve", args=[adjustment.pk]) in text(page)
    response = client.post(reverse("budgets:adjustment_approve", args=[adjustment.pk]))
    assert response.status_code == 302
    adjustment.refresh_from_db()
    assert adjustment.status == AdjustmentStatus.APPROVED
    line = BudgetLine.objects.get(pk=lines["approved"].pk)
    assert line.amount == D("550000.00") and line.total == D("550000.00")


def test_returning_an_adjustment_needs_a_note(client, buying, adjustment):
    login(client, buying.finance)
    url = reverse("budgets:adjustment_return", args=[adjustment.pk])
    response = client.post(url, {"note": ""})
    assert response.status_code == 200 and response.context["decision_form"].errors["note"]
    assert client.post(url, {"note": "请说明测算"}).status_code == 302
    adjustment.refresh_from_db()
    assert adjustment.status == AdjustmentStatus.RETURNED


def test_the_department_withdraws_its_adjustment(client, buying, adjustment):
    login(client, buying.purchaser)
    page = client.get(reverse("budgets:adjustment_detail", args=[adjustment.pk]))
    assert reverse("budgets:adjustment_withdraw", args=[adjustment.pk]) in text(page)
    assert reverse("budgets:adjustment_approve", args=[adjustment.pk]) not in text(page)
    response = client.post(reverse("budgets:adjustment_withdraw", args=[adjustment.pk]))
    assert response.status_code == 302
    adjustment.refresh_from_db()
    assert adjustment.status == AdjustmentStatus.WITHDRAWN
    # a second withdrawal is refused on the page
    response = client.post(reverse("budgets:adjustment_withdraw", args=[adjustment.pk]))
    assert response.status_code == 200 and "not awaiting approval" in text(response)


def test_adjustment_pages_are_scoped(client, buying, adjustment):
    detail = reverse("budgets:adjustment_detail", args=[adjustment.pk])
    for user in (buying.finance_ly, buying.other_purchaser):
        login(client, user)
        assert client.get(detail).status_code == 404
        assert (
            client.post(reverse("budgets:adjustment_approve", args=[adjustment.pk])).status_code
            == 404
        )
    for user in (buying.finance_hn, buying.auditor, buying.purchaser):
        login(client, user)
        assert client.get(detail).status_code == 200
        assert (
            client.post(reverse("budgets:adjustment_approve", args=[adjustment.pk])).status_code
            == 403
        )
    assert (
        login(client, buying.finance)
        .post(reverse("budgets:adjustment_withdraw", args=[adjustment.pk]))
        .status_code
        == 403
    )
    adjustment.refresh_from_db()
    assert adjustment.status == AdjustmentStatus.PROPOSED


# --- inbox ---------------------------------------------------------------------------------


def test_inbox_lists_what_the_bureau_decides(client, buying, lines, adjustment):
    response = login(client, buying.finance).get(reverse("budgets:inbox"))
    assert response.status_code == 200
    assert [line.pk for line in response.context["lines"]] == [lines["submitted"].pk]
    assert [a.pk for a in response.context["adjustments"]] == [adjustment.pk]
    response = login(client, buying.finance_hn).get(reverse("budgets:inbox"))
    assert response.context["lines"] == [] and "Nothing waiting." in text(response)
    for user in (buying.purchaser, buying.auditor):
        assert login(client, user).get(reverse("budgets:inbox")).status_code == 403


# --- Excel ---------------------------------------------------------------------------------


def sheet_rows(response):
    ws = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    return list(ws.iter_rows(values_only=True))


def test_export_the_departments_table(client, buying, lines):
    response = login(client, buying.purchaser).get(reverse("budgets:export"), {"year": buying.year})
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    assert "attachment" in response["Content-Disposition"]
    rows = sheet_rows(response)
    assert rows[0][:2] == ("项目名称", "部门目录编码")
    assert {r[0] for r in rows[1:]} == {line.name for line in lines.values()}


def test_finance_exports_a_department_of_its_region(client, buying, lines):
    url = reverse("budgets:export")
    login(client, buying.finance)
    response = client.get(url, {"year": buying.year, "department": buying.dept.pk})
    assert response.status_code == 200 and len(sheet_rows(response)) == 4
    assert client.get(url, {"year": buying.year}).status_code == 404
    assert client.get(url, {"department": "x"}).status_code == 404
    login(client, buying.finance_ly)
    assert client.get(url, {"year": buying.year, "department": buying.dept.pk}).status_code == 404


def upload(data: bytes, name="table.xlsx"):
    return SimpleUploadedFile(name, data, content_type=XLSX)


def test_importing_a_table(client, buying):
    login(client, buying.purchaser)
    assert client.get(reverse("budgets:import")).status_code == 200
    data = workbook([as_list(good_row("第一")), as_list(good_row("第二"))])
    response = client.post(
        reverse("budgets:import"), {"fiscal_year": buying.year, "file": upload(data)}
    )
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('budgets:line_list')}?year={buying.year}"
    assert sorted(BudgetLine.objects.values_list("name", flat=True)) == ["第一", "第二"]


def test_a_file_with_bad_rows_imports_nothing_and_lists_them(client, buying):
    y = buying.year
    header = [*HEADER, f"{y + 3}年"]
    rows = [
        as_list(good_row("第一"), header),
        as_list(good_row("第二", **{"立项依据及测算": "已纳入政府购买服务指导性目录"}), header),
        as_list(good_row("第三"), header),
        as_list(good_row("第四", **{f"{y + 3}年": 1000}), header),
    ]
    response = login(client, buying.purchaser).post(
        reverse("budgets:import"),
        {"fiscal_year": y, "file": upload(workbook(rows, header=header))},
    )
    assert response.status_code == 200
    errors = response.context["form"].row_errors
    assert [(e["row"], e["column"]) for e in errors] == [
        (3, "立项依据及测算"),
        (5, f"{y + 3}年"),
    ]
    body = text(response)
    assert "Nothing was imported" in body and "[B2]" in body and "[B5]" in body
    assert not BudgetLine.objects.exists()


def test_not_an_xlsx_and_too_large_files_are_refused(client, buying):
    login(client, buying.purchaser)
    response = client.post(
        reverse("budgets:import"),
        {"fiscal_year": buying.year, "file": upload(b"not a workbook", "table.csv")},
    )
    assert response.status_code == 200
    assert "could not be read as an Excel workbook" in text(response)
    big = upload(b"x" * (5 * 1024 * 1024 + 1))
    response = client.post(reverse("budgets:import"), {"fiscal_year": buying.year, "file": big})
    assert response.status_code == 200
    assert "at most 5.0" in " ".join(response.context["form"].errors["file"])
    response = client.post(reverse("budgets:import"), {"fiscal_year": buying.year})
    assert response.status_code == 200 and "file" in response.context["form"].errors
    assert not BudgetLine.objects.exists()


def test_only_purchasers_import(client, buying):
    data = workbook([as_list(good_row())])
    for user in (buying.finance, buying.auditor):
        login(client, user)
        assert client.get(reverse("budgets:import")).status_code == 403
        response = client.post(
            reverse("budgets:import"), {"fiscal_year": buying.year, "file": upload(data)}
        )
        assert response.status_code == 403
    assert not BudgetLine.objects.exists()


# --- helpers -------------------------------------------------------------------------------


def _other_catalog(buying):
    """郑州市人社局's approved catalog, with items 民政局's catalog does not have."""
    from govbuy.catalog import department

    dc = department.create_department_catalog(
        actor=buying.other_purchaser, organization=buying.other, year=buying.year
    )
    for parent, code, name in (("A05", "A0502", "社区养老服务"), ("B03", "B0301", "社会工作服务")):
        department.add_department_item(
            actor=buying.other_purchaser,
            department_catalog=dc,
            parent_code=parent,
            code=code,
            name=name,
        )
    department.submit_department_catalog(actor=buying.other_purchaser, department_catalog=dc)
    department.approve_department_catalog(actor=buying.finance, department_catalog=dc)
    return dc


def _other_line(buying):
    _other_catalog(buying)
    line = services.create_line(
        actor=buying.other_purchaser,
        department=buying.other,
        fiscal_year=buying.year,
        name="就业困难人员帮扶服务",
        catalog_item="B0301",
        amount="400000.00",
        functional_class="2080101",
        economic_class="30227",
        justification="帮扶 300 名就业困难人员，按每人 1,300 元测算。",
    )
    return line
