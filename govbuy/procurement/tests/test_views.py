"""Procurement pages with the Django test client: purchase projects from an
approved budget line, requirements and their review, the method panel and the
finance bureau's approval, cancellation, splitting flags, the inbox and the
public method page; per role (purchaser, manager, finance of the region,
finance elsewhere, another department, provider, anonymous), refused actions
that change nothing, and query counts."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from govbuy.accounts import services as accounts
from govbuy.budgets.models import BudgetLine
from govbuy.procurement import services
from govbuy.procurement.models import (
    MethodApproval,
    ProjectStatus,
    PurchaseProject,
    SplitFlag,
    SplitFlagStatus,
)

D = Decimal


@pytest.fixture(autouse=True)
def english(client, settings):
    """Pages in English (the language switch's cookie): assert on the English
    source text whatever translations are compiled."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


def requirement(year, **over) -> dict:
    values = dict(
        content="为辖区 60 岁以上老年人提供助餐服务，含堂食与送餐上门",
        standards="符合《老年人助餐服务规范》，餐食留样 48 小时",
        quantity="120 个助餐点，年服务 3 万人次",
        recipients="辖区 60 岁以上老年人",
        place="郑州市金水区",
        term_start=f"{year + 1}-01-01",
        term_end=f"{year + 1}-12-31",
        technical_guarantees="助餐信息系统实名刷卡，食品安全责任险",
        goals="老年人就餐便利度提高",
        indicators="服务人次：≥3万\n服务满意度：≥90%",
    )
    values.update(over)
    return values


def new_line(buying, amount="1000000.00"):
    """An approved line funding this year and next (the service term is next year)."""
    return buying.line(amount, out_years=[{"year": buying.year + 1, "amount": "1"}])


def make_project(
    buying, line=None, amount="300000.00", *, actor=None, name="老年助餐服务采购", **over
):
    line = line or new_line(buying)
    fields = requirement(buying.year, **over)
    flags = {
        k: fields.pop(k)
        for k in ("intended_provider", "voucher", "emergency", "emergency_reason")
        if k in fields
    }
    return services.create_project(
        actor=actor or buying.purchaser,
        budget_line=line,
        name=name,
        amount=amount,
        **flags,
        **fields,
    )


def submitted(buying, project, actor=None):
    services.submit_for_review(actor=actor or buying.purchaser, project=project)
    project.refresh_from_db()
    return project


def approved(buying, line=None, amount="300000.00", **over):
    p = submitted(buying, make_project(buying, line, amount, **over))
    services.review_requirements(
        actor=buying.manager,
        project=p,
        approve=True,
        complete=True,
        compliant=True,
        reasonable=True,
    )
    p.refresh_from_db()
    return p


def form_data(buying, line=None, **over) -> dict:
    data = {"name": "老年助餐服务采购", "amount": "300000.00", **requirement(buying.year)}
    if line is not None:
        data["budget_line"] = line.pk
    data.update(over)
    return {k: v for k, v in data.items() if v is not None}


def login(client, user):
    client.force_login(user)
    return client


def logout(client):
    client.logout()
    client.cookies["govbuy_language"] = "en"


def text(response) -> str:
    return response.content.decode()


def url(name, *args):
    return reverse(f"procurement:{name}", args=args)


def own_unit(buying, make_org, name="郑州市养老服务指导中心（页）", competent=None):
    return make_org(
        name,
        "410100",
        org_type="public_institution",
        institution_class="public_welfare_2",
        competent_department=competent or buying.dept,
        is_provider=True,
    )


@pytest.fixture
def provider(buying, make_org, make_user):
    org = make_org("郑州某养老服务有限公司（页）", "410100", "enterprise", is_provider=True)
    return make_user("provider", org)


# --- access ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, with_pk",
    [
        ("project_list", False),
        ("project_create", False),
        ("inbox", False),
        ("split_flags", False),
        ("project_detail", True),
        ("project_edit", True),
        ("project_cancel", True),
    ],
)
def test_pages_behind_login_redirect_anonymous_users(client, buying, name, with_pk):
    p = make_project(buying)
    response = client.get(url(name, p.pk) if with_pk else url(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize(
    "name", ["project_submit", "project_review", "project_method", "method_decide"]
)
def test_writes_are_post_only_and_anonymous_posts_change_nothing(client, buying, name):
    p = make_project(buying)
    login(client, buying.purchaser)
    assert client.get(url(name, p.pk)).status_code == 405
    logout(client)
    response = client.post(url(name, p.pk), {"decision": "approve"})
    assert response.status_code == 302
    p.refresh_from_db()
    assert p.status == ProjectStatus.DRAFT


def test_providers_and_recipients_see_no_projects(client, buying, provider, make_user):
    p = make_project(buying)
    for user in (provider, make_user()):
        login(client, user)
        assert client.get(url("project_list")).status_code == 403
        assert client.get(url("project_create")).status_code == 403
        # Providers have an inbox of their own (bids, openings, questions), recipients none.
        assert client.get(url("inbox")).status_code == (200 if user is provider else 403)
        assert client.get(url("project_detail", p.pk)).status_code == 404
        assert client.post(url("project_cancel", p.pk), {"reason": "x"}).status_code == 404
    p.refresh_from_db()
    assert p.status == ProjectStatus.DRAFT


# --- the list ----------------------------------------------------------------------------------


def test_list_is_scoped_by_department_and_region(client, buying):
    p = make_project(buying)
    for user in (
        buying.purchaser,
        buying.manager,
        buying.finance,
        buying.finance_hn,
        buying.auditor,
    ):
        login(client, user)
        page = client.get(url("project_list"))
        assert page.status_code == 200
        assert [x.pk for x in page.context["page"]] == [p.pk], user
        assert p.code in text(page)
    for user in (buying.other_purchaser, buying.finance_ly):
        login(client, user)
        page = client.get(url("project_list"))
        assert page.status_code == 200
        assert list(page.context["page"]) == []
        assert p.code not in text(page)
        assert client.get(url("project_detail", p.pk)).status_code == 404


def test_list_shows_amounts_totals_and_the_department_to_finance(client, buying):
    line = new_line(buying, "2000000.00")
    make_project(buying, line, "300000.00")
    make_project(buying, line, "250000.50", name="老年助浴服务采购")
    login(client, buying.finance)
    page = client.get(url("project_list"))
    body = text(page)
    assert "550,000.50" in body and "250,000.50" in body
    assert buying.dept.name in body
    assert page.context["totals"]["count"] == 2
    login(client, buying.purchaser)
    page = client.get(url("project_list"))
    assert "New project" in text(page)
    assert page.context["supervising"] is False


def test_list_filters_and_empty_states(client, buying):
    line = new_line(buying, "2000000.00")
    first = make_project(buying, line, "300000.00")
    second = make_project(buying, line, "200000.00", name="社区助浴服务采购")
    submitted(buying, second)
    login(client, buying.purchaser)

    def shown(**params):
        return [x.pk for x in client.get(url("project_list"), params).context["page"]]

    assert shown(status="review") == [second.pk]
    assert shown(status="draft") == [first.pk]
    assert shown(q="助浴") == [second.pk]
    assert shown(q=first.code) == [first.pk]
    assert shown(year=buying.year) == [second.pk, first.pk]
    assert shown(year=buying.year + 1) == []
    empty = client.get(url("project_list"), {"q": "没有这个"})
    assert "No project matches these filters." in text(empty)
    # Bad filters are field errors, never a 500.
    for params in ({"year": "abc"}, {"status": "nope"}, {"page": "x"}, {"page": "999"}):
        assert client.get(url("project_list"), params).status_code == 200
    login(client, buying.finance)
    assert shown(department=buying.dept.pk) == [second.pk, first.pk]
    assert shown(department=buying.other.pk) == []
    assert client.get(url("project_list"), {"department": "abc"}).status_code == 200


def test_empty_list_invites_the_purchaser_to_start_from_a_line(client, buying):
    login(client, buying.purchaser)
    assert "Start one from an approved budget line." in text(client.get(url("project_list")))


def test_list_is_paginated(client, buying):
    line = new_line(buying, "30000000.00")
    for i in range(27):
        make_project(buying, line, "10000.00", name=f"老年助餐服务第{i}批")
    login(client, buying.purchaser)
    first = client.get(url("project_list"))
    assert len(first.context["page"]) == 25
    second = client.get(url("project_list"), {"page": 2})
    assert len(second.context["page"]) == 2
    assert first.context["totals"]["count"] == 27


def _queries(client, path, django_assert_max_num_queries, limit=12) -> int:
    with django_assert_max_num_queries(limit) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("who", ["purchaser", "finance"])
def test_list_page_queries_do_not_grow_with_the_rows(
    client, buying, who, django_assert_max_num_queries
):
    line = new_line(buying, "30000000.00")
    for i in range(3):
        make_project(buying, line, "10000.00", name=f"老年助餐服务第{i}批")
    login(client, getattr(buying, who))
    client.get(url("project_list"))  # warm-up: first-request caches
    few = _queries(client, url("project_list"), django_assert_max_num_queries)
    for i in range(3, 30):
        make_project(buying, line, "10000.00", name=f"老年助餐服务第{i}批")
    assert _queries(client, url("project_list"), django_assert_max_num_queries) == few


# --- creating a project --------------------------------------------------------------------------


def test_create_lists_the_departments_approved_lines_and_own_units(client, buying, make_org):
    line = new_line(buying)
    draft = buying.line("50000.00", approve=False, name="未审批的预算")
    unit = own_unit(buying, make_org)
    stranger = own_unit(buying, make_org, "郑州市就业服务中心（页）", competent=buying.other)
    login(client, buying.purchaser)
    page = client.get(url("project_create"))
    body = text(page)
    assert page.status_code == 200
    assert line.code in body and "1,000,001.00" in body  # with the money it has left
    assert draft.code not in body
    assert unit.name in body and stranger.name not in body
    # ?line= preselects the line and its name
    page = client.get(url("project_create"), {"line": line.pk})
    assert page.context["form"].initial["budget_line"] == line.pk
    # the department's line that is not approved yet says why (B1)
    page = client.get(url("project_create"), {"line": draft.pk})
    assert page.status_code == 200
    assert "B1" in text(page) and "not approved by the finance bureau" in text(page)


def test_create_from_another_departments_line_answers_404(client, buying):
    line = new_line(buying)
    login(client, buying.other_purchaser)
    assert client.get(url("project_create"), {"line": line.pk}).status_code == 404
    assert client.get(url("project_create"), {"line": "abc"}).status_code == 404
    # posting it anyway: the line is not theirs to buy on (B1), nothing is committed
    response = client.post(url("project_create"), form_data(buying, line))
    assert response.status_code == 200
    assert "B1" in text(response)
    line.refresh_from_db()
    assert line.committed == 0 and not PurchaseProject.objects.exists()


def test_only_purchasers_create(client, buying):
    line = new_line(buying)
    for user in (buying.finance, buying.auditor):
        login(client, user)
        assert client.get(url("project_create")).status_code == 403
        assert client.post(url("project_create"), form_data(buying, line)).status_code == 403
    assert not PurchaseProject.objects.exists()


def test_purchaser_creates_a_project_and_its_money_is_committed(client, buying):
    line = new_line(buying)
    login(client, buying.purchaser)
    response = client.post(url("project_create"), form_data(buying, line))
    p = PurchaseProject.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("project_detail", p.pk)
    line.refresh_from_db()
    assert line.committed == D("300000.00")
    assert p.requirement.place == "郑州市金水区"
    page = client.get(response["Location"])
    assert p.code in text(page) and f"Project {p.code} was created" in text(page)
    assert page.context["may_edit"] is True


def test_create_by_a_manager_with_an_own_unit_voucher_and_emergency(client, buying, make_org):
    line = new_line(buying)
    unit = own_unit(buying, make_org)
    login(client, buying.manager)
    response = client.post(
        url("project_create"),
        form_data(
            buying,
            line,
            intended_provider=unit.pk,
            voucher="on",
            emergency="on",
            emergency_reason="特大暴雨后集中安置老人用餐",
        ),
    )
    assert response.status_code == 302
    p = PurchaseProject.objects.get()
    assert p.intended_provider == unit and p.voucher and p.emergency
    assert p.created_by == buying.manager


def _refused(client, buying, line, **over):
    response = client.post(url("project_create"), form_data(buying, line, **over))
    assert response.status_code == 200
    assert not PurchaseProject.objects.exists()
    assert not BudgetLine.objects.filter(committed__gt=0).exists()
    return response


@pytest.mark.parametrize("amount", ["0", "-5", "abc", "1.001", ""])
def test_bad_amounts_are_field_errors(client, buying, amount):
    line = new_line(buying)
    login(client, buying.purchaser)
    form = _refused(client, buying, line, amount=amount).context["form"]
    assert form.errors.get("amount"), form.errors


def test_more_than_the_line_holds_is_refused_by_b1_beside_the_amount(client, buying):
    line = buying.line("100000.00")
    login(client, buying.purchaser)
    response = _refused(client, buying, line, amount="100000.01", term_start="", term_end="")
    form = response.context["form"]
    assert [v.rule for v in form.violations["amount"]] == ["B1"]
    assert escape("100,000.00") in text(response)  # what the line has left
    assert "B1" in text(response)


def test_emergency_without_a_reason_is_refused_by_p9(client, buying):
    line = new_line(buying)
    login(client, buying.purchaser)
    form = _refused(client, buying, line, emergency="on", emergency_reason=" ").context["form"]
    assert [v.rule for v in form.violations["emergency_reason"]] == ["P9"]
    # the input is kept
    assert form["name"].value() == "老年助餐服务采购"


def test_a_unit_that_is_not_the_departments_own_public_welfare_2_is_refused_by_p6(
    client, buying, make_org
):
    line = new_line(buying)
    stranger = own_unit(buying, make_org, "郑州市就业服务中心（页）", competent=buying.other)
    login(client, buying.purchaser)
    others = _refused(client, buying, line, intended_provider=stranger.pk).context["form"]
    assert [v.rule for v in others.violations["intended_provider"]] == ["P6"]
    # No such organization answers like another department's unit (no enumeration).
    missing = _refused(client, buying, line, intended_provider=999999).context["form"]
    assert [v.message for v in missing.violations["intended_provider"]] == [
        v.message for v in others.violations["intended_provider"]
    ]


def test_barred_content_is_refused_beside_the_name(client, buying):
    line = new_line(buying)
    login(client, buying.purchaser)
    response = _refused(client, buying, line, name="街道劳务派遣服务")
    form = response.context["form"]
    rules = [v.rule for v in form.violations.get("name", [])] + [
        v.rule for v in form.general_violations
    ]
    assert "C2" in rules
    c2 = next(
        v for v in [*form.violations.get("name", []), *form.general_violations] if v.rule == "C2"
    )
    assert escape(c2.message) in text(response) and escape(c2.basis) in text(response)


def test_bad_dates_and_missing_line_are_field_errors(client, buying):
    line = new_line(buying)
    login(client, buying.purchaser)
    form = _refused(client, buying, line, term_start="2027-13-01").context["form"]
    assert form.errors["term_start"]
    form = _refused(client, buying, None).context["form"]
    assert [v.rule for v in form.violations["budget_line"]] == ["B1"]


def test_warnings_are_shown_on_the_detail_page_after_creation(client, buying):
    line = new_line(buying, "2000000.00")
    login(client, buying.purchaser)
    client.post(url("project_create"), form_data(buying, line, name="老年人融资贷款咨询服务"))
    p = PurchaseProject.objects.get()
    page = client.get(url("project_detail", p.pk))
    assert "C9" in [w["rule"] for w in p.warnings]
    assert "C9" in text(page)
    # B4: pieces of one item under the threshold together
    make_project(buying, line, "400000.00")
    client.post(url("project_create"), form_data(buying, line, amount="400000.00"))
    last = PurchaseProject.objects.order_by("-pk").first()
    assert "B4" in [w["rule"] for w in last.warnings]
    body = text(client.get(url("project_detail", last.pk)))
    assert "B4" in body and "Splitting flags" in body
    assert SplitFlag.objects.get().projects.count() == 3


# --- detail, edit, submit ------------------------------------------------------------------------


def test_detail_per_role(client, buying, provider):
    p = make_project(buying)
    for user, member in ((buying.purchaser, True), (buying.manager, True), (buying.finance, False)):
        login(client, user)
        page = client.get(url("project_detail", p.pk))
        assert page.status_code == 200
        assert page.context["may_edit"] is member and page.context["may_cancel"] is member
        assert "Service content" in text(page) and "郑州市金水区" in text(page)
        assert reverse("budgets:line_detail", args=[p.budget_line_id]) in text(page)
    login(client, buying.finance_hn)
    assert client.get(url("project_detail", p.pk)).status_code == 200
    for user in (buying.finance_ly, buying.other_purchaser, provider):
        login(client, user)
        assert client.get(url("project_detail", p.pk)).status_code == 404
    login(client, buying.purchaser)
    assert client.get(url("project_detail", 999999)).status_code == 404


def test_edit_a_draft_moves_the_commitment(client, buying):
    line = new_line(buying)
    p = make_project(buying, line)
    login(client, buying.purchaser)
    page = client.get(url("project_edit", p.pk))
    assert page.status_code == 200
    assert page.context["form"]["amount"].value() == D("300000.00")
    response = client.post(
        url("project_edit", p.pk), form_data(buying, amount="450000.00", place="郑州市二七区")
    )
    assert response.status_code == 302
    p.refresh_from_db()
    line.refresh_from_db()
    assert p.amount == D("450000.00") and p.requirement.place == "郑州市二七区"
    assert line.committed == D("450000.00")
    response = client.post(url("project_edit", p.pk), form_data(buying, amount="5000000.00"))
    assert response.status_code == 200
    assert [v.rule for v in response.context["form"].violations["amount"]] == ["B1"]
    line.refresh_from_db()
    assert line.committed == D("450000.00")


def test_only_the_department_edits_and_only_drafts(client, buying):
    p = make_project(buying)
    login(client, buying.finance)
    assert client.get(url("project_edit", p.pk)).status_code == 403
    assert client.post(url("project_edit", p.pk), form_data(buying, name="改")).status_code == 403
    login(client, buying.other_purchaser)
    assert client.get(url("project_edit", p.pk)).status_code == 404
    submitted(buying, p)
    login(client, buying.purchaser)
    response = client.get(url("project_edit", p.pk))
    assert response.status_code == 302
    response = client.post(url("project_edit", p.pk), form_data(buying, name="改"), follow=True)
    assert "only a draft is edited" in text(response)
    p.refresh_from_db()
    assert p.name == "老年助餐服务采购"


def test_incomplete_requirements_are_listed_per_field_at_submit(client, buying):
    p = make_project(buying, content="", standards=" ", technical_guarantees="", indicators="")
    login(client, buying.purchaser)
    response = client.post(url("project_submit", p.pk))
    assert response.status_code == 200
    form = response.context["form"]
    for field in ("content", "standards", "technical_guarantees", "indicators"):
        assert [v.rule for v in form.violations[field]] == ["P7"], field
    assert "Not submitted" in text(response)
    p.refresh_from_db()
    assert p.status == ProjectStatus.DRAFT


def test_submit_sends_the_requirements_to_review(client, buying):
    p = make_project(buying)
    login(client, buying.finance)
    assert client.post(url("project_submit", p.pk)).status_code == 403
    login(client, buying.other_purchaser)
    assert client.post(url("project_submit", p.pk)).status_code == 404
    p.refresh_from_db()
    assert p.status == ProjectStatus.DRAFT
    login(client, buying.purchaser)
    response = client.post(url("project_submit", p.pk))
    assert response.status_code == 302
    p.refresh_from_db()
    assert p.status == ProjectStatus.REVIEW and p.submitted_by == buying.purchaser
    # again: the project is no longer a draft
    response = client.post(url("project_submit", p.pk))
    assert response.status_code == 200
    assert "only a draft is submitted" in text(response)


# --- review --------------------------------------------------------------------------------------


def test_manager_reviews_with_the_three_judgments(client, buying):
    p = submitted(buying, make_project(buying))
    login(client, buying.manager)
    page = client.get(url("project_detail", p.pk))
    assert page.context["may_review"] is True
    assert "Complete (完整性)" in text(page)
    # approving without all three judgments is refused (P7)
    response = client.post(
        url("project_review", p.pk), {"decision": "approve", "complete": "on", "compliant": "on"}
    )
    assert response.status_code == 200
    assert [v.rule for v in response.context["review_form"].violations["complete"]] == ["P7"]
    # returning without a note is refused (P7)
    response = client.post(url("project_review", p.pk), {"decision": "return"})
    assert [v.rule for v in response.context["review_form"].violations["note"]] == ["P7"]
    response = client.post(url("project_review", p.pk), {"decision": "maybe"})
    assert "Choose approve or return." in text(response)
    p.refresh_from_db()
    assert p.status == ProjectStatus.REVIEW and not p.reviews.exists()
    response = client.post(
        url("project_review", p.pk),
        {"decision": "approve", "complete": "on", "compliant": "on", "reasonable": "on"},
    )
    assert response.status_code == 302
    p.refresh_from_db()
    assert p.status == ProjectStatus.APPROVED
    page = client.get(url("project_detail", p.pk))
    assert page.context["reviews"][0].reviewer == buying.manager


def test_manager_returns_with_a_note_and_the_history_shows_it(client, buying):
    p = submitted(buying, make_project(buying))
    login(client, buying.manager)
    response = client.post(
        url("project_review", p.pk), {"decision": "return", "note": "服务标准需细化到每餐营养要求"}
    )
    assert response.status_code == 302
    p.refresh_from_db()
    assert p.status == ProjectStatus.DRAFT
    login(client, buying.purchaser)
    assert "服务标准需细化到每餐营养要求" in text(client.get(url("project_detail", p.pk)))


def test_review_is_for_a_manager_who_did_not_submit(client, buying, make_user):
    p = submitted(buying, make_project(buying))
    data = {"decision": "approve", "complete": "on", "compliant": "on", "reasonable": "on"}
    for user in (buying.purchaser, buying.finance):
        login(client, user)
        assert client.get(url("project_detail", p.pk)).context["may_review"] is False
        response = client.post(url("project_review", p.pk), data)
        assert response.status_code == 403
        assert "Only a manager" in text(response)
    login(client, buying.other_purchaser)
    assert client.post(url("project_review", p.pk), data).status_code == 404
    # a manager who submitted may not review their own submission
    boss = make_user()
    accounts.add_membership(
        actor="test", user=boss, organization=buying.dept, role="purchaser", is_manager=True
    )
    own = submitted(buying, make_project(buying, actor=boss), actor=boss)
    login(client, boss)
    assert client.get(url("project_detail", own.pk)).context["may_review"] is False
    response = client.post(url("project_review", own.pk), data)
    assert response.status_code == 403
    assert "someone other than the person who submitted" in text(response)
    for project in (p, own):
        project.refresh_from_db()
        assert project.status == ProjectStatus.REVIEW


# --- the method ----------------------------------------------------------------------------------


def test_method_panel_explains_the_oracle_with_rule_ids_and_cited_values(client, buying):
    p = make_project(buying)  # 30万 in 郑州: below the procurement threshold
    login(client, buying.purchaser)
    page = client.get(url("project_detail", p.pk))
    body = text(page)
    assert page.context["decision"].procurement_law_applies is False
    assert "Outside the procurement law" in body
    assert "P3" in body and "300,000.00" in body
    assert "Competitive review (竞争性评审)" in body
    assert page.context["method_form"] is None  # requirements not approved yet
    assert "once a manager has approved the requirements" in body


def test_purchaser_chooses_an_allowed_method_and_the_rest_are_refused(client, buying):
    p = approved(buying)
    login(client, buying.purchaser)
    page = client.get(url("project_detail", p.pk))
    form = page.context["method_form"]
    assert form["method"].value() == "competitive_review"  # the default, preselected
    assert 'value="competitive_review" checked' in text(page)
    response = client.post(url("project_method", p.pk), {"method": "open_tender"})
    assert response.status_code == 200
    assert [v.rule for v in response.context["method_form"].violations["method"]] == ["P3"]
    response = client.post(url("project_method", p.pk), {"method": "direct_commission"})
    assert [v.rule for v in response.context["method_form"].violations["method"]] == ["P6"]
    response = client.post(url("project_method", p.pk), {"method": ""})
    assert response.context["method_form"].errors["method"] == ["Choose a method."]
    response = client.post(url("project_method", p.pk), {"method": "no_such_method"})
    assert response.status_code == 200
    assert response.context["method_form"].violations["method"]
    p.refresh_from_db()
    assert p.method == "" and p.method_approval == MethodApproval.NOT_CHOSEN
    response = client.post(url("project_method", p.pk), {"method": "competitive_review"})
    assert response.status_code == 302
    p.refresh_from_db()
    assert p.method == "competitive_review" and p.can_start
    assert "the purchase may start" in text(client.get(url("project_detail", p.pk)))


def test_method_is_chosen_only_by_the_department_after_approval(client, buying):
    draft = make_project(buying)
    login(client, buying.purchaser)
    response = client.post(url("project_method", draft.pk), {"method": "competitive_review"})
    assert response.status_code == 200
    assert "once the requirements are approved" in text(response)
    p = approved(buying)
    login(client, buying.finance)
    response = client.post(url("project_method", p.pk), {"method": "competitive_review"})
    assert response.status_code == 403
    login(client, buying.finance_ly)
    response = client.post(url("project_method", p.pk), {"method": "competitive_review"})
    assert response.status_code == 404
    p.refresh_from_db()
    assert p.method == ""


@pytest.fixture
def big(buying):
    """A 420万 purchase in 郑州 with approved requirements: open tender by default."""
    line = new_line(buying, "4500000.00")
    return approved(buying, line, "4200000.00")


def test_a_change_of_method_needs_a_reason_and_the_finance_bureau(client, buying, big):
    login(client, buying.purchaser)
    page = client.get(url("project_detail", big.pk))
    assert page.context["decision"].default == "open_tender"
    assert "needs the finance bureau" in text(page)
    response = client.post(url("project_method", big.pk), {"method": "competitive_review"})
    assert [v.rule for v in response.context["method_form"].violations["method"]] == ["P2"]
    response = client.post(url("project_method", big.pk), {"method": "competitive_consultation"})
    assert response.context["method_form"].errors["reason"]
    big.refresh_from_db()
    assert big.method_approval == MethodApproval.NOT_CHOSEN
    response = client.post(
        url("project_method", big.pk),
        {"method": "competitive_consultation", "reason": "专业养老服务市场主体有限，需多轮磋商"},
    )
    assert response.status_code == 302
    big.refresh_from_db()
    assert big.method_approval == MethodApproval.PENDING and not big.can_start
    page = client.get(url("project_detail", big.pk))
    assert page.context["may_decide"] is False
    assert "Awaiting the finance bureau" in text(page)


def test_the_finance_bureau_of_the_region_decides_the_change_of_method(client, buying, big):
    services.choose_method(
        actor=buying.purchaser,
        project=big,
        method="competitive_consultation",
        reason="专业养老服务市场主体有限",
    )
    # the province sees it but does not decide for a 郑州 department
    login(client, buying.finance_hn)
    assert client.get(url("project_detail", big.pk)).context["may_decide"] is False
    response = client.post(url("method_decide", big.pk), {"decision": "approve"})
    assert response.status_code == 403
    login(client, buying.finance_ly)
    assert client.post(url("method_decide", big.pk), {"decision": "approve"}).status_code == 404
    login(client, buying.purchaser)
    assert client.post(url("method_decide", big.pk), {"decision": "approve"}).status_code == 403
    big.refresh_from_db()
    assert big.method_approval == MethodApproval.PENDING
    login(client, buying.finance)
    page = client.get(url("project_detail", big.pk))
    assert page.context["may_decide"] is True
    response = client.post(url("method_decide", big.pk), {"decision": "refuse", "note": ""})
    assert response.status_code == 200
    assert response.context["decide_form"].errors["note"]
    response = client.post(url("method_decide", big.pk), {"decision": "whatever"})
    assert "Choose approve or refuse." in text(response)
    response = client.post(
        url("method_decide", big.pk), {"decision": "approve", "note": "同意变更"}
    )
    assert response.status_code == 302
    big.refresh_from_db()
    assert big.method_approval == MethodApproval.APPROVED and big.can_start
    assert "同意变更" in text(client.get(url("project_detail", big.pk)))
    # nothing waits any more
    response = client.post(url("method_decide", big.pk), {"decision": "approve"})
    assert "No change of method awaits a decision." in text(response)


def test_a_refused_method_can_be_chosen_again(client, buying, big):
    services.choose_method(
        actor=buying.purchaser, project=big, method="single_source", reason="唯一供应商"
    )
    services.decide_method(
        actor=buying.finance, project=big, approve=False, note="不符合单一来源条件"
    )
    login(client, buying.purchaser)
    page = client.get(url("project_detail", big.pk))
    assert page.context["method_form"]["method"].value() == "open_tender"
    assert "不符合单一来源条件" in text(page)
    response = client.post(url("project_method", big.pk), {"method": "open_tender"})
    assert response.status_code == 302
    big.refresh_from_db()
    assert big.method_approval == MethodApproval.NOT_NEEDED


# --- cancel --------------------------------------------------------------------------------------


def test_cancel_asks_for_a_reason_and_releases_the_money(client, buying):
    line = new_line(buying)
    p = approved(buying, line, "800000.00")
    login(client, buying.purchaser)
    page = client.get(url("project_cancel", p.pk))
    assert page.status_code == 200
    assert "800,000.00" in text(page) and "cannot be undone" in text(page)
    response = client.post(url("project_cancel", p.pk), {"reason": "  "})
    assert response.status_code == 200
    assert response.context["form"].errors["reason"]
    line.refresh_from_db()
    assert line.committed == D("800000.00")
    response = client.post(url("project_cancel", p.pk), {"reason": "政策调整"})
    assert response.status_code == 302
    p.refresh_from_db()
    line.refresh_from_db()
    assert p.status == ProjectStatus.CANCELLED and line.committed == 0
    assert "政策调整" in text(client.get(url("project_detail", p.pk)))
    assert client.get(url("project_cancel", p.pk)).status_code == 302  # already cancelled


def test_only_the_department_cancels(client, buying):
    p = make_project(buying)
    login(client, buying.finance)
    assert client.get(url("project_cancel", p.pk)).status_code == 403
    assert client.post(url("project_cancel", p.pk), {"reason": "x"}).status_code == 403
    for user in (buying.other_purchaser, buying.finance_ly):
        login(client, user)
        assert client.post(url("project_cancel", p.pk), {"reason": "x"}).status_code == 404
    p.refresh_from_db()
    assert p.status == ProjectStatus.DRAFT
    assert BudgetLine.objects.get(pk=p.budget_line_id).committed == D("300000.00")


# --- inbox and splitting flags ---------------------------------------------------------------


@pytest.fixture
def flagged(buying):
    """Three pieces of one item (社会工作服务) that together reach 100万 (B4)."""
    social_work = buying.department_catalog.items.get(code="B0301")
    line = buying.line(
        "2000000.00",
        name="社区社会工作服务",
        catalog_item=social_work,
        out_years=[{"year": buying.year + 1, "amount": "1"}],
    )
    pieces = [
        make_project(buying, line, a, name="社区社会工作服务采购")
        for a in ("400000.00", "400000.00", "200000.00")
    ]
    return SplitFlag.objects.get(), pieces


def test_inbox_of_a_manager_lists_requirements_to_review(client, buying, make_user):
    p = submitted(buying, make_project(buying))
    other_dept = make_project(buying, new_line(buying, "100000.00"), "50000.00")  # still a draft
    login(client, buying.manager)
    page = client.get(url("inbox"))
    assert [x.pk for x in page.context["reviews"]] == [p.pk]
    assert other_dept.code not in text(page)
    login(client, buying.purchaser)  # not a manager
    page = client.get(url("inbox"))
    assert page.status_code == 200 and page.context["reviews"] == []
    assert "Nothing waits for you" in text(page)


def test_inbox_of_finance_lists_changes_of_method_and_open_flags(client, buying, big, flagged):
    services.choose_method(
        actor=buying.purchaser, project=big, method="invitational_tender", reason="专业性强"
    )
    flag, _pieces = flagged
    login(client, buying.finance)
    page = client.get(url("inbox"))
    assert [x.pk for x in page.context["approvals"]] == [big.pk]
    assert [f.pk for f in page.context["flags"]] == [flag.pk]
    assert reverse("procurement:split_flag_clear", args=[flag.pk]) in text(page)
    for user in (buying.finance_hn, buying.finance_ly):
        login(client, user)
        page = client.get(url("inbox"))
        assert page.context["approvals"] == [] and page.context["flags"] == []
    login(client, buying.auditor)
    assert client.get(url("inbox")).status_code == 403


def test_split_flags_list_is_scoped_and_filtered(client, buying, flagged):
    flag, pieces = flagged
    for user in (buying.finance, buying.finance_hn, buying.auditor, buying.purchaser):
        login(client, user)
        page = client.get(url("split_flags"))
        assert page.status_code == 200
        assert [f.pk for f in page.context["page"]] == [flag.pk], user
        assert all(p.code in text(page) for p in pieces)
    login(client, buying.finance)
    assert (
        client.get(url("split_flags"), {"status": "cleared"}).context["page"].paginator.count == 0
    )
    assert client.get(url("split_flags"), {"status": "bogus"}).status_code == 200
    for user in (buying.finance_ly, buying.other_purchaser):
        login(client, user)
        assert list(client.get(url("split_flags")).context["page"]) == []


def test_finance_clears_a_flag_with_a_note(client, buying, flagged):
    flag, pieces = flagged
    login(client, buying.purchaser)
    assert client.get(url("split_flag_clear", flag.pk)).status_code == 403
    login(client, buying.finance_hn)
    assert client.post(url("split_flag_clear", flag.pk), {"note": "x"}).status_code == 403
    login(client, buying.finance_ly)
    assert client.post(url("split_flag_clear", flag.pk), {"note": "x"}).status_code == 404
    flag.refresh_from_db()
    assert flag.status == SplitFlagStatus.OPEN
    login(client, buying.finance)
    page = client.get(url("split_flag_clear", flag.pk))
    assert page.status_code == 200 and pieces[0].code in text(page)
    response = client.post(url("split_flag_clear", flag.pk), {"note": ""})
    assert response.status_code == 200 and response.context["form"].errors["note"]
    response = client.post(url("split_flag_clear", flag.pk), {"note": "两次为不同街道，已核实"})
    assert response.status_code == 302
    flag.refresh_from_db()
    assert flag.status == SplitFlagStatus.CLEARED and flag.cleared_by == buying.finance
    page = client.get(url("project_detail", pieces[0].pk))
    assert "两次为不同街道，已核实" in text(page)
    assert client.get(url("split_flag_clear", flag.pk)).status_code == 302


def test_split_flags_page_queries_do_not_grow(client, buying, django_assert_max_num_queries):
    line = new_line(buying, "30000000.00")
    for _ in range(3):
        make_project(buying, line, "400000.00")
    login(client, buying.finance)
    client.get(url("split_flags"))
    few = _queries(client, url("split_flags"), django_assert_max_num_queries)
    for _ in range(20):
        make_project(buying, line, "400000.00")
    assert _queries(client, url("split_flags"), django_assert_max_num_queries) == few


# --- the public method page ----------------------------------------------------------------------


def test_methods_page_is_public_and_answers_with_reasons(client, db):
    page = client.get(url("methods"))
    assert page.status_code == 200
    assert "Which procurement method?" in text(page)
    assert page.context["decision"] is None
    page = client.get(
        url("methods"), {"amount": "2000000.00", "region": "370000", "on": "2026-03-01"}
    )
    body = text(page)
    assert page.status_code == 200
    decision = page.context["decision"]
    assert decision.procurement_law_applies and decision.default == "open_tender"
    assert "The procurement law applies" in body
    assert "2,000,000.00" in body and "open-tender threshold" in body
    assert "P2" in body and "政府采购法 第二十七条" in body
    assert "needed before the purchase starts" in body


def test_methods_page_flags_and_regions(client, db):
    page = client.get(url("methods"), {"amount": "300000.00", "region": "410100"})
    assert page.context["decision"].allowed == ["competitive_review"]
    page = client.get(
        url("methods"), {"amount": "300000.00", "region": "410100", "own_public_welfare_2": "on"}
    )
    assert page.context["decision"].default == "direct_commission"
    assert "P6" in text(page)
    page = client.get(url("methods"), {"amount": "300000.00", "voucher": "on", "emergency": "on"})
    rules = {r["rule"] for r in page.context["decision"].reasons}
    assert {"P3", "P9"} <= rules
    page = client.get(url("methods"), {"amount": "10.00", "centralized_catalog": "on"})
    assert page.context["decision"].procurement_law_applies is True


@pytest.mark.parametrize(
    "params, field",
    [
        ({"amount": ""}, "amount"),
        ({"amount": "0"}, "amount"),
        ({"amount": "-1"}, "amount"),
        ({"amount": "1.001"}, "amount"),
        ({"amount": "abc"}, "amount"),
        ({"amount": "1e20"}, "amount"),
        ({"amount": "100", "region": "999999"}, "region"),
        ({"amount": "100", "on": "1999-01-01"}, "on"),
        ({"amount": "100", "on": "not a date"}, "on"),
    ],
)
def test_methods_page_bad_input_is_a_field_error(client, db, params, field):
    page = client.get(url("methods"), params)
    assert page.status_code == 200
    assert page.context["form"].errors[field]
    assert page.context["decision"] is None


def test_methods_page_answers_htmx_with_the_result_only(client, db):
    page = client.get(url("methods"), {"amount": "1500000.00"}, HTTP_HX_REQUEST="true")
    body = text(page)
    assert page.status_code == 200
    assert "<html" not in body and "competitive_consultation" in body
    assert "HX-Request" in page["Vary"]


def test_methods_page_in_chinese_and_english(client, db, settings):
    params = {"amount": "1500000.00", "region": "370000", "on": "2026-03-01"}
    page = client.get(url("methods"), params)
    assert 'lang="en"' in text(page)
    assert "Budget 1,500,000.00 元 is at or above the procurement threshold" in text(page)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    with translation.override("zh-hans"):
        page = client.get(url("methods"), params)
    body = text(page)
    assert page.status_code == 200
    assert 'lang="zh-Hans"' in body
    assert "竞争性磋商" in body and "1,500,000.00" in body and "P2" in body


def test_methods_page_htmx_errors_are_listed_in_the_result(client, db):
    page = client.get(url("methods"), {"amount": "-1"}, HTTP_HX_REQUEST="true")
    assert page.status_code == 200
    assert "Correct the input" in text(page) and "more than 0" in text(page)


# --- never a 500 ---------------------------------------------------------------------------------

GARBAGE = [
    {},
    {"decision": "approve"},
    {"decision": "return", "note": "x" * 30000},
    {"method": "x" * 100, "reason": "\x00"},
    {"amount": "1e999", "term_start": "0000-00-00", "intended_provider": "-1"},
    {"budget_line": "abc", "name": "🙂" * 300, "emergency": "on"},
]


@pytest.mark.parametrize(
    "who", ["purchaser", "manager", "finance", "finance_ly", "other_purchaser"]
)
def test_garbage_posts_never_answer_500(client, buying, who):
    line = new_line(buying, "4500000.00")
    draft = make_project(buying, line)
    ready = approved(buying, line, "4000000.00")
    login(client, getattr(buying, who))
    for data in GARBAGE:
        for path in (
            url("project_create"),
            *(
                url(name, p.pk)
                for p in (draft, ready)
                for name in (
                    "project_edit",
                    "project_submit",
                    "project_review",
                    "project_cancel",
                    "project_method",
                    "method_decide",
                )
            ),
        ):
            response = client.post(path, data)
            assert response.status_code < 500, (path, data)
    line.refresh_from_db()
    assert line.committed <= line.total
