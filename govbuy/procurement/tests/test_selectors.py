"""Scoped reads of the procurement app: who sees which projects, the managers'
review queue, the finance bureau's method approvals and splitting flags, the
lines a department buys on and its own 公益二类 units; without N+1 queries."""

from types import SimpleNamespace

import pytest
from django.http import Http404

from govbuy.accounts import services as accounts
from govbuy.procurement import selectors, services
from govbuy.procurement.models import SplitFlagStatus
from govbuy.procurement.tests.test_views import (
    approved,
    make_project,
    new_line,
    own_unit,
    submitted,
)


def pks(qs) -> list[int]:
    return [p.pk for p in qs]


@pytest.fixture
def world(buying):
    """Two projects of 郑州市民政局: a draft and one under review."""
    line = new_line(buying, "2000000.00")
    draft = make_project(buying, line, "100000.00")
    review = submitted(buying, make_project(buying, line, "200000.00", name="社区助浴服务采购"))
    return SimpleNamespace(line=line, draft=draft, review=review)


# --- projects_for_user / project_for_user -----------------------------------------------------


def test_projects_are_scoped_to_the_department_and_the_supervising_region(buying, world):
    both = [world.review.pk, world.draft.pk]
    for user in (
        buying.purchaser,
        buying.manager,
        buying.finance,
        buying.finance_hn,
        buying.auditor,
    ):
        assert pks(selectors.projects_for_user(user)) == both, user
    for user in (buying.other_purchaser, buying.finance_ly):
        assert pks(selectors.projects_for_user(user)) == []


def test_anonymous_users_see_no_project(buying, world):
    from django.contrib.auth.models import AnonymousUser

    assert pks(selectors.projects_for_user(AnonymousUser())) == []
    with pytest.raises(Http404):
        selectors.project_for_user(AnonymousUser(), world.draft.pk)


def test_project_filters(buying, world):
    user = buying.finance

    def found(**filters):
        return pks(selectors.projects_for_user(user, **filters))

    assert found(status="review") == [world.review.pk]
    assert found(status="draft") == [world.draft.pk]
    assert found(status="nonsense") == []
    assert found(q="助浴") == [world.review.pk]
    assert found(q=world.draft.code.lower()) == [world.draft.pk]
    assert found(q="  ") == [world.review.pk, world.draft.pk]
    assert found(year=buying.year) == [world.review.pk, world.draft.pk]
    assert found(year=str(buying.year)) == [world.review.pk, world.draft.pk]
    assert found(year=buying.year + 1) == []
    assert found(year="abc") == []
    assert found(department=buying.dept) == [world.review.pk, world.draft.pk]
    assert found(department=buying.dept.pk) == [world.review.pk, world.draft.pk]
    assert found(department=buying.other.pk) == []
    assert found(department="x") == []


def test_project_list_rows_need_no_further_queries(buying, world, django_assert_num_queries):
    projects = list(selectors.projects_for_user(buying.finance))
    with django_assert_num_queries(0):
        for p in projects:
            assert p.department.name and p.region.name and p.budget_line.code


def test_totals(buying, world):
    totals = selectors.total_amount(selectors.projects_for_user(buying.finance))
    assert totals == {"total": world.draft.amount + world.review.amount, "count": 2}
    assert selectors.total_amount(selectors.projects_for_user(buying.finance_ly)) == {
        "total": 0,
        "count": 0,
    }


def test_project_for_user_is_404_for_others(buying, world, django_assert_num_queries):
    p = selectors.project_for_user(buying.purchaser, world.draft.pk)
    with django_assert_num_queries(0):
        assert p.requirement.place and p.department.region.name and p.budget_line.code
        assert p.submitted_by is None
    assert selectors.project_for_user(buying.finance_hn, str(world.draft.pk)) == world.draft
    for user, pk in (
        (buying.other_purchaser, world.draft.pk),
        (buying.finance_ly, world.draft.pk),
        (buying.purchaser, 999999),
        (buying.purchaser, "abc"),
    ):
        with pytest.raises(Http404):
            selectors.project_for_user(user, pk)


def test_project_departments(buying, world):
    assert list(selectors.project_departments(buying.finance)) == [buying.dept]
    assert list(selectors.project_departments(buying.finance_ly)) == []


# --- review_queue --------------------------------------------------------------------------------


def test_review_queue_is_for_managers_of_the_department(buying, world, make_user):
    assert pks(selectors.review_queue(buying.manager)) == [world.review.pk]
    for user in (buying.purchaser, buying.finance, buying.other_purchaser, buying.auditor):
        assert pks(selectors.review_queue(user)) == [], user
    # a manager of another department sees nothing of this one
    other_boss = make_user()
    accounts.add_membership(
        actor="test", user=other_boss, organization=buying.other, role="purchaser", is_manager=True
    )
    assert pks(selectors.review_queue(other_boss)) == []


def test_review_queue_leaves_out_what_the_manager_submitted(buying, world, make_user):
    boss = make_user()
    accounts.add_membership(
        actor="test", user=boss, organization=buying.dept, role="purchaser", is_manager=True
    )
    own = submitted(buying, make_project(buying, world.line, "50000.00", actor=boss), actor=boss)
    assert pks(selectors.review_queue(boss)) == [world.review.pk]
    assert pks(selectors.review_queue(buying.manager)) == [world.review.pk, own.pk]  # oldest first


# --- method_approvals_for ------------------------------------------------------------------------


@pytest.fixture
def pending(buying):
    line = new_line(buying, "4500000.00")
    p = approved(buying, line, "4200000.00")
    return services.choose_method(
        actor=buying.purchaser, project=p, method="single_source", reason="唯一具备资质的机构"
    )


def test_method_approvals_are_for_the_finance_bureau_of_the_departments_region(buying, pending):
    assert pks(selectors.method_approvals_for(buying.finance)) == [pending.pk]
    # the province supervises but does not decide for a 郑州 department
    for user in (buying.finance_hn, buying.finance_ly, buying.purchaser, buying.manager):
        assert pks(selectors.method_approvals_for(user)) == [], user
    services.decide_method(actor=buying.finance, project=pending, approve=True)
    assert pks(selectors.method_approvals_for(buying.finance)) == []


def test_deciding_regions(buying):
    assert selectors.deciding_region_ids(buying.finance) == [buying.zz.region_id]
    assert selectors.deciding_region_ids(buying.purchaser) == []
    assert selectors.deciding_region_ids(buying.auditor) == []


# --- split flags -----------------------------------------------------------------------------


@pytest.fixture
def flag(buying):
    line = new_line(buying, "3000000.00")
    for amount in ("400000.00", "400000.00", "200000.00"):
        make_project(buying, line, amount)
    from govbuy.procurement.models import SplitFlag

    return SplitFlag.objects.get()


def test_split_flags_are_scoped_and_filtered(buying, flag):
    for user in (buying.finance, buying.finance_hn, buying.auditor, buying.purchaser):
        assert pks(selectors.split_flags_for_user(user)) == [flag.pk], user
    for user in (buying.finance_ly, buying.other_purchaser):
        assert pks(selectors.split_flags_for_user(user)) == []
    assert pks(selectors.split_flags_for_user(buying.finance, SplitFlagStatus.OPEN)) == [flag.pk]
    assert pks(selectors.split_flags_for_user(buying.finance, "cleared")) == []
    assert pks(selectors.split_flags_for_user(buying.finance, "bogus")) == []
    assert pks(selectors.split_flags_to_clear(buying.finance)) == [flag.pk]
    assert pks(selectors.split_flags_to_clear(buying.finance_hn)) == []
    services.clear_split_flag(actor=buying.finance, flag=flag, note="已核实")
    assert pks(selectors.split_flags_to_clear(buying.finance)) == []
    assert pks(selectors.split_flags_for_user(buying.finance, "cleared")) == [flag.pk]


def test_split_flags_come_with_their_projects(buying, flag, django_assert_max_num_queries):
    line = new_line(buying, "5000000.00")
    for _ in range(4):  # more pieces of the same item join the flag
        make_project(buying, line, "300000.00")
    with django_assert_max_num_queries(2):
        flags = list(selectors.split_flags_for_user(buying.finance))
        projects = [p.code for f in flags for p in f.projects.all()]
        names = [(f.department.name, f.region.name) for f in flags]
    assert len(projects) == 7 and names
    one = selectors.split_flag_for_user(buying.finance, flag.pk)
    assert one.projects.count() == 7
    with pytest.raises(Http404):
        selectors.split_flag_for_user(buying.finance_ly, flag.pk)


# --- what a department buys on and with whom -------------------------------------------------


def test_lines_to_buy_on_are_the_departments_approved_lines(buying):
    approved_line = new_line(buying)
    draft = buying.line("100000.00", approve=False)
    lines = list(selectors.lines_to_buy_on(buying.dept))
    assert approved_line in lines and draft not in lines
    assert list(selectors.lines_to_buy_on(buying.other)) == []


def test_own_units_are_the_departments_public_welfare_2_units(buying, make_org):
    own = own_unit(buying, make_org)
    own_unit(buying, make_org, "郑州市就业服务中心（选）", competent=buying.other)
    make_org(
        "郑州市疾控中心（选）",
        "410100",
        org_type="public_institution",
        institution_class="public_welfare_1",
        competent_department=buying.dept,
    )
    assert list(selectors.own_units(buying.dept)) == [own]


def test_method_regions_include_the_provinces_and_regions_with_own_thresholds(db):
    codes = set(selectors.method_regions().values_list("code", flat=True))
    assert {"410000", "370000"} <= codes
    assert "410100" in codes  # 郑州 has thresholds of its own
