"""Questions and complaints in the schedule tests (moved from
`govbuy.tendering.tests.test_schedule` with the split: they use the challenges app)."""

# ruff: noqa: F811  (fixtures of the tendering tests, imported here, are test parameters)

from __future__ import annotations

import pytest

from govbuy.challenges import services as challenge_services
from govbuy.challenges.models import Question
from govbuy.core.errors import ApplicationError, CalendarNotCovered
from govbuy.core.models import AuditEvent
from govbuy.core.rules import RuleViolation
from govbuy.procurement import services
from govbuy.tendering import services as tendering_services
from govbuy.tendering.models import DeadlineKind, Notice, NoticeKind
from govbuy.tendering.tests import test_schedule as tendering_tests
from govbuy.tendering.tests.fixtures import start
from govbuy.tendering.tests.test_schedule import (
    D,
    at,
    current,
    due_day,
)

# Fixtures of the tendering tests (and those they request), for these tests.
english = tendering_tests.english


def test_questions_on_the_documents_across_national_day_2026(tendering, clock):
    t = tendering
    clock.at("2026-09-22 10:00")
    tender = start(services, t, bid_deadline="2026-10-12T09:30")
    # Notice period: 5 working days after Tue 22 Sep: Wed 23 1, Thu 24 2, [Fri 25 中秋,
    # weekend], Mon 28 3, Tue 29 4, Wed 30 5 → Wed 30 Sep.
    assert due_day(tender, DeadlineKind.NOTICE_PERIOD) == D(2026, 9, 30)
    # Questions: 7 working days after Wed 30 Sep: [1–7 Oct off], Thu 8 1, Fri 9 2,
    # Sat 10 (make-up) 3, Mon 12 4, Tue 13 5, Wed 14 6, Thu 15 7 → Thu 15 Oct.
    assert due_day(tender, DeadlineKind.QUESTION_DOCUMENTS) == D(2026, 10, 15)
    # A provider questions the documents on the last day: accepted; answer due 7 working days
    # after Thu 15 Oct: 16 1, 19 2, 20 3, 21 4, 22 5, 23 6, Mon 26 7 → Mon 26 Oct.
    clock.at("2026-10-15 17:00")
    question = challenge_services.file_question(
        actor=t.large_user,
        tender=tender,
        provider=t.large,
        subject="documents",
        content="评分标准中“类似业绩”的认定口径不明确，请求澄清。",
    )
    assert question.window_ends == D(2026, 10, 15)
    assert question.answer_due == D(2026, 10, 26)
    # The next day is too late, and the refusal shows the last day.
    clock.at("2026-10-16 09:00")
    with pytest.raises(RuleViolation) as exc:
        challenge_services.file_question(
            actor=t.small_user,
            tender=tender,
            provider=t.small,
            subject="documents",
            content="请求延长投标截止时间。",
        )
    assert [v.rule for v in exc.value.violations] == ["P11"]
    assert "2026-10-15" in exc.value.violations[0].message


def test_after_the_opening_across_national_day_2026(tendering, clock):
    """Opening, evaluation and award on Wed 30 Sep 2026, result on Fri 9 Oct; a question on
    the process the day of the opening; a complaint on it."""
    from govbuy.tendering.tests.test_running_flow import bid, scores_for

    t = tendering
    clock.at("2026-09-10 10:00")
    # 10 Sep + 20 days = Wed 30 Sep: the earliest deadline.
    tender = start(services, t, bid_deadline="2026-09-30T09:30")
    clock.at("2026-09-29 15:00")
    b_large = bid(t, t.large, t.large_user, "500000.00", tender=tender)
    b_small = bid(t, t.small, t.small_user, "540000.00", tender=tender)
    b_social = bid(t, t.social, t.social_user, "520000.00", tender=tender)

    clock.at("2026-09-30 09:30")
    tender = tendering_services.open_bids(actor=t.purchaser, tender=tender)
    # Questions on the process: 7 working days after Wed 30 Sep: Thu 8 1, Fri 9 2,
    # Sat 10 (make-up) 3, Mon 12 4, Tue 13 5, Wed 14 6, Thu 15 7 → Thu 15 Oct.
    assert due_day(tender, DeadlineKind.QUESTION_PROCESS) == D(2026, 10, 15)
    opening = current(tender, DeadlineKind.OPENING)
    assert opening.done_at == at("2026-09-30 09:30") and not opening.late

    clock.at("2026-09-30 10:00")
    question = challenge_services.file_question(
        actor=t.social_user,
        tender=tender,
        provider=t.social,
        subject="process",
        content="开标记录中我单位的报价时间有误，请求核实。",
    )
    # Answer due: 7 working days after Wed 30 Sep → Thu 15 Oct (as above).
    assert question.answer_due == D(2026, 10, 15)
    assert question.window_ends == D(2026, 10, 15)

    tendering_services.appoint_panel(
        actor=t.purchaser, tender=tender, members=t.panel, chair=t.experts[0]
    )
    for user in t.panel:
        tendering_services.declare_no_conflict(actor=user, tender=tender)
        tendering_services.submit_scores(
            actor=user,
            tender=tender,
            scores=scores_for(
                tender, {b_large: ("35", "25"), b_small: ("34", "25"), b_social: ("30", "20")}
            ),
        )
    # Confirmation: 5 working days after the report of Wed 30 Sep: Thu 8 1, Fri 9 2,
    # Sat 10 (make-up) 3, Mon 12 4, Tue 13 5 → Tue 13 Oct.
    assert due_day(tender, DeadlineKind.CONFIRMATION) == D(2026, 10, 13)
    confirmation = current(tender, DeadlineKind.CONFIRMATION)
    assert confirmation.basis == "政府采购法实施条例 第四十三条"

    clock.at("2026-09-30 16:00")
    challenge_services.answer_question(
        actor=t.purchaser, question=question, answer="经核实，开标记录时间为服务器接收时间，无误。"
    )
    complaint = challenge_services.file_complaint(
        actor=t.social_user, question=question, content="对答复不满意，请求财政部门处理。"
    )
    # Complaint window: 15 working days after the answer period's last day Thu 15 Oct:
    # Fri 16 1, 19–23 2–6, 26–30 7–11, Mon 2 Nov 12, 3 13, 4 14, Thu 5 15 → Thu 5 Nov.
    assert complaint.window_ends == D(2026, 11, 5)
    # Review: 5 working days after Wed 30 Sep: Thu 8 1, Fri 9 2, Sat 10 (make-up) 3,
    # Mon 12 4, Tue 13 5 → Tue 13 Oct.
    assert complaint.review_due == D(2026, 10, 13)
    # Decision: 30 working days after Wed 30 Sep: Thu 8 1, Fri 9 2, Sat 10 3, 12–16 4–8,
    # 19–23 9–13, 26–30 14–18, 2–6 Nov 19–23, 9–13 Nov 24–28, Mon 16 29, Tue 17 30 → Tue 17 Nov.
    assert complaint.decision_due == D(2026, 11, 17)
    challenge_services.review_complaint(actor=t.finance, complaint=complaint, accept=True)
    challenge_services.decide_complaint(
        actor=t.finance, complaint=complaint, upheld=False, text="开标记录无误，驳回投诉。"
    )

    tender = tendering_services.confirm_award(actor=t.purchaser, tender=tender)
    # Result notice: 2 working days after Wed 30 Sep: Thu 8 1, Fri 9 2 → Fri 9 Oct.
    assert due_day(tender, DeadlineKind.RESULT_NOTICE) == D(2026, 10, 9)
    assert current(tender, DeadlineKind.CONFIRMATION).done_at is not None

    clock.at("2026-10-09 11:00")
    notice = tendering_services.publish_result(actor=t.purchaser, tender=tender)
    assert not notice.late
    result_row = current(tender, DeadlineKind.RESULT_NOTICE)
    assert result_row.done_at == at("2026-10-09 11:00") and not result_row.late
    # Display: 1 working day after Fri 9 Oct → Sat 10 Oct, a make-up working day.
    assert due_day(tender, DeadlineKind.RESULT_DISPLAY) == D(2026, 10, 10)
    # Questions on the result: 7 working days after Sat 10 Oct: Mon 12 1 … Fri 16 5,
    # Mon 19 6, Tue 20 7 → Tue 20 Oct.
    assert due_day(tender, DeadlineKind.QUESTION_RESULT) == D(2026, 10, 20)
    # Contract: 30 calendar days after Fri 9 Oct → Sun 8 Nov.
    assert due_day(tender, DeadlineKind.CONTRACT_SIGNING) == D(2026, 11, 8)
    assert current(tender, DeadlineKind.CONTRACT_SIGNING).rule == "K8"

    # The process window closed on Thu 15 Oct: a question on the 16th is refused.
    clock.at("2026-10-16 09:00")
    with pytest.raises(RuleViolation) as exc:
        challenge_services.file_question(
            actor=t.large_user,
            tender=tender,
            provider=t.large,
            subject="process",
            content="评审过程不公正。",
        )
    assert [v.rule for v in exc.value.violations] == ["P11"]
    assert "2026-10-15" in exc.value.violations[0].message
    # The result can still be questioned until Tue 20 Oct, and not after.
    clock.at("2026-10-20 17:00")
    challenge_services.file_question(
        actor=t.large_user,
        tender=tender,
        provider=t.large,
        subject="result",
        content="中标人业绩证明存疑。",
    )
    clock.at("2026-10-21 09:00")
    with pytest.raises(RuleViolation) as exc:
        challenge_services.file_question(
            actor=t.small_user,
            tender=tender,
            provider=t.small,
            subject="result",
            content="中标人业绩证明存疑。",
        )
    assert "2026-10-20" in exc.value.violations[0].message


def test_deadlines_into_2027_are_stored_without_a_date_and_questions_refused(tendering, clock):
    t = tendering
    clock.at("2026-12-21 10:00")
    # 21 Dec + 20 = 10 Jan 2027; the deadline is Mon 11 Jan.
    tender = start(services, t, bid_deadline="2027-01-11T09:30")
    # Documents: 5 working days after Mon 21 Dec: 22, 23, 24, 25, Mon 28 → 28 Dec (2026 known).
    assert due_day(tender, DeadlineKind.DOCUMENTS) == D(2026, 12, 28)
    # Clarifications: 11 Jan − 15 days = Sun 27 Dec: calendar days need no holiday calendar.
    assert due_day(tender, DeadlineKind.CLARIFICATION) == D(2026, 12, 27)
    # Questions: 7 working days after 28 Dec reach into 2027: stored without a date.
    row = current(tender, DeadlineKind.QUESTION_DOCUMENTS)
    assert row.due_at is None
    assert row.explanation == (
        "7 working days after the end of the documents' period (2026-12-28); "
        "the date awaits the 2027 holiday calendar"
    )
    notice = Notice.objects.get(tender=tender, kind=NoticeKind.PURCHASE)
    published = {d["kind"]: d for d in notice.data["deadlines"]}
    assert published[DeadlineKind.QUESTION_DOCUMENTS]["due_at"] is None

    # A question on the documents cannot be judged on time or late: refused, never guessed.
    clock.at("2026-12-23 10:00")
    events = AuditEvent.objects.count()
    with pytest.raises(ApplicationError) as exc:
        challenge_services.file_question(
            actor=t.large_user,
            tender=tender,
            provider=t.large,
            subject="documents",
            content="请求澄清评分标准。",
        )
    assert "awaits the 2027 holiday calendar" in exc.value.message
    assert not Question.objects.exists()
    assert AuditEvent.objects.count() == events


def test_a_question_whose_answer_period_cannot_be_computed_is_refused(tendering, clock):
    """Opened on Wed 23 Dec 2026: the process window (7 working days: 24, 25, 28, 29, 30, 31,
    then 2027) and the answer period both need the 2027 calendar."""
    from govbuy.tendering.tests.test_running_flow import bid

    t = tendering
    clock.at("2026-11-30 10:00")
    tender = start(services, t, bid_deadline="2026-12-23T09:30")
    clock.at("2026-12-22 10:00")
    for org, user, price in (
        (t.large, t.large_user, "500000.00"),
        (t.small, t.small_user, "540000.00"),
        (t.social, t.social_user, "520000.00"),
    ):
        bid(t, org, user, price, tender=tender)
    clock.at("2026-12-23 09:30")
    tendering_services.open_bids(tender=tender)
    assert current(tender, DeadlineKind.QUESTION_PROCESS).due_at is None
    with pytest.raises(CalendarNotCovered) as exc:
        challenge_services.file_question(
            actor=t.large_user,
            tender=tender,
            provider=t.large,
            subject="process",
            content="开标记录有误。",
        )
    assert exc.value.year == 2027
    assert "No holiday calendar for 2027" in exc.value.message
    assert not Question.objects.exists()
