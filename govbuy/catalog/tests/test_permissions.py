"""catalog.permissions: who keeps a guidance catalog and a negative list, who
compiles and who approves a department catalog (the same-level finance
bureau), who decides an adjustment; never the platform administrator. Real
users, organizations and catalogs (`buying`, make_org/make_user)."""

import pytest

from govbuy.catalog import department, services
from govbuy.catalog import permissions as p
from govbuy.catalog.models import Catalog, DepartmentCatalog
from govbuy.core.errors import NotAllowed
from govbuy.core.models import AuditEvent


@pytest.fixture
def admin(buying, make_user):
    return make_user("platform_admin", buying.hn)


def test_keeper_of_a_guidance_catalog(buying, admin):
    catalog = Catalog.objects.get(region__code="410000", year=buying.year)
    assert p.is_keeper(buying.finance_hn, catalog)
    for user in (buying.finance, buying.purchaser, buying.auditor, admin):
        assert not p.is_keeper(user, catalog)
    with pytest.raises(NotAllowed):
        p.require_keeper(admin, catalog)
    with pytest.raises(NotAllowed):
        p.require_keeper(buying.finance, catalog)
    national = Catalog.objects.filter(owner__isnull=True).first()
    if national is not None:
        assert not p.is_keeper(buying.finance_hn, national)


def test_negative_list_kept_by_the_regions_own_bureau(buying, admin):
    zz = buying.zz.region
    assert p.can_keep_negative_list(buying.finance, zz)
    assert not p.can_keep_negative_list(buying.finance_hn, zz)  # above
    assert not p.can_keep_negative_list(buying.finance_ly, zz)  # beside
    assert not p.can_keep_negative_list(buying.finance, None)  # the national list
    assert not p.can_keep_negative_list(admin, buying.hn.region)
    with pytest.raises(NotAllowed):
        p.require_keep_negative_list(buying.purchaser, zz)


def test_department_catalog(buying, admin, make_org, make_user):
    dc = DepartmentCatalog.objects.get(pk=buying.department_catalog.pk)  # approved
    assert not p.can_edit_department_catalog(buying.purchaser, dc)
    assert not p.can_decide_department_catalog(buying.finance, dc)
    other = make_org("郑州市文旅局（权）", "410100", is_purchaser=True)
    staff = make_user("purchaser", other)
    fresh = department.create_department_catalog(actor=staff, organization=other, year=buying.year)
    assert p.can_edit_department_catalog(staff, fresh)
    assert not p.can_edit_department_catalog(buying.purchaser, fresh)  # another department
    assert not p.can_edit_department_catalog(admin, fresh)
    department.add_department_item(
        actor=staff, department_catalog=fresh, parent_code="A05", code="A0501", name="居家养老服务"
    )
    department.submit_department_catalog(actor=staff, department_catalog=fresh)
    fresh.refresh_from_db()
    assert p.approving_bureaus(buying.finance, fresh) == [buying.zz]
    assert p.can_decide_department_catalog(buying.finance, fresh)
    for user in (buying.finance_hn, buying.finance_ly, staff, admin):
        assert not p.can_decide_department_catalog(user, fresh)
    events = AuditEvent.objects.count()
    for user in (buying.finance_hn, buying.finance_ly, admin):
        with pytest.raises(NotAllowed):
            department.approve_department_catalog(actor=user, department_catalog=fresh)
    assert DepartmentCatalog.objects.get(pk=fresh.pk).status == "submitted"
    assert AuditEvent.objects.count() == events


def test_adjustment(buying, admin):
    adjustment = services.propose_adjustment(
        actor=buying.purchaser,
        proposer=buying.dept,
        action="add",
        parent_code="A05",
        fields={"name": "老年人智能技术运用培训服务"},
        reason="数字鸿沟",
    )
    assert p.can_withdraw_adjustment(buying.purchaser, adjustment)
    assert not p.can_withdraw_adjustment(buying.other_purchaser, adjustment)
    assert not p.can_withdraw_adjustment(admin, adjustment)
    assert p.can_decide_adjustment(buying.finance_hn, adjustment)  # the keeper
    assert not p.can_decide_adjustment(buying.finance, adjustment)
    assert not p.can_decide_adjustment(admin, adjustment)
    assert p.can_propose_adjustment(buying.purchaser.active_memberships[0])
    assert p.can_propose_adjustment(buying.finance.active_memberships[0])
    assert not p.can_propose_adjustment(buying.auditor.active_memberships[0])
    assert not p.can_propose_adjustment(None)


def test_consent_region_or_above(buying, admin):
    assert p.consenting_bureaus(buying.finance, buying.dept) == [buying.zz]
    assert p.consenting_bureaus(buying.finance_hn, buying.dept) == [buying.hn]
    assert p.consenting_bureaus(buying.finance_ly, buying.dept) == []
    assert p.consenting_bureaus(admin, buying.dept) == []
