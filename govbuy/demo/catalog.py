"""Demo catalogs: the model catalog nationally and for 河南 (published) for the
current year — and for 2026, the year of the replayed purchase history, when
that is in the past — one department catalog approved, one awaiting approval,
one adjustment awaiting approval, and a 公益一类 unit's funded service (C8).
Idempotent."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from govbuy.catalog import department, seed, services
from govbuy.catalog.models import (
    Catalog,
    CatalogAdjustment,
    DepartmentCatalog,
    PublicUnitService,
)
from govbuy.orgs.models import Region

from .staff import staff

# The purchase history (running.py) happened in 2026, at fixed dates; everything
# current follows today's date.
HISTORY_YEAR = 2026
HISTORY_DONE = dt.date(HISTORY_YEAR, 11, 6)


def current_year(today: dt.date | None = None) -> int:
    """The demo's current year: today's."""
    return (today or timezone.localdate()).year


def demo_years(today: dt.date | None = None) -> list[int]:
    """The years the demo's catalogs are for: the history's (once it is past) and
    the current year."""
    today = today or timezone.localdate()
    years = {today.year}
    if today >= HISTORY_DONE:
        years.add(HISTORY_YEAR)
    return sorted(years)


# (department key, [(parent code, code, name, description)], approve?)
DEPARTMENT_CATALOGS = [
    (
        "pur_zz_mz",
        [
            (
                "A05",
                "A0501",
                "居家养老服务",
                "为居家老年人提供助餐、助浴、助洁、助急、助医等上门服务",
            ),
            ("A0501", "A050101", "助餐服务", "老年助餐点运营与送餐上门"),
            ("A0501", "A050102", "助浴服务", "上门或集中助浴"),
            ("A05", "A0502", "社区养老服务", "社区日间照料中心运营"),
            # Its own item of 基本养老服务 (A0506), never under 助餐服务: filed there, its
            # purchases would join the meal services' in the splitting check (B4).
            (
                "A05",
                "A0506",
                "老年人能力综合评估",
                "对申请养老服务补贴的老年人开展能力综合评估并动态复评",
            ),
            ("A04", "A0401", "儿童福利服务", "困境儿童关爱保护"),
            ("B03", "B0302", "社区社会工作服务", "社区社会工作站运营"),
        ],
        True,
    ),
    (
        "pur_zz_rs",
        [
            ("A02", "A0201", "公共就业规划和政策研究、咨询及宣传", ""),
            ("A02", "A0204", "政府组织的就业培训和创业培训", "职业技能培训、创业培训"),
            ("A16", "A1604", "高校毕业生就业指导及公益性招聘活动", "组织公益性招聘会"),
        ],
        False,
    ),
]

PENDING_ADJUSTMENT = {
    "proposer": "pur_zz_mz",
    "parent_code": "A0501",
    "name": "老年人智能技术运用培训服务",
    "description": "为老年人开展智能手机、网上办事等智能技术运用培训，帮助跨越“数字鸿沟”。",
    "keywords": "老年人 智能手机 数字鸿沟",
    "reason": "国务院办公厅关于切实解决老年人运用智能技术困难的实施方案要求开展培训，目录尚无对应事项。",
}


def _load_year(orgs: dict, year: int, *, current: bool) -> list[str]:
    done = []
    # The national model catalog is reference data shipped with the platform.
    national = seed.load_guidance_catalog(year=year, actor="load_demo")
    henan_region = Region.objects.get(code="410000")
    henan = Catalog.objects.filter(region=henan_region, year=year).first()
    finance_hn = staff(orgs["fin_hn"], "finance")
    if henan is None:
        henan = services.copy_catalog(
            actor=finance_hn,
            source=national,
            year=year,
            region=henan_region,
            owner=orgs["fin_hn"],
            name="河南省政府购买服务指导性目录（演示）",
        )
        services.publish_catalog(actor=finance_hn, catalog=henan)
        done.append(f"河南 catalog {year}")
    for key, items, approve in DEPARTMENT_CATALOGS:
        org = orgs[key]
        if not approve and not current:
            continue  # only the current year has a catalog awaiting approval
        if DepartmentCatalog.objects.filter(organization=org, year=year).exists():
            continue
        purchaser = staff(org, "purchaser")
        dc = department.create_department_catalog(actor=purchaser, organization=org, year=year)
        existing = set(dc.items.values_list("code", flat=True))
        for parent_code, code, name, description in items:
            if code in existing:
                continue
            department.add_department_item(
                actor=purchaser,
                department_catalog=dc,
                parent_code=parent_code,
                code=code,
                name=name,
                description=description,
            )
        department.submit_department_catalog(actor=purchaser, department_catalog=dc)
        if approve:
            # 同级财政部门: the departments are of 郑州, so is the approving bureau.
            department.approve_department_catalog(
                actor=staff(orgs["fin_zz"], "finance"),
                department_catalog=dc,
                note="符合省级目录，同意使用。",
            )
        done.append(f"department catalog {year} of {org.name}")
    return done


def load(orgs: dict, *, today: dt.date | None = None) -> list[str]:
    done = []
    for year in demo_years(today):
        done += _load_year(orgs, year, current=year == current_year(today))
    spec = PENDING_ADJUSTMENT
    if not CatalogAdjustment.objects.filter(name=spec["name"]).exists():
        services.propose_adjustment(
            actor=staff(orgs[spec["proposer"]], "purchaser"),
            proposer=orgs[spec["proposer"]],
            action="add",
            parent_code=spec["parent_code"],
            fields={
                "name": spec["name"],
                "description": spec["description"],
                "keywords": spec["keywords"],
            },
            reason=spec["reason"],
            today=today,
        )
        done.append("pending adjustment")
    cdc = orgs.get("ref_cdc")
    if cdc is not None and not PublicUnitService.objects.filter(organization=cdc).exists():
        PublicUnitService.objects.create(
            organization=cdc,
            item_code="A0702",
            name="核酸检测",
            capacity_note="实验室日检测能力约 2 万管（演示）",
        )
        done.append("公益一类 service")
    return done
