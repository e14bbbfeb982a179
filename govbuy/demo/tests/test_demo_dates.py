"""Issue 12 B7: the demo follows today's date. Loaded with the clock at
2027-03-15 — a year the shipped holiday data does not cover — a user sees 2027
budget lines and the 2027 catalog; the replayed 2026 history keeps its dates;
the finance workbench says plainly that the 2027 holiday arrangements are not
entered yet, and links to the calendar page; once they are, the demo's current
round is open now."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone, translation

from govbuy.accounts.models import User
from govbuy.budgets.models import BudgetLine
from govbuy.catalog.models import Catalog, DepartmentCatalog
from govbuy.core.calendar import years_without_calendar
from govbuy.core.services import set_holiday_calendar
from govbuy.demo import running
from govbuy.procurement.models import PurchaseProject
from govbuy.tendering.models import TenderStatus

DAY = "2027-03-15 10:00"


def load(clock) -> str:
    clock.at(DAY)
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def login(client, username, language="zh-hans"):
    client.force_login(User.objects.get(username=username))
    client.cookies["govbuy_language"] = language


@pytest.mark.django_db
def test_2027_has_no_shipped_holiday_calendar_so_the_demo_says_so(client, clock):
    clock.at(DAY)
    assert 2027 in years_without_calendar(timezone.localdate())

    out = load(clock)

    assert "no open purchase: the 2027 holiday arrangements have not been entered yet" in out
    assert not PurchaseProject.objects.filter(name=running.live_name(2027)).exists()
    # In Chinese: “2027年节假日安排尚未录入” (locale/pending/time.json).
    login(client, "finance_zz", "en")
    with translation.override("en"):
        page = client.get("/workbench/").content.decode()
    notice = page.split('data-testid="calendar-missing"', 1)[1].split("</div>", 1)[0]
    assert "The 2027 holiday arrangements have not been entered yet" in notice
    assert 'href="/calendar/"' in notice


@pytest.mark.django_db
def test_a_2027_user_sees_2027_budget_lines_and_the_2027_catalog(client, clock):
    load(clock)

    dept_lines = BudgetLine.objects.filter(department__name="郑州市民政局（演示）")
    assert dept_lines.filter(fiscal_year=2027).count() == 5  # every state, this year
    henan = Catalog.objects.get(region__code="410000", year=2027)
    assert henan.status == "published"
    assert DepartmentCatalog.objects.filter(organization__name="郑州市民政局（演示）", year=2027)
    # The history keeps its own year and dates.
    history = PurchaseProject.objects.get(name=running.HISTORY_NAME)
    assert history.budget_line.fiscal_year == 2026
    assert history.tenders.get().published_at.year == 2026

    login(client, "purchaser")
    lines = client.get("/budgets/").content.decode()
    assert "2027" in lines and "社区老年助餐服务" in lines
    login(client, "finance_zz")
    assert "2027" in client.get("/budgets/inbox/").content.decode()
    catalogs = client.get("/catalog/").content.decode()
    assert "2027" in catalogs
    # The pages' "current" is 2027: the year picker of a new line offers it first.
    login(client, "purchaser")
    form = client.get("/budgets/new/").content.decode()
    assert 'value="2027"' in form


@pytest.mark.django_db
def test_with_the_2027_calendar_entered_the_demo_round_is_open_now(client, clock):
    clock.at(DAY)
    set_holiday_calendar(
        actor="test",
        year=2027,
        basis="国办发明电（测试）",
        days_text="2027-01-01 holiday 元旦",
    )

    out = load(clock)

    assert "open purchase" in out
    tender = PurchaseProject.objects.get(name=running.live_name(2027)).tenders.get()
    assert tender.status == TenderStatus.BIDDING
    assert tender.published_at.date() == timezone.localdate()
    assert tender.bid_deadline > timezone.now()
    assert tender.project.budget_line.fiscal_year == 2027
    login(client, "finance_zz", "en")
    with translation.override("en"):
        page = client.get("/workbench/").content.decode()
    assert "The 2027 holiday arrangements" not in page
