"""Working days on the official calendar, including 调休 make-up working days.

Every expected date below was worked out by hand from the State Council's
holiday notices as carried by the chinese-calendar package:

2025  春节 01-28 … 02-04 off; make-up days Sun 01-26, Sat 02-08.
      国庆 10-01 … 10-08 off; make-up days Sun 09-28, Sat 10-11.
2026  元旦 01-01 … 01-03 off; make-up day Sun 01-04.
      春节 02-15 … 02-23 off; make-up days Sat 02-14, Sat 02-28.
      中秋 09-25 … 09-27 off; 国庆 10-01 … 10-07 off; make-up days Sun 09-20, Sat 10-10.
"""

import datetime as dt
from datetime import date

import pytest
from django.core.cache import cache
from django.utils import translation

from govbuy.core.calendar import add_working_days, is_working_day, working_days_between
from govbuy.core.errors import ApplicationError, CalendarNotCovered
from govbuy.core.models import HolidayCalendar, HolidayCalendarDay

# --- is_working_day ----------------------------------------------------------------


@pytest.mark.parametrize(
    "day",
    [
        date(2025, 1, 26),  # Sun, 春节 make-up
        date(2025, 2, 8),  # Sat, 春节 make-up
        date(2025, 9, 28),  # Sun, 国庆 make-up
        date(2025, 10, 11),  # Sat, 国庆 make-up
        date(2026, 1, 4),  # Sun, 元旦 make-up
        date(2026, 2, 14),  # Sat, 春节 make-up
        date(2026, 2, 28),  # Sat, 春节 make-up
        date(2026, 9, 20),  # Sun, 国庆 make-up
        date(2026, 10, 10),  # Sat, 国庆 make-up
        date(2025, 1, 27),  # Mon before 春节
        date(2026, 2, 24),  # Tue after 春节
        date(2026, 10, 8),  # Thu after 国庆
    ],
)
def test_make_up_days_and_ordinary_weekdays_are_working_days(db, day):
    assert is_working_day(day) is True


@pytest.mark.parametrize(
    "day",
    [
        date(2025, 1, 28),  # Tue, first day of 春节
        date(2025, 2, 3),  # Mon, 春节
        date(2025, 2, 4),  # Tue, last day of 春节
        date(2025, 10, 1),  # Wed, 国庆
        date(2025, 10, 8),  # Wed, last day of 国庆
        date(2026, 1, 2),  # Fri, 元旦
        date(2026, 2, 16),  # Mon, 春节
        date(2026, 2, 23),  # Mon, last day of 春节
        date(2026, 10, 7),  # Wed, last day of 国庆
        date(2025, 2, 9),  # an ordinary Sunday
        date(2026, 10, 11),  # the Sunday after the make-up Saturday
    ],
)
def test_holidays_and_ordinary_weekends_are_not_working_days(db, day):
    assert is_working_day(day) is False


# --- add_working_days ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        # an ordinary week: Fri + 1 → Mon
        (date(2025, 3, 7), 1, date(2025, 3, 10)),
        (date(2025, 3, 7), 0, date(2025, 3, 7)),
        # 2025 春节
        (date(2025, 1, 24), 1, date(2025, 1, 26)),  # Fri → make-up Sunday
        (date(2025, 1, 24), 2, date(2025, 1, 27)),
        (date(2025, 1, 24), 3, date(2025, 2, 5)),  # across the whole holiday
        (date(2025, 1, 25), 1, date(2025, 1, 26)),  # start on a rest Saturday
        (date(2025, 1, 27), 1, date(2025, 2, 5)),
        (date(2025, 1, 28), 1, date(2025, 2, 5)),  # start inside the holiday
        (date(2025, 2, 7), 1, date(2025, 2, 8)),  # Fri → make-up Saturday
        (date(2025, 2, 7), 2, date(2025, 2, 10)),
        # 2025 国庆
        (date(2025, 9, 26), 1, date(2025, 9, 28)),  # Fri → make-up Sunday
        (date(2025, 9, 26), 3, date(2025, 9, 30)),
        (date(2025, 9, 26), 4, date(2025, 10, 9)),
        (date(2025, 9, 30), 1, date(2025, 10, 9)),
        (date(2025, 9, 30), 3, date(2025, 10, 11)),  # make-up Saturday counts
        (date(2025, 9, 30), 4, date(2025, 10, 13)),
        # 2026 元旦, across the year boundary
        (date(2025, 12, 31), 1, date(2026, 1, 4)),  # make-up Sunday
        (date(2025, 12, 31), 2, date(2026, 1, 5)),
        # 2026 春节
        (date(2026, 2, 12), 5, date(2026, 2, 26)),
        (date(2026, 2, 13), 1, date(2026, 2, 14)),  # Fri → make-up Saturday
        (date(2026, 2, 13), 2, date(2026, 2, 24)),
        (date(2026, 2, 14), 1, date(2026, 2, 24)),
        (date(2026, 2, 24), 3, date(2026, 2, 27)),
        (date(2026, 2, 24), 4, date(2026, 2, 28)),  # make-up Saturday
        (date(2026, 2, 24), 5, date(2026, 3, 2)),
        # 2026 中秋 and 国庆
        (date(2026, 9, 18), 1, date(2026, 9, 20)),  # Fri → make-up Sunday
        (date(2026, 9, 18), 2, date(2026, 9, 21)),
        (date(2026, 9, 24), 1, date(2026, 9, 28)),
        (date(2026, 9, 30), 1, date(2026, 10, 8)),
        (date(2026, 10, 1), 1, date(2026, 10, 8)),
        (date(2026, 9, 30), 3, date(2026, 10, 10)),  # make-up Saturday
        (date(2026, 9, 30), 4, date(2026, 10, 12)),
        # backwards
        (date(2026, 10, 8), -1, date(2026, 9, 30)),
        (date(2025, 2, 5), -1, date(2025, 1, 27)),
        (date(2025, 2, 5), -2, date(2025, 1, 26)),
        (date(2025, 2, 5), -3, date(2025, 1, 24)),
        (date(2026, 2, 24), -1, date(2026, 2, 14)),
        (date(2026, 2, 24), -2, date(2026, 2, 13)),
    ],
)
def test_add_working_days(db, start, n, expected):
    assert add_working_days(start, n) == expected


# --- working_days_between ------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (date(2025, 2, 1), date(2025, 2, 1), 0),
        (date(2025, 3, 7), date(2025, 3, 10), 1),  # (Fri, Mon]
        # 2025 春节: 01-26, 01-27, 02-05, 02-06, 02-07, 02-08, 02-10
        (date(2025, 1, 24), date(2025, 2, 10), 7),
        # 2025 国庆: 09-28, 09-29, 09-30, 10-09, 10-10, 10-11, 10-13
        (date(2025, 9, 26), date(2025, 10, 13), 7),
        # 2026 春节: 02-14, 02-24 … 02-28, 03-02
        (date(2026, 2, 13), date(2026, 3, 2), 7),
        # 2026 中秋+国庆: 09-20, 09-21…24, 09-28…30, 10-08, 10-09, 10-10, 10-12
        (date(2026, 9, 18), date(2026, 10, 12), 12),
        (date(2026, 9, 30), date(2026, 10, 8), 1),
        (date(2026, 9, 30), date(2026, 10, 7), 0),
        (date(2026, 10, 1), date(2026, 10, 7), 0),
        (date(2025, 12, 31), date(2026, 1, 5), 2),
        (date(2026, 10, 8), date(2026, 9, 30), -1),  # b before a: negative
    ],
)
def test_working_days_between(db, a, b, expected):
    assert working_days_between(a, b) == expected


ROUND_TRIP_STARTS = [
    date(2025, 1, 24),  # working Friday before 春节
    date(2025, 1, 25),  # rest Saturday
    date(2025, 1, 28),  # inside 春节
    date(2025, 9, 26),
    date(2025, 12, 31),
    date(2026, 2, 12),
    date(2026, 2, 14),  # make-up Saturday
    date(2026, 2, 15),  # inside 春节
    date(2026, 9, 18),
    date(2026, 10, 1),  # inside 国庆
]


@pytest.mark.parametrize("start", ROUND_TRIP_STARTS)
@pytest.mark.parametrize("n", [0, 1, 2, 3, 5, 10, 20])
def test_round_trip(db, start, n):
    assert working_days_between(start, add_working_days(start, n)) == n


@pytest.mark.parametrize("start", ROUND_TRIP_STARTS)
@pytest.mark.parametrize("n", [1, 3, 10])
def test_working_days_between_is_antisymmetric(db, start, n):
    end = add_working_days(start, n)
    assert working_days_between(end, start) == -working_days_between(start, end) == -n


@pytest.mark.parametrize(
    "start", [date(2025, 1, 24), date(2025, 2, 5), date(2026, 2, 14), date(2026, 10, 8)]
)
@pytest.mark.parametrize("n", [1, 2, 5, 10])
def test_round_trip_backwards_from_a_working_day(db, start, n):
    assert working_days_between(start, add_working_days(start, -n)) == -n


def test_round_trip_over_a_long_span(db):
    assert working_days_between(date(2025, 1, 1), add_working_days(date(2025, 1, 1), 300)) == 300


# --- bad input -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "n", "code", "field"),
    [
        ("2026-01-05", 1, "invalid_date", "start"),
        (dt.datetime(2026, 1, 5, 9, 0), 1, "invalid_date", "start"),
        (date(2026, 1, 5), 1.5, "invalid_number", "working_days"),
        (date(2026, 1, 5), "3", "invalid_number", "working_days"),
        (date(2026, 1, 5), True, "invalid_number", "working_days"),
        (date(2026, 1, 5), 3000, "out_of_range", "working_days"),
    ],
)
def test_add_working_days_refuses_bad_input(db, start, n, code, field):
    with pytest.raises(ApplicationError) as exc:
        add_working_days(start, n)
    assert exc.value.code == code
    assert exc.value.field == field


def test_working_days_between_refuses_a_span_over_ten_years(db):
    with pytest.raises(ApplicationError) as exc:
        working_days_between(date(2015, 1, 1), date(2026, 1, 1))
    assert exc.value.code == "out_of_range"


# --- a year without holiday data ------------------------------------------------------


@pytest.mark.parametrize(
    "compute",
    [
        lambda: add_working_days(date(2027, 1, 4), 1),
        lambda: add_working_days(date(2026, 12, 31), 1),  # crosses into 2027
        lambda: add_working_days(date(2026, 12, 24), 10),
        lambda: working_days_between(date(2026, 12, 30), date(2027, 1, 5)),
        lambda: is_working_day(date(2027, 6, 1)),
    ],
)
def test_uncovered_year_is_refused_not_guessed(db, compute):
    with translation.override("en"), pytest.raises(CalendarNotCovered) as exc:
        compute()
    error = exc.value
    assert isinstance(error, ApplicationError)
    assert error.code == "calendar_not_covered"
    assert error.status == 422
    assert error.year == 2027
    assert "No holiday calendar for 2027" in error.message
    assert "must enter the State Council's 2027 holiday notice" in error.message


def test_uncovered_year_message_names_the_year_in_chinese_too(db):
    with translation.override("zh-hans"), pytest.raises(CalendarNotCovered) as exc:
        add_working_days(date(2027, 3, 1), 1)
    assert "2027" in exc.value.message


def test_last_covered_day_still_works(db):
    # 2026-12-31 is a Thursday; the day before it is reachable without touching 2027.
    assert add_working_days(date(2026, 12, 30), 1) == date(2026, 12, 31)


# --- overrides entered by the finance administrator ----------------------------------


@pytest.fixture
def calendar_2027(db):
    """A (made-up) 2027 notice: 元旦 Fri 01-01 off, Sat 01-09 a make-up working day."""
    cal = HolidayCalendar.objects.create(year=2027, basis="国办发明电〔2026〕测试号")
    HolidayCalendarDay.objects.create(
        calendar=cal, date=date(2027, 1, 1), kind=HolidayCalendarDay.Kind.HOLIDAY, name="元旦"
    )
    HolidayCalendarDay.objects.create(
        calendar=cal, date=date(2027, 1, 9), kind=HolidayCalendarDay.Kind.WORKDAY, name="调休"
    )
    return cal


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2027, 1, 1), False),  # entered holiday on a Friday
        (date(2027, 1, 2), False),  # ordinary Saturday
        (date(2027, 1, 4), True),  # ordinary Monday
        (date(2027, 1, 9), True),  # entered make-up Saturday
        (date(2027, 1, 10), False),  # ordinary Sunday
    ],
)
def test_override_makes_an_uncovered_year_computable(calendar_2027, day, working):
    assert is_working_day(day) is working


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (date(2026, 12, 31), 1, date(2027, 1, 4)),  # skips the entered holiday and the weekend
        (date(2027, 1, 8), 1, date(2027, 1, 9)),  # entered make-up Saturday
        (date(2027, 1, 8), 2, date(2027, 1, 11)),
        (date(2027, 1, 4), -1, date(2026, 12, 31)),
    ],
)
def test_add_working_days_with_override(calendar_2027, start, n, expected):
    assert add_working_days(start, n) == expected


def test_working_days_between_with_override(calendar_2027):
    # 01-04 … 01-08, 01-09 (make-up), 01-11
    assert working_days_between(date(2026, 12, 31), date(2027, 1, 11)) == 7


def test_override_wins_over_the_package_for_a_covered_year(db):
    """An entered 2026 calendar is authoritative for the whole of 2026: here 国庆
    runs to 10-08 and the make-up day is Sunday 10-11 instead of Saturday 10-10."""
    assert add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 8)  # package
    cal = HolidayCalendar.objects.create(year=2026, basis="测试")
    for day in range(1, 9):
        HolidayCalendarDay.objects.create(
            calendar=cal, date=date(2026, 10, day), kind=HolidayCalendarDay.Kind.HOLIDAY
        )
    HolidayCalendarDay.objects.create(
        calendar=cal, date=date(2026, 10, 11), kind=HolidayCalendarDay.Kind.WORKDAY
    )
    assert add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 9)
    assert add_working_days(date(2026, 9, 30), 2) == date(2026, 10, 11)
    assert is_working_day(date(2026, 10, 10)) is False  # the package's make-up day is gone
    assert is_working_day(date(2026, 10, 8)) is False
    # Days the override does not list follow the week, not the package.
    assert is_working_day(date(2026, 2, 16)) is True
    # Other years still come from the package.
    assert add_working_days(date(2025, 9, 30), 1) == date(2025, 10, 9)


# --- public API ---------------------------------------------------------------------------


@pytest.fixture
def api(client, db):
    cache.clear()  # the public endpoints are rate-limited per client
    return client


URL = "/api/v1/calendar/add"


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        ("2026-09-30", 1, "2026-10-08"),
        ("2025-01-24", 1, "2025-01-26"),
        ("2026-02-13", 2, "2026-02-24"),
        ("2026-10-08", -1, "2026-09-30"),
    ],
)
def test_api_calendar_add(api, start, n, expected):
    response = api.get(URL, {"start": start, "working_days": n})
    assert response.status_code == 200
    assert response.json() == {"date": expected}


def test_api_calendar_add_needs_no_login(api):
    response = api.get(URL, {"start": "2026-09-30", "working_days": 1})
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("query", "fields"),
    [
        ({"start": "2026-13-01", "working_days": 1}, ["start"]),
        ({"start": "30/09/2026", "working_days": 1}, ["start"]),
        ({"start": "2026-09-30T10:00:00", "working_days": 1}, ["start"]),
        ({"working_days": 1}, ["start"]),
        ({"start": "2026-09-30"}, ["working_days"]),
        ({}, ["start", "working_days"]),
        ({"start": "2026-09-30", "working_days": "abc"}, ["working_days"]),
        ({"start": "2026-09-30", "working_days": "1.5"}, ["working_days"]),
        ({"start": "2026-09-30", "working_days": 99999}, ["working_days"]),
    ],
)
def test_api_calendar_add_bad_input(api, query, fields):
    response = api.get(URL, query)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_input"
    assert [e["field"] for e in body["errors"]] == fields
    assert all(e["message"] for e in body["errors"])


def test_api_calendar_add_uncovered_year(api):
    response = api.get(URL, {"start": "2026-12-31", "working_days": 1})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "calendar_not_covered"
    assert "2027" in body["errors"][0]["message"]


def test_api_calendar_add_uses_the_override(api, calendar_2027):
    response = api.get(URL, {"start": "2026-12-31", "working_days": 1})
    assert response.status_code == 200
    assert response.json() == {"date": "2027-01-04"}
