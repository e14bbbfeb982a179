"""orgs.permissions: the finance bureaus' two reaches (the same-level bureau
decides; the region's bureau or one above supervises), provider profiles and
credit records. Real organizations and users (make_org/make_user)."""

from types import SimpleNamespace

import pytest

from govbuy.core.errors import NotAllowed
from govbuy.orgs import permissions as p
from govbuy.orgs.models import Region
from govbuy.orgs.selectors import overseen_below_q


@pytest.fixture
def w(make_org, make_user):
    hn = make_org("河南省财政厅（权）", "410000", is_finance_bureau=True)
    zz = make_org("郑州市财政局（权）", "410100", is_finance_bureau=True)
    ly = make_org("洛阳市财政局（权）", "410300", is_finance_bureau=True)
    dept = make_org("郑州市民政局（权）", "410100", is_purchaser=True)
    provider = make_org("中牟县某养老服务公司（权）", "410122", "enterprise", is_provider=True)
    other = make_org("洛阳市某物业公司（权）", "410300", "enterprise", is_provider=True)
    audit_office = make_org("河南省审计厅（权）", "410000", is_audit_office=True)
    return SimpleNamespace(
        hn=hn,
        zz=zz,
        ly=ly,
        dept=dept,
        provider=provider,
        other=other,
        province=make_user("finance", hn),
        finance=make_user("finance", zz),
        luoyang=make_user("finance", ly),
        purchaser=make_user("purchaser", dept),
        supplier=make_user("provider", provider),
        auditor=make_user("auditor", audit_office),
        admin=make_user("platform_admin", hn),
        recipient=make_user(),
    )


def _region(code):
    return Region.objects.get(code=code).pk


def test_same_level_bureau_decides(w):
    zz = _region("410100")
    assert p.deciding_bureaus(w.finance, zz) == [w.zz]
    assert p.can_decide_in(w.finance, zz)
    assert not p.can_decide_in(w.province, zz)  # above: oversees, does not decide
    assert not p.can_decide_in(w.luoyang, zz)  # beside: another region
    assert not p.can_decide_in(w.finance, _region("410122"))  # below: the county's own
    for user in (w.purchaser, w.auditor, w.supplier, w.recipient, w.admin):
        assert not p.can_decide_in(user, zz)
    assert p.deciding_region_ids(w.finance) == [zz]
    assert p.deciding_region_ids(w.admin) == []  # no business role, though on 河南省财政厅


def test_require_decide_in(w):
    p.require_decide_in(w.finance, _region("410100"), "refused")
    with pytest.raises(NotAllowed, match="refused"):
        p.require_decide_in(w.province, _region("410100"), "refused")
    with pytest.raises(NotAllowed) as refused:
        p.require_decide_in(w.admin, _region("410000"), "refused")
    assert "refused" not in refused.value.message  # the administrator is told why


def test_overseen_below_is_what_the_same_level_does_not_decide(w):
    from govbuy.orgs.models import Organization

    below = overseen_below_q(w.province, "region")
    seen = set(Organization.objects.filter(below).values_list("pk", flat=True))
    assert {w.zz.pk, w.ly.pk, w.dept.pk, w.provider.pk} <= seen
    assert w.hn.pk not in seen  # its own level: it decides there
    assert overseen_below_q(w.admin, "region") is None
    assert overseen_below_q(w.purchaser, "region") is None


def test_supervising_bureaus_region_or_above(w):
    assert p.can_verify_compliance(w.finance, w.provider)  # 中牟县 is within 郑州
    assert p.can_verify_compliance(w.province, w.provider)
    assert not p.can_verify_compliance(w.luoyang, w.provider)
    assert not p.can_verify_compliance(w.admin, w.provider)
    assert not p.can_verify_compliance(w.auditor, w.provider)
    p.require_verify_compliance(w.finance, w.provider)
    for user in (w.luoyang, w.admin, w.purchaser):
        with pytest.raises(NotAllowed):
            p.require_verify_compliance(user, w.provider)


def test_declare_compliance(w):
    assert p.can_declare_compliance(w.supplier, w.provider)
    assert not p.can_declare_compliance(w.supplier, w.other)  # another organization
    assert not p.can_declare_compliance(w.admin, w.provider)
    assert not p.can_declare_compliance(w.purchaser, w.dept)  # not a provider


def test_credit_records(w):
    record = SimpleNamespace(organization=w.other, recording_organization=w.dept)
    assert p.can_revoke_credit(w.finance, record)  # the recorder's region
    assert p.can_revoke_credit(w.luoyang, record)  # the provider's region
    assert p.can_revoke_credit(w.province, record)  # above both
    assert not p.can_revoke_credit(w.admin, record)
    assert not p.can_revoke_credit(w.purchaser, record)
    with pytest.raises(NotAllowed):
        p.require_revoke_credit(w.purchaser, record)
    assert p.can_object_to_credit(w.supplier, SimpleNamespace(organization=w.provider))
    assert not p.can_object_to_credit(w.supplier, record)  # about another provider
    with pytest.raises(NotAllowed):
        p.require_object_to_credit(w.admin, record)


def test_recording_organization_of(w):
    assert p.recording_organization_of(w.purchaser.active_memberships[0]) == w.dept
    assert p.recording_organization_of(w.finance.active_memberships[0]) == w.zz
    assert p.recording_organization_of(w.supplier.active_memberships[0]) is None
    assert p.recording_organization_of(w.admin.active_memberships[0]) is None
    assert p.recording_organization_of(None) is None
