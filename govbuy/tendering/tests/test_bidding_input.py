"""Bad input to bids, questions and complaints: each refused with a message
that names the field (and the rule, where a rule refuses), and nothing
half-saved — no Bid, no BidAttachment, no file in MEDIA_ROOT, no audit event.

The round: notice on Tue 15 Sep 2026, bid deadline Mon 12 Oct 2026 09:30."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from govbuy.core.errors import InvalidInput
from govbuy.core.tests.test_uploads import docx_bytes, pdf_bytes
from govbuy.procurement import services
from govbuy.tendering import services as tendering_services
from govbuy.tendering.tests.fixtures import start

EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 48 + b"PE\x00\x00" * 10
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
GOOD_TEXT = "服务方案：120 个助餐点，中央厨房配送，营养师配餐。"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def bidding(tendering, clock, media):
    """The round open for bids on Fri 9 Oct 2026."""
    t = tendering
    clock.at("2026-09-15 10:00")
    t.tender = start(services, t)
    clock.at("2026-10-09 15:00")
    t.media = media
    return t


def pdf(name="投标文件.pdf", content=None):
    # A comment line after %%EOF keeps it a PDF and makes each file's bytes its own.
    content = content or pdf_bytes() + f"% {name}\n".encode()
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def files_in(media: Path) -> list[Path]:
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


def field_errors(exc: InvalidInput) -> dict[str, str]:
    return {e["field"]: e["message"] for e in exc.errors}


# --- the deadline (server clock) --------------------------------------------------------------


# --- the price -------------------------------------------------------------------------------


def test_a_price_with_thousands_separators_is_read(bidding):
    bid = tendering_services.submit_bid(
        actor=bidding.large_user,
        tender=bidding.tender,
        provider=bidding.large,
        price="500,000.00",
        technical_response=GOOD_TEXT,
        sme_size="large",
    )
    assert str(bid.price) == "500000.00"


# --- the technical response and the declaration -------------------------------------------------


# --- attachments -------------------------------------------------------------------------------


def test_good_attachments_are_stored_under_their_hash(bidding):
    """The counterpart: ten real files are accepted and stored, nothing else."""
    t = bidding
    files = [pdf(f"附件{i}.pdf") for i in range(9)] + [
        SimpleUploadedFile("方案.docx", docx_bytes())
    ]
    bid = tendering_services.submit_bid(
        actor=t.large_user,
        tender=t.tender,
        provider=t.large,
        price="500000.00",
        technical_response=GOOD_TEXT,
        sme_size="large",
        attachments=files,
    )
    assert bid.attachments.count() == 10
    assert {a.kind for a in bid.attachments.all()} == {"pdf", "docx"}
    assert len(files_in(t.media)) == 10
    assert all(
        Path(a.file.name).name == a.sha256 for a in bid.attachments.all()
    )  # never the client's name


# --- replacing a bid with bad input leaves the live bid alone ----------------------------------


# --- questions and complaints (P11) -------------------------------------------------------------
