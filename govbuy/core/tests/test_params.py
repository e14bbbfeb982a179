"""Policy parameters: region-tree lookup, levels, effective dates, shipped defaults."""

import datetime as dt
from datetime import date
from decimal import Decimal

import pytest

from govbuy.core import params
from govbuy.core.errors import ApplicationError
from govbuy.core.models import ParameterDefinition, PolicyParameter
from govbuy.orgs.models import Region

DECENTRALIZED = "procurement.decentralized_threshold"
OPEN_TENDER = "procurement.open_tender_threshold"
AT = date(2025, 6, 1)


# --- the shipped values, walking the region tree --------------------------------------


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (None, "1000000.00"),  # national default
        ("410000", "1000000.00"),  # 河南省 itself (level=province)
        ("410100", "1000000.00"),  # 郑州市 (its own city value)
        ("410300", "500000.00"),  # 洛阳市: 河南's value for cities
        ("410122", "300000.00"),  # 中牟县 (under 郑州): 河南's value for counties
        ("410325", "300000.00"),  # 嵩县 (under 洛阳): 河南's value for counties
        ("110000", "1000000.00"),  # 北京市: no regional value → national
        ("110101", "1000000.00"),  # 东城区: no regional value → national
    ],
)
def test_decentralized_threshold_by_region(region, code, expected):
    value = params.get(DECENTRALIZED, region(code) if code else None, AT)
    assert value == Decimal(expected)
    assert isinstance(value, Decimal)


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (None, "2000000.00"),
        ("410000", "4000000.00"),
        ("410100", "4000000.00"),
        ("410300", "2000000.00"),
        ("410122", "2000000.00"),
        ("410325", "2000000.00"),
        ("110000", "2000000.00"),
    ],
)
def test_open_tender_threshold_by_region(region, code, expected):
    assert params.get(OPEN_TENDER, region(code) if code else None, AT) == Decimal(expected)


def test_resolve_returns_the_row_that_applies(region):
    row = params.resolve(DECENTRALIZED, region("410122"), AT)
    assert row.region.code == "410000"
    assert row.level == "county"
    assert row.effective_from == date(2020, 1, 1)
    assert row.basis
    national = params.resolve(DECENTRALIZED, region("110000"), AT)
    assert national.region is None


# --- effective dates -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "code", "at", "expected"),
    [
        (DECENTRALIZED, None, date(2015, 1, 1), "500000.00"),  # first day in force
        (DECENTRALIZED, None, date(2016, 12, 31), "500000.00"),
        (DECENTRALIZED, None, date(2017, 1, 1), "1000000.00"),
        (OPEN_TENDER, None, date(2016, 6, 1), "1200000.00"),
        (OPEN_TENDER, None, date(2018, 6, 1), "2000000.00"),
        # Before 河南's own values (2020) its units fall back to the national value.
        (DECENTRALIZED, "410300", date(2019, 12, 31), "1000000.00"),
        (DECENTRALIZED, "410300", date(2020, 1, 1), "500000.00"),
        (DECENTRALIZED, "410122", date(2019, 6, 1), "1000000.00"),
        (DECENTRALIZED, "410122", date(2016, 6, 1), "500000.00"),
        (OPEN_TENDER, "410100", date(2019, 6, 1), "2000000.00"),
        (OPEN_TENDER, "410100", date(2020, 1, 1), "4000000.00"),
    ],
)
def test_effective_dates(region, key, code, at, expected):
    assert params.get(key, region(code) if code else None, at) == Decimal(expected)


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        (date(2021, 1, 1), "0.10"),
        (date(2022, 6, 30), "0.10"),
        (date(2022, 7, 1), "0.20"),
        (date(2026, 1, 1), "0.20"),
    ],
)
def test_sme_price_deduction_max(region, at, expected):
    assert params.get("sme.price_deduction_max", None, at) == Decimal(expected)
    # No regional value: a county gets the national one.
    assert params.get("sme.price_deduction_max", region("410325"), at) == Decimal(expected)


@pytest.mark.parametrize(
    ("key", "code", "at"),
    [
        ("sme.price_deduction_max", None, date(2020, 12, 31)),
        (DECENTRALIZED, None, date(2014, 12, 31)),
        (DECENTRALIZED, "410122", date(2014, 12, 31)),
        ("no.such_key", None, date(2025, 1, 1)),
    ],
)
def test_no_value_in_force_raises_parameter_missing(region, key, code, at):
    with pytest.raises(params.ParameterMissing) as exc:
        params.get(key, region(code) if code else None, at)
    assert isinstance(exc.value, ApplicationError)
    assert exc.value.code == "parameter_missing"
    assert exc.value.field == key
    # Named by its label (the key only where it has none), never by the internal key.
    assert params.label(key) in exc.value.message
    assert (key in exc.value.message) == (key == "no.such_key")
    assert str(at) in exc.value.message


def test_default_date_is_today(db):
    assert params.get(DECENTRALIZED) == params.get(DECENTRALIZED, None, dt.date.today())


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("deadline.contract_publication_working_days", 2),
        ("voucher.min_providers", 3),
        ("catalog.adjustment_closes", (9, 30)),
        ("report.yearly_due", (11, 30)),
        ("share.social_org_min", Decimal("0.30")),
    ],
)
def test_typed_values(db, key, expected):
    value = params.get(key, None, AT)
    assert value == expected
    assert type(value) is type(expected)


# --- values added by the finance department ------------------------------------------


def _add(key, region, value, effective_from, level=""):
    return PolicyParameter.objects.create(
        definition_id=key,
        region=region,
        level=level,
        value=value,
        effective_from=effective_from,
        basis="测试",
    )


def test_county_value_overrides_the_province(region):
    zhongmu = region("410122")
    _add(DECENTRALIZED, zhongmu, "200000.00", date(2024, 1, 1))
    assert params.get(DECENTRALIZED, zhongmu, AT) == Decimal("200000.00")
    # Before it takes effect, 河南's county value still applies.
    assert params.get(DECENTRALIZED, zhongmu, date(2023, 12, 31)) == Decimal("300000.00")
    # Other counties, 郑州 itself and 河南 are unaffected.
    assert params.get(DECENTRALIZED, region("410325"), AT) == Decimal("300000.00")
    assert params.get(DECENTRALIZED, region("410100"), AT) == Decimal("1000000.00")
    assert params.get(DECENTRALIZED, region("410000"), AT) == Decimal("1000000.00")


def test_city_value_applies_to_its_counties(region):
    # A value for 洛阳 as a whole (no level) beats 河南's value for all counties.
    _add(DECENTRALIZED, region("410300"), "400000.00", date(2024, 1, 1))
    assert params.get(DECENTRALIZED, region("410300"), AT) == Decimal("400000.00")
    assert params.get(DECENTRALIZED, region("410325"), AT) == Decimal("400000.00")
    assert params.get(DECENTRALIZED, region("410122"), AT) == Decimal("300000.00")


def test_a_later_value_takes_over(region):
    _add(DECENTRALIZED, region("410000"), "350000.00", date(2024, 1, 1), level="county")
    assert params.get(DECENTRALIZED, region("410325"), date(2023, 12, 31)) == Decimal("300000.00")
    assert params.get(DECENTRALIZED, region("410325"), date(2024, 1, 1)) == Decimal("350000.00")


def test_future_value_does_not_apply_yet(region):
    today = dt.date.today()
    future = today + dt.timedelta(days=30)
    _add(DECENTRALIZED, region("410000"), "600000.00", future, level="county")
    _add(DECENTRALIZED, None, "1500000.00", future)
    assert params.get(DECENTRALIZED, region("410325")) == Decimal("300000.00")
    assert params.get(DECENTRALIZED, region("410325"), today) == Decimal("300000.00")
    assert params.get(DECENTRALIZED, None) == Decimal("1000000.00")
    # On its date it applies.
    assert params.get(DECENTRALIZED, region("410325"), future) == Decimal("600000.00")
    assert params.get(DECENTRALIZED, region("110000"), future) == Decimal("1500000.00")


# --- parse_value ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value_type", "raw", "expected"),
    [
        ("money", "1000000", Decimal("1000000.00")),
        ("money", "0.50", Decimal("0.50")),
        ("integer", "15", 15),
        ("ratio", "0", Decimal("0")),
        ("ratio", "1", Decimal("1")),
        ("month_day", "02-29", (2, 29)),
        ("text", "anything", "anything"),
    ],
)
def test_parse_value(value_type, raw, expected):
    assert params.parse_value(value_type, raw) == expected


@pytest.mark.parametrize(
    ("value_type", "raw"),
    [
        ("money", "-1.00"),
        ("money", "10.001"),
        ("money", "abc"),
        ("integer", "1.5"),
        ("ratio", "1.01"),
        ("ratio", "-0.1"),
        ("month_day", "02-30"),
        ("month_day", "13-01"),
        ("month_day", "0930"),
    ],
)
def test_parse_value_refuses_bad_values(value_type, raw):
    with pytest.raises(ValueError, match=repr(raw)):
        params.parse_value(value_type, raw)


# --- shipped defaults ---------------------------------------------------------------------


def test_shipped_defaults_are_loaded_after_migrate(db):
    assert ParameterDefinition.objects.filter(key=DECENTRALIZED).exists()
    assert PolicyParameter.objects.filter(definition_id=DECENTRALIZED).count() == 7
    assert PolicyParameter.objects.filter(
        definition_id=DECENTRALIZED, region__code="410000", level="county", value="300000.00"
    ).exists()


def test_sync_defaults_is_idempotent(db):
    before = set(
        PolicyParameter.objects.values_list(
            "definition_id", "region_id", "level", "effective_from", "value"
        )
    )
    definitions = ParameterDefinition.objects.count()
    assert params.sync_defaults(region_model=Region) == (0, 0)
    assert params.sync_defaults(region_model=Region) == (0, 0)
    after = set(
        PolicyParameter.objects.values_list(
            "definition_id", "region_id", "level", "effective_from", "value"
        )
    )
    assert after == before
    assert PolicyParameter.objects.count() == len(before)
    assert ParameterDefinition.objects.count() == definitions


def test_sync_defaults_never_overwrites_an_edited_value(region):
    national = PolicyParameter.objects.get(
        definition_id=DECENTRALIZED, region=None, level="", effective_from=date(2020, 1, 1)
    )
    national.value, national.basis = "1200000.00", "财政部门调整（测试）"
    national.save()
    henan = PolicyParameter.objects.get(
        definition_id=DECENTRALIZED, region__code="410000", level="county"
    )
    henan.value = "250000.00"
    henan.save()

    assert params.sync_defaults(region_model=Region) == (0, 0)

    national.refresh_from_db()
    henan.refresh_from_db()
    assert (national.value, national.basis) == ("1200000.00", "财政部门调整（测试）")
    assert henan.value == "250000.00"
    assert params.get(DECENTRALIZED, None, AT) == Decimal("1200000.00")
    assert params.get(DECENTRALIZED, region("410325"), AT) == Decimal("250000.00")


def test_sync_defaults_inserts_what_is_missing(db):
    PolicyParameter.objects.filter(definition_id="sme.price_deduction_max").delete()
    assert params.sync_defaults(region_model=Region) == (0, 2)
    assert params.get("sme.price_deduction_max", None, AT) == Decimal("0.20")
