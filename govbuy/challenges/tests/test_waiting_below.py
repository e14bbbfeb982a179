"""Issue 11, item 16: a finance bureau sees what waits at the bureaus below it
(budget lines, budget adjustments, department catalogs, catalog adjustments,
changes of method, splitting flags, complaints), each "waiting at" the bureau
of its own level, which alone decides it; the workbench does so in a fixed
number of queries."""

from __future__ import annotations

import re

import pytest

from govbuy.budgets import services as budgets
from govbuy.catalog import department
from govbuy.challenges import services as challenge_services
from govbuy.core.errors import NotAllowed
from govbuy.procurement import services
from govbuy.procurement.tests.fixtures import approved_project
from govbuy.tendering.tests.fixtures import start

WORKBENCH = "/workbench/"
BELOW = "/procurement/inbox/below/"


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"


def submitted_line(buying, amount="300000.00", **fields):
    line = buying.line(amount, approve=False, **fields)
    return budgets.submit_line(actor=buying.purchaser, line=line)


def counts_at(rows, bureau) -> dict:
    [row] = [r for r in rows if r.bureau == bureau]
    return {k: v for k, v in row.counts.items() if v}


def links(html: str) -> list[str]:
    return sorted(set(re.findall(r'href="(/[^"#?]*)', html)))


def test_the_province_workbench_shows_a_line_waiting_at_the_city_bureau(client, buying):
    line = submitted_line(buying)
    client.force_login(buying.finance_hn)

    response = client.get(WORKBENCH)

    assert response.status_code == 200
    rows = response.context["waiting_below"]
    assert [(r.region_code, r.bureau) for r in rows] == [("410100", buying.zz.name)]
    assert counts_at(rows, buying.zz.name) == {"lines": 1}
    html = response.content.decode()
    assert f"waiting at {buying.zz.name}" in html
    # Read-only: the province's own inbox stays empty, and it may not decide.
    assert response.context["budget_inbox"] == 0
    with pytest.raises(NotAllowed):
        budgets.approve_line(actor=buying.finance_hn, line=line)


def test_the_deciding_bureau_has_it_in_its_own_inbox_and_nothing_below(client, buying):
    submitted_line(buying)
    client.force_login(buying.finance)

    response = client.get(WORKBENCH)

    assert response.context["budget_inbox"] == 1
    assert response.context["waiting_below"] == []
    assert "Nothing waits at the finance bureaus below yours." in response.content.decode()


def test_another_city_sees_nothing_of_zhengzhou(client, buying):
    from govbuy.workbench.inbox import waiting_below

    submitted_line(buying)

    assert waiting_below(buying.finance_ly) == []
    assert waiting_below(buying.purchaser) == []
    assert waiting_below(buying.auditor) == []


def test_every_kind_waiting_below_is_counted_listed_and_readable(client, tendering, clock):
    t = tendering
    # A budget line and a budget adjustment waiting for 郑州.
    submitted_line(t)
    approved = t.line("800000.00")
    budgets.propose_adjustment(
        actor=t.purchaser, line=approved, amount_after="900000.00", reason="服务对象增加"
    )
    # A department catalog submitted by another department of 郑州.
    dc = department.create_department_catalog(
        actor=t.other_purchaser, organization=t.other, year=t.year
    )
    department.add_department_item(
        actor=t.other_purchaser,
        department_catalog=dc,
        parent_code="A02",
        code="A0204",
        name="政府组织的就业培训和创业培训",
    )
    department.submit_department_catalog(actor=t.other_purchaser, department_catalog=dc)
    # A change of method waiting for approval.
    pending = approved_project(t, method="open_tender", amount="4200000.00")
    services.choose_method(
        actor=t.purchaser,
        project=pending,
        method="competitive_consultation",
        reason="专业养老服务市场主体有限，需多轮磋商",
    )
    # A splitting flag: three pieces of one item each under the 100万 threshold
    # (社会工作服务: the purchases above are 助餐服务).
    pieces = t.line("1500000.00", catalog_item=t.department_catalog.items.get(code="B0301"))
    for amount in ("400000.00", "400000.00", "300000.00"):
        services.create_project(
            actor=t.purchaser,
            budget_line=pieces,
            name="社区社会工作服务采购",
            amount=amount,
            term_start=f"{t.year}-11-01",
            term_end=f"{t.year}-12-31",
            content="为社区居民提供社会工作服务",
        )
    # A complaint filed with 郑州's finance bureau.
    clock.at("2026-09-15 10:00")
    tender = start(services, t)
    clock.at("2026-09-16 10:00")
    question = challenge_services.file_question(
        actor=t.large_user, tender=tender, provider=t.large, subject="documents", content="质疑。"
    )
    challenge_services.answer_question(actor=t.purchaser, question=question, answer="答复。")
    challenge_services.file_complaint(actor=t.large_user, question=question, content="投诉。")
    client.force_login(t.finance_hn)

    workbench = client.get(WORKBENCH)

    assert counts_at(workbench.context["waiting_below"], t.zz.name) == {
        "lines": 1,
        "budget_adjustments": 1,
        "department_catalogs": 1,
        "method_approvals": 1,
        "split_flags": 1,
        "complaints": 1,
    }
    page = client.get(BELOW)
    assert page.status_code == 200
    html = page.content.decode()
    for kind in (
        "lines",
        "budget-adjustments",
        "department-catalogs",
        "method-approvals",
        "split-flags",
        "complaints",
    ):
        assert f'data-testid="below-{kind}"' in html, kind
    assert html.count(f"waiting at {t.zz.name}") == 6
    # The province reads every item it is shown (its region's subtree), and decides none.
    for href in links(html[html.index("<h1") :]):
        assert client.get(href).status_code == 200, href
    assert "/decide/" not in html and "/approve/" not in html
    with pytest.raises(NotAllowed):
        services.decide_method(actor=t.finance_hn, project=pending, approve=True)
    # The deciding bureau has them in its own inbox, not below.
    client.force_login(t.finance)
    assert client.get(WORKBENCH).context["waiting_below"] == []
    assert client.get(BELOW).context["total"] == 0


def test_the_page_below_is_for_finance_bureaus_only(client, buying):
    for user in (buying.purchaser, buying.auditor):
        client.force_login(user)
        assert client.get(BELOW).status_code == 403


def test_the_budget_inbox_points_the_province_to_what_waits_below(client, buying):
    submitted_line(buying)
    client.force_login(buying.finance_hn)

    html = client.get("/budgets/inbox/").content.decode()

    assert 'data-testid="inbox-below-hint"' in html
    assert BELOW in html
    client.force_login(buying.finance)
    assert 'data-testid="inbox-below-hint"' not in client.get("/budgets/inbox/").content.decode()


def luoyang_department(buying, make_org, make_user):
    """A purchasing department of 洛阳 with an approved catalog: lines it files wait
    for 洛阳's finance bureau."""
    dept = make_org("洛阳市民政局（测）", "410300", is_purchaser=True)
    purchaser = make_user("purchaser", dept)
    dc = department.create_department_catalog(actor=purchaser, organization=dept, year=buying.year)
    item = department.add_department_item(
        actor=purchaser,
        department_catalog=dc,
        parent_code="A04",
        code="A0401",
        name="困境儿童关爱保护服务",
    )
    department.submit_department_catalog(actor=purchaser, department_catalog=dc)
    department.approve_department_catalog(actor=buying.finance_ly, department_catalog=dc)
    return dept, purchaser, item


def test_the_finance_workbench_costs_the_same_queries_with_more_waiting_below(
    client, buying, make_org, make_user, django_assert_max_num_queries
):
    submitted_line(buying)
    client.force_login(buying.finance_hn)
    client.get(WORKBENCH)  # warm-up: first-request caches

    with django_assert_max_num_queries(60) as few:
        response = client.get(WORKBENCH)
    assert len(response.context["waiting_below"]) == 1
    for i in range(4):
        submitted_line(buying, name=f"社区老年助餐服务（{i}）")
    dept, purchaser, item = luoyang_department(buying, make_org, make_user)
    for i in range(3):
        line = budgets.create_line(
            actor=purchaser,
            department=dept,
            fiscal_year=buying.year,
            name=f"困境儿童关爱保护服务（{i}）",
            catalog_item=item,
            amount="200000.00",
            functional_class="2081002",
            economic_class="30227",
            justification="困境儿童 450 名，按每人每年关爱服务 444 元测算。",
        )
        budgets.submit_line(actor=purchaser, line=line)
    with django_assert_max_num_queries(60) as many:
        response = client.get(WORKBENCH)

    rows = response.context["waiting_below"]
    assert [(r.bureau, r.counts["lines"]) for r in rows] == [
        (buying.zz.name, 5),
        (buying.ly.name, 3),
    ]
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_page_below_costs_the_same_queries_with_more_items(
    client, buying, make_org, make_user, django_assert_max_num_queries
):
    submitted_line(buying)
    client.force_login(buying.finance_hn)
    client.get(BELOW)

    with django_assert_max_num_queries(30) as few:
        assert client.get(BELOW).context["total"] == 1
    for i in range(4):
        submitted_line(buying, name=f"社区老年助餐服务（{i}）")
    luoyang_department(buying, make_org, make_user)
    with django_assert_max_num_queries(30) as many:
        assert client.get(BELOW).context["total"] == 5

    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_workbench_counts_what_waits_in_the_catalog_inbox(client, buying, make_user):
    from govbuy.catalog import department

    dc = department.create_department_catalog(
        actor=buying.other_purchaser, organization=buying.other, year=buying.year
    )
    department.add_department_item(
        actor=buying.other_purchaser,
        department_catalog=dc,
        parent_code="A02",
        code="A0204",
        name="政府组织的就业培训和创业培训",
    )
    department.submit_department_catalog(actor=buying.other_purchaser, department_catalog=dc)

    client.force_login(buying.finance)
    assert client.get(WORKBENCH).context["catalog_inbox"] == 1
    client.force_login(buying.finance_hn)
    assert client.get(WORKBENCH).context["catalog_inbox"] == 0
