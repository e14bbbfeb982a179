"""The year and id helpers behind the API's bounds and the pages' query strings."""

import pytest

from govbuy.core import bounds
from govbuy.core.errors import ApplicationError


@pytest.mark.parametrize(
    "raw, year", [(2027, 2027), ("2027", 2027), (" 2027 ", 2027), (2027.0, 2027), (2000, 2000)]
)
def test_a_year_in_range(raw, year):
    assert bounds.year_or_none(raw) == year
    assert bounds.check_year(raw) == year


@pytest.mark.parametrize("raw", [0, -58, 1999, 2101, 99999999999, "x", None, 2027.5, True])
def test_a_year_out_of_range_is_a_field_error(raw):
    assert bounds.year_or_none(raw) is None
    with pytest.raises(ApplicationError) as exc:
        bounds.check_year(raw, field="fiscal_year")
    assert exc.value.field == "fiscal_year"


def test_the_range_follows_the_settings(settings):
    settings.GOVBUY_LAST_YEAR = 2200
    assert bounds.year_or_none(2150) == 2150


def test_ids_fit_the_database_key():
    assert bounds.id_or_none("9223372036854775807") == 2**63 - 1
    assert bounds.id_or_none("9223372036854775808") is None
    assert bounds.id_or_none(0) is None and bounds.id_or_none("abc") is None
