"""Providers with and without compliance declarations, the purchasers and finance
bureaus that record their credit, and the people acting for each."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone

from govbuy.orgs import services

CLEAN = {
    "independent_civil_liability": True,
    "good_tax_record": True,
    "good_social_insurance_record": True,
    "on_abnormal_operation_list": False,
    "on_serious_violation_list": False,
    "last_serious_violation_on": None,
}
CLEAN_SOCIAL = {
    **CLEAN,
    "civil_affairs_registered": True,
    "has_fixed_premises": True,
    "has_full_time_staff": True,
    "sound_governance": True,
    "sound_accounting": True,
    "in_qualified_directory": True,
}


def clean_facts(org, **over) -> dict:
    """A clean declaration for `org`, established ten years ago, with last year's
    annual inspection passed when it is a social organization."""
    today = timezone.localdate()
    if org.org_type == "social_organization":
        facts = {
            **CLEAN_SOCIAL,
            "annual_inspection_year": today.year - 1,
            "annual_inspection_passed": True,
        }
    else:
        facts = dict(CLEAN)
    facts["established_on"] = today.replace(year=today.year - 10, day=1)
    facts.update(over)
    return facts


@pytest.fixture
def world(buying, make_org, make_user):
    """郑州 (410100) with 中牟县 (410122) below it; 洛阳 (410300) beside it; 河南 above.
    The purchasing department, the 郑州 and 洛阳 finance bureaus and their users are
    `buying`'s (so the department can buy and record credit about what it bought)."""
    orgs = SimpleNamespace(
        fin_zz=buying.zz,
        fin_ly=buying.ly,
        aud_hn=make_org("河南省审计厅（信用）", "410000", is_audit_office=True),
        dept=buying.dept,
        provider=make_org("中牟县颐和养老服务有限公司", "410122", "enterprise", is_provider=True),
        social=make_org(
            "郑州市向阳社会工作服务中心",
            "410100",
            "social_organization",
            social_org_form="social_service_agency",
            is_provider=True,
        ),
        person=make_org("李桂兰（照护员）", "410185", "natural_person", is_provider=True),
        other=make_org("洛阳市河洛物业服务有限公司", "410300", "enterprise", is_provider=True),
    )
    users = SimpleNamespace(
        finance=buying.finance,
        finance_ly=buying.finance_ly,
        auditor=make_user("auditor", orgs.aud_hn),
        purchaser=buying.purchaser,
        provider=make_user("provider", orgs.provider),
        social=make_user("provider", orgs.social),
        person=make_user("provider", orgs.person),
        other=make_user("provider", orgs.other),
        recipient=make_user(),
    )
    return SimpleNamespace(orgs=orgs, users=users, buying=buying)


@pytest.fixture
def took_part(world):
    """took_part(org) → a project of the department in which `org`'s bid was opened
    (a round opened yesterday, which failed for too few): what a credit record
    about `org` concerns. The same project for every provider of the test."""
    from govbuy.tendering.tests.fixtures import add_opened_bid, earlier_purchase

    made = {}

    def do(org):
        if "project" not in made:
            made["project"] = earlier_purchase(world.buying, name="社区居家养老服务采购（信用）")
        project = made["project"]
        add_opened_bid(project.tenders.get(), org)
        return project

    return do


@pytest.fixture
def declare(make_user):
    """declare(org, **over): a provider user of `org` declares a clean profile."""
    users = {}

    def do(org, **over):
        if org.pk not in users:
            users[org.pk] = make_user("provider", org)
        return services.declare_compliance(
            actor=users[org.pk], organization=org, **clean_facts(org, **over)
        )

    return do


@pytest.fixture
def record(world, took_part):
    """record(org, kind="serious_breach", years=1, start=today, **over): the 郑州
    purchaser records a credit entry about `org`, about the department's project
    `org` bid on."""

    def do(org, kind="serious_breach", *, years=1, start=None, actor=None, recorder=None, **over):
        start = start or timezone.localdate()
        fields = {
            "description": "服务期间多次未按合同提供上门服务，经验收不合格且拒不整改。",
            "basis": "政府采购法 第七十七条；郑民采〔2026〕12号",
        }
        if kind == "serious_breach":
            from govbuy.orgs.rules import add_years

            fields["exclusion_from"] = start
            fields["exclusion_until"] = add_years(start, years) - dt.timedelta(days=1)
        fields.update(over)
        fields.setdefault("project", took_part(org) if org.is_provider else None)
        return services.record_credit(
            actor=actor or world.users.purchaser,
            recording_organization=recorder or world.orgs.dept,
            organization=org,
            kind=kind,
            **fields,
        )

    return do
