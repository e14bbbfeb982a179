"""Deadlines of a purchase on the official calendar, each type across the
National Day holiday and a 调休 make-up working day.

The calendars (State Council notices, as carried by chinese-calendar):

2025  国庆+中秋 Wed 10-01 … Wed 10-08 off; make-up working days Sun 09-28, Sat 10-11.
      Working days: … Thu 09-25, Fri 09-26, Sun 09-28, Mon 09-29, Tue 09-30,
      Thu 10-09, Fri 10-10, Sat 10-11, Mon 10-13, Tue 10-14, Wed 10-15 …
2026  中秋 Fri 09-25 off (with the weekend 09-26/27); 国庆 Thu 10-01 … Wed 10-07 off;
      make-up working days Sun 09-20, Sat 10-10.
      Working days: … Fri 09-18, Sun 09-20, Mon 09-21 … Thu 09-24, Mon 09-28,
      Tue 09-29, Wed 09-30, Thu 10-08, Fri 10-09, Sat 10-10, Mon 10-12 …

"n working days after X" is the n-th working day strictly after the day of X;
"n days after X" counts calendar days, holidays included. Every expected
date below was counted by hand from these lists; the comment shows the count.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone, translation

from govbuy.core import services as core_services
from govbuy.core.errors import ApplicationError, CalendarNotCovered
from govbuy.core.rules import RuleViolation
from govbuy.orgs.models import Region
from govbuy.procurement import services
from govbuy.procurement.models import Method
from govbuy.tendering import schedule
from govbuy.tendering import services as tendering_services
from govbuy.tendering.models import Deadline, DeadlineKind, Notice, NoticeKind, Tender
from govbuy.tendering.models.tenders import ImmutableError
from govbuy.tendering.tests.fixtures import start

D = dt.date


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def at(text: str) -> dt.datetime:
    """A moment on the platform's clock (Asia/Shanghai)."""
    return timezone.make_aware(dt.datetime.fromisoformat(text))


@pytest.fixture
def rules(db):
    """The parameters in force for a purchase of 郑州 started on 2025-09-01."""
    return schedule.Rules(Region.objects.get(code="410100"), D(2025, 9, 1))


def by_kind(dues) -> dict:
    return {d.kind: d for d in dues}


# --- the purchase intention ------------------------------------------------------------------


@pytest.mark.parametrize(
    "published, expected",
    [
        # 30 calendar days: 8 Sep + 30 = 8 Oct 2025, the last day of the holiday; the
        # holiday and the make-up day 28 Sep count like any other day.
        ("2025-09-08 10:00", D(2025, 10, 8)),
        # 1 Sep 2026 + 30 = 1 Oct 2026, National Day itself.
        ("2026-09-01 10:00", D(2026, 10, 1)),
    ],
)
def test_intention_lead_counts_calendar_days(rules, published, expected):
    due = schedule.intention_due(rules, at(published))
    assert due.due_on == expected
    assert (due.kind, due.rule, due.parameter) == (
        DeadlineKind.INTENTION,
        "D1",
        "deadline.purchase_intention_days",
    )
    assert due.basis == "财库〔2020〕10号"
    assert due.explanation == f"30 days after the purchase intention ({published[:10]})"


# --- the notice: notice period, documents, clarifications, questions on the documents --------


def test_open_tender_notice_across_national_day_2025(rules):
    """Published Fri 26 Sep 2025, bid deadline Mon 20 Oct 2025 09:30."""
    dues = by_kind(
        schedule.notice_deadlines(
            rules,
            method=Method.OPEN_TENDER,
            published_at=at("2025-09-26 10:00"),
            bid_deadline=at("2025-10-20 09:30"),
            emergency=False,
        )
    )
    # 5 working days after Fri 26 Sep: Sun 28 (make-up) 1, Mon 29 2, Tue 30 3,
    # [1–8 Oct off], Thu 9 4, Fri 10 5 → Fri 10 Oct (weekdays only would say Fri 3 Oct).
    for kind in (DeadlineKind.NOTICE_PERIOD, DeadlineKind.DOCUMENTS):
        assert dues[kind].due_on == D(2025, 10, 10)
        assert dues[kind].rule == "P2"
        assert dues[kind].explanation == "5 working days after the notice (2025-09-26)"
    assert dues[DeadlineKind.NOTICE_PERIOD].basis == "87号令 第十六条"
    assert dues[DeadlineKind.NOTICE_PERIOD].parameter == "deadline.tender_notice_working_days"
    assert (
        dues[DeadlineKind.DOCUMENTS].parameter == "deadline.tender_documents_available_working_days"
    )
    # Clarifications: 15 calendar days before Mon 20 Oct → Sun 5 Oct (a holiday: calendar days).
    assert dues[DeadlineKind.CLARIFICATION].due_on == D(2025, 10, 5)
    assert dues[DeadlineKind.CLARIFICATION].basis == "财政部令第87号 第二十七条"
    # The bid deadline and the opening are the moment the notice sets.
    assert dues[DeadlineKind.BID_DEADLINE].due_at == at("2025-10-20 09:30")
    assert dues[DeadlineKind.BID_DEADLINE].whole_day is False
    assert dues[DeadlineKind.OPENING].due_at == at("2025-10-20 09:30")
    assert dues[DeadlineKind.OPENING].rule == "P12"
    # Questions on the documents: 7 working days after the documents' last day Fri 10 Oct:
    # Sat 11 (make-up) 1, Mon 13 2, 14 3, 15 4, 16 5, Fri 17 6, Mon 20 7 → Mon 20 Oct.
    question = dues[DeadlineKind.QUESTION_DOCUMENTS]
    assert question.due_on == D(2025, 10, 20)
    assert (question.rule, question.parameter) == ("P11", "deadline.question_working_days")
    assert question.basis == "政府采购法 第五十二条"


def test_consultation_documents_across_national_day_2025(rules):
    dues = by_kind(
        schedule.notice_deadlines(
            rules,
            method=Method.COMPETITIVE_CONSULTATION,
            published_at=at("2025-09-30 10:00"),
            bid_deadline=at("2025-10-10 09:30"),
            emergency=False,
        )
    )
    # 5 working days after Tue 30 Sep: [1–8 Oct off], Thu 9 1, Fri 10 2, Sat 11 (make-up) 3,
    # Mon 13 4, Tue 14 5 → Tue 14 Oct.
    assert dues[DeadlineKind.DOCUMENTS].due_on == D(2025, 10, 14)
    assert dues[DeadlineKind.DOCUMENTS].parameter == "deadline.consultation_documents_working_days"
    # Clarifications: 5 calendar days before Fri 10 Oct → Sun 5 Oct.
    assert dues[DeadlineKind.CLARIFICATION].due_on == D(2025, 10, 5)
    assert DeadlineKind.NOTICE_PERIOD not in dues


def test_negotiation_clarification_counts_back_across_the_holiday(rules):
    dues = by_kind(
        schedule.notice_deadlines(
            rules,
            method=Method.COMPETITIVE_NEGOTIATION,
            published_at=at("2025-09-24 10:00"),
            bid_deadline=at("2025-10-09 09:30"),
            emergency=False,
        )
    )
    # 3 working days before Thu 9 Oct: [8 … 1 Oct off], Tue 30 Sep 1, Mon 29 2,
    # Sun 28 (make-up) 3 → Sun 28 Sep.
    clar = dues[DeadlineKind.CLARIFICATION]
    assert clar.due_on == D(2025, 9, 28)
    assert clar.parameter == "deadline.negotiation_clarification_working_days"
    assert clar.explanation.startswith("at least 3 working days before the bid deadline")
    # Negotiation has no notice or documents period.
    assert DeadlineKind.NOTICE_PERIOD not in dues and DeadlineKind.DOCUMENTS not in dues


def test_single_source_publicity_across_national_day_2025(rules):
    dues = by_kind(
        schedule.notice_deadlines(
            rules,
            method=Method.SINGLE_SOURCE,
            published_at=at("2025-09-25 10:00"),
            bid_deadline=at("2025-10-09 09:30"),
            emergency=False,
        )
    )
    # 5 working days after Thu 25 Sep: Fri 26 1, Sun 28 (make-up) 2, Mon 29 3, Tue 30 4,
    # [1–8 Oct off], Thu 9 5 → Thu 9 Oct.
    publicity = dues[DeadlineKind.PUBLICITY]
    assert publicity.due_on == D(2025, 10, 9)
    assert publicity.basis == "政府采购法实施条例 第三十八条"
    assert DeadlineKind.CLARIFICATION not in dues


# --- the least time between the notice and the bid deadline, per method ----------------------


@pytest.mark.parametrize(
    "method, emergency, published, expected, rule, parameter",
    [
        # Open tender, 20 calendar days: Fri 26 Sep + 20 = Thu 16 Oct 2025 (holiday counted).
        (Method.OPEN_TENDER, False, "2025-09-26", D(2025, 10, 16), "P2", "tender_bid_days"),
        # Invitational tender follows the tender's 20 days: Tue 30 Sep + 20 = Mon 20 Oct.
        (Method.INVITATIONAL_TENDER, False, "2025-09-30", D(2025, 10, 20), "P2", "tender_bid_days"),
        # Negotiation, 3 working days after Tue 30 Sep: [1–8 Oct off], Thu 9 1, Fri 10 2,
        # Sat 11 (make-up) 3 → Sat 11 Oct 2025.
        (
            Method.COMPETITIVE_NEGOTIATION,
            False,
            "2025-09-30",
            D(2025, 10, 11),
            "P2",
            "negotiation_response_working_days",
        ),
        # The same in 2026 after Wed 30 Sep: [1–7 Oct off], Thu 8 1, Fri 9 2,
        # Sat 10 (make-up) 3 → Sat 10 Oct 2026.
        (
            Method.COMPETITIVE_NEGOTIATION,
            False,
            "2026-09-30",
            D(2026, 10, 10),
            "P2",
            "negotiation_response_working_days",
        ),
        # Consultation, 10 calendar days: Tue 30 Sep + 10 = Fri 10 Oct 2025.
        (
            Method.COMPETITIVE_CONSULTATION,
            False,
            "2025-09-30",
            D(2025, 10, 10),
            "P2",
            "consultation_response_days",
        ),
        # Single source, 5 working days of publicity after Thu 25 Sep: Fri 26 1,
        # Sun 28 (make-up) 2, Mon 29 3, Tue 30 4, [1–8 Oct off], Thu 9 5 → Thu 9 Oct 2025.
        (
            Method.SINGLE_SOURCE,
            False,
            "2025-09-25",
            D(2025, 10, 9),
            "P2",
            "single_source_publicity_working_days",
        ),
        # Framework agreement, 20 calendar days: Fri 26 Sep + 20 = Thu 16 Oct 2025.
        (
            Method.FRAMEWORK_AGREEMENT,
            False,
            "2025-09-26",
            D(2025, 10, 16),
            "P2",
            "framework_response_days",
        ),
        # Competitive review (outside the law, P3), 5 working days after Fri 26 Sep:
        # Sun 28 (make-up) 1, Mon 29 2, Tue 30 3, [1–8 Oct off], Thu 9 4, Fri 10 5 → Fri 10 Oct.
        (
            Method.COMPETITIVE_REVIEW,
            False,
            "2025-09-26",
            D(2025, 10, 10),
            "P3",
            "review_response_working_days",
        ),
        # Emergency (P9), 1 calendar day whatever the method: Tue 30 Sep + 1 = Wed 1 Oct,
        # National Day itself.
        (
            Method.COMPETITIVE_NEGOTIATION,
            True,
            "2025-09-30",
            D(2025, 10, 1),
            "P9",
            "emergency_response_days",
        ),
        (Method.OPEN_TENDER, True, "2026-09-30", D(2026, 10, 1), "P9", "emergency_response_days"),
    ],
)
def test_earliest_bid_deadline_per_method(
    rules, method, emergency, published, expected, rule, parameter
):
    due = schedule.earliest_bid_deadline(rules, method, at(f"{published} 10:00"), emergency)
    assert due.due_on == expected
    assert due.rule == rule
    assert due.parameter == f"deadline.{parameter}"
    assert due.basis
    assert published in due.explanation


def test_the_local_day_counts_not_the_utc_day(rules):
    """00:30 on Fri 26 Sep in Beijing is still Thu 25 Sep in UTC: the count starts from
    the 26th. 5 working days after Fri 26 Sep: Sun 28 (make-up), Mon 29, Tue 30,
    Thu 9, Fri 10 → Fri 10 Oct (from the 25th it would have been Thu 9 Oct)."""
    published = dt.datetime(2025, 9, 25, 16, 30, tzinfo=dt.UTC)
    due = schedule.earliest_bid_deadline(rules, Method.SINGLE_SOURCE, published, False)
    assert due.due_on == D(2025, 10, 10)


# --- corrections: the lead a change that may affect the bids needs -----------------------------


@pytest.mark.parametrize(
    "method, expected",
    [
        # Tender, 15 calendar days: Tue 30 Sep + 15 = Wed 15 Oct 2025.
        (Method.OPEN_TENDER, D(2025, 10, 15)),
        (Method.FRAMEWORK_AGREEMENT, D(2025, 10, 15)),
        # Negotiation, 3 working days: Thu 9 1, Fri 10 2, Sat 11 (make-up) 3 → Sat 11 Oct.
        (Method.COMPETITIVE_NEGOTIATION, D(2025, 10, 11)),
        # Consultation, 5 calendar days: Tue 30 Sep + 5 = Sun 5 Oct (a holiday).
        (Method.COMPETITIVE_CONSULTATION, D(2025, 10, 5)),
        # The law sets no lead for these.
        (Method.SINGLE_SOURCE, None),
        (Method.COMPETITIVE_REVIEW, None),
    ],
)
def test_clarification_lead_per_method(rules, method, expected):
    lead = schedule.clarification_lead(rules, method, at("2025-09-30 16:00"))
    if expected is None:
        assert lead is None
    else:
        assert lead.due_on == expected
        assert "after the correction (2025-09-30)" in lead.explanation


# --- after the opening: questions, confirmation, result, contract ------------------------------


def test_questions_on_the_process_after_an_opening_before_the_holiday(rules):
    (due,) = schedule.after_opening(rules, at("2025-09-30 09:30"))
    # 7 working days after Tue 30 Sep: [1–8 Oct off], Thu 9 1, Fri 10 2, Sat 11 (make-up) 3,
    # Mon 13 4, Tue 14 5, Wed 15 6, Thu 16 7 → Thu 16 Oct.
    assert due.kind == DeadlineKind.QUESTION_PROCESS
    assert due.due_on == D(2025, 10, 16)
    assert (due.rule, due.basis) == ("P11", "政府采购法 第五十二条")
    assert due.explanation == "7 working days after the opening (2025-09-30)"


def test_evaluation_to_confirmation(rules):
    (due,) = schedule.after_evaluation(rules, at("2025-09-30 17:00"))
    # 5 working days after Tue 30 Sep: Thu 9 1, Fri 10 2, Sat 11 (make-up) 3, Mon 13 4,
    # Tue 14 5 → Tue 14 Oct.
    assert due.kind == DeadlineKind.CONFIRMATION
    assert due.due_on == D(2025, 10, 14)
    assert due.basis == "政府采购法实施条例 第四十三条"
    assert due.parameter == "deadline.winner_confirmation_working_days"


@pytest.mark.parametrize(
    "confirmed, expected",
    [
        # 2 working days after Tue 30 Sep: [1–8 Oct off], Thu 9 1, Fri 10 2 → Fri 10 Oct.
        ("2025-09-30 11:00", D(2025, 10, 10)),
        # 2 working days after Thu 9 Oct: Fri 10 1, Sat 11 (make-up) 2 → Sat 11 Oct.
        ("2025-10-09 11:00", D(2025, 10, 11)),
        # 2 working days after Fri 18 Sep 2026: Sun 20 (make-up) 1, Mon 21 2 → Mon 21 Sep.
        ("2026-09-18 11:00", D(2026, 9, 21)),
        # 2 working days after Wed 30 Sep 2026: [1–7 Oct off], Thu 8 1, Fri 9 2 → Fri 9 Oct.
        ("2026-09-30 11:00", D(2026, 10, 9)),
    ],
)
def test_result_notice_due(rules, confirmed, expected):
    (due,) = schedule.after_confirmation(rules, at(confirmed))
    assert due.kind == DeadlineKind.RESULT_NOTICE
    assert due.due_on == expected
    assert (due.rule, due.basis) == ("D1", "87号令 第六十九条")


def test_result_display_questions_on_the_result_and_contract_signing(rules):
    dues = by_kind(schedule.after_result(rules, at("2025-09-30 15:00")))
    # Display: 1 working day after Tue 30 Sep → Thu 9 Oct (the holiday skipped).
    assert dues[DeadlineKind.RESULT_DISPLAY].due_on == D(2025, 10, 9)
    # Questions on the result: 7 working days after the display's last day Thu 9 Oct:
    # Fri 10 1, Sat 11 (make-up) 2, Mon 13 3, 14 4, 15 5, 16 6, Fri 17 7 → Fri 17 Oct.
    question = dues[DeadlineKind.QUESTION_RESULT]
    assert question.due_on == D(2025, 10, 17)
    assert question.explanation == (
        "7 working days after the end of the result notice period (2025-10-09)"
    )
    # Contract: 30 calendar days after the award notice: 30 Sep + 30 = Thu 30 Oct.
    contract = dues[DeadlineKind.CONTRACT_SIGNING]
    assert contract.due_on == D(2025, 10, 30)
    assert (contract.rule, contract.basis) == ("K8", "政府采购法 第四十六条")


def test_result_display_can_end_on_a_make_up_day(rules):
    # 1 working day after Fri 10 Oct 2025 → Sat 11 Oct, a make-up working day.
    dues = by_kind(schedule.after_result(rules, at("2025-10-10 15:00")))
    assert dues[DeadlineKind.RESULT_DISPLAY].due_on == D(2025, 10, 11)


# --- questions and complaints (P11) -------------------------------------------------------------


def test_question_window_answer_due_complaint_window_review_and_decision(rules):
    # Question window: 7 working days after the provider knew, Fri 26 Sep:
    # Sun 28 (make-up) 1, Mon 29 2, Tue 30 3, [1–8 Oct off], Thu 9 4, Fri 10 5,
    # Sat 11 (make-up) 6, Mon 13 7 → Mon 13 Oct.
    window = schedule.question_window(rules, D(2025, 9, 26))
    assert window.due_on == D(2025, 10, 13)
    assert window.explanation == "7 working days after the day the provider knew (2025-09-26)"
    # Answer due: 7 working days after a question filed the same Friday → Mon 13 Oct.
    answer = schedule.answer_due(rules, at("2025-09-26 15:00"))
    assert answer.due_on == D(2025, 10, 13)
    assert answer.parameter == "deadline.question_answer_working_days"
    assert answer.basis == "政府采购法 第五十三条"
    # Complaint window: 15 working days after the answer period ended Thu 25 Sep:
    # Fri 26 1, Sun 28 (make-up) 2, Mon 29 3, Tue 30 4, [1–8 Oct off], Thu 9 5, Fri 10 6,
    # Sat 11 (make-up) 7, Mon 13 8, 14 9, 15 10, 16 11, Fri 17 12, Mon 20 13, Tue 21 14,
    # Wed 22 15 → Wed 22 Oct.
    complaint = schedule.complaint_window(rules, D(2025, 9, 25))
    assert complaint.due_on == D(2025, 10, 22)
    assert complaint.basis == "财政部令第94号"
    # Review (受理): 5 working days after a complaint filed Fri 26 Sep: Sun 28 (make-up) 1,
    # Mon 29 2, Tue 30 3, Thu 9 4, Fri 10 5 → Fri 10 Oct.
    review = schedule.complaint_review_due(rules, at("2025-09-26 15:00"))
    assert review.due_on == D(2025, 10, 10)
    # Decision: 30 working days after Fri 26 Sep: Sun 28 1, Mon 29 2, Tue 30 3, Thu 9 Oct 4,
    # Fri 10 5, Sat 11 6, Mon 13–Fri 17 7–11, 20–24 12–16, 27–31 17–21, Mon 3 Nov–Fri 7 22–26,
    # Mon 10 27, Tue 11 28, Wed 12 29, Thu 13 30 → Thu 13 Nov.
    decision = schedule.complaint_decision_due(rules, at("2025-09-26 15:00"))
    assert decision.due_on == D(2025, 11, 13)
    assert decision.parameter == "deadline.complaint_decision_working_days"


# --- a year without a holiday calendar -----------------------------------------------------------


def test_a_date_in_a_year_without_calendar_is_kept_without_a_date(rules):
    # 7 working days after Wed 30 Dec 2026: Thu 31 Dec 1, then 2027, whose holidays
    # nobody has entered: no date, and the explanation says why.
    due = schedule.question_window(rules, D(2026, 12, 30))
    assert due.due_at is None and due.due_on is None
    assert due.missing_year == 2027
    assert "awaits the 2027 holiday calendar" in due.explanation
    # Entering the State Council's 2027 notice makes it computable: 元旦 1 Jan off,
    # so Thu 31 Dec 1, Mon 4 Jan 2, 5 3, 6 4, 7 5, Fri 8 6, Mon 11 7 → Mon 11 Jan 2027.
    core_services.set_holiday_calendar(
        actor="test", year=2027, basis="国办发明电〔2026〕X号", days_text="2027-01-01 holiday 元旦"
    )
    fresh = schedule.Rules(rules.region, rules.on)
    assert schedule.question_window(fresh, D(2026, 12, 30)).due_on == D(2027, 1, 11)


# --- a parameter changed by a finance bureau for its region, from a date -----------------------


def test_a_regional_parameter_applies_to_purchases_started_after_its_date(db):
    zz = Region.objects.get(code="410100")
    ly = Region.objects.get(code="410300")
    core_services.set_policy_parameter(
        actor="test",
        key="deadline.question_working_days",
        value="10",
        effective_from=D(2025, 9, 15),
        region=zz,
        basis="郑财购〔2025〕7号",
    )
    known = D(2025, 9, 26)
    # Started before the date: the national 7 working days → Mon 13 Oct (counted above).
    before = schedule.question_window(schedule.Rules(zz, D(2025, 9, 14)), known)
    assert before.due_on == D(2025, 10, 13)
    assert before.basis == "政府采购法 第五十二条"
    # Started on or after it: 10 working days: Sun 28 1, Mon 29 2, Tue 30 3, Thu 9 4,
    # Fri 10 5, Sat 11 6, Mon 13 7, Tue 14 8, Wed 15 9, Thu 16 10 → Thu 16 Oct.
    after = schedule.question_window(schedule.Rules(zz, D(2025, 9, 15)), known)
    assert after.due_on == D(2025, 10, 16)
    assert after.basis == "郑财购〔2025〕7号"
    assert after.explanation.startswith("10 working days")
    # Another region keeps the national value.
    assert schedule.question_window(schedule.Rules(ly, D(2025, 9, 20)), known).due_on == D(
        2025, 10, 13
    )


# ================================================================================================
# Through the services, in 2026: the stored Deadline rows.
# ================================================================================================


def current(tender, kind) -> Deadline:
    return Deadline.objects.current().get(tender=tender, kind=kind)


def due_day(tender, kind) -> dt.date:
    return timezone.localtime(current(tender, kind).due_at).date()


def another_project(t, *, amount="1500000.00", method, emergency=False, intention=True):
    """A second approved purchase of 郑州市民政局 on its own budget line, started today."""
    year = timezone.localdate().year
    line = t.line("2000000.00", out_years=[{"year": year + 1, "amount": "1"}])
    project = services.create_project(
        actor=t.purchaser,
        budget_line=line,
        name="2027年社区老年助餐服务（二期）",
        amount=amount,
        content="为辖区 60 岁以上老年人提供助餐服务，含堂食与送餐上门",
        standards="符合《老年人助餐服务规范》，餐食留样 48 小时",
        quantity="60 个助餐点，年服务 1.5 万人次",
        recipients="辖区 60 岁以上老年人",
        place="郑州市金水区",
        term_start=f"{year + 1}-01-01",
        term_end=f"{year + 1}-12-31",
        technical_guarantees="助餐信息系统实名刷卡",
        goals="老年人就餐便利度提高",
        indicators="服务人次：≥1.5万\n服务满意度：≥90%",
        emergency=emergency,
        emergency_reason="暴雨灾害后受灾老人临时助餐" if emergency else "",
    )
    services.submit_for_review(actor=t.purchaser, project=project)
    services.review_requirements(
        actor=t.manager,
        project=project,
        approve=True,
        complete=True,
        compliant=True,
        reasonable=True,
    )
    services.choose_method(actor=t.purchaser, project=project, method=method)
    if intention:
        expected = timezone.localdate() + dt.timedelta(days=30)
        tendering_services.publish_intention(
            actor=t.purchaser, project=project, expected_on=expected
        )
    project.refresh_from_db()
    return project


def test_open_tender_rows_carry_rule_basis_and_explanation(tendering, clock):
    t = tendering
    clock.at("2026-09-30 10:00")
    # 20 calendar days after Wed 30 Sep 2026 → Tue 20 Oct; the 19th is refused, naming the day.
    with pytest.raises(RuleViolation) as exc:
        start(services, t, bid_deadline="2026-10-19T09:30")
    (violation,) = exc.value.violations
    assert (violation.rule, violation.field) == ("P2", "bid_deadline")
    assert "2026-10-20" in violation.message
    assert "20 days after the notice (2026-09-30)" in violation.message
    assert not Tender.objects.filter(project=t.project).exists()

    tender = start(services, t, bid_deadline="2026-10-20T09:30")
    rows = {d.kind: d for d in Deadline.objects.current().filter(tender=tender)}
    # 5 working days after Wed 30 Sep: [1–7 Oct off], Thu 8 1, Fri 9 2, Sat 10 (make-up) 3,
    # Mon 12 4, Tue 13 5 → Tue 13 Oct.
    notice_period = rows[DeadlineKind.NOTICE_PERIOD]
    assert due_day(tender, DeadlineKind.NOTICE_PERIOD) == D(2026, 10, 13)
    assert (notice_period.rule, notice_period.basis, notice_period.parameter) == (
        "P2",
        "87号令 第十六条",
        "deadline.tender_notice_working_days",
    )
    assert notice_period.explanation == "5 working days after the notice (2026-09-30)"
    assert notice_period.counted_from == at("2026-09-30 10:00")
    assert due_day(tender, DeadlineKind.DOCUMENTS) == D(2026, 10, 13)
    # Clarifications: 20 Oct − 15 days = Mon 5 Oct (a holiday: calendar days).
    assert due_day(tender, DeadlineKind.CLARIFICATION) == D(2026, 10, 5)
    assert rows[DeadlineKind.CLARIFICATION].basis == "财政部令第87号 第二十七条"
    bid_deadline = rows[DeadlineKind.BID_DEADLINE]
    assert bid_deadline.due_at == at("2026-10-20 09:30") and not bid_deadline.whole_day
    assert bid_deadline.parameter == "deadline.tender_bid_days"
    assert bid_deadline.basis == "政府采购法；87号令"
    assert "20 days after the notice (2026-09-30)" in bid_deadline.explanation
    assert rows[DeadlineKind.OPENING].rule == "P12"
    assert rows[DeadlineKind.OPENING].due_at == at("2026-10-20 09:30")
    # Questions on the documents: 7 working days after Tue 13 Oct: 14 1, 15 2, Fri 16 3,
    # Mon 19 4, 20 5, 21 6, Thu 22 7 → Thu 22 Oct.
    assert due_day(tender, DeadlineKind.QUESTION_DOCUMENTS) == D(2026, 10, 22)
    assert rows[DeadlineKind.QUESTION_DOCUMENTS].rule == "P11"
    for row in rows.values():
        assert row.rule and row.basis and row.explanation
        assert not row.late and row.done_at is None
    # The notice publishes the same deadlines.
    notice = Notice.objects.get(tender=tender, kind=NoticeKind.PURCHASE)
    published = {d["kind"]: d for d in notice.data["deadlines"]}
    assert published[DeadlineKind.NOTICE_PERIOD]["rule"] == "P2"
    assert published[DeadlineKind.QUESTION_DOCUMENTS]["due_at"].startswith("2026-10-22")


# The project's own method or a second project for the methods the first cannot use.
METHOD_CASES = [
    # (method, project kind, bid deadline refused, earliest allowed, rule, parameter)
    # Open tender: Wed 30 Sep 2026 + 20 calendar days = Tue 20 Oct.
    ("open_tender", "same", "2026-10-19", "2026-10-20", "P2", "tender_bid_days"),
    # Negotiation: 3 working days after Wed 30 Sep: Thu 8 1, Fri 9 2, Sat 10 (make-up) 3.
    (
        "competitive_negotiation",
        "same",
        "2026-10-09",
        "2026-10-10",
        "P2",
        "negotiation_response_working_days",
    ),
    # Consultation: 30 Sep + 10 calendar days = Sat 10 Oct.
    (
        "competitive_consultation",
        "same",
        "2026-10-09",
        "2026-10-10",
        "P2",
        "consultation_response_days",
    ),
    # Single source: 5 working days of publicity after Wed 30 Sep: Thu 8 1, Fri 9 2,
    # Sat 10 (make-up) 3, Mon 12 4, Tue 13 5 → Tue 13 Oct.
    (
        "single_source",
        "same",
        "2026-10-12",
        "2026-10-13",
        "P2",
        "single_source_publicity_working_days",
    ),
    # Framework agreement: 30 Sep + 20 calendar days = Tue 20 Oct.
    ("framework_agreement", "same", "2026-10-19", "2026-10-20", "P2", "framework_response_days"),
    # Competitive review (under 1,000,000 元, P3): 5 working days → Tue 13 Oct, as above.
    (
        "competitive_review",
        "small",
        "2026-10-12",
        "2026-10-13",
        "P3",
        "review_response_working_days",
    ),
    # Emergency (P9): 1 calendar day after Wed 30 Sep = Thu 1 Oct, National Day itself; a
    # deadline the same evening is refused.
    (
        "competitive_negotiation",
        "emergency",
        "2026-09-30",
        "2026-10-01",
        "P9",
        "emergency_response_days",
    ),
]


@pytest.mark.parametrize("method, kind, refused, earliest, rule, parameter", METHOD_CASES)
def test_bid_deadline_minimum_per_method_through_the_notice(
    tendering, clock, method, kind, refused, earliest, rule, parameter
):
    t = tendering
    if kind == "same":
        services.choose_method(actor=t.purchaser, project=t.project, method=method)
        project = t.project
    elif kind == "small":
        project = another_project(t, amount="800000.00", method=method)
    else:
        project = another_project(t, method=method, emergency=True, intention=False)
    over: dict = {"project": project}
    if method in ("competitive_negotiation", "single_source"):
        over["criteria"] = []  # lowest evaluated price: no other criteria
    if method == "single_source":
        over["invited"] = [t.large]
    if method == "framework_agreement":
        over["framework"] = {
            "call_off_mode": "recipient",
            "max_members": 3,
            "term_start": "2027-01-01",
            "term_end": "2027-12-31",
        }
    clock.at("2026-09-30 10:00")
    with pytest.raises(RuleViolation) as exc:
        start(services, t, bid_deadline=f"{refused}T23:00", **over)
    assert [(v.rule, v.field) for v in exc.value.violations] == [(rule, "bid_deadline")]
    assert earliest in exc.value.violations[0].message
    assert not Tender.objects.filter(project=project).exists()

    tender = start(services, t, bid_deadline=f"{earliest}T09:30", **over)
    row = current(tender, DeadlineKind.BID_DEADLINE)
    assert row.due_at == at(f"{earliest} 09:30")
    assert (row.rule, row.parameter) == (rule, f"deadline.{parameter}")
    assert row.basis and "(2026-09-30)" in row.explanation
    if method == "single_source":
        assert due_day(tender, DeadlineKind.PUBLICITY) == D(2026, 10, 13)
        notice = Notice.objects.get(tender=tender)
        assert notice.kind == NoticeKind.PUBLICITY
    if method == "competitive_consultation":
        # Documents: 5 working days after 30 Sep: 8, 9, Sat 10 (make-up), 12, 13 → Tue 13 Oct.
        assert due_day(tender, DeadlineKind.DOCUMENTS) == D(2026, 10, 13)
    if kind == "emergency":
        tender.refresh_from_db()
        assert tender.emergency and tender.simplified_steps
        assert "P9" in [w["rule"] for w in tender.warnings]
        assert not Deadline.objects.filter(
            tender=tender, kind__in=[DeadlineKind.NOTICE_PERIOD, DeadlineKind.DOCUMENTS]
        ).exists()


# --- a regional parameter through the services --------------------------------------------------


def test_a_parameter_changed_by_the_bureau_applies_from_its_date(tendering, clock):
    t = tendering
    zz = Region.objects.get(code="410100")
    # On 3 Aug the 郑州 bureau lengthens the tender's bid period to 25 days from 10 Aug.
    core_services.set_policy_parameter(
        actor=t.finance,
        key="deadline.tender_bid_days",
        value="25",
        effective_from=D(2026, 8, 10),
        region=zz,
        basis="郑财购〔2026〕12号",
    )
    clock.at("2026-08-20 09:00")
    later = another_project(t, method="open_tender")
    assert later.started_on == D(2026, 8, 20)

    clock.at("2026-09-30 10:00")
    # The project started on 3 Aug keeps the national 20 days: 30 Sep + 20 = 20 Oct.
    earlier = start(services, t, bid_deadline="2026-10-20T09:30")
    assert current(earlier, DeadlineKind.BID_DEADLINE).basis == "政府采购法；87号令"
    # The project started on 20 Aug needs 25: 30 Sep + 25 = Sun 25 Oct.
    with pytest.raises(RuleViolation) as exc:
        start(services, t, project=later, bid_deadline="2026-10-24T09:30")
    message = exc.value.violations[0].message
    assert "2026-10-25" in message and "郑财购〔2026〕12号" in message
    tender = start(services, t, project=later, bid_deadline="2026-10-25T09:30")
    row = current(tender, DeadlineKind.BID_DEADLINE)
    assert row.basis == "郑财购〔2026〕12号"
    assert "25 days after the notice (2026-09-30)" in row.explanation


# --- a year without a holiday calendar, through the services ------------------------------------


# ================================================================================================
# Corrections (更正公告) move the bid deadline as the law requires.
# ================================================================================================


def test_a_correction_affecting_the_bids_postpones_a_tender_to_the_15th_day(tendering, clock):
    t = tendering
    clock.at("2026-09-22 10:00")
    tender = start(services, t, bid_deadline="2026-10-12T09:30")
    old_rows = set(Deadline.objects.current().filter(tender=tender).values_list("pk", flat=True))
    clock.at("2026-09-30 10:00")
    # 12 days before the deadline: postponed to 30 Sep + 15 = Thu 15 Oct, at the same time.
    notice = tendering_services.publish_correction(
        actor=t.purchaser,
        tender=tender,
        text="评分标准第 3 项修改为：近三年类似业绩每项 2 分，最高 10 分。",
        affects_bids=True,
    )
    tender.refresh_from_db()
    assert tender.bid_deadline == at("2026-10-15 09:30") == tender.opening_at
    assert notice.kind == NoticeKind.CORRECTION
    assert notice.data["old_bid_deadline"].startswith("2026-10-12T")
    assert notice.data["new_bid_deadline"].startswith("2026-10-15T")
    assert "财政部令第87号 第二十七条" in notice.data["moved_because"]
    # The rows it replaces are superseded, not deleted.
    moved = (
        DeadlineKind.BID_DEADLINE,
        DeadlineKind.OPENING,
        DeadlineKind.CLARIFICATION,
        DeadlineKind.QUESTION_DOCUMENTS,
    )
    superseded = Deadline.objects.filter(pk__in=old_rows, kind__in=moved)
    assert superseded.count() == 4
    assert all(r.superseded_at == at("2026-09-30 10:00") for r in superseded)
    assert current(tender, DeadlineKind.NOTICE_PERIOD).pk in old_rows  # not touched
    assert current(tender, DeadlineKind.BID_DEADLINE).due_at == at("2026-10-15 09:30")
    # Clarifications now end 15 days before Thu 15 Oct = Wed 30 Sep.
    assert due_day(tender, DeadlineKind.CLARIFICATION) == D(2026, 9, 30)
    # Questions on the changed documents: the documents' period ended Wed 30 Sep
    # (23, 24, 28, 29, 30), so from the correction, 30 Sep: 7 working days → Thu 15 Oct.
    assert due_day(tender, DeadlineKind.QUESTION_DOCUMENTS) == D(2026, 10, 15)
    # A bid on 14 Oct — after the old deadline — is now on time.
    clock.at("2026-10-14 10:00")
    tendering_services.submit_bid(
        actor=t.large_user,
        tender=tender,
        provider=t.large,
        price="500000.00",
        technical_response="服务方案",
        sme_size="large",
    )
    # The correction is immutable.
    with pytest.raises(ImmutableError):
        notice.title = "changed"
        notice.save()
    with pytest.raises(ImmutableError):
        notice.delete()
    assert Notice.objects.get(pk=notice.pk).title.startswith("Correction")


def test_a_given_new_deadline_too_early_is_refused_with_the_earliest_date(tendering, clock):
    t = tendering
    clock.at("2026-09-22 10:00")
    tender = start(services, t, bid_deadline="2026-10-12T09:30")
    clock.at("2026-09-30 10:00")
    rows = Deadline.objects.count()
    with pytest.raises(ApplicationError) as exc:
        tendering_services.publish_correction(
            actor=t.purchaser,
            tender=tender,
            text="技术参数修改。",
            affects_bids=True,
            new_bid_deadline="2026-10-14T09:30",
        )
    assert exc.value.field == "new_bid_deadline"
    assert "2026-10-15" in exc.value.message and "15 days after the correction" in exc.value.message
    tender.refresh_from_db()
    assert tender.bid_deadline == at("2026-10-12 09:30")
    assert not Notice.objects.filter(tender=tender, kind=NoticeKind.CORRECTION).exists()
    assert Deadline.objects.count() == rows
    assert not Deadline.objects.filter(tender=tender, superseded_at__isnull=False).exists()
    # A date later than the least is taken as given.
    tendering_services.publish_correction(
        actor=t.purchaser,
        tender=tender,
        text="技术参数修改。",
        affects_bids=True,
        new_bid_deadline="2026-10-20T14:00",
    )
    tender.refresh_from_db()
    assert tender.bid_deadline == at("2026-10-20 14:00")


def test_a_correction_that_does_not_affect_the_bids_does_not_move_the_deadline(tendering, clock):
    t = tendering
    clock.at("2026-09-22 10:00")
    tender = start(services, t, bid_deadline="2026-10-12T09:30")
    clock.at("2026-10-09 10:00")
    notice = tendering_services.publish_correction(
        actor=t.purchaser,
        tender=tender,
        text="联系人电话更正为 0371-12345678。",
        affects_bids=False,
    )
    tender.refresh_from_db()
    assert tender.bid_deadline == at("2026-10-12 09:30")
    assert notice.data["old_bid_deadline"] == notice.data["new_bid_deadline"]
    assert notice.data["moved_because"] == ""
    assert current(tender, DeadlineKind.BID_DEADLINE).due_at == at("2026-10-12 09:30")


def test_a_correction_with_the_lead_respected_does_not_move_the_deadline(tendering, clock):
    t = tendering
    clock.at("2026-09-10 10:00")
    tender = start(services, t, bid_deadline="2026-10-12T09:30")
    # 22 Sep + 15 = 7 Oct, before 12 Oct: the change comes early enough.
    clock.at("2026-09-22 10:00")
    tendering_services.publish_correction(
        actor=t.purchaser, tender=tender, text="服务内容增加节假日送餐。", affects_bids=True
    )
    tender.refresh_from_db()
    assert tender.bid_deadline == at("2026-10-12 09:30")


def test_a_correction_in_negotiation_needs_3_working_days(tendering, clock):
    t = tendering
    services.choose_method(actor=t.purchaser, project=t.project, method="competitive_negotiation")
    clock.at("2026-09-22 10:00")
    tender = start(services, t, bid_deadline="2026-10-09T09:30", criteria=[])
    clock.at("2026-09-30 10:00")
    notice = tendering_services.publish_correction(
        actor=t.purchaser, tender=tender, text="谈判文件技术要求修改。", affects_bids=True
    )
    # 3 working days after Wed 30 Sep: [1–7 Oct off], Thu 8 1, Fri 9 2, Sat 10 (make-up) 3:
    # the deadline of Fri 9 Oct moves to Sat 10 Oct 09:30.
    tender.refresh_from_db()
    assert tender.bid_deadline == at("2026-10-10 09:30")
    assert "财政部令第74号 第二十九条" in notice.data["moved_because"]
    # Clarifications: 3 working days before Sat 10 Oct: Fri 9 1, Thu 8 2, [1–7 Oct off],
    # Wed 30 Sep 3 → Wed 30 Sep.
    assert due_day(tender, DeadlineKind.CLARIFICATION) == D(2026, 9, 30)


def test_a_correction_in_consultation_needs_5_days(tendering, clock):
    t = tendering
    services.choose_method(actor=t.purchaser, project=t.project, method="competitive_consultation")
    clock.at("2026-09-22 10:00")
    # 22 Sep + 10 = Fri 2 Oct.
    tender = start(services, t, bid_deadline="2026-10-02T09:30")
    clock.at("2026-09-30 10:00")
    tendering_services.publish_correction(
        actor=t.purchaser, tender=tender, text="磋商文件评分办法修改。", affects_bids=True
    )
    # 30 Sep + 5 calendar days = Mon 5 Oct (a holiday: the law counts calendar days).
    tender.refresh_from_db()
    assert tender.bid_deadline == at("2026-10-05 09:30")
    with pytest.raises(ApplicationError) as exc:
        tendering_services.publish_correction(
            actor=t.purchaser,
            tender=tender,
            text="再次修改评分办法。",
            affects_bids=True,
            new_bid_deadline="2026-10-04T09:30",
        )
    # Never advanced: 4 Oct is before the current 5 Oct.
    assert exc.value.field == "new_bid_deadline"


# --- the legal minimum itself needs a calendar that is not entered yet ------------------------


def test_a_bid_deadline_whose_minimum_cannot_be_computed_is_refused(tendering, clock):
    t = tendering
    services.choose_method(actor=t.purchaser, project=t.project, method="competitive_negotiation")
    clock.at("2026-12-29 10:00")
    # 3 working days after Tue 29 Dec 2026: Wed 30, Thu 31, then 2027: unknown. Whether
    # Mon 4 Jan is the third working day depends on the 2027 holidays: refused, not guessed.
    with pytest.raises(CalendarNotCovered) as exc:
        start(services, t, bid_deadline="2027-01-04T09:30", criteria=[])
    assert exc.value.year == 2027
    assert not Tender.objects.filter(project=t.project).exists()
    # With the State Council's notice entered (元旦 Fri 1 Jan off): Wed 30 1, Thu 31 2,
    # Mon 4 Jan 3 → the deadline of Mon 4 Jan is the earliest allowed.
    core_services.set_holiday_calendar(
        actor="test", year=2027, basis="国办发明电〔2026〕X号", days_text="2027-01-01 holiday 元旦"
    )
    tender = start(services, t, bid_deadline="2027-01-04T09:30", criteria=[])
    assert current(tender, DeadlineKind.BID_DEADLINE).due_at == at("2027-01-04 09:30")


def test_a_correction_whose_lead_cannot_be_computed_is_refused(tendering, clock):
    t = tendering
    services.choose_method(actor=t.purchaser, project=t.project, method="competitive_negotiation")
    clock.at("2026-12-21 10:00")
    # 3 working days after Mon 21 Dec: 22, 23, Thu 24 → a deadline of Thu 31 Dec is fine.
    tender = start(services, t, bid_deadline="2026-12-31T09:30", criteria=[])
    clock.at("2026-12-29 10:00")
    # The change needs 3 working days: Wed 30, Thu 31, then 2027 — unknown. Keeping the
    # 31 Dec deadline would give only 2; the correction is refused until the calendar exists.
    with pytest.raises(CalendarNotCovered):
        tendering_services.publish_correction(
            actor=t.purchaser, tender=tender, text="谈判文件技术要求修改。", affects_bids=True
        )
    tender.refresh_from_db()
    assert tender.bid_deadline == at("2026-12-31 09:30")
    assert not Notice.objects.filter(tender=tender, kind=NoticeKind.CORRECTION).exists()
    # A change that does not affect the bids needs no lead.
    tendering_services.publish_correction(
        actor=t.purchaser, tender=tender, text="联系人电话更正。", affects_bids=False
    )
