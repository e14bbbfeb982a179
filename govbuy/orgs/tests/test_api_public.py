"""POST /api/v1/rules/eligibility: public (no login), S1–S5, clear 422s, rate-limited."""

import json

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache

from govbuy.orgs.tests.test_rules import BASIS

URL = "/api/v1/rules/eligibility"


@pytest.fixture
def api(client, db):
    cache.clear()  # throttle history is kept in the cache
    return client


def post(client, body, **extra):
    return client.post(URL, data=json.dumps(body), content_type="application/json", **extra)


@pytest.mark.parametrize(
    ("body", "purchaser", "provider"),
    [
        ({"org_type": "administrative_organ"}, None, "S2"),
        ({"org_type": "court"}, None, "S2"),
        ({"org_type": "cppcc_organ"}, None, "S2"),
        ({"org_type": "enterprise"}, "S1", None),
        ({"org_type": "natural_person"}, "S1", None),
        ({"org_type": "social_organization", "social_org_form": "social_service_agency"}, "S1", None),
        ({"org_type": "public_institution", "institution_class": "administrative"}, None, "S2"),
        ({"org_type": "public_institution", "institution_class": "public_welfare_1"}, "S3", "S3"),
        ({"org_type": "public_institution", "institution_class": "public_welfare_2"}, "S1", None),
        ({"org_type": "public_institution", "institution_class": "unclassified"}, "S4", "S4"),
        ({"org_type": "mass_organization", "staffing": "administrative", "fiscal_funded": True}, None, "S5"),
        ({"org_type": "mass_organization", "staffing": "institutional", "fiscal_funded": True}, "S3", "S3"),
        ({"org_type": "mass_organization", "staffing": "institutional", "fiscal_funded": False}, "S1", None),
    ],
)  # fmt: skip
def test_eligibility(api, body, purchaser, provider):
    response = post(api, body)
    assert response.status_code == 200
    data = response.json()
    assert set(data) == {"purchaser", "provider"}
    for role, rule in (("purchaser", purchaser), ("provider", provider)):
        assert set(data[role]) == {"eligible", "violations"}
        assert data[role]["eligible"] is (rule is None)
        if rule is None:
            assert data[role]["violations"] == []
            continue
        (v,) = data[role]["violations"]
        assert v["rule"] == rule
        assert v["severity"] == "hard"
        assert v["basis"] == BASIS[rule]
        assert BASIS[rule] in v["message"]
        assert v["field"]


def test_eligibility_answers_in_the_requested_language(api):
    response = post(api, {"org_type": "enterprise"}, HTTP_ACCEPT_LANGUAGE="en")
    (v,) = response.json()["purchaser"]["violations"]
    assert "Only state organs may purchase services" in v["message"]


def test_eligibility_needs_no_login_and_ignores_a_bad_token(api):
    response = post(api, {"org_type": "enterprise"}, HTTP_AUTHORIZATION="Bearer gb_nonsense")
    assert response.status_code == 200


def test_eligibility_is_post_only(api):
    assert api.get(URL).status_code == 405


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"org_type": "ministry"}, "org_type"),
        ({"org_type": ""}, "org_type"),
        ({}, "org_type"),
        ({"org_type": 5}, "org_type"),
        ({"institution_class": "administrative"}, "org_type"),
        ({"org_type": "public_institution"}, "institution_class"),
        ({"org_type": "public_institution", "institution_class": "public_welfare_3"}, "institution_class"),
        ({"org_type": "mass_organization", "staffing": "institutional"}, "fiscal_funded"),
        ({"org_type": "mass_organization", "staffing": "institutional", "fiscal_funded": "maybe"}, "fiscal_funded"),
        ({"org_type": "mass_organization", "fiscal_funded": False}, "staffing"),
        ({"org_type": "social_organization"}, "social_org_form"),
        ({"org_type": "enterprise", "fiscal_funded": True}, "fiscal_funded"),
        ({"org_type": "enterprise", "institution_class": "business"}, "institution_class"),
    ],
)  # fmt: skip
def test_invalid_input_names_the_field(api, body, field):
    response = post(api, body)
    assert response.status_code == 422
    data = response.json()
    assert data["code"] == "invalid_input"
    assert [e["field"] for e in data["errors"]] == [field]
    assert all(isinstance(e["message"], str) and e["message"] for e in data["errors"])


def test_several_invalid_fields_are_all_reported(api):
    response = post(api, {"org_type": "mass_organization"})
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"staffing", "fiscal_funded"}


@pytest.mark.parametrize("raw", ["{not json", "[1, 2]", '"text"', "null"])
def test_malformed_body_is_a_client_error_not_500(api, raw):
    response = api.post(URL, data=raw, content_type="application/json")
    assert 400 <= response.status_code < 500
    assert response.json()["code"] in ("invalid_input", "http_error")


# --- rate limit ----------------------------------------------------------------------------


def test_default_rate_is_120_per_minute():
    assert django_settings.GOVBUY_PUBLIC_API_RATE == "120/m"


def test_rate_limit(api, settings):
    settings.GOVBUY_PUBLIC_API_RATE = "3/m"
    for _ in range(3):
        assert post(api, {"org_type": "enterprise"}).status_code == 200
    response = post(api, {"org_type": "enterprise"})
    assert response.status_code == 429
    assert response.json()["code"] == "rate_limited"
    assert response.json()["message"]
    assert 1 <= int(response["Retry-After"]) <= 61
    # Invalid requests are counted too, and answer 429 before being looked at.
    assert post(api, {}).status_code == 429
    # The limit is per client.
    assert post(api, {"org_type": "enterprise"}, REMOTE_ADDR="10.1.2.3").status_code == 200
