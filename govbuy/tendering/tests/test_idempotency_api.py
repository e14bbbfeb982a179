"""Idempotency-Key on the other money-moving calls, over the real HTTP stack: a
retried amount change commits the difference once, a retried budget adjustment
approval moves the line once, a retried framework call-off orders once, and a
retried bid replacement creates one new bid row (P12: a retry must not replace
the retry's own bid)."""

import json
from decimal import Decimal

import pytest

from govbuy.budgets import services as budgets
from govbuy.core.idempotency import REPLAYED_HEADER
from govbuy.procurement import services
from govbuy.procurement.tests.fixtures import approved_project
from govbuy.procurement.tests.test_api import API, as_user, call
from govbuy.tendering import services as tendering_services
from govbuy.tendering.models import Bid, BidStatus, CallOff, Tender
from govbuy.tendering.tests.fixtures import start
from govbuy.tendering.tests.test_api_running import ROUND, appoint, open_, pdf, score_all

KEY = {"HTTP_IDEMPOTENCY_KEY": "retry-me-1"}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def test_a_retried_amount_change_commits_the_difference_once(client, buying):
    line = buying.line("1000000.00")
    project = services.create_project(
        actor=buying.purchaser, budget_line=line, name="助餐服务", amount="300000.00"
    )
    as_user(client, buying.purchaser)
    answers = [
        call(client, "patch", f"/projects/{project.pk}", {"amount": "450000.00"}, **KEY)
        for _ in range(3)
    ]
    assert [r.status_code for r in answers] == [200, 200, 200]
    assert [r.get(REPLAYED_HEADER) for r in answers] == [None, "true", "true"]
    assert answers[1].content == answers[0].content
    line.refresh_from_db()
    assert line.committed == Decimal("450000.00")


def test_a_retried_adjustment_approval_moves_the_line_once(client, buying):
    line = buying.line("500000.00")
    adjustment = budgets.propose_adjustment(
        actor=buying.purchaser, line=line, amount_after="560000.00", reason="服务人数增加"
    )
    as_user(client, buying.finance)
    path = f"/budget-adjustments/{adjustment.pk}/approve"
    first = call(client, "post", path, {"note": "同意"}, **KEY)
    again = call(client, "post", path, {"note": "同意"}, **KEY)
    assert first.status_code == again.status_code == 200
    assert again.content == first.content and again[REPLAYED_HEADER] == "true"
    line.refresh_from_db()
    assert line.amount == Decimal("560000.00")
    # Without the key the retry is refused (the adjustment is decided), not applied twice.
    assert call(client, "post", path, {"note": "同意"}).status_code == 409


def test_a_retried_bid_replacement_creates_one_bid_row(client, tendering, clock):
    t = tendering
    clock.at("2026-09-15 10:00")
    tender = start(services, t)
    clock.at("2026-10-09 15:00")
    as_user(client, t.large_user)
    path = f"{API}/rounds/{tender.pk}/bids"
    first = client.post(path, {"price": "500000.00", "technical_response": "方案一"})
    assert first.status_code == 201, first.content
    body = {
        "price": "490000.00",
        "technical_response": "方案二",
        "replace": "true",
        "files": [pdf("方案二.pdf")],
    }
    replaced = client.post(path, body, **KEY)
    body["files"] = [pdf("方案二.pdf")]  # the same file, sent again
    retried = client.post(path, body, **KEY)
    assert replaced.status_code == retried.status_code == 201, retried.content
    assert retried.content == replaced.content and retried[REPLAYED_HEADER] == "true"
    bids = Bid.objects.filter(tender=tender, provider=t.large)
    assert bids.count() == 2
    assert bids.get(status=BidStatus.SUBMITTED).pk == replaced.json()["id"]
    assert replaced.json()["replaces_id"] == first.json()["id"]
    # Another file under the same key is another request.
    body["files"] = [pdf("方案二.pdf", size=3000)]
    r = client.post(path, body, **KEY)
    assert r.status_code == 422 and r.json()["code"] == "idempotency_key_reused"
    assert bids.count() == 2


def test_a_retried_call_off_orders_once(client, tendering, clock):
    t = tendering
    clock.at("2026-08-03 09:30")
    project = approved_project(t, method="framework_agreement", name="居家上门助浴服务框架协议")
    tendering_services.publish_intention(
        actor=t.purchaser, project=project, expected_on="2026-09-15"
    )
    clock.at("2026-09-15 10:00")
    as_user(client, t.purchaser)
    body = {
        **ROUND,
        "framework": {
            "call_off_mode": "direct",
            "max_members": 2,
            "term_start": "2026-11-01",
            "term_end": "2027-10-31",
        },
    }
    r = call(client, "post", f"/projects/{project.pk}/rounds", body)
    assert r.status_code == 201, r.content
    t.tender = Tender.objects.get(pk=r.json()["id"])
    clock.at("2026-10-09 10:00")
    t.bids = {
        who: tendering_services.submit_bid(
            actor=getattr(t, f"{who}_user"),
            tender=t.tender,
            provider=getattr(t, who),
            price=price,
            technical_response="上门助浴",
            sme_size=getattr(t, who).sme_size,
        )
        for who, price in {"large": "300.00", "small": "320.00", "social": "310.00"}.items()
    }
    open_(t, clock)
    appoint(t)
    score_all(t, {"large": ("38", "28"), "small": ("30", "20"), "social": ("36", "27")})
    tendering_services.confirm_award(actor=t.purchaser, tender=t.tender)
    tendering_services.publish_result(actor=t.purchaser, tender=t.tender)
    clock.at("2026-11-02 10:00")
    as_user(client, t.purchaser)
    member = t.tender.framework.members.order_by("rank").first()
    order = {"member": member.pk, "amount": "1240.00", "description": "每周助浴 1 次"}
    path = f"/rounds/{t.tender.pk}/call-offs"
    answers = [call(client, "post", path, order, **KEY) for _ in range(2)]
    assert [r.status_code for r in answers] == [201, 201]
    assert answers[1].content == answers[0].content
    assert CallOff.objects.filter(agreement=t.tender.framework).count() == 1
    # A new order is a new key.
    r = call(client, "post", path, order, HTTP_IDEMPOTENCY_KEY="retry-me-2")
    assert r.status_code == 201 and json.loads(r.content)["id"] != answers[0].json()["id"]
    assert CallOff.objects.filter(agreement=t.tender.framework).count() == 2
