"""Questions and complaints in the running flow tests (moved from
`govbuy.tendering.tests.test_running_flow` with the split: they use the challenges app)."""

# ruff: noqa: F811  (fixtures of the tendering tests, imported here, are test parameters)

import datetime as dt
from decimal import Decimal

import pytest

from govbuy.challenges import services as challenge_services
from govbuy.challenges.models import ComplaintStatus
from govbuy.core.models import AuditEvent
from govbuy.core.rules import RuleViolation
from govbuy.procurement import services
from govbuy.procurement.models import ProjectStatus
from govbuy.tendering import services as tendering_services
from govbuy.tendering.models import (
    BidStatus,
    Deadline,
    DeadlineKind,
    Notice,
    NoticeKind,
    TenderStatus,
)
from govbuy.tendering.tests.fixtures import start
from govbuy.tendering.tests.test_running_flow import (
    bid,
    due,
    rules_of,
    scores_for,
)

pytestmark = pytest.mark.django_db


def test_a_purchase_from_notice_to_complaint_decision(tendering, clock):
    t = tendering
    clock.at("2026-09-15 10:00")
    tender = start(services, t)
    assert t.project.__class__.objects.get(pk=t.project.pk).status == ProjectStatus.BIDDING
    # Deadlines computed on the official calendar and stored with their rule.
    # 5 working days after Tue 15 Sep: 16, 17, 18, Sun 20 (make-up day), 21.
    assert due(tender, DeadlineKind.NOTICE_PERIOD) == dt.date(2026, 9, 21)
    assert due(tender, DeadlineKind.DOCUMENTS) == dt.date(2026, 9, 21)
    # 7 working days after 21 Sep, across Mid-Autumn (25 Sep) and National Day (1–7 Oct).
    assert due(tender, DeadlineKind.QUESTION_DOCUMENTS) == dt.date(2026, 10, 8)
    # 15 days before the 12 Oct deadline.
    assert due(tender, DeadlineKind.CLARIFICATION) == dt.date(2026, 9, 27)
    opening = Deadline.objects.current().get(tender=tender, kind=DeadlineKind.OPENING)
    assert opening.rule == "P12"
    assert Notice.objects.filter(tender=tender, kind=NoticeKind.PURCHASE).count() == 1

    # Bids on 9 Oct (Friday after National Day).
    clock.at("2026-10-09 15:00")
    b_large = bid(t, t.large, t.large_user, "500000.00", tender=tender)
    b_small = bid(t, t.small, t.small_user, "540000.00", tender=tender)
    b_social = bid(t, t.social, t.social_user, "520000.00", tender=tender)
    # The 公益二类 unit was reclassified as 公益一类 (事业单位分类改革): S3 refuses it.
    t.unit.__class__.objects.filter(pk=t.unit.pk).update(institution_class="public_welfare_1")
    t.unit.refresh_from_db()
    with pytest.raises(RuleViolation) as exc:
        bid(t, t.unit, t.unit_user, "450000.00", tender=tender)
    assert "S3" in rules_of(exc)
    assert tender.bids.count() == 3

    # Replace a bid before the deadline: the old one is kept, marked replaced.
    b_social = bid(t, t.social, t.social_user, "520000.00", tender=tender, replace=True)
    assert tender.bids.filter(status=BidStatus.REPLACED).count() == 1

    # Opening at the deadline.
    clock.at("2026-10-12 09:30:00")
    tender = tendering_services.open_bids(actor=t.purchaser, tender=tender)
    assert tender.status == TenderStatus.OPENED
    assert [line["provider"] for line in tender.opening_record] == [
        t.large.pk,
        t.small.pk,
        t.social.pk,
    ]
    assert all(line["digest_ok"] for line in tender.opening_record)
    tendering_services.respond_to_opening(
        actor=t.large_user, tender=tender, provider=t.large, confirm=True
    )

    # Panel: four experts and the purchaser's representative.
    tendering_services.appoint_panel(
        actor=t.purchaser, tender=tender, members=t.panel, chair=t.experts[0]
    )
    for user in t.panel:
        tendering_services.declare_no_conflict(actor=user, tender=tender)
        tendering_services.submit_scores(
            actor=user,
            tender=tender,
            scores=scores_for(
                tender,
                {b_large: ("35", "25"), b_small: ("34.5", "25"), b_social: ("33", "25")},
            ),
        )
    tender.refresh_from_db()
    assert tender.status == TenderStatus.EVALUATED
    ranked = {b.provider_id: b for b in tender.bids.filter(status=BidStatus.SUBMITTED)}
    # The small enterprise's 540,000 is evaluated at 486,000 (10% deduction): lowest.
    assert ranked[t.small.pk].evaluated_price == Decimal("486000.00")
    assert ranked[t.small.pk].price_score == Decimal("30.00")
    assert ranked[t.large.pk].price_score == Decimal("29.16")
    assert ranked[t.small.pk].total_score == Decimal("89.50")
    assert ranked[t.large.pk].total_score == Decimal("89.16")
    # Without the deduction the large enterprise would have won (90.00 against 87.78).
    assert [ranked[t.small.pk].rank, ranked[t.large.pk].rank, ranked[t.social.pk].rank] == [1, 2, 3]
    # 5 working days after the report (Mon 12 Oct): 13–16, 19.
    assert due(tender, DeadlineKind.CONFIRMATION) == dt.date(2026, 10, 19)

    # Award in order; the savings rate is recorded.
    clock.at("2026-10-13 10:00")
    with pytest.raises(RuleViolation) as exc:
        tendering_services.confirm_award(actor=t.purchaser, tender=tender, bid=ranked[t.large.pk])
    assert rules_of(exc) == ["P1"]
    tender = tendering_services.confirm_award(actor=t.purchaser, tender=tender)
    assert tender.awarded_provider == t.small
    assert tender.award_amount == Decimal("540000.00")
    assert tender.savings_rate == Decimal("0.6400")
    notice = tendering_services.publish_result(actor=t.purchaser, tender=tender)
    assert notice.kind == NoticeKind.RESULT and not notice.late
    assert notice.data["winner"]["name"] == t.small.name
    t.project.refresh_from_db()
    assert t.project.status == ProjectStatus.AWARDED
    assert due(tender, DeadlineKind.RESULT_DISPLAY) == dt.date(2026, 10, 14)
    assert due(tender, DeadlineKind.QUESTION_RESULT) == dt.date(2026, 10, 23)
    assert due(tender, DeadlineKind.CONTRACT_SIGNING) == dt.date(2026, 11, 12)

    # Question → answer → complaint → suspension → decision.
    clock.at("2026-10-15 11:00")
    question = challenge_services.file_question(
        actor=t.large_user,
        tender=tender,
        provider=t.large,
        subject="result",
        content="中标供应商的中小企业声明不实，请求复核价格扣除。",
    )
    assert question.answer_due == dt.date(2026, 10, 26)
    clock.at("2026-10-20 16:00")
    challenge_services.answer_question(
        actor=t.purchaser, question=question, answer="经核实，中标供应商为小型企业，声明属实。"
    )
    clock.at("2026-10-22 09:00")
    complaint = challenge_services.file_complaint(
        actor=t.large_user, question=question, content="对质疑答复不满意，请求财政部门复核。"
    )
    assert complaint.window_ends == dt.date(2026, 11, 16)
    assert complaint.review_due == dt.date(2026, 10, 29)
    assert complaint.decision_due == dt.date(2026, 12, 3)
    challenge_services.review_complaint(actor=t.finance, complaint=complaint, accept=True)
    challenge_services.suspend_purchase(actor=t.finance, complaint=complaint, days=10)
    tender.refresh_from_db()
    assert tender.is_suspended
    clock.at("2026-11-05 10:00")
    complaint = challenge_services.decide_complaint(
        actor=t.finance, complaint=complaint, upheld=False, text="投诉事项缺乏事实依据，驳回投诉。"
    )
    assert complaint.status == ComplaintStatus.DECIDED
    tender.refresh_from_db()
    assert not tender.is_suspended

    # A question after its window is refused with the deadline shown.
    clock.at("2026-11-30 10:00")
    with pytest.raises(RuleViolation) as exc:
        challenge_services.file_question(
            actor=t.social_user,
            tender=tender,
            provider=t.social,
            subject="result",
            content="迟到的质疑",
        )
    assert rules_of(exc) == ["P11"]
    assert "2026-10-23" in exc.value.violations[0].message

    # Every step is in the audit chain, and no bid price is in it.
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "procurement.round.start",
        "procurement.bid.submit",
        "procurement.round.open",
        "procurement.panel.score",
        "procurement.award.confirm",
        "procurement.result.publish",
        "procurement.complaint.decide",
    } <= actions
    for data in AuditEvent.objects.filter(action="procurement.bid.submit").values_list(
        "data", flat=True
    ):
        assert "price" not in data
