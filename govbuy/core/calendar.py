"""Working days on the official Chinese calendar (holidays and 调休 make-up days).

`add_working_days(d, n)` is the n-th working day strictly after `d` (the day of
the event itself is not counted), as DESIGN.md defines deadlines.

Sources, per year: a `HolidayCalendar` row entered by the finance administrator
from the State Council's notice wins; otherwise the chinese-calendar package;
with neither, `CalendarNotCovered` is raised — a holiday is never silently
treated as a working day.
"""

from __future__ import annotations

import datetime as dt

import chinese_calendar
from django.utils.translation import gettext as _

from .errors import ApplicationError, CalendarNotCovered

# Beyond this many days a deadline computation is surely a mistake (n is in
# working days; 10 years of them is ~2,500).
MAX_SPAN_DAYS = 3660


class WorkingCalendar:
    """Answers `is_working_day` for any date, loading each year once."""

    def __init__(self):
        self._years: dict[int, tuple[set[dt.date], set[dt.date]] | None] = {}

    def _override(self, year: int):
        if year not in self._years:
            from .models import HolidayCalendar, HolidayCalendarDay

            if HolidayCalendar.objects.filter(year=year).exists():
                holidays, workdays = set(), set()
                for day, kind in HolidayCalendarDay.objects.filter(calendar__year=year).values_list(
                    "date", "kind"
                ):
                    (holidays if kind == HolidayCalendarDay.Kind.HOLIDAY else workdays).add(day)
                self._years[year] = (holidays, workdays)
            else:
                self._years[year] = None
        return self._years[year]

    def is_working_day(self, day: dt.date) -> bool:
        override = self._override(day.year)
        if override is not None:
            holidays, workdays = override
            if day in workdays:
                return True
            if day in holidays:
                return False
            return day.weekday() < 5
        try:
            return chinese_calendar.is_workday(day)
        except NotImplementedError:
            raise CalendarNotCovered(day.year) from None


def _check(d, name="date"):
    if isinstance(d, dt.datetime) or not isinstance(d, dt.date):
        raise ApplicationError(
            "invalid_date", _("%(name)s must be a date") % {"name": name}, field=name
        )


def is_working_day(day: dt.date, calendar: WorkingCalendar | None = None) -> bool:
    _check(day)
    return (calendar or WorkingCalendar()).is_working_day(day)


def add_working_days(start: dt.date, n: int, calendar: WorkingCalendar | None = None) -> dt.date:
    """The n-th working day strictly after `start` (n ≥ 1); n = 0 gives `start`.
    Negative n counts backwards (the n-th working day strictly before)."""
    _check(start, "start")
    if not isinstance(n, int) or isinstance(n, bool):
        raise ApplicationError(
            "invalid_number", _("working_days must be a whole number"), field="working_days"
        )
    if abs(n) * 7 // 5 + 30 > MAX_SPAN_DAYS:
        raise ApplicationError(
            "out_of_range", _("working_days is out of range (at most 2,500)"), field="working_days"
        )
    cal = calendar or WorkingCalendar()
    step = dt.timedelta(days=1 if n >= 0 else -1)
    day, remaining = start, abs(n)
    while remaining:
        day += step
        if cal.is_working_day(day):
            remaining -= 1
    return day


def working_days_between(a: dt.date, b: dt.date, calendar: WorkingCalendar | None = None) -> int:
    """Working days in (a, b]: how many working days after `a` up to and including `b`.

    So ``working_days_between(d, add_working_days(d, n)) == n``. Negative when b < a.
    """
    _check(a, "start")
    _check(b, "end")
    if abs((b - a).days) > MAX_SPAN_DAYS:
        raise ApplicationError("out_of_range", _("the period is longer than 10 years"), field="end")
    if b < a:
        return -working_days_between(b, a, calendar)
    cal = calendar or WorkingCalendar()
    count, day = 0, a
    while day < b:
        day += dt.timedelta(days=1)
        if cal.is_working_day(day):
            count += 1
    return count


def years_without_calendar(today: dt.date) -> list[int]:
    """This year and next, those with no official holiday calendar yet (neither
    entered nor shipped): deadlines falling in them cannot be computed until the
    State Council's notice is entered, so the pages say so. One query at most."""
    from .models import HolidayCalendar

    years = (today.year, today.year + 1)
    unshipped = [y for y in years if not _shipped(y)]
    if not unshipped:
        return []
    entered = set(HolidayCalendar.objects.filter(year__in=unshipped).values_list("year", flat=True))
    return [y for y in unshipped if y not in entered]


def _shipped(year: int) -> bool:
    """Whether the chinese-calendar package has `year`'s arrangements."""
    try:
        chinese_calendar.is_workday(dt.date(year, 6, 30))
    except NotImplementedError:
        return False
    return True
