"""Labels of running a purchase (issue 11, item 17): a notice published early is
tagged early, a late one late; the bidder objects to the opening record with a
button that says so; deadlines name their parameter by its label (a link for
staff), never by its key; rule messages and deadline explanations stored on
objects follow the reader's language, whichever language created them."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.conf import settings
from django.utils import translation

from govbuy.procurement import services
from govbuy.tendering import services as tendering_services
from govbuy.tendering.models import Deadline, DeadlineKind, Notice, NoticeKind
from govbuy.tendering.tests.fixtures import start
from govbuy.tendering.tests.test_rules_running import evaluate, opened

CJK = re.compile(r"[\u4e00-\u9fff]")


def page(client, url: str, language: str) -> str:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def section(html: str, testid: str) -> str:
    return html.split(f'data-testid="{testid}"', 1)[1].split("</table>", 1)[0]


# --- early and late notices ---------------------------------------------------------------


def test_a_notice_published_early_is_tagged_early_and_a_late_one_late(client, tendering, clock):
    t = tendering
    # The intention of 3 Aug lets the notice follow from 2 Sep: published on 1 Sep, early.
    clock.at("2026-09-01 10:00")
    tender = start(services, t, late_reason="冬季助餐须在 10 月前开始，时间紧迫。")
    purchase = Notice.objects.get(tender=tender, kind=NoticeKind.PURCHASE)
    zh = page(client, "/procurement/notices/", "zh-hans")
    row = zh.split(purchase.number)[0].rsplit("<tr", 1)[1]
    assert "提前发布" in row and "逾期" not in row
    assert purchase.early
    detail = page(client, f"/procurement/notices/{purchase.pk}/", "en")
    assert "Published before the earliest time the law allows" in detail
    assert "2026-09-02" in detail
    client.force_login(t.purchaser)
    assert "提前发布" in page(client, f"/procurement/rounds/{tender.pk}/", "zh-hans")


def test_a_late_result_notice_is_tagged_late(client, tendering, clock):
    t = tendering
    tender, (b_large, b_small, b_social) = opened(t, clock)
    tender = evaluate(
        t, tender, {b_large: ("35", "25"), b_small: ("34.5", "25"), b_social: ("33", "25")}
    )
    clock.at("2026-10-13 10:00")
    tender = tendering_services.confirm_award(actor=t.purchaser, tender=tender)
    clock.at("2026-10-16 09:00")
    result = tendering_services.publish_result(
        actor=t.purchaser, tender=tender, late_reason="系统维护。"
    )
    zh = page(client, "/procurement/notices/", "zh-hans")
    row = zh.split(result.number)[0].rsplit("<tr", 1)[1]
    assert "逾期发布" in row and "提前" not in row
    assert result.late and not result.early


# --- the bidder's objection -------------------------------------------------------------------


def test_the_objection_button_says_raise_an_objection(client, tendering, clock):
    t = tendering
    tender, _bids = opened(t, clock)
    client.force_login(t.large_user)
    zh = page(client, f"/procurement/rounds/{tender.pk}/opening/", "zh-hans")
    button = re.search(r'<button[^>]*value="object"[^>]*>([^<]*)</button>', zh)[1]
    assert button == "提出异议"
    en = page(client, f"/procurement/rounds/{tender.pk}/opening/", "en")
    assert re.search(r'value="object"[^>]*>Raise an objection<', en)


# --- parameter labels instead of keys ------------------------------------------------------


def test_deadlines_name_their_parameter_by_its_label_with_a_link_for_staff(
    client, tendering, clock
):
    t = tendering
    clock.at("2026-09-15 10:00")
    tender = start(services, t)
    keys = re.compile(r"\b(?:deadline|procurement|evaluation|sme)\.[a-z_]+\b")
    public = page(client, f"/procurement/rounds/{tender.pk}/public/", "zh-hans")
    deadlines = section(public, "deadlines")
    assert keys.findall(re.sub(r"<[^>]+>", " ", deadlines)) == []
    assert "招标文件发出至投标截止" in deadlines
    assert "/parameters/" not in deadlines
    client.force_login(t.purchaser)
    staff = section(page(client, f"/procurement/rounds/{tender.pk}/", "en"), "deadlines")
    assert keys.findall(re.sub(r"<[^>]+>", " ", staff)) == []
    assert (
        '<a href="/parameters/#param-deadline.tender_bid_days">'
        "Open tender: documents issued to bid deadline, at least</a>"
    ) in staff


# --- stored messages follow the reader's language ------------------------------------------


def test_deadline_explanations_made_in_chinese_read_in_english(client, tendering, clock):
    t = tendering
    clock.at("2026-09-15 10:00")
    with translation.override("zh-hans"):
        tender = start(services, t)
    row = Deadline.objects.current().get(tender=tender, kind=DeadlineKind.BID_DEADLINE)
    assert "法定最早时间" in row.explanation  # as stored, in the language that made it
    client.force_login(t.purchaser)
    en = unescape(section(page(client, f"/procurement/rounds/{tender.pk}/", "en"), "deadlines"))
    assert "set in the notice; the law's earliest: 20 days after the notice (2026-09-15)" in en
    explanations = re.findall(r'<td class="small gb-rule-text">(.*?)</td>', en, re.S)
    assert explanations and not [e for e in explanations if CJK.search(e)]
    zh = section(page(client, f"/procurement/rounds/{tender.pk}/", "zh-hans"), "deadlines")
    assert "法定最早时间" in zh


def test_deadline_explanations_made_in_english_read_in_chinese(client, tendering, clock):
    t = tendering
    clock.at("2026-09-15 10:00")
    with translation.override("en"):
        tender = start(services, t)
    client.force_login(t.purchaser)
    zh = section(page(client, f"/procurement/rounds/{tender.pk}/", "zh-hans"), "deadlines")
    assert "days after" not in zh and "working days" not in zh
    assert "法定最早时间" in zh


def test_a_warning_made_in_chinese_reads_in_english_and_back(client, tendering, clock):
    t = tendering
    clock.at("2026-09-01 10:00")
    with translation.override("zh-hans"):
        tender = start(services, t, late_reason="冬季助餐须在 10 月前开始，时间紧迫。")
    (stored,) = [w for w in tender.warnings if w["rule"] == "D1"]
    assert "采购意向" in stored["message"]
    client.force_login(t.purchaser)
    en = page(client, f"/procurement/rounds/{tender.pk}/", "en")
    warnings = en.split('id="round-warnings"', 1)[1].split("</section>", 1)[0]
    assert "The purchase intention was published on 2026-08-03" in warnings
    assert "30 days (national" in warnings
    assert "采购意向" not in warnings
    # And the other way round: made in English, read in Chinese.
    with translation.override("en"):
        project = services.create_project(
            actor=t.purchaser,
            budget_line=t.project.budget_line,
            name="社区老年助餐服务（二期）",
            amount="1.00",
            term_start="2027-01-01",
            term_end="2027-12-31",
            content="为辖区老年人提供助餐服务，承接方负责服务站点建设",
            standards="符合规范",
            quantity="10 个助餐点",
            recipients="老年人",
            place="郑州市",
            technical_guarantees="信息系统",
            goals="便利",
            indicators="满意度：≥90%",
        )
    (stored,) = project.warnings
    assert stored["rule"] == "C9" and stored["message"].startswith("“建设” — Looks like works")
    zh = page(client, f"/procurement/{project.pk}/", "zh-hans")
    block = zh.split('id="warnings-heading"', 1)[1].split("</section>", 1)[0]
    assert CJK.search(re.sub(r"<[^>]+>|“[^”]*”", "", block))
    assert "Check that" not in block and "The text speaks" not in block


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_old_stored_warnings_without_a_message_id_stay_readable(client, tendering, clock, language):
    t = tendering
    clock.at("2026-09-15 10:00")
    tender = start(services, t)
    tender.__class__.objects.filter(pk=tender.pk).update(
        warnings=[
            {"rule": "D1", "severity": "warn", "message": "旧的警告文字", "basis": "87号令"},
        ]
    )
    client.force_login(t.purchaser)
    assert "旧的警告文字" in page(client, f"/procurement/rounds/{tender.pk}/", language)
