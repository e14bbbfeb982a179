"""The method oracle (P2, P3, P6, P9) at its boundaries, with the shipped
parameters: national values before and after 2020-01-01, 河南's overrides by
level, own 公益二类 units, vouchers and emergencies."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.cache import cache

from govbuy.procurement.methods import decide
from govbuy.procurement.rules import MethodFacts

LAW = [
    "open_tender",
    "invitational_tender",
    "competitive_negotiation",
    "competitive_consultation",
    "single_source",
    "framework_agreement",
]
NON_OPEN = [
    "invitational_tender",
    "competitive_negotiation",
    "competitive_consultation",
    "single_source",
]


def oracle(region, amount, on="2026-03-01", **flags):
    from govbuy.orgs.models import Region

    r = Region.objects.get(code=region) if region else None
    return decide(
        MethodFacts(amount=Decimal(amount), **flags), region=r, on=dt.date.fromisoformat(on)
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "amount, law, default, approval",
    [
        ("999999.99", False, "competitive_review", []),
        ("1000000.00", True, "competitive_consultation", []),
        ("1000000.01", True, "competitive_consultation", []),
        ("1999999.99", True, "competitive_consultation", []),
        ("2000000.00", True, "open_tender", NON_OPEN),
        ("2000000.01", True, "open_tender", NON_OPEN),
    ],
)
def test_national_thresholds_from_2020(amount, law, default, approval):
    d = oracle("370000", amount)
    assert d.procurement_law_applies is law
    assert d.default == default
    assert d.requires_approval == approval
    assert d.allowed == (LAW if law else ["competitive_review"])
    rules = {r["rule"] for r in d.reasons}
    assert rules == ({"P2"} if law else {"P3"})
    # The reasons cite the values and their basis.
    text = " ".join(r["message"] for r in d.reasons)
    assert "1,000,000.00" in text and "国办发〔2019〕55号" in text
    if law:
        assert "2,000,000.00" in text


@pytest.mark.django_db
@pytest.mark.parametrize(
    "on, amount, law, default",
    [
        # 2015–2016: 50万 / 120万 for services.
        ("2016-06-01", "499999.99", False, "competitive_review"),
        ("2016-06-01", "500000.00", True, "competitive_consultation"),
        ("2016-06-01", "1199999.99", True, "competitive_consultation"),
        ("2016-06-01", "1200000.00", True, "open_tender"),
        # 2017–2019: 100万 / 200万, the same values as from 2020 under another basis.
        ("2019-12-31", "999999.99", False, "competitive_review"),
        ("2019-12-31", "2000000.00", True, "open_tender"),
        ("2020-01-01", "999999.99", False, "competitive_review"),
        ("2020-01-01", "2000000.00", True, "open_tender"),
    ],
)
def test_dates_choose_the_values_in_force(on, amount, law, default):
    d = oracle("370000", amount, on=on)
    assert (d.procurement_law_applies, d.default) == (law, default)


@pytest.mark.django_db
def test_the_basis_changes_on_2020_01_01():
    before = oracle("370000", "1500000", on="2019-12-31")
    after = oracle("370000", "1500000", on="2020-01-01")
    assert before.parameters[0]["basis"] == "国办发〔2016〕96号"
    assert before.parameters[0]["effective_from"] == "2017-01-01"
    assert after.parameters[0]["basis"] == "国办发〔2019〕55号"
    assert after.parameters[0]["effective_from"] == "2020-01-01"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "region, amount, law, default",
    [
        # 郑州 (city, own override): 100万 / 400万.
        ("410100", "999999.99", False, "competitive_review"),
        ("410100", "1000000.00", True, "competitive_consultation"),
        ("410100", "3999999.99", True, "competitive_consultation"),
        ("410100", "4000000.00", True, "open_tender"),
        # 洛阳 (other city of 河南): 50万 / 200万.
        ("410300", "499999.99", False, "competitive_review"),
        ("410300", "500000.00", True, "competitive_consultation"),
        ("410300", "2000000.00", True, "open_tender"),
        # 中牟县 (county of 郑州): 河南's county value 30万 / 200万 beats 郑州's own.
        ("410122", "299999.99", False, "competitive_review"),
        ("410122", "300000.00", True, "competitive_consultation"),
        ("410122", "2000000.00", True, "open_tender"),
        # 河南 province itself: 100万 / 400万.
        ("410000", "3999999.99", True, "competitive_consultation"),
        ("410000", "4000000.00", True, "open_tender"),
    ],
)
def test_regional_overrides(region, amount, law, default):
    d = oracle(region, amount)
    assert (d.procurement_law_applies, d.default) == (law, default)
    assert "豫财购〔2020〕4号" in " ".join(r["message"] for r in d.reasons)


@pytest.mark.django_db
def test_centralized_catalog_brings_the_law_whatever_the_amount():
    d = oracle("370000", "1000.00", centralized_catalog=True)
    assert d.procurement_law_applies
    assert d.default == "competitive_consultation"
    assert "集中采购目录" in d.reasons[0]["message"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "amount, default, has_direct, approval",
    [
        ("999999.99", "direct_commission", True, []),
        ("1000000.00", "single_source", False, []),
        ("1999999.99", "single_source", False, []),
        ("2000000.00", "single_source", False, NON_OPEN),
    ],
)
def test_own_public_welfare_2_unit_under_and_over_the_threshold(
    amount, default, has_direct, approval
):
    d = oracle("370000", amount, own_public_welfare_2=True)
    assert d.default == default
    assert ("direct_commission" in d.allowed) is has_direct
    assert d.requires_approval == approval
    assert "P6" in {r["rule"] for r in d.reasons}
    if not has_direct:
        assert "single_source" in d.allowed


@pytest.mark.django_db
@pytest.mark.parametrize("amount, law", [("300000.00", False), ("1500000.00", True)])
def test_voucher(amount, law):
    d = oracle("370000", amount, voucher=True)
    assert d.default == "voucher"
    assert "voucher" in d.allowed
    assert d.procurement_law_applies is law
    message = [r for r in d.reasons if "凭单制" in r["message"]][0]["message"]
    assert "3" in message  # at least 3 providers (voucher.min_providers)
    assert any(p["key"] == "voucher.min_providers" for p in d.parameters)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "amount, default",
    [("300000.00", "competitive_review"), ("2500000.00", "competitive_negotiation")],
)
def test_emergency_needs_no_prior_approval_and_is_recorded(amount, default):
    normal = oracle("370000", amount)
    d = oracle("370000", amount, emergency=True)
    assert d.requires_approval == []
    assert d.default == default
    assert d.allowed == normal.allowed
    assert "P9" in {r["rule"] for r in d.reasons}


@pytest.mark.django_db
def test_a_date_without_parameters_is_a_clear_error():
    from govbuy.core.params import ParameterMissing

    with pytest.raises(ParameterMissing):
        oracle("370000", "100.00", on="1999-01-01")


# --- the public endpoint ----------------------------------------------------------------


EXAMPLE = {
    "region": "370000",
    "on": "2026-03-01",
    "amount": "1500000.00",
    "centralized_catalog": False,
    "own_public_welfare_2": False,
    "voucher": False,
    "emergency": False,
}


@pytest.mark.django_db
def test_endpoint_answers_the_example_without_login(client):
    r = client.post("/api/v1/rules/methods", EXAMPLE, content_type="application/json")
    assert r.status_code == 200
    body = r.json()
    assert body["procurement_law_applies"] is True
    assert body["allowed"] == LAW
    assert body["requires_approval"] == []
    assert body["default"] == "competitive_consultation"
    assert [r["rule"] for r in body["reasons"]] == ["P2", "P2", "P2"]
    assert all(r["basis"] for r in body["reasons"])


@pytest.mark.django_db
def test_endpoint_speaks_english_on_request(client):
    r = client.post(
        "/api/v1/rules/methods",
        {**EXAMPLE, "amount": "2000000.00"},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert r.status_code == 200
    assert r.json()["default"] == "open_tender"
    assert "open-tender threshold" in r.json()["reasons"][1]["message"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body, field",
    [
        ({"amount": "-1"}, "amount"),
        ({"amount": "0"}, "amount"),
        ({"amount": "1.001"}, "amount"),
        ({"amount": "abc"}, "amount"),
        ({}, "amount"),
        ({"amount": "100", "region": "999999"}, "region"),
        ({"amount": "100", "on": "1999-01-01"}, "on"),
        ({"amount": "100", "on": "not a date"}, "on"),
        ({"amount": "1e20"}, "amount"),
    ],
)
def test_endpoint_bad_input_is_a_field_error(client, body, field):
    r = client.post("/api/v1/rules/methods", body, content_type="application/json")
    assert r.status_code == 422
    assert r.json()["code"] == "invalid_input"
    assert r.json()["errors"][0]["field"] == field


@pytest.mark.django_db
def test_endpoint_is_rate_limited(client, settings):
    cache.clear()
    settings.GOVBUY_PUBLIC_API_RATE = "3/min"
    codes = [
        client.post("/api/v1/rules/methods", EXAMPLE, content_type="application/json").status_code
        for _ in range(4)
    ]
    cache.clear()
    assert codes == [200, 200, 200, 429]
