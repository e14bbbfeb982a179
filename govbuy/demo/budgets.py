"""Demo budget lines and purchases of 郑州市民政局 for the current year: lines in
every state, an adjustment awaiting the finance bureau, purchases at each step
before the purchase starts (draft, under review, approved with a method, a
change of method awaiting approval) and a splitting flag (B4). Idempotent."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from govbuy.accounts.models import User
from govbuy.budgets import services as budgets
from govbuy.budgets.models import BudgetLine
from govbuy.procurement import services as procurement

from .catalog import current_year

JUSTIFICATION = {
    "助餐": "全市 120 个社区助餐点运营补助：按 2025 年实际就餐 28.6 万人次、每人次补助 4.2 元测算，另含送餐上门 1.2 万次。",
    "儿童": "困境儿童 1,350 名，按每人每年关爱服务 444 元测算（含个案走访、心理辅导、学业支持）。",
    "社工": "在 15 个街道设立社会工作站，每站每年运营经费 30 万元（3 名持证社工及活动经费）。",
    "助浴": "失能半失能老人上门助浴 1.5 万人次，每次 60 元（含两名护理员与耗材）。",
}


def _requirement(year: int, **over) -> dict:
    start = max(timezone.localdate(), dt.date(year, 12, 1))
    values = dict(
        content="为辖区 60 周岁以上老年人提供社区助餐服务，含堂食、送餐上门和特殊膳食。",
        standards="执行《老年人助餐服务规范》；每餐两荤两素，食品留样 48 小时；送餐 30 分钟内送达。",
        quantity="120 个助餐点，年服务不少于 28 万人次",
        recipients="郑州市 60 周岁以上老年人，优先失能、独居、高龄老人",
        place="郑州市金水区、二七区、中原区",
        term_start=start.isoformat(),
        term_end=f"{year + 1}-11-30",
        technical_guarantees="助餐信息系统实名刷卡结算；食品安全责任险；配送车辆温控。",
        goals="老年人就餐便利度和满意度明显提高",
        indicators="年服务人次：≥28万\n服务满意度：≥90%\n食品安全事故：0起",
    )
    values.update(over)
    return values


def load(orgs: dict) -> list[str]:
    dept = orgs["pur_zz_mz"]
    year = current_year()
    if BudgetLine.objects.filter(department=dept, fiscal_year=year).exists():
        return []
    purchaser = User.objects.get(username="purchaser")
    manager = User.objects.get(username="purchaser_mgr")
    finance = User.objects.get(username="finance_zz")
    common = {"functional_class": "2081002", "economic_class": "30227"}

    def line(name, item, amount, key, *, out=None, approve=True, submit=True, **fields):
        created = budgets.create_line(
            actor=purchaser,
            department=dept,
            fiscal_year=year,
            name=name,
            catalog_item=item,
            amount=amount,
            justification=JUSTIFICATION[key],
            out_years=[{"year": year + 1, "amount": out}] if out else [],
            **{**common, **fields},
        )
        if submit:
            budgets.submit_line(actor=purchaser, line=created)
        if approve:
            budgets.approve_line(actor=finance, line=created, note="同意")
        return created

    meals = line(
        "社区老年助餐服务",
        "A050101",
        "1200000.00",
        "助餐",
        out="1200000.00",
        procurement_budget="2400000.00",
        performance_goals="年服务不少于 28 万人次，满意度 ≥90%",
    )
    children = line(
        "困境儿童关爱保护服务",
        "A0401",
        "600000.00",
        "儿童",
        out="600000.00",
        procurement_budget="1200000.00",
        performance_goals="困境儿童走访覆盖率 100%",
    )
    line(
        "社区社会工作站运营",
        "B0302",
        "4500000.00",
        "社工",
        approve=False,
        out="4500000.00",
        procurement_budget="9000000.00",
        ex_ante_assessment=f"河南正衡绩效评价咨询有限公司事前绩效评估：立项必要、投入经济、方案可行（{year - 1}-09）。",
    )
    bath = line(
        "居家老人上门助浴服务",
        "A050102",
        "2000000.00",
        "助浴",
        out="400000.00",
        procurement_budget="2400000.00",
    )
    line(
        "居家老人上门助浴服务（二期）", "A050102", "300000.00", "助浴", approve=False, submit=False
    )
    budgets.propose_adjustment(
        actor=purchaser, line=children, amount_after="650000.00", reason="新增困境儿童 110 名"
    )

    if timezone.localdate() >= dt.date(year + 1, 11, 1):
        return ["budget lines"]  # the demo year's lines no longer fund a year of service
    # A purchase ready to start: requirements approved, method chosen (no approval needed).
    p = procurement.create_project(
        actor=purchaser,
        budget_line=meals,
        name=f"{year}-{year + 1} 年度社区老年助餐服务采购",
        amount="2400000.00",
        **_requirement(year),
    )
    procurement.submit_for_review(actor=purchaser, project=p)
    procurement.review_requirements(
        actor=manager,
        project=p,
        approve=True,
        complete=True,
        compliant=True,
        reasonable=True,
        note="需求完整，标准明确",
    )
    procurement.choose_method(actor=purchaser, project=p, method="competitive_consultation")
    # One under review, waiting for the manager.
    p = procurement.create_project(
        actor=purchaser,
        budget_line=children,
        name="困境儿童关爱保护服务采购",
        amount="1200000.00",
        **_requirement(
            year,
            content="为困境儿童提供走访探视、心理辅导、学业支持和个案管理服务。",
            quantity="1,350 名困境儿童，每人每季度走访不少于 1 次",
            recipients="郑州市困境儿童",
            indicators="走访覆盖率：100%\n服务满意度：≥90%",
        ),
    )
    procurement.submit_for_review(actor=purchaser, project=p)
    # Bathing bought in pieces that each stay under 郑州's 100万 threshold (B4).
    for i, amount in enumerate(("400000.00", "400000.00", "300000.00"), start=1):
        procurement.create_project(
            actor=purchaser,
            budget_line=bath,
            name=f"居家老人上门助浴服务（第{i}批）",
            amount=amount,
            **_requirement(
                year,
                content="为失能半失能老人提供上门助浴服务。",
                quantity="每批 5,000 人次",
                indicators="助浴人次：≥5000\n服务满意度：≥90%",
            ),
        )
    return ["budget lines", "purchases"]
