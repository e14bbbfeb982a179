"""Questions and complaints in the rules running tests (moved from
`govbuy.tendering.tests.test_rules_running` with the split: they use the challenges app)."""

# ruff: noqa: F811  (fixtures of the tendering tests, imported here, are test parameters)

from __future__ import annotations

import pytest

from govbuy.challenges import services as challenge_services
from govbuy.core.rules import RuleViolation
from govbuy.procurement import services
from govbuy.tendering import services as tendering_services
from govbuy.tendering.tests import test_rules_running as tendering_tests
from govbuy.tendering.tests.fixtures import start
from govbuy.tendering.tests.test_rules_running import (
    D,
    only,
    rules_of,
    three_bids,
)
from govbuy.tendering.tests.test_running_flow import bid

# Fixtures of the tendering tests (and those they request), for these tests.
english = tendering_tests.english


def test_p11_the_process_is_questioned_from_the_opening(tendering, clock):
    t = tendering
    clock.at("2026-09-15 10:00")
    tender = start(services, t)
    clock.at("2026-10-09 15:00")
    three_bids(t, tender)
    with pytest.raises(RuleViolation) as exc:
        challenge_services.file_question(
            actor=t.large_user,
            tender=tender,
            provider=t.large,
            subject="process",
            content="开标程序存疑。",
        )
    violation = only(exc)
    assert (violation.rule, violation.field) == ("P11", "subject")
    assert "2026-10-12" in violation.message
    clock.at("2026-10-12 09:30")
    tendering_services.open_bids(tender=tender)
    clock.at("2026-10-12 11:00")
    question = challenge_services.file_question(
        actor=t.large_user,
        tender=tender,
        provider=t.large,
        subject="process",
        content="开标程序存疑。",
    )
    # 7 working days after Mon 12 Oct: 13, 14, 15, 16, 19, 20, Wed 21 Oct.
    assert question.window_ends == D(2026, 10, 21)


def test_p11_complaints_follow_the_answer_and_respect_their_window(tendering, clock):
    t = tendering
    clock.at("2026-09-15 10:00")
    tender = start(services, t)
    clock.at("2026-09-16 10:00")
    question = challenge_services.file_question(
        actor=t.large_user,
        tender=tender,
        provider=t.large,
        subject="documents",
        content="资格条件排斥中小企业，请求修改。",
    )
    # Answer due: 7 working days after Wed 16 Sep: 17, 18, Sun 20 (make-up), 21, 22, 23, 24
    # → Thu 24 Sep.
    assert question.answer_due == D(2026, 9, 24)
    # Before the answer and within the answer period: too early.
    clock.at("2026-09-18 10:00")
    with pytest.raises(RuleViolation) as exc:
        challenge_services.file_complaint(
            actor=t.large_user, question=question, content="未获答复。"
        )
    violation = only(exc)
    assert (violation.rule, violation.field) == ("P11", "content")
    assert "2026-09-24" in violation.message
    # No answer by Thu 24 Sep: from Fri 25 the provider may complain.
    # Window: 15 working days after Thu 24 Sep: [Fri 25 中秋], 28 1, 29 2, 30 3, [1–7 Oct],
    # Thu 8 4, Fri 9 5, Sat 10 (make-up) 6, 12–16 7–11, Mon 19 12, 20 13, 21 14, Thu 22 15.
    clock.at("2026-10-23 09:00")
    with pytest.raises(RuleViolation) as exc:
        challenge_services.file_complaint(
            actor=t.large_user, question=question, content="逾期未答复。"
        )
    assert "2026-10-22" in only(exc).message
    assert "late" in only(exc).message
    clock.at("2026-10-22 16:00")
    complaint = challenge_services.file_complaint(
        actor=t.large_user, question=question, content="采购人逾期未答复质疑。"
    )
    assert complaint.window_ends == D(2026, 10, 22)


def test_p11_a_suspension_lasts_1_to_30_days_and_stops_the_purchase(tendering, clock):
    t = tendering
    clock.at("2026-09-15 10:00")
    tender = start(services, t)
    clock.at("2026-09-16 10:00")
    question = challenge_services.file_question(
        actor=t.large_user, tender=tender, provider=t.large, subject="documents", content="质疑。"
    )
    challenge_services.answer_question(actor=t.purchaser, question=question, answer="答复。")
    complaint = challenge_services.file_complaint(
        actor=t.large_user, question=question, content="投诉。"
    )
    challenge_services.review_complaint(actor=t.finance, complaint=complaint, accept=True)
    for days in (0, 31):
        with pytest.raises(RuleViolation) as exc:
            challenge_services.suspend_purchase(actor=t.finance, complaint=complaint, days=days)
        assert (only(exc).rule, only(exc).field) == ("P11", "days")
        assert "1 to 30 days" in only(exc).message
    tender.refresh_from_db()
    assert not tender.is_suspended
    # Passes: suspended until 16 Sep + 30 = 16 Oct.
    challenge_services.suspend_purchase(actor=t.finance, complaint=complaint, days=30)
    tender.refresh_from_db()
    assert tender.suspended_until == D(2026, 10, 16)
    # While suspended nothing moves forward: no bid, no opening.
    clock.at("2026-10-09 15:00")
    with pytest.raises(RuleViolation) as exc:
        bid(t, t.large, t.large_user, "500000.00", tender=tender)
    assert rules_of(exc) == ["P11"] and "2026-10-16" in only(exc).message
    clock.at("2026-10-12 09:30")
    with pytest.raises(RuleViolation) as exc:
        tendering_services.open_bids(tender=tender)
    assert rules_of(exc) == ["P11"]
    # The decision lifts it.
    challenge_services.decide_complaint(
        actor=t.finance, complaint=complaint, upheld=False, text="质疑答复合法，驳回。"
    )
    tender.refresh_from_db()
    assert not tender.is_suspended
