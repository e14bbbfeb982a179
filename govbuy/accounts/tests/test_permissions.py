"""accounts.permissions and the platform administrator's duties: only the
administrator manages users, memberships and organizations (a page answers 403,
a service refuses and changes nothing); the administrator acts in no business
role; `require_role` gates a page by the membership the user works in now.
Real users and organizations (make_org/make_user)."""

from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory

from govbuy.accounts import permissions as p
from govbuy.accounts import services
from govbuy.accounts.models import Membership, User
from govbuy.core.errors import NotAllowed
from govbuy.core.models import AuditEvent
from govbuy.core.permissions import acts_for
from govbuy.orgs import services as orgs
from govbuy.orgs.models import Organization


@pytest.fixture
def w(make_org, make_user):
    hn = make_org("河南省财政厅（权）", "410000", is_finance_bureau=True)
    dept = make_org("郑州市民政局（权）", "410100", is_purchaser=True)
    return SimpleNamespace(
        hn=hn,
        dept=dept,
        admin=make_user("platform_admin", hn),
        finance=make_user("finance", hn),
        purchaser=make_user("purchaser", dept),
        recipient=make_user(),
    )


def test_can_administer(w):
    assert p.can_administer(w.admin)
    for user in (w.finance, w.purchaser, w.recipient):
        assert not p.can_administer(user)
        with pytest.raises(PermissionDenied):
            p.require_administer(user)
    p.require_administer(w.admin)
    assert not acts_for(w.admin, w.hn, "finance")  # administers, acts in no business role


@pytest.mark.parametrize("who", ["finance", "purchaser", "recipient"])
def test_only_the_administrator_manages(w, who, region):
    actor = getattr(w, who)
    users, orgs_n = User.objects.count(), Organization.objects.count()
    memberships, events = Membership.objects.count(), AuditEvent.objects.count()
    membership = w.purchaser.memberships.get()
    refused = [
        lambda: services.create_user(actor=actor, username="newcomer", password=None),
        lambda: services.add_membership(
            actor=actor, user=w.recipient, organization=w.dept, role="purchaser"
        ),
        lambda: services.remove_membership(actor=actor, membership=membership),
        lambda: services.set_user_active(actor=actor, user=w.purchaser, active=False),
        lambda: services.reset_mfa(actor=actor, user=w.purchaser),
        lambda: services.issue_password_link(actor=actor, user=w.purchaser),
        lambda: services.unlock_login(actor=actor, username=w.purchaser.username),
        lambda: orgs.create_organization(
            actor=actor,
            name="郑州市某局（权）",
            region=region("410100"),
            org_type="administrative_organ",
            uscc="11410100MB1234567X",
            is_purchaser=True,
        ),
        lambda: orgs.set_platform_roles(actor=actor, organization=w.dept, is_purchaser=False),
        lambda: orgs.set_organization_active(actor=actor, organization=w.dept, active=False),
    ]
    for act in refused:
        with pytest.raises(NotAllowed):
            act()
    assert (User.objects.count(), Organization.objects.count()) == (users, orgs_n)
    assert Membership.objects.filter(is_active=True).count() == memberships
    assert Membership.objects.count() == memberships
    assert AuditEvent.objects.count() == events
    w.purchaser.refresh_from_db()
    w.dept.refresh_from_db()
    assert w.purchaser.is_active and w.dept.is_active and w.dept.is_purchaser


def test_the_administrator_manages(w):
    user = services.create_user(actor=w.admin, username="newcomer", password=None)
    services.add_membership(actor=w.admin, user=user, organization=w.dept, role="purchaser")
    services.set_user_active(actor=w.admin, user=user, active=False)
    assert not User.objects.get(pk=user.pk).is_active


def test_require_role(w, client):
    factory = RequestFactory()

    def request_of(user):
        request = factory.get("/")
        request.user = user
        request.session = {}
        return request

    m = p.require_role(request_of(w.purchaser), "purchaser", "finance")
    assert m.organization == w.dept
    with pytest.raises(PermissionDenied):
        p.require_role(request_of(w.purchaser), "finance")
    with pytest.raises(PermissionDenied):
        p.require_role(request_of(w.recipient), "purchaser")
    assert p.require_role(request_of(w.admin), "platform_admin").role == "platform_admin"
