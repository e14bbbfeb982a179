"""Pages that run a purchase, with the Django test client: the notice, the
round and its deadlines, corrections and termination, bids and receipts, the
opening, the panel, the evaluation and award, the result, questions and
complaints, the public notices, the inbox and the workbenches.

Per role — the purchasing department (owner), another department, the bidder,
another provider, the finance bureau of the region and of another region, the
auditor, an expert on and off the panel, anonymous: others' objects answer
404, a wrong role 403, bad input gets messages beside the fields and saves
nothing; list pages and the inbox keep their query counts."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation

from govbuy.core.text import shown_texts
from govbuy.procurement import services
from govbuy.procurement.tests.fixtures import provider_org
from govbuy.tendering import services as tendering_services
from govbuy.tendering.models import (
    Bid,
    BidStatus,
    DeadlineKind,
    Notice,
    NoticeKind,
    OpeningResponse,
    PanelMember,
    Score,
    Tender,
    TenderStatus,
)
from govbuy.tendering.tests.fixtures import start

pytestmark = pytest.mark.django_db

# Distinctive prices: a page that leaks one is easy to catch.
PRICES = {"large": "500123.45", "small": "540321.09", "social": "520987.65"}


@pytest.fixture(autouse=True)
def english(client, settings, tmp_path):
    """Pages in English (assert on the English source text), attachments in a
    temporary media folder."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    settings.MEDIA_ROOT = tmp_path
    with translation.override("en"):
        yield


# --- helpers (also used by test_sealed_pages) --------------------------------------------------


def url(name, *args):
    """The page `name` of tendering, challenges or procurement (the URL names of
    before the split, each now in its app's namespace)."""
    for namespace in ("tendering", "challenges", "procurement"):
        try:
            return reverse(f"{namespace}:{name}", args=args)
        except NoReverseMatch:
            continue
    raise NoReverseMatch(name)


def text(response) -> str:
    return response.content.decode()


def login(client, user):
    client.logout()
    client.cookies["govbuy_language"] = "en"
    if user is not None:
        client.force_login(user)
    return client


def queries(client, assert_max, path, limit, **params) -> int:
    """The number of queries of one page view (at most `limit`), read before
    the next request resets the log."""
    with assert_max(limit) as captured:
        response = client.get(path, params)
    assert response.status_code == 200
    return len(captured)


def pdf(name="方案.pdf", body=b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"):
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def noticed(t, clock, **over):
    clock.at("2026-09-15 10:00")
    return start(services, t, **over)


def place_bids(t, clock, tender, *, attachments=True):
    """Three bids on 9 Oct: a large enterprise, a small one (SME deduction), a social org."""
    clock.at("2026-10-09 15:00")
    out = {}
    for key, org, user in (
        ("large", t.large, t.large_user),
        ("small", t.small, t.small_user),
        ("social", t.social, t.social_user),
    ):
        out[key] = tendering_services.submit_bid(
            actor=user,
            tender=tender,
            provider=org,
            price=PRICES[key],
            technical_response=f"{org.name}的服务方案：中央厨房配送。",
            sme_size=org.sme_size,
            attachments=[pdf(f"{key}.pdf")] if attachments else [],
        )
    return out


def opened(t, clock, tender):
    clock.at("2026-10-12 09:30")
    return tendering_services.open_bids(actor=t.purchaser, tender=tender)


def appoint(t, tender):
    tendering_services.appoint_panel(
        actor=t.purchaser, tender=tender, members=t.panel, chair=t.experts[0]
    )


def score_all(t, tender, bids):
    criteria = list(tender.criteria.all())
    points = {"large": ("35", "25"), "small": ("34.5", "25"), "social": ("33", "25")}
    for user in t.panel:
        tendering_services.declare_no_conflict(actor=user, tender=tender)
        tendering_services.submit_scores(
            actor=user,
            tender=tender,
            scores={
                bids[k].pk: {criteria[0].pk: p[0], criteria[1].pk: p[1]} for k, p in points.items()
            },
        )
    tender.refresh_from_db()
    return tender


@pytest.fixture
def outsiders(tendering, make_org, make_user):
    """Users who must not see the round: an expert of the pool off the panel,
    a provider that neither was invited nor bid."""
    from types import SimpleNamespace

    org, user = provider_org(make_org, make_user, "郑州市另一家养老公司", sme_size="medium")
    return SimpleNamespace(
        expert=make_user("expert", tendering.zz), provider=user, provider_org=org
    )


# --- public: notices and the round's public page ----------------------------------------------


def test_public_notices_list_filter_paginate_and_show_their_data(client, tendering, clock):
    t = tendering
    tender = noticed(t, clock)
    login(client, None)
    page = client.get(url("notice_list"))
    assert page.status_code == 200
    body = text(page)
    assert tender.title in body and "Purchase intention" in body
    shown = lambda **p: [n.pk for n in client.get(url("notice_list"), p).context["page"]]  # noqa: E731
    purchase = Notice.objects.get(tender=tender, kind=NoticeKind.PURCHASE)
    assert shown(kind="purchase") == [purchase.pk]
    assert shown(kind="intention") == [t.intention.pk]
    assert shown(q=purchase.number) == [purchase.pk]
    assert set(shown(region="410100")) == {purchase.pk, t.intention.pk}
    assert shown(region="410300") == []
    assert shown(method="single_source") == []
    assert "No notice matches these filters." in text(client.get(url("notice_list"), {"q": "无"}))
    for bad in ({"kind": "nope"}, {"region": "99"}, {"page": "x"}):
        response = client.get(url("notice_list"), bad)
        assert response.status_code == 200
    # Deep pages are reached by the Next link (a cursor), not by number (C10).
    response = client.get(url("notice_list"), {"page": "999"})
    assert response.status_code == 400 and "Pages are numbered up to 20" in text(response)
    assert "Unknown region code 99" in text(client.get(url("notice_list"), {"region": "99"}))
    # The notice is rendered from its stored data: the deadline, criteria, SME policy.
    detail = client.get(url("notice_detail", purchase.pk))
    body = text(detail)
    assert detail.status_code == 200
    assert "2026-10-12 09:30" in body and "服务方案" in body and "10% price deduction" in body
    assert "History of the purchase" in body and url("notice_detail", t.intention.pk) in body
    assert client.get(url("notice_detail", 999999)).status_code == 404
    # The round's public page: its deadlines with their rules, never its bids.
    public = client.get(url("round_public", tender.pk))
    body = text(public)
    assert public.status_code == 200
    assert "Bid deadline" in body and "P12" in body and "财政部令第87号" in body
    assert "Submit a bid" not in body  # anonymous
    assert client.get(url("round_public", 999999)).status_code == 404


def test_notice_list_is_paginated_and_its_queries_do_not_grow(
    client, tendering, clock, django_assert_max_num_queries
):
    t = tendering
    noticed(t, clock)
    login(client, None)
    client.get(url("notice_list"))
    few = queries(client, django_assert_max_num_queries, url("notice_list"), 8)
    # 30 more published steps (corrections) on the round.
    tender = Tender.objects.get()
    clock.at("2026-09-16 10:00")
    for i in range(30):
        tendering_services.publish_correction(
            actor=t.purchaser, tender=tender, text=f"第{i}次更正：联系电话。", affects_bids=False
        )
    assert queries(client, django_assert_max_num_queries, url("notice_list"), few) <= few
    page = client.get(url("notice_list"))
    assert len(page.context["page"]) == 25
    assert len(client.get(url("notice_list"), {"page": 2}).context["page"]) == 7


# --- the project page, the intention and the notice -------------------------------------------


def test_project_page_offers_the_next_step_to_the_department_only(client, tendering, clock):
    t = tendering
    clock.at("2026-09-15 10:00")
    login(client, t.purchaser)
    page = client.get(url("project_detail", t.project.pk))
    body = text(page)
    assert "Running the purchase" in body and t.intention.number in body
    assert url("round_start", t.project.pk) in body
    assert "the notice may follow from 2026-09-02" in body
    login(client, t.finance)
    body = text(client.get(url("project_detail", t.project.pk)))
    assert "Running the purchase" in body and url("round_start", t.project.pk) not in body


def test_intention_page_shows_the_earliest_day_and_refuses_bad_dates(client, tendering, clock):
    t = tendering
    clock.at("2026-08-03 10:00")
    project = services.create_project(
        actor=t.purchaser,
        budget_line=t.line("300000.00", out_years=[{"year": t.year + 1, "amount": "1"}]),
        name="社区助浴服务采购",
        amount="200000.00",
    )
    login(client, t.purchaser)
    page = client.get(url("intention_publish", project.pk))
    assert page.status_code == 200
    assert "2026-09-02" in text(page)  # 30 days after today
    for value, message in (
        ("2026-13-40", "Give a date as YYYY-MM-DD."),
        ("2026-08-20", "2026-09-02"),
    ):
        response = client.post(url("intention_publish", project.pk), {"expected_on": value})
        assert response.status_code == 200
        assert message in text(response)
        assert response.context["form"]["expected_on"].value() == value
    assert not Notice.objects.filter(project=project).exists()
    for user, status in ((t.finance, 403), (t.other_purchaser, 404), (t.large_user, 404)):
        login(client, user)
        assert client.get(url("intention_publish", project.pk)).status_code == status
        response = client.post(url("intention_publish", project.pk), {"expected_on": "2026-10-01"})
        assert response.status_code == status
    assert not Notice.objects.filter(project=project).exists()
    login(client, t.purchaser)
    response = client.post(
        url("intention_publish", project.pk), {"expected_on": "2026-10-01", "note": "预计10月"}
    )
    assert response.status_code == 302
    assert Notice.objects.get(project=project).kind == NoticeKind.INTENTION
    # Once published, the page says so instead of publishing twice.
    assert client.get(url("intention_publish", project.pk)).status_code == 302


def notice_form(**over) -> dict:
    data = {
        "title": "2027年社区老年助餐服务采购",
        "bid_deadline": "2026-10-12T09:30",
        "evaluation_method": "comprehensive",
        "price_weight": "30",
        "criteria-0-name": "服务方案",
        "criteria-0-points": "40",
        "criteria-0-description": "方案完整、可行",
        "criteria-1-name": "团队与经验",
        "criteria-1-points": "30",
        "criteria-1-description": "",
        "criteria-2-name": "",
        "criteria-2-points": "",
        "criteria-2-description": "",
        "sme_deduction": "10",
        "qualification": "具有独立承担民事责任的能力",
        "documents": "招标文件要点",
    }
    data.update(over)
    return data


def test_notice_form_shows_the_legal_minimums_in_force(client, tendering, clock):
    t = tendering
    clock.at("2026-09-15 10:00")
    login(client, t.purchaser)
    page = client.get(url("round_start", t.project.pk))
    body = text(page)
    assert page.status_code == 200
    # 20 days after the notice published today; the SME range of 财库〔2022〕19号.
    assert "2026-10-05" in body and "20 days after the notice" in body
    assert "10% to 20%" in body and "财库〔2022〕19号" in body
    assert 'name="criteria-0-name"' in body and 'name="bid_deadline"' in body
    assert "intention-not-over" not in body  # 30 days since the intention are over


def test_notice_refused_with_messages_beside_the_fields_and_nothing_saved(client, tendering, clock):
    t = tendering
    clock.at("2026-09-15 10:00")
    login(client, t.purchaser)
    response = client.post(
        url("round_start", t.project.pk),
        notice_form(
            bid_deadline="2026-09-30T09:30",
            **{"criteria-1-points": "20"},
            sme_deduction="5",
        ),
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert [v.rule for v in form.violations["bid_deadline"]] == ["P2"]
    assert "2026-10-05" in form.violations["bid_deadline"][0].message
    assert "they must make 100" in form.violations["criteria"][0].message
    assert form.violations["sme_deduction"][0].rule == "P1"
    # The user's input comes back, criteria rows included.
    body = text(response)
    assert 'value="2026-09-30T09:30"' in body and 'value="团队与经验"' in body
    assert not Tender.objects.exists()
    # A date that is not a date: a field error, never a 500.
    response = client.post(url("round_start", t.project.pk), notice_form(bid_deadline="明天"))
    assert response.status_code == 200
    assert "YYYY-MM-DD HH:MM" in str(response.context["form"].errors["bid_deadline"])
    assert not Tender.objects.exists()


def test_notice_before_the_intention_period_needs_a_reason(client, tendering, clock):
    t = tendering
    clock.at("2026-08-20 10:00")  # the intention of 3 Aug allows a notice from 2 Sep
    login(client, t.purchaser)
    page = client.get(url("round_start", t.project.pk))
    assert "intention-not-over" in text(page) and 'name="late_reason"' in text(page)
    response = client.post(
        url("round_start", t.project.pk), notice_form(bid_deadline="2026-09-30T09:30")
    )
    assert response.status_code == 200
    assert response.context["form"].violations["late_reason"][0].rule == "D1"
    assert not Tender.objects.exists()
    response = client.post(
        url("round_start", t.project.pk),
        notice_form(bid_deadline="2026-09-30T09:30", late_reason="上级督办，须于9月底前开标。"),
    )
    assert response.status_code == 302
    notice = Notice.objects.get(kind=NoticeKind.PURCHASE)
    assert notice.late and "上级督办" in notice.late_reason


def test_notice_form_per_role(client, tendering, clock, outsiders):
    t = tendering
    clock.at("2026-09-15 10:00")
    for user, status in (
        (t.finance, 403),
        (t.auditor, 403),
        (t.other_purchaser, 404),
        (t.finance_ly, 404),
        (t.large_user, 404),
        (outsiders.expert, 404),
    ):
        login(client, user)
        assert client.get(url("round_start", t.project.pk)).status_code == status, user
        assert client.post(url("round_start", t.project.pk), notice_form()).status_code == status
    login(client, None)
    assert client.get(url("round_start", t.project.pk)).status_code == 302
    assert not Tender.objects.exists()
    login(client, t.purchaser)
    response = client.post(url("round_start", t.project.pk), notice_form())
    tender = Tender.objects.get()
    assert response.status_code == 302 and response["Location"] == url("round_detail", tender.pk)
    assert [c.name for c in tender.criteria.all()] == ["服务方案", "团队与经验"]
    assert tender.sme_deduction == Decimal("0.1")
    # A second round is not offered while this one runs.
    assert client.get(url("round_start", t.project.pk)).status_code == 302


# --- the round page -----------------------------------------------------------------------------


def test_round_page_per_role(client, tendering, clock, outsiders):
    t = tendering
    tender = noticed(t, clock)
    place_bids(t, clock, tender)
    appoint(t, tender)
    for user, status in (
        (t.purchaser, 200),
        (t.rep, 200),
        (t.finance, 200),
        (t.finance_hn, 200),
        (t.auditor, 200),
        (t.large_user, 200),
        (t.experts[1], 200),
        (t.other_purchaser, 404),
        (t.finance_ly, 404),
        (outsiders.provider, 404),
        (outsiders.expert, 404),
    ):
        login(client, user)
        assert client.get(url("round_detail", tender.pk)).status_code == status, user
    login(client, None)
    assert client.get(url("round_detail", tender.pk)).status_code == 302
    assert client.get(url("round_detail", 999999)).status_code == 302


def test_round_page_shows_the_deadlines_with_their_rules(client, tendering, clock):
    t = tendering
    tender = noticed(t, clock)
    login(client, t.purchaser)
    page = client.get(url("round_detail", tender.pk))
    body = text(page)
    assert page.status_code == 200
    rows = {d.kind: d for d in page.context["deadlines"]}
    assert rows[DeadlineKind.QUESTION_DOCUMENTS].due_at.date().isoformat() == "2026-10-08"
    assert rows[DeadlineKind.OPENING].rule == "P12"
    assert rows[DeadlineKind.BID_DEADLINE].state == "open"
    # Each row: its date, rule, basis and how it was computed.
    assert "2026-10-08" in body and "7 working days after" in body and "P11" in body
    assert "held at the bid deadline" in body
    assert "sealed until the opening" in body  # no bid count
    assert "Publish a correction" in body and "Terminate the round" in body
    assert "Open the bids at 2026-10-12 09:30" in body
    # The finance bureau reads the same page without the purchaser's buttons.
    login(client, t.finance)
    body = text(client.get(url("round_detail", tender.pk)))
    assert "2026-10-08" in body and "Publish a correction" not in body


def test_correction_moves_the_deadline_and_says_why(client, tendering, clock):
    t = tendering
    tender = noticed(t, clock)
    clock.at("2026-10-01 10:00")  # less than 15 days before 12 Oct
    login(client, t.purchaser)
    page = client.get(url("round_correct", tender.pk))
    assert page.context["will_move"] and "2026-10-16 09:30" in text(page)
    # An earlier "new" deadline is refused beside its field; nothing is published.
    response = client.post(
        url("round_correct", tender.pk),
        {"text": "评分标准调整", "affects_bids": "on", "new_bid_deadline": "2026-10-10T09:30"},
    )
    assert response.status_code == 200
    assert "never advance it" in str(response.context["form"].errors["new_bid_deadline"])
    assert not Notice.objects.filter(kind=NoticeKind.CORRECTION).exists()
    response = client.post(url("round_correct", tender.pk), {"text": "", "affects_bids": "on"})
    assert "Give what is corrected" in str(response.context["form"].errors["text"])
    response = client.post(
        url("round_correct", tender.pk), {"text": "评分标准调整", "affects_bids": "on"}
    )
    assert response.status_code == 302
    tender.refresh_from_db()
    assert timezone.localtime(tender.bid_deadline).isoformat().startswith("2026-10-16T09:30")
    page = client.get(url("round_detail", tender.pk))
    assert page.context["superseded"]  # the old deadline stays in the record
    assert "earlier deadlines moved by corrections" in text(page)
    for user, status in ((t.finance, 403), (t.large_user, 404), (t.other_purchaser, 404)):
        login(client, user)
        assert client.post(url("round_correct", tender.pk), {"text": "x"}).status_code == status
    assert Notice.objects.filter(kind=NoticeKind.CORRECTION).count() == 1


def test_terminate_asks_for_confirmation_and_a_reason(client, tendering, clock):
    t = tendering
    tender = noticed(t, clock)
    login(client, t.purchaser)
    page = client.get(url("round_terminate", tender.pk))
    assert page.status_code == 200 and "This cannot be undone." in text(page)
    response = client.post(url("round_terminate", tender.pk), {"reason": ""})
    assert response.status_code == 200
    assert "Give the reason" in str(response.context["form"].errors["reason"])
    tender.refresh_from_db()
    assert tender.status == TenderStatus.BIDDING
    for user, status in ((t.finance, 403), (t.other_purchaser, 404), (t.large_user, 404)):
        login(client, user)
        assert client.post(url("round_terminate", tender.pk), {"reason": "x"}).status_code == status
    tender.refresh_from_db()
    assert tender.status == TenderStatus.BIDDING
    login(client, t.purchaser)
    response = client.post(url("round_terminate", tender.pk), {"reason": "需求取消"})
    assert response.status_code == 302
    tender.refresh_from_db()
    assert tender.status == TenderStatus.TERMINATED
    assert Notice.objects.filter(kind=NoticeKind.TERMINATION).count() == 1


# --- bids: the provider's pages ------------------------------------------------------------------


def test_bid_form_shows_the_allowed_types_and_receives_a_bid(client, tendering, clock):
    t = tendering
    tender = noticed(t, clock)
    clock.at("2026-10-09 15:00")
    login(client, t.small_user)
    page = client.get(url("bid_submit", tender.pk))
    body = text(page)
    assert page.status_code == 200
    assert 'accept=".pdf,.docx' in body and "PDF, Word, Excel, PowerPoint, PNG, JPEG" in body
    assert 'name="attachments"' in body and "multiple" in body
    assert '<option value="small" selected>' in body  # the declared size from the profile
    response = client.post(
        url("bid_submit", tender.pk),
        {
            "price": "540000.00",
            "technical_response": "服务方案",
            "sme_size": "small",
            "attachments": [pdf()],
        },
    )
    assert response.status_code == 302
    bid = Bid.objects.get()
    assert bid.attachments.count() == 1 and bid.submitted_by == t.small_user
    page = client.get(url("bid_submit", tender.pk))
    body = text(page)
    # The receipt: time received and digest; never the price.
    assert bid.digest in body and "2026-10-09 15:00:00" in body
    assert "540,000.00" not in body and "540000.00" not in body
    assert "Replace my bid" in body and 'name="replace" value="1"' in body
    # Replacing: the earlier bid is kept, marked replaced.
    response = client.post(
        url("bid_submit", tender.pk),
        {"price": "530000.00", "technical_response": "新方案", "sme_size": "small", "replace": "1"},
    )
    assert response.status_code == 302
    assert Bid.objects.filter(status=BidStatus.REPLACED).count() == 1
    live = Bid.objects.get(status=BidStatus.SUBMITTED)
    # Withdrawing asks first.
    page = client.get(url("bid_withdraw", live.pk))
    assert page.status_code == 200 and "Yes, withdraw my bid" in text(page)
    assert client.post(url("bid_withdraw", live.pk)).status_code == 302
    live.refresh_from_db()
    assert live.status == BidStatus.WITHDRAWN


@pytest.mark.parametrize(
    "data, files, field, message",
    [
        ({"price": "-5"}, {}, "price", "more than 0"),
        ({"price": "abc"}, {}, "price", "Give the price in 元"),
        ({"price": "1.234"}, {}, "price", "at most 2 decimals"),
        ({"technical_response": ""}, {}, "technical_response", "Give the technical response"),
        (
            {},
            {"attachments": [SimpleUploadedFile("方案.pdf", b"MZ\x90\x00" + b"\0" * 200)]},
            "attachments",
            "its content is",
        ),
        (
            {},
            {"attachments": [SimpleUploadedFile("setup.exe", b"MZ\x90\x00" + b"\0" * 200)]},
            "attachments",
            "are not accepted",
        ),
    ],
)
def test_bad_bids_are_refused_beside_the_field_and_nothing_is_saved(
    client, tendering, clock, data, files, field, message
):
    t = tendering
    tender = noticed(t, clock)
    clock.at("2026-10-09 15:00")
    login(client, t.large_user)
    post = {"price": "500000.00", "technical_response": "方案", "sme_size": "large", **data}
    response = client.post(url("bid_submit", tender.pk), {**post, **files})
    assert response.status_code == 200
    assert message in str(response.context["form"].errors[field])
    assert not Bid.objects.exists()
    # The user's input comes back (except files, which browsers never refill).
    if "price" in data:
        assert response.context["form"]["price"].value() == data["price"]


def test_oversized_attachment_is_refused(client, tendering, clock, settings):
    t = tendering
    tender = noticed(t, clock)
    settings.GOVBUY_UPLOAD_MAX_BYTES = 1024
    clock.at("2026-10-09 15:00")
    login(client, t.large_user)
    big = pdf(body=b"%PDF-1.4\n" + b"0" * 4096)
    response = client.post(
        url("bid_submit", tender.pk),
        {"price": "500000.00", "technical_response": "方案", "attachments": [big]},
    )
    assert response.status_code == 200
    assert "at most" in str(response.context["form"].errors["attachments"])
    assert not Bid.objects.exists()


def test_bid_after_the_deadline_is_refused_and_the_form_closes(client, tendering, clock):
    t = tendering
    tender = noticed(t, clock)
    clock.at("2026-10-12 09:30:00")
    login(client, t.large_user)
    page = client.get(url("bid_submit", tender.pk))
    assert "Bidding on this round is closed." in text(page) and 'name="price"' not in text(page)
    response = client.post(
        url("bid_submit", tender.pk), {"price": "500000.00", "technical_response": "方案"}
    )
    assert response.status_code == 200
    violations = response.context["form"].general_violations
    assert violations[0].rule == "P12" and "2026-10-12 09:30:00" in violations[0].message
    assert not Bid.objects.exists()


def test_bid_form_per_role(client, tendering, clock, make_org):
    t = tendering
    tender = noticed(t, clock)
    clock.at("2026-10-09 15:00")
    for user in (t.purchaser, t.finance, t.auditor, t.experts[0]):
        login(client, user)
        assert client.get(url("bid_submit", tender.pk)).status_code == 403
        response = client.post(
            url("bid_submit", tender.pk), {"price": "1.00", "technical_response": "x"}
        )
        assert response.status_code == 403
    login(client, None)
    assert client.get(url("bid_submit", tender.pk)).status_code == 302
    login(client, t.large_user)
    assert client.get(url("bid_submit", 999999)).status_code == 404
    assert not Bid.objects.exists()


def test_invitational_round_refuses_providers_not_invited(client, tendering, clock):
    t = tendering
    type(t.project).objects.filter(pk=t.project.pk).update(method="invitational_tender")
    t.project.refresh_from_db()
    tender = noticed(t, clock, invited=[t.large.pk, t.small.pk, t.social.pk])
    clock.at("2026-10-09 15:00")
    login(client, t.unit_user)
    page = client.get(url("bid_submit", tender.pk))
    assert page.status_code == 403 and "Only the providers invited" in text(page)
    login(client, t.large_user)
    assert client.get(url("bid_submit", tender.pk)).status_code == 200
    inbox = client.get(url("inbox"))
    assert [i.code for i in inbox.context["running"][0]["items"]] == [t.project.code]


def test_my_bids_lists_receipts_without_content(
    client, tendering, clock, django_assert_max_num_queries
):
    t = tendering
    tender = noticed(t, clock)
    place_bids(t, clock, tender)
    login(client, t.large_user)
    page = client.get(url("my_bids"))
    body = text(page)
    assert page.status_code == 200
    assert [b.provider_id for b in page.context["page"]] == [t.large.pk]
    assert "500,123.45" not in body and PRICES["large"] not in body
    assert "Withdraw" in body and "Replace" in body
    assert client.get(url("my_bids"), {"status": "nope"}).status_code == 200
    assert client.get(url("my_bids"), {"q": "没有"}).context["page"].paginator.count == 0
    few = queries(client, django_assert_max_num_queries, url("my_bids"), 12)
    clock.at("2026-10-09 16:00")
    for _ in range(5):
        tendering_services.submit_bid(
            actor=t.large_user,
            tender=tender,
            provider=t.large,
            price="500000.00",
            technical_response="改",
            sme_size="large",
            replace=True,
        )
    assert queries(client, django_assert_max_num_queries, url("my_bids"), few) <= few
    assert client.get(url("my_bids")).context["page"].paginator.count == 6
    for user in (t.purchaser, t.finance, t.experts[0]):
        login(client, user)
        assert client.get(url("my_bids")).status_code == 403


def test_opportunities_search_filter_paginate(
    client, tendering, clock, django_assert_max_num_queries
):
    t = tendering
    tender = noticed(t, clock)
    clock.at("2026-09-20 10:00")
    login(client, t.social_user)
    page = client.get(url("opportunities"))
    assert page.status_code == 200
    assert [x.pk for x in page.context["page"]] == [tender.pk]
    assert "2026-10-12 09:30" in text(page)
    shown = lambda **p: [x.pk for x in client.get(url("opportunities"), p).context["page"]]  # noqa: E731
    assert shown(q="助餐") == [tender.pk]
    assert shown(q="没有") == []
    assert shown(region="410300") == []
    assert shown(method="open_tender") == [tender.pk]
    assert shown(method="single_source") == []
    for bad in ({"region": "abc"}, {"method": "x"}, {"page": "-1"}):
        assert client.get(url("opportunities"), bad).status_code == 200
    queries(client, django_assert_max_num_queries, url("opportunities"), 10)
    clock.at("2026-10-12 09:30")
    login(client, t.social_user)  # the session of 20 Sep has expired
    assert shown() == []  # closed at the deadline
    for user in (t.purchaser, t.finance, t.experts[0]):
        login(client, user)
        assert client.get(url("opportunities")).status_code == 403


# --- opening, panel, evaluation, award, result ------------------------------------------------


def test_open_bids_at_the_opening_time_only(client, tendering, clock):
    t = tendering
    tender = noticed(t, clock)
    place_bids(t, clock, tender)
    clock.at("2026-10-12 09:29:59")
    login(client, t.purchaser)
    response = client.post(url("round_open", tender.pk))
    assert response.status_code == 200
    assert "The opening is at 2026-10-12 09:30:00" in text(response)
    tender.refresh_from_db()
    assert tender.status == TenderStatus.BIDDING
    clock.at("2026-10-12 09:30:00")
    login(client, t.finance)
    assert client.post(url("round_open", tender.pk)).status_code == 403
    login(client, t.purchaser)
    response = client.post(url("round_open", tender.pk))
    assert response.status_code == 302 and response["Location"] == url("opening", tender.pk)
    tender.refresh_from_db()
    assert tender.status == TenderStatus.OPENED


def test_opening_page_bidders_confirm_or_object_and_the_purchaser_replies(
    client, tendering, clock, outsiders
):
    t = tendering
    tender = noticed(t, clock)
    place_bids(t, clock, tender)
    clock.at("2026-10-12 09:30:05")
    # At the opening time a bidder asks for the opening on its page (a POST:
    # reading the page opens nothing).
    login(client, t.large_user)
    assert "Open the bids now" in text(client.get(url("opening", tender.pk)))
    response = client.post(url("opening_open", tender.pk))
    assert response.status_code == 302
    page = client.get(url("opening", tender.pk))
    assert page.status_code == 200
    body = text(page)
    assert "500,123.45" in body and "540,321.09" in body and "intact" in body
    assert "Confirm the record" in body
    response = client.post(url("opening_respond", tender.pk), {"answer": "confirm"})
    assert response.status_code == 302
    # An objection needs its text.
    login(client, t.small_user)
    response = client.post(url("opening_respond", tender.pk), {"answer": "object"})
    assert response.status_code == 200
    assert "Give the objection" in str(response.context["respond_form"].errors["objection"])
    response = client.post(
        url("opening_respond", tender.pk), {"answer": "object", "objection": "我方报价读错。"}
    )
    assert response.status_code == 302
    objection = OpeningResponse.objects.get(provider=t.small)
    # Non-bidders and other roles cannot answer.
    for user, status in ((t.purchaser, 403), (outsiders.provider, 403)):
        login(client, user)
        assert client.post(
            url("opening_respond", tender.pk), {"answer": "confirm"}
        ).status_code in (status, 404)
    assert OpeningResponse.objects.count() == 2
    # The purchaser replies in the record; the inbox listed it until then.
    login(client, t.purchaser)
    inbox = client.get(url("inbox")).context["running"]
    assert any(s["key"] == "objections" and s["items"] for s in inbox)
    response = client.post(url("opening_reply", tender.pk, objection.pk), {"reply": ""})
    assert response.status_code == 200
    assert "Give the reply" in text(response)
    response = client.post(
        url("opening_reply", tender.pk, objection.pk), {"reply": "经核对，记录无误。"}
    )
    assert response.status_code == 302
    objection.refresh_from_db()
    assert objection.reply == "经核对，记录无误。"
    login(client, t.finance)
    assert client.post(
        url("opening_reply", tender.pk, objection.pk), {"reply": "x"}
    ).status_code in (403,)
    for user in (t.other_purchaser, outsiders.provider, outsiders.expert, t.finance_ly):
        login(client, user)
        assert client.get(url("opening", tender.pk)).status_code == 404


def test_panel_is_appointed_with_rule_messages(client, tendering, clock, outsiders):
    t = tendering
    tender = noticed(t, clock)
    login(client, t.purchaser)
    page = client.get(url("panel_appoint", tender.pk))
    body = text(page)
    assert page.status_code == 200
    for user in (*t.experts, t.rep):
        assert str(user) in body
    # Four members: even, refused (P1) beside the members; nothing saved.
    response = client.post(
        url("panel_appoint", tender.pk),
        {"members": [str(u.pk) for u in t.experts], "chair": str(t.experts[0].pk)},
    )
    assert response.status_code == 200
    assert any(v.rule == "P1" for v in response.context["form"].violations["members"])
    assert not PanelMember.objects.exists()
    # Someone outside the pool is not a choice.
    response = client.post(url("panel_appoint", tender.pk), {"members": [str(t.finance.pk)]})
    assert response.context["form"].errors["members"]
    for user, status in ((t.finance, 403), (t.experts[0], 404), (t.other_purchaser, 404)):
        login(client, user)
        assert client.get(url("panel_appoint", tender.pk)).status_code == status
    login(client, t.purchaser)
    response = client.post(
        url("panel_appoint", tender.pk),
        {"members": [str(u.pk) for u in t.panel], "chair": str(t.experts[0].pk)},
    )
    assert response.status_code == 302
    assert PanelMember.objects.filter(tender=tender).count() == 5
    assert PanelMember.objects.get(is_chair=True).user == t.experts[0]


def test_expert_declares_then_scores_with_credit_records_beside_each_bid(
    client, tendering, clock, outsiders
):
    from govbuy.orgs import services as orgs

    t = tendering
    tender = noticed(t, clock)
    bids = place_bids(t, clock, tender)
    appoint(t, tender)
    opened(t, clock, tender)
    # The finance bureau of the project's region records a breach in this purchase
    # (S9): a record is about a purchase in which the provider's bid was opened.
    orgs.record_credit(
        actor=t.finance,
        recording_organization=t.zz,
        organization=t.social,
        project=t.project,
        kind="breach",
        description="投标文件中的类似业绩证明与实际不符，已整改。",
        basis="郑财购〔2026〕1号",
    )
    expert = t.experts[1]
    login(client, expert)
    page = client.get(url("panel_sheet", tender.pk))
    body = text(page)
    assert page.status_code == 200
    assert "I declare no conflict of interest" in body
    assert t.large.name in body and "500,123.45" not in body  # names only before declaring
    assert client.post(url("panel_declare", tender.pk)).status_code == 302
    page = client.get(url("panel_sheet", tender.pk))
    body = text(page)
    assert "500,123.45" in body and "Credit record" in body
    criteria = list(tender.criteria.all())
    name = lambda b, c: f"scores.{bids[b].pk}.{c.pk}"  # noqa: E731
    data = {name(b, c): "20" for b in bids for c in criteria}
    data[name("large", criteria[0])] = "41"  # above the criterion's 40 points
    data[name("small", criteria[1])] = ""
    response = client.post(url("panel_sheet", tender.pk), data)
    assert response.status_code == 200
    form = response.context["score_form"]
    assert "scored from 0 to 40" in str(form.errors[name("large", criteria[0])])
    assert "Score 团队与经验" in str(form.errors[name("small", criteria[1])])
    assert 'value="41"' in text(response)
    assert not Score.objects.exists()
    data = {name(b, c): "20" for b in bids for c in criteria}
    assert client.post(url("panel_sheet", tender.pk), data).status_code == 302
    assert Score.objects.filter(member__user=expert).count() == 6
    # Others: an expert off the panel does not see the round; the purchaser is not a member.
    login(client, outsiders.expert)
    assert client.get(url("panel_sheet", tender.pk)).status_code == 404
    login(client, t.purchaser)
    assert client.get(url("panel_sheet", tender.pk)).status_code == 403
    assert client.post(url("panel_declare", tender.pk)).status_code == 403


def test_bids_are_reviewed_by_the_chair_or_the_purchaser(client, tendering, clock):
    t = tendering
    tender = noticed(t, clock)
    bids = place_bids(t, clock, tender)
    appoint(t, tender)
    opened(t, clock, tender)
    login(client, t.experts[0])  # the chair
    page = client.get(url("bid_list", tender.pk))
    assert page.status_code == 200 and "540,321.09" in text(page)
    response = client.post(url("bid_review", bids["social"].pk), {"decision": "invalid"})
    assert response.status_code == 200
    assert "Give the reason" in text(response)
    bids["social"].refresh_from_db()
    assert bids["social"].valid is None
    response = client.post(
        url("bid_review", bids["social"].pk), {"decision": "invalid", "reason": "资格证明缺失"}
    )
    assert response.status_code == 302
    bids["social"].refresh_from_db()
    assert bids["social"].valid is False
    login(client, t.experts[1])  # a member, not the chair
    assert (
        client.post(url("bid_review", bids["large"].pk), {"decision": "valid"}).status_code == 403
    )
    login(client, t.finance)
    assert (
        client.post(url("bid_review", bids["large"].pk), {"decision": "valid"}).status_code == 403
    )
    bids["large"].refresh_from_db()
    assert bids["large"].valid is None


def test_evaluation_page_award_and_result(client, tendering, clock):
    t = tendering
    tender = noticed(t, clock)
    bids = place_bids(t, clock, tender)
    appoint(t, tender)
    opened(t, clock, tender)
    score_all(t, tender, bids)
    assert tender.status == TenderStatus.EVALUATED
    clock.at("2026-10-13 10:00")
    login(client, t.purchaser)
    page = client.get(url("evaluation", tender.pk))
    body = text(page)
    assert page.status_code == 200
    ranked = [r["bid"].provider_id for r in page.context["ranked"]]
    assert ranked[0] == t.small.pk  # the SME deduction changed the ranking
    assert "486,288.98" in body  # 540,321.09 less 10%
    assert "−10%" in body and "Each member's scores" in body
    assert len(page.context["member_sheets"]) == 5
    # Passing over the first-ranked needs a reason (P1), beside the field; nothing saved.
    response = client.post(url("award_confirm", tender.pk), {"bid": str(bids["large"].pk)})
    assert response.status_code == 200
    assert response.context["award_form"].violations["reason"][0].rule == "P1"
    tender.refresh_from_db()
    assert tender.status == TenderStatus.EVALUATED
    # Anything but a ranked bid of the round is "not a ranked bid", whether it exists or not.
    for bid in ("abc", "99999999999999999999", str(bids["large"].pk + 1000)):
        response = client.post(url("award_confirm", tender.pk), {"bid": bid})
        assert response.context["award_form"].violations["bid"][0].rule == "P1"
    for user, status in ((t.finance, 403), (t.large_user, 403), (t.other_purchaser, 404)):
        login(client, user)
        assert client.post(url("award_confirm", tender.pk), {}).status_code == status
    login(client, t.purchaser)
    assert (
        client.post(url("award_confirm", tender.pk), {"bid": str(bids["small"].pk)}).status_code
        == 302
    )
    tender.refresh_from_db()
    assert tender.awarded_provider == t.small
    page = client.get(url("result_publish", tender.pk))
    assert page.status_code == 200 and t.small.name in text(page)
    assert (
        client.post(url("result_publish", tender.pk), {"note": "公示期一个工作日"}).status_code
        == 302
    )
    notice = Notice.objects.get(kind=NoticeKind.RESULT)
    assert not notice.late
    # The public result notice, from its data: winner, price, ranking.
    login(client, None)
    body = text(client.get(url("notice_detail", notice.pk)))
    assert t.small.name in body and "540,321.09" in body and "Ranking" in body


def test_result_published_late_needs_a_reason(client, tendering, clock):
    t = tendering
    tender = noticed(t, clock)
    bids = place_bids(t, clock, tender)
    appoint(t, tender)
    opened(t, clock, tender)
    score_all(t, tender, bids)
    clock.at("2026-10-13 10:00")
    tendering_services.confirm_award(actor=t.purchaser, tender=tender)
    clock.at("2026-10-20 10:00")  # due 2 working days after the 13th
    login(client, t.purchaser)
    page = client.get(url("result_publish", tender.pk))
    assert page.context["late"] and 'name="late_reason"' in text(page)
    response = client.post(url("result_publish", tender.pk), {"note": ""})
    assert response.status_code == 200
    assert response.context["form"].violations["late_reason"][0].rule == "D1"
    assert not Notice.objects.filter(kind=NoticeKind.RESULT).exists()
    response = client.post(url("result_publish", tender.pk), {"late_reason": "系统故障"})
    assert response.status_code == 302
    assert Notice.objects.get(kind=NoticeKind.RESULT).late
    # The finance bureau's list flags the round.
    login(client, t.finance)
    page = client.get(url("round_list"), {"flag": "late"})
    assert [x.pk for x in page.context["page"]] == [tender.pk]
    assert "notice late" in text(page)


# --- questions and complaints ----------------------------------------------------------------


# --- lists, inbox, workbenches ----------------------------------------------------------------


def test_round_list_per_role_flags_and_queries(
    client, tendering, clock, django_assert_max_num_queries
):
    t = tendering
    tender = noticed(t, clock)
    for user, count in (
        (t.purchaser, 1),
        (t.finance, 1),
        (t.finance_hn, 1),
        (t.auditor, 1),
        (t.other_purchaser, 0),
        (t.finance_ly, 0),
    ):
        login(client, user)
        page = client.get(url("round_list"))
        assert page.status_code == 200
        assert page.context["page"].paginator.count == count, user
    for user in (t.large_user, t.experts[0]):
        login(client, user)
        assert client.get(url("round_list")).status_code == 403
    login(client, t.finance)
    assert client.get(url("round_list"), {"flag": "emergency"}).context["page"].paginator.count == 0
    assert client.get(url("round_list"), {"flag": "late"}).context["page"].paginator.count == 0
    assert (
        client.get(url("round_list"), {"status": "bidding", "q": tender.project.code})
        .context["page"]
        .paginator.count
        == 1
    )
    for bad in ({"flag": "x"}, {"status": "x"}, {"page": "x"}):
        assert client.get(url("round_list"), bad).status_code == 200
    queries(client, django_assert_max_num_queries, url("round_list"), 12)


@pytest.mark.parametrize(
    "who", ["purchaser", "finance", "auditor", "large_user", "expert", "manager"]
)
def test_workbenches_show_the_running_purchases(client, tendering, clock, who):
    t = tendering
    tender = noticed(t, clock)
    appoint(t, tender)
    user = t.experts[0] if who == "expert" else getattr(t, who)
    login(client, user)
    page = client.get(reverse("accounts:workbench"))
    assert page.status_code == 200
    body = text(page)
    if who == "expert":
        assert "My panels" in body and tender.title in body
    if who == "large_user":
        assert (
            "Rounds open for bids" in body and page.context["provider_counts"]["opportunities"] == 1
        )
    if who in ("finance", "auditor"):
        assert "Rounds published out of time or late" in body
    if who == "purchaser":
        assert "Due soonest" in body and "Open the bids" in body


def test_attachment_download_after_the_opening(client, tendering, clock, outsiders):
    t = tendering
    tender = noticed(t, clock)
    bids = place_bids(t, clock, tender)
    opened(t, clock, tender)
    attachment = bids["large"].attachments.get()
    login(client, t.purchaser)
    response = client.get(url("attachment", attachment.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    login(client, t.small_user)  # another bidder
    assert client.get(url("attachment", attachment.pk)).status_code == 404
    login(client, outsiders.provider)
    assert client.get(url("attachment", attachment.pk)).status_code == 404
    assert client.get(url("attachment", 999999)).status_code == 404


def test_quote_rounds_in_competitive_negotiation(client, tendering, clock):
    t = tendering
    type(t.project).objects.filter(pk=t.project.pk).update(method="competitive_negotiation")
    t.project.refresh_from_db()
    clock.at("2026-09-15 10:00")
    tender = tendering_services.start_round(
        actor=t.purchaser,
        project=t.project,
        bid_deadline="2026-09-25T09:30",
        evaluation_method="lowest_price",
        criteria=[],
        sme_deduction="0.10",
    )
    clock.at("2026-09-24 10:00")
    for org, user in ((t.large, t.large_user), (t.small, t.small_user), (t.social, t.social_user)):
        tendering_services.submit_bid(
            actor=user,
            tender=tender,
            provider=org,
            price="500000.00",
            technical_response="方案",
            sme_size=org.sme_size,
        )
    clock.at("2026-09-25 09:30")
    tendering_services.open_bids(actor=t.purchaser, tender=tender)
    login(client, t.purchaser)
    page = client.get(url("round_detail", tender.pk))
    assert page.context["may_quote_round"]
    response = client.post(url("quote_round_open", tender.pk), {"deadline": "2026-09-20T09:30"})
    assert response.status_code == 200
    assert "must be in the future" in str(response.context["quote_round_form"].errors["deadline"])
    response = client.post(url("quote_round_open", tender.pk), {"deadline": "2026-09-28T09:30"})
    assert response.status_code == 302
    login(client, t.small_user)
    page = client.get(url("quote_submit", tender.pk))
    assert page.status_code == 200 and "round 2" in text(page)
    response = client.post(url("quote_submit", tender.pk), {"price": "-1"})
    assert response.status_code == 200 and response.context["form"].errors["price"]
    response = client.post(url("quote_submit", tender.pk), {"price": "470000.00"})
    assert response.status_code == 302
    body = text(client.get(url("quote_submit", tender.pk)))
    assert "470,000.00" not in body and "Your quote for this round was received" in body
    login(client, t.purchaser)
    assert client.get(url("quote_submit", tender.pk)).status_code == 403


def test_pages_need_a_login_and_writes_are_posts(client, tendering, clock):
    t = tendering
    tender = noticed(t, clock)
    login(client, None)
    for name, args in (
        ("round_list", ()),
        ("opportunities", ()),
        ("my_bids", ()),
        ("complaint_list", ()),
        ("round_detail", (tender.pk,)),
        ("bid_submit", (tender.pk,)),
        ("opening", (tender.pk,)),
        ("evaluation", (tender.pk,)),
        ("panel_sheet", (tender.pk,)),
    ):
        response = client.get(url(name, *args))
        assert response.status_code == 302 and response["Location"].startswith(
            reverse("accounts:login")
        ), name
    login(client, t.purchaser)
    for name in ("round_open", "award_confirm", "quote_round_open", "panel_declare"):
        assert client.get(url(name, tender.pk)).status_code == 405


def test_a_provider_workbench_and_inbox_never_show_prices_of_others(client, tendering, clock):
    t = tendering
    tender = noticed(t, clock)
    place_bids(t, clock, tender)
    login(client, t.unit_user)
    for path in (url("inbox"), reverse("accounts:workbench"), url("opportunities")):
        body = text(client.get(path))
        for price in PRICES.values():
            assert price not in body and f"{Decimal(price):,.2f}" not in body


# --- other methods: direct commission (P6), framework agreements (P4), emergency (P9) ---------


def settle(t, **fields):
    """Give the tendering project another method (as if chosen and approved)."""
    type(t.project).objects.filter(pk=t.project.pk).update(**fields)
    t.project.refresh_from_db()


def test_direct_commission_of_the_own_unit(client, tendering, clock):
    t = tendering
    settle(t, method="direct_commission", intended_provider=t.unit)
    clock.at("2026-09-15 10:00")
    login(client, t.purchaser)
    body = text(client.get(url("project_detail", t.project.pk)))
    assert url("commission", t.project.pk) in body and url("round_start", t.project.pk) not in body
    page = client.get(url("commission", t.project.pk))
    assert page.status_code == 200 and t.unit.name in text(page)
    response = client.post(url("commission", t.project.pk), {"price": "1600000.00", "reason": ""})
    assert response.status_code == 200
    form = response.context["form"]
    assert "Give the reason" in str(form.errors["reason"])
    assert not Tender.objects.exists()
    response = client.post(
        url("commission", t.project.pk), {"price": "1600000.00", "reason": "拨改买"}
    )
    assert "cannot exceed the purchase's budget" in response.context["form"].errors["price"][0]
    assert not Tender.objects.exists()
    for user, status in ((t.finance, 403), (t.other_purchaser, 404)):
        login(client, user)
        assert client.get(url("commission", t.project.pk)).status_code == status
    login(client, t.purchaser)
    response = client.post(
        url("commission", t.project.pk),
        {"price": "1450000.00", "reason": "拨改买：定向委托所属公益二类单位"},
    )
    tender = Tender.objects.get()
    assert response.status_code == 302 and response["Location"] == url("round_detail", tender.pk)
    assert tender.awarded_provider == t.unit
    notice = Notice.objects.get(tender=tender, kind=NoticeKind.RESULT)
    login(client, None)
    body = text(client.get(url("notice_detail", notice.pk)))
    assert t.unit.name in body and "拨改买" in body and "1,450,000.00" in body


def test_framework_agreement_from_the_notice_to_a_call_off(client, tendering, clock):
    t = tendering
    settle(t, method="framework_agreement")
    clock.at("2026-09-15 10:00")
    login(client, t.purchaser)
    page = client.get(url("round_start", t.project.pk))
    assert 'name="call_off_mode"' in text(page) and 'name="max_members"' in text(page)
    response = client.post(
        url("round_start", t.project.pk),
        notice_form(
            call_off_mode="", max_members="1", term_start="2027-01-01", term_end="2026-12-31"
        ),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["call_off_mode"] and errors["max_members"] and errors["term_end"]
    assert not Tender.objects.exists()
    response = client.post(
        url("round_start", t.project.pk),
        notice_form(
            call_off_mode="direct", max_members="2", term_start="2026-11-01", term_end="2027-10-31"
        ),
    )
    assert response.status_code == 302, response.context["form"].errors
    tender = Tender.objects.get()
    bids = place_bids(t, clock, tender, attachments=False)
    appoint(t, tender)
    opened(t, clock, tender)
    score_all(t, tender, bids)
    clock.at("2026-10-13 10:00")
    tendering_services.confirm_award(actor=t.purchaser, tender=tender)
    login(client, t.purchaser)
    page = client.get(url("result_publish", tender.pk))
    assert "Admitted to the agreement" in text(page)
    assert client.post(url("result_publish", tender.pk), {}).status_code == 302
    clock.at("2026-11-02 10:00")
    login(client, t.purchaser)
    page = client.get(url("call_offs", tender.pk))
    members = page.context["members"]
    assert page.status_code == 200 and len(members) == 2 and page.context["may_order"]
    response = client.post(
        url("call_offs", tender.pk),
        {"member": str(members[0].pk), "amount": "9999999.00", "description": "11月助餐"},
    )
    assert response.status_code == 200
    assert "above the budget" in str(response.context["form"].errors["amount"])
    response = client.post(url("call_offs", tender.pk), {"member": "x", "amount": "1"})
    assert response.context["form"].errors["member"]
    response = client.post(
        url("call_offs", tender.pk),
        {"member": str(members[0].pk), "amount": "120000.00", "description": "11月助餐"},
    )
    assert response.status_code == 302
    assert "120,000.00" in text(client.get(url("call_offs", tender.pk)))
    login(client, t.finance)
    assert client.get(url("call_offs", tender.pk)).status_code == 200
    response = client.post(
        url("call_offs", tender.pk),
        {"member": str(members[0].pk), "amount": "1.00", "description": "x"},
    )
    assert response.status_code == 403
    login(client, t.other_purchaser)
    assert client.get(url("call_offs", tender.pk)).status_code == 404


def test_emergency_rounds_show_their_simplified_steps_to_the_finance_bureau(
    client, tendering, clock
):
    t = tendering
    settle(t, emergency=True, emergency_reason="暴雨灾害，受灾老人需紧急助餐")
    clock.at("2026-09-15 10:00")
    login(client, t.purchaser)
    page = client.get(url("round_start", t.project.pk))
    assert "intention-not-over" not in text(page)  # the channel skips the intention period
    response = client.post(
        url("round_start", t.project.pk), notice_form(bid_deadline="2026-09-18T09:30")
    )
    assert response.status_code == 302, response.context["form"].violations
    tender = Tender.objects.get()
    assert tender.emergency and tender.simplified_steps
    login(client, t.finance)
    page = client.get(url("round_list"), {"flag": "emergency"})
    assert [x.pk for x in page.context["page"]] == [tender.pk]
    steps = shown_texts(tender.simplified_steps)  # stored as texts (core.text)
    assert steps[0] in text(page)
    body = text(client.get(url("round_detail", tender.pk)))
    assert "Emergency green channel" in body and steps[-1] in body
    body = text(client.get(reverse("accounts:workbench")))
    assert "Emergency rounds (P9)" in body


def test_a_voucher_programme_notice_admits_at_least_three(client, tendering, clock):
    t = tendering
    settle(t, method="voucher", voucher=True)
    clock.at("2026-09-15 10:00")
    login(client, t.purchaser)
    page = client.get(url("round_start", t.project.pk))
    body = text(page)
    assert 'name="max_members"' in body and 'name="call_off_mode"' not in body
    response = client.post(
        url("round_start", t.project.pk),
        notice_form(max_members="2", term_start="2026-11-01", term_end="2027-10-31"),
    )
    assert response.status_code == 200 and not Tender.objects.exists()
    assert "P5" in text(response)
    response = client.post(
        url("round_start", t.project.pk),
        notice_form(max_members="3", term_start="2026-11-01", term_end="2027-10-31"),
    )
    assert response.status_code == 302
    tender = Tender.objects.get()
    assert tender.framework.call_off_mode == "recipient" and tender.min_bids == 3
