"""The seal on bids (P12) and the opening, issue 11 items 1 and 4–7: digests that
do not cry wolf, a seal that lifts only through an actual opening, no write on
GET, bids above the budget, and the limits on replacements and their files.

The matrices of who reads what (every role × every endpoint and page, sealed
against missing ids) are in test_sealed_api.py and test_sealed_pages.py."""

from __future__ import annotations

import hashlib
import json
import unicodedata
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from govbuy.core.models import AuditEvent
from govbuy.core.rules import RuleViolation
from govbuy.procurement import services
from govbuy.procurement.tests.fixtures import provider_org
from govbuy.procurement.tests.test_api import API, as_user, call
from govbuy.tendering import services as tendering_services
from govbuy.tendering.models import Bid, Tender, TenderStatus
from govbuy.tendering.tests.fixtures import start

pytestmark = pytest.mark.django_db

# What people really type in the price box.
TYPED = {
    "720000": "720000.00",
    "720000.5": "720000.50",
    "720,000.00": "720000.00",
    "７２００００": "720000.00",
    "７２０，０００．５": "720000.50",
}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


def pdf_body(extra=b"") -> bytes:
    return b"%PDF-1.4\n1 0 obj<<>>endobj\n" + extra + b"\ntrailer<<>>\n%%EOF\n"


def pdf(name="方案.pdf", extra=b"") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_body(extra), content_type="application/pdf")


@pytest.fixture
def w(tendering, clock, make_org, make_user):
    """The open tender (bids until 2026-10-12 09:30) and five more providers, one
    for each way of typing a price."""
    t = tendering
    clock.at("2026-09-15 10:00")
    t.tender = start(services, t)
    t.typists = [
        provider_org(make_org, make_user, f"郑州市助餐服务第{i}公司", sme_size="medium")
        for i in range(len(TYPED))
    ]
    return t


def documented_digest(*, tender, provider, price, text, sme_size, attachments) -> str:
    """The canonical form as docs/rules.md (P12) documents it, computed here
    independently of the code: what a bidder can check on its own."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    payload = {
        "v": 2,
        "tender": tender,
        "provider": provider,
        "price": price,
        "sme_size": sme_size,
        "technical_response": text,
        "attachments": sorted(attachments),
    }
    form = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(form.encode("utf-8")).hexdigest()


def open_at_deadline(w, clock):
    clock.at("2026-10-12 09:30")
    tender = tendering_services.open_bids(actor=w.purchaser, tender=w.tender)
    tender.refresh_from_db()
    return tender


# --- 1. honest bids are never reported as tampered --------------------------------------------


def test_prices_typed_any_way_are_intact_at_the_opening_through_the_service(w, clock):
    clock.at("2026-10-09 15:00")
    bids = {}
    for (typed, canonical), (org, user) in zip(TYPED.items(), w.typists, strict=True):
        attachment = pdf(extra=typed.encode())
        bid = tendering_services.submit_bid(
            actor=user,
            tender=w.tender,
            provider=org,
            price=typed,
            technical_response="服务方案：\r\n120 个助餐点。",
            sme_size="medium",
            attachments=[attachment],
        )
        assert bid.price == Decimal(canonical)
        assert bid.digest == documented_digest(
            tender=w.tender.pk,
            provider=org.pk,
            price=canonical,
            text="服务方案：\n120 个助餐点。",
            sme_size="medium",
            attachments=[hashlib.sha256(pdf_body(typed.encode())).hexdigest()],
        ), typed
        bids[typed] = bid
    tender = open_at_deadline(w, clock)
    assert tender.status == TenderStatus.OPENED
    lines = {line["bid"]: line for line in tender.opening_record}
    for typed, canonical in TYPED.items():
        line = lines[bids[typed].pk]
        assert line["digest_ok"] is True, typed
        assert line["price"] == canonical
        assert line["digest_version"] == 2
    assert AuditEvent.objects.get(action="procurement.round.open").data["digests_ok"] is True


def test_prices_typed_any_way_are_intact_through_the_api_and_the_page(client, w, clock):
    clock.at("2026-10-09 15:00")
    typed = list(TYPED)
    for i, (_org, user) in enumerate(w.typists):
        as_user(client, user)
        data = {"price": typed[i], "technical_response": "服务方案：\r\n中央厨房。"}
        data["files"] = [pdf(f"方案{i}.pdf", extra=str(i).encode())]
        if i % 2:  # every other one through the page's form
            response = client.post(reverse("tendering:bid_submit", args=[w.tender.pk]), data)
            assert response.status_code == 302, response.content.decode()[:2000]
        else:
            response = client.post(f"{API}/rounds/{w.tender.pk}/bids", data)
            assert response.status_code == 201, response.content
    tender = open_at_deadline(w, clock)
    assert len(tender.opening_record) == len(TYPED)
    assert [line["digest_ok"] for line in tender.opening_record] == [True] * len(TYPED)
    as_user(client, w.purchaser)
    record = call(client, "get", f"/rounds/{w.tender.pk}/opening").json()["record"]
    assert all(line["digest_ok"] for line in record)
    page = client.get(reverse("tendering:opening", args=[w.tender.pk])).content.decode()
    assert "已被篡改" not in page and "changed!" not in page


def _legacy_digest(bid: Bid, typed: str) -> str:
    """What the platform stored before issue 11: the price as typed, no version."""
    payload = {
        "tender": bid.tender_id,
        "provider": bid.provider_id,
        "price": typed,
        "technical_response": bid.technical_response,
        "sme_size": bid.sme_size,
        "attachments": sorted(a.sha256 for a in bid.attachments.all()),
    }
    form = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(form.encode()).hexdigest()


def test_digests_stored_before_the_canonical_form_are_still_verified(w, clock):
    """Bids submitted before issue 11 keep the receipt they got (version 1): the
    opening checks them against every way the stored price can be written, so an
    honest one is intact and a changed price is still caught."""
    clock.at("2026-10-09 15:00")
    honest, changed = [], []
    for i, (typed, (org, user)) in enumerate(
        zip(["720000", "720000.5", "7.2E+5"], w.typists[:3], strict=True)
    ):
        bid = tendering_services.submit_bid(
            actor=user,
            tender=w.tender,
            provider=org,
            price=TYPED.get(typed, "720000"),
            technical_response="方案",
            attachments=[pdf(extra=str(i).encode())],
        )
        Bid.objects.filter(pk=bid.pk).update(digest=_legacy_digest(bid, typed), digest_version=1)
        honest.append(bid.pk)
    org, user = w.typists[3]
    bid = tendering_services.submit_bid(
        actor=user, tender=w.tender, provider=org, price="720000", technical_response="方案"
    )
    Bid.objects.filter(pk=bid.pk).update(
        digest=_legacy_digest(bid, "720000"), digest_version=1, price="720001.00"
    )
    changed.append(bid.pk)
    org, user = w.typists[4]
    bid = tendering_services.submit_bid(
        actor=user, tender=w.tender, provider=org, price="720000", technical_response="方案"
    )
    Bid.objects.filter(pk=bid.pk).update(price="72000.00")  # a version-2 bid, changed
    changed.append(bid.pk)
    tender = open_at_deadline(w, clock)
    lines = {line["bid"]: line for line in tender.opening_record}
    assert [lines[pk]["digest_ok"] for pk in honest] == [True, True, True]
    assert [lines[pk]["digest_version"] for pk in honest] == [1, 1, 1]
    assert [lines[pk]["digest_ok"] for pk in changed] == [False, False]


def test_an_attachment_changed_on_disk_is_caught_at_the_opening(w, clock, media):
    """The opening hashes the stored files again: the row's own hash is not trusted."""
    clock.at("2026-10-09 15:00")
    bids = []
    for i, (org, user) in enumerate(w.typists[:3]):
        bids.append(
            tendering_services.submit_bid(
                actor=user,
                tender=w.tender,
                provider=org,
                price="700000",
                technical_response="方案",
                attachments=[pdf(extra=str(i).encode())],
            )
        )
    stored = Path(media) / bids[0].attachments.get().file.name
    stored.write_bytes(stored.read_bytes().replace(b"%%EOF", b"%%EOG"))
    missing = Path(media) / bids[1].attachments.get().file.name
    missing.unlink()
    tender = open_at_deadline(w, clock)
    assert [line["digest_ok"] for line in tender.opening_record] == [False, False, True]


# --- 5. no write on GET: the opening is a POST (or tick) ---------------------------------------


def three_bids(w, clock, prices=("500000", "540000.5", "520,000")):
    clock.at("2026-10-09 15:00")
    w.bids = {}
    for key, price in zip(("large", "small", "social"), prices, strict=True):
        org, user = getattr(w, key), getattr(w, f"{key}_user")
        w.bids[key] = tendering_services.submit_bid(
            actor=user,
            tender=w.tender,
            provider=org,
            price=price,
            technical_response=f"{org.name}的服务方案",
            sme_size=org.sme_size,
            attachments=[pdf(f"{key}.pdf", extra=key.encode())],
        )
    return w.bids


def english(client, user):
    client.logout()
    if user is not None:
        client.force_login(user)
    client.cookies["govbuy_language"] = "en"
    return client


def test_the_opening_page_never_opens_on_get_and_a_post_opens_once(client, w, clock):
    three_bids(w, clock)
    opening = reverse("tendering:opening", args=[w.tender.pk])
    open_url = reverse("tendering:opening_open", args=[w.tender.pk])
    # Before the opening time a POST opens nothing either: the page stays sealed.
    clock.at("2026-10-12 09:29:59")
    english(client, w.large_user)
    response = client.post(open_url)
    assert response.status_code == 403 and "2026-10-12 09:30:00" in response.content.decode()
    clock.at("2026-10-12 09:45")
    for user, button in ((w.purchaser, True), (w.large_user, True), (w.finance, False)):
        english(client, user)
        for _ in range(2):
            response = client.get(opening)
            assert response.status_code == 200
            body = response.content.decode()
            assert "the bids are not opened yet" in body
            assert (open_url in body) is button
            assert "500,000" not in body and "500000" not in body
    w.tender.refresh_from_db()
    assert w.tender.opened_at is None and w.tender.status == TenderStatus.BIDDING
    assert not AuditEvent.objects.filter(action="procurement.round.open").exists()
    # Neither a supervisor nor an outsider asks for the opening.
    english(client, w.finance)
    assert client.post(open_url).status_code == 403
    english(client, w.unit_user)
    assert client.post(open_url).status_code == 404
    # A bidder's POST opens the bids; a second POST changes nothing.
    english(client, w.small_user)
    response = client.post(open_url)
    assert response.status_code == 302 and response["Location"] == opening
    w.tender.refresh_from_db()
    assert w.tender.status == TenderStatus.OPENED and w.tender.opened_by == w.small_user
    english(client, w.large_user)
    assert client.post(open_url).status_code == 302
    assert AuditEvent.objects.filter(action="procurement.round.open").count() == 1
    body = client.get(opening).content.decode()
    assert "500,000.00" in body and "intact" in body and "changed!" not in body


def test_the_opening_page_of_a_suspended_round_refuses_the_post_and_stays_sealed(client, w, clock):
    """Where the opening may not take place (a suspension), the POST says why and
    the page stays read-only (before, a GET tried to open and swallowed the error)."""
    three_bids(w, clock)
    Tender.objects.filter(pk=w.tender.pk).update(
        suspended_at=w.tender.published_at, suspended_until="2026-10-20"
    )
    clock.at("2026-10-12 09:45")
    english(client, w.large_user)
    response = client.post(reverse("tendering:opening_open", args=[w.tender.pk]))
    body = response.content.decode()
    assert response.status_code == 200 and "P11" in body and "suspended this purchase" in body
    w.tender.refresh_from_db()
    assert w.tender.opened_at is None


# --- 6. bids above the budget ------------------------------------------------------------------


def test_a_bid_above_the_budget_is_warned_marked_and_invalid_as_the_notice_says(client, w, clock):
    """9,000,000 元 on a budget of 1,500,000: the bidder is warned on its receipt;
    the notice (by default) makes such a bid invalid (财政部令第87号 第六十三条（四）):
    it is read out marked, invalid, and no review makes it valid."""
    assert w.tender.over_budget_invalid is True
    assert notice_data(w)["over_budget_invalid"] is True
    three_bids(w, clock, prices=("9,000,000", "540000", "1500000"))
    large = Bid.objects.get(pk=w.bids["large"].pk)
    assert [v["rule"] for v in large.warnings] == ["P1"]
    assert large.warnings[0]["severity"] == "warn" and "第六十三条" in large.warnings[0]["basis"]
    assert w.bids["small"].warnings == [] and w.bids["social"].warnings == []  # = budget: fine
    english(client, w.large_user)
    body = client.get(reverse("tendering:bid_submit", args=[w.tender.pk])).content.decode()
    warning = body[body.index('data-testid="receipt-warnings"') :]
    assert "P1" in warning and "9,000,000.00" in warning and "1,500,000.00" in warning
    receipt = call(client, "get", f"/rounds/{w.tender.pk}/receipt").json()[0]
    assert receipt["warnings"][0]["rule"] == "P1"
    tender = open_at_deadline(w, clock)
    assert [line["over_budget"] for line in tender.opening_record] == [True, False, False]
    large.refresh_from_db()
    assert large.valid is False and "第六十三条" in large.invalid_reason
    with pytest.raises(RuleViolation) as refused:
        tendering_services.review_bid(actor=w.purchaser, bid=large, valid=True)
    assert refused.value.violations[0].rule == "P1"
    large.refresh_from_db()
    assert large.valid is False
    english(client, w.purchaser)
    for page in ("opening", "bid_list"):
        body = client.get(reverse(f"tendering:{page}", args=[w.tender.pk])).content.decode()
        assert body.count('data-testid="over-budget"') == 1, page


def notice_data(w) -> dict:
    from govbuy.tendering.models import NoticeKind

    return w.tender.notices.get(kind=NoticeKind.PURCHASE).data


def test_where_the_notice_allows_bids_above_the_budget_they_are_only_marked(
    client, tendering, clock
):
    t = tendering
    clock.at("2026-09-15 10:00")
    as_user(client, t.purchaser)
    r = call(
        client,
        "post",
        f"/projects/{t.project.pk}/rounds",
        {
            "bid_deadline": "2026-10-12T09:30",
            "criteria": t.criteria,
            "over_budget_invalid": False,
            "qualification": "具有独立承担民事责任的能力",
        },
    )
    assert r.status_code == 201, r.content
    t.tender = Tender.objects.get(pk=r.json()["id"])
    assert t.tender.over_budget_invalid is False and notice_data(t)["over_budget_invalid"] is False
    three_bids(t, clock, prices=("1500000.01", "540000", "520000"))
    assert [v["rule"] for v in t.bids["large"].warnings] == ["P1"]
    tender = open_at_deadline(t, clock)
    assert [line["over_budget"] for line in tender.opening_record] == [True, False, False]
    large = Bid.objects.get(pk=t.bids["large"].pk)
    assert large.valid is None
    tendering_services.review_bid(actor=t.purchaser, bid=large, valid=True)
    assert Bid.objects.get(pk=large.pk).valid is True


# --- 7. replacements: a cap, and the files of superseded bids ----------------------------------


def test_a_bid_is_changed_at_most_as_often_as_the_parameter_allows(client, w, clock):
    """`bid.max_replacements` (5 by default) changes per provider and round:
    replacements and new bids after a withdrawal count alike; the next one is
    refused with a field message and nothing changes."""
    from govbuy.core import params

    cap = params.get("bid.max_replacements", w.project.region, w.project.started_on)
    assert cap == 5
    clock.at("2026-10-09 15:00")
    org, user = w.large, w.large_user
    bid = tendering_services.submit_bid(
        actor=user, tender=w.tender, provider=org, price="500000", technical_response="方案 0"
    )
    for i in range(1, cap + 1):
        if i == 3:  # withdrawn and bid again: a change too
            tendering_services.withdraw_bid(actor=user, bid=bid)
            bid = tendering_services.submit_bid(
                actor=user, tender=w.tender, provider=org, price="500000", technical_response="x"
            )
            continue
        bid = tendering_services.submit_bid(
            actor=user,
            tender=w.tender,
            provider=org,
            price=f"50000{i}",
            technical_response=f"方案 {i}",
            replace=True,
        )
    assert Bid.objects.filter(tender=w.tender, provider=org).count() == cap + 1
    live = Bid.objects.get(tender=w.tender, provider=org, status="submitted")
    english(client, user)
    r = client.post(
        f"{API}/rounds/{w.tender.pk}/bids",
        {"price": "499000", "technical_response": "再改一次", "replace": "true"},
    )
    assert r.status_code == 422, r.content
    error = r.json()["errors"][0]
    assert error["field"] == "replace" and "at most 5 changes" in error["message"]
    assert "财政部令第87号 第三十四条" in error["message"]
    assert Bid.objects.filter(tender=w.tender, provider=org).count() == cap + 1
    assert Bid.objects.get(tender=w.tender, provider=org, status="submitted") == live
    # Another provider's first bid is not affected.
    tendering_services.submit_bid(
        actor=w.small_user, tender=w.tender, provider=w.small, price="1", technical_response="y"
    )


def files_under(media) -> set[str]:
    root = Path(media)
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def test_files_of_replaced_and_withdrawn_bids_are_deleted_after_the_retention_period(
    client, w, clock, media
):
    from govbuy.core.audit import verify_chain
    from govbuy.tendering.services.tick import tick

    three_bids(w, clock)
    clock.at("2026-10-10 10:00")
    first = w.bids["large"]
    second = tendering_services.submit_bid(
        actor=w.large_user,
        tender=w.tender,
        provider=w.large,
        price="499000",
        technical_response="新方案",
        attachments=[pdf("新方案.pdf", extra=b"new")],
        replace=True,
    )
    tendering_services.withdraw_bid(actor=w.social_user, bid=w.bids["social"])
    again = tendering_services.submit_bid(
        actor=w.social_user,
        tender=w.tender,
        provider=w.social,
        price="520000",
        technical_response="重投",
        attachments=[pdf("重投.pdf", extra=b"again")],
    )
    superseded = [first.attachments.get(), w.bids["social"].attachments.get()]
    kept = [a for b in (second, w.bids["small"], again) for a in b.attachments.all()]
    before = files_under(media)
    assert {a.file.name for a in superseded + kept} <= before
    open_at_deadline(w, clock)
    clock.at("2026-12-31 09:00")  # 80 days after the opening: kept
    report = tick()
    assert report.purged == [] and files_under(media) == before
    clock.at("2027-01-10 09:30")  # 90 days after the opening
    report = tick()
    assert sorted(b.pk for b in report.purged) == sorted([first.pk, w.bids["social"].pk])
    assert files_under(media) == {a.file.name for a in kept}
    for a in superseded:
        a.refresh_from_db()
        assert a.file.name == "" and a.purged_at is not None and len(a.sha256) == 64
    events = AuditEvent.objects.filter(action="procurement.bid.files_purged").order_by("seq")
    assert [e.data["attachments"][0]["sha256"] for e in events] == [a.sha256 for a in superseded]
    assert events[0].data["retention_days"] == 90
    # Idempotent: a second run does nothing more.
    assert tick().purged == [] and events.count() == 2
    assert verify_chain().ok
    # The bidder still sees its old bid's digest and that its file is gone.
    english(client, w.large_user)
    page = client.get(reverse("tendering:bid_detail", args=[first.pk])).content.decode()
    assert "file deleted 2027-01-10 after the retention period" in page
    assert client.get(f"{API}/attachments/{superseded[0].pk}").status_code == 404
    assert client.get(reverse("tendering:attachment", args=[superseded[0].pk])).status_code == 404


class FailingSecondSave(FileSystemStorage):
    """A disk that fills up after one file: the transaction of the bid fails."""

    saves = 0

    def _save(self, name, content):
        type(self).saves += 1
        if type(self).saves == 2:
            raise OSError(28, "No space left on device")
        return super()._save(name, content)


def test_a_bid_that_fails_after_writing_a_file_leaves_no_file_behind(w, clock, media, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": f"{__name__}.FailingSecondSave"},
    }
    FailingSecondSave.saves = 0
    clock.at("2026-10-09 15:00")
    with pytest.raises(OSError):
        tendering_services.submit_bid(
            actor=w.large_user,
            tender=w.tender,
            provider=w.large,
            price="500000",
            technical_response="方案",
            attachments=[pdf("一.pdf", extra=b"1"), pdf("二.pdf", extra=b"2")],
        )
    assert FailingSecondSave.saves == 2
    assert not Bid.objects.exists()
    assert files_under(media) == set()
