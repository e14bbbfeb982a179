"""Scoped reads of the budgets app: who sees which lines and adjustments, the
filters, the totals in one query, and the finance bureau's inbox."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from govbuy.budgets import permissions, selectors, services
from govbuy.budgets.models import BudgetLineStatus

D = Decimal


@pytest.fixture
def table(buying):
    """郑州市民政局: one approved, one submitted and one draft line; 郑州市人社局:
    one approved line."""
    approved = buying.line("500000.00", name="社区老年助餐服务")
    submitted = buying.line("200000.00", approve=False, name="老年人助浴服务")
    services.submit_line(actor=buying.purchaser, line=submitted)
    draft = buying.line(
        "300000.00",
        approve=False,
        name="社会工作服务",
        out_years=[{"year": buying.year + 1, "amount": "100000"}],
    )
    other = _other_department_line(buying)
    return approved, submitted, draft, other


def _other_department_line(buying):
    """An approved line of 郑州市人社局 (its own approved department catalog)."""
    from govbuy.catalog import department

    dc = department.create_department_catalog(
        actor=buying.other_purchaser, organization=buying.other, year=buying.year
    )
    department.add_department_item(
        actor=buying.other_purchaser,
        department_catalog=dc,
        parent_code="B03",
        code="B0301",
        name="社会工作服务",
    )
    department.submit_department_catalog(actor=buying.other_purchaser, department_catalog=dc)
    department.approve_department_catalog(actor=buying.finance, department_catalog=dc)
    line = services.create_line(
        actor=buying.other_purchaser,
        department=buying.other,
        fiscal_year=buying.year,
        name="就业困难人员帮扶服务",
        catalog_item="B0301",
        amount="400000.00",
        functional_class="2080101",
        economic_class="30227",
        justification="帮扶 300 名就业困难人员，按每人 1,300 元测算。",
        procurement_budget="400000.00",
    )
    services.submit_line(actor=buying.other_purchaser, line=line)
    services.approve_line(actor=buying.finance, line=line)
    return line


def ids(qs):
    return {x.pk for x in qs}


# --- lines ---------------------------------------------------------------------------


def test_each_role_sees_its_own_lines_or_its_region(buying, table):
    approved, submitted, draft, other = table
    own = {approved.pk, submitted.pk, draft.pk}
    assert ids(selectors.lines_for_user(buying.purchaser)) == own
    assert ids(selectors.lines_for_user(buying.manager)) == own
    assert ids(selectors.lines_for_user(buying.other_purchaser)) == {other.pk}
    everything = own | {other.pk}
    assert ids(selectors.lines_for_user(buying.finance)) == everything
    assert ids(selectors.lines_for_user(buying.finance_hn)) == everything  # region and below
    assert ids(selectors.lines_for_user(buying.auditor)) == everything
    assert ids(selectors.lines_for_user(buying.finance_ly)) == set()
    assert ids(selectors.lines_for_user(AnonymousUser())) == set()


def test_filters_by_year_status_department_and_search(buying, table):
    approved, submitted, draft, other = table
    user = buying.finance
    assert ids(selectors.lines_for_user(user, year=buying.year)) == ids(
        selectors.lines_for_user(user)
    )
    assert ids(selectors.lines_for_user(user, year=buying.year + 1)) == set()
    assert ids(selectors.lines_for_user(user, year="not a year")) == ids(
        selectors.lines_for_user(user)
    )
    assert ids(selectors.lines_for_user(user, status="approved")) == {approved.pk, other.pk}
    assert ids(selectors.lines_for_user(user, status="nonsense")) == set()
    assert ids(selectors.lines_for_user(user, department=buying.other.pk)) == {other.pk}
    assert ids(selectors.lines_for_user(user, department=str(buying.dept.pk))) == {
        approved.pk,
        submitted.pk,
        draft.pk,
    }
    assert ids(selectors.lines_for_user(user, department=buying.dept)) == {
        approved.pk,
        submitted.pk,
        draft.pk,
    }
    assert ids(selectors.lines_for_user(user, q="助浴")) == {submitted.pk}
    assert ids(selectors.lines_for_user(user, q=draft.code)) == {draft.pk}
    assert ids(selectors.lines_for_user(user, q="  ")) == ids(selectors.lines_for_user(user))
    # a department filter never widens the scope
    assert ids(selectors.lines_for_user(buying.other_purchaser, department=buying.dept)) == set()


def test_line_for_user_answers_404_outside_the_scope(buying, table):
    approved, _s, _d, other = table
    assert selectors.line_for_user(buying.purchaser, approved.pk) == approved
    assert selectors.line_for_user(buying.finance_hn, approved.pk) == approved
    for user, pk in (
        (buying.other_purchaser, approved.pk),
        (buying.purchaser, other.pk),
        (buying.finance_ly, approved.pk),
        (AnonymousUser(), approved.pk),
        (buying.purchaser, "x"),
        (buying.purchaser, 10**9),
    ):
        with pytest.raises(Http404):
            selectors.line_for_user(user, pk)


def test_totals_in_one_query(buying, table, django_assert_num_queries):
    lines = selectors.lines_for_user(buying.finance)
    with django_assert_num_queries(1):
        sums = selectors.totals(lines)
    assert sums == {
        "count": 4,
        "amount": D("1400000.00"),
        "total": D("1500000.00"),
        "committed": D("0.00"),
        "available": D("1500000.00"),
    }
    assert selectors.totals(selectors.lines_for_user(buying.finance, status="draft")) == {
        "count": 1,
        "amount": D("300000.00"),
        "total": D("400000.00"),
        "committed": D("0.00"),
        "available": D("400000.00"),
    }
    empty = selectors.totals(selectors.lines_for_user(buying.finance_ly))
    assert empty == {
        "count": 0,
        "amount": D("0"),
        "total": D("0"),
        "committed": D("0"),
        "available": D("0"),
    }


def test_totals_count_commitments(buying, table):
    from govbuy.procurement import services as procurement

    approved = table[0]
    procurement.create_project(
        actor=buying.purchaser, budget_line=approved, name="助餐服务采购", amount="120000.00"
    )
    sums = selectors.totals(selectors.lines_for_user(buying.purchaser, status="approved"))
    assert sums["committed"] == D("120000.00")
    assert sums["available"] == D("380000.00")
    assert [p.name for p in selectors.projects_of(buying.purchaser, approved)] == ["助餐服务采购"]
    assert list(selectors.projects_of(buying.finance_ly, approved)) == []


def test_list_rows_need_no_further_queries(buying, table, django_assert_num_queries):
    lines = list(selectors.lines_for_user(buying.finance))  # the lines and their out-years
    with django_assert_num_queries(0):
        shown = [
            (
                line.department.name,
                line.catalog_item.code,
                line.region.code,
                len(line.out_years.all()),
            )
            for line in lines
        ]
    assert len(shown) == 4


def test_departments_and_years_for_the_filters(buying, table):
    assert list(selectors.departments_with_lines(buying.finance)) == sorted(
        [buying.dept, buying.other], key=lambda o: o.name
    )
    assert list(selectors.departments_with_lines(buying.purchaser)) == [buying.dept]
    assert list(selectors.departments_with_lines(buying.finance_ly)) == []
    assert selectors.years_with_lines(buying.finance) == [buying.year]


def test_catalog_items_for_the_department_and_year(buying):
    items = selectors.catalog_items_for(buying.dept, buying.year)
    assert {"A05", "A0501", "A050101", "B0301"} <= {i.code for i in items}
    assert [i.sort_key for i in items] == sorted(i.sort_key for i in items)
    assert selectors.catalog_items_for(buying.dept, buying.year + 1) == []
    assert selectors.catalog_items_for(buying.other, buying.year) == []
    assert selectors.catalog_items_for(buying.dept, "x") == []


# --- adjustments and the inbox --------------------------------------------------------


@pytest.fixture
def adjustment(buying, table):
    return services.propose_adjustment(
        actor=buying.purchaser, line=table[0], amount_after="550000.00", reason="助餐点增加 12 个"
    )


def test_adjustments_are_scoped_and_filtered(buying, table, adjustment):
    assert ids(selectors.adjustments_for_user(buying.purchaser)) == {adjustment.pk}
    assert ids(selectors.adjustments_for_user(buying.finance_hn)) == {adjustment.pk}
    assert ids(selectors.adjustments_for_user(buying.auditor)) == {adjustment.pk}
    assert ids(selectors.adjustments_for_user(buying.other_purchaser)) == set()
    assert ids(selectors.adjustments_for_user(buying.finance_ly)) == set()
    assert ids(selectors.adjustments_for_user(buying.purchaser, status="proposed")) == {
        adjustment.pk
    }
    assert ids(selectors.adjustments_for_user(buying.purchaser, status="approved")) == set()
    assert ids(selectors.adjustments_for_user(buying.purchaser, line=table[0])) == {adjustment.pk}
    assert ids(selectors.adjustments_for_user(buying.purchaser, line=table[1].pk)) == set()
    assert selectors.adjustment_for_user(buying.finance, adjustment.pk) == adjustment
    with pytest.raises(Http404):
        selectors.adjustment_for_user(buying.finance_ly, adjustment.pk)
    with pytest.raises(Http404):
        selectors.adjustment_for_user(buying.other_purchaser, adjustment.pk)


def test_finance_inbox_holds_what_the_bureau_decides(buying, table, adjustment):
    _approved, submitted, _draft, _other = table
    inbox = selectors.finance_inbox(buying.finance)
    assert [line.pk for line in inbox["lines"]] == [submitted.pk]
    assert [a.pk for a in inbox["adjustments"]] == [adjustment.pk]
    # The province sees 郑州's lines but the 郑州 bureau decides them (同级财政部门).
    for user in (buying.finance_hn, buying.finance_ly, buying.purchaser, buying.auditor):
        inbox = selectors.finance_inbox(user)
        assert list(inbox["lines"]) == [] and list(inbox["adjustments"]) == []
    assert list(selectors.finance_inbox(AnonymousUser())["lines"]) == []


def test_finance_inbox_agrees_with_the_service_on_who_decides(buying, table, adjustment):
    for user in (buying.finance, buying.finance_hn, buying.finance_ly, buying.auditor):
        inbox = selectors.finance_inbox(user)
        for line in inbox["lines"]:
            assert permissions.can_decide(user, line.department)
        for a in inbox["adjustments"]:
            assert permissions.can_decide(user, a.line.department)
        submitted = table[1]
        assert (submitted in list(inbox["lines"])) == permissions.can_decide(user, buying.dept)


def test_decided_items_leave_the_inbox(buying, table, adjustment):
    services.approve_line(actor=buying.finance, line=table[1])
    services.return_adjustment(actor=buying.finance, adjustment=adjustment, note="请补充测算")
    inbox = selectors.finance_inbox(buying.finance)
    assert list(inbox["lines"]) == [] and list(inbox["adjustments"]) == []
    assert table[1].__class__.objects.get(pk=table[1].pk).status == BudgetLineStatus.APPROVED
