"""Sealed bids over the API (P12): every role on every endpoint that could show a
bid's content, price or count.

Until the bids are actually opened everyone is refused. On the round's own
endpoints (its bid list, count, opening record, scores, panel sheet) that is
403 "sealed" for those who may read the bids later and 404 for what they may
never read; every refused attempt of a user who can see the round is written
to the audit chain (`procurement.bid.sealed_read_refused`). A bid or an
attachment asked for by its id answers everyone but its bidder exactly like a
missing id — same status, same body, the same audit event
(`procurement.bid.read_refused`) — so probing ids counts nothing. Without a
login: 401. After the opening the department, the finance bureau and audit
office above it, the administrator and the panel read every bid; a bidder
reads its own bid and the opening record; other providers still get 404.
The clock alone never lifts the seal, and a round terminated before its
opening keeps its bids sealed for ever.

The matrix is ROLES × ENDPOINTS: a new endpoint that shows bid content is one
more entry in ENDPOINTS (a new role one more entry in ROLES), and
`test_every_endpoint_showing_bid_content_is_in_the_matrix` fails until it is
there.
"""

import datetime as dt
import json
import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.conf import settings
from ninja.constants import NOT_SET

from govbuy.core.models import AuditEvent
from govbuy.procurement import services
from govbuy.procurement.tests.test_api import API
from govbuy.tendering import services as tendering_services
from govbuy.tendering.tests.fixtures import start
from govbuy.tendering.tests.test_api_running import (
    PRICES,
    appoint,
    bid_all,
    media,  # noqa: F401  (autouse: attachments in a temporary directory)
)

SEALED = "procurement.bid.sealed_read_refused"
BY_ID = "procurement.bid.read_refused"
# A bid price as a whole number (the budget, 1,500,000.00, contains "500000.00").
PRICE_SEEN = re.compile("|".join(rf"(?<![0-9]){p.split('.')[0]}(?![0-9])" for p in PRICES.values()))

# Who reads what after the opening.
STAFF = ("purchaser", "manager", "finance", "finance_province", "auditor", "admin", "panel")
BIDDERS = ("bidder", "rival_small", "rival_social")  # "bidder" owns the bid read below
OUTSIDERS = ("other_department", "finance_other_region", "expert_off_panel", "other_provider")
ROLES = (*STAFF, *BIDDERS, *OUTSIDERS, "anonymous")


def user_of(w, role):
    return {
        "purchaser": w.purchaser,
        "manager": w.manager,
        "finance": w.finance,
        "finance_province": w.finance_hn,
        "auditor": w.auditor,
        "admin": w.admin,
        "panel": w.experts[0],
        "bidder": w.large_user,
        "rival_small": w.small_user,
        "rival_social": w.social_user,
        "other_department": w.other_purchaser,
        "finance_other_region": w.finance_ly,
        "expert_off_panel": w.off_panel,
        "other_provider": w.unit_user,
        "anonymous": None,
    }[role]


@pytest.fixture
def w(tendering, make_user, clock):
    """The open tender of `tendering` with its panel appointed and three bids
    (each with a PDF) received on 2026-10-09; the opening is at 2026-10-12 09:30."""
    t = tendering
    t.admin = make_user("platform_admin", t.hn)
    t.off_panel = make_user("expert", t.zz)
    clock.at("2026-09-15 10:00")
    t.tender = start(services, t)
    appoint(t)
    bid_all(t, clock)
    return t


# --- what each endpoint shows after the opening ------------------------------------------------


def shows_all_bids(w, role, r):
    assert r.status_code == 200, r.content
    prices = sorted(b["price"] for b in r.json()["items"])
    if role == "bidder":
        assert prices == [PRICES["large"]]
    elif role in BIDDERS:
        assert len(prices) == 1 and prices != [PRICES["large"]]
    else:
        assert prices == sorted(PRICES.values())
        assert all(b["technical_response"] for b in r.json()["items"])


def shows_the_bid(w, role, r):
    assert r.status_code == 200, r.content
    assert r.json()["price"] == PRICES["large"] and r.json()["provider_id"] == w.large.pk


def streams_the_attachment(w, role, r):
    assert r.status_code == 200
    assert r["Content-Type"] == "application/pdf"
    assert r["Content-Disposition"].startswith("attachment;")
    assert "large.pdf" in r["Content-Disposition"]
    assert b"".join(r.streaming_content).startswith(b"%PDF-")


def shows_the_opening_record(w, role, r):
    assert r.status_code == 200, r.content
    assert [line["price"] for line in r.json()["record"]] == list(PRICES.values())


def shows_the_count(w, role, r):
    assert r.status_code == 200 and r.json() == {"count": 3}


def shows_the_scores(w, role, r):
    assert r.status_code == 200 and r.json() == []  # nobody has scored yet


def shows_the_panel_sheet(w, role, r):
    assert r.status_code == 200, r.content
    assert sorted(b["price"] for b in r.json()["bids"]) == sorted(PRICES.values())


@dataclass(frozen=True)
class Endpoint:
    name: str
    route: str  # as the router declares it
    url: Callable  # w -> the path under /api/v1
    readers: tuple  # roles that succeed after the opening
    check: Callable  # (w, role, response) after the opening, for a reader
    by_id: str = ""  # "bid" or "attachment": addressed by that object's id, not the round's

    def __str__(self):
        return self.name


ENDPOINTS = [
    Endpoint(
        "bid list",
        "/rounds/{pk}/bids",
        lambda w: f"/rounds/{w.tender.pk}/bids",
        (*STAFF, *BIDDERS),
        shows_all_bids,
    ),
    Endpoint(
        "one bid",
        "/bids/{pk}",
        lambda w: f"/bids/{w.bids['large'].pk}",
        (*STAFF, "bidder"),
        shows_the_bid,
        "bid",
    ),
    Endpoint(
        "attachment",
        "/attachments/{pk}",
        lambda w: f"/attachments/{w.bids['large'].attachments.get().pk}",
        (*STAFF, "bidder"),
        streams_the_attachment,
        "attachment",
    ),
    Endpoint(
        "opening record",
        "/rounds/{pk}/opening",
        lambda w: f"/rounds/{w.tender.pk}/opening",
        (*STAFF, *BIDDERS),
        shows_the_opening_record,
    ),
    Endpoint(
        "bid count",
        "/rounds/{pk}/bid-count",
        lambda w: f"/rounds/{w.tender.pk}/bid-count",
        (*STAFF, *BIDDERS),
        shows_the_count,
    ),
    Endpoint(
        "scores",
        "/rounds/{pk}/scores",
        lambda w: f"/rounds/{w.tender.pk}/scores",
        STAFF,
        shows_the_scores,
    ),
    Endpoint(
        "panel sheet",
        "/rounds/{pk}/panel-sheet",
        lambda w: f"/rounds/{w.tender.pk}/panel-sheet",
        STAFF,
        shows_the_panel_sheet,
    ),
]


def get(client, w, role, endpoint, lang=None):
    user = user_of(w, role)
    client.logout()
    if user is not None:
        client.force_login(user)
    if lang:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    return client.get(f"{API}{endpoint.url(w)}")


def sealed_events() -> int:
    return AuditEvent.objects.filter(action__in=(SEALED, BY_ID)).count()


def object_id(w, endpoint) -> int:
    return int(endpoint.url(w).rsplit("/", 1)[1])


def check_sealed(client, w, role, endpoint, *, shown="2026-10-12 09:30", lang=None):
    """While the bids are sealed: refused, and audited for those who see the round
    (for an object asked for by id: for everyone, exactly as a missing id is)."""
    user = user_of(w, role)
    before = sealed_events()
    r = get(client, w, role, endpoint, lang)
    assert not PRICE_SEEN.search(r.content.decode())
    if role == "anonymous":
        assert r.status_code == 401 and sealed_events() == before
        return
    if endpoint.by_id and role != "bidder":
        assert r.status_code == 404 and r.json()["code"] == "not_found"
        assert sealed_events() == before + 1
        event = AuditEvent.objects.filter(action__in=(SEALED, BY_ID)).latest("seq")
        assert (event.action, event.actor_id, event.object_type, event.object_id) == (
            BY_ID,
            user.pk,
            "",
            "",
        )
        assert event.data == {"what": endpoint.by_id, "id": object_id(w, endpoint)}
        return
    if role in OUTSIDERS:
        assert r.status_code == 404 and r.json()["code"] == "not_found"
        assert sealed_events() == before
        return
    if role in endpoint.readers:
        assert r.status_code == 403, r.content
        body = r.json()
        assert body["code"] == "sealed" and body["violations"][0]["rule"] == "P12"
        assert shown in body["violations"][0]["message"]
    else:  # what it may never read: answered as if absent, yet audited
        assert r.status_code == 404 and r.json()["code"] == "not_found"
    assert sealed_events() == before + 1
    event = AuditEvent.objects.filter(action=SEALED).latest("seq")
    assert event.actor_id == user.pk and event.object_id == str(w.tender.pk)
    assert dt.datetime.fromisoformat(event.data["opening_at"]) == w.tender.opening_at
    assert "price" not in event.data


def check_opened(client, w, role, endpoint):
    before = sealed_events()
    r = get(client, w, role, endpoint)
    if role == "anonymous":
        assert r.status_code == 401
    elif role in endpoint.readers:
        endpoint.check(w, role, r)
    else:
        assert r.status_code == 404 and r.json()["code"] == "not_found"
        if endpoint.by_id:  # refused by id: audited like any missing id
            assert sealed_events() == before + 1
            return
    assert sealed_events() == before


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_every_role_is_refused_before_the_opening_and_the_right_ones_read_after(
    client, w, clock, endpoint
):
    """ROLES × ENDPOINTS. One test per endpoint runs every role against the same
    round (a round built per role and endpoint would take minutes); each failure
    is reported with its role and phase."""
    problems = []
    clock.at("2026-10-12 09:29:59")
    for role in ROLES:
        try:
            check_sealed(client, w, role, endpoint)
        except AssertionError as exc:
            problems.append(f"before the opening, {role}: {exc}")
    refused = [
        role for role in ROLES if role != "anonymous" and (role not in OUTSIDERS or endpoint.by_id)
    ]
    if sealed_events() != len(refused):
        problems.append(f"{sealed_events()} refusals audited, expected {len(refused)}")
    # The server's clock unseals at the opening time; the round is then opened.
    clock.at("2026-10-12 09:30")
    tendering_services.open_bids(actor=w.purchaser, tender=w.tender)
    for role in ROLES:
        try:
            check_opened(client, w, role, endpoint)
        except AssertionError as exc:
            problems.append(f"after the opening, {role}: {exc}")
    assert not problems, "\n".join(problems)


def test_the_seal_lifts_at_the_opening_not_by_the_clock(client, w, clock):
    """At the opening time the bids stay sealed until someone opens them (the
    purchaser's button, a bidder's request on the opening page, or `tick`)."""
    clock.at("2026-10-12 10:00")
    for role in ("purchaser", "finance", "admin", "panel"):
        r = get(client, w, role, ENDPOINTS[1])
        assert r.status_code == 404 and r.json()["code"] == "not_found"
        r = get(client, w, role, ENDPOINTS[0], lang="en")
        assert r.status_code == 403 and r.json()["code"] == "sealed", role
        assert "not opened yet" in r.json()["violations"][0]["message"]
    assert get(client, w, "bidder", ENDPOINTS[1]).status_code == 403
    tendering_services.open_bids(actor=w.purchaser, tender=w.tender)
    for role in ("purchaser", "finance", "admin", "bidder"):
        shows_the_bid(w, role, get(client, w, role, ENDPOINTS[1]))


# --- existing sealed ids answer like missing ones ----------------------------------------------


def missing_ids():
    from govbuy.tendering.models import Bid, BidAttachment

    return {
        "bid": (Bid.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1000,
        "attachment": (
            BidAttachment.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        )
        + 1000,
    }


# Everything addressed by a bid's or an attachment's id: (name, method, path, what, body).
BY_ID_ROUTES = [
    ("one bid", "get", "/bids/{pk}", "bid", None),
    ("attachment", "get", "/attachments/{pk}", "attachment", None),
    ("review", "post", "/bids/{pk}/review", "bid", {"valid": True, "reason": ""}),
]
PROBERS = tuple(role for role in ROLES if role not in ("bidder", "anonymous"))


def probe(client, w, role, method, path, body):
    user = user_of(w, role)
    client.logout()
    client.force_login(user)
    kwargs = {"content_type": "application/json", "data": json.dumps(body)} if body else {}
    r = getattr(client, method)(f"{API}{path}", **kwargs)
    event = AuditEvent.objects.order_by("-seq").first()
    return r, event


def compare_existing_and_missing(client, w, phase: str) -> list[str]:
    """For every role but the bidder and every by-id route: the answer for the
    large bid (or its attachment) equals the answer for an id that does not
    exist — status, body and the audit event written — and is a 404."""
    problems = []
    existing = {"bid": w.bids["large"].pk, "attachment": w.bids["large"].attachments.get().pk}
    missing = missing_ids()
    for role in PROBERS:
        for name, method, path, what, body in BY_ID_ROUTES:
            seen = []
            for pk in (existing[what], missing[what]):
                r, event = probe(client, w, role, method, path.format(pk=pk), body)
                seen.append(
                    (
                        r.status_code,
                        b"".join(r.streaming_content) if r.streaming else r.content,
                        (event.action, event.actor_id, event.object_type, event.object_id),
                        {k: (v if k != "id" else "<id>") for k, v in event.data.items()},
                    )
                )
            if seen[0] != seen[1]:
                problems.append(f"{phase}, {role}, {name}: {seen[0]} != {seen[1]}")
            elif seen[0][0] != 404:
                problems.append(f"{phase}, {role}, {name}: {seen[0][0]}")
    return problems


def test_a_sealed_bid_or_attachment_answers_every_role_exactly_like_a_missing_one(client, w, clock):
    """ROLES × BY_ID_ROUTES, existing against missing: before the opening time,
    after it while the round is not opened, and after the round is terminated
    (whose bids are never opened). Only the bidder knows its bid exists."""
    problems = []
    clock.at("2026-10-12 09:29:59")
    problems += compare_existing_and_missing(client, w, "before the opening")
    clock.at("2026-10-12 09:45")
    problems += compare_existing_and_missing(client, w, "not opened yet")
    tendering_services.terminate_round(actor=w.purchaser, tender=w.tender, reason="需求取消")
    clock.at("2026-11-20 10:00")
    problems += compare_existing_and_missing(client, w, "terminated")
    assert not problems, "\n".join(problems)
    # The bidder itself is told its own bid is sealed, not that it is missing.
    r = get(client, w, "bidder", ENDPOINTS[1])
    assert r.status_code == 403 and r.json()["code"] == "sealed"
    from govbuy.core.audit import verify_chain

    assert verify_chain().ok


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_a_terminated_rounds_bids_stay_sealed_for_ever(client, w, clock, endpoint):
    """Terminated before its opening, a round is never opened: long after the
    opening time every role is refused on every endpoint, `tick` opens nothing,
    and the bidders may still withdraw their bids."""
    from govbuy.tendering.services.tick import tick

    clock.at("2026-10-10 10:00")
    tendering_services.terminate_round(actor=w.purchaser, tender=w.tender, reason="需求取消")
    clock.at("2026-12-01 10:00")
    tick()
    w.tender.refresh_from_db()
    assert w.tender.opened_at is None and w.tender.opening_record == []
    problems = []
    for role in ROLES:
        try:
            check_sealed(client, w, role, endpoint, shown="never opened", lang="en")
        except AssertionError as exc:
            problems.append(f"{role}: {exc}")
    assert not problems, "\n".join(problems)
    client.force_login(w.small_user)
    r = client.post(
        f"{API}/rounds/{w.tender.pk}/withdraw", data="{}", content_type="application/json"
    )
    assert r.status_code == 200 and r.json()["status"] == "withdrawn"


# --- endpoints that never show bid content ------------------------------------------------------

NEVER_CONTENT = [
    ("round detail", lambda w: f"/rounds/{w.tender.pk}", ("purchaser", "finance", "bidder")),
    ("round list", lambda w: "/rounds", ("purchaser", "admin", "bidder")),
    ("receipt", lambda w: f"/rounds/{w.tender.pk}/receipt", ("bidder",)),
    ("my bids", lambda w: "/my/bids", ("bidder",)),
    ("my panels", lambda w: "/my/panels", ("panel",)),
    ("public view", lambda w: f"/rounds/{w.tender.pk}/public", ("anonymous",)),
    ("notices", lambda w: "/notices", ("anonymous",)),
    ("opportunities", lambda w: "/opportunities", ("anonymous",)),
]


@pytest.mark.parametrize(
    "name, url, roles", NEVER_CONTENT, ids=[name for name, _u, _r in NEVER_CONTENT]
)
def test_other_endpoints_never_show_a_price_a_response_or_a_count(
    client, w, clock, name, url, roles
):
    clock.at("2026-10-12 09:29:59")
    for role in roles:
        user = user_of(w, role)
        client.logout()
        if user is not None:
            client.force_login(user)
        r = client.get(f"{API}{url(w)}")
        assert r.status_code == 200, (role, r.content)
        text = r.content.decode()
        assert not PRICE_SEEN.search(text), (role, name)
        for secret in ("technical_response", "中央厨房", "bid_count", '"price"'):
            assert secret not in text, (role, name, secret)
    assert not AuditEvent.objects.filter(action=SEALED).exists()


def test_every_endpoint_showing_bid_content_is_in_the_matrix():
    """A GET route whose answer holds a bid, the opening record, a count or scores
    (or a file) must be in ENDPOINTS."""
    from govbuy.tendering.api import public_router, router

    revealing = ("BidOut", "OpeningLine", "CountOut", "ScoreOut", "SheetBidOut")
    found = set()
    for r in (router, public_router):
        for route, view in r.path_operations.items():
            for op in view.operations:
                if "GET" not in op.methods:
                    continue
                models = [m for m in op.response_models.values() if m not in (None, NOT_SET)]
                if not models:  # a file download
                    found.add(route)
                    continue
                text = json.dumps([m.model_json_schema() for m in models])
                if any(re.search(rf"\b{name}\b", text) for name in revealing):
                    found.add(route)
    assert found == {e.route for e in ENDPOINTS}
