"""Who may do what with a purchase project (`procurement.permissions`), on real
objects: the department's purchasers keep it, a manager other than the submitter
reviews it (P7), the same-level finance bureau decides on the method and clears
splitting flags; another department, a bureau above and the platform
administrator may not. The services refuse with the same functions."""

from __future__ import annotations

import pytest

from govbuy.core.errors import NotAllowed
from govbuy.core.rules import RuleViolation
from govbuy.procurement import permissions, services
from govbuy.procurement.tests.test_views import make_project, submitted

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(make_org, make_user):
    return make_user("platform_admin", make_org("平台运营中心（测）", "410000"))


def test_the_departments_purchasers_keep_the_project(buying, admin):
    project = make_project(buying)
    assert permissions.is_member(buying.purchaser, project)
    assert permissions.is_member(buying.manager, project)
    assert permissions.can_edit(buying.purchaser, project)
    assert permissions.can_submit(buying.purchaser, project)
    assert permissions.can_cancel(buying.purchaser, project)
    assert permissions.can_create_in(buying.purchaser, buying.dept)
    for outsider in (buying.other_purchaser, buying.finance, buying.auditor, admin):
        assert not permissions.is_member(outsider, project)
        assert not permissions.can_edit(outsider, project)
        assert not permissions.can_cancel(outsider, project)
        assert not permissions.can_create_in(outsider, buying.dept)


def test_someone_else_reviews_p7(buying, admin):
    project = submitted(buying, make_project(buying))
    assert permissions.can_review(buying.manager, project)
    assert not permissions.can_review(buying.purchaser, project)  # not a manager
    assert not permissions.can_review(buying.other_purchaser, project)
    assert not permissions.can_review(admin, project)
    assert not permissions.can_edit(buying.purchaser, project)  # under review
    # The manager who submitted it does not review it: the one definition, in the
    # page's flag and in the service's refusal.
    mine = submitted(buying, make_project(buying, name="另一项目"), actor=buying.manager)
    assert mine.submitted_by_id == buying.manager.pk
    assert not permissions.can_review(buying.manager, mine)
    assert permissions.review_refusal(buying.manager, mine)
    with pytest.raises(NotAllowed):
        services.review_requirements(actor=buying.manager, project=mine, approve=True)
    with pytest.raises(NotAllowed):
        services.review_requirements(actor=admin, project=project, approve=True)


def test_the_same_level_bureau_decides_and_clears(buying, admin):
    project = make_project(buying)
    assert permissions.can_clear_flags_of(buying.finance, buying.dept)
    assert not permissions.can_clear_flags_of(buying.finance_hn, buying.dept)  # above: oversees
    assert not permissions.can_clear_flags_of(buying.finance_ly, buying.dept)  # elsewhere
    assert not permissions.can_clear_flags_of(admin, buying.dept)
    assert not permissions.can_clear_flags_of(buying.purchaser, buying.dept)
    # No change of method awaits a decision yet.
    assert not permissions.can_decide_method(buying.finance, project)
    with pytest.raises(NotAllowed):
        permissions.require_decide_method(buying.finance_hn, project)
    with pytest.raises(NotAllowed):
        permissions.require_decide_method(admin, project)
    permissions.require_decide_method(buying.finance, project)


def test_no_line_is_refused_by_the_service_b1(buying):
    with pytest.raises(RuleViolation) as refused:
        services.create_project(actor=buying.purchaser, budget_line=None, name="x", amount="1")
    assert [v.rule for v in refused.value.violations] == ["B1"]
    draft = buying.line(approve=False)
    assert [v.rule for v in services.line_problems(draft)] == ["B1"]
