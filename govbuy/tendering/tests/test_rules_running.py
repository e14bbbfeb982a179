"""The rules of running a purchase (P1, P4, P11, P12, D1): each triggered and
passed, through the services where a service applies it; the evaluation
arithmetic (price score, SME deduction, ties, lowest price); the panel; the
purchase intention's lead."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from govbuy.catalog.models import DepartmentCatalogItem
from govbuy.catalog.services import sort_key
from govbuy.core.models import AuditEvent
from govbuy.core.params import Cited
from govbuy.core.rules import RuleViolation, Severity
from govbuy.core.text import shown_texts
from govbuy.procurement import rules as planning_rules
from govbuy.procurement import services
from govbuy.procurement.models import Method
from govbuy.procurement.tests.fixtures import provider_org
from govbuy.tendering import bidding_selectors, sealing
from govbuy.tendering import services as tendering_services
from govbuy.tendering.models import (
    Bid,
    BidStatus,
    Deadline,
    DeadlineKind,
    EvaluationMethod,
    Notice,
    NoticeKind,
    Tender,
    TenderStatus,
)
from govbuy.tendering.rules import running, scoring
from govbuy.tendering.rules.scoring import BidFacts
from govbuy.tendering.tests.fixtures import start
from govbuy.tendering.tests.test_running_flow import bid, scores_for
from govbuy.tendering.tests.test_schedule import another_project

D = dt.date


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def at(text: str) -> dt.datetime:
    return timezone.make_aware(dt.datetime.fromisoformat(text))


def rules_of(exc_info) -> list[str]:
    return [v.rule for v in exc_info.value.violations]


def only(exc_info):
    (violation,) = exc_info.value.violations
    return violation


def cited(key, value, basis="test basis") -> Cited:
    return Cited(key, value, D(2022, 7, 1), "national", basis, key)


def three_bids(t, tender):
    return (
        bid(t, t.large, t.large_user, "500000.00", tender=tender),
        bid(t, t.small, t.small_user, "540000.00", tender=tender),
        bid(t, t.social, t.social_user, "520000.00", tender=tender),
    )


def opened(t, clock, **over):
    """A round published 15 Sep 2026, three bids on 9 Oct, opened 12 Oct 09:30."""
    clock.at("2026-09-15 10:00")
    tender = start(services, t, **over)
    clock.at("2026-10-09 15:00")
    bids = three_bids(t, tender)
    clock.at("2026-10-12 09:30")
    return tendering_services.open_bids(actor=t.purchaser, tender=tender), bids


def evaluate(t, tender, points):
    tendering_services.appoint_panel(
        actor=t.purchaser, tender=tender, members=t.panel, chair=t.experts[0]
    )
    for user in t.panel:
        tendering_services.declare_no_conflict(actor=user, tender=tender)
        tendering_services.submit_scores(
            actor=user, tender=tender, scores=scores_for(tender, points)
        )
    tender.refresh_from_db()
    return tender


# ================================================================================================
# P1 — fair competition: SME declaration and deduction, the panel, the order of the award
# ================================================================================================


def test_p1_only_enterprises_declare_a_size(tendering, clock):
    t = tendering
    clock.at("2026-09-15 10:00")
    tender = start(services, t)
    clock.at("2026-10-09 15:00")
    with pytest.raises(RuleViolation) as exc:
        bid(t, t.social, t.social_user, "520000.00", tender=tender, sme_size="small")
    violation = only(exc)
    assert (violation.rule, violation.field) == ("P1", "sme_size")
    assert violation.basis == "财库〔2020〕46号 第二条"
    assert not Bid.objects.filter(tender=tender).exists()
    # Passes: the enterprise declares, the social organization does not.
    bid(t, t.small, t.small_user, "540000.00", tender=tender, sme_size="small")
    bid(t, t.social, t.social_user, "520000.00", tender=tender, sme_size="")
    assert Bid.objects.filter(tender=tender, status=BidStatus.SUBMITTED).count() == 2


def test_p1_a_reserved_purchase_takes_declared_smes_only(tendering, clock):
    t = tendering
    clock.at("2026-09-15 10:00")
    tender = start(services, t, reserved_for_sme=True)
    # Reserved: no price deduction, whatever the notice asked.
    assert tender.reserved_for_sme and tender.sme_deduction == 0
    clock.at("2026-10-09 15:00")
    with pytest.raises(RuleViolation) as exc:
        bid(t, t.large, t.large_user, "500000.00", tender=tender, sme_size="")
    assert (only(exc).rule, only(exc).field) == ("P1", "sme_size")
    assert only(exc).basis == "财库〔2020〕46号 第八条"
    bid(t, t.large, t.large_user, "500000.00", tender=tender, sme_size="medium")


@pytest.mark.parametrize(
    "deduction, refused",
    [("0.05", True), ("0.09", True), ("0.10", False), ("0.20", False), ("0.21", True)],
)
def test_p1_sme_deduction_within_the_range_in_force(tendering, clock, deduction, refused):
    t = tendering
    clock.at("2026-09-15 10:00")
    if refused:
        with pytest.raises(RuleViolation) as exc:
            start(services, t, sme_deduction=deduction)
        violation = only(exc)
        assert (violation.rule, violation.field) == ("P1", "sme_deduction")
        assert "between 10% and 20%" in violation.message
        assert violation.basis == "财库〔2022〕19号"
        assert not Tender.objects.exists()
    else:
        assert start(services, t, sme_deduction=deduction).sme_deduction == Decimal(deduction)


def test_p1_sme_deduction_rule_as_a_function():
    low, high = (
        cited("sme.price_deduction_min", Decimal("0.10")),
        cited("sme.price_deduction_max", Decimal("0.20"), "财库〔2022〕19号"),
    )
    # Before 2022-07-01 the range was 6–10%: a project started then is judged by it.
    old_low, old_high = (
        cited("sme.price_deduction_min", Decimal("0.06")),
        cited("sme.price_deduction_max", Decimal("0.10")),
    )
    check = running.sme_deduction_violations
    assert check(deduction=Decimal("0.06"), reserved=False, low=old_low, high=old_high) == []
    assert [v.rule for v in check(deduction=Decimal("0.06"), reserved=False, low=low, high=high)]
    assert check(deduction=Decimal("0.10"), reserved=True, low=low, high=high)[0].field == (
        "sme_deduction"
    )
    assert check(deduction=Decimal(0), reserved=True, low=low, high=high) == []


def test_p1_panel_size_odd_number_and_expert_share(tendering, clock):
    t = tendering
    tender, _bids = opened(t, clock)
    e = t.experts

    def refused(members, text):
        with pytest.raises(RuleViolation) as exc:
            tendering_services.appoint_panel(actor=t.purchaser, tender=tender, members=members)
        assert set(rules_of(exc)) == {"P1"}
        assert any(text in v.message for v in exc.value.violations), exc.value.violations
        assert all(v.field == "members" for v in exc.value.violations)

    # A tender's panel has at least 5 members (87号令 第四十七条).
    refused([e[0], e[1], e[2]], "at least 5 members")
    # An odd number.
    refused([*e, t.rep, t.purchaser], "odd number")
    # Experts at least two thirds: 3 experts of 5 are not enough.
    refused([e[0], e[1], e[2], t.rep, t.purchaser], "Experts make at least")
    assert not tender.panel.exists()
    # Passes: 4 experts and the purchaser's representative.
    members = tendering_services.appoint_panel(
        actor=t.purchaser, tender=tender, members=[*e, t.rep]
    )
    assert len(members) == 5 and sum(m.is_purchaser_rep for m in members) == 1


def test_p1_panel_rule_as_a_function():
    share = Decimal("0.666")
    # Negotiation and consultation: 3 members are enough.
    assert running.panel_violations(members=3, experts=2, least=3, expert_share=share) == []
    assert [
        v.rule for v in running.panel_violations(members=3, experts=1, least=3, expert_share=share)
    ] == ["P1"]
    assert len(running.panel_violations(members=2, experts=2, least=3, expert_share=share)) == 2


def test_p1_the_winner_is_confirmed_in_the_panels_order(tendering, clock):
    t = tendering
    tender, (b_large, b_small, b_social) = opened(t, clock)
    tender = evaluate(
        t, tender, {b_large: ("35", "25"), b_small: ("34.5", "25"), b_social: ("33", "25")}
    )
    second = Bid.objects.get(tender=tender, rank=2)
    clock.at("2026-10-13 10:00")
    with pytest.raises(RuleViolation) as exc:
        tendering_services.confirm_award(actor=t.purchaser, tender=tender, bid=second)
    violation = only(exc)
    assert (violation.rule, violation.field) == ("P1", "reason")
    assert violation.basis == "政府采购法实施条例 第四十三条"
    tender.refresh_from_db()
    assert tender.status == TenderStatus.EVALUATED and tender.awarded_bid is None
    # Passes with the reason the first is passed over.
    tender = tendering_services.confirm_award(
        actor=t.purchaser, tender=tender, bid=second, reason="第一名供应商书面放弃中标。"
    )
    assert tender.awarded_bid == second
    assert tender.end_reason == "第一名供应商书面放弃中标。"


# ================================================================================================
# P4 — frequent small services use framework agreements (warn)
# ================================================================================================


def test_p4_a_legal_service_is_warned_toward_a_framework_agreement(tendering):
    t = tendering
    # A level-3 item of the approved department catalog under 法律服务 (a category
    # itself is never bought, C5), as the department would have filed it.
    category = t.department_catalog.items.get(code="E01")
    item = DepartmentCatalogItem.objects.create(
        department_catalog=t.department_catalog,
        parent=category,
        guidance_item=category.guidance_item.children.get(code="E0101"),
        code="E0101",
        name="政府法律顾问服务",
        kind=category.kind,
        depth=3,
        position=1,
        sort_key=sort_key(category.sort_key, 1),
    )
    line = t.line("900000.00", catalog_item=item, name="法律顾问服务")
    project = services.create_project(
        actor=t.purchaser,
        budget_line=line,
        name="2026年法律顾问服务",
        amount="900000.00",
        content="为本局提供常年法律顾问服务：合同审查、法律咨询",
        standards="执业律师提供服务，5 个工作日内出具书面意见",
        quantity="全年合同审查 200 份",
        recipients="郑州市民政局",
        place="郑州市",
        term_start="2026-09-01",
        term_end="2026-12-31",
        technical_guarantees="专职律师团队",
        goals="合同审查及时",
        indicators="审查及时率：100%",
    )
    assert project.catalog_name == "政府法律顾问服务"
    services.submit_for_review(actor=t.purchaser, project=project)
    services.review_requirements(
        actor=t.manager,
        project=project,
        approve=True,
        complete=True,
        compliant=True,
        reasonable=True,
    )
    project = services.choose_method(
        actor=t.purchaser, project=project, method=Method.COMPETITIVE_REVIEW
    )
    (warning,) = [w for w in project.warnings if w["rule"] == "P4"]
    assert warning["severity"] == Severity.WARN
    assert "法律顾问服务" in warning["message"] and "framework agreement" in warning["message"]
    assert project.method == Method.COMPETITIVE_REVIEW  # a warning never refuses


def test_p4_passes_for_meals_and_for_framework_agreements(tendering):
    t = tendering
    # The fixture's 助餐服务 chose open tender: no P4.
    assert not [w for w in t.project.warnings if w["rule"] == "P4"]
    hint = planning_rules.framework_hint_violations
    assert hint(method=Method.FRAMEWORK_AGREEMENT, catalog_name="法律顾问服务", voucher=False) == []
    (v,) = hint(method=Method.OPEN_TENDER, catalog_name="法律顾问服务", voucher=False)
    assert (v.rule, v.severity, v.field) == ("P4", Severity.WARN, "method")
    assert hint(method=Method.OPEN_TENDER, catalog_name="助餐服务", voucher=False) == []


# ================================================================================================
# P11 — questions and complaints within their windows; suspension
# ================================================================================================


# ================================================================================================
# P12 — sealed until the opening; the server's clock decides the deadline
# ================================================================================================


def test_p12_a_bid_received_at_the_deadline_is_refused(tendering, clock):
    t = tendering
    clock.at("2026-09-15 10:00")
    tender = start(services, t)  # deadline 2026-10-12 09:30:00
    clock.at(dt.datetime(2026, 10, 12, 9, 29, 59, 999000))
    bid(t, t.large, t.large_user, "500000.00", tender=tender)
    clock.at("2026-10-12 09:30:00")
    with pytest.raises(RuleViolation) as exc:
        bid(t, t.small, t.small_user, "540000.00", tender=tender)
    violation = only(exc)
    assert (violation.rule, violation.field) == ("P12", "bid_deadline")
    assert "2026-10-12 09:30:00" in violation.message
    assert "received this at 2026-10-12 09:30:00.000" in violation.message
    assert Bid.objects.filter(tender=tender).count() == 1


def test_p12_bids_are_sealed_until_the_opening_and_every_attempt_is_audited(tendering, clock):
    t = tendering
    clock.at("2026-09-15 10:00")
    tender = start(services, t)
    clock.at("2026-10-09 15:00")
    three_bids(t, tender)
    for user in (t.purchaser, t.finance, t.auditor, t.large_user):
        with pytest.raises(sealing.Sealed) as exc:
            list(bidding_selectors.bids_for_user(user, tender))
        assert exc.value.status == 403
        assert exc.value.violation.rule == "P12"
        assert "2026-10-12 09:30" in exc.value.message
    refusals = AuditEvent.objects.filter(action="procurement.bid.sealed_read_refused")
    assert refusals.count() == 4
    # One second before the opening: still sealed.
    clock.at("2026-10-12 09:29:59")
    with pytest.raises(sealing.Sealed):
        bidding_selectors.opening_record_for_user(t.purchaser, tender)
    # At the opening: readable, and nothing more is audited as refused.
    clock.at("2026-10-12 09:30:00")
    tendering_services.open_bids(tender=tender)
    tender.refresh_from_db()
    assert len(list(bidding_selectors.bids_for_user(t.purchaser, tender))) == 3
    assert len(bidding_selectors.opening_record_for_user(t.large_user, tender)) == 3
    assert refusals.count() == 5


# ================================================================================================
# D1 — published on time, or late with a recorded reason (flagged)
# ================================================================================================


def test_d1_a_late_result_notice_needs_a_reason_and_is_flagged(tendering, clock):
    t = tendering
    tender, (b_large, b_small, b_social) = opened(t, clock)
    tender = evaluate(
        t, tender, {b_large: ("35", "25"), b_small: ("34.5", "25"), b_social: ("33", "25")}
    )
    clock.at("2026-10-13 10:00")
    tender = tendering_services.confirm_award(actor=t.purchaser, tender=tender)
    # Due 2 working days after Tue 13 Oct: Wed 14, Thu 15 → end of Thu 15 Oct.
    clock.at("2026-10-16 09:00")
    with pytest.raises(RuleViolation) as exc:
        tendering_services.publish_result(actor=t.purchaser, tender=tender)
    violation = only(exc)
    assert (violation.rule, violation.field) == ("D1", "late_reason")
    assert "2026-10-15 23:59" in violation.message
    assert not Notice.objects.filter(tender=tender, kind=NoticeKind.RESULT).exists()
    # Passes with the reason, flagged on the notice, the deadline and the round.
    notice = tendering_services.publish_result(
        actor=t.purchaser, tender=tender, late_reason="系统维护，公告延迟一天发布。"
    )
    assert notice.late and notice.late_reason == "系统维护，公告延迟一天发布。"
    row = Deadline.objects.current().get(tender=tender, kind=DeadlineKind.RESULT_NOTICE)
    assert row.late and row.late_reason == "系统维护，公告延迟一天发布。"
    tender.refresh_from_db()
    assert [w["severity"] for w in tender.warnings if w["rule"] == "D1"] == [Severity.WARN]


def test_d1_on_time_result_is_not_flagged():
    now = at("2026-10-15 23:00")
    assert (
        running.late_publication_violations(
            what="The result", due_at=at("2026-10-15 23:59:59"), now=now, late_reason=""
        )
        == []
    )
    assert running.late_publication_violations(what="x", due_at=None, now=now, late_reason="") == []


# --- the purchase intention's lead (D1) ---------------------------------------------------------


def test_d1_the_notice_before_the_intention_period_needs_a_reason(tendering, clock):
    t = tendering
    # Intention published Mon 3 Aug 2026: the notice may follow from 3 Aug + 30 = Wed 2 Sep.
    clock.at("2026-09-01 10:00")
    with pytest.raises(RuleViolation) as exc:
        start(services, t)
    violation = only(exc)
    assert (violation.rule, violation.field) == ("D1", "late_reason")
    assert "2026-08-03" in violation.message and "2026-09-02" in violation.message
    assert not Tender.objects.exists() and not Notice.objects.filter(kind="purchase").exists()
    # Accepted with the reason, and flagged.
    tender = start(services, t, late_reason="冬季助餐须在 10 月前开始，时间紧迫。")
    notice = Notice.objects.get(tender=tender, kind=NoticeKind.PURCHASE)
    assert notice.late and notice.late_reason == "冬季助餐须在 10 月前开始，时间紧迫。"
    assert notice.due_at.date() == D(2026, 9, 2)
    (warning,) = [w for w in tender.warnings if w["rule"] == "D1"]
    assert warning["severity"] == Severity.WARN


def test_d1_the_notice_after_the_intention_period_is_not_flagged(tendering, clock):
    t = tendering
    clock.at("2026-09-02 08:00")
    tender = start(services, t)
    notice = Notice.objects.get(tender=tender, kind=NoticeKind.PURCHASE)
    assert not notice.late and notice.late_reason == ""
    assert not [w for w in tender.warnings if w["rule"] == "D1"]


def test_d1_no_intention_at_all_is_refused_without_reason(tendering, clock):
    t = tendering
    project = another_project(t, method="open_tender", intention=False)
    clock.at("2026-09-15 10:00")
    with pytest.raises(RuleViolation) as exc:
        start(services, t, project=project)
    assert "No purchase intention" in only(exc).message


def test_d1_the_emergency_channel_skips_the_intention(tendering, clock):
    t = tendering
    project = another_project(t, method="competitive_negotiation", emergency=True, intention=False)
    clock.at("2026-08-04 10:00")
    tender = start(services, t, project=project, criteria=[], bid_deadline="2026-08-05T10:00")
    assert tender.emergency
    assert [w["rule"] for w in tender.warnings] == ["P9"]
    # Stored as texts that follow the reader's language (core.text).
    assert "No purchase intention period" in shown_texts(tender.simplified_steps)


# ================================================================================================
# Evaluation arithmetic (rules/scoring.py)
# ================================================================================================


def test_price_score_is_the_lowest_evaluated_price_over_each_price():
    results = scoring.evaluate(
        [
            BidFacts(1, Decimal("500000.00"), False),
            BidFacts(2, Decimal("540000.00"), True),
            BidFacts(3, Decimal("520000.00"), False),
        ],
        evaluation_method=EvaluationMethod.COMPREHENSIVE,
        price_weight=Decimal(30),
        deduction=Decimal("0.10"),
        technical={1: Decimal("60"), 2: Decimal("59.5"), 3: Decimal("58")},
    )
    by_id = {r.id: r for r in results}
    # The small enterprise's 540,000 is evaluated at 540,000 × 0.9 = 486,000: the lowest.
    assert by_id[2].evaluated_price == Decimal("486000.00")
    assert by_id[2].price_score == Decimal("30.00")
    # 486,000 / 500,000 × 30 = 29.16; 486,000 / 520,000 × 30 = 28.0384… → 28.04.
    assert by_id[1].price_score == Decimal("29.16")
    assert by_id[3].price_score == Decimal("28.04")
    assert [r.id for r in results] == [2, 1, 3]
    assert [r.total_score for r in results] == [
        Decimal("89.50"),
        Decimal("89.16"),
        Decimal("86.04"),
    ]


def test_the_sme_deduction_applies_to_small_and_micro_only():
    assert scoring.evaluated_price(
        Decimal("100000.00"), small_or_micro=True, deduction=Decimal("0.20")
    ) == Decimal("80000.00")
    assert scoring.evaluated_price(
        Decimal("100000.00"), small_or_micro=False, deduction=Decimal("0.20")
    ) == Decimal("100000.00")
    # Rounded to the 分, half up: 33,333.33 × 0.85 = 28,333.3305 → 28,333.33.
    assert scoring.evaluated_price(
        Decimal("33333.33"), small_or_micro=True, deduction=Decimal("0.15")
    ) == Decimal("28333.33")


def test_deduction_changes_the_ranking_through_the_services_and_not_when_reserved(tendering, clock):
    """The same prices and points: with a 10% deduction the small enterprise wins; in a
    purchase reserved for SMEs nobody is deducted and the medium-priced bid wins."""
    t = tendering
    tender, (b_large, b_small, b_social) = opened(t, clock)
    tender = evaluate(
        t, tender, {b_large: ("35", "25"), b_small: ("34.5", "25"), b_social: ("33", "25")}
    )
    b_small.refresh_from_db()
    b_large.refresh_from_db()
    assert b_small.evaluated_price == Decimal("486000.00") and b_small.rank == 1
    assert b_large.evaluated_price == Decimal("500000.00") and b_large.rank == 2


def test_no_deduction_in_a_reserved_purchase(tendering, clock, make_org, make_user):
    """Reserved for SMEs (专门面向中小企业): no price deduction, so with equal points the
    lowest bid price wins even against small and micro enterprises."""
    t = tendering
    micro, micro_user = provider_org(
        make_org, make_user, "二七区小蜜蜂家政服务部", sme_size="micro"
    )
    clock.at("2026-09-15 10:00")
    tender = start(services, t, reserved_for_sme=True, sme_deduction="0.10")
    assert tender.sme_deduction == 0
    clock.at("2026-10-09 15:00")
    b_medium = bid(t, t.large, t.large_user, "500000.00", tender=tender, sme_size="medium")
    b_small = bid(t, t.small, t.small_user, "540000.00", tender=tender, sme_size="small")
    b_micro = bid(t, micro, micro_user, "510000.00", tender=tender, sme_size="micro")
    clock.at("2026-10-12 09:30")
    tender = tendering_services.open_bids(tender=tender)
    same = ("35", "25")
    evaluate(t, tender, {b_medium: same, b_small: same, b_micro: same})
    ranked = {b.pk: b for b in Bid.objects.filter(tender=tender)}
    for b in (b_medium, b_small, b_micro):
        assert ranked[b.pk].evaluated_price == b.price
    assert [ranked[b.pk].rank for b in (b_medium, b_micro, b_small)] == [1, 2, 3]


def test_ties_lower_bid_price_first_and_equal_both_share_the_rank():
    # X: 100.00 (large) → price score 99/100 × 30 = 29.70, + 60.30 = 90.00.
    # Y: 110.00 (small, 10% → 99.00, the lowest) → 30.00, + 60.00 = 90.00.
    # Equal totals: the lower *bid* price comes first (87号令 第五十五条), so X before Y,
    # although Y's evaluated price is lower.
    results = scoring.evaluate(
        [BidFacts(1, Decimal("110.00"), True), BidFacts(2, Decimal("100.00"), False)],
        evaluation_method=EvaluationMethod.COMPREHENSIVE,
        price_weight=Decimal(30),
        deduction=Decimal("0.10"),
        technical={1: Decimal("60.00"), 2: Decimal("60.30")},
    )
    assert [(r.id, r.total_score, r.rank) for r in results] == [
        (2, Decimal("90.00"), 1),
        (1, Decimal("90.00"), 2),
    ]
    # Equal score and equal price: the same rank; the next one is third.
    results = scoring.evaluate(
        [
            BidFacts(1, Decimal("100.00"), False),
            BidFacts(2, Decimal("100.00"), False),
            BidFacts(3, Decimal("120.00"), False),
        ],
        evaluation_method=EvaluationMethod.COMPREHENSIVE,
        price_weight=Decimal(30),
        deduction=Decimal("0.10"),
        technical={1: Decimal(50), 2: Decimal(50), 3: Decimal(50)},
    )
    assert [(r.id, r.rank) for r in results] == [(1, 1), (2, 1), (3, 3)]


def test_lowest_price_ranks_by_evaluated_price():
    results = scoring.evaluate(
        [
            BidFacts(1, Decimal("100.00"), False),
            BidFacts(2, Decimal("105.00"), True),  # 94.50 after 10%
            BidFacts(3, Decimal("110.00"), True),  # 99.00 after 10%
            BidFacts(4, Decimal("99.00"), False),
        ],
        evaluation_method=EvaluationMethod.LOWEST_PRICE,
        price_weight=Decimal(100),
        deduction=Decimal("0.10"),
    )
    assert [(r.id, r.evaluated_price, r.rank) for r in results] == [
        (2, Decimal("94.50"), 1),
        (3, Decimal("99.00"), 2),
        (4, Decimal("99.00"), 2),
        (1, Decimal("100.00"), 4),
    ]
    assert all(r.price_score is None and r.total_score is None for r in results)


def test_technical_score_is_the_mean_of_the_panel():
    sheets = [{1: Decimal("60"), 2: Decimal("50")}, {1: Decimal("61"), 2: Decimal("50")}] + [
        {1: Decimal("59"), 2: Decimal("51")}
    ]
    assert scoring.technical_scores(sheets) == {1: Decimal("60.00"), 2: Decimal("50.33")}
    assert scoring.technical_scores([]) == {}
