"""Budget lines through their services: filing, submission (B2, B3, B5, B7, C5,
screening), the finance bureau's decision, adjustments (B6) and commitments (B1)."""

from decimal import Decimal

import pytest

from govbuy.budgets import services
from govbuy.budgets.models import AdjustmentStatus, BudgetLine, BudgetLineStatus
from govbuy.core.errors import ApplicationError, InvalidInput, InvalidState, NotAllowed
from govbuy.core.models import AuditEvent
from govbuy.core.rules import RuleViolation

D = Decimal


def rule_ids(exc_info):
    return [v.rule for v in exc_info.value.violations]


def draft(buying, amount="500000.00", **fields):
    return buying.line(amount, approve=False, **fields)


# --- filing ----------------------------------------------------------------------------


def test_create_line_stores_everything_and_is_audited(buying):
    before = AuditEvent.objects.count()
    line = draft(
        buying,
        "600000.00",
        out_years=[{"year": buying.year + 1, "amount": "650000"}],
        fund_nature="government_fund",
        performance_goals="覆盖 120 个助餐点",
    )
    assert line.status == BudgetLineStatus.DRAFT
    assert line.total == D("1250000.00")
    assert line.committed == D("0")
    assert [(y.year, y.amount) for y in line.out_years.all()] == [(buying.year + 1, D("650000"))]
    assert line.region_id == buying.dept.region_id
    assert line.code.startswith(f"YS{buying.year}-")
    assert AuditEvent.objects.count() == before + 1
    assert AuditEvent.objects.latest("seq").action == "budgets.line.create"


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"name": ""}, "name"),
        ({"amount": "-5"}, "amount"),
        ({"amount": "0"}, "amount"),
        ({"amount": "12.345"}, "amount"),
        ({"amount": "abc"}, "amount"),
        ({"functional_class": "20810"}, None),  # 5 digits is a valid 类款
        ({"functional_class": "2a81002"}, "functional_class"),
        ({"economic_class": "3022"}, "economic_class"),
        ({"fund_nature": "cash"}, "fund_nature"),
        ({"catalog_item": "Z999"}, "catalog_item"),
        ({"out_years": [{"year": "next", "amount": "1"}]}, "out_years.0.year"),
        ({"out_years": [{"year": 2099, "amount": "-1"}]}, "out_years.0.amount"),
    ],
)
def test_bad_fields_are_refused_with_the_field_and_nothing_is_saved(buying, fields, field):
    count = BudgetLine.objects.count()
    kwargs = {"amount": "500000.00", **fields}
    amount = kwargs.pop("amount")
    if field is None:
        buying.line(amount, approve=False, **kwargs)
        return
    with pytest.raises(InvalidInput) as exc:
        buying.line(amount, approve=False, **kwargs)
    assert field in [e["field"] for e in exc.value.errors]
    assert BudgetLine.objects.count() == count


def test_b2_the_catalog_is_no_reason_to_ask_for_money(buying):
    with pytest.raises(RuleViolation) as exc:
        draft(buying, justification="该事项已纳入政府购买服务指导性目录")
    assert rule_ids(exc) == ["B2"]
    assert exc.value.violations[0].field == "justification"
    assert not BudgetLine.objects.exists()


def test_b5_out_years_stay_within_the_three_year_plan(buying):
    y = buying.year
    draft(buying, out_years=[{"year": y + 1, "amount": "1"}, {"year": y + 2, "amount": "1"}])
    with pytest.raises(RuleViolation) as exc:
        draft(buying, out_years=[{"year": y + 3, "amount": "1"}])
    assert rule_ids(exc) == ["B5"]


def test_only_the_departments_purchasers_file_lines(buying):
    with pytest.raises(NotAllowed):
        services.create_line(
            actor=buying.other_purchaser,
            department=buying.dept,
            fiscal_year=buying.year,
            name="x",
            amount="1",
        )
    with pytest.raises(NotAllowed):
        services.create_line(
            actor=buying.finance,
            department=buying.dept,
            fiscal_year=buying.year,
            name="x",
            amount="1",
        )


def test_fiscal_year_out_of_range_is_a_field_error(buying):
    with pytest.raises(ApplicationError) as exc:
        services.create_line(
            actor=buying.purchaser,
            department=buying.dept,
            fiscal_year=buying.year + 5,
            name="x",
            amount="1",
        )
    assert exc.value.field == "fiscal_year"


def _year_refused(buying, fiscal_year) -> bool:
    """Whether filing a line for `fiscal_year` is refused beside the fiscal year."""
    try:
        services.create_line(
            actor=buying.purchaser,
            department=buying.dept,
            fiscal_year=fiscal_year,
            name="x",
            amount="1",
        )
    except InvalidInput as exc:
        return "fiscal_year" in {e["field"] for e in exc.errors}
    except ApplicationError as exc:
        return exc.field == "fiscal_year"
    return False


@pytest.mark.parametrize(
    "year, refused",
    [(1999, True), (2000, False), ("now", False), ("next", False), ("after next", True)],
)
def test_fiscal_year_plausible_edges(buying, year, refused):
    """From the earliest plausible year (2000) to next year, whose budget is being
    drawn up; the others are refused beside the field (2000 then fails on other
    fields: no catalog of that year)."""
    year = {"now": buying.year, "next": buying.year + 1, "after next": buying.year + 2}.get(
        year, year
    )
    assert _year_refused(buying, year) is refused


def test_fiscal_year_bounds_are_policy_parameters(buying):
    import datetime as dt

    from govbuy.core import services as core

    assert _year_refused(buying, buying.year + 2)
    assert not _year_refused(buying, 2000)
    zz = buying.dept.region
    for key, value in (("budget.years_ahead", "2"), ("plausibility.earliest_year", "2010")):
        core.set_policy_parameter(
            actor="test",
            key=key,
            value=value,
            effective_from=dt.date(buying.year, 1, 1),
            basis="测试",
            region=zz,
        )
    assert not _year_refused(buying, buying.year + 2)
    assert _year_refused(buying, buying.year + 3)
    assert _year_refused(buying, 2009)


# --- submission --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "amount, refused, required",
    [("999999.99", False, False), ("1000000.00", True, True), ("1000000.01", True, True)],
)
def test_b3_procurement_budget_at_the_zhengzhou_threshold(buying, amount, refused, required):
    line = draft(buying, amount, procurement_budget=None)
    if refused:
        with pytest.raises(RuleViolation) as exc:
            services.submit_line(actor=buying.purchaser, line=line)
        assert rule_ids(exc) == ["B3"]
        assert "豫财购〔2020〕4号" in exc.value.violations[0].message
        line.refresh_from_db()
        assert line.status == BudgetLineStatus.DRAFT
        services.update_line(actor=buying.purchaser, line=line, procurement_budget=amount)
    line = services.submit_line(actor=buying.purchaser, line=line)
    assert line.procurement_budget_required is required


def test_b3_centralized_catalog_needs_a_procurement_budget_whatever_the_amount(buying):
    line = draft(buying, "5000.00", procurement_budget=None, centralized_catalog=True)
    with pytest.raises(RuleViolation) as exc:
        services.submit_line(actor=buying.purchaser, line=line)
    assert rule_ids(exc) == ["B3"]


@pytest.mark.parametrize(
    "amount, is_new, refused",
    [
        ("4999999.99", True, False),
        ("5000000.00", True, True),
        ("5000000.01", True, True),
        ("5000000.00", False, False),
    ],
)
def test_b7_major_new_projects_need_an_ex_ante_assessment(buying, amount, is_new, refused):
    line = draft(buying, amount, ex_ante_assessment="", is_new=is_new)
    if refused:
        with pytest.raises(RuleViolation) as exc:
            services.submit_line(actor=buying.purchaser, line=line)
        assert rule_ids(exc) == ["B7"]
    else:
        assert services.submit_line(actor=buying.purchaser, line=line).status == "submitted"


def test_c5_department_catalog_must_be_approved(buying, make_user):
    from govbuy.catalog import department

    user = buying.other_purchaser
    dc = department.create_department_catalog(
        actor=user, organization=buying.other, year=buying.year
    )
    department.add_department_item(
        actor=user, department_catalog=dc, parent_code="A02", code="A0204", name="就业培训"
    )
    line = services.create_line(
        actor=user,
        department=buying.other,
        fiscal_year=buying.year,
        name="就业培训",
        catalog_item="A0204",
        amount="100000",
        functional_class="2080101",
        economic_class="30227",
        justification="培训 500 人次，每人次 200 元。",
    )
    with pytest.raises(RuleViolation) as exc:
        services.submit_line(actor=user, line=line)
    assert rule_ids(exc) == ["C5"]


def test_screening_refuses_barred_content_and_keeps_warnings(buying):
    line = draft(buying, name="社区办公楼维修改造工程")
    with pytest.raises(RuleViolation) as exc:
        services.submit_line(actor=buying.purchaser, line=line)
    assert "C2" in rule_ids(exc)
    line = draft(buying, name="社区融资贷款咨询服务")
    line = services.submit_line(actor=buying.purchaser, line=line)
    assert [w["rule"] for w in line.warnings] == ["C9"]


# --- the finance bureau decides ----------------------------------------------------------


def test_only_the_same_level_finance_bureau_decides(buying):
    line = draft(buying)
    services.submit_line(actor=buying.purchaser, line=line)
    for outsider in (buying.finance_hn, buying.finance_ly, buying.auditor, buying.purchaser):
        with pytest.raises(NotAllowed):
            services.approve_line(actor=outsider, line=line)
    with pytest.raises(ApplicationError) as exc:
        services.return_line(actor=buying.finance, line=line, note="  ")
    assert exc.value.field == "decision_note"
    services.return_line(actor=buying.finance, line=line, note="测算依据不足")
    line.refresh_from_db()
    assert (line.status, line.decision_note) == ("returned", "测算依据不足")
    services.update_line(
        actor=buying.purchaser, line=line, justification="按 120 个点 × 4,200 元测算。"
    )
    services.submit_line(actor=buying.purchaser, line=line)
    line = services.approve_line(actor=buying.finance, line=line, note="同意")
    assert line.status == BudgetLineStatus.APPROVED
    assert line.decided_by == buying.finance
    with pytest.raises(InvalidState):
        services.approve_line(actor=buying.finance, line=line)


def test_b6_approved_line_is_not_edited_directly(buying):
    line = buying.line()
    with pytest.raises(RuleViolation) as exc:
        services.update_line(actor=buying.purchaser, line=line, amount="1")
    assert rule_ids(exc) == ["B6"]
    line.refresh_from_db()
    assert line.amount == D("500000.00")


def test_delete_only_never_submitted_drafts(buying):
    line = draft(buying)
    services.delete_line(actor=buying.purchaser, line=line)
    assert not BudgetLine.objects.filter(pk=line.pk).exists()
    line = draft(buying)
    services.submit_line(actor=buying.purchaser, line=line)
    services.return_line(actor=buying.finance, line=line, note="改")
    with pytest.raises(InvalidState):
        services.delete_line(actor=buying.purchaser, line=line)


# --- commitments and adjustments ---------------------------------------------------------


def test_commit_and_release_keep_the_invariant(buying):
    from django.db import transaction

    line = buying.line("100.00")
    with transaction.atomic():
        services.commit(line=line, amount=D("60.00"))
        services.commit(line=line, amount=D("40.00"))
    with pytest.raises(RuleViolation) as exc, transaction.atomic():
        services.commit(line=line, amount=D("0.01"))
    assert rule_ids(exc) == ["B1"]
    assert "0.00" in exc.value.violations[0].message
    line.refresh_from_db()
    assert line.committed == D("100.00")
    with transaction.atomic():
        services.release(line=line, amount=D("60.00"))
    line.refresh_from_db()
    assert line.committed == D("40.00")
    with pytest.raises(InvalidState), transaction.atomic():
        services.release(line=line, amount=D("40.01"))


def test_commit_refuses_unapproved_lines(buying):
    from django.db import transaction

    line = draft(buying)
    with pytest.raises(RuleViolation) as exc, transaction.atomic():
        services.commit(line=line, amount=D("1"))
    assert rule_ids(exc) == ["B1"]
    assert (
        "not approved" in exc.value.violations[0].message or "未" in exc.value.violations[0].message
    )


def test_the_database_itself_refuses_over_commitment(buying):
    from django.db import IntegrityError, transaction

    line = buying.line("100.00")
    with pytest.raises(IntegrityError), transaction.atomic():
        BudgetLine.objects.filter(pk=line.pk).update(committed=D("100.01"))


def test_adjustment_flow_with_history(buying):
    from django.db import transaction

    line = buying.line("100000.00")
    with transaction.atomic():
        services.commit(line=line, amount=D("70000.00"))
    with pytest.raises(RuleViolation) as exc:
        services.propose_adjustment(
            actor=buying.purchaser, line=line, amount_after="69999.99", reason="压减"
        )
    assert rule_ids(exc) == ["B1"]
    with pytest.raises(InvalidInput) as exc:
        services.propose_adjustment(actor=buying.purchaser, line=line, amount_after="x", reason="")
    assert {e["field"] for e in exc.value.errors} == {"amount_after", "reason"}
    adj = services.propose_adjustment(
        actor=buying.purchaser, line=line, amount_after="150000.00", reason="服务点增加 40 个"
    )
    with pytest.raises(InvalidState):
        services.propose_adjustment(
            actor=buying.purchaser, line=line, amount_after="160000.00", reason="again"
        )
    with pytest.raises(NotAllowed):
        services.approve_adjustment(actor=buying.finance_hn, adjustment=adj)
    services.approve_adjustment(actor=buying.finance, adjustment=adj, note="同意调剂")
    line.refresh_from_db()
    assert (line.amount, line.total, line.committed) == (D("150000"), D("150000"), D("70000"))
    adj.refresh_from_db()
    assert (adj.status, adj.amount_before, adj.amount_after) == (
        "approved",
        D("100000"),
        D("150000"),
    )
    # A second adjustment after the first: history keeps both.
    adj2 = services.propose_adjustment(
        actor=buying.purchaser, line=line, amount_after="80000.00", reason="压减"
    )
    services.return_adjustment(actor=buying.finance, adjustment=adj2, note="不同意")
    adj3 = services.propose_adjustment(
        actor=buying.purchaser, line=line, amount_after="90000.00", reason="压减"
    )
    services.withdraw_adjustment(actor=buying.purchaser, adjustment=adj3)
    assert list(line.adjustments.values_list("status", flat=True)) == [
        AdjustmentStatus.WITHDRAWN,
        AdjustmentStatus.RETURNED,
        AdjustmentStatus.APPROVED,
    ]
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "budgets.adjustment.propose",
        "budgets.adjustment.approve",
        "budgets.adjustment.return",
        "budgets.adjustment.withdraw",
    } <= actions


def test_adjustment_approval_rechecks_commitments_made_meanwhile(buying):
    from django.db import transaction

    line = buying.line("100000.00")
    adj = services.propose_adjustment(
        actor=buying.purchaser, line=line, amount_after="50000.00", reason="压减"
    )
    with transaction.atomic():
        services.commit(line=line, amount=D("60000.00"))
    with pytest.raises(RuleViolation) as exc:
        services.approve_adjustment(actor=buying.finance, adjustment=adj)
    assert rule_ids(exc) == ["B1"]
    line.refresh_from_db()
    assert line.amount == D("100000.00")
    adj.refresh_from_db()
    assert adj.status == AdjustmentStatus.PROPOSED


@pytest.mark.parametrize("raw", ["1e400", "-1e400", "NaN", "Infinity"])
def test_absurd_amounts_are_refused_not_crashed(raw):
    from govbuy.budgets.services import parse_amount

    errors = []
    assert parse_amount(raw, "amount", errors) is None
    assert errors and errors[0]["field"] == "amount"
