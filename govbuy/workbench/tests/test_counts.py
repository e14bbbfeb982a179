"""Workbench counts (issue 12 C12): per-user indexed queries give the numbers of
the old one-OR definition, in a number of queries that does not grow with the
rows, and no query of a workbench reads the rounds with the OR'd visibility."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.db.models import Count, Q
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from govbuy.orgs.models import Region
from govbuy.procurement.models import PurchaseProject
from govbuy.procurement.tests.test_views import make_project
from govbuy.tendering import selectors
from govbuy.tendering.models import (
    Bid,
    Deadline,
    DeadlineKind,
    Notice,
    PanelMember,
    Tender,
)

WORKBENCH = "/workbench/"


def old_round_counts(user) -> dict:
    """The definition before C12: one aggregate over `rounds_for_user` (the OR'd
    visibility, four correlated flags per round)."""
    return (
        selectors.rounds_for_user(user)
        .order_by()
        .aggregate(
            running=Count("pk", filter=Q(status__in=selectors.RUNNING_STATUSES)),
            late=Count(
                "pk",
                filter=Q(late_notice=True)
                | Q(early_notice=True)
                | Q(late_deadline=True)
                | Q(overdue=True),
            ),
            emergency=Count("pk", filter=Q(emergency=True)),
        )
    )


def old_project_counts(user) -> dict:
    return PurchaseProject.objects.visible_to(user).aggregate(
        draft=Count("pk", filter=Q(status="draft")),
        review=Count("pk", filter=Q(status="review")),
        approved=Count("pk", filter=Q(status="approved")),
        method_pending=Count("pk", filter=Q(method_approval="pending")),
    )


_seq = iter(range(1, 10_000))


def add_round(project, *, status, emergency=False, days_ago=10):
    now = timezone.now()
    n = next(_seq)
    return Tender.objects.create(
        project=project,
        round_no=n,
        method="open_tender",
        status=status,
        emergency=emergency,
        title=f"{project.name} #{n}",
        published_at=now - dt.timedelta(days=days_ago + 20),
        bid_deadline=now - dt.timedelta(days=days_ago),
        opening_at=now - dt.timedelta(days=days_ago),
    )


def add_deadline(tender, kind, *, due_days=-1, done=False, late=False, superseded=False):
    now = timezone.now()
    return Deadline.objects.create(
        project=tender.project,
        tender=tender,
        kind=kind,
        due_at=now + dt.timedelta(days=due_days),
        done_at=now if done else None,
        late=late,
        late_reason="迟" if late else "",
        rule="D1",
        basis="test",
        explanation="test",
        superseded_at=now if superseded else None,
    )


def add_notice(tender, *, late=False, early=False):
    now = timezone.now()
    n = next(_seq)
    return Notice.objects.create(
        project=tender.project,
        tender=tender,
        kind="purchase" if early else "result",
        number=f"TEST-{n}",
        title="t",
        body="b",
        published_at=now,
        due_at=now + dt.timedelta(days=3) if early else now - dt.timedelta(days=3),
        late=late or early,
        late_reason="迟" if (late or early) else "",
    )


@pytest.fixture
def mixed(buying, make_org, make_user):
    """Rounds of two departments in 郑州 and one in 洛阳 in every status, flagged in
    each way (late, early notice, late or overdue deadline, superseded ones that no
    longer count), with a panel, bids and an invitation that each reach one round."""
    b = buying
    ly_dept = make_org("洛阳市民政局（测）", "410300", is_purchaser=True)
    provider = make_org("测试服务有限公司", "410100", org_type="enterprise", is_provider=True)
    provider_user = make_user("provider", provider)
    expert = make_user("expert", b.zz)
    ly_region = Region.objects.get(code="410300")
    projects = [make_project(b, name=f"测试采购{i}") for i in range(6)]
    PurchaseProject.objects.filter(pk=projects[2].pk).update(department=b.other)
    PurchaseProject.objects.filter(pk__in=[projects[3].pk, projects[4].pk]).update(
        department=ly_dept, region=ly_region, status="review", method_approval="pending"
    )
    PurchaseProject.objects.filter(pk=projects[5].pk).update(status="approved")
    rounds = []
    current = ["bidding", "opened", "evaluated", "awarded"]
    for i, p in enumerate(projects):
        p.refresh_from_db()
        for status in (current[i % 4], "failed", "terminated"):
            rounds.append(add_round(p, status=status, emergency=(i + len(status)) % 3 == 0))
    # Flags on some rounds of each project; one round flagged twice.
    for i, t in enumerate(rounds):
        if i % 5 == 0:
            add_notice(t, late=True)
        if i % 7 == 1:
            add_notice(t, early=True)
        if i % 4 == 2:
            add_deadline(t, DeadlineKind.OPENING)  # overdue, a purchaser's task
        if i % 6 == 3:
            add_deadline(t, DeadlineKind.BID_DEADLINE)  # passed unmet, not a task
        if i % 9 == 4:
            add_deadline(t, DeadlineKind.CONFIRMATION, done=True, late=True)
        if i % 8 == 5:
            add_deadline(t, DeadlineKind.RESULT_NOTICE, late=True, superseded=True)
        if i % 10 == 6:
            add_deadline(t, DeadlineKind.CONTRACT_SIGNING, due_days=3)  # not yet due
    ly_rounds = [t for t in rounds if t.project.department_id == ly_dept.pk]
    PanelMember.objects.create(tender=ly_rounds[0], user=expert)
    Bid.objects.create(
        tender=ly_rounds[1],
        provider=provider,
        submitted_at=timezone.now(),
        price="1000.00",
        technical_response="方案",
        digest="0" * 64,
    )
    ly_rounds[2].invited.add(provider)
    ly_rounds[1].invited.add(provider)  # bid and invited: counted once
    return b, ly_dept, provider_user, expert


def users(b, provider_user, expert, make_user, make_org):
    admin = make_user("platform_admin", b.hn)
    assert admin.is_platform_admin
    return [
        b.purchaser,
        b.other_purchaser,
        b.finance,
        b.finance_hn,
        b.finance_ly,
        b.auditor,
        provider_user,
        expert,
        admin,
    ]


def test_counts_equal_the_old_definition(mixed, make_user, make_org):
    b, _ly, provider_user, expert = mixed
    seen = set()
    for user in users(b, provider_user, expert, make_user, make_org):
        user.refresh_from_db()
        new, old = selectors.round_counts(user), old_round_counts(user)
        assert new == old, user
        seen.add(tuple(sorted(new.items())))
    # The fixture tells the users apart (not all zeros, not all equal).
    assert len(seen) >= 4
    from govbuy.workbench.views import project_counts

    for user in (b.purchaser, b.finance, b.finance_hn, b.finance_ly, b.auditor):
        assert project_counts(user) == old_project_counts(user), user


VISIBILITY_OR = re.compile(r'"procurement_tender".*\bOR\b', re.S)


def workbench_sql(client, user):
    client.force_login(user)
    client.get(WORKBENCH)  # warm-up
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(WORKBENCH).status_code == 200
    return [q["sql"] for q in ctx.captured_queries]


@pytest.mark.parametrize("who", ["finance", "purchaser", "finance_hn", "auditor"])
def test_no_workbench_query_reads_the_rounds_with_the_ored_visibility(client, mixed, who):
    b = mixed[0]
    for sql in workbench_sql(client, getattr(b, who)):
        reads_rounds = re.search(r'FROM "procurement_tender"|JOIN "procurement_tender"', sql)
        if not reads_rounds:
            continue
        # No round read tests the visibility as one OR over the joined rounds.
        assert not (" OR " in sql and "procurement_panelmember" in sql), sql
        # No unfiltered COUNT(*) over the rounds or notices.
        assert not re.search(
            r'COUNT\(\*\).*FROM "procurement_(tender|notice)"\s*(\)|$)', sql, re.S
        ), sql


@pytest.mark.parametrize("who", ["finance", "purchaser"])
def test_workbench_queries_do_not_grow_with_rows(client, mixed, who, django_assert_max_num_queries):
    b = mixed[0]
    user = getattr(b, who)
    few = len(workbench_sql(client, user))
    for i in range(5):
        p = make_project(b, name=f"再一个采购{i}")
        for status in ("bidding", "failed", "terminated"):
            t = add_round(p, status=status, emergency=i % 2 == 0)
            add_notice(t, late=True)
            add_deadline(t, DeadlineKind.OPENING)
    many = len(workbench_sql(client, user))
    assert many == few
