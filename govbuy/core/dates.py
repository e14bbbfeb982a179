"""Dates and years as people type them, and whether they are plausible.

A date is read the way its writer meant it: ``2026-1-1``, ``2026/01/01``,
``2026.1.1``, ``2026年1月1日`` and full-width digits all name 1 January 2026;
what names no day (``2026-02-30``, ``1-1-2026``) is refused. A date or year
before the earliest plausible year (the policy parameter
``plausibility.earliest_year``), or past the medium-term fiscal plan
(``budget.medium_term_years``) where one applies, is taken for a typing error:
the services say so beside the field instead of storing 0001-01-01 or
9999-12-31.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Annotated

from django.utils.translation import gettext as _
from pydantic import StringConstraints

#: A date as typed, in API schemas (``dt.date | TypedDate``): the services read it.
TypedDate = Annotated[str, StringConstraints(max_length=40)]

_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_TIME = re.compile(r"^(\d{1,2})\s*[:：时]\s*(\d{1,2})(?:\s*[:：分]\s*(\d{1,2})\s*秒?)?\s*分?$")


def _normal(value) -> str:
    return unicodedata.normalize("NFKC", str(value)).strip()


def parse_date(value) -> dt.date:
    """The day ``value`` names; ValueError when it names none."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _normal(value)
    m = _DATE.match(text)
    if m:
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    if re.fullmatch(r"\d{8}", text):  # 20260101
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    return dt.date.fromisoformat(text)


def parse_datetime(value) -> dt.datetime:
    """The moment ``value`` names (naive when it gives no offset); ValueError when none."""
    if isinstance(value, dt.datetime):
        return value
    text = _normal(value)
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        pass
    parts = re.split(r"\s*[T\s]\s*", text, maxsplit=1)
    if len(parts) != 2:
        raise ValueError(text)
    day = parse_date(parts[0])
    m = _TIME.match(parts[1])
    if not m:
        raise ValueError(text)
    return dt.datetime(day.year, day.month, day.day, int(m[1]), int(m[2]), int(m[3] or 0))


def earliest_year(region=None, at: dt.date | None = None) -> int:
    from . import params

    return params.get("plausibility.earliest_year", region, at)


def implausible_message(day: dt.date, earliest: int, *, plan: tuple[int, int] | None = None):
    """The field message for a date before the earliest plausible year or, given
    ``plan`` (its first and last year), past the medium-term fiscal plan; or None."""
    if day.year < earliest:
        return _("%(date)s is not a plausible date: give a date from %(year)s on.") % {
            "date": day.isoformat(),
            "year": earliest,
        }
    if plan is not None and day.year > plan[1]:
        return _(
            "%(date)s is past the medium-term fiscal plan (%(first)s–%(last)s): no budget "
            "can promise money for it yet."
        ) % {"date": day.isoformat(), "first": plan[0], "last": plan[1]}
    return None


def plan_last_year(region=None, at: dt.date | None = None) -> int:
    """The last year of the medium-term fiscal plan that starts this year."""
    from django.utils import timezone

    from . import params

    at = at or timezone.localdate()
    return at.year + params.get("budget.medium_term_years", region, at) - 1


def check_year(value, *, region=None, latest: int | None = None, field: str = "year") -> int:
    """A year as typed, from the earliest plausible year to ``latest`` (default:
    the last year of the medium-term plan that starts this year); otherwise an
    ApplicationError beside ``field``."""
    from .errors import ApplicationError

    earliest = earliest_year(region)
    latest = plan_last_year(region) if latest is None else latest
    try:
        year = int(_normal(value)) if not isinstance(value, bool) else None
    except (TypeError, ValueError):
        year = None
    if year is None or not earliest <= year <= latest:
        raise ApplicationError(
            "invalid_year",
            _("Give a year from %(earliest)s to %(latest)s.")
            % {"earliest": earliest, "latest": latest},
            field=field,
        )
    return year
