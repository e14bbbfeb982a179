"""A real browser: a department proposes a catalog item, the province's finance
bureau approves it, and the public finds it in the catalog by Chinese words and
by pinyin (full and initials)."""

import datetime as dt

import pytest
from django.core.management import call_command

from govbuy.accounts.tests.test_browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    browser_or_skip,
    screenshot,
)
from govbuy.demo.data import DEMO_PASSWORD

NAME = "老年人防跌倒居家评估服务"


def log_in(page, base, username):
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.locator("main").get_by_role("button", name="Log in", exact=True).click()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_propose_approve_and_find_in_the_public_catalog(live_server, monkeypatch):
    sync_playwright = browser_or_skip()
    from playwright.sync_api import expect

    from govbuy.accounts.models import User
    from govbuy.catalog.models import Catalog, CatalogItem
    from govbuy.core.services import set_policy_parameter
    from govbuy.demo.catalog import current_year
    from govbuy.orgs.models import Region

    call_command("load_demo", verbosity=0)
    henan = Region.objects.get(code="410000")
    year = current_year()
    # The yearly adjustment of 河南 closes on 31 December in this test, so the
    # approved item enters this year's published catalog at once (C6).
    from django.db import transaction

    with transaction.atomic():
        set_policy_parameter(
            actor=User.objects.get(username="admin"),
            key="catalog.adjustment_closes",
            value="12-31",
            effective_from=dt.date(year, 1, 1),
            basis="browser test",
            region=henan,
        )
    catalog = Catalog.objects.get(region=henan, year=year)
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    base = live_server.url

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
            context.add_cookies([{"name": "govbuy_language", "value": "en", "url": base}])
            context.set_default_timeout(15_000)
            page = context.new_page()

            # 1. The department (郑州市民政局) proposes a new item under 居家养老服务.
            log_in(page, base, "purchaser")
            page.goto(f"{base}/catalog/adjustments/new/")
            page.locator("select[name=action]").select_option("add")
            page.get_by_label("Parent item code (to add)").fill("A0501")
            page.get_by_label("Name", exact=True).fill(NAME)
            page.get_by_label("Keywords").fill("防跌倒 居家安全")
            page.get_by_label("Reason").fill("老年人跌倒是伤害死亡首因，需开展居家环境评估。")
            page.get_by_role("button", name="Send to the finance bureau").click()
            expect(page.locator("main")).to_contain_text("Awaiting finance approval")
            expect(page.locator("main")).to_contain_text(NAME)
            screenshot(page, "catalog-proposal.png")
            context.clear_cookies()
            context.add_cookies([{"name": "govbuy_language", "value": "en", "url": base}])

            # 2. The finance bureau that keeps the catalog approves it from its inbox.
            log_in(page, base, "finance")
            page.goto(f"{base}/catalog/inbox/")
            page.locator("tr", has_text=NAME).get_by_role("link", name=NAME).click()
            page.get_by_label("Note").fill("同意纳入目录。")
            page.get_by_role("button", name="Approve").click()
            expect(page.locator("main")).to_contain_text("Approved")
            context.clear_cookies()
            context.add_cookies([{"name": "govbuy_language", "value": "en", "url": base}])

            # 3. The public finds it in the catalog: by Chinese words, full pinyin, initials.
            for query in ("防跌倒", "居家评估", "fangdiedao", "lnrfdd"):
                page.goto(f"{base}/catalog/?catalog={catalog.pk}&q={query}")
                expect(page.locator("#catalog-results")).to_contain_text(NAME)
            page.get_by_role("link", name=NAME).first.click()
            expect(page.locator("main")).to_contain_text("A0501")
            expect(page.locator("main")).to_contain_text("老年人跌倒是伤害死亡首因")
            context.add_cookies([{"name": "govbuy_language", "value": "zh-hans", "url": base}])
            page.goto(f"{base}/catalog/?catalog={catalog.pk}&q=yanglao")
            expect(page.locator("#catalog-results")).to_contain_text("养老")
            screenshot(page, "catalog-search.png")
        finally:
            browser.close()

    item = CatalogItem.objects.get(catalog=catalog, name=NAME)
    assert item.parent.code == "A0501" and item.is_active
