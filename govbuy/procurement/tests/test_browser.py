"""A real browser, budget first: a purchaser files a budget line, the finance
bureau approves it, the purchaser starts a purchase on it, the department's
manager approves the requirements, and the purchase page shows the allowed
methods with their reasons."""

import pytest
from django.core.management import call_command

from govbuy.accounts.tests.test_browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    browser_or_skip,
    screenshot,
)
from govbuy.demo.data import DEMO_PASSWORD

LINE = "社区老年人健康讲座服务"
PROJECT = "2026 年社区老年人健康讲座服务采购"


def log_in(context, page, base, username):
    context.clear_cookies()
    context.add_cookies([{"name": "govbuy_language", "value": "en", "url": base}])
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.locator("main").get_by_role("button", name="Log in", exact=True).click()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_budget_line_to_purchase_with_methods(live_server, monkeypatch):
    sync_playwright = browser_or_skip()
    # The test reads the database between steps, inside Playwright's event loop.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import expect

    from govbuy.budgets.models import BudgetLine
    from govbuy.catalog.models import DepartmentCatalogItem
    from govbuy.demo.catalog import current_year
    from govbuy.procurement.models import PurchaseProject

    call_command("load_demo", verbosity=0)
    YEAR = current_year()
    item = DepartmentCatalogItem.objects.get(
        department_catalog__organization__name="郑州市民政局（演示）",
        department_catalog__year=YEAR,
        code="A0502",
    )
    base = live_server.url
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
            context.set_default_timeout(15_000)
            page = context.new_page()

            # 1. The purchaser (郑州市民政局) files a two-year budget line and submits it.
            log_in(context, page, base, "purchaser")
            # The year comes in the address: changing the select reloads the item list.
            page.goto(f"{base}/budgets/new/?fiscal_year={YEAR}")
            expect(page.locator("select[name=fiscal_year]")).to_have_value(str(YEAR))
            page.locator("input[name=name]").fill(LINE)
            page.locator("select[name=catalog_item]").select_option(str(item.pk))
            page.locator("input[name=amount]").fill("400000.00")
            page.locator("input[name=functional_class]").fill("2081002")
            page.locator("input[name=economic_class]").fill("30227")
            page.locator("textarea[name=justification]").fill(
                "全市 200 个社区每年 4 场健康讲座，每场 1,000 元（含讲师与场地）。"
            )
            page.locator("input[name='out_years-0-year']").fill(str(YEAR + 1))
            page.locator("input[name='out_years-0-amount']").fill("400000.00")
            page.get_by_role("button", name="Save draft").click()
            expect(page.locator("main")).to_contain_text(LINE)
            page.get_by_role("button", name="Submit to the finance bureau").click()
            expect(page.locator("main")).to_contain_text("Submitted")
            line = BudgetLine.objects.get(name=LINE)

            # 2. 郑州's finance bureau approves it from its inbox.
            log_in(context, page, base, "finance_zz")
            page.goto(f"{base}/budgets/inbox/")
            page.get_by_role("link", name=LINE).first.click()
            page.get_by_role("button", name="Approve").click()
            expect(page.locator("main")).to_contain_text("Approved")
            line.refresh_from_db()
            assert line.status == "approved"

            # 3. The purchaser starts a purchase on the line and submits its requirements.
            log_in(context, page, base, "purchaser")
            page.goto(f"{base}/procurement/new/?line={line.pk}")
            page.locator("input[name=name]").fill(PROJECT)
            page.locator("input[name=amount]").fill("800000.00")
            fields = {
                "content": "在社区开展老年人慢病预防、防跌倒、合理用药等健康讲座。",
                "standards": "每场不少于 60 分钟，讲师具备执业医师或健康管理师资格。",
                "technical_guarantees": "签到系统记录参与人次，讲座全程录像备查。",
                "goals": "提高老年人健康素养",
                "indicators": "讲座场次：≥800\n满意度：≥90%",
            }
            for name, value in fields.items():
                page.locator(f"textarea[name={name}]").fill(value)
            page.locator("input[name=quantity]").fill("800 场")
            page.locator("input[name=recipients]").fill("60 周岁以上老年人")
            page.locator("input[name=place]").fill("郑州市各社区")
            page.locator("input[name=term_start]").fill(f"{YEAR + 1}-01-01")
            page.locator("input[name=term_end]").fill(f"{YEAR + 1}-12-31")
            page.get_by_role("button", name="Create the project").click()
            expect(page.locator("main")).to_contain_text(PROJECT)
            page.get_by_role("button", name="Submit the requirements for review").click()
            expect(page.locator("main")).to_contain_text("Requirements under review")
            project = PurchaseProject.objects.get(name=PROJECT)
            line.refresh_from_db()
            assert line.committed == project.amount

            # 4. The department's manager approves the requirements.
            log_in(context, page, base, "purchaser_mgr")
            page.goto(f"{base}/procurement/{project.pk}/")
            for name in ("complete", "compliant", "reasonable"):
                page.locator(f"input[name={name}]").check()
            page.get_by_role("button", name="Approve").click()
            expect(page.locator("main")).to_contain_text("Requirements approved")

            # 5. The purchase page shows the allowed methods with reasons and the values cited.
            log_in(context, page, base, "purchaser")
            page.goto(f"{base}/procurement/{project.pk}/")
            panel = page.locator("main")
            expect(panel).to_contain_text("Competitive review (竞争性评审)")
            expect(panel).to_contain_text("P3")
            expect(panel).to_contain_text("1,000,000.00")
            expect(panel).to_contain_text("豫财购〔2020〕4号")
            context.add_cookies([{"name": "govbuy_language", "value": "zh-hans", "url": base}])
            page.reload()
            expect(panel).to_contain_text("竞争性评审")
            screenshot(page, "purchase-methods.png")
            context.add_cookies([{"name": "govbuy_language", "value": "en", "url": base}])
            page.reload()
            page.get_by_role("button", name="Settle the method").click()
            expect(panel).to_contain_text("the purchase may start")
        finally:
            browser.close()

    project.refresh_from_db()
    assert project.status == "approved"
    assert project.method == "competitive_review"
    assert project.reviews.get().reviewer.username == "purchaser_mgr"
