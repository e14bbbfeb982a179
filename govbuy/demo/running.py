"""Demo purchases under way and done, run through the same services as real ones.

- 居家养老上门服务采购 (open tender, 1,600,000 元): a complete history in 2026 —
  intention (3 Aug), notice (15 Sep), four bids, opening across National Day
  (12 Oct), one bid found invalid for false certificates, a five-member panel
  whose SME price deduction puts the small enterprise first, award and result
  (13 Oct, savings rate recorded), the invalid bidder's serious breach recorded
  (16 Oct, S9), then a question → answer → complaint → suspension → decision
  thread.
- 老年人能力综合评估服务采购 (open tender, 1,200,000 元, item 老年人能力综合评估 —
  not 助餐服务, whose purchases it would otherwise join in the splitting check,
  B4), on the current year's budget: its notice published today, three bids
  (the method's minimum) received and sealed until the opening, which then
  succeeds. Its deadlines are working days: in a year whose holiday arrangements
  are not entered yet (core.calendar) it is not loaded, and load_demo says so, as
  the finance workbench does.

The platform decides by the server's clock, so the history is replayed at the
dates it happened by moving the clock (time-machine, installed with the
development set-up that `make run` uses). Without it, or before those dates,
only the present-day purchase is loaded. Idempotent.
"""

from __future__ import annotations

import contextlib
import datetime as dt

from django.utils import timezone

from govbuy.accounts.models import User
from govbuy.budgets import services as budgets
from govbuy.catalog.models import DepartmentCatalogItem
from govbuy.challenges import services as challenge_services
from govbuy.core.calendar import years_without_calendar
from govbuy.procurement import services
from govbuy.procurement.models import PurchaseProject
from govbuy.tendering import services as tendering_services

from . import providers as demo_providers
from .catalog import HISTORY_DONE, current_year
from .catalog import HISTORY_YEAR as YEAR
from .staff import staff

HISTORY_NAME = "2026年居家养老上门服务采购"


def live_name(year: int) -> str:
    """The open purchase of the current year's budget, for the service of the next."""
    return f"{year + 1}年老年人能力综合评估服务采购"


REQUIREMENT = dict(
    standards="执行《居家养老上门服务基本规范》；服务人员持证上岗；每次服务留痕可查。",
    quantity="2,000 名居家老人，每人每月上门服务不少于 4 次",
    recipients="郑州市金水区、二七区 80 周岁以上独居、失能老人",
    place="郑州市金水区、二七区",
    technical_guarantees="服务过程定位打卡与照片留存；雇主责任险；24 小时应急响应。",
    goals="居家老人生活照料需求得到及时满足",
    indicators="上门服务人次：≥9.6万\n服务对象满意度：≥90%\n投诉办结率：100%",
)
CRITERIA = [
    {"name": "服务方案", "points": "40", "description": "服务流程、质量控制与应急预案"},
    {"name": "人员与经验", "points": "30", "description": "持证护理员数量与同类项目业绩"},
]


@contextlib.contextmanager
def _at(moment: str):
    import time_machine

    with time_machine.travel(timezone.make_aware(dt.datetime.fromisoformat(moment)), tick=False):
        yield


def _users(*names):
    return [User.objects.get(username=n) for n in names]


def _item(dept, code, year):
    return DepartmentCatalogItem.objects.get(
        department_catalog__organization=dept, department_catalog__year=year, code=code
    )


def _project(dept, purchaser, manager, finance, *, name, item, amount, content, method, year):
    line = budgets.create_line(
        actor=purchaser,
        department=dept,
        fiscal_year=year,
        name=name.replace("采购", ""),
        catalog_item=_item(dept, item, year),
        amount=str(int(amount) * 2) + ".00",
        functional_class="2081002",
        economic_class="30227",
        justification="按服务对象人数与上门服务单价测算（民政局 2025 年统计）。",
        procurement_budget=str(int(amount) * 2) + ".00",
        out_years=[{"year": year + 1, "amount": amount + ".00"}],
    )
    budgets.submit_line(actor=purchaser, line=line)
    budgets.approve_line(actor=finance, line=line, note="同意")
    project = services.create_project(
        actor=purchaser,
        budget_line=line,
        name=name,
        amount=amount + ".00",
        content=content,
        term_start=f"{year + 1}-01-01",
        term_end=f"{year + 1}-12-31",
        **REQUIREMENT,
    )
    services.submit_for_review(actor=purchaser, project=project)
    services.review_requirements(
        actor=manager,
        project=project,
        approve=True,
        complete=True,
        compliant=True,
        reasonable=True,
        note="需求完整，标准明确",
    )
    return services.choose_method(actor=purchaser, project=project, method=method)


def _history(orgs) -> None:
    dept = orgs["pur_zz_mz"]
    purchaser, manager, finance = _users("purchaser", "purchaser_mgr", "finance_zz")
    yikang, chenxi, zhongyuan = orgs["pro_yikang"], orgs["pro_chenxi"], orgs["pro_zhongyuan"]
    u_yikang, u_chenxi, u_zhongyuan = _users("provider", "provider_sw", "provider_zy")
    panel = _users("expert", "expert2", "expert3", "expert4", "purchaser_mgr")
    with _at(f"{YEAR}-08-03 09:00"):
        project = _project(
            dept,
            purchaser,
            manager,
            finance,
            name=HISTORY_NAME,
            # Bathing, cleaning, walking, errands: home care as a whole, not 助浴 alone.
            item="A0501",
            amount="1600000",
            content="为居家独居、失能老人提供助浴、助洁、助行、代办等上门服务。",
            method="open_tender",
            year=YEAR,
        )
        tendering_services.publish_intention(
            actor=purchaser, project=project, expected_on=f"{YEAR}-09-15"
        )
    with _at(f"{YEAR}-09-15 10:00"):
        tender = tendering_services.start_round(
            actor=purchaser,
            project=project,
            bid_deadline=f"{YEAR}-10-12T09:30",
            price_weight="30",
            criteria=CRITERIA,
            sme_deduction="0.10",
            qualification="具有独立承担民事责任的能力；近三年经营活动中无重大违法记录。",
            documents="招标文件：服务内容与标准、评分办法（综合评分法：价格 30 分，服务方案 40 分，人员与经验 30 分）。",
        )
    with _at(f"{YEAR}-10-09 15:00"):
        text = "服务方案：分片区组建上门服务队，配备持证护理员，服务全程定位打卡。"
        bids = {
            "large": tendering_services.submit_bid(
                actor=u_zhongyuan,
                tender=tender,
                provider=zhongyuan,
                price="1380000.00",
                technical_response=text,
                sme_size=zhongyuan.sme_size,
            ),
            "small": tendering_services.submit_bid(
                actor=u_yikang,
                tender=tender,
                provider=yikang,
                price="1480000.00",
                technical_response=text,
                sme_size=yikang.sme_size,
            ),
            "social": tendering_services.submit_bid(
                actor=u_chenxi,
                tender=tender,
                provider=chenxi,
                price="1450000.00",
                technical_response=text,
            ),
        }
        anjie = orgs[demo_providers.EXCLUDED]
        false_bid = tendering_services.submit_bid(
            actor=staff(anjie, "provider"),
            tender=tender,
            provider=anjie,
            price="1520000.00",
            technical_response=text + "（附护理员资格证书 12 份）",
            sme_size=anjie.sme_size,
        )
    with _at(f"{YEAR}-10-12 09:30"):
        tender = tendering_services.open_bids(actor=purchaser, tender=tender)
        for provider, user in ((zhongyuan, u_zhongyuan), (yikang, u_yikang), (chenxi, u_chenxi)):
            tendering_services.respond_to_opening(
                actor=user, tender=tender, provider=provider, confirm=True
            )
    with _at(f"{YEAR}-10-12 10:15"):
        tendering_services.review_bid(
            actor=purchaser,
            bid=false_bid,
            valid=False,
            reason="资格审查：所附护理员资格证书经发证机关核查不实。",
        )
    with _at(f"{YEAR}-10-12 10:30"):
        tendering_services.appoint_panel(
            actor=purchaser, tender=tender, members=panel, chair=panel[0]
        )
        criteria = list(tender.criteria.all())
        points = {"large": ("35", "26"), "small": ("34", "26.5"), "social": ("33", "25")}
        for user in panel:
            tendering_services.declare_no_conflict(actor=user, tender=tender)
            tendering_services.submit_scores(
                actor=user,
                tender=tender,
                scores={
                    bids[k].pk: {criteria[0].pk: plan, criteria[1].pk: team}
                    for k, (plan, team) in points.items()
                },
            )
    with _at(f"{YEAR}-10-13 10:00"):
        tender.refresh_from_db()
        tendering_services.confirm_award(actor=purchaser, tender=tender)
        tendering_services.publish_result(actor=purchaser, tender=tender)
    with _at(f"{YEAR}-10-15 11:00"):
        question = challenge_services.file_question(
            actor=u_zhongyuan,
            tender=tender,
            provider=zhongyuan,
            subject="result",
            content="中标供应商享受小微企业价格扣除，请核实其中小企业声明函是否真实。",
        )
    with _at(f"{YEAR}-10-16 10:00"):
        demo_providers.record_breach(orgs, project, on=dt.date(YEAR, 10, 16))
    with _at(f"{YEAR}-10-20 16:00"):
        challenge_services.answer_question(
            actor=purchaser,
            question=question,
            answer="经核查营业收入与从业人员数据，中标供应商属小型企业，声明属实，维持评审结果。",
        )
    with _at(f"{YEAR}-10-22 09:00"):
        complaint = challenge_services.file_complaint(
            actor=u_zhongyuan,
            question=question,
            content="对质疑答复不满意，请求财政部门核查中标供应商的企业规模。",
        )
    with _at(f"{YEAR}-10-23 10:00"):
        challenge_services.review_complaint(actor=finance, complaint=complaint, accept=True)
        challenge_services.suspend_purchase(actor=finance, complaint=complaint, days=14)
    with _at(f"{YEAR}-11-05 10:00"):
        challenge_services.decide_complaint(
            actor=finance,
            complaint=complaint,
            upheld=False,
            text="经调取税务与社保数据，中标供应商从业人员 86 人、营业收入 2,100 万元，属小型企业；投诉缺乏事实依据，予以驳回。",
        )


def _live(orgs, year: int) -> None:
    dept = orgs["pur_zz_mz"]
    purchaser, manager, finance = _users("purchaser", "purchaser_mgr", "finance_zz")
    now = timezone.localtime()
    with _at((now - dt.timedelta(days=35)).strftime("%Y-%m-%d 09:00")):
        project = _project(
            dept,
            purchaser,
            manager,
            finance,
            name=live_name(year),
            item="A0506",
            amount="1200000",
            content="对申请养老服务补贴的老年人开展能力综合评估，出具评估报告并动态复评。",
            method="open_tender",
            year=year,
        )
        tendering_services.publish_intention(
            actor=purchaser, project=project, expected_on=now.date().isoformat()
        )
    deadline = (now + dt.timedelta(days=22)).replace(hour=9, minute=30, second=0, microsecond=0)
    tender = tendering_services.start_round(
        actor=purchaser,
        project=project,
        bid_deadline=deadline,
        price_weight="30",
        criteria=CRITERIA,
        sme_deduction="0.10",
        qualification="具有独立承担民事责任的能力；评估人员具备相应资格。",
        documents="招标文件：评估标准执行《老年人能力评估规范》（GB/T 42195-2022）。",
    )
    # As many bids as an open tender needs to open (three): it does not fail (流标).
    prices = {"pro_yikang": "1100000.00", "pro_chenxi": "1150000.00", "pro_zhongyuan": "1080000.00"}
    for username, key in (
        ("provider", "pro_yikang"),
        ("provider_sw", "pro_chenxi"),
        ("provider_zy", "pro_zhongyuan"),
    ):
        provider = orgs[key]
        tendering_services.submit_bid(
            actor=User.objects.get(username=username),
            tender=tender,
            provider=provider,
            price=prices[key],
            technical_response="评估团队 12 人，均持老年人能力评估师证书；入户评估并出具报告。",
            sme_size=provider.sme_size if provider.org_type == "enterprise" else "",
        )


def load(orgs) -> list[str]:
    dept = orgs["pur_zz_mz"]
    done = []
    try:
        import time_machine  # noqa: F401
    except ImportError:  # a production install without the development tools
        time_travel = False
    else:
        time_travel = True
    history = PurchaseProject.objects.filter(department=dept, name=HISTORY_NAME).exists()
    if time_travel and not history and timezone.localdate() >= HISTORY_DONE:
        _history(orgs)
        done.append("purchase history")
    year = current_year()
    live = PurchaseProject.objects.filter(department=dept, name=live_name(year)).exists()
    missing = years_without_calendar(timezone.localdate())
    if time_travel and not live and year in missing:
        # Its deadlines cannot be computed: say so rather than guess (or fail).
        done.append(
            f"no open purchase: the {year} holiday arrangements have not been entered yet "
            "(/calendar/)"
        )
    elif time_travel and not live:
        _live(orgs, year)
        done.append("open purchase")
    return done
