"""Questions and complaints in the tick tests (moved from
`govbuy.tendering.tests.test_tick` with the split: they use the challenges app)."""

# ruff: noqa: F811  (fixtures of the tendering tests, imported here, are test parameters)

from __future__ import annotations

import datetime as dt

from govbuy.challenges import services as challenge_services
from govbuy.core.models import AuditEvent
from govbuy.procurement import services
from govbuy.tendering.models import TenderStatus
from govbuy.tendering.tests import test_tick as tendering_tests
from govbuy.tendering.tests.fixtures import start
from govbuy.tendering.tests.test_tick import (
    NOTHING,
    at,
    run_tick,
    state,
    three_bids,
)

# Fixtures of the tendering tests (and those they request), for these tests.
english = tendering_tests.english


def test_tick_waits_for_a_suspension_then_lifts_it_and_opens(tendering, clock):
    t = tendering
    clock.at("2026-09-15 10:00")
    tender = start(services, t)
    clock.at("2026-09-16 10:00")
    question = challenge_services.file_question(
        actor=t.large_user,
        tender=tender,
        provider=t.large,
        subject="documents",
        content="资格条件排斥中小企业，请求修改。",
    )
    challenge_services.answer_question(
        actor=t.purchaser, question=question, answer="资格条件合法。"
    )
    complaint = challenge_services.file_complaint(
        actor=t.large_user, question=question, content="对答复不满意。"
    )
    challenge_services.review_complaint(actor=t.finance, complaint=complaint, accept=True)
    clock.at("2026-10-09 15:00")
    three_bids(t, tender)
    # Suspended for 5 days: through Wed 14 Oct, across the opening time.
    challenge_services.suspend_purchase(actor=t.finance, complaint=complaint, days=5)
    tender.refresh_from_db()
    assert tender.suspended_until == dt.date(2026, 10, 14)

    clock.at("2026-10-12 09:31")
    before = state()
    lines = run_tick()
    assert lines[0].startswith(f"Not opened {t.project.code} #1: The finance bureau has suspended")
    assert "(until 2026-10-14)" in lines[0]
    assert lines[-1] == NOTHING
    # Nothing written, and the opening is not "late" while the law stops the clock.
    assert state() == before
    clock.at("2026-10-14 23:59")
    assert run_tick()[-1] == NOTHING
    assert state() == before

    clock.at("2026-10-15 08:00")
    lines = run_tick()
    assert lines[:2] == [
        f"Resumed {t.project.code} #1: the suspension has ended.",
        f"Opened {t.project.code} #1: 3 bid(s) read out.",
    ]
    tender.refresh_from_db()
    assert not tender.is_suspended and tender.status == TenderStatus.OPENED
    assert tender.opened_at == at("2026-10-15 08:00")
    resume = AuditEvent.objects.get(action="procurement.purchase.resume")
    assert resume.data == {"suspended_until": "2026-10-14"} and resume.actor_repr == "system"
    snapshot = state()
    assert run_tick() == [NOTHING]
    assert state() == snapshot
