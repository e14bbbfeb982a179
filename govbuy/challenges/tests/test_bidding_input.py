"""Questions and complaints in the bidding input tests (moved from
`govbuy.tendering.tests.test_bidding_input` with the split: they use the challenges app)."""

# ruff: noqa: F811  (fixtures of the tendering tests, imported here, are test parameters)

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from govbuy.challenges import services as challenge_services
from govbuy.challenges.models import Complaint, Question
from govbuy.core.errors import ApplicationError, InvalidInput, InvalidState
from govbuy.core.models import AuditEvent
from govbuy.core.rules import RuleViolation
from govbuy.core.tests.test_uploads import pdf_bytes
from govbuy.tendering import services as tendering_services
from govbuy.tendering.models import Bid, BidAttachment, BidStatus
from govbuy.tendering.tests import test_bidding_input as tendering_tests
from govbuy.tendering.tests.test_bidding_input import (
    EXE,
    GOOD_TEXT,
    HTML,
    field_errors,
    files_in,
    pdf,
)

# Fixtures of the tendering tests (and those they request), for these tests.
bidding = tendering_tests.bidding
english = tendering_tests.english
media = tendering_tests.media


class Nothing:
    """Snapshot of everything a refused write could leave behind."""

    def __init__(self, media: Path):
        self.media = media
        self.before = self.state()

    def state(self):
        return (
            list(Bid.objects.values_list("pk", "status")),
            BidAttachment.objects.count(),
            Question.objects.count(),
            Complaint.objects.count(),
            AuditEvent.objects.count(),
            files_in(self.media),
        )

    def changed(self) -> bool:
        return self.state() != self.before


def refused(t, error, **over):
    """Submit a bid of the large enterprise with `over`; expect `error`; check that
    nothing was written. Returns the exception."""
    kwargs = dict(
        actor=t.large_user,
        tender=t.tender,
        provider=t.large,
        price="500000.00",
        technical_response=GOOD_TEXT,
        sme_size="large",
    )
    kwargs.update(over)
    snapshot = Nothing(t.media)
    with pytest.raises(error) as exc:
        tendering_services.submit_bid(**kwargs)
    assert not snapshot.changed(), "a refused bid left something behind"
    return exc.value


def test_a_bid_after_the_deadline_is_refused_by_the_server_clock(bidding, clock):
    t = bidding
    clock.at("2026-10-12 09:30:00.001")
    exc = refused(t, RuleViolation, attachments=[pdf()])
    (violation,) = exc.violations
    assert (violation.rule, violation.field) == ("P12", "bid_deadline")
    assert "The bid deadline was 2026-10-12 09:30:00" in violation.message
    assert "received this at 2026-10-12 09:30:00.001" in violation.message
    # Still refused after the opening: the round is closed.
    clock.at("2026-10-12 09:31")
    tendering_services.open_bids(tender=t.tender)
    exc = refused(t, RuleViolation)
    assert [v.rule for v in exc.violations] == ["P12"]


@pytest.mark.parametrize(
    "price, message",
    [
        ("-1", "The price must be more than 0 元."),
        ("-500000.00", "The price must be more than 0 元."),
        ("0", "The price must be more than 0 元."),
        ("0.00", "The price must be more than 0 元."),
        ("500000.001", "The price has at most 2 decimals (分)."),
        ("499999.995", "The price has at most 2 decimals (分)."),
        ("abc", "Give the price in 元, e.g. 486000.00."),
        ("", "Give the price in 元, e.g. 486000.00."),
        (None, "Give the price in 元, e.g. 486000.00."),
        ("NaN", "Give the price in 元, e.g. 486000.00."),
        ("Infinity", "Give the price in 元, e.g. 486000.00."),
        ("1e400", "The price is too large."),
        ("100000000000000.00", "The price is too large."),
    ],
)
def test_a_bad_price_is_refused(bidding, price, message):
    exc = refused(bidding, InvalidInput, price=price, attachments=[pdf()])
    assert field_errors(exc) == {"price": message}


@pytest.mark.parametrize("text", ["", "   \n\t ", None])
def test_an_empty_technical_response_is_refused(bidding, text):
    exc = refused(bidding, InvalidInput, technical_response=text)
    assert field_errors(exc) == {"technical_response": "Give the technical response."}


def test_an_overlong_technical_response_is_refused(bidding):
    exc = refused(bidding, InvalidInput, technical_response="方" * 50001)
    assert field_errors(exc) == {"technical_response": "At most 50,000 characters."}


def test_an_unknown_enterprise_size_is_refused(bidding):
    exc = refused(bidding, InvalidInput, sme_size="huge")
    assert field_errors(exc) == {"sme_size": "Unknown enterprise size."}


def test_every_bad_field_is_named_at_once(bidding):
    exc = refused(
        bidding, InvalidInput, price="-3", technical_response="", sme_size="x", attachments=[]
    )
    assert set(field_errors(exc)) == {"price", "technical_response", "sme_size"}


def test_an_oversized_attachment_is_refused(bidding, settings):
    settings.GOVBUY_UPLOAD_MAX_BYTES = 1024 * 1024
    big = pdf_bytes() + b"%" + b"0" * (1024 * 1024)
    exc = refused(bidding, InvalidInput, attachments=[pdf(), pdf("方案.pdf", big)])
    assert field_errors(exc) == {"attachments": "方案.pdf is 1.1 MB; at most 1 MB."}


def test_an_empty_attachment_is_refused(bidding):
    exc = refused(
        bidding, InvalidInput, attachments=[SimpleUploadedFile("空.pdf", b"", "application/pdf")]
    )
    assert field_errors(exc) == {"attachments": "空.pdf is empty."}


def test_a_program_renamed_pdf_is_refused(bidding):
    exc = refused(bidding, InvalidInput, attachments=[pdf(), pdf("资质证明.pdf", EXE)])
    assert field_errors(exc) == {
        "attachments": "资质证明.pdf is not a PDF document: its content is a Windows program. "
        "Allowed: PDF, Word, Excel, PowerPoint, PNG, JPEG."
    }


def test_a_web_page_renamed_docx_is_refused(bidding):
    page = SimpleUploadedFile(
        "技术方案.docx",
        HTML,
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    exc = refused(bidding, InvalidInput, attachments=[page])
    message = field_errors(exc)["attachments"]
    assert message.startswith("技术方案.docx is not a Word document (.docx)")
    assert "its content is a web page (HTML)" in message


def test_a_program_is_refused_by_its_extension(bidding):
    exc = refused(bidding, InvalidInput, attachments=[pdf("setup.exe", EXE)])
    assert "files ending in .exe are not accepted" in field_errors(exc)["attachments"]


def test_too_many_attachments_are_refused(bidding):
    exc = refused(bidding, InvalidInput, attachments=[pdf(f"附件{i}.pdf") for i in range(11)])
    assert field_errors(exc) == {"attachments": "At most 10 attachments."}


def test_a_bad_replacement_keeps_the_live_bid(bidding):
    t = bidding
    live = tendering_services.submit_bid(
        actor=t.large_user,
        tender=t.tender,
        provider=t.large,
        price="500000.00",
        technical_response=GOOD_TEXT,
        sme_size="large",
        attachments=[pdf()],
    )
    exc = refused(t, InvalidInput, price="-1", replace=True, attachments=[pdf("新方案.pdf", EXE)])
    assert set(field_errors(exc)) == {"price", "attachments"}
    live.refresh_from_db()
    assert live.status == BidStatus.SUBMITTED
    # A second bid without `replace` is refused too, and says what to do.
    exc = refused(t, InvalidState)
    assert "replace that bid or withdraw it" in exc.message


def test_a_question_after_its_window_is_refused(bidding, clock):
    t = bidding
    # Documents available until Mon 21 Sep (5 working days after Tue 15 Sep: 16, 17, 18,
    # Sun 20 (make-up), 21); questions 7 working days after: 22, 23, 24, [25 中秋], 28, 29,
    # 30, [1–7 Oct], Thu 8 Oct.
    clock.at("2026-10-09 09:00")
    snapshot = Nothing(t.media)
    with pytest.raises(RuleViolation) as exc:
        challenge_services.file_question(
            actor=t.large_user,
            tender=t.tender,
            provider=t.large,
            subject="documents",
            content="评分标准不合理。",
        )
    (violation,) = exc.value.violations
    assert (violation.rule, violation.field) == ("P11", "content")
    assert "closed on 2026-10-08" in violation.message
    assert not snapshot.changed()


@pytest.mark.parametrize(
    "over, field",
    [
        ({"subject": "rumour"}, "subject"),
        ({"content": "   "}, "content"),
    ],
)
def test_a_malformed_question_is_refused(bidding, over, field):
    t = bidding
    kwargs = dict(
        actor=t.large_user, tender=t.tender, provider=t.large, subject="documents", content="质疑"
    )
    kwargs.update(over)
    snapshot = Nothing(t.media)
    with pytest.raises(ApplicationError) as exc:
        challenge_services.file_question(**kwargs)
    assert exc.value.field == field
    assert not snapshot.changed()


def test_a_complaint_before_the_answer_or_after_its_window_is_refused(bidding, clock):
    t = bidding
    clock.at("2026-09-16 10:00")
    question = challenge_services.file_question(
        actor=t.large_user,
        tender=t.tender,
        provider=t.large,
        subject="documents",
        content="资格条件排斥中小企业。",
    )
    # Before the answer, inside the answer period (due Thu 24 Sep: 17, 18, Sun 20, 21, 22,
    # 23, 24).
    clock.at("2026-09-17 10:00")
    snapshot = Nothing(t.media)
    with pytest.raises(RuleViolation) as exc:
        challenge_services.file_complaint(
            actor=t.large_user, question=question, content="未获答复。"
        )
    (violation,) = exc.value.violations
    assert (violation.rule, violation.field) == ("P11", "content")
    assert "2026-09-24" in violation.message
    assert not snapshot.changed()
    # Answered on Fri 18 Sep; the complaint window is 15 working days after the answer
    # period's end (Thu 24 Sep) → Thu 22 Oct. On Fri 23 Oct it is late.
    clock.at("2026-09-18 10:00")
    challenge_services.answer_question(
        actor=t.purchaser, question=question, answer="资格条件合法。"
    )
    clock.at("2026-10-23 09:00")
    snapshot = Nothing(t.media)
    with pytest.raises(RuleViolation) as exc:
        challenge_services.file_complaint(
            actor=t.large_user, question=question, content="答复不满意。"
        )
    (violation,) = exc.value.violations
    assert violation.rule == "P11"
    assert "closed on 2026-10-22" in violation.message
    assert not snapshot.changed()


def test_a_complaint_is_filed_once(bidding, clock):
    t = bidding
    clock.at("2026-09-16 10:00")
    question = challenge_services.file_question(
        actor=t.large_user, tender=t.tender, provider=t.large, subject="documents", content="质疑"
    )
    challenge_services.answer_question(actor=t.purchaser, question=question, answer="答复")
    challenge_services.file_complaint(actor=t.large_user, question=question, content="投诉")
    snapshot = Nothing(t.media)
    with pytest.raises(InvalidState):
        challenge_services.file_complaint(actor=t.large_user, question=question, content="再次投诉")
    assert not snapshot.changed()
    assert dt.date(2026, 9, 16) == question.filed_at.date()
