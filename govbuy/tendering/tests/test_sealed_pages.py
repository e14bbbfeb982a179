"""Sealed bids on the pages (P12): until the bids are opened every role on every
page that could show a bid's content, price, attachment or the number of bids
gets 403 or 404 — never the content — and each refused attempt by a user who
sees the round is in the audit log (`procurement.bid.sealed_read_refused`). A
bid or attachment page asked for by id answers everyone but the bidder exactly
like a missing id (`procurement.bid.read_refused`, audited alike). After the
opening the right roles read the bids, and only those; a round terminated
before its opening keeps them sealed for ever."""

from __future__ import annotations

import re
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.urls import reverse

from govbuy.core.models import AuditEvent
from govbuy.tendering import services as tendering_services
from govbuy.tendering.models import Bid
from govbuy.tendering.tests.test_views_running import (
    PRICES,
    appoint,
    login,
    noticed,
    opened,
    place_bids,
    text,
    url,
)

pytestmark = pytest.mark.django_db

REFUSED = "procurement.bid.sealed_read_refused"
BY_ID = "procurement.bid.read_refused"
BY_ID_PAGES = ("bid_detail", "attachment")
# The pages that show bids: their list, one bid, an attachment, the opening
# record, the evaluation, a panel member's score sheet.
SEALED = ("bid_list", "bid_detail", "attachment", "opening", "evaluation", "panel_sheet")


def price_shown(body: str, key: str) -> bool:
    price = PRICES[key]
    return price in body or f"{Decimal(price):,.2f}" in body


def no_price_in(body: str) -> bool:
    return not any(price_shown(body, key) for key in PRICES)


@pytest.fixture
def world(tendering, clock, make_org, make_user):
    """The round with three bids (each with an attachment) and its panel, on
    9 Oct, before the opening on 12 Oct 09:30; and every kind of user."""
    from govbuy.procurement.tests.fixtures import provider_org

    t = tendering
    tender = noticed(t, clock)
    bids = place_bids(t, clock, tender)
    appoint(t, tender)
    admin_org = make_org("平台运营中心（测）", "410000")
    _org, outsider_provider = provider_org(make_org, make_user, "郑州市第三方养老公司")
    users = {
        "owner": t.purchaser,
        "representative": t.rep,
        "other department": t.other_purchaser,
        "finance": t.finance,
        "province finance": t.finance_hn,
        "other finance": t.finance_ly,
        "auditor": t.auditor,
        "admin": make_user("platform_admin", admin_org),
        "bidder": t.large_user,
        "other bidder": t.small_user,
        "other provider": outsider_provider,
        "chair": t.experts[0],
        "expert off the panel": make_user("expert", t.zz),
        "anonymous": None,
    }
    return SimpleNamespace(t=t, tender=tender, bids=bids, users=users)


def page_url(w, name) -> str:
    large = w.bids["large"]
    if name == "bid_detail":
        return url(name, large.pk)
    if name == "attachment":
        return url(name, large.attachments.get().pk)
    return url(name, w.tender.pk)


# Who sees the round before the opening (and so is refused with 403, audited);
# everyone else gets 404, anonymous users the login page.
SEES_ROUND = {
    "owner",
    "representative",
    "finance",
    "province finance",
    "auditor",
    "admin",
    "bidder",
    "other bidder",
    "chair",
}


def expected_before(who: str, name: str) -> int:
    if who == "anonymous":
        return 302
    if name in BY_ID_PAGES:
        return 403 if who == "bidder" else 404  # like a missing id, for all but the bidder
    if who not in SEES_ROUND:
        return 404
    return 403


def refusals() -> int:
    return AuditEvent.objects.filter(action__in=(REFUSED, BY_ID)).count()


def test_before_the_opening_no_role_reads_a_bid_and_every_attempt_is_audited(client, world, clock):
    clock.at("2026-10-12 09:29:59")  # one second before the opening
    for who, user in world.users.items():
        login(client, user)
        for name in SEALED:
            before = refusals()
            response = client.get(page_url(world, name))
            expected = expected_before(who, name)
            assert response.status_code == expected, (who, name, response.status_code)
            body = text(response) if not hasattr(response, "streaming_content") else ""
            assert no_price_in(body), (who, name)
            latest = AuditEvent.objects.filter(action__in=(REFUSED, BY_ID)).order_by("-seq")
            if who == "anonymous":
                assert refusals() == before, (who, name)
            elif name in BY_ID_PAGES and who != "bidder":
                assert refusals() == before + 1, (who, name)
                event = latest.first()
                assert (event.action, event.actor_id, event.object_id) == (BY_ID, user.pk, "")
            elif who in SEES_ROUND:  # refused with 403, or 404 for what is never theirs
                assert refusals() == before + 1, (who, name)
                event = latest.first()
                assert event.actor_id == user.pk and event.object_id == str(world.tender.pk)
            else:
                assert refusals() == before, (who, name)
    # Nothing was opened by all these attempts.
    world.tender.refresh_from_db()
    assert world.tender.opened_at is None


def test_before_the_opening_no_page_shows_prices_or_the_bid_count(client, world, clock):
    clock.at("2026-10-12 09:29:59")
    t, tender = world.t, world.tender
    pages = [
        url("round_detail", tender.pk),
        url("round_public", tender.pk),
        url("round_list"),
        url("my_bids"),
        url("bid_submit", tender.pk),
        url("inbox"),
        url("notice_list"),
        url("opportunities"),
        url("project_detail", t.project.pk),
        url("complaint_list"),
        reverse("accounts:workbench"),
    ]
    for who, user in world.users.items():
        login(client, user)
        for path in pages:
            response = client.get(path)
            assert response.status_code in (200, 302, 403, 404), (who, path)
            assert no_price_in(text(response)), (who, path)
            if path == url("round_detail", tender.pk) and response.status_code == 200:
                assert response.context["bid_count"] is None
                assert "sealed until the opening" in text(response)
    # The bidder's own receipt is there, without its content.
    login(client, t.large_user)
    body = text(client.get(url("my_bids")))
    assert world.bids["large"].digest in body and not price_shown(body, "large")
    # No page view unsealed anything by itself.
    assert not AuditEvent.objects.filter(action=REFUSED).exists()


def test_the_opening_page_before_the_opening_does_not_open_the_bids(client, world, clock):
    clock.at("2026-10-12 09:29:59")
    login(client, world.t.large_user)
    response = client.get(url("opening", world.tender.pk))
    assert response.status_code == 403
    assert "2026-10-12 09:30:00" in text(response)
    world.tender.refresh_from_db()
    assert world.tender.opened_at is None and world.tender.opening_record == []


def expected_after(who: str, name: str) -> int:
    staff = {"owner", "representative", "finance", "province finance", "auditor", "admin"}
    if who == "anonymous":
        return 302
    if who not in SEES_ROUND:
        return 404
    if name == "panel_sheet":
        return 200 if who in ("chair", "representative") else 403
    if name == "evaluation":
        return 200 if who in staff or who == "chair" else 403
    if name in ("bid_detail", "attachment"):
        return 404 if who == "other bidder" else 200
    return 200


def test_after_the_opening_the_right_roles_read_the_bids(client, world, clock):
    opened(world.t, clock, world.tender)
    clock.at("2026-10-12 09:31")
    for who, user in world.users.items():
        login(client, user)
        for name in SEALED:
            response = client.get(page_url(world, name))
            expected = expected_after(who, name)
            assert response.status_code == expected, (who, name, response.status_code)
            if expected != 200 or name == "attachment":
                continue
            body = text(response)
            if name == "panel_sheet":
                continue  # bids are shown once the member declares (test below)
            if who in ("bidder", "other bidder") and name == "bid_list":
                # A bidder reads its own bid, not the others'.
                mine = "large" if who == "bidder" else "small"
                assert price_shown(body, mine)
                assert not any(price_shown(body, k) for k in PRICES if k != mine), who
            elif name == "bid_detail":
                assert price_shown(body, "large")
            else:
                assert all(price_shown(body, k) for k in PRICES), (who, name)
    assert not AuditEvent.objects.filter(action=REFUSED).exists()


def test_after_the_opening_the_panel_reads_the_bids_once_it_declares(client, world, clock):
    opened(world.t, clock, world.tender)
    login(client, world.t.experts[1])
    body = text(client.get(url("panel_sheet", world.tender.pk)))
    assert no_price_in(body)
    tendering_services.declare_no_conflict(actor=world.t.experts[1], tender=world.tender)
    body = text(client.get(url("panel_sheet", world.tender.pk)))
    assert all(price_shown(body, k) for k in PRICES)


def test_quotes_stay_sealed_until_their_round_closes(client, tendering, clock):
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
    )
    clock.at("2026-09-24 10:00")
    bids = [
        tendering_services.submit_bid(
            actor=user,
            tender=tender,
            provider=org,
            price="500000.00",
            technical_response="方案",
            sme_size=org.sme_size,
        )
        for org, user in (
            (t.large, t.large_user),
            (t.small, t.small_user),
            (t.social, t.social_user),
        )
    ]
    clock.at("2026-09-25 09:30")
    tendering_services.open_bids(actor=t.purchaser, tender=tender)
    tendering_services.open_quote_round(
        actor=t.purchaser, tender=tender, deadline="2026-09-28T09:30"
    )
    tendering_services.submit_quote(actor=t.small_user, bid=bids[1], price="471234.56")
    for user in (t.purchaser, t.finance, t.small_user):
        login(client, user)
        for path in (url("bid_detail", bids[1].pk), url("bid_list", tender.pk)):
            before = AuditEvent.objects.filter(action=REFUSED).count()
            response = client.get(path)
            assert response.status_code == 403, (user, path)
            assert "471,234.56" not in text(response) and "471234.56" not in text(response)
            assert AuditEvent.objects.filter(action=REFUSED).count() == before + 1
    clock.at("2026-09-28 09:30")
    login(client, t.purchaser)
    response = client.get(url("bid_detail", bids[1].pk))
    assert response.status_code == 200 and "471,234.56" in text(response)
    assert Bid.objects.get(pk=bids[1].pk).quotes.count() == 1


# --- a sealed bid's pages answer like a missing id's ---------------------------------------------

TOKEN = re.compile(
    r'(name="csrfmiddlewaretoken" value="|"X-CSRFToken": "|nonce=")[^"]*"', re.IGNORECASE
)


def normalized(response, path: str) -> tuple:
    """Status and body with what differs per request (tokens, the path itself) blanked."""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    body = TOKEN.sub(r"\1…", body.decode()).replace(path, "<path>")
    return response.status_code, response.get("Location", "").replace(path, "<path>"), body


def by_id_pages(world):
    """Every page addressed by a bid's or an attachment's id: (name, method, path for an id)."""
    return [
        ("bid detail", "get", lambda pk: url("bid_detail", pk), "bid"),
        ("attachment", "get", lambda pk: url("attachment", pk), "attachment"),
        ("review", "post", lambda pk: url("bid_review", pk), "bid"),
        ("withdraw page", "get", lambda pk: url("bid_withdraw", pk), "bid"),
        ("withdraw", "post", lambda pk: url("bid_withdraw", pk), "bid"),
    ]


def compare_pages(client, world, phase: str) -> list[str]:
    from govbuy.tendering.models import BidAttachment

    large = world.bids["large"]
    existing = {"bid": large.pk, "attachment": large.attachments.get().pk}
    missing = {
        "bid": Bid.objects.order_by("-pk").first().pk + 1000,
        "attachment": BidAttachment.objects.order_by("-pk").first().pk + 1000,
    }
    problems = []
    for who, user in world.users.items():
        if who in ("bidder", "anonymous"):
            continue
        for name, method, path_of, what in by_id_pages(world):
            seen = []
            for pk in (existing[what], missing[what]):
                login(client, user)
                path = path_of(pk)
                data = {"decision": "valid"} if method == "post" else None
                response = (
                    getattr(client, method)(path, data) if data else getattr(client, method)(path)
                )
                event = AuditEvent.objects.order_by("-seq").first()
                seen.append(
                    (
                        *normalized(response, path),
                        event.action,
                        event.actor_id,
                        event.object_id,
                        sorted(event.data),
                    )
                )
            if seen[0] != seen[1]:
                first = [a for a, b in zip(seen[0], seen[1], strict=True) if a != b]
                problems.append(f"{phase}, {who}, {name}: differs in {str(first)[:300]}")
            elif seen[0][0] not in (404, 403 if name.startswith("withdraw") else 404):
                # (403 on the withdrawal pages: not a provider, whatever the id)
                problems.append(f"{phase}, {who}, {name}: {seen[0][0]}")
    return problems


def test_a_sealed_bid_s_pages_answer_every_role_exactly_like_a_missing_id(client, world, clock):
    """Every role but the bidder × every page addressed by a bid's or attachment's
    id: the same status and body (tokens and the path aside) and the same audit
    event for an existing sealed id as for one that does not exist — before the
    opening, after its time while not opened, and after a termination."""
    problems = []
    clock.at("2026-10-12 09:29:59")
    problems += compare_pages(client, world, "before the opening")
    clock.at("2026-10-12 09:45")
    problems += compare_pages(client, world, "not opened yet")
    tendering_services.terminate_round(
        actor=world.t.purchaser, tender=world.tender, reason="需求取消"
    )
    clock.at("2026-11-20 10:00")
    problems += compare_pages(client, world, "terminated")
    assert not problems, "\n".join(problems)
    login(client, world.t.large_user)
    response = client.get(url("bid_detail", world.bids["large"].pk))
    assert response.status_code == 403 and "never opened" in text(response)


def test_a_terminated_round_s_bids_stay_sealed_on_every_page(client, world, clock):
    """Terminated before the opening: long after its time no page shows a bid, a
    price or the count, the bidder still sees its receipt and may withdraw."""
    clock.at("2026-10-10 10:00")
    tendering_services.terminate_round(
        actor=world.t.purchaser, tender=world.tender, reason="需求取消"
    )
    clock.at("2026-12-01 10:00")
    for who, user in world.users.items():
        login(client, user)
        for name in SEALED:
            response = client.get(page_url(world, name))
            assert response.status_code == expected_before(who, name), (who, name)
            if response.status_code == 403:
                assert "never opened" in text(response), (who, name)
        response = client.get(url("round_detail", world.tender.pk))
        if response.status_code == 200:
            assert response.context["bid_count"] is None and no_price_in(text(response))
    world.tender.refresh_from_db()
    assert world.tender.opened_at is None
    login(client, world.t.small_user)
    body = text(client.get(url("my_bids")))
    assert world.bids["small"].digest in body and not price_shown(body, "small")
    withdraw = url("bid_withdraw", world.bids["small"].pk)
    assert withdraw in body
    response = client.post(withdraw, {})
    assert response.status_code == 302
    assert Bid.objects.get(pk=world.bids["small"].pk).status == "withdrawn"


# --- audit events about bids name no bidder until the opening -----------------------------------


def test_audit_events_about_bids_say_a_bid_until_the_opening(client, world, clock):
    """The auditor's and the administrator's workbench list the latest audit
    events: until the opening an event about a bid names neither the bidder nor
    the user who acted nor the bid, only "a bid"; after it, everything. The
    chain itself still holds the full events."""
    from govbuy.core.audit import verify_chain

    t = world.t
    clock.at("2026-10-10 11:00")
    tendering_services.submit_bid(
        actor=t.small_user,
        tender=world.tender,
        provider=t.small,
        price="530000",
        technical_response="新的方案",
        sme_size=t.small.sme_size,
        replace=True,
    )
    tendering_services.withdraw_bid(actor=t.social_user, bid=world.bids["social"])
    bidders = (t.large, t.small, t.social)
    names = [o.name for o in bidders] + [
        f">{u.get_username()}<" for u in (t.large_user, t.small_user, t.social_user)
    ]
    assert AuditEvent.objects.filter(action="procurement.bid.replace").exists()

    def workbench(user) -> str:
        login(client, user)
        response = client.get(reverse("accounts:workbench"))
        assert response.status_code == 200
        return text(response)

    for user in (t.auditor, world.users["admin"]):
        body = workbench(user)
        leaked = [n for n in names if n in body]
        assert not leaked, (user, leaked)
        for action in ("procurement.bid.submit", "procurement.bid.replace"):
            assert action in body, action
        assert "procurement.bid.withdraw" in body and "a bid" in body
        assert not any(f"bid {b.pk}" in body for b in world.bids.values())
    opened(t, clock, world.tender)
    body = workbench(t.auditor)
    assert t.large.name in body and t.small.name in body
    assert verify_chain().ok
