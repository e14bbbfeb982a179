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
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from govbuy.core.models import AuditEvent
from govbuy.procurement import services
from govbuy.procurement.models import Bid, TenderStatus

from .conftest import provider_org, start
from .test_api import API, as_user, call

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
    tender = services.open_bids(actor=w.purchaser, tender=w.tender)
    tender.refresh_from_db()
    return tender


# --- 1. honest bids are never reported as tampered --------------------------------------------


def test_prices_typed_any_way_are_intact_at_the_opening_through_the_service(w, clock):
    clock.at("2026-10-09 15:00")
    bids = {}
    for (typed, canonical), (org, user) in zip(TYPED.items(), w.typists, strict=True):
        attachment = pdf(extra=typed.encode())
        bid = services.submit_bid(
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
            response = client.post(reverse("procurement:bid_submit", args=[w.tender.pk]), data)
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
    page = client.get(reverse("procurement:opening", args=[w.tender.pk])).content.decode()
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
        bid = services.submit_bid(
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
    bid = services.submit_bid(
        actor=user, tender=w.tender, provider=org, price="720000", technical_response="方案"
    )
    Bid.objects.filter(pk=bid.pk).update(
        digest=_legacy_digest(bid, "720000"), digest_version=1, price="720001.00"
    )
    changed.append(bid.pk)
    org, user = w.typists[4]
    bid = services.submit_bid(
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
            services.submit_bid(
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
