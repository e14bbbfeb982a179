"""The navigation bar fits a 1366 × 768 screen (the commonest office laptop) in
both languages for the busiest roles: nothing scrolls sideways, and the language
switch and the account menu with its logout stay on screen (issue 11: in English
the finance bureau's bar ran to 1547 px and pushed them off).

Never downloads a browser (see test_browser.py)."""

import pytest
from django.core.management import call_command

from govbuy.demo.data import DEMO_PASSWORD

from .test_browser import CHROMIUM, CHROMIUM_ARGS, browser_or_skip

WIDTH, HEIGHT = 1366, 768
# The finance bureau has the most menu entries; the purchaser manager acts for two
# departments, so its bar also carries the membership switch.
USERS = ("finance_zz", "purchaser_mgr")
LOG_OUT = {"zh-hans": "退出登录", "en": "Log out"}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_navigation_bar_fits_1366_pixels_in_both_languages(live_server, monkeypatch):
    sync_playwright = browser_or_skip()
    from playwright.sync_api import expect

    call_command("load_demo", verbosity=0)
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    base = live_server.url
    measured = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            for language in ("en", "zh-hans"):
                for username in USERS:
                    context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT})
                    context.set_default_timeout(15_000)
                    context.add_cookies(
                        [{"name": "govbuy_language", "value": language, "url": base}]
                    )
                    page = context.new_page()
                    page.goto(f"{base}/accounts/login/")
                    page.locator("#id_username").fill(username)
                    page.locator("#id_password").fill(DEMO_PASSWORD)
                    page.locator("main form button[type=submit]").click()
                    page.wait_for_url(f"{base}/workbench/")
                    width = page.evaluate("document.documentElement.scrollWidth")
                    measured[(language, username)] = width
                    assert width <= WIDTH, (language, username, width)
                    switch = page.locator("#language-select")
                    account = page.locator(
                        "header .dropdown-toggle", has=page.locator(".bi-person-circle")
                    )
                    for element in (switch, account):
                        expect(element).to_be_visible()
                        box = element.bounding_box()
                        assert box["x"] >= 0 and box["x"] + box["width"] <= WIDTH, (
                            language,
                            username,
                            box,
                        )
                    account.click()
                    logout = page.get_by_role("button", name=LOG_OUT[language])
                    expect(logout).to_be_visible()
                    box = logout.bounding_box()
                    assert box["x"] + box["width"] <= WIDTH
                    # The entries moved under "More" are one click away.
                    page.locator("#nav-more").click()
                    expect(
                        page.locator("[aria-labelledby=nav-more] a[href='/parameters/']")
                    ).to_be_visible()
                    context.close()
        finally:
            browser.close()
    assert len(measured) == 4
