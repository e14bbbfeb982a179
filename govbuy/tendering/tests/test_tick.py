"""`manage.py tick`: opens rounds whose opening time has passed, lifts ended
suspensions, marks duties passed undone as late, prints what it did — and a
second run changes nothing."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone, translation

from govbuy.core.models import AuditEvent
from govbuy.procurement import services
from govbuy.procurement.models import ProjectStatus, PurchaseProject
from govbuy.tendering import services as tendering_services
from govbuy.tendering.models import Deadline, DeadlineKind, Notice, Tender, TenderStatus
from govbuy.tendering.tests.fixtures import start
from govbuy.tendering.tests.test_running_flow import bid, scores_for
from govbuy.tendering.tests.test_schedule import another_project

NOTHING = "tick: nothing to do."


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def at(text: str) -> dt.datetime:
    return timezone.make_aware(dt.datetime.fromisoformat(text))


def run_tick() -> list[str]:
    out = StringIO()
    call_command("tick", stdout=out)
    return out.getvalue().splitlines()


def state():
    """Everything a tick may write."""
    return (
        AuditEvent.objects.count(),
        list(
            Tender.objects.order_by("pk").values_list(
                "pk", "status", "opened_at", "suspended_at", "suspended_until", "updated_at"
            )
        ),
        list(
            Deadline.objects.order_by("pk").values_list(
                "pk", "due_at", "done_at", "late", "superseded_at"
            )
        ),
        list(PurchaseProject.objects.order_by("pk").values_list("pk", "status", "updated_at")),
        Notice.objects.count(),
    )


def three_bids(t, tender):
    return (
        bid(t, t.large, t.large_user, "500000.00", tender=tender),
        bid(t, t.small, t.small_user, "540000.00", tender=tender),
        bid(t, t.social, t.social_user, "520000.00", tender=tender),
    )


def test_tick_opens_rounds_whose_time_has_passed_and_a_second_run_changes_nothing(tendering, clock):
    t = tendering
    other = another_project(t, method="open_tender")
    clock.at("2026-09-15 10:00")
    full = start(services, t)  # deadline Mon 12 Oct 09:30
    thin = start(services, t, project=other, bid_deadline="2026-10-12T10:00")
    clock.at("2026-10-09 15:00")
    three_bids(t, full)
    bid(t, t.large, t.large_user, "480000.00", tender=thin)

    # Before the opening time nothing is due.
    clock.at("2026-10-12 09:29:59")
    assert run_tick() == [NOTHING]

    clock.at("2026-10-12 10:05")
    before = AuditEvent.objects.count()
    lines = run_tick()
    full.refresh_from_db()
    thin.refresh_from_db()
    assert full.status == TenderStatus.OPENED and full.opened_by is None
    assert len(full.opening_record) == 3 and all(x["digest_ok"] for x in full.opening_record)
    assert thin.status == TenderStatus.FAILED
    other.refresh_from_db()
    assert other.status == ProjectStatus.APPROVED and other.failed_rounds == 1
    assert lines[0] == f"Opened {t.project.code} #1: 3 bid(s) read out."
    assert lines[1].startswith(f"Failed {other.code} #1 (流标): 1 bid(s) arrived by the deadline")
    assert lines[-1] == (
        "tick: 1 round(s) opened, 1 failed, 0 deadline(s) marked late, 0 suspension(s) lifted, "
        "0 deadline(s) dated."
    )
    events = AuditEvent.objects.filter(seq__gt=before)
    assert set(events.values_list("action", flat=True)) == {
        "procurement.round.open",
        "procurement.round.fail",
    }
    assert set(events.values_list("actor_repr", flat=True)) == {"system"}
    opening = Deadline.objects.current().get(tender=full, kind=DeadlineKind.OPENING)
    # The seal lifted at 09:30 by the clock: that is when the opening took place,
    # whenever the tick recorded it, so it is never late.
    assert opening.done_at == at("2026-10-12 09:30") and not opening.late

    snapshot = state()
    assert run_tick() == [NOTHING]
    assert state() == snapshot
    # A purchaser pressing "open" afterwards changes nothing either.
    tendering_services.open_bids(actor=t.purchaser, tender=full)
    assert state() == snapshot


def test_tick_marks_duties_passed_undone_as_late_never_windows(tendering, clock):
    t = tendering
    clock.at("2026-09-15 10:00")
    tender = start(services, t)
    clock.at("2026-10-09 15:00")
    b_large, b_small, b_social = three_bids(t, tender)
    clock.at("2026-10-12 09:30")
    run_tick()
    tender.refresh_from_db()
    tendering_services.appoint_panel(
        actor=t.purchaser, tender=tender, members=t.panel, chair=t.experts[0]
    )
    for user in t.panel:
        tendering_services.declare_no_conflict(actor=user, tender=tender)
        tendering_services.submit_scores(
            actor=user,
            tender=tender,
            scores=scores_for(
                tender, {b_large: ("35", "25"), b_small: ("34.5", "25"), b_social: ("33", "25")}
            ),
        )
    # Confirmation due 5 working days after Mon 12 Oct: 13, 14, 15, 16, Mon 19 Oct.
    confirmation = Deadline.objects.current().get(tender=tender, kind=DeadlineKind.CONFIRMATION)
    assert timezone.localtime(confirmation.due_at).date() == dt.date(2026, 10, 19)

    clock.at("2026-10-19 23:00")
    assert run_tick() == [NOTHING]

    clock.at("2026-10-20 09:00")
    lines = run_tick()
    assert lines == [
        f"Late: {t.project.code} #1, Winner confirmed (确定中标（成交）供应商), "
        "due 2026-10-19 23:59.",
        "tick: 0 round(s) opened, 0 failed, 1 deadline(s) marked late, 0 suspension(s) lifted, "
        "0 deadline(s) dated.",
    ]
    confirmation.refresh_from_db()
    assert confirmation.late and confirmation.done_at is None
    # Windows that closed (notice period, documents, questions on the documents) and the
    # bidders' own deadline are not anybody's lateness.
    assert list(
        Deadline.objects.filter(tender=tender, late=True).values_list("kind", flat=True)
    ) == [DeadlineKind.CONFIRMATION]
    late_event = AuditEvent.objects.get(action="procurement.deadline.late")
    assert late_event.data["kind"] == DeadlineKind.CONFIRMATION

    snapshot = state()
    assert run_tick() == [NOTHING]
    assert state() == snapshot

    # Confirmed later, with the reason: done, still late.
    tender = tendering_services.confirm_award(
        actor=t.purchaser, tender=tender, late_reason="专家复核评审报告，确认推迟。"
    )
    confirmation.refresh_from_db()
    assert confirmation.done_at == at("2026-10-20 09:00") and confirmation.late
    assert confirmation.late_reason == "专家复核评审报告，确认推迟。"
    # Result notice due 2 working days after Tue 20 Oct: Wed 21, Thu 22. Published on time:
    # never marked late.
    clock.at("2026-10-22 17:00")
    tendering_services.publish_result(actor=t.purchaser, tender=tender)
    clock.at("2026-10-23 09:00")
    assert run_tick() == [NOTHING]
    # Contract signing: 30 days after Thu 22 Oct = Sat 21 Nov; no contract by then is late.
    clock.at("2026-11-22 09:00")
    assert run_tick()[0] == (
        f"Late: {t.project.code} #1, Contract signed (合同签订), due 2026-11-21 23:59."
    )
    assert run_tick() == [NOTHING]


def test_a_failed_or_terminated_round_has_no_late_duties(tendering, clock):
    t = tendering
    clock.at("2026-09-15 10:00")
    tender = start(services, t)
    clock.at("2026-10-09 15:00")
    three_bids(t, tender)
    clock.at("2026-10-12 09:30")
    run_tick()
    tender.refresh_from_db()
    clock.at("2026-10-12 11:00")
    tendering_services.terminate_round(
        actor=t.purchaser, tender=tender, reason="采购需求发生重大变化。"
    )
    # The opening record and the process question window remain, no duty is left open.
    clock.at("2026-12-01 09:00")
    assert run_tick() == [NOTHING]


def test_tick_dates_deadlines_once_their_years_calendar_is_entered(tendering, clock):
    """Published on Fri 18 Dec 2026, the documents' period ends Fri 25 Dec; the
    7 working days to question them run into 2027, whose calendar is missing:
    the row waits without a date. Once the 2027 notice is entered (here a test
    calendar with 1 Jan a holiday) the tick dates it: 28, 29, 30, 31 Dec, then
    4, 5, 6 Jan → Wed 6 Jan 2027."""
    from govbuy.core.services import set_holiday_calendar

    t = tendering
    clock.at("2026-12-18 10:00")
    tender = start(services, t, bid_deadline="2027-01-08T09:30")
    row = Deadline.objects.current().get(tender=tender, kind=DeadlineKind.QUESTION_DOCUMENTS)
    assert row.due_at is None and "2027" in row.explanation
    assert run_tick() == [NOTHING]
    set_holiday_calendar(
        actor="test", year=2027, basis="test calendar", days_text="2027-01-01 holiday 元旦"
    )
    lines = run_tick()
    row.refresh_from_db()
    assert timezone.localtime(row.due_at).date() == dt.date(2027, 1, 6)
    assert "2027" not in row.explanation
    assert lines[-1].endswith("1 deadline(s) dated.")
    assert AuditEvent.objects.filter(action="procurement.deadline.dated").count() == 1
    assert run_tick() == [NOTHING]
