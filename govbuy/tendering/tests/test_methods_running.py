"""The other methods, through the services: competitive negotiation with a
round of final quotes (sealed until its deadline), competitive consultation,
single source with its publicity period, invitational tender, framework
agreements with call-offs by the purchaser and by the recipient, direct
commission (P6), competitive review outside the law (P3) and the emergency
green channel (P9)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from govbuy.core.errors import ApplicationError, InvalidState
from govbuy.core.models import AuditEvent
from govbuy.core.rules import RuleViolation
from govbuy.procurement import services
from govbuy.procurement.models import ProjectStatus
from govbuy.procurement.tests.fixtures import approved_project, provider_org
from govbuy.tendering import bidding_selectors as reads
from govbuy.tendering import services as tendering_services
from govbuy.tendering.models import (
    CallOffMode,
    Deadline,
    DeadlineKind,
    Notice,
    NoticeKind,
    TenderStatus,
)
from govbuy.tendering.sealing import Sealed

pytestmark = pytest.mark.django_db


def due(tender, kind) -> dt.date:
    row = Deadline.objects.current().get(tender=tender, kind=kind)
    return timezone.localtime(row.due_at).date()


def rules_of(exc_info):
    return [v.rule for v in exc_info.value.violations]


def intention(t, project, on="2026-09-15"):
    return tendering_services.publish_intention(actor=t.purchaser, project=project, expected_on=on)


def bid(org, user, tender, price, **over):
    return tendering_services.submit_bid(
        actor=user,
        tender=tender,
        provider=org,
        price=price,
        technical_response="按需求提供服务，配备专职人员。",
        sme_size=over.pop("sme_size", org.sme_size),
        **over,
    )


def evaluate_by(tender, members, scores=None):
    for user in members:
        tendering_services.declare_no_conflict(actor=user, tender=tender)
        tendering_services.submit_scores(actor=user, tender=tender, scores=scores or {})
    tender.refresh_from_db()
    return tender


def test_negotiation_final_quotes_are_sealed_then_ranked_by_lowest_evaluated_price(
    tendering, clock
):
    t = tendering
    clock.at("2026-08-03 09:30")
    project = approved_project(t, method="competitive_negotiation", name="助餐配送车辆运维服务")
    intention(t, project)
    clock.at("2026-09-15 10:00")
    # 3 working days after Tue 15 Sep: 16, 17, 18.
    with pytest.raises(RuleViolation) as exc:
        tendering_services.start_round(
            actor=t.purchaser, project=project, bid_deadline="2026-09-17T09:00", criteria=[]
        )
    assert rules_of(exc) == ["P2"] and "2026-09-18" in exc.value.violations[0].message
    tender = tendering_services.start_round(
        actor=t.purchaser, project=project, bid_deadline="2026-09-18T09:00", criteria=[]
    )
    assert tender.evaluation_method == "lowest_price"
    clock.at("2026-09-17 10:00")
    b_large = bid(t.large, t.large_user, tender, "520000.00")
    b_small = bid(t.small, t.small_user, tender, "530000.00")
    b_social = bid(t.social, t.social_user, tender, "510000.00")
    clock.at("2026-09-18 09:00")
    tendering_services.open_bids(tender=tender)
    tendering_services.open_quote_round(
        actor=t.purchaser, tender=tender, deadline="2026-09-18T15:00"
    )
    clock.at("2026-09-18 11:00")
    tendering_services.submit_quote(actor=t.large_user, bid=b_large, price="480000.00")
    tendering_services.submit_quote(actor=t.small_user, bid=b_small, price="500000.00")
    tendering_services.submit_quote(actor=t.social_user, bid=b_social, price="470000.00")
    tender.refresh_from_db()
    # The final quotes are sealed until their deadline, even for the department.
    with pytest.raises(Sealed):
        list(reads.bids_for_user(t.purchaser, tender))
    assert AuditEvent.objects.filter(action="procurement.bid.sealed_read_refused").exists()
    clock.at("2026-09-18 15:00:01")
    with pytest.raises(RuleViolation) as exc:
        tendering_services.submit_quote(actor=t.large_user, bid=b_large, price="460000.00")
    assert rules_of(exc) == ["P12"]
    tendering_services.appoint_panel(
        actor=t.purchaser, tender=tender, members=[*t.experts[:2], t.rep], chair=t.experts[0]
    )
    tender = evaluate_by(tender, [*t.experts[:2], t.rep])
    assert tender.status == TenderStatus.EVALUATED
    ranks = {
        b.provider_id: (b.rank, b.evaluated_price) for b in reads.bids_for_user(t.purchaser, tender)
    }
    # The small enterprise's 500,000 is evaluated at 450,000 after the 10% deduction.
    assert ranks[t.small.pk] == (1, Decimal("450000.00"))
    assert ranks[t.social.pk][0] == 2 and ranks[t.large.pk][0] == 3
    tender = tendering_services.confirm_award(actor=t.purchaser, tender=tender)
    assert tender.award_amount == Decimal("500000.00")


def test_consultation_price_weight_is_10_to_30_points_and_two_responses_suffice(tendering, clock):
    t = tendering
    clock.at("2026-08-03 09:30")
    project = approved_project(t, method="competitive_consultation", name="社区心理援助服务")
    intention(t, project)
    clock.at("2026-09-15 10:00")
    criteria = [{"name": "服务方案", "points": "65"}]
    with pytest.raises(RuleViolation) as exc:
        tendering_services.start_round(
            actor=t.purchaser,
            project=project,
            bid_deadline="2026-09-25T09:00",
            price_weight="35",
            criteria=criteria,
        )
    assert "price_weight" in {v.field for v in exc.value.violations}
    # 10 days after 15 Sep is 25 Sep (calendar days, holiday or not).
    tender = tendering_services.start_round(
        actor=t.purchaser,
        project=project,
        bid_deadline="2026-09-25T09:00",
        price_weight="30",
        criteria=[{"name": "服务方案", "points": "70"}],
    )
    assert tender.min_bids == 2
    assert due(tender, DeadlineKind.DOCUMENTS) == dt.date(2026, 9, 21)
    clock.at("2026-09-24 10:00")
    bid(t.large, t.large_user, tender, "500000.00")
    bid(t.social, t.social_user, tender, "480000.00")
    clock.at("2026-09-25 09:00")
    tender = tendering_services.open_bids(tender=tender)
    assert tender.status == TenderStatus.OPENED


def test_invitational_tender_invites_at_least_three(tendering, clock):
    t = tendering
    clock.at("2026-08-03 09:30")
    project = approved_project(t, method="invitational_tender", name="老年人能力评估服务")
    intention(t, project)
    clock.at("2026-09-15 10:00")
    with pytest.raises(RuleViolation) as exc:
        tendering_services.start_round(
            actor=t.purchaser,
            project=project,
            bid_deadline="2026-10-12T09:30",
            criteria=t.criteria,
            invited=[t.large.pk, t.small.pk],
        )
    assert rules_of(exc) == ["P2"]
    tender = tendering_services.start_round(
        actor=t.purchaser,
        project=project,
        bid_deadline="2026-10-12T09:30",
        criteria=t.criteria,
        invited=[t.large.pk, t.small.pk, t.social.pk],
    )
    assert set(tender.invited.values_list("pk", flat=True)) == {t.large.pk, t.small.pk, t.social.pk}
    # Not open to everyone: not among the public opportunities.
    assert tender not in reads.opportunities()
    assert tender in reads.invitations_for(t.small_user)


def test_framework_admits_several_providers_and_call_offs_follow(tendering, clock, make_user):
    t = tendering
    clock.at("2026-08-03 09:30")
    project = approved_project(t, method="framework_agreement", name="居家上门助浴服务框架协议")
    intention(t, project)
    clock.at("2026-09-15 10:00")
    tender = tendering_services.start_round(
        actor=t.purchaser,
        project=project,
        bid_deadline="2026-10-12T09:30",
        criteria=t.criteria,
        framework={
            "call_off_mode": CallOffMode.RECIPIENT,
            "max_members": 2,
            "term_start": "2026-11-01",
            "term_end": "2027-10-31",
        },
    )
    clock.at("2026-10-09 10:00")
    b1 = bid(t.large, t.large_user, tender, "300.00")
    b2 = bid(t.small, t.small_user, tender, "320.00")
    b3 = bid(t.social, t.social_user, tender, "310.00")
    clock.at("2026-10-12 09:30")
    tendering_services.open_bids(tender=tender)
    tendering_services.appoint_panel(actor=t.purchaser, tender=tender, members=t.panel)
    sheet = {}
    criteria = list(tender.criteria.all())
    for b, (plan, team) in {b1: (38, 28), b2: (30, 20), b3: (36, 27)}.items():
        sheet[b.pk] = {criteria[0].pk: plan, criteria[1].pk: team}
    tender = evaluate_by(tender, t.panel, sheet)
    tender = tendering_services.confirm_award(actor=t.purchaser, tender=tender)
    members = list(tender.framework.members.order_by("rank"))
    assert [m.provider for m in members] == [t.large, t.social]
    assert tender.award_amount is None
    tendering_services.publish_result(actor=t.purchaser, tender=tender)
    clock.at("2026-11-02 10:00")
    resident = make_user()
    order = tendering_services.call_off(
        actor=resident, member=members[1], amount="1240.00", description="每周助浴 1 次，共 4 次"
    )
    assert order.chosen_by == CallOffMode.RECIPIENT and order.recipient == resident
    with pytest.raises(ApplicationError) as exc:
        tendering_services.call_off(
            actor=t.purchaser,
            member=members[0],
            amount="1500000.00",
            description="超出预算的订单",
            recipient_name="张大爷",
        )
    assert exc.value.field == "amount"


def test_direct_commission_of_the_own_public_welfare_2_unit(request, clock, make_org, make_user):
    clock.at("2026-08-03 09:30")  # before the budget-first world: its catalog is of 2026
    buying = request.getfixturevalue("buying")
    unit, _user = provider_org(
        make_org,
        make_user,
        "郑州市养老服务指导中心",
        org_type="public_institution",
        institution_class="public_welfare_2",
        competent_department=buying.dept,
    )
    project = approved_project(
        buying, method="direct_commission", amount="300000.00", intended_provider=unit
    )
    with pytest.raises(ApplicationError):
        tendering_services.commission_directly(
            actor=buying.purchaser, project=project, price="300000.01", reason="拨改买"
        )
    tender = tendering_services.commission_directly(
        actor=buying.purchaser,
        project=project,
        price="280000.00",
        reason="拨改买，定向委托下属公益二类单位",
    )
    assert tender.awarded_provider == unit and tender.savings_rate == Decimal("0.0667")
    project.refresh_from_db()
    assert project.status == ProjectStatus.AWARDED
    assert any(w["rule"] == "P6" and w["severity"] == "report" for w in project.warnings)
    assert Notice.objects.get(tender=tender).kind == NoticeKind.RESULT


def test_competitive_review_below_the_threshold(tendering, clock):
    t = tendering
    clock.at("2026-08-03 09:30")
    project = approved_project(
        t, method="competitive_review", amount="300000.00", name="社区助老志愿服务培训"
    )
    intention(t, project)
    clock.at("2026-09-29 10:00")
    # 5 working days after Tue 29 Sep: 30 Sep, then National Day, 8, 9, 10 (make-up Saturday), 12.
    with pytest.raises(RuleViolation) as exc:
        tendering_services.start_round(
            actor=t.purchaser, project=project, bid_deadline="2026-10-10T09:00", criteria=t.criteria
        )
    assert rules_of(exc) == ["P3"] and "2026-10-12" in exc.value.violations[0].message
    tender = tendering_services.start_round(
        actor=t.purchaser, project=project, bid_deadline="2026-10-12T09:00", criteria=t.criteria
    )
    assert tender.method == "competitive_review"


def test_emergency_green_channel_is_simplified_recorded_and_reported(
    request, clock, make_org, make_user
):
    clock.at("2026-08-03 09:30")  # before the budget-first world: its catalog is of 2026
    buying = request.getfixturevalue("buying")
    project = approved_project(
        buying,
        method="competitive_negotiation",
        name="汛期转移安置群众助餐应急服务",
        emergency=True,
        emergency_reason="2026年8月特大暴雨，需紧急为转移安置群众提供助餐",
    )
    # No purchase intention, a response deadline one day later.
    tender = tendering_services.start_round(
        actor=buying.purchaser, project=project, bid_deadline="2026-08-04T09:30", criteria=[]
    )
    assert tender.emergency and len(tender.simplified_steps) == 3
    assert any(w["rule"] == "P9" and w["severity"] == "report" for w in tender.warnings)
    kinds = set(Deadline.objects.current().filter(tender=tender).values_list("kind", flat=True))
    assert DeadlineKind.NOTICE_PERIOD not in kinds and DeadlineKind.BID_DEADLINE in kinds


def test_terminate_a_round_and_cancel_the_project(tendering, clock):
    t = tendering
    clock.at("2026-09-15 10:00")
    from govbuy.tendering.tests.fixtures import start

    tender = start(services, t)
    with pytest.raises(InvalidState):
        services.cancel_project(actor=t.purchaser, project=t.project, reason="需求取消")
    tendering_services.terminate_round(
        actor=t.purchaser, tender=tender, reason="上级部门统筹安排，需求取消", cancel_project=True
    )
    tender.refresh_from_db()
    t.project.refresh_from_db()
    assert tender.status == TenderStatus.TERMINATED
    assert t.project.status == ProjectStatus.CANCELLED
    assert Notice.objects.filter(tender=tender, kind=NoticeKind.TERMINATION).count() == 1


def test_voucher_programme_admits_at_least_three_providers_recipients_choose(
    tendering, clock, make_user
):
    t = tendering
    clock.at("2026-08-03 09:30")
    project = approved_project(t, method="voucher", name="居家养老服务券承接机构遴选", voucher=True)
    intention(t, project)
    clock.at("2026-09-15 10:00")
    framework = {"max_members": 2, "term_start": "2026-11-01", "term_end": "2027-10-31"}
    with pytest.raises(RuleViolation) as exc:
        tendering_services.start_round(
            actor=t.purchaser,
            project=project,
            bid_deadline="2026-10-12T09:30",
            criteria=t.criteria,
            framework=framework,
        )
    assert rules_of(exc) == ["P5"]
    tender = tendering_services.start_round(
        actor=t.purchaser,
        project=project,
        bid_deadline="2026-10-12T09:30",
        criteria=t.criteria,
        framework={**framework, "max_members": 3},
    )
    assert tender.min_bids == 3 and tender.framework.call_off_mode == CallOffMode.RECIPIENT
    clock.at("2026-10-09 10:00")
    bids = [
        bid(t.large, t.large_user, tender, "60.00"),
        bid(t.small, t.small_user, tender, "62.00"),
        bid(t.social, t.social_user, tender, "58.00"),
    ]
    clock.at("2026-10-12 09:30")
    tendering_services.open_bids(tender=tender)
    tendering_services.appoint_panel(actor=t.purchaser, tender=tender, members=t.panel)
    criteria = list(tender.criteria.all())
    sheet = {b.pk: {criteria[0].pk: 35, criteria[1].pk: 25} for b in bids}
    tender = evaluate_by(tender, t.panel, sheet)
    tender = tendering_services.confirm_award(actor=t.purchaser, tender=tender)
    assert tender.framework.members.count() == 3
    tendering_services.publish_result(actor=t.purchaser, tender=tender)
    clock.at("2026-11-02 10:00")
    resident = make_user()
    member = tender.framework.members.get(provider=t.social)
    order = tendering_services.call_off(
        actor=resident, member=member, amount="58.00", description="上门助洁 1 次"
    )
    assert order.chosen_by == CallOffMode.RECIPIENT


def test_s10_an_industry_association_is_preferred_among_equal_bids(
    tendering, clock, make_org, make_user
):
    t = tendering
    association, association_user = provider_org(
        make_org,
        make_user,
        "郑州市养老服务业协会",
        org_type="social_organization",
        social_org_form="social_group",
    )
    clock.at("2026-08-03 09:30")
    project = approved_project(
        t, method="competitive_negotiation", name="养老服务行业统计与等级评定服务"
    )
    intention(t, project)
    clock.at("2026-09-15 10:00")
    tender = tendering_services.start_round(
        actor=t.purchaser, project=project, bid_deadline="2026-09-18T09:00", criteria=[]
    )
    clock.at("2026-09-17 10:00")
    enterprise = bid(t.large, t.large_user, tender, "500000.00")
    favoured = bid(association, association_user, tender, "500000.00")
    bid(t.social, t.social_user, tender, "520000.00")
    clock.at("2026-09-18 09:00")
    tendering_services.open_bids(tender=tender)
    tendering_services.appoint_panel(
        actor=t.purchaser, tender=tender, members=[*t.experts[:2], t.rep], chair=t.experts[0]
    )
    tender = evaluate_by(tender, [*t.experts[:2], t.rep])
    favoured.refresh_from_db()
    enterprise.refresh_from_db()
    assert (favoured.rank, enterprise.rank) == (1, 2)
    reports = [w for w in tender.warnings if w["rule"] == "S10"]
    assert len(reports) == 1 and reports[0]["severity"] == "report"
    assert association.name in reports[0]["message"]


def test_s10_no_preference_outside_industry_management(tendering, clock, make_org, make_user):
    t = tendering
    association, association_user = provider_org(
        make_org,
        make_user,
        "郑州市养老服务业协会",
        org_type="social_organization",
        social_org_form="social_group",
    )
    clock.at("2026-08-03 09:30")
    project = approved_project(t, method="competitive_negotiation", name="助餐配送车辆运维服务")
    intention(t, project)
    clock.at("2026-09-15 10:00")
    tender = tendering_services.start_round(
        actor=t.purchaser, project=project, bid_deadline="2026-09-18T09:00", criteria=[]
    )
    clock.at("2026-09-17 10:00")
    enterprise = bid(t.large, t.large_user, tender, "500000.00")
    other = bid(association, association_user, tender, "500000.00")
    bid(t.social, t.social_user, tender, "520000.00")
    clock.at("2026-09-18 09:00")
    tendering_services.open_bids(tender=tender)
    tendering_services.appoint_panel(
        actor=t.purchaser, tender=tender, members=[*t.experts[:2], t.rep], chair=t.experts[0]
    )
    tender = evaluate_by(tender, [*t.experts[:2], t.rep])
    enterprise.refresh_from_db()
    other.refresh_from_db()
    assert enterprise.rank == other.rank == 1
    assert not [w for w in tender.warnings if w["rule"] == "S10"]
