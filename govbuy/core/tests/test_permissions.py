"""core.permissions: membership, the platform administrator, and who writes the
platform's own data (policy parameters, holiday calendars). Real users and
organizations (make_org/make_user); the services refuse and change nothing."""

import datetime as dt

import pytest

from govbuy.core import permissions as p
from govbuy.core.errors import NotAllowed
from govbuy.core.models import AuditEvent, HolidayCalendar, PolicyParameter
from govbuy.core.services import set_holiday_calendar, set_policy_parameter
from govbuy.orgs.models import Region

KEY = "procurement.decentralized_threshold"


@pytest.fixture(autouse=True)
def english():
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def w(make_org, make_user):
    from types import SimpleNamespace

    hn = make_org("河南省财政厅（权）", "410000", is_finance_bureau=True)
    zz = make_org("郑州市财政局（权）", "410100", is_finance_bureau=True)
    ly = make_org("洛阳市财政局（权）", "410300", is_finance_bureau=True)
    dept = make_org("郑州市民政局（权）", "410100", is_purchaser=True)
    other = make_org("郑州市人社局（权）", "410100", is_purchaser=True)
    provider = make_org("郑州某服务公司（权）", "410100", "enterprise", is_provider=True)
    return SimpleNamespace(
        hn=hn,
        zz=zz,
        ly=ly,
        dept=dept,
        other=other,
        provider=provider,
        province=make_user("finance", hn),
        finance=make_user("finance", zz),
        luoyang=make_user("finance", ly),
        purchaser=make_user("purchaser", dept),
        supplier=make_user("provider", provider),
        admin=make_user("platform_admin", hn),
        recipient=make_user(),
    )


def test_acts_for_and_require_acts_for(w):
    assert p.acts_for(w.purchaser, w.dept, "purchaser")
    assert not p.acts_for(w.purchaser, w.other, "purchaser")  # another organization
    assert not p.acts_for(w.purchaser, w.dept, "finance")  # another role
    assert not p.acts_for(w.admin, w.hn, "finance")  # the administrator: no business role
    p.require_acts_for(w.purchaser, w.dept, "purchaser")
    with pytest.raises(NotAllowed, match="does not act for"):
        p.require_acts_for(w.admin, w.hn, "finance")
    with pytest.raises(NotAllowed, match="Only the department"):
        p.require_acts_for(w.purchaser, w.other, "purchaser", refused="Only the department")
    with pytest.raises(NotAllowed):
        p.require_acts_for(w.recipient, w.dept, "purchaser")


def test_member_orgs_never_the_administrator(w):
    assert p.member_orgs(w.finance, "finance") == [w.zz]
    assert p.member_orgs(w.admin, "finance") == []
    assert p.is_platform_admin(w.admin) and not p.is_platform_admin(w.finance)


def test_can_add_parameter(w):
    zz, zhongyuan, ly = (Region.objects.get(code=c) for c in ("410100", "410102", "410300"))
    assert p.can_add_parameter(w.finance, zz)
    assert p.can_add_parameter(w.finance, zhongyuan)  # below its region
    assert not p.can_add_parameter(w.finance, ly)  # another region
    assert not p.can_add_parameter(w.finance, None)  # national: the administrator's
    assert p.can_add_parameter(w.province, zz)  # the province covers its cities
    assert p.can_add_parameter(w.admin, None) and p.can_add_parameter(w.admin, ly)
    assert not p.can_add_parameter(w.purchaser, zz)
    assert not p.can_add_parameter(w.recipient, zz)


def test_can_enter_calendar(w):
    assert p.can_enter_calendar(w.province)
    assert p.can_enter_calendar(w.admin)
    assert not p.can_enter_calendar(w.finance)  # a city bureau
    assert not p.can_enter_calendar(w.purchaser)
    assert not p.can_enter_calendar(w.recipient)
    m = w.finance.active_memberships[0]
    assert not p.can_enter_calendar(w.finance, membership=m)
    assert p.can_enter_calendar(w.province, membership=w.province.active_memberships[0])


def _value(region, actor, day=dt.date(2031, 1, 1)):
    return set_policy_parameter(
        actor=actor,
        key=KEY,
        value="2000000.00",
        effective_from=day,
        basis="测试〔2030〕1号",
        region=region,
    )


@pytest.mark.parametrize("who", ["purchaser", "luoyang", "supplier", "recipient"])
def test_policy_parameter_refused_changes_nothing(w, who):
    zz = Region.objects.get(code="410100")
    rows, events = PolicyParameter.objects.count(), AuditEvent.objects.count()
    with pytest.raises(NotAllowed):
        _value(zz, getattr(w, who))
    assert PolicyParameter.objects.count() == rows
    assert AuditEvent.objects.count() == events


def test_national_parameter_only_the_administrator(w):
    rows, events = PolicyParameter.objects.count(), AuditEvent.objects.count()
    with pytest.raises(NotAllowed, match="national"):
        _value(None, w.finance)
    assert (PolicyParameter.objects.count(), AuditEvent.objects.count()) == (rows, events)
    row = _value(None, w.admin)
    assert row.region is None
    assert AuditEvent.objects.filter(action="core.policy_parameter.create").count() == 1


def test_finance_adds_for_its_region(w):
    row = _value(Region.objects.get(code="410100"), w.finance)
    assert row.created_by == w.finance
    _value(Region.objects.get(code="410100"), "manage.py", day=dt.date(2032, 1, 1))  # operator


@pytest.mark.parametrize("who", ["finance", "purchaser", "supplier", "recipient"])
def test_holiday_calendar_refused_changes_nothing(w, who):
    events = AuditEvent.objects.count()
    with pytest.raises(NotAllowed):
        set_holiday_calendar(
            actor=getattr(w, who),
            year=2031,
            basis="国办发明电〔2030〕X号",
            days_text="2031-01-01 holiday 元旦",
        )
    assert not HolidayCalendar.objects.filter(year=2031).exists()
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize("who", ["province", "admin"])
def test_holiday_calendar_allowed(w, who):
    set_holiday_calendar(
        actor=getattr(w, who),
        year=2031,
        basis="国办发明电〔2030〕X号",
        days_text="2031-01-01 holiday 元旦",
    )
    assert HolidayCalendar.objects.filter(year=2031).exists()
