"""Who may act on a round, and when (`tendering.permissions`), on real objects:
the round's purchaser, another department, a finance bureau, a provider and the
platform administrator; the services refuse what the pages do not offer. And no
page writes on a GET: the opening page at the opening time shows a button, and
only its POST opens the bids."""

from __future__ import annotations

import pytest
from django.urls import reverse

from govbuy.core.errors import InvalidState, NotAllowed
from govbuy.core.models import AuditEvent
from govbuy.tendering import permissions
from govbuy.tendering import services as tendering_services
from govbuy.tendering.models import Bid, Deadline, Notice, Tender, TenderStatus
from govbuy.tendering.tests.test_views_running import login, noticed, opened, place_bids

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(make_org, make_user):
    return make_user("platform_admin", make_org("平台运营中心（测）", "410000"))


def test_only_the_departments_purchasers_run_the_round(tendering, clock, admin):
    t = tendering
    tender = noticed(t, clock)
    assert permissions.is_purchaser(t.purchaser, tender)
    assert permissions.is_purchaser(t.rep, tender)
    for outsider in (t.other_purchaser, t.finance, t.large_user, admin):
        assert not permissions.is_purchaser(outsider, tender)
        assert not permissions.can_correct(outsider, tender)
        assert not permissions.can_terminate(outsider, tender)
    with pytest.raises(NotAllowed):
        permissions.require_purchaser(t.other_purchaser, t.project)
    with pytest.raises(NotAllowed):
        permissions.require_purchaser(admin, t.project)


def test_the_round_state_decides_what_the_purchaser_may_do(tendering, clock):
    t = tendering
    tender = noticed(t, clock)
    assert permissions.can_correct(t.purchaser, tender)
    assert permissions.can_terminate(t.purchaser, tender)
    assert permissions.can_appoint_panel(t.purchaser, tender)
    assert not permissions.can_open(t.purchaser, tender)  # before the opening time
    assert not permissions.can_award(t.purchaser, tender)
    assert not permissions.can_publish_result(t.purchaser, tender)
    place_bids(t, clock, tender)
    clock.at("2026-10-12 09:30")
    tender.refresh_from_db()
    assert not permissions.can_correct(t.purchaser, tender)  # the deadline has passed
    assert permissions.can_open(t.purchaser, tender)
    assert not permissions.can_open(t.other_purchaser, tender)
    tender = opened(t, clock, tender)
    assert tender.status == TenderStatus.OPENED
    assert not permissions.can_open(t.purchaser, tender)
    assert permissions.can_review_bids(t.purchaser, tender)
    assert not permissions.can_review_bids(t.large_user, tender)
    # The service refuses with the same predicate the page asks.
    with pytest.raises(InvalidState):
        tendering_services.publish_correction(
            actor=t.purchaser, tender=tender, text="更正", affects_bids=False
        )


def test_a_provider_bids_for_itself_while_bidding_is_open(tendering, clock, admin):
    t = tendering
    tender = noticed(t, clock)
    assert permissions.acts_for_provider(t.large_user, t.large)
    assert permissions.is_provider_of(t.large_user, t.large.pk)
    assert not permissions.acts_for_provider(t.small_user, t.large)
    assert not permissions.acts_for_provider(admin, t.large)
    assert permissions.can_bid(t.large, tender)
    assert not permissions.can_bid(None, tender)
    with pytest.raises(NotAllowed):
        permissions.require_provider(t.small_user, t.large)
    clock.at("2026-10-12 09:30")
    assert not permissions.can_bid(t.large, tender)


def _snapshot(tender):
    tender.refresh_from_db()
    return (
        tender.status,
        tender.opened_at,
        list(tender.opening_record),
        list(Bid.objects.filter(tender=tender).values_list("pk", "status")),
        Notice.objects.filter(tender=tender).count(),
        list(Deadline.objects.filter(tender=tender).values_list("pk", "done_at", "superseded_at")),
    )


def test_no_page_writes_on_a_get_at_the_opening_time(client, tendering, clock):
    t = tendering
    tender = noticed(t, clock)
    place_bids(t, clock, tender)
    clock.at("2026-10-12 09:31")
    before = _snapshot(tender)
    events = AuditEvent.objects.order_by("pk").last().pk
    for user in (t.purchaser, t.large_user, t.finance):
        login(client, user)
        response = client.get(reverse("tendering:opening", args=[tender.pk]))
        assert response.status_code == 200
        client.get(reverse("tendering:round_detail", args=[tender.pk]))
        client.get(reverse("procurement:project_detail", args=[t.project.pk]))
    assert _snapshot(tender) == before  # no row changed
    assert (
        list(
            AuditEvent.objects.filter(pk__gt=events)
            .exclude(action="accounts.login")
            .values_list("action")
        )
        == []
    )  # no audit event
    assert Tender.objects.get(pk=tender.pk).opened_at is None
    # The page offers the opening; its POST opens the bids.
    login(client, t.large_user)
    assert reverse("tendering:opening_open", args=[tender.pk]) in (
        client.get(reverse("tendering:opening", args=[tender.pk])).content.decode()
    )
    response = client.post(reverse("tendering:opening_open", args=[tender.pk]))
    assert response.status_code == 302
    tender.refresh_from_db()
    assert tender.opened_at is not None and tender.status == TenderStatus.OPENED
