"""The public notice list and its API at size (issue 12, C9-C11): keyset pages in a
stable order (ties in published_at broken by id), bounded page numbers, no COUNT(*)
over the notices, a constant number of queries as notices grow, and the search on
the notice's stored search column finding what the four joined columns found.

Runs on SQLite by default and on PostgreSQL with GOVBUY_DATABASE_URL (where the
search also goes through the bigram index of tendering migration 0002)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from govbuy.procurement.tests.fixtures import approved_project
from govbuy.tendering import services as tendering_services
from govbuy.tendering.models import Notice
from govbuy.tendering.tests.test_views_running import login, noticed, text, url

pytestmark = pytest.mark.django_db

API = "/api/v1/notices"
PAGE = "/procurement/notices/"
ORDER = ("-published_at", "-pk")


def corrections(t, tender, clock, n):
    """`n` correction notices published at one and the same moment: ties in published_at."""
    clock.at("2026-09-16 10:00")
    for i in range(n):
        tendering_services.publish_correction(
            actor=t.purchaser, tender=tender, text=f"第{i}次更正：联系电话。", affects_bids=False
        )


def counts_of_notices(captured) -> list[str]:
    return [
        q["sql"]
        for q in captured.captured_queries
        if "COUNT(" in q["sql"].upper() and "procurement_notice" in q["sql"]
    ]


def view(client, path, params):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, params)
    assert response.status_code == 200, response.content[:500]
    return response, captured


@pytest.mark.parametrize(
    "path,params",
    [
        (PAGE, {}),
        (PAGE, {"q": "助餐"}),
        (PAGE, {"region": "410100", "kind": "correction"}),
        (API, {}),
        (API, {"q": "助餐", "region": "410000"}),
    ],
)
def test_list_queries_do_not_grow_and_never_count_the_notices(
    client, tendering, clock, path, params
):
    t = tendering
    tender = noticed(t, clock)
    corrections(t, tender, clock, 2)
    login(client, None)
    client.get(path, params)  # warm-up: first-request caches
    _, few = view(client, path, params)
    corrections(t, tender, clock, 40)
    response, many = view(client, path, params)
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
    assert counts_of_notices(few) == counts_of_notices(many) == []
    if path == API:
        body = response.json()
        assert body["count_exact"] is True and body["next"] is None
        assert body["count"] == len(body["items"])
    elif not params:
        assert len(response.context["page"]) == 25 and response.context["page"].has_next
        assert response.context["total"].value == 44 and response.context["total"].exact
        assert "44 notices" in text(response)


def test_api_cursor_walks_every_notice_once_in_a_stable_order_and_back(client, tendering, clock):
    t = tendering
    tender = noticed(t, clock)
    corrections(t, tender, clock, 9)  # 9 notices with the same published_at
    expected = list(Notice.objects.order_by(*ORDER).values_list("pk", flat=True))
    assert len(expected) == 11
    login(client, None)
    seen, pages, cursor = [], [], None
    while True:
        params = {"page_size": 3} | ({"cursor": cursor} if cursor else {})
        body = client.get(API, params).json()
        pages.append([n["id"] for n in body["items"]])
        seen += pages[-1]
        cursor = body["next"]
        if cursor is None:
            break
        assert body["count"] == 11 and body["count_exact"] is True
    assert seen == expected  # each once, newest first, ties by id
    assert [len(p) for p in pages] == [3, 3, 3, 2]
    # Back from the last page by the previous cursors: the same pages.
    back, previous = [], body["previous"]
    while previous:
        body = client.get(API, {"page_size": 3, "cursor": previous}).json()
        back.append([n["id"] for n in body["items"]])
        previous = body["previous"]
    assert back == pages[-2::-1]
    # Numbered pages (bounded) agree with the cursor's pages.
    second = client.get(API, {"page_size": 3, "page": 2}).json()
    assert [n["id"] for n in second["items"]] == pages[1]


def test_page_walks_by_next_and_previous_links(client, tendering, clock):
    t = tendering
    tender = noticed(t, clock)
    corrections(t, tender, clock, 30)
    expected = list(Notice.objects.order_by(*ORDER).values_list("pk", flat=True))
    login(client, None)
    first = client.get(url("notice_list"))
    page = first.context["page"]
    assert [n.pk for n in page] == expected[:25] and page.previous_cursor is None
    assert 'rel="next"' in text(first)
    second = client.get(url("notice_list"), {"cursor": page.next_cursor})
    assert second.status_code == 200
    assert [n.pk for n in second.context["page"]] == expected[25:]
    assert second.context["page"].next_cursor is None
    back = client.get(url("notice_list"), {"cursor": second.context["page"].previous_cursor})
    assert [n.pk for n in back.context["page"]] == expected[:25]
    # The numbered second page is the same page.
    numbered = client.get(url("notice_list"), {"page": 2})
    assert [n.pk for n in numbered.context["page"]] == expected[25:]


def test_invalid_cursor_and_too_deep_pages_are_clear_errors(client, tendering, clock):
    t = tendering
    noticed(t, clock)
    login(client, None)
    for bad in ("nonsense", "a" * 60, "W10:1abc:xyz"):
        page = client.get(url("notice_list"), {"cursor": bad})
        assert page.status_code == 400
        assert "This page link is not valid" in text(page)
        api = client.get(API, {"cursor": bad})
        assert api.status_code == 400
        assert api.json()["code"] == "invalid_cursor"
        assert api.json()["errors"][0]["field"] == "cursor"
    page = client.get(url("notice_list"), {"page": "999"})
    assert page.status_code == 400 and "Pages are numbered up to 20" in text(page)
    api = client.get(API, {"page": 21})
    assert api.status_code == 400 and api.json()["errors"][0]["field"] == "page"
    assert client.get(API, {"page": 20}).status_code == 200
    # A page number that is not a number is page 1, as before.
    assert client.get(url("notice_list"), {"page": "x"}).status_code == 200


def old_search(q):
    """The search before C11, over the four joined columns: the oracle."""
    return list(
        Notice.objects.filter(
            Q(title__icontains=q)
            | Q(number__icontains=q)
            | Q(project__code__icontains=q)
            | Q(project__department__name__icontains=q)
        )
        .order_by(*ORDER)
        .values_list("pk", flat=True)
    )


def test_search_finds_what_the_joined_columns_found(client, tendering, clock):
    t = tendering
    tender = noticed(t, clock)
    corrections(t, tender, clock, 2)
    clock.at("2026-09-20 10:00")
    for name in ("2027年居家养老服务采购", "2027年社区养老服务站运营采购"):
        project = approved_project(t, method="open_tender", name=name)
        tendering_services.publish_intention(
            actor=t.purchaser, project=project, expected_on="2026-11-15"
        )
    notice = Notice.objects.order_by("pk").first()
    terms = [
        "养老",
        "居家养老",
        "养老服务站",
        "助餐",
        "民政",
        "郑州市民政局",
        notice.number,
        notice.number[-5:],
        notice.number.lower(),
        notice.project.code.lower(),
        "养",
        "老养",
        "助浴",
        " 养老 ",
    ]
    login(client, None)
    for q in terms:
        expected = old_search(q.strip())
        found = [n["id"] for n in client.get(API, {"q": q, "page_size": 100}).json()["items"]]
        assert found == expected, q
        page = client.get(url("notice_list"), {"q": q})
        assert [n.pk for n in page.context["page"]] == expected[:25], q
    assert len(old_search("养老")) == 2
    assert old_search("老养") == []


def test_published_notice_keeps_its_region_path_and_search_text(tendering, clock):
    t = tendering
    noticed(t, clock)
    for n in Notice.objects.select_related("project__region", "project__department"):
        assert n.region_path == n.project.region.path
        assert n.search_text.split("\n") == [
            n.title.lower(),
            n.number.lower(),
            n.project.code.lower(),
            n.project.department.name.lower(),
        ]
