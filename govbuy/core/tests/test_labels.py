"""Labels and numbers (issue 11, item 17): one money format in every language,
parameter values shown by their kind (元, %, days, working days, years …) and
named by their label, shares the law states as fractions, the brand, the
language menu, the rules page listing every registered rule."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template
from django.utils import translation

from govbuy.core import params
from govbuy.core.params import Cited
from govbuy.core.rules import REGISTRY

TEMPLATES = Path(settings.PACKAGE_DIR) / "templates"


def render(source: str, language: str, **context) -> str:
    with translation.override(language):
        return Template(source).render(Context(context))


def page(client, url: str, language: str) -> str:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


# --- money ------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_money_filter_groups_thousands_and_keeps_two_decimals(language):
    out = render(
        "{{ a|money }}|{{ b|money }}|{{ c|yuan }}|{{ d|money }}|{{ e|money }}",
        language,
        a=Decimal("1480000"),
        b="720000.5",
        c=Decimal("1480000.00"),
        d=None,
        e=Decimal("-50000"),
    )
    assert out == "1,480,000.00|720,000.50|1,480,000.00 元||-50,000.00"


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_money_on_the_budget_pages_has_separators_in_both_languages(client, buying, language):
    line = buying.line("1480000.00")
    client.force_login(buying.purchaser)
    for url in ("/budgets/", f"/budgets/{line.pk}/", f"/budgets/{line.pk}/adjust/"):
        text = page(client, url, language)
        assert "1,480,000.00" in text, url
        assert "1480000.00" not in text, url


def test_no_template_formats_money_by_hand():
    """Money goes through the one filter (`money`/`yuan`): `floatformat:"2g"` and
    `intcomma` follow the locale, and zh-hans groups no digits."""
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if re.search(r'floatformat:"?2g"?|\|intcomma', line):
                offenders.append(f"{path.relative_to(TEMPLATES)}:{n}")
    assert offenders == []


# --- parameter values by kind --------------------------------------------------------------


def cite(key, value, **more) -> Cited:
    return Cited(key, value, dt.date(2022, 7, 1), "national", "财库〔2022〕19号", key, **more)


@pytest.mark.parametrize(
    ("key", "value", "zh", "en"),
    [
        ("sme.price_deduction_min", Decimal("0.10"), "10%", "10%"),
        ("payment.late_interest_daily_rate", Decimal("0.0005"), "0.05%", "0.05%"),
        ("evaluation.expert_share_min", Decimal("0.666"), "三分之二", "two thirds"),
        ("deadline.purchase_intention_days", 30, "30 日", "30 days"),
        ("deadline.review_response_working_days", 5, "5 个工作日", "5 working days"),
        ("deadline.result_notice_display_working_days", 1, "1 个工作日", "1 working day"),
        ("contract.term_max_years", 3, "3 年", "3 years"),
        ("voucher.min_providers", 3, "3 家", "3 providers"),
        ("procurement.decentralized_threshold", Decimal("1000000.00"), "1,000,000.00 元", None),
        ("catalog.adjustment_closes", (9, 30), "9月30日", "30 September"),
    ],
)
def test_a_cited_value_is_shown_by_its_kind(key, value, zh, en):
    cited = cite(key, value)
    for language, wanted in (("zh-hans", zh), ("en", en or zh)):
        with translation.override(language):
            assert cited.shown == wanted
            assert cited.text.startswith(wanted + (" (" if language == "en" else "（"))
            assert " 元" not in cited.text or key.startswith("procurement.")


def test_the_intention_lead_names_its_unit(db):
    """ "至少 30（全国…）公开" lacked 日."""
    with translation.override("zh-hans"):
        text = params.cite("deadline.purchase_intention_days").text
    assert text.startswith("30 日（全国")


def test_the_expert_share_reads_two_thirds_as_the_law_says():
    from govbuy.tendering.rules import running

    for language, wanted in (("zh-hans", "三分之二"), ("en", "two thirds")):
        with translation.override(language):
            (v,) = running.panel_violations(
                members=5, experts=3, least=5, expert_share=Decimal("0.666")
            )
        assert wanted in v.message and "67%" not in v.message


def test_the_parameter_page_shows_values_by_kind_and_anchors_each_key(client, finance_zz):
    client.force_login(finance_zz)
    zh = page(client, "/parameters/", "zh-hans")
    en = page(client, "/parameters/", "en")
    assert 'id="param-sme.price_deduction_min"' in zh
    row = zh.split('id="param-sme.price_deduction_min"')[1].split("</tr>")[0]
    assert "10%" in row and "0.10" not in row
    row = en.split('id="param-deadline.purchase_intention_days"')[1].split("</tr>")[0]
    assert "30 days" in row and "日" not in row
    row = zh.split('id="param-procurement.decentralized_threshold"')[1].split("</tr>")[0]
    assert "1,000,000.00 元" in row


# --- the rules page -----------------------------------------------------------------------


def test_the_rules_page_lists_every_registered_rule(client):
    text = page(client, "/rules/", "en")
    assert "K8" in REGISTRY
    missing = [rule_id for rule_id in REGISTRY if f'id="rule-{rule_id}"' not in text]
    assert missing == []


@pytest.mark.django_db(transaction=True)
def test_every_rule_a_demo_deadline_cites_is_registered():
    from django.core.management import call_command

    from govbuy.tendering.models import Deadline

    call_command("load_demo", verbosity=0)
    cited = set(Deadline.objects.values_list("rule", flat=True))
    assert "K8" in cited
    assert cited - set(REGISTRY) == set()


# --- the product's name and the language menu -----------------------------------------------


def test_the_product_names_itself_govbuy_government_purchase_of_services(client):
    en = page(client, "/", "en")
    zh = page(client, "/", "zh-hans")
    assert "GPS Platform" not in en and "GPS Platform" not in zh
    assert "<title>govbuy — Government Purchase of Services</title>" in en
    assert "govbuy — Government Purchase of Services" in en.split("</nav>")[0]
    assert "<title>政府购买服务平台</title>" in zh
    docs = Path(settings.BASE_DIR)
    for path in [docs / "README.md", *sorted((docs / "docs").rglob("*.md"))]:
        assert "GPS Platform" not in path.read_text(encoding="utf-8"), path


def test_the_api_names_the_product():
    from govbuy.api import api

    assert api.title == "govbuy — Government Purchase of Services API"


def test_the_language_menu_names_each_language_in_itself(client):
    zh = page(client, "/", "zh-hans")
    assert '<option value="en">English</option>' in zh
    assert ">英语<" not in zh


# --- empty states and screening messages -------------------------------------------------


def test_the_empty_budget_adjustments_table_says_so(client, buying):
    line = buying.line("500000.00")
    client.force_login(buying.purchaser)
    text = page(client, f"/budgets/{line.pk}/", "zh-hans")
    assert "暂无预算调剂" in text and "暂无目录调整" not in text
    assert "No budget adjustments." in page(client, f"/budgets/{line.pk}/", "en")


def test_the_empty_catalog_adjustments_table_says_so(client, buying):
    client.force_login(buying.purchaser)
    assert "暂无目录调整" in page(client, "/catalog/adjustments/", "zh-hans")


@pytest.mark.parametrize(
    ("language", "wanted", "stutter"),
    [
        ("zh-hans", "“建设”——疑似工程：文字中出现", ("疑似疑似", "请确认所购买的仅为服务")),
        ("en", "“建设” — Looks like works: The text speaks", ("looks like Looks", "bought. Check")),
    ],
)
def test_a_suspicious_word_is_named_once(db, language, wanted, stutter):
    from govbuy.catalog import screening_service

    with translation.override(language):
        (v,) = screening_service.screen_purchase(
            title="社区养老服务", description="为老人提供上门服务，承接方负责服务站点建设"
        )
    assert v.rule == "C9" and v.message.startswith(wanted)
    assert not [s for s in stutter if s in v.message]


# --- other labels found walking the demo ---------------------------------------------------


def test_the_parameter_form_names_parameters_in_the_readers_language(client, finance_zz):
    client.force_login(finance_zz)
    en = page(client, "/parameters/add/", "en")
    assert '<option value="deadline.tender_bid_days">Open tender: documents issued to bid' in en
    assert "(deadline.tender_bid_days)" not in en and "招标文件发出至投标截止" not in en
    zh = page(client, "/parameters/add/", "zh-hans")
    assert '<option value="deadline.tender_bid_days">招标文件发出至投标截止</option>' in zh


def test_the_negative_list_manager_shows_english_titles_in_english(client, finance_zz):
    client.force_login(finance_zz)
    en = page(client, "/catalog/negative-list/manage/", "en")
    assert "Works and construction · national" in en
    assert "工程建设与施工 · national" not in en
