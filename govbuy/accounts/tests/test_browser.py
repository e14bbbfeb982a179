"""A real browser (Debian's chromium, driven by Playwright) against a real HTTP
server: Chinese by default, logging in through the labelled form, switching the
language, changing users, and the keyboard path to the main content.

Never downloads a browser: without /usr/bin/chromium the test is skipped, or
fails when GOVBUY_REQUIRE_BROWSER=1 (CI). With GOVBUY_SCREENSHOTS=1 it also
writes docs/screenshots/{public-home,finance-workbench}.png.
"""

import os
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from govbuy.demo.data import DEMO_PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(settings.BASE_DIR) / "docs" / "screenshots"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def browser_or_skip():
    required = os.environ.get("GOVBUY_REQUIRE_BROWSER") == "1"
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing; install Debian's chromium (apt-get install chromium)"
        if required:
            pytest.fail(f"GOVBUY_REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(reason)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as e:
        if required:
            pytest.fail(f"GOVBUY_REQUIRE_BROWSER=1 but Playwright is not installed: {e}")
        pytest.skip(f"Playwright is not installed: {e}")
    return sync_playwright


def screenshot(page, name: str) -> None:
    if os.environ.get("GOVBUY_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / name), full_page=True)


def log_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.locator("main").get_by_role("button", name="登录", exact=True).click()


# The old names, for the procurement tests until they import the public ones
# (core/tests/test_import_hygiene.py lists them; drop these with that entry).
_browser_or_skip = browser_or_skip
_screenshot = screenshot


def _log_out(page) -> None:
    page.locator("header .dropdown-toggle").click()
    page.get_by_role("button", name="退出登录").click()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_finance_and_provider_in_a_real_browser(live_server, monkeypatch):
    sync_playwright = browser_or_skip()
    from playwright.sync_api import expect

    # Database work first: Playwright runs an event loop in this thread, and
    # Django refuses database access from async context. The variable covers
    # the flush at teardown; the live server's own thread is unaffected.
    call_command("load_demo", verbosity=0)
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    base = live_server.url

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 800})
            context.set_default_timeout(15_000)
            page = context.new_page()

            # 1. The public home, in Chinese.
            page.goto(f"{base}/")
            expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
            expect(page.get_by_role("heading", level=1)).to_have_text("政府购买服务平台")
            screenshot(page, "public-home.png")

            # 5. Keyboard: the first Tab reaches the skip link, which leads to #main.
            page.keyboard.press("Tab")
            skip = page.locator(":focus")
            expect(skip).to_have_text("跳到主要内容")
            expect(skip).to_have_attribute("href", "#main")
            expect(skip).to_be_visible()  # visible when focused
            page.keyboard.press("Enter")
            expect(page).to_have_url(re.compile(r"#main$"))
            expect(page.locator("#main")).to_be_focused()

            # 2. Log in as the demo finance user through the labelled form.
            log_in(page, base, "finance")
            expect(page).to_have_url(re.compile(r"/workbench/$"))
            expect(page.get_by_role("heading", level=1)).to_have_text("财政部门工作台")
            expect(page.locator("[data-testid=count-total]")).not_to_have_text("0")
            screenshot(page, "finance-workbench.png")

            # 3. English with the language menu (it submits on change), then back.
            page.locator("#language-select").select_option("en")
            expect(page.get_by_role("heading", level=1)).to_have_text("Finance bureau workbench")
            expect(page.locator("html")).to_have_attribute("lang", "en")
            expect(page).to_have_url(re.compile(r"/workbench/$"))
            page.locator("#language-select").select_option("zh-hans")
            expect(page.get_by_role("heading", level=1)).to_have_text("财政部门工作台")

            # 4. Log out, log in as the demo provider.
            _log_out(page)
            expect(page.get_by_role("heading", level=1)).to_have_text("政府购买服务平台")
            log_in(page, base, "provider")
            expect(page.get_by_role("heading", level=1)).to_have_text("承接主体工作台")
            expect(page.get_by_role("link", name="组织机构")).to_have_count(0)
        finally:
            browser.close()
