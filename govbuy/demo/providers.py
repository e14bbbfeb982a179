"""Demo provider compliance and credit: every demo provider has declared a clean
compliance profile (S6, S7) so that it may bid; 洛阳市养老服务业协会 was founded
last year and has had no annual inspection yet (S7: no minimum age); one
provider, 郑州安洁家政服务有限公司, carries a serious breach recorded by 郑州市民政局
whose exclusion is in force (S9). Idempotent."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from govbuy.accounts.models import User
from govbuy.orgs import services
from govbuy.orgs.models import CreditRecord, OrgType, ProviderCompliance
from govbuy.orgs.rules import add_years

# Provider key → years since it was established (None: a natural person).
# Providers without a demo user of their own are declared by the platform admin.
ESTABLISHED_YEARS = {
    "pro_yikang": 9,
    "pro_songyang": 6,
    "pro_zhihe": 12,
    "pro_zhongyuan": 18,
    "pro_chenxi": 7,
    "pro_ly_yanglao": 1,  # young: no annual inspection yet, still eligible
    "pro_zhucan": 11,
    "pro_kangfu": 25,
    "pro_cehui": 30,
    "pro_qinghe": 5,
    "pro_huaiyin": 20,
    "pro_liji": 4,
    "pro_wang": None,  # a natural person
    "pro_youth": 15,
    "pro_anjie": 8,
}
DECLARED_BY = {"pro_yikang": "provider", "pro_chenxi": "provider_sw"}
EXCLUDED = "pro_anjie"


def _facts(org, years: int | None, today: dt.date) -> dict:
    facts = {
        "independent_civil_liability": True,
        "good_tax_record": True,
        "good_social_insurance_record": True,
        "established_on": add_years(today, -years).replace(day=1) if years else None,
    }
    if org.org_type == OrgType.SOCIAL_ORGANIZATION:
        facts.update(
            civil_affairs_registered=True,
            has_fixed_premises=True,
            has_full_time_staff=True,
            sound_governance=True,
            sound_accounting=True,
            in_qualified_directory=True,
        )
        if years and years > 1:
            facts.update(annual_inspection_year=today.year - 1, annual_inspection_passed=True)
    return facts


def load(orgs: dict) -> list[str]:
    today = timezone.localdate()
    admin = User.objects.get(username="admin")
    declared = set(
        ProviderCompliance.objects.filter(
            organization__in=[orgs[k] for k in ESTABLISHED_YEARS]
        ).values_list("organization_id", flat=True)
    )
    profiles = 0
    for key, years in ESTABLISHED_YEARS.items():
        org = orgs[key]
        if org.pk in declared:
            continue
        actor = User.objects.get(username=DECLARED_BY[key]) if key in DECLARED_BY else admin
        services.declare_compliance(actor=actor, organization=org, **_facts(org, years, today))
        profiles += 1
    done = [f"{profiles} compliance profiles"] if profiles else []
    excluded = orgs[EXCLUDED]
    if not CreditRecord.objects.filter(organization=excluded).exists():
        start = today - dt.timedelta(days=45)
        services.record_credit(
            actor=User.objects.get(username="purchaser"),
            recording_organization=orgs["pur_zz_mz"],
            organization=excluded,
            kind="serious_breach",
            description=(
                "在“社区居家养老助洁服务”项目中提供虚假的服务人员资格证明谋取中标，经调查属实。"
            ),
            basis="政府采购法 第七十七条；郑民采〔2026〕8号（演示）",
            project_reference="ZZMZ-2026-003 社区居家养老助洁服务（演示）",
            exclusion_from=start,
            exclusion_until=add_years(start, 2) - dt.timedelta(days=1),
        )
        done.append("a serious breach in force")
    return done
