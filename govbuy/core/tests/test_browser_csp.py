"""The Content-Security-Policy in a real browser (Debian's chromium via Playwright):
no page reports a CSP violation, and what used to be inline script still works —
the home page's tools, the language switch, htmx search, a confirm() before a
destructive submit, Bootstrap's dropdown and the API docs."""

import re

import pytest
from django.core.management import call_command

from govbuy.accounts.tests.test_browser import CHROMIUM, CHROMIUM_ARGS, browser_or_skip, log_in


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_pages_work_under_the_csp_without_violations(live_server, monkeypatch, settings):
    sync_playwright = browser_or_skip()
    from playwright.sync_api import expect

    settings.GOVBUY_API_DOCS = True
    call_command("load_demo", verbosity=0)
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    base = live_server.url
    problems: list[str] = []

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 800})
            context.set_default_timeout(15_000)
            page = context.new_page()
            page.on(
                "console",
                lambda m: (
                    problems.append(f"{page.url}: {m.text}")
                    if (m.type == "error" and not m.text.startswith("Failed to load resource"))
                    or "Content Security Policy" in m.text
                    else None
                ),
            )
            page.on("pageerror", lambda e: problems.append(f"{page.url}: {e}"))
            # A missing resource is logged without its address: name it instead.
            page.on(
                "response",
                lambda r: (
                    problems.append(f"{r.status} {r.url}")
                    if r.status >= 400 and not r.url.endswith("/favicon.ico")
                    else None
                ),
            )

            # The home page's tools (formerly an inline script).
            page.goto(f"{base}/")
            page.locator("#elig-type").select_option("enterprise")
            page.locator("#eligibility-form button[type=submit]").click()
            expect(page.locator("#elig-result")).to_contain_text("作为承接主体：")
            page.locator("#cal-start").fill("2025-09-30")
            page.locator("#cal-n").fill("1")
            page.locator("#calendar-form button[type=submit]").click()
            expect(page.locator("#cal-result")).to_have_text("2025-10-09")  # after 国庆

            # htmx: typing in the catalog search swaps the results in place.
            page.goto(f"{base}/catalog/")
            page.locator("#q").fill("养老")
            expect(page).to_have_url(re.compile(r"q=%E5%85%BB%E8%80%81"))
            expect(page.locator("#catalog-results")).to_contain_text("养老")

            # The API docs (Swagger UI, served locally).
            page.goto(f"{base}/api/v1/docs")
            expect(page.locator(".swagger-ui .info")).to_be_visible()

            # Log in; the language switch submits on change; the account dropdown opens.
            log_in(page, base, "admin")
            expect(page).to_have_url(re.compile(r"/workbench/$"))
            page.locator("#language-select").select_option("en")
            expect(page.get_by_role("heading", level=1)).to_have_text("Platform administration")
            page.locator("#language-select").select_option("zh-hans")
            page.locator("header .dropdown-toggle").click()
            expect(page.get_by_role("link", name="API 令牌")).to_be_visible()

            # A confirm() before revoking a token: dismissed changes nothing, accepted revokes.
            page.goto(f"{base}/accounts/tokens/")
            page.get_by_label("令牌名称").fill("浏览器测试")
            page.get_by_role("button", name="创建令牌").click()
            expect(page.locator("#new-token")).to_be_visible()
            page.once("dialog", lambda d: d.dismiss())
            page.get_by_role("button", name="撤销").click()
            expect(page.get_by_role("button", name="撤销")).to_be_visible()
            page.once("dialog", lambda d: d.accept())
            page.get_by_role("button", name="撤销").click()
            expect(page.locator("text=令牌已撤销。")).to_be_visible()

            # The administrator's pages.
            page.goto(f"{base}/manage/users/")
            expect(page.locator("[data-testid=user-row]").first).to_be_visible()
        finally:
            browser.close()

    assert problems == []
