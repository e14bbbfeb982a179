"""Fixtures of the tendering and challenges tests (a pytest plugin of the root
conftest.py): a project ready for its purchase notice with providers and
evaluation experts (`tendering`), the notice that starts its round (`start`),
and an earlier purchase with opened bids (`earlier_purchase`)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone

from govbuy.procurement.tests.fixtures import approved_project, provider_org
from govbuy.tendering import services as tendering_services


def earlier_purchase(buying, *providers, name="2026年社区老年助餐服务采购（上一期）"):
    """A purchase of 郑州市民政局 whose round was opened yesterday with the bids of
    `providers` (and failed for too few): what a credit record about one of them
    may concern (S9). Rows written directly: the purchase is history here."""
    from govbuy.procurement.tests.test_views import make_project, new_line
    from govbuy.tendering.models import Tender, TenderStatus

    project = make_project(buying, new_line(buying), name=name)
    now = timezone.now()
    tender = Tender.objects.create(
        project=project,
        method="open_tender",
        status=TenderStatus.FAILED,
        title=project.name,
        published_at=now - dt.timedelta(days=30),
        bid_deadline=now - dt.timedelta(days=1),
        opening_at=now - dt.timedelta(days=1),
        opened_at=now - dt.timedelta(days=1),
    )
    for org in providers:
        add_opened_bid(tender, org)
    return project


def add_opened_bid(tender, org):
    from govbuy.tendering.models import Bid

    if not Bid.objects.filter(tender=tender, provider=org).exists():
        Bid.objects.create(
            tender=tender,
            provider=org,
            submitted_at=tender.bid_deadline - dt.timedelta(days=2),
            price="450000.00",
            technical_response="服务方案",
            digest="0" * 64,
        )


@pytest.fixture
def tendering(request, clock, make_org, make_user):
    """On 2026-08-03: an approved open-tender purchase of 1,500,000 元 by 郑州市民政局
    with its purchase intention published; three providers (a large enterprise, a
    small one, a social organization), a 公益二类 unit, four experts of the 郑州
    finance bureau's pool and the department's representative."""
    from govbuy.accounts import services as accounts

    clock.at("2026-08-03 09:00")
    buying = request.getfixturevalue("buying")
    project = approved_project(buying, method="open_tender")
    intention = tendering_services.publish_intention(
        actor=buying.purchaser, project=project, expected_on="2026-09-15"
    )
    large, large_user = provider_org(make_org, make_user, "豫康养老服务有限公司", sme_size="large")
    small, small_user = provider_org(make_org, make_user, "金水乐龄餐饮有限公司", sme_size="small")
    social, social_user = provider_org(
        make_org,
        make_user,
        "郑州市夕阳红社会工作服务中心",
        org_type="social_organization",
        social_org_form="social_service_agency",
    )
    unit, unit_user = provider_org(
        make_org,
        make_user,
        "郑州市社会福利服务中心",
        org_type="public_institution",
        institution_class="public_welfare_2",
    )
    experts = [make_user("expert", buying.zz) for _ in range(4)]
    rep = make_user()
    accounts.add_membership(
        actor="test", user=rep, organization=buying.dept, role="purchaser", is_manager=False
    )
    project.refresh_from_db()
    return SimpleNamespace(
        **vars(buying),
        project=project,
        intention=intention,
        large=large,
        large_user=large_user,
        small=small,
        small_user=small_user,
        social=social,
        social_user=social_user,
        unit=unit,
        unit_user=unit_user,
        experts=experts,
        rep=rep,
        panel=[*experts, rep],
        criteria=[
            {"name": "服务方案", "points": "40", "description": "方案完整、可行"},
            {"name": "团队与经验", "points": "30", "description": "人员资质与类似业绩"},
        ],
    )


def start(services, t, **over):
    """Publish the purchase notice on 2026-09-15 10:00 with the bid deadline
    2026-10-12 09:30 (after National Day), comprehensive scoring 30/40/30 and a
    10% deduction for small and micro enterprises."""
    kwargs = dict(
        actor=t.purchaser,
        project=t.project,
        bid_deadline="2026-10-12T09:30",
        price_weight="30",
        criteria=t.criteria,
        sme_deduction="0.10",
        qualification="具有独立承担民事责任的能力；近三年无重大违法记录",
        documents="招标文件：服务内容、标准与评分办法见附件。",
    )
    kwargs.update(over)
    return tendering_services.start_round(**kwargs)
