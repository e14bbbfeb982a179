"""Purchase projects through their services: creation from an approved line
(B1, screening, P6, P9), splitting (B4), requirements and their review (P7,
B5), the method and its approval (P2, P3, P6), cancellation."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from govbuy.budgets.models import BudgetLine
from govbuy.core.errors import ApplicationError, InvalidInput, InvalidState, NotAllowed
from govbuy.core.models import AuditEvent
from govbuy.core.rules import RuleViolation
from govbuy.procurement import services
from govbuy.procurement.models import (
    MethodApproval,
    ProjectStatus,
    PurchaseProject,
    Requirement,
    SplitFlag,
)

D = Decimal


def rule_ids(exc_info):
    return [v.rule for v in exc_info.value.violations]


def requirement(year, **over):
    values = dict(
        content="为辖区 60 岁以上老年人提供助餐服务，含堂食与送餐上门",
        standards="符合《老年人助餐服务规范》，餐食留样 48 小时",
        quantity="120 个助餐点，年服务 3 万人次",
        recipients="辖区 60 岁以上老年人",
        place="郑州市金水区",
        term_start=f"{year + 1}-01-01",
        term_end=f"{year + 1}-12-31",
        technical_guarantees="助餐信息系统实名刷卡，食品安全责任险",
        goals="老年人就餐便利度提高",
        indicators="服务人次：≥3万\n服务满意度：≥90%",
    )
    values.update(over)
    return values


def project(buying, line=None, amount="300000.00", name="老年助餐服务采购", actor=None, **over):
    line = line or buying.line("1000000.00", out_years=[{"year": buying.year + 1, "amount": "1"}])
    fields = requirement(buying.year, **over)
    flags = {
        k: fields.pop(k)
        for k in ("intended_provider", "voucher", "emergency", "emergency_reason")
        if k in fields
    }
    return services.create_project(
        actor=actor or buying.purchaser,
        budget_line=line,
        name=name,
        amount=amount,
        **flags,
        **fields,
    )


def funded_line(buying, amount="500000.00"):
    """An approved line that funds this year and next (the service term is next year)."""
    return buying.line(amount, out_years=[{"year": buying.year + 1, "amount": "1"}])


# --- creation -------------------------------------------------------------------------------


def test_create_commits_the_money_and_is_audited(buying):
    line = funded_line(buying, "1000000.00")
    p = project(buying, line, "300000.00")
    line.refresh_from_db()
    assert line.committed == D("300000.00")
    assert p.status == ProjectStatus.DRAFT
    assert p.started_on == timezone.localdate()
    # The guidance item the department's 助餐服务 falls within (screening and B4 compare it).
    assert p.catalog_code == buying.item.guidance_item.code
    assert p.catalog_name == "助餐服务"
    assert p.requirement.place == "郑州市金水区"
    assert AuditEvent.objects.latest("seq").action == "procurement.project.create"
    assert services.committed_by_projects(line) == line.committed


def test_b1_no_approved_line_no_purchase(buying):
    line = buying.line("1000000.00", approve=False)
    with pytest.raises(RuleViolation) as exc:
        project(buying, line)
    assert rule_ids(exc) == ["B1"]
    assert not PurchaseProject.objects.exists()


@pytest.mark.parametrize(
    "amount, ok", [("999999.99", True), ("1000000.00", True), ("1000000.01", False)]
)
def test_b1_not_more_than_the_line_holds(buying, amount, ok):
    line = buying.line("999999.00", out_years=[{"year": buying.year + 1, "amount": "1.00"}])
    if ok:
        project(buying, line, amount)
        return
    with pytest.raises(RuleViolation) as exc:
        project(buying, line, amount)
    assert rule_ids(exc) == ["B1"]
    assert exc.value.violations[0].field == "amount"
    line.refresh_from_db()
    assert line.committed == 0
    assert not PurchaseProject.objects.exists()


def test_other_departments_cannot_buy_on_the_line(buying):
    line = funded_line(buying)
    for outsider in (buying.other_purchaser, buying.finance, buying.auditor):
        with pytest.raises(NotAllowed):
            project(buying, line, actor=outsider)


def test_bad_input_lists_every_field_and_saves_nothing(buying):
    line = funded_line(buying)
    with pytest.raises(InvalidInput) as exc:
        services.create_project(
            actor=buying.purchaser,
            budget_line=line,
            name="",
            amount="-3",
            term_start="2027-13-01",
            term_end="2027-01-01",
        )
    assert {e["field"] for e in exc.value.errors} == {"name", "amount", "term_start"}
    line.refresh_from_db()
    assert line.committed == 0


def test_screening_blocks_barred_content_on_creation(buying):
    line = funded_line(buying)
    with pytest.raises(RuleViolation) as exc:
        project(buying, line, name="街道劳务派遣服务")
    assert "C2" in rule_ids(exc)
    line.refresh_from_db()
    assert line.committed == 0
    p = project(buying, line, name="老年人融资贷款咨询服务")
    assert "C9" in [w["rule"] for w in p.warnings]


def test_p9_emergency_is_recorded_with_its_reason(buying):
    line = funded_line(buying)
    with pytest.raises(RuleViolation) as exc:
        project(buying, line, emergency=True, emergency_reason=" ")
    assert rule_ids(exc) == ["P9"]
    p = project(buying, line, emergency=True, emergency_reason="特大暴雨后集中安置老人用餐")
    assert p.emergency and p.emergency_reason
    assert AuditEvent.objects.latest("seq").data["emergency"] is True


def test_p6_only_the_departments_own_public_welfare_2_unit(buying, make_org):
    line = funded_line(buying)
    own = make_org(
        "郑州市养老服务指导中心（测）",
        "410100",
        org_type="public_institution",
        institution_class="public_welfare_2",
        competent_department=buying.dept,
        is_provider=True,
    )
    other = make_org(
        "郑州市就业服务中心（测）",
        "410100",
        org_type="public_institution",
        institution_class="public_welfare_2",
        competent_department=buying.other,
        is_provider=True,
    )
    class1 = make_org(
        "郑州市疾控中心（测）",
        "410100",
        org_type="public_institution",
        institution_class="public_welfare_1",
        competent_department=buying.dept,
    )
    for unit in (other, class1):
        with pytest.raises(RuleViolation) as exc:
            project(buying, line, intended_provider=unit)
        assert rule_ids(exc) == ["P6"]
    p = project(buying, line, "300000.00", intended_provider=own)
    assert p.intended_provider == own


# --- splitting (B4) -----------------------------------------------------------------------


def test_b4_pieces_under_the_threshold_are_flagged_for_finance(buying):
    line = funded_line(buying, "2000000.00")
    first = project(buying, line, "400000.00")
    second = project(buying, line, "400000.00")
    assert not first.warnings and not second.warnings
    third = project(buying, line, "200000.00")
    assert [w["rule"] for w in third.warnings] == ["B4"]
    flag = SplitFlag.objects.get()
    assert flag.threshold == D("1000000.00")
    assert flag.total == D("1000000.00")
    assert set(flag.projects.all()) == {first, second, third}
    assert flag.department == buying.dept
    # The finance bureau of the region sees it and clears it with a note.
    assert SplitFlag.objects.visible_to(buying.finance).count() == 1
    assert SplitFlag.objects.visible_to(buying.finance_ly).count() == 0
    with pytest.raises(NotAllowed):
        services.clear_split_flag(actor=buying.purchaser, flag=flag, note="x")
    services.clear_split_flag(actor=buying.finance, flag=flag, note="两次为不同街道，已核实")
    flag.refresh_from_db()
    assert flag.status == "cleared"


def test_b4_cancelled_purchases_do_not_count(buying):
    line = funded_line(buying, "2000000.00")
    first = project(buying, line, "600000.00")
    services.cancel_project(actor=buying.purchaser, project=first, reason="需求变更")
    again = project(buying, line, "600000.00")
    assert not again.warnings
    assert not SplitFlag.objects.exists()


# --- requirements and their review (P7) ---------------------------------------------------


def test_p7_incomplete_requirements_are_refused_per_field(buying):
    p = project(buying, content="", standards=" ", technical_guarantees="", indicators="")
    with pytest.raises(RuleViolation) as exc:
        services.submit_for_review(actor=buying.purchaser, project=p)
    assert set(rule_ids(exc)) == {"P7"}
    fields = {v.field for v in exc.value.violations}
    assert {"content", "standards", "technical_guarantees", "indicators"} <= fields
    p.refresh_from_db()
    assert p.status == ProjectStatus.DRAFT


def test_b5_term_beyond_the_lines_plan_is_refused(buying):
    line = buying.line("1000000.00")  # this year only
    with pytest.raises(RuleViolation) as exc:
        project(
            buying, line, term_start=f"{buying.year}-12-31", term_end=f"{buying.year + 1}-06-30"
        )
    assert rule_ids(exc) == ["B5"]
    assert exc.value.violations[0].field == "term_end"
    # A draft stored before the rule is held to it when submitted.
    p = project(buying, line, term_start=f"{buying.year}-12-31", term_end=f"{buying.year}-12-31")
    Requirement.objects.filter(project=p).update(term_end=dt.date(buying.year + 1, 6, 30))
    with pytest.raises(RuleViolation) as exc:
        services.submit_for_review(actor=buying.purchaser, project=p)
    assert rule_ids(exc) == ["B5"]


def test_review_by_a_manager_other_than_the_submitter(buying, make_user):
    from govbuy.accounts import services as accounts

    p = project(buying)
    services.submit_for_review(actor=buying.purchaser, project=p)
    with pytest.raises(NotAllowed):
        services.review_requirements(actor=buying.purchaser, project=p, approve=True)
    # A manager who submitted may not review their own submission.
    boss = make_user()
    accounts.add_membership(
        actor="test", user=boss, organization=buying.dept, role="purchaser", is_manager=True
    )
    p2 = project(buying, actor=boss)
    services.submit_for_review(actor=boss, project=p2)
    with pytest.raises(NotAllowed):
        services.review_requirements(
            actor=boss, project=p2, approve=True, complete=True, compliant=True, reasonable=True
        )
    with pytest.raises(RuleViolation) as exc:
        services.review_requirements(
            actor=buying.manager, project=p, approve=True, complete=True, compliant=True
        )
    assert rule_ids(exc) == ["P7"]
    with pytest.raises(RuleViolation):
        services.review_requirements(actor=buying.manager, project=p, approve=False, note="")
    services.review_requirements(
        actor=buying.manager, project=p, approve=False, note="服务标准需细化到每餐营养要求"
    )
    p.refresh_from_db()
    assert p.status == ProjectStatus.DRAFT
    services.update_project(
        actor=buying.purchaser, project=p, standards="每餐两荤两素，符合营养配餐标准"
    )
    services.submit_for_review(actor=buying.purchaser, project=p)
    review = services.review_requirements(
        actor=buying.manager,
        project=p,
        approve=True,
        complete=True,
        compliant=True,
        reasonable=True,
    )
    p.refresh_from_db()
    assert p.status == ProjectStatus.APPROVED
    assert review.reviewer == buying.manager
    assert list(p.reviews.values_list("decision", flat=True)) == ["approved", "returned"]


def test_screening_runs_again_at_approval(buying):
    from govbuy.catalog import services as catalog

    p = project(buying, content="为老年人提供助餐服务及社区食堂托管")
    services.submit_for_review(actor=buying.purchaser, project=p)
    # Meanwhile 郑州's finance bureau bars canteen outsourcing locally.
    catalog.save_negative_item(
        actor=buying.finance,
        region=buying.zz.region,
        clause="local",
        title="食堂托管",
        description="机关食堂托管不属于政府购买服务",
        basis="郑州市负面清单（测试）",
        phrases="食堂托管",
    )
    with pytest.raises(RuleViolation) as exc:
        services.review_requirements(
            actor=buying.manager,
            project=p,
            approve=True,
            complete=True,
            compliant=True,
            reasonable=True,
        )
    assert "C7" in rule_ids(exc)
    p.refresh_from_db()
    assert p.status == ProjectStatus.REVIEW


def test_draft_edits_move_the_commitment(buying):
    line = buying.line("1000000.00", out_years=[{"year": buying.year + 1, "amount": "1"}])
    p = project(buying, line, "300000.00")
    services.update_project(actor=buying.purchaser, project=p, amount="500000.00")
    line.refresh_from_db()
    assert line.committed == D("500000.00")
    services.update_project(actor=buying.purchaser, project=p, amount="100000.00")
    line.refresh_from_db()
    assert line.committed == D("100000.00")
    with pytest.raises(RuleViolation) as exc:
        services.update_project(actor=buying.purchaser, project=p, amount="1000001.01")
    assert rule_ids(exc) == ["B1"]
    line.refresh_from_db()
    assert line.committed == D("100000.00")


# --- the method -----------------------------------------------------------------------------


def approved(buying, amount="300000.00", line=None, **over):
    p = project(buying, line, amount, **over)
    services.submit_for_review(actor=buying.purchaser, project=p)
    services.review_requirements(
        actor=buying.manager,
        project=p,
        approve=True,
        complete=True,
        compliant=True,
        reasonable=True,
    )
    p.refresh_from_db()
    return p


def test_method_must_be_allowed(buying):
    p = project(buying)
    with pytest.raises(InvalidState):
        services.choose_method(actor=buying.purchaser, project=p, method="competitive_review")
    p = approved(buying)  # 30万 in 郑州: below 100万, outside the law
    with pytest.raises(RuleViolation) as exc:
        services.choose_method(actor=buying.purchaser, project=p, method="open_tender")
    assert rule_ids(exc) == ["P3"]
    with pytest.raises(RuleViolation) as exc:
        services.choose_method(actor=buying.purchaser, project=p, method="direct_commission")
    assert rule_ids(exc) == ["P6"]
    p = services.choose_method(actor=buying.purchaser, project=p, method="competitive_review")
    assert p.method_approval == MethodApproval.NOT_NEEDED
    assert p.can_start
    assert p.method_decision["procurement_law_applies"] is False


def test_change_of_method_waits_for_the_finance_bureau(buying):
    line = buying.line("4500000.00", out_years=[{"year": buying.year + 1, "amount": "1"}])
    p = approved(buying, "4200000.00", line)  # ≥ 400万 in 郑州: open tender
    with pytest.raises(RuleViolation) as exc:
        services.choose_method(actor=buying.purchaser, project=p, method="competitive_review")
    assert rule_ids(exc) == ["P2"]
    with pytest.raises(ApplicationError) as exc:
        services.choose_method(actor=buying.purchaser, project=p, method="competitive_consultation")
    assert exc.value.field == "method_reason"
    p = services.choose_method(
        actor=buying.purchaser,
        project=p,
        method="competitive_consultation",
        reason="专业养老服务市场主体有限，需多轮磋商",
    )
    assert p.method_approval == MethodApproval.PENDING and not p.can_start
    with pytest.raises(NotAllowed):
        services.decide_method(actor=buying.finance_hn, project=p, approve=True)
    with pytest.raises(ApplicationError) as exc:
        services.decide_method(actor=buying.finance, project=p, approve=False, note="")
    assert exc.value.field == "method_decision_note"
    p = services.decide_method(actor=buying.finance, project=p, approve=True, note="同意变更")
    assert p.method_approval == MethodApproval.APPROVED and p.can_start
    with pytest.raises(InvalidState):
        services.choose_method(actor=buying.purchaser, project=p, method="open_tender")


def test_open_tender_above_the_threshold_needs_no_approval(buying):
    line = buying.line("4500000.00", out_years=[{"year": buying.year + 1, "amount": "1"}])
    p = approved(buying, "4000000.00", line)
    p = services.choose_method(actor=buying.purchaser, project=p, method="open_tender")
    assert p.method_approval == MethodApproval.NOT_NEEDED


def test_cancel_releases_the_money(buying):
    line = buying.line("1000000.00", out_years=[{"year": buying.year + 1, "amount": "1"}])
    p = approved(buying, "800000.00", line)
    with pytest.raises(ApplicationError) as exc:
        services.cancel_project(actor=buying.purchaser, project=p, reason="")
    assert exc.value.field == "reason"
    services.cancel_project(actor=buying.purchaser, project=p, reason="政策调整")
    line.refresh_from_db()
    assert line.committed == 0
    with pytest.raises(InvalidState):
        services.cancel_project(actor=buying.purchaser, project=p, reason="again")
    assert BudgetLine.objects.get(pk=line.pk).committed == services.committed_by_projects(line)


def test_b4_later_pieces_join_the_open_flag(buying):
    line = funded_line(buying, "3000000.00")
    pieces = [project(buying, line, "400000.00") for _ in range(4)]
    flag = SplitFlag.objects.get()
    assert set(flag.projects.all()) == set(pieces)
    assert flag.total == D("1600000.00")
    assert [w["rule"] for w in pieces[3].warnings] == ["B4"]


def test_cancelling_a_piece_shrinks_its_flag_and_withdraws_a_pending_method(buying):
    line = funded_line(buying, "3000000.00")
    pieces = [project(buying, line, "400000.00") for _ in range(3)]
    services.cancel_project(actor=buying.purchaser, project=pieces[0], reason="合并采购")
    flag = SplitFlag.objects.get()
    assert set(flag.projects.all()) == set(pieces[1:])
    assert flag.total == D("800000.00")
    # Editing text keeps the B4 warning; only a new amount re-judges it.
    services.update_project(actor=buying.purchaser, project=pieces[2], place="郑州市二七区")
    pieces[2].refresh_from_db()
    assert [w["rule"] for w in pieces[2].warnings] == ["B4"]

    big = buying.line("4500000.00", out_years=[{"year": buying.year + 1, "amount": "1"}])
    p = approved(buying, "4200000.00", big)
    services.choose_method(
        actor=buying.purchaser, project=p, method="single_source", reason="唯一供应商"
    )
    services.cancel_project(actor=buying.purchaser, project=p, reason="取消")
    p.refresh_from_db()
    assert p.method_approval == MethodApproval.NOT_CHOSEN
    with pytest.raises(InvalidState):
        services.decide_method(actor=buying.finance, project=p, approve=True)


def test_screening_hits_point_at_the_form_fields(buying):
    with pytest.raises(RuleViolation) as exc:
        project(buying, content="含社区办公楼维修改造工程")
    assert {v.field for v in exc.value.violations} == {"content"}
    with pytest.raises(RuleViolation) as exc:
        project(buying, name="劳务派遣服务")
    assert {v.field for v in exc.value.violations} == {"name"}
