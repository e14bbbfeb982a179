"""Keyset pagination and estimated counts (SQLite and PostgreSQL): a stable
order through ties, next and previous pages, a clear error for a bad cursor,
and never a COUNT query."""

import datetime as dt

import pytest
from django.core import signing
from django.db import connection
from django.test.utils import CaptureQueriesContext

from govbuy.core import pagination
from govbuy.core.models import AuditEvent
from govbuy.core.pagination import InvalidCursor, estimated_count, keyset_page

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def rows(db):
    """50 rows whose times tie in threes: the id breaks the ties."""
    AuditEvent.objects.bulk_create(
        AuditEvent(
            seq=i + 1,
            prev_hash=f"{i:064d}",
            hash=f"{i + 1:064d}",
            created_at=T0 + dt.timedelta(minutes=i // 3),
            action="core.test" if i % 2 else "core.other",
        )
        for i in range(50)
    )
    return list(AuditEvent.objects.order_by("-created_at", "-pk"))


ORDER = ("-created_at", "-pk")


def _walk_forward(qs, size):
    pages, cursor = [], None
    while True:
        page = keyset_page(qs, cursor, ordering=ORDER, page_size=size)
        pages.append(page)
        if not page.has_next:
            return pages
        cursor = page.next_cursor


@pytest.mark.parametrize("size", [1, 7, 10, 49, 50, 60])
def test_forward_walk_is_the_whole_list_in_order_through_ties(rows, size):
    pages = _walk_forward(AuditEvent.objects.all(), size)
    seen = [e.pk for p in pages for e in p]
    assert seen == [e.pk for e in rows]
    assert len(pages) == max(1, -(-len(rows) // size))
    assert not pages[0].has_previous
    assert not pages[-1].has_next
    assert all(len(p) == size for p in pages[:-1])


def test_previous_walk_gives_the_same_pages_back(rows):
    pages = _walk_forward(AuditEvent.objects.all(), 7)
    back = pages[-1]
    for expected in reversed(pages[:-1]):
        back = keyset_page(
            AuditEvent.objects.all(), back.previous_cursor, ordering=ORDER, page_size=7
        )
        assert [e.pk for e in back] == [e.pk for e in expected]
        assert back.has_next
    assert not back.has_previous


def test_filters_and_ascending_order_and_values_rows(rows):
    qs = AuditEvent.objects.filter(action="core.test").values("pk", "created_at")
    order = ("created_at", "pk")
    wanted = list(qs.order_by(*order))
    seen, cursor = [], None
    while True:
        page = keyset_page(qs, cursor, ordering=order, page_size=4)
        seen += page.items
        if not page.has_next:
            break
        cursor = page.next_cursor
    assert seen == wanted


def test_a_page_is_one_query_without_count(rows):
    first = keyset_page(AuditEvent.objects.all(), ordering=ORDER, page_size=10)
    with CaptureQueriesContext(connection) as ctx:
        page = keyset_page(
            AuditEvent.objects.all(), first.next_cursor, ordering=ORDER, page_size=10
        )
    assert len(page) == 10
    assert len(ctx.captured_queries) == 1
    sql = ctx.captured_queries[0]["sql"].upper()
    assert "COUNT(" not in sql
    assert "LIMIT 11" in sql  # one extra row says whether there is more


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage",
        "",
        signing.dumps(["n", [1]], salt="another.list"),  # signed for another list
        signing.dumps(["x", [["t", T0.isoformat()], 3]], salt=pagination.SALT),
        signing.dumps(["n", [["t", T0.isoformat()]]], salt=pagination.SALT),  # too few values
        signing.dumps(["n", [["t", "not a time"], 3]], salt=pagination.SALT),
        signing.dumps(["n", [["t", "2026-03-02T09:00:00"], 3]], salt=pagination.SALT),  # naive
        signing.dumps(["n", [["t", T0.isoformat()], "x"]], salt=pagination.SALT),
        signing.dumps("n", salt=pagination.SALT),
    ],
    # Fixed ids: signed values carry a timestamp (xdist workers must collect the same ids).
    ids=[
        "garbage",
        "empty",
        "other-salt",
        "bad-direction",
        "too-few-values",
        "not-a-time",
        "naive-time",
        "bad-id",
        "not-a-list",
    ],
)
def test_an_invalid_cursor_is_a_clear_400_error(rows, cursor):
    if cursor == "":
        # No cursor: the first page.
        assert len(keyset_page(AuditEvent.objects.all(), cursor, ordering=ORDER)) == 20
        return
    with pytest.raises(InvalidCursor) as info:
        keyset_page(AuditEvent.objects.all(), cursor, ordering=ORDER)
    assert info.value.status == 400
    assert info.value.as_body()["code"] == "invalid_cursor"
    assert info.value.field == "cursor"


def test_a_tampered_cursor_is_refused(rows):
    page = keyset_page(AuditEvent.objects.all(), ordering=ORDER, page_size=5)
    tampered = page.next_cursor[:-2] + ("AA" if not page.next_cursor.endswith("AA") else "BB")
    with pytest.raises(InvalidCursor):
        keyset_page(AuditEvent.objects.all(), tampered, ordering=ORDER)


def test_estimated_count_is_exact_when_small_and_never_counts_all(rows):
    with CaptureQueriesContext(connection) as ctx:
        small = estimated_count(AuditEvent.objects.filter(action="core.test"))
    assert small == pagination.Estimate(25, True)
    assert not any("COUNT(" in q["sql"].upper() for q in ctx.captured_queries)

    with CaptureQueriesContext(connection) as ctx:
        big = estimated_count(AuditEvent.objects.all(), exact_up_to=10, bounded_up_to=30)
    assert not big.exact
    sqls = [q["sql"].upper() for q in ctx.captured_queries]
    if connection.vendor == "postgresql":
        assert big.value >= 11
        assert any(sql.startswith("EXPLAIN") for sql in sqls)
        assert not any("COUNT(" in sql for sql in sqls)
    else:
        assert big == pagination.Estimate(30, False, at_least=True)
        counts = [sql for sql in sqls if "COUNT(" in sql]
        assert counts and all("LIMIT 30" in sql for sql in counts)
