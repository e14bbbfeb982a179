"""budgets.permissions: the department files its lines, the same-level finance
bureau decides on them; never the platform administrator. Real users,
organizations and lines (`buying`, make_org/make_user)."""

import pytest

from govbuy.budgets import permissions as p
from govbuy.budgets import services
from govbuy.budgets.models import BudgetLine
from govbuy.core.errors import NotAllowed
from govbuy.core.models import AuditEvent


@pytest.fixture
def admin(buying, make_user):
    return make_user("platform_admin", buying.hn)


def test_who_decides_a_department_budget(buying, admin):
    dept = buying.dept
    assert p.can_decide(buying.finance, dept)  # 郑州市财政局: the same level
    assert p.approving_bureaus(buying.finance, dept) == [buying.zz]
    assert not p.can_decide(buying.finance_hn, dept)  # the province oversees
    assert not p.can_decide(buying.finance_ly, dept)  # another city
    for user in (buying.purchaser, buying.auditor, admin):
        assert not p.can_decide(user, dept)
    p.require_decide(buying.finance, dept)
    with pytest.raises(NotAllowed, match=dept.region.name):
        p.require_decide(buying.finance_hn, dept)
    with pytest.raises(NotAllowed):
        p.require_decide(admin, dept)


def test_who_files(buying, admin):
    assert p.can_file(buying.purchaser, buying.dept)
    assert p.can_file(buying.manager, buying.dept)
    assert not p.can_file(buying.other_purchaser, buying.dept)  # another department
    assert not p.can_file(buying.finance, buying.dept)
    assert not p.can_file(admin, buying.dept)
    with pytest.raises(NotAllowed):
        p.require_file(buying.other_purchaser, buying.dept)
    with pytest.raises(NotAllowed):
        p.require_file(admin, buying.dept)


def test_what_a_line_offers(buying, admin):
    draft = buying.line("100000.00", approve=False)
    assert p.can_edit_line(buying.purchaser, draft)
    assert p.can_delete_line(buying.purchaser, draft)
    assert not p.can_decide_line(buying.finance, draft)  # not submitted
    assert not p.can_edit_line(buying.other_purchaser, draft)
    assert not p.can_edit_line(admin, draft)
    services.submit_line(actor=buying.purchaser, line=draft)
    draft.refresh_from_db()
    assert not p.can_edit_line(buying.purchaser, draft)
    assert p.can_decide_line(buying.finance, draft)
    assert not p.can_decide_line(buying.finance_hn, draft)
    assert not p.can_decide_line(admin, draft)
    approved = buying.line("200000.00", name="社区助浴服务")
    assert p.can_propose_adjustment(buying.purchaser, approved)
    assert not p.can_propose_adjustment(buying.purchaser, approved, open_adjustment=object())
    assert not p.can_propose_adjustment(buying.finance, approved)


def test_refused_decision_changes_nothing(buying, admin):
    line = buying.line("100000.00", approve=False)
    services.submit_line(actor=buying.purchaser, line=line)
    events = AuditEvent.objects.count()
    for user in (buying.finance_hn, buying.finance_ly, admin):
        with pytest.raises(NotAllowed):
            services.approve_line(actor=user, line=line)
    assert BudgetLine.objects.get(pk=line.pk).status == "submitted"
    assert AuditEvent.objects.count() == events
