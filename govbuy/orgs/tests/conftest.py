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
def world(make_org, make_user):
    """郑州 (410100) with 中牟县 (410122) below it; 洛阳 (410300) beside it; 河南 above."""
    orgs = SimpleNamespace(
        fin_zz=make_org("郑州市财政局（信用）", "410100", is_finance_bureau=True),
        fin_ly=make_org("洛阳市财政局（信用）", "410300", is_finance_bureau=True),
        aud_hn=make_org("河南省审计厅（信用）", "410000", is_audit_office=True),
        dept=make_org("郑州市民政局（信用）", "410100", is_purchaser=True),
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
        finance=make_user("finance", orgs.fin_zz),
        finance_ly=make_user("finance", orgs.fin_ly),
        auditor=make_user("auditor", orgs.aud_hn),
        purchaser=make_user("purchaser", orgs.dept),
        provider=make_user("provider", orgs.provider),
        social=make_user("provider", orgs.social),
        person=make_user("provider", orgs.person),
        other=make_user("provider", orgs.other),
        recipient=make_user(),
    )
    return SimpleNamespace(orgs=orgs, users=users)


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
def record(world):
    """record(org, kind="serious_breach", years=1, start=today, **over): the 郑州
    purchaser records a credit entry about `org`."""

    def do(org, kind="serious_breach", *, years=1, start=None, actor=None, recorder=None, **over):
        start = start or timezone.localdate()
        fields = {
            "description": "服务期间多次未按合同提供上门服务，经验收不合格且拒不整改。",
            "basis": "政府采购法 第七十七条；郑民采〔2026〕12号",
            "project_reference": "ZZMZ-2026-001 社区居家养老服务",
        }
        if kind == "serious_breach":
            from govbuy.orgs.rules import add_years

            fields["exclusion_from"] = start
            fields["exclusion_until"] = add_years(start, years) - dt.timedelta(days=1)
        fields.update(over)
        return services.record_credit(
            actor=actor or world.users.purchaser,
            recording_organization=recorder or world.orgs.dept,
            organization=org,
            kind=kind,
            **fields,
        )

    return do
