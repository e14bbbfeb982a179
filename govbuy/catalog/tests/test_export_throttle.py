"""Anonymous exports are throttled per client (page and API share one budget);
logged-in users are not."""

import pytest
from django.core.cache import cache


@pytest.fixture
def exports(world, settings):
    cache.clear()  # throttle history is kept in the cache
    settings.GOVBUY_PUBLIC_EXPORT_RATE = "3/h"
    pk = world.catalog.pk
    return {"page": f"/catalog/{pk}/export.xlsx", "api": f"/api/v1/catalogs/{pk}/export"}


@pytest.mark.parametrize("kind", ["page", "api"])
def test_anonymous_exports_are_throttled(client, exports, kind):
    url = exports[kind]
    for _ in range(3):
        assert client.get(url).status_code == 200

    refused = client.get(url)

    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    if kind == "api":
        assert refused.json()["code"] == "rate_limited"
    else:
        assert "429.html" in [t.name for t in refused.templates]


def test_page_and_api_share_the_budget_of_a_client(client, exports):
    for url in (exports["page"], exports["api"], exports["page"]):
        assert client.get(url).status_code == 200

    assert client.get(exports["api"]).status_code == 429
    assert client.get(exports["page"]).status_code == 429


def test_another_address_has_its_own_budget(client, exports):
    for _ in range(3):
        client.get(exports["api"], REMOTE_ADDR="10.0.0.1")
    assert client.get(exports["api"], REMOTE_ADDR="10.0.0.1").status_code == 429

    assert client.get(exports["api"], REMOTE_ADDR="10.0.0.2").status_code == 200


@pytest.mark.parametrize("kind", ["page", "api"])
def test_logged_in_users_are_not_throttled(client, world, exports, kind):
    client.force_login(world.purchaser)

    for _ in range(5):
        assert client.get(exports[kind]).status_code == 200


def test_the_default_rate():
    from django.conf import settings

    assert settings.GOVBUY_PUBLIC_EXPORT_RATE == "30/h"
