"""Questions and complaints in the methods running tests (moved from
`govbuy.tendering.tests.test_methods_running` with the split: they use the challenges app)."""

# ruff: noqa: F811  (fixtures of the tendering tests, imported here, are test parameters)

import datetime as dt

import pytest

from govbuy.challenges import services as challenge_services
from govbuy.core.rules import RuleViolation
from govbuy.procurement.tests.fixtures import approved_project
from govbuy.tendering import services as tendering_services
from govbuy.tendering.models import (
    DeadlineKind,
    Notice,
    NoticeKind,
    TenderStatus,
)
from govbuy.tendering.tests.test_methods_running import (
    bid,
    due,
    intention,
    rules_of,
)

pytestmark = pytest.mark.django_db


def test_single_source_publicity_then_only_the_named_provider_responds(
    tendering, clock, make_org, make_user
):
    t = tendering
    clock.at("2026-08-03 09:30")
    project = approved_project(t, method="single_source", name="专用助餐信息系统运维服务")
    intention(t, project)
    clock.at("2026-09-15 10:00")
    with pytest.raises(RuleViolation) as exc:
        tendering_services.start_round(
            actor=t.purchaser,
            project=project,
            bid_deadline="2026-09-24T09:00",
            invited=[t.large.pk, t.small.pk],
        )
    assert rules_of(exc) == ["P2"]
    tender = tendering_services.start_round(
        actor=t.purchaser, project=project, bid_deadline="2026-09-24T09:00", invited=[t.large.pk]
    )
    notice = Notice.objects.get(tender=tender)
    assert notice.kind == NoticeKind.PUBLICITY
    assert notice.data["invited"][0]["name"] == t.large.name
    # 5 working days after 15 Sep: 16, 17, 18, 20 (make-up Sunday), 21.
    assert due(tender, DeadlineKind.PUBLICITY) == dt.date(2026, 9, 21)
    clock.at("2026-09-18 10:00")
    objection = challenge_services.file_question(
        actor=t.small_user,
        tender=tender,
        provider=t.small,
        subject="publicity",
        content="本公司同样具备该系统的运维能力，单一来源理由不成立。",
    )
    assert objection.window_ends == dt.date(2026, 9, 21)
    clock.at("2026-09-22 10:00")
    with pytest.raises(RuleViolation) as exc:
        challenge_services.file_question(
            actor=t.social_user,
            tender=tender,
            provider=t.social,
            subject="publicity",
            content="异议",
        )
    assert rules_of(exc) == ["P11"]
    with pytest.raises(RuleViolation) as exc:
        bid(t.small, t.small_user, tender, "400000.00")
    assert rules_of(exc) == ["P2"]
    bid(t.large, t.large_user, tender, "1400000.00")
    clock.at("2026-09-24 09:00")
    tender = tendering_services.open_bids(tender=tender)
    assert tender.status == TenderStatus.OPENED  # one response suffices
