"""P12 under concurrency (PostgreSQL): 50 providers submit in the last second
before the bid deadline, on the real wall clock, each thread with its own
database connection, while the opening runs at the deadline. Every bid the
server stamps before the deadline is accepted and read out at the opening;
every later one is refused with P12; none is lost; no provider has two live
bids.

The round is published 25 days ago (time travel), with its deadline a few
seconds ahead of the real clock; then time travel stops and the threads,
released together on a barrier, spread their submissions from 750 ms before
to 240 ms after the deadline."""

from __future__ import annotations

import datetime as dt
import re
import threading
import time

import pytest
from django.db import connection
from django.db.models import Count
from django.utils import timezone, translation

from govbuy.core import audit
from govbuy.core.models import AuditEvent
from govbuy.core.rules import RuleViolation
from govbuy.procurement import services
from govbuy.procurement.tests.fixtures import provider_org
from govbuy.tendering import services as tendering_services
from govbuy.tendering.models import Bid, BidStatus, TenderStatus

BIDDERS = 50
RECEIVED = re.compile(r"received this at (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3})")


def purchase(buying):
    """An approved open-tender purchase with its intention published (today is 60 days
    before the real date)."""
    today = timezone.localdate()
    line = buying.line("2000000.00", out_years=[{"year": buying.year + 1, "amount": "1"}])
    project = services.create_project(
        actor=buying.purchaser,
        budget_line=line,
        name="社区老年助餐服务（并发投标）",
        amount="1500000.00",
        content="为辖区 60 岁以上老年人提供助餐服务",
        standards="符合《老年人助餐服务规范》",
        quantity="120 个助餐点",
        recipients="辖区 60 岁以上老年人",
        place="郑州市",
        term_start=f"{buying.year + 1}-01-01",
        term_end=f"{buying.year + 1}-12-31",
        technical_guarantees="助餐信息系统",
        goals="老年人就餐便利度提高",
        indicators="服务满意度：≥90%",
    )
    services.submit_for_review(actor=buying.purchaser, project=project)
    services.review_requirements(
        actor=buying.manager,
        project=project,
        approve=True,
        complete=True,
        compliant=True,
        reasonable=True,
    )
    services.choose_method(actor=buying.purchaser, project=project, method="open_tender")
    tendering_services.publish_intention(
        actor=buying.purchaser, project=project, expected_on=today + dt.timedelta(days=30)
    )
    return project


@pytest.mark.postgres_only
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: SQLite serializes all writers, so there is no concurrency to test",
)
@pytest.mark.django_db(transaction=True)
def test_fifty_bids_in_the_last_second_none_lost(request, clock, make_org, make_user):
    real_now = timezone.now()
    clock.at(real_now - dt.timedelta(days=60))
    buying = request.getfixturevalue("buying")
    project = purchase(buying)
    bidders = [
        provider_org(
            make_org,
            make_user,
            f"郑州并发投标服务有限公司{i:02d}",
            sme_size=("small", "medium", "large")[i % 3],
        )
        for i in range(BIDDERS)
    ]

    # Published 25 days ago; the deadline on a whole second a few seconds from now (real).
    clock.stop()
    deadline = (timezone.now() + dt.timedelta(seconds=4)).replace(microsecond=0)
    clock.at(timezone.now() - dt.timedelta(days=25))
    tender = tendering_services.start_round(
        actor=buying.purchaser,
        project=project,
        bid_deadline=deadline,
        price_weight="30",
        criteria=[{"name": "服务方案", "points": "70"}],
        sme_deduction="0.10",
    )
    clock.stop()
    assert tender.opening_at == deadline > timezone.now()

    barrier = threading.Barrier(BIDDERS + 1)
    accepted, refused, errors = [], [], []
    opened = []
    release_at = deadline.timestamp() - 0.75

    def bidder(i, org, user):
        try:
            connection.ensure_connection()
            barrier.wait(timeout=60)
            # Bidder i submits at deadline − 750 ms + i × 20 ms.
            time.sleep(max(0.0, release_at + i * 0.02 - time.time()))
            with translation.override("en"):
                bid = tendering_services.submit_bid(
                    actor=user,
                    tender=tender,
                    provider=org,
                    price=f"{480000 + i * 100}.00",
                    technical_response=f"服务方案 {i}",
                    sme_size=org.sme_size,
                )
            accepted.append((org.pk, bid.pk, bid.submitted_at))
        except RuleViolation as exc:
            refused.append((org.pk, exc.violations))
        except Exception as exc:  # anything else is a defect
            errors.append((i, repr(exc)))
        finally:
            connection.close()

    def opener():
        try:
            connection.ensure_connection()
            barrier.wait(timeout=60)
            time.sleep(max(0.0, deadline.timestamp() + 0.01 - time.time()))
            opened.append(tendering_services.open_bids(tender=tender))
        except Exception as exc:
            errors.append(("opener", repr(exc)))
        finally:
            connection.close()

    threads = [
        threading.Thread(target=bidder, args=(i, org, user))
        for i, (org, user) in enumerate(bidders)
    ] + [threading.Thread(target=opener)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads)

    assert errors == []
    assert len(accepted) + len(refused) == BIDDERS
    # The spread straddles the deadline: both sides are exercised.
    assert accepted and refused
    # Accepted: stamped by the server before the deadline.
    assert all(stamp < deadline for _org, _bid, stamp in accepted)
    # Refused: P12 only, stamped at or after the deadline (the message shows the stamp).
    for _org, violations in refused:
        (violation,) = violations
        assert (violation.rule, violation.field) == ("P12", "bid_deadline")
        received = timezone.make_aware(
            dt.datetime.fromisoformat(RECEIVED.search(violation.message).group(1))
        )
        assert received >= deadline

    # None lost: every accepted bid is live and read out at the opening, nothing else is.
    (result,) = opened
    tender.refresh_from_db()
    assert result.status == tender.status == TenderStatus.OPENED
    live = Bid.objects.filter(tender=tender, status=BidStatus.SUBMITTED)
    assert sorted(live.values_list("pk", flat=True)) == sorted(b for _o, b, _s in accepted)
    assert sorted(line["bid"] for line in tender.opening_record) == sorted(
        b for _o, b, _s in accepted
    )
    assert all(line["digest_ok"] for line in tender.opening_record)
    assert not Bid.objects.filter(tender=tender).exclude(status=BidStatus.SUBMITTED).exists()
    # No provider has two live bids; refused providers have none.
    assert not live.values("provider").annotate(n=Count("pk")).filter(n__gt=1).exists()
    assert not live.filter(provider__in=[o for o, _v in refused]).exists()
    # One audit event per accepted bid, and the chain is intact.
    submits = AuditEvent.objects.filter(action="procurement.bid.submit")
    assert submits.count() == len(accepted)
    assert audit.verify_chain().ok
