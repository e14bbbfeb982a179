"""List pages and list endpoints run a fixed number of queries: no N+1."""

import pytest

from govbuy.accounts import services

# A bound with some headroom for session, user and membership lookups; the real
# guarantee is that 3 and 30 organizations cost exactly the same.
MAX_QUERIES = 8
REGIONS = ["410100", "410122", "410185", "410300", "410325"]
KINDS = [
    {"org_type": "administrative_organ", "is_purchaser": True},
    {"org_type": "enterprise", "is_provider": True, "sme_size": "small"},
    {
        "org_type": "social_organization",
        "social_org_form": "social_service_agency",
        "is_provider": True,
    },
    {
        "org_type": "public_institution",
        "institution_class": "public_welfare_2",
        "is_provider": True,
    },
]


@pytest.fixture
def province_finance(make_org, make_user):
    org = make_org("河南省财政厅（测试）", "410000", is_finance_bureau=True, is_purchaser=True)
    return make_user("finance", org)


def add_orgs(make_org, n, start=0):
    for i in range(start, start + n):
        kind = KINDS[i % len(KINDS)]
        make_org(f"测试单位{i:03d}", REGIONS[i % len(REGIONS)], **kind)


def count_queries(client, url, django_assert_max_num_queries, bound=MAX_QUERIES):
    with django_assert_max_num_queries(bound) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return response, len(captured.captured_queries)


@pytest.mark.parametrize("url", ["/orgs/", "/api/v1/organizations"])
def test_organization_lists_with_a_session(
    client, make_org, province_finance, django_assert_max_num_queries, url
):
    client.force_login(province_finance)
    add_orgs(make_org, 2)  # 3 with the finance bureau
    client.get(url)  # warm-up: first-request caches (content types, …)

    few, few_count = count_queries(client, url, django_assert_max_num_queries)
    add_orgs(make_org, 27, start=2)  # 30
    many, many_count = count_queries(client, url, django_assert_max_num_queries)

    if url == "/orgs/":
        assert few.context["page"].paginator.count == 3
        assert many.context["page"].paginator.count == 30
        assert len(many.context["page"].object_list) == 25
    else:
        assert few.json()["count"] == 3
        assert many.json()["count"] == 30
        assert len(many.json()["items"]) == 30
    assert many_count == few_count


def test_organization_api_with_a_token(
    client, make_org, province_finance, django_assert_max_num_queries
):
    _token, key = services.create_api_token(actor=province_finance, name="t")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    add_orgs(make_org, 2)
    client.get("/api/v1/organizations", **headers)  # warm-up, also stamps last_used_at

    with django_assert_max_num_queries(MAX_QUERIES) as few:
        assert client.get("/api/v1/organizations", **headers).json()["count"] == 3
    add_orgs(make_org, 27, start=2)
    with django_assert_max_num_queries(MAX_QUERIES) as many:
        assert client.get("/api/v1/organizations", **headers).json()["count"] == 30

    assert len(many.captured_queries) == len(few.captured_queries)


def test_workbench_does_not_grow_with_organizations(
    client, make_org, province_finance, django_assert_max_num_queries
):
    client.force_login(province_finance)
    add_orgs(make_org, 2)
    client.get("/workbench/")

    # The finance workbench also counts budget lines, purchases and what awaits a
    # decision (complaints, objections to credit records), here (one query more for
    # the catalog inbox) and (one query) at the bureaus below, and whether this year
    # and next have their holiday calendars (one query).
    bound = MAX_QUERIES + 8
    _resp, few = count_queries(client, "/workbench/", django_assert_max_num_queries, bound)
    add_orgs(make_org, 27, start=2)
    resp, many = count_queries(client, "/workbench/", django_assert_max_num_queries, bound)

    assert resp.context["org_counts"]["total"] == 30
    assert many == few
