"""What numbers a request may carry before anything reaches the database.

Ids are the database's 64-bit keys; years lie in the range the settings give
(GOVBUY_FIRST_YEAR..GOVBUY_LAST_YEAR, 2000..2100 by default). A value outside is
a field error (422 in the API, 400 on a page), never an overflow deep inside.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _

from .errors import ApplicationError

# The range of a BigAutoField / bigint column: an id beyond it cannot exist.
DB_INT_MIN = -(2**63)
DB_INT_MAX = 2**63 - 1
# A 32-bit count or number of days: anything larger is nonsense, not a lookup.
INT32_MAX = 2**31 - 1


def _whole(raw) -> int | None:
    """A whole number from an int, an integral float (a spreadsheet cell) or text."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float):
        return int(raw) if raw.is_integer() else None
    try:
        return int(str(raw).strip())
    except (TypeError, ValueError):
        return None


def id_or_none(raw) -> int | None:
    """The id as an int when it is a whole number that a key can hold, else None."""
    value = _whole(raw)
    return value if value is not None and 1 <= value <= DB_INT_MAX else None


def first_year() -> int:
    return settings.GOVBUY_FIRST_YEAR


def last_year() -> int:
    return settings.GOVBUY_LAST_YEAR


def year_range() -> dict[str, int]:
    return {"first": first_year(), "last": last_year()}


def year_or_none(raw) -> int | None:
    """The year as an int when it is a whole number in range, else None."""
    year = _whole(raw)
    return year if year is not None and first_year() <= year <= last_year() else None


def check_year(raw, *, field: str = "year") -> int:
    """The year, or a field error naming the range."""
    year = year_or_none(raw)
    if year is None:
        raise ApplicationError(
            "invalid_year",
            _("Give a year from %(first)s to %(last)s.") % year_range(),
            field=field,
        )
    return year
