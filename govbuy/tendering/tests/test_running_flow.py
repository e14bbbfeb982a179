"""A whole purchase through the services, on the official calendar of 2026:
intention → notice (across National Day) → bids (one refused by S3) →
opening → panel scores with an SME deduction that changes the ranking →
award with its savings rate → result → question → answer → complaint →
suspension → decision."""

import datetime as dt

import pytest
from django.utils import timezone

from govbuy.core.errors import ApplicationError
from govbuy.procurement import services
from govbuy.procurement.models import ProjectStatus
from govbuy.tendering import services as tendering_services
from govbuy.tendering.models import (
    Deadline,
    Notice,
    NoticeKind,
    TenderStatus,
)
from govbuy.tendering.tests.fixtures import start

pytestmark = pytest.mark.django_db


def due(tender, kind) -> dt.date:
    row = Deadline.objects.current().get(tender=tender, kind=kind)
    return timezone.localtime(row.due_at).date()


def rules_of(exc_info):
    return [v.rule for v in exc_info.value.violations]


def bid(t, org, user, price, **over):
    return tendering_services.submit_bid(
        actor=user,
        tender=over.pop("tender"),
        provider=org,
        price=price,
        technical_response=over.pop("text", "服务方案：120 个助餐点，中央厨房配送，营养师配餐。"),
        sme_size=over.pop("sme_size", org.sme_size),
        **over,
    )


def scores_for(tender, points: dict):
    """{bid: (plan, team)} → the scores mapping of one member."""
    criteria = list(tender.criteria.all())
    return {
        b.pk: {criteria[0].pk: plan, criteria[1].pk: team} for b, (plan, team) in points.items()
    }


def test_too_few_bids_fail_the_round_and_a_new_round_follows(tendering, clock):
    t = tendering
    clock.at("2026-09-15 10:00")
    tender = start(services, t)
    clock.at("2026-10-09 15:00")
    bid(t, t.large, t.large_user, "500000.00", tender=tender)
    bid(t, t.small, t.small_user, "540000.00", tender=tender)
    clock.at("2026-10-12 09:31")
    tender = tendering_services.open_bids(tender=tender)
    assert tender.status == TenderStatus.FAILED
    t.project.refresh_from_db()
    assert t.project.status == ProjectStatus.APPROVED and t.project.failed_rounds == 1
    failure = Notice.objects.get(tender=tender, kind=NoticeKind.TERMINATION)
    assert failure.data["outcome"] == "failed"
    # Changing the method after the failure needs the finance bureau.
    project = services.choose_method(
        actor=t.purchaser,
        project=t.project,
        method="competitive_negotiation",
        reason="公开招标因投标人不足三家流标，拟改为竞争性谈判。",
    )
    assert project.method_approval == "pending"
    with pytest.raises(ApplicationError):
        start(services, t, project=project, bid_deadline="2026-10-20T09:30")
