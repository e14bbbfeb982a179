"""The running-purchase API over the real HTTP stack, on the official calendar of
2026: public notices, opportunities and a round's public view (rate limited);
the purchaser's steps, bids (multipart, receipts, replacement, withdrawal),
the remote opening, the panel, award and result, other methods, questions and
complaints — per role (owner, manager, other department, providers, finance of
the region and of another, auditor, administrator, experts on and off the
panel, anonymous); bad input as field-level 422s with nothing saved; query
counts on the lists; the OpenAPI document."""

import datetime as dt
import json
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile

from govbuy.accounts import services as accounts
from govbuy.core.models import AuditEvent
from govbuy.procurement import services
from govbuy.procurement.models import ProjectStatus
from govbuy.procurement.tests.fixtures import approved_project, provider_org
from govbuy.procurement.tests.test_api import API, as_user, call, fields_of, rules_of
from govbuy.tendering import services as tendering_services
from govbuy.tendering.models import (
    Bid,
    BidAttachment,
    BidStatus,
    CallOffMode,
    Notice,
    NoticeKind,
    OpeningResponse,
    PanelMember,
    Score,
    Tender,
    TenderStatus,
)
from govbuy.tendering.tests.fixtures import start

SHANGHAI = ZoneInfo("Asia/Shanghai")
PRICES = {"large": "500000.00", "small": "540000.00", "social": "520000.00"}


# --- the world ---------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Attachments go to a directory of the test's own."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


@pytest.fixture
def t(tendering, make_user):
    """`tendering` plus a platform administrator and an expert of the pool who is
    not on the panel."""
    tendering.admin = make_user("platform_admin", tendering.hn)
    tendering.off_panel = make_user("expert", tendering.zz)
    return tendering


@pytest.fixture
def w(t, clock):
    """The open tender's purchase notice published on 2026-09-15 (bids until 2026-10-12 09:30)."""
    clock.at("2026-09-15 10:00")
    t.tender = start(services, t)
    return t


def pdf(name="技术方案.pdf", size=2000) -> SimpleUploadedFile:
    body = b"%PDF-1.7\n1 0 obj <<>> endobj\n" + b"%" * size + b"\n%%EOF\n"
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def exe_named_pdf() -> SimpleUploadedFile:
    body = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200
    return SimpleUploadedFile("技术方案.pdf", body, content_type="application/pdf")


def bid_all(w, clock):
    """The three providers bid on 2026-10-09, each with one PDF."""
    clock.at("2026-10-09 15:00")
    w.bids = {}
    for who, price in PRICES.items():
        org = getattr(w, who)
        w.bids[who] = tendering_services.submit_bid(
            actor=getattr(w, f"{who}_user"),
            tender=w.tender,
            provider=org,
            price=price,
            technical_response=f"{org.name}：120 个助餐点，中央厨房配送。",
            sme_size=org.sme_size,
            attachments=[pdf(f"{who}.pdf")],
        )
    return w.bids


def open_(w, clock):
    clock.at("2026-10-12 09:30")
    tendering_services.open_bids(actor=w.purchaser, tender=w.tender)
    w.tender.refresh_from_db()


def appoint(w):
    tendering_services.appoint_panel(
        actor=w.purchaser, tender=w.tender, members=w.panel, chair=w.experts[0]
    )


FLOW_POINTS = {"large": ("35", "25"), "small": ("34.5", "25"), "social": ("33", "25")}


def score_all(w, points=FLOW_POINTS):
    """Every member of the panel declares no conflict and gives the same points."""
    criteria = list(w.tender.criteria.all())
    sheet = {
        w.bids[who].pk: {criteria[0].pk: plan, criteria[1].pk: team}
        for who, (plan, team) in points.items()
    }
    for user in w.panel:
        tendering_services.declare_no_conflict(actor=user, tender=w.tender)
        tendering_services.submit_scores(actor=user, tender=w.tender, scores=sheet)
    w.tender.refresh_from_db()


def post_bid(client, tender, price="500000.00", text="服务方案：120 个助餐点。", files=(), **more):
    data = {"price": price, "technical_response": text, **more}
    if text is None:
        data.pop("technical_response")
    if files:
        data["files"] = list(files)
    return client.post(f"{API}/rounds/{tender.pk}/bids", data)


def local(value: str) -> str:
    """An API datetime (ISO 8601, UTC) as Beijing time, e.g. 2026-10-12 09:30:00.000000."""
    moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S.%f")


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [x["id"] for x in response.json()["items"]]


# --- anonymous ---------------------------------------------------------------------------------

SCOPED = [
    ("get", "/rounds"),
    ("get", "/rounds/1"),
    ("post", "/projects/1/intention"),
    ("post", "/projects/1/rounds"),
    ("post", "/projects/1/commission"),
    ("post", "/rounds/1/corrections"),
    ("post", "/rounds/1/terminate"),
    ("post", "/rounds/1/open"),
    ("post", "/rounds/1/panel"),
    ("post", "/bids/1/review"),
    ("post", "/rounds/1/quote-round"),
    ("post", "/rounds/1/award"),
    ("post", "/rounds/1/result"),
    ("post", "/rounds/1/call-offs"),
    ("post", "/rounds/1/opening-responses/1/reply"),
    ("get", "/rounds/1/bids"),
    ("post", "/rounds/1/bids"),
    ("get", "/rounds/1/bid-count"),
    ("get", "/rounds/1/opening"),
    ("get", "/bids/1"),
    ("get", "/attachments/1"),
    ("get", "/rounds/1/scores"),
    ("post", "/rounds/1/scores"),
    ("get", "/my/invitations"),
    ("get", "/my/bids"),
    ("get", "/my/panels"),
    ("get", "/rounds/1/receipt"),
    ("post", "/rounds/1/withdraw"),
    ("post", "/rounds/1/quotes"),
    ("post", "/rounds/1/opening-responses"),
    ("post", "/rounds/1/questions"),
    ("get", "/questions"),
    ("get", "/questions/1"),
    ("post", "/questions/1/answer"),
    ("post", "/questions/1/complaint"),
    ("get", "/complaints"),
    ("get", "/complaints/1"),
    ("post", "/complaints/1/review"),
    ("post", "/complaints/1/suspend"),
    ("post", "/complaints/1/decide"),
    ("post", "/rounds/1/no-conflict"),
    ("get", "/rounds/1/panel-sheet"),
]


@pytest.mark.django_db
@pytest.mark.parametrize("method, path", SCOPED, ids=[f"{m} {p}" for m, p in SCOPED])
def test_anonymous_users_get_401_on_every_scoped_endpoint(client, method, path):
    r = call(client, method, path, None if method == "get" else {})
    assert r.status_code == 401 and r.json()["code"] == "not_authenticated"


def scoped_routes(router) -> set:
    """The (method, path) of every operation of `router`."""
    return {
        (method.lower(), path)
        for path, view in router.path_operations.items()
        for op in view.operations
        for method in op.methods
    }


def listed_routes() -> set:
    """SCOPED as route patterns."""
    listed = {(m, p.replace("/1/", "/{pk}/").replace("/1", "/{pk}")) for m, p in SCOPED}
    return {
        (m, p.replace("opening-responses/{pk}/", "opening-responses/{response_id}/"))
        for m, p in listed
    }


def is_challenge_route(path: str) -> bool:
    """Questions and complaints: the challenges app's router (same paths)."""
    return path.startswith(("/questions", "/complaints")) or path == "/rounds/{pk}/questions"


def test_every_scoped_endpoint_of_the_router_is_in_the_anonymous_list():
    from govbuy.tendering.api import router

    listed = {(m, p) for m, p in listed_routes() if not is_challenge_route(p)}
    assert scoped_routes(router) == listed


# --- public: notices, opportunities, a round's public view ------------------------------------


def test_public_notices_with_filters_and_pagination(client, w):
    anonymous = client
    r = anonymous.get(f"{API}/notices")
    assert r.status_code == 200
    kinds = [n["kind"] for n in r.json()["items"]]
    assert kinds == ["purchase", "intention"]
    purchase = r.json()["items"][0]
    assert purchase["tender_id"] == w.tender.pk and purchase["method"] == "open_tender"
    assert purchase["project_code"] == w.project.code and purchase["region"] == "410100"
    assert ids(anonymous.get(f"{API}/notices", {"kind": "intention"})) == [w.intention.pk]
    assert ids(anonymous.get(f"{API}/notices", {"kind": "nonsense"})) == []
    assert ids(anonymous.get(f"{API}/notices", {"q": "助餐"})) == [purchase["id"], w.intention.pk]
    assert ids(anonymous.get(f"{API}/notices", {"q": "助浴"})) == []
    assert len(ids(anonymous.get(f"{API}/notices", {"region": "410000"}))) == 2
    assert ids(anonymous.get(f"{API}/notices", {"region": "410300"})) == []
    assert ids(anonymous.get(f"{API}/notices", {"method": "open_tender"})) == [purchase["id"]]
    assert ids(anonymous.get(f"{API}/notices", {"page_size": 1, "page": 2})) == [w.intention.pk]
    r = anonymous.get(f"{API}/notices", {"region": "999999"})
    assert r.status_code == 422 and fields_of(r) == {"region"}
    r = anonymous.get(f"{API}/notices/{purchase['id']}")
    assert r.status_code == 200
    detail = r.json()
    assert detail["ocds_tags"] == ["tender"] and detail["data"]["bid_deadline"].startswith(
        "2026-10-12T09:30"
    )
    assert anonymous.get(f"{API}/notices/999999").status_code == 404


def test_open_opportunities_close_at_the_deadline(client, w, clock):
    r = client.get(f"{API}/opportunities")
    assert ids(r) == [w.tender.pk]
    row = r.json()["items"][0]
    assert (
        local(row["bid_deadline"]).startswith("2026-10-12 09:30")
        and row["department"] == w.dept.name
    )
    assert ids(client.get(f"{API}/opportunities", {"q": "助餐"})) == [w.tender.pk]
    assert ids(client.get(f"{API}/opportunities", {"region": "410300"})) == []
    assert ids(client.get(f"{API}/opportunities", {"method": "competitive_review"})) == []
    clock.at("2026-10-12 09:30")
    assert ids(client.get(f"{API}/opportunities")) == []


def test_the_public_view_of_a_round_shows_rules_never_bids(client, w, clock):
    bid_all(w, clock)
    r = client.get(f"{API}/rounds/{w.tender.pk}/public")
    assert r.status_code == 200
    data = r.json()
    assert data["method"] == "open_tender" and data["status"] == "bidding"
    assert [c["name"] for c in data["criteria"]] == ["服务方案", "团队与经验"]
    deadlines = {d["kind"]: d for d in data["deadlines"]}
    assert local(deadlines["question_documents"]["due_at"]).startswith("2026-10-08")
    assert all(d["rule"] and d["basis"] and d["explanation"] for d in data["deadlines"])
    assert deadlines["opening"]["rule"] == "P12"
    assert data["result"] is None
    text = r.content.decode()
    for secret in ("500000", "540000", "520000", "technical_response", "bid_count", "digest"):
        assert secret not in text
    assert client.get(f"{API}/rounds/999999/public").status_code == 404


def test_public_endpoints_are_rate_limited(client, w, settings):
    cache.clear()
    settings.GOVBUY_PUBLIC_API_RATE = "2/m"
    try:
        codes = [
            client.get(f"{API}/notices").status_code,
            client.get(f"{API}/opportunities").status_code,
            client.get(f"{API}/rounds/{w.tender.pk}/public").status_code,
        ]
    finally:
        cache.clear()
    assert codes == [200, 200, 429]


# --- rounds: who sees them ----------------------------------------------------------------------


def test_rounds_are_scoped_per_role(client, w, clock):
    path = f"/rounds/{w.tender.pk}"
    insiders = [w.purchaser, w.manager, w.finance, w.finance_hn, w.auditor, w.admin]
    outsiders = [w.other_purchaser, w.finance_ly, w.large_user, w.off_panel, w.experts[0]]
    for user in insiders:
        as_user(client, user)
        assert ids(call(client, "get", "/rounds")) == [w.tender.pk], user
        r = call(client, "get", path)
        assert r.status_code == 200, user
        detail = r.json()
        assert detail["status"] == "bidding" and len(detail["criteria"]) == 2
        assert {n["kind"] for n in detail["notices"]} == {"intention", "purchase"}
        assert {d["kind"] for d in detail["deadlines"]} >= {"bid_deadline", "opening"}
        assert "opening_record" not in detail and "bids" not in detail
    for user in outsiders:
        as_user(client, user)
        assert ids(call(client, "get", "/rounds")) == [], user
        r = call(client, "get", path)
        assert r.status_code == 404 and r.json()["code"] == "not_found", user
    # Bidding, or sitting on the panel, makes the round visible.
    bid_all(w, clock)
    appoint(w)
    for user in (w.large_user, w.experts[0], w.rep):
        as_user(client, user)
        assert call(client, "get", path).status_code == 200, user
    for user in (w.unit_user, w.off_panel):
        as_user(client, user)
        assert call(client, "get", path).status_code == 404, user
    as_user(client, w.purchaser)
    assert ids(client.get(f"{API}/rounds", {"status": "bidding"})) == [w.tender.pk]
    assert ids(client.get(f"{API}/rounds", {"status": "opened"})) == []
    assert ids(client.get(f"{API}/rounds", {"q": w.project.code})) == [w.tender.pk]
    assert ids(client.get(f"{API}/rounds", {"project": w.project.pk + 1})) == []


# --- the purchaser's steps ----------------------------------------------------------------------


def test_purchase_intention(client, t, clock):
    clock.at("2026-08-03 09:30")
    project = approved_project(t, method="competitive_consultation", name="社区心理援助服务")
    path = f"/projects/{project.pk}/intention"
    for user, status in ((t.finance, 403), (t.auditor, 403), (t.other_purchaser, 404)):
        as_user(client, user)
        assert call(client, "post", path, {"expected_on": "2026-09-15"}).status_code == status
    as_user(client, t.large_user)
    assert call(client, "post", path, {"expected_on": "2026-09-15"}).status_code == 404
    as_user(client, t.purchaser)
    r = call(client, "post", path, {"expected_on": "2026-08-20"})
    assert r.status_code == 422 and fields_of(r) == {"expected_on"}
    assert "2026-09-02" in r.json()["errors"][0]["message"]
    r = call(client, "post", path, {"expected_on": "next month"})
    assert r.status_code == 422 and fields_of(r) == {"expected_on"}
    assert not Notice.objects.filter(project=project).exists()
    r = call(client, "post", path, {"expected_on": "2026-09-15", "note": "预计 9 月中旬开展采购"})
    assert r.status_code == 201, r.content
    assert r.json()["kind"] == "intention" and r.json()["data"]["expected_on"] == "2026-09-15"
    r = call(client, "post", path, {"expected_on": "2026-09-15"})
    assert r.status_code == 409


ROUND = {
    "bid_deadline": "2026-10-12T09:30",
    "price_weight": "30",
    "criteria": [
        {"name": "服务方案", "points": "40", "description": "方案完整、可行"},
        {"name": "团队与经验", "points": 30},
    ],
    "sme_deduction": "0.10",
    "qualification": "具有独立承担民事责任的能力",
    "documents": "招标文件要点",
}


@pytest.mark.parametrize(
    "over, field, rule",
    [
        ({"bid_deadline": ""}, "bid_deadline", None),
        ({"bid_deadline": "12 October"}, "bid_deadline", None),
        ({"criteria": [{"name": "服务方案", "points": "abc"}]}, "criteria.0.points", None),
        ({"criteria": [{"name": "服务方案", "points": "0"}]}, "criteria.0.points", None),
        ({"price_weight": "lots"}, "price_weight", None),
        ({"framework": {"call_off_mode": "x"}}, "framework.max_members", None),
        ({"bid_deadline": "2026-09-30T09:30"}, "bid_deadline", "P2"),
        (
            {"price_weight": "5", "criteria": [{"name": "服务方案", "points": "95"}]},
            "price_weight",
            "P2",
        ),
        ({"sme_deduction": "0.30"}, "sme_deduction", None),
    ],
)
def test_start_round_refuses_bad_input_field_by_field(client, t, clock, over, field, rule):
    clock.at("2026-09-15 10:00")
    as_user(client, t.purchaser)
    r = call(client, "post", f"/projects/{t.project.pk}/rounds", {**ROUND, **over})
    assert r.status_code == 422, r.content
    if rule:
        assert (rule, field) in rules_of(r)
    elif r.json()["code"] == "rule_violation":
        assert field in {f for _r, f in rules_of(r)}
    else:
        assert field in fields_of(r)
    assert not Tender.objects.exists() and Notice.objects.filter(kind="purchase").count() == 0
    t.project.refresh_from_db()
    assert t.project.status == ProjectStatus.APPROVED


def test_start_round_per_role_and_its_deadlines(client, t, clock):
    clock.at("2026-09-15 10:00")
    path = f"/projects/{t.project.pk}/rounds"
    for user, status in (
        (t.finance, 403),
        (t.auditor, 403),
        (t.admin, 403),
        (t.other_purchaser, 404),
        (t.finance_ly, 404),
        (t.large_user, 404),
        (t.experts[0], 404),
    ):
        as_user(client, user)
        assert call(client, "post", path, ROUND).status_code == status, user
    assert not Tender.objects.exists()
    as_user(client, t.purchaser)
    r = call(client, "post", path, {})
    assert r.status_code == 422 and "bid_deadline" in fields_of(r)
    r = call(client, "post", path, ROUND)
    assert r.status_code == 201, r.content
    data = r.json()
    assert data["status"] == "bidding" and data["method"] == "open_tender"
    assert local(data["bid_deadline"]) == "2026-10-12 09:30:00.000000"
    assert data["opening_at"] == data["bid_deadline"]
    assert data["sme_deduction"] == "0.1000" and data["price_weight"] == "30.00"
    assert [(c["name"], c["max_score"]) for c in data["criteria"]] == [
        ("服务方案", "40.00"),
        ("团队与经验", "30.00"),
    ]
    deadlines = {d["kind"]: d for d in data["deadlines"]}
    # 5 working days after Tue 15 Sep, counting the make-up Sunday 20 Sep.
    assert local(deadlines["notice_period"]["due_at"]).startswith("2026-09-21")
    assert local(deadlines["question_documents"]["due_at"]).startswith("2026-10-08")
    assert all(d["rule"] and d["basis"] and d["explanation"] for d in data["deadlines"])
    assert [n["kind"] for n in data["notices"]] == ["intention", "purchase"]
    assert call(client, "post", path, ROUND).status_code == 409


def test_a_correction_moves_the_deadline_and_a_termination_ends_the_round(client, w, clock):
    path = f"/rounds/{w.tender.pk}"
    for user, status in ((w.finance, 403), (w.other_purchaser, 404), (w.unit_user, 404)):
        as_user(client, user)
        r = call(client, "post", f"{path}/corrections", {"text": "x", "affects_bids": True})
        assert r.status_code == status, user
        assert call(client, "post", f"{path}/terminate", {"reason": "x"}).status_code == status
    as_user(client, w.purchaser)
    r = call(client, "post", f"{path}/corrections", {"text": "  ", "affects_bids": True})
    assert r.status_code == 422 and fields_of(r) == {"text"}
    r = call(
        client,
        "post",
        f"{path}/corrections",
        {"text": "更正", "affects_bids": False, "new_bid_deadline": "2026-10-09T09:30"},
    )
    assert r.status_code == 422 and fields_of(r) == {"new_bid_deadline"}
    # On 30 Sep a change that may affect the bids needs 15 days before the deadline.
    clock.at("2026-09-30 10:00")
    as_user(client, w.purchaser)  # sessions last 8 hours
    r = call(
        client, "post", f"{path}/corrections", {"text": "服务点增至 130 个", "affects_bids": True}
    )
    assert r.status_code == 201, r.content
    assert r.json()["kind"] == "correction"
    assert r.json()["data"]["new_bid_deadline"].startswith("2026-10-15T09:30")
    detail = call(client, "get", path).json()
    assert local(detail["bid_deadline"]).startswith("2026-10-15 09:30")
    current = {d["kind"]: d["due_at"] for d in detail["deadlines"]}
    assert local(current["bid_deadline"]).startswith("2026-10-15 09:30")
    assert [n["kind"] for n in detail["notices"]] == ["intention", "purchase", "correction"]
    r = call(client, "post", f"{path}/terminate", {"reason": ""})
    assert r.status_code == 422 and fields_of(r) == {"reason"}
    r = call(client, "post", f"{path}/terminate", {"reason": "需求调整，终止本次采购"})
    assert r.status_code == 200 and r.json()["kind"] == "termination"
    assert call(client, "get", path).json()["status"] == "terminated"
    assert call(client, "post", f"{path}/terminate", {"reason": "again"}).status_code == 409


# --- bids ----------------------------------------------------------------------------------------


def test_a_bid_with_its_receipt_replacement_and_withdrawal(client, w, clock, media):
    clock.at("2026-10-09 15:00:00.250")
    for user, status in ((w.purchaser, 403), (w.finance, 403), (w.experts[0], 403)):
        as_user(client, user)
        assert post_bid(client, w.tender).status_code == status, user
    as_user(client, w.large_user)
    r = post_bid(client, w.tender, files=[pdf("技术方案.pdf"), pdf("资质证明.pdf", 500)])
    assert r.status_code == 201, r.content
    receipt = r.json()
    assert local(receipt["submitted_at"]) == "2026-10-09 15:00:00.250000"
    assert len(receipt["digest"]) == 64 and receipt["attachments"] == 2
    assert receipt["status"] == "submitted" and receipt["provider"] == w.large.name
    assert "price" not in receipt and "technical_response" not in receipt
    first = receipt["id"]
    stored = BidAttachment.objects.filter(bid_id=first)
    assert {a.name for a in stored} == {"技术方案.pdf", "资质证明.pdf"}
    assert {a.content_type for a in stored} == {"application/pdf"}
    # A second bid is refused unless it replaces the first.
    r = post_bid(client, w.tender, price="490000.00")
    assert r.status_code == 409
    r = post_bid(client, w.tender, price="490000.00", replace="true")
    assert r.status_code == 201 and r.json()["replaces_id"] == first
    second = r.json()["id"]
    r = call(client, "get", f"/rounds/{w.tender.pk}/receipt")
    assert [(x["id"], x["status"]) for x in r.json()] == [
        (second, "submitted"),
        (first, "replaced"),
    ]
    assert all("price" not in x for x in r.json())
    r = call(client, "get", "/my/bids")
    assert ids(r) == [second, first]
    assert r.json()["items"][0]["tender_title"] == w.tender.title
    assert "price" not in r.content.decode() and "490000" not in r.content.decode()
    # Others neither see the receipt nor withdraw the bid.
    for user, status in ((w.small_user, 404), (w.purchaser, 403), (w.other_purchaser, 404)):
        as_user(client, user)
        r = call(client, "post", f"/rounds/{w.tender.pk}/withdraw", {})
        assert r.status_code == status, user
    as_user(client, w.small_user)
    assert call(client, "get", f"/rounds/{w.tender.pk}/receipt").status_code == 404
    as_user(client, w.large_user)
    r = call(client, "post", f"/rounds/{w.tender.pk}/withdraw", {})
    assert r.status_code == 200 and r.json()["status"] == "withdrawn"
    assert local(r.json()["withdrawn_at"]) == "2026-10-09 15:00:00.250000"
    assert call(client, "post", f"/rounds/{w.tender.pk}/withdraw", {}).status_code == 404
    assert not Bid.objects.filter(status=BidStatus.SUBMITTED).exists()
    # After the deadline no bid is withdrawn.
    r = post_bid(client, w.tender, price="495000.00")
    assert r.status_code == 201
    clock.at("2026-10-12 09:30")
    as_user(client, w.large_user)
    assert call(client, "post", f"/rounds/{w.tender.pk}/withdraw", {}).status_code == 409


def test_a_user_of_several_providers_names_the_one_it_bids_for(client, w, clock):
    accounts.add_membership(
        actor="test", user=w.large_user, organization=w.small, role="provider", is_manager=False
    )
    clock.at("2026-10-09 15:00")
    as_user(client, w.large_user)
    r = post_bid(client, w.tender)
    assert r.status_code == 422 and fields_of(r) == {"provider"}
    r = post_bid(client, w.tender, provider=w.social.pk)
    assert r.status_code == 403
    r = post_bid(client, w.tender, provider=w.small.pk, sme_size="small")
    assert r.status_code == 201 and r.json()["provider_id"] == w.small.pk
    assert not Bid.objects.filter(provider=w.large).exists()


@pytest.mark.parametrize(
    "case, fields, expected",
    [
        ("negative price", {"price": "-1.00"}, "more than 0"),
        ("zero price", {"price": "0"}, "more than 0"),
        ("three decimals", {"price": "500000.001"}, "2 decimals"),
        ("not a number", {"price": "五十万"}, "486000.00"),
        ("blank text", {"text": "   "}, "technical response"),
        ("missing text", {"text": None}, "required"),
        ("unknown size", {"sme_size": "huge"}, "size"),
        ("oversized attachment", {"files": "big"}, "at most 1 KB"),
        ("disguised attachment", {"files": "exe"}, "Windows program"),
        ("script attachment", {"files": "html"}, "web page"),
    ],
)
def test_bad_bids_are_field_errors_and_save_nothing(
    client, w, clock, media, settings, case, fields, expected
):
    settings.GOVBUY_UPLOAD_MAX_BYTES = 1024
    settings.LANGUAGE_CODE = "en"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    files = {
        "big": [pdf("方案.pdf", 4000)],
        "exe": [exe_named_pdf()],
        "html": [SimpleUploadedFile("方案.pdf", b"<html><script>alert(1)</script></html>")],
    }.get(fields.pop("files", None), [])
    clock.at("2026-10-09 15:00")
    as_user(client, w.large_user)
    r = post_bid(client, w.tender, files=files, **fields)
    assert r.status_code == 422, r.content
    body = r.json()
    assert body["code"] == "invalid_input"
    field = {
        "negative price": "price",
        "zero price": "price",
        "three decimals": "price",
        "not a number": "price",
        "blank text": "technical_response",
        "missing text": "technical_response",
        "unknown size": "sme_size",
    }.get(case, "attachments")
    assert [e["field"] for e in body["errors"]] == [field]
    assert expected in body["errors"][0]["message"]
    assert not Bid.objects.exists() and not BidAttachment.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="procurement.bid.").exists()
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


def test_every_bad_field_is_listed_at_once(client, w, clock, settings):
    settings.GOVBUY_UPLOAD_MAX_BYTES = 1024
    clock.at("2026-10-09 15:00")
    as_user(client, w.large_user)
    r = post_bid(client, w.tender, price="-5", text=" ", files=[exe_named_pdf()])
    assert r.status_code == 422
    assert [e["field"] for e in r.json()["errors"]] == [
        "price",
        "technical_response",
        "attachments",
    ]
    assert not Bid.objects.exists()


@pytest.mark.parametrize(
    "moment, shown",
    [("2026-10-12 09:30:00", "09:30:00.000"), ("2026-10-12 09:30:00.001", "09:30:00.001")],
)
def test_a_late_bid_names_p12_and_the_servers_receipt_time(client, w, clock, media, moment, shown):
    clock.at(moment)
    as_user(client, w.large_user)
    r = post_bid(client, w.tender, files=[pdf()])
    assert r.status_code == 422 and r.json()["code"] == "rule_violation"
    (violation,) = r.json()["violations"]
    assert violation["rule"] == "P12" and violation["field"] == "bid_deadline"
    assert f"2026-10-12 {shown}" in violation["message"]
    assert "2026-10-12 09:30:00" in violation["message"] and violation["basis"]
    assert not Bid.objects.exists() and not BidAttachment.objects.exists()
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))
    # Still refused once the bids are opened.
    tendering_services.open_bids(tender=w.tender)
    r = post_bid(client, w.tender)
    assert r.status_code == 422 and r.json()["violations"][0]["rule"] == "P12"


def test_invitation_only_rounds(client, t, clock):
    clock.at("2026-08-03 09:30")
    project = approved_project(t, method="invitational_tender", name="老年人能力评估服务")
    tendering_services.publish_intention(
        actor=t.purchaser, project=project, expected_on="2026-09-15"
    )
    clock.at("2026-09-15 10:00")
    as_user(client, t.purchaser)
    r = call(
        client,
        "post",
        f"/projects/{project.pk}/rounds",
        {**ROUND, "invited": [t.large.pk, t.small.pk, t.social.pk]},
    )
    assert r.status_code == 201, r.content
    assert {o["id"] for o in r.json()["invited"]} == {t.large.pk, t.small.pk, t.social.pk}
    tender = Tender.objects.get(pk=r.json()["id"])
    assert ids(client.get(f"{API}/opportunities")) == []
    as_user(client, t.small_user)
    assert ids(call(client, "get", "/my/invitations")) == [tender.pk]
    assert call(client, "get", f"/rounds/{tender.pk}").status_code == 200
    as_user(client, t.unit_user)
    assert ids(call(client, "get", "/my/invitations")) == []
    clock.at("2026-10-09 10:00")
    as_user(client, t.unit_user)
    r = post_bid(client, tender)
    assert r.status_code == 422 and rules_of(r) == [("P2", "provider")]
    assert not Bid.objects.exists()


# --- opening -------------------------------------------------------------------------------------


def test_remote_opening_record_confirmations_and_objections(client, w, clock):
    bid_all(w, clock)
    path = f"/rounds/{w.tender.pk}"
    as_user(client, w.purchaser)
    r = call(client, "post", f"{path}/open")
    assert r.status_code == 409 and "2026-10-12 09:30:00" in r.json()["errors"][0]["message"]
    clock.at("2026-10-12 09:30")
    for user, status in ((w.finance, 403), (w.other_purchaser, 404), (w.unit_user, 404)):
        as_user(client, user)
        assert call(client, "post", f"{path}/open").status_code == status, user
    # A bidder may ask for the opening at its time (不见面开标); then it is done.
    as_user(client, w.large_user)
    r = call(client, "post", f"{path}/open")
    assert r.status_code == 200 and r.json()["status"] == "opened"
    assert local(r.json()["opened_at"]).startswith("2026-10-12 09:30")
    as_user(client, w.purchaser)
    r = call(client, "post", f"{path}/open")
    assert r.status_code == 200 and r.json()["status"] == "opened"
    assert Tender.objects.get(pk=w.tender.pk).opened_by == w.large_user
    as_user(client, w.large_user)
    r = call(client, "get", f"{path}/opening")
    assert r.status_code == 200
    record = r.json()["record"]
    assert [line["price"] for line in record] == ["500000.00", "540000.00", "520000.00"]
    assert all(line["digest_ok"] and line["attachments"] == 1 for line in record)
    as_user(client, w.unit_user)
    assert call(client, "get", f"{path}/opening").status_code == 404
    assert call(client, "post", f"{path}/opening-responses", {"confirm": True}).status_code == 404
    as_user(client, w.large_user)
    r = call(client, "post", f"{path}/opening-responses", {"confirm": True})
    assert r.status_code == 201 and r.json()["answer"] == "confirmed"
    assert call(client, "post", f"{path}/opening-responses", {"confirm": True}).status_code == 409
    as_user(client, w.social_user)
    r = call(client, "post", f"{path}/opening-responses", {"confirm": False, "objection": ""})
    assert r.status_code == 422 and fields_of(r) == {"objection"}
    r = call(
        client,
        "post",
        f"{path}/opening-responses",
        {"confirm": False, "objection": "本公司报价应为 520,000.00 元，唱标无误但附件数不符"},
    )
    assert r.status_code == 201 and r.json()["answer"] == "objected"
    objection = r.json()["id"]
    reply = f"{path}/opening-responses/{objection}/reply"
    for user, status in ((w.social_user, 403), (w.finance, 403), (w.other_purchaser, 404)):
        as_user(client, user)
        assert call(client, "post", reply, {"reply": "x"}).status_code == status, user
    as_user(client, w.purchaser)
    assert call(client, "post", reply, {"reply": " "}).status_code == 422
    r = call(client, "post", reply, {"reply": "经核对，附件 1 份，与系统记录一致。"})
    assert r.status_code == 200 and r.json()["replied_at"]
    r = call(client, "get", f"{path}/opening")
    assert [x["answer"] for x in r.json()["responses"]] == ["confirmed", "objected"]
    assert OpeningResponse.objects.count() == 2


def test_too_few_bids_fail_the_round_at_the_opening(client, w, clock):
    clock.at("2026-10-09 15:00")
    as_user(client, w.large_user)
    assert post_bid(client, w.tender).status_code == 201
    clock.at("2026-10-12 09:30")
    as_user(client, w.purchaser)
    r = call(client, "post", f"/rounds/{w.tender.pk}/open")
    assert r.status_code == 200 and r.json()["status"] == "failed"
    assert r.json()["notices"][-1]["kind"] == "termination"
    r = client.get(f"{API}/rounds/{w.tender.pk}/public")
    assert r.json()["status"] == "failed"


# --- panel, evaluation, award and result -------------------------------------------------------


def test_the_panel_is_appointed_by_the_purchaser(client, w, clock):
    path = f"/rounds/{w.tender.pk}/panel"
    members = [u.pk for u in w.panel]
    for user, status in ((w.finance, 403), (w.experts[0], 404), (w.other_purchaser, 404)):
        as_user(client, user)
        assert call(client, "post", path, {"members": members}).status_code == status, user
    as_user(client, w.purchaser)
    r = call(client, "post", path, {"members": [*members, 999999]})
    assert r.status_code == 422 and fields_of(r) == {"members"}
    r = call(client, "post", path, {"members": [*members[:4], w.large_user.pk]})
    assert r.status_code == 422 and fields_of(r) == {"members"}
    r = call(client, "post", path, {"members": members[:4]})
    assert r.status_code == 422 and set(rules_of(r)) == {("P1", "members")}
    assert not PanelMember.objects.exists()
    r = call(client, "post", path, {"members": members, "chair": w.experts[1].pk})
    assert r.status_code == 200, r.content
    assert [m["user_id"] for m in r.json() if m["is_chair"]] == [w.experts[1].pk]
    assert [m["is_purchaser_rep"] for m in r.json()].count(True) == 1
    as_user(client, w.experts[1])
    r = call(client, "get", "/my/panels")
    assert ids(r) == [PanelMember.objects.get(user=w.experts[1]).pk]
    assert r.json()["items"][0]["tender_id"] == w.tender.pk
    as_user(client, w.off_panel)
    assert ids(call(client, "get", "/my/panels")) == []
    # Before the opening there is nothing to declare.
    as_user(client, w.experts[1])
    assert call(client, "post", f"/rounds/{w.tender.pk}/no-conflict").status_code == 409


def test_the_panel_scores_and_the_purchaser_awards(client, w, clock):
    bid_all(w, clock)
    appoint(w)
    open_(w, clock)
    path = f"/rounds/{w.tender.pk}"
    criteria = list(w.tender.criteria.all())
    expert = w.experts[1]
    as_user(client, w.off_panel)
    assert call(client, "post", f"{path}/no-conflict").status_code == 404
    assert call(client, "get", f"{path}/panel-sheet").status_code == 404
    as_user(client, expert)
    r = call(client, "post", f"{path}/scores", {"scores": {}})
    assert r.status_code == 409  # the conflict declaration comes first
    r = call(client, "post", f"{path}/no-conflict")
    assert r.status_code == 200 and r.json()["no_conflict_declared_at"]
    r = call(client, "get", f"{path}/panel-sheet")
    assert r.status_code == 200
    sheet = r.json()
    assert [c["name"] for c in sheet["criteria"]] == ["服务方案", "团队与经验"]
    assert {b["bid"]["provider"]: b["price"] for b in sheet["bids"]} == {
        w.large.name: "500000.00",
        w.small.name: "540000.00",
        w.social.name: "520000.00",
    }
    assert all(b["credit"] == [] and b["my_scores"] == {} for b in sheet["bids"])
    bad = {
        "scores": {
            str(w.bids["large"].pk): {str(criteria[0].pk): "41", str(criteria[1].pk): "x"},
        }
    }
    r = call(client, "post", f"{path}/scores", bad)
    assert r.status_code == 422
    assert f"scores.{w.bids['large'].pk}.{criteria[0].pk}" in fields_of(r)
    assert f"scores.{w.bids['small'].pk}.{criteria[0].pk}" in fields_of(r)
    assert not Score.objects.exists()
    # Everybody scores (the expert above through the API).
    points = {"large": ("35", "25"), "small": ("34.5", "25"), "social": ("33", "25")}
    good = {
        "scores": {
            str(w.bids[who].pk): {str(criteria[0].pk): plan, str(criteria[1].pk): team}
            for who, (plan, team) in points.items()
        }
    }
    r = call(client, "post", f"{path}/scores", good)
    assert r.status_code == 200 and r.json()["submitted_at"]
    assert call(client, "post", f"{path}/scores", good).status_code == 409
    for user in [u for u in w.panel if u != expert]:
        tendering_services.declare_no_conflict(actor=user, tender=w.tender)
        tendering_services.submit_scores(actor=user, tender=w.tender, scores=good["scores"])
    as_user(client, w.purchaser)
    assert call(client, "get", path).json()["status"] == "evaluated"
    r = call(client, "get", f"{path}/scores")
    assert r.status_code == 200 and len(r.json()) == 5 * 3 * 2
    r = call(client, "get", f"{path}/bids")
    ranking = [(b["provider"], b["rank"], b["evaluated_price"]) for b in r.json()["items"]]
    assert ranking[0] == (w.small.name, 1, "486000.00")
    for user in (w.large_user, w.other_purchaser, w.off_panel):
        as_user(client, user)
        assert call(client, "get", f"{path}/scores").status_code == 404, user
    # The award follows the ranking (P1) unless a reason is given.
    clock.at("2026-10-13 10:00")
    for user, status in ((w.finance, 403), (w.experts[0], 403), (w.large_user, 403)):
        as_user(client, user)
        assert call(client, "post", f"{path}/award", {}).status_code == status, user
    as_user(client, w.purchaser)
    r = call(client, "post", f"{path}/award", {"bid": w.bids["large"].pk})
    assert r.status_code == 422 and rules_of(r) == [("P1", "reason")]
    r = call(client, "post", f"{path}/award", {"bid": 999999})
    assert r.status_code == 422 and rules_of(r) == [("P1", "bid")]
    r = call(client, "post", f"{path}/award", {})
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "awarded" and r.json()["awarded_provider_id"] == w.small.pk
    assert r.json()["award_amount"] == "540000.00" and r.json()["savings_rate"] == "0.6400"
    for user, status in ((w.finance, 403), (w.other_purchaser, 404)):
        as_user(client, user)
        assert call(client, "post", f"{path}/result", {}).status_code == status
    as_user(client, w.purchaser)
    r = call(client, "post", f"{path}/result", {"note": "公示期 1 个工作日"})
    assert r.status_code == 201 and r.json()["kind"] == "result"
    assert r.json()["data"]["winner"]["name"] == w.small.name
    assert call(client, "post", f"{path}/result", {}).status_code == 409
    public = client.get(f"{API}/rounds/{w.tender.pk}/public").json()
    assert public["status"] == "awarded" and public["result"]["winner"]["name"] == w.small.name
    assert public["result"]["savings_rate"] == "0.6400"


def test_bids_are_reviewed_by_the_chair_or_the_purchaser(client, w, clock):
    bid_all(w, clock)
    appoint(w)
    open_(w, clock)
    review = f"/bids/{w.bids['social'].pk}/review"
    for user, status in (
        (w.finance, 403),
        (w.experts[1], 403),
        (w.social_user, 403),
        (w.large_user, 404),
        (w.off_panel, 404),
    ):
        as_user(client, user)
        assert call(client, "post", review, {"valid": False, "reason": "x"}).status_code == status
    as_user(client, w.experts[0])
    r = call(client, "post", review, {"valid": False})
    assert r.status_code == 422 and fields_of(r) == {"reason"}
    r = call(client, "post", review, {"valid": False, "reason": "未提供有效的食品经营许可证"})
    assert r.status_code == 200 and r.json()["valid"] is False
    assert r.json()["invalid_reason"] == "未提供有效的食品经营许可证"
    as_user(client, w.purchaser)
    r = call(client, "post", f"/bids/{w.bids['large'].pk}/review", {"valid": True})
    assert r.status_code == 200 and r.json()["valid"] is True


# --- other methods -------------------------------------------------------------------------------


def test_negotiation_quote_rounds_are_sealed_until_their_deadline(client, t, clock):
    clock.at("2026-08-03 09:30")
    project = approved_project(t, method="competitive_negotiation", name="助餐配送车辆运维服务")
    tendering_services.publish_intention(
        actor=t.purchaser, project=project, expected_on="2026-09-15"
    )
    clock.at("2026-09-15 10:00")
    tender = tendering_services.start_round(
        actor=t.purchaser, project=project, bid_deadline="2026-09-18T09:00", criteria=[]
    )
    clock.at("2026-09-17 10:00")
    for who, price in PRICES.items():
        tendering_services.submit_bid(
            actor=getattr(t, f"{who}_user"),
            tender=tender,
            provider=getattr(t, who),
            price=price,
            technical_response="按需求提供服务",
            sme_size=getattr(t, who).sme_size,
        )
    clock.at("2026-09-18 09:00")
    tendering_services.open_bids(tender=tender)
    path = f"/rounds/{tender.pk}"
    for user, status in ((t.finance, 403), (t.large_user, 403), (t.other_purchaser, 404)):
        as_user(client, user)
        r = call(client, "post", f"{path}/quote-round", {"deadline": "2026-09-18T15:00"})
        assert r.status_code == status, user
    as_user(client, t.purchaser)
    r = call(client, "post", f"{path}/quote-round", {"deadline": "2026-09-18T08:00"})
    assert r.status_code == 422 and fields_of(r) == {"deadline"}
    r = call(client, "post", f"{path}/quote-round", {"deadline": "2026-09-18T15:00"})
    assert r.status_code == 200 and r.json()["quote_round"] == 2
    clock.at("2026-09-18 11:00")
    as_user(client, t.large_user)
    r = call(client, "post", f"{path}/quotes", {"price": "-480000"})
    assert r.status_code == 422 and fields_of(r) == {"price"}
    r = call(client, "post", f"{path}/quotes", {"price": "480000.00", "note": "最后报价"})
    assert r.status_code == 201 and "price" not in r.json()
    as_user(client, t.unit_user)
    assert call(client, "post", f"{path}/quotes", {"price": "1.00"}).status_code == 404
    as_user(client, t.purchaser)
    r = call(client, "get", f"{path}/bids")
    assert r.status_code == 403 and r.json()["code"] == "sealed"
    assert "2026-09-18 15:00" in r.json()["violations"][0]["message"]
    clock.at("2026-09-18 15:00:01")
    as_user(client, t.small_user)
    r = call(client, "post", f"{path}/quotes", {"price": "470000.00"})
    assert r.status_code == 422 and rules_of(r) == [("P12", "bid_deadline")]
    as_user(client, t.purchaser)
    r = call(client, "get", f"{path}/bids")
    quotes = {b["provider"]: [q["price"] for q in b["quotes"]] for b in r.json()["items"]}
    assert quotes == {t.large.name: ["480000.00"], t.small.name: [], t.social.name: []}


def test_direct_commission_of_the_own_unit(client, t, clock, make_org, make_user):
    clock.at("2026-08-03 09:30")
    unit, _user = provider_org(
        make_org,
        make_user,
        "郑州市养老服务指导中心",
        org_type="public_institution",
        institution_class="public_welfare_2",
        competent_department=t.dept,
    )
    project = approved_project(
        t, method="direct_commission", amount="300000.00", intended_provider=unit
    )
    path = f"/projects/{project.pk}/commission"
    body = {"price": "280000.00", "reason": "拨改买，定向委托下属公益二类单位"}
    for user, status in ((t.finance, 403), (t.other_purchaser, 404), (t.unit_user, 404)):
        as_user(client, user)
        assert call(client, "post", path, body).status_code == status, user
    as_user(client, t.purchaser)
    r = call(client, "post", path, {**body, "price": "300000.01"})
    assert r.status_code == 422 and fields_of(r) == {"price"}
    r = call(client, "post", path, {**body, "reason": ""})
    assert r.status_code == 422 and fields_of(r) == {"reason"}
    assert not Tender.objects.filter(project=project).exists()
    r = call(client, "post", path, body)
    assert r.status_code == 201, r.content
    data = r.json()
    assert data["method"] == "direct_commission" and data["status"] == "awarded"
    assert data["awarded_provider_id"] == unit.pk and data["savings_rate"] == "0.0667"
    assert [n["kind"] for n in data["notices"]] == ["result"]


def test_framework_call_offs_by_the_purchaser(client, t, clock):
    clock.at("2026-08-03 09:30")
    project = approved_project(t, method="framework_agreement", name="居家上门助浴服务框架协议")
    tendering_services.publish_intention(
        actor=t.purchaser, project=project, expected_on="2026-09-15"
    )
    clock.at("2026-09-15 10:00")
    as_user(client, t.purchaser)
    body = {**ROUND, "framework": {"call_off_mode": "direct", "max_members": 2}}
    r = call(client, "post", f"/projects/{project.pk}/rounds", body)
    assert r.status_code == 422
    assert {"framework.term_start", "framework.term_end"} <= fields_of(r)
    body["framework"].update(term_start="2026-11-01", term_end="2027-10-31")
    r = call(client, "post", f"/projects/{project.pk}/rounds", body)
    assert r.status_code == 201, r.content
    assert r.json()["framework"]["call_off_mode"] == CallOffMode.DIRECT
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
    path = f"/rounds/{t.tender.pk}"
    as_user(client, t.purchaser)
    members = call(client, "get", path).json()["framework"]["members"]
    assert [m["provider_id"] for m in members] == [t.large.pk, t.social.pk]
    clock.at("2026-11-02 10:00")
    order = {"member": members[1]["id"], "amount": "1240.00", "description": "每周助浴 1 次"}
    for user, status in ((t.finance, 403), (t.large_user, 403), (t.other_purchaser, 404)):
        as_user(client, user)
        assert call(client, "post", f"{path}/call-offs", order).status_code == status, user
    as_user(client, t.purchaser)
    r = call(client, "post", f"{path}/call-offs", {**order, "member": 999999})
    assert r.status_code == 422 and fields_of(r) == {"member"}
    r = call(client, "post", f"{path}/call-offs", {**order, "amount": "1500000.01"})
    assert r.status_code == 422 and fields_of(r) == {"amount"}
    r = call(client, "post", f"{path}/call-offs", {**order, "recipient_name": "张大爷"})
    assert r.status_code == 201, r.content
    assert r.json()["provider"] == t.social.name and r.json()["chosen_by"] == "direct"


# --- questions and complaints ------------------------------------------------------------------


# --- query counts ------------------------------------------------------------------------------


def count_queries(client, path, django_assert_max_num_queries, params=None, limit=20) -> int:
    with django_assert_max_num_queries(limit) as captured:
        r = client.get(f"{API}{path}", {"page_size": 100, **(params or {})})
    assert r.status_code == 200, r.content
    return len(captured)


def more_rounds(t, clock, names):
    """Further open tenders of 郑州市民政局 (notices on 2026-09-15, bids from every provider)."""
    tenders = []
    for name in names:
        clock.at("2026-08-03 09:30")
        project = approved_project(t, method="open_tender", name=name, line_amount="1500000.00")
        tendering_services.publish_intention(
            actor=t.purchaser, project=project, expected_on="2026-09-15"
        )
        clock.at("2026-09-15 10:00")
        tenders.append(start(services, t, project=project))
    return tenders


def test_the_bid_list_queries_do_not_grow_with_the_bids(
    client, w, clock, make_org, make_user, django_assert_max_num_queries
):
    bid_all(w, clock)
    open_(w, clock)
    as_user(client, w.purchaser)
    path = f"/rounds/{w.tender.pk}/bids"
    call(client, "get", path)
    few = count_queries(client, path, django_assert_max_num_queries)
    # Reopen the bidding on a fresh round with more bidders.
    tendering_services.terminate_round(actor=w.purchaser, tender=w.tender, reason="重新招标")
    clock.at("2026-09-15 10:00")
    w.project.refresh_from_db()
    w.tender = start(services, w)
    clock.at("2026-10-09 15:00")
    for i in range(8):
        org, user = provider_org(
            make_org, make_user, f"郑州第{i}养老服务有限公司", sme_size="medium"
        )
        tendering_services.submit_bid(
            actor=user,
            tender=w.tender,
            provider=org,
            price=f"{400000 + i}.00",
            technical_response="方案",
            sme_size="medium",
            attachments=[pdf(), pdf("资质.pdf", 100)],
        )
    open_(w, clock)
    path = f"/rounds/{w.tender.pk}/bids"
    assert call(client, "get", path).json()["count"] == 8
    assert count_queries(client, path, django_assert_max_num_queries) == few


# --- the OpenAPI document ----------------------------------------------------------------------


@pytest.mark.django_db
def test_openapi_document_loads_and_lists_the_running_endpoints(client):
    r = client.get(f"{API}/openapi.json")
    assert r.status_code == 200
    doc = json.loads(r.content)
    assert doc["openapi"].startswith("3.")
    paths = doc["paths"]
    for path in (
        "/api/v1/notices",
        "/api/v1/opportunities",
        "/api/v1/rounds/{pk}/public",
        "/api/v1/rounds/{pk}/bids",
        "/api/v1/attachments/{pk}",
        "/api/v1/complaints/{pk}/decide",
    ):
        assert path in paths, path
    bid_form = paths["/api/v1/rounds/{pk}/bids"]["post"]["requestBody"]["content"]
    schema = bid_form["multipart/form-data"]["schema"]
    assert {"price", "technical_response", "files"} <= set(schema["properties"])
    operation_ids = [op["operationId"] for item in paths.values() for op in item.values()]
    assert len(operation_ids) == len(set(operation_ids))
    for ref in json.dumps(doc).split('"$ref": "')[1:]:
        name = ref.split('"', 1)[0].rsplit("/", 1)[-1]
        assert name in doc["components"]["schemas"], name
    assert client.get(f"{API}/docs").status_code == 200


def test_nothing_in_the_audit_log_of_a_bid_shows_its_price(client, w, clock):
    clock.at("2026-10-09 15:00")
    as_user(client, w.large_user)
    assert post_bid(client, w.tender, price="498765.43", files=[pdf()]).status_code == 201
    data = AuditEvent.objects.filter(action="procurement.bid.submit").values_list("data", flat=True)
    assert data and all("498765" not in json.dumps(d) for d in data)
    assert Decimal(Bid.objects.get().price) == Decimal("498765.43")
    assert Notice.objects.filter(kind=NoticeKind.PURCHASE).count() == 1
    assert Tender.objects.get().status == TenderStatus.BIDDING
