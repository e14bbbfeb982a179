"""Issue 11, items 16 and 18: what a new user meets in the demo. The README and
`manage.py demo_logins` list every login the demo's flows need; the province's
finance bureau sees what waits below it; the demo buys catalog items, never
categories, files each service under its own item (no false splitting warning),
and opens its own open tender successfully; every link on each demo login's
workbench leads somewhere."""

from __future__ import annotations

import datetime as dt
import re
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from govbuy.accounts.models import User
from govbuy.budgets import selectors as budget_selectors
from govbuy.budgets import services as budgets
from govbuy.budgets.models import BudgetLine
from govbuy.catalog import selectors as catalog_selectors
from govbuy.catalog.models import DepartmentCatalogItem
from govbuy.demo import data, running
from govbuy.demo.catalog import current_year
from govbuy.procurement import selectors as procurement_selectors
from govbuy.procurement import services as procurement
from govbuy.procurement.models import PurchaseProject
from govbuy.tendering.models import BidStatus, TenderStatus
from govbuy.workbench import inbox

README = Path(settings.BASE_DIR) / "README.md"


@pytest.fixture
def demo(demo_module, db):
    """The demo, loaded once for this module (conftest.demo_module)."""


def login(client, username):
    client.force_login(User.objects.get(username=username))


def in_english(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})


# --- item 16: the logins ---------------------------------------------------------------------


def readme_logins() -> dict[str, str]:
    """The README's table of demo logins: username → the rest of its row."""
    rows = {}
    for line in README.read_text(encoding="utf-8").splitlines():
        found = re.match(r"^\|\s*`([a-z_0-9]+)`[^|]*\|(.*)\|\s*$", line)
        if found:
            rows[found.group(1)] = found.group(2)
    return rows


def test_the_readme_lists_every_printed_login_with_role_organization_and_what_to_try(db):
    rows = readme_logins()
    for login_ in data.DEMO_LOGINS:
        assert login_.username in rows, login_.username
        role, organization, to_try = [c.strip() for c in rows[login_.username].split("|")]
        assert (role, organization, to_try) == (
            login_.role,
            login_.organization,
            login_.try_this,
        )
    assert "finance_zz" in rows and "郑州市财政局（演示）" in rows["finance_zz"]


def test_demo_logins_prints_each_login_with_its_organization_and_what_to_try(db):
    out = StringIO()

    call_command("demo_logins", stdout=out)

    text = out.getvalue()
    assert data.DEMO_PASSWORD in text
    for login_ in data.DEMO_LOGINS:
        [line] = [x for x in text.splitlines() if x.split()[:1] == [login_.username]]
        assert login_.organization in line and login_.role in line
        assert login_.try_this in text
    assert "finance_zz" in text


def waiting_for(user) -> int:
    """How much waits for `user` after the demo is loaded, in every inbox."""
    waiting = budget_selectors.finance_inbox(user)
    catalogs = catalog_selectors.finance_inbox(user)
    total = waiting["lines"].count() + waiting["adjustments"].count()
    total += catalogs["adjustments"].count() + catalogs["department_catalogs"].count()
    total += procurement_selectors.review_queue(user).count()
    total += procurement_selectors.method_approvals_for(user).count()
    total += procurement_selectors.split_flags_to_clear(user).count()
    for m in user.active_memberships:
        total += inbox.count(inbox.items_for(user, m.role))
    return total


def test_everyone_something_waits_for_in_the_demo_is_a_printed_login(demo):
    printed = {login_.username for login_ in data.DEMO_LOGINS}
    needed = {
        u.username
        for u in User.objects.filter(username__in=[x[0] for x in data.USERS])
        if not u.is_platform_admin and waiting_for(u)
    }

    assert needed, "the demo leaves work for someone"
    assert needed <= printed, sorted(needed - printed)
    assert {"finance_zz", "purchaser_mgr"} <= needed


def test_the_provinces_login_sees_what_waits_at_zhengzhou(client, demo):
    login(client, "finance")

    in_english(client)
    response = client.get("/workbench/")

    rows = {r.bureau: r for r in response.context["waiting_below"]}
    zhengzhou = rows["郑州市财政局（演示）"]
    assert zhengzhou.counts["lines"] >= 1
    assert zhengzhou.counts["split_flags"] >= 1
    assert "waiting at 郑州市财政局（演示）" in response.content.decode()


# --- item 18: the demo's data --------------------------------------------------------------


def test_the_demo_buys_items_never_categories(demo):
    lines = BudgetLine.objects.select_related("catalog_item")

    assert lines.exists()
    assert {line.catalog_item.depth >= 3 for line in lines} == {True}
    for project in PurchaseProject.objects.select_related("budget_line__catalog_item"):
        assert project.budget_line.catalog_item.depth >= 3, project.name


def test_the_elderly_assessment_is_filed_under_its_own_item(demo):
    project = PurchaseProject.objects.select_related("budget_line__catalog_item").get(
        name=running.live_name(current_year())
    )
    item = project.budget_line.catalog_item

    assert (project.catalog_code, item.guidance_item.name) == ("A0506", "老年人能力评估")
    assert item.parent.code == "A05"
    meals = DepartmentCatalogItem.objects.get(
        department_catalog__organization=project.department,
        department_catalog__year=project.budget_line.fiscal_year,
        code="A050101",
    )
    assert not PurchaseProject.objects.filter(budget_line__catalog_item=meals).exclude(
        name__contains="助餐"
    )


def test_a_new_meals_purchase_raises_no_false_splitting_warning(demo):
    purchaser, finance = (User.objects.get(username=u) for u in ("purchaser", "finance_zz"))
    dept = purchaser.active_memberships[0].organization
    year = BudgetLine.objects.filter(department=dept).latest("fiscal_year").fiscal_year
    line = budgets.create_line(
        actor=purchaser,
        department=dept,
        fiscal_year=year,
        name="社区老年助餐服务（新增助餐点）",
        catalog_item="A050101",
        amount="600000.00",
        functional_class="2081002",
        economic_class="30227",
        justification="新增 20 个社区助餐点，按每点每年 3 万元运营补助测算。",
        out_years=[{"year": year + 1, "amount": "1.00"}],
    )
    budgets.submit_line(actor=purchaser, line=line)
    budgets.approve_line(actor=finance, line=line)

    project = procurement.create_project(
        actor=purchaser,
        budget_line=line,
        name="新增社区助餐点运营服务采购",
        amount="500000.00",
        content="为新增的 20 个社区助餐点提供运营服务。",
    )

    assert [w["rule"] for w in project.warnings if w["rule"] == "B4"] == []


def test_the_demos_open_tender_has_the_bids_its_method_needs_and_opens(demo, clock):
    tender = PurchaseProject.objects.get(name=running.live_name(current_year())).tenders.get()
    bids = tender.bids.filter(status=BidStatus.SUBMITTED)
    assert tender.status == TenderStatus.BIDDING  # sealed until the opening
    assert bids.count() >= tender.min_bids == 3

    clock.at(tender.opening_at + dt.timedelta(minutes=1))
    call_command("tick", stdout=StringIO())  # what opens a due round by the clock

    tender.refresh_from_db()
    assert tender.status == TenderStatus.OPENED, tender.end_reason
    assert len(tender.opening_record) == bids.count()


# --- walking every login's workbench -------------------------------------------------------


def main_of(html: str) -> str:
    return html[html.index("<main") : html.index("</main>")]


def workbench_links(html: str) -> list[str]:
    return sorted(set(re.findall(r'href="(/[^"#]*)"', main_of(html))))


def test_every_link_on_every_demo_workbench_leads_somewhere(client, demo):
    for login_ in data.DEMO_LOGINS:
        login(client, login_.username)
        page = client.get("/workbench/")
        assert page.status_code == 200, login_.username
        for href in workbench_links(page.content.decode()):
            status = client.get(href).status_code
            assert status in (200, 302), (login_.username, href, status)


@pytest.mark.parametrize(
    ("username", "words"),
    [
        ("recipient", ["choose a provider", 'href="/procurement/notices/"']),
        ("evaluator", ["performance evaluation", 'href="/procurement/notices/"']),
        (
            "admin",
            [
                'href="/parameters/"',
                'href="/calendar/"',
                "users and organizations",
                "not act for it",
            ],
        ),
    ],
)
def test_the_workbenches_without_work_yet_say_what_their_role_can_and_will_do(
    client, demo, username, words
):
    login(client, username)

    in_english(client)
    html = main_of(client.get("/workbench/").content.decode())

    for word in words:
        assert word in html, word


def test_the_experts_workbench_links_no_page_of_the_bureau_it_does_not_act_for(client, demo):
    from govbuy.orgs.models import Organization

    bureau = Organization.objects.get(name="郑州市财政局（演示）")
    login(client, "expert")
    in_english(client)

    html = main_of(client.get("/workbench/").content.decode())

    assert f'href="/orgs/{bureau.pk}/"' not in html
    assert "You are in the expert pool (专家库) of 郑州市财政局（演示）" in html
    # Decided: the expert does not act for the bureau, so its pages stay closed to it.
    assert client.get(f"/orgs/{bureau.pk}/").status_code == 404
