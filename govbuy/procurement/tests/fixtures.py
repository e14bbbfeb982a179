"""Helpers of the planning tests, shared with the tests of tendering and
challenges (a pytest plugin of the root conftest.py): providers with clean
compliance records, the requirement of a purchase, and a project approved with
its method settled."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def provider_org(make_org, make_user, name, *, org_type="enterprise", sme_size="", **fields):
    """A provider with a clean compliance declaration and one user."""
    from govbuy.orgs import services as orgs

    org = make_org(name, "410100", org_type=org_type, is_provider=True, sme_size=sme_size, **fields)
    user = make_user("provider", org)
    facts = {
        "independent_civil_liability": True,
        "good_tax_record": True,
        "good_social_insurance_record": True,
        "established_on": dt.date(2015, 3, 1),
    }
    if org_type == "social_organization":
        facts.update(
            civil_affairs_registered=True,
            has_fixed_premises=True,
            has_full_time_staff=True,
            sound_governance=True,
            sound_accounting=True,
            annual_inspection_year=timezone.localdate().year - 1,
            annual_inspection_passed=True,
            in_qualified_directory=True,
        )
    orgs.declare_compliance(actor=user, organization=org, **facts)
    return org, user


REQUIREMENT = dict(
    content="为辖区 60 岁以上老年人提供助餐服务，含堂食与送餐上门",
    standards="符合《老年人助餐服务规范》，餐食留样 48 小时",
    quantity="120 个助餐点，年服务 3 万人次",
    recipients="辖区 60 岁以上老年人",
    place="郑州市金水区",
    technical_guarantees="助餐信息系统实名刷卡，食品安全责任险",
    goals="老年人就餐便利度提高",
    indicators="服务人次：≥3万\n服务满意度：≥90%",
)


def approved_project(
    buying,
    *,
    method: str,
    amount: str = "1500000.00",
    name: str = "2027年社区老年助餐服务采购",
    line_amount: str | None = None,
    **flags,
):
    """A project of 郑州市民政局 with approved requirements and `method` settled
    (flags: intended_provider, voucher, emergency, emergency_reason)."""
    from govbuy.procurement import services

    line = buying.line(
        line_amount or str(max(2000000, int(float(amount)) * 2)) + ".00",
        out_years=[{"year": buying.year + 1, "amount": "1"}],
    )
    project = services.create_project(
        actor=buying.purchaser,
        budget_line=line,
        name=name,
        amount=amount,
        term_start=f"{buying.year + 1}-01-01",
        term_end=f"{buying.year + 1}-12-31",
        **REQUIREMENT,
        **flags,
    )
    services.submit_for_review(actor=buying.purchaser, project=project)
    services.review_requirements(
        actor=buying.manager,
        project=project,
        approve=True,
        complete=True,
        compliant=True,
        reasonable=True,
    )
    services.choose_method(
        actor=buying.purchaser, project=project, method=method, reason="按项目特点选择"
    )
    project.refresh_from_db()
    return project
