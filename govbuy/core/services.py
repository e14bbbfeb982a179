"""Writes of the core kernel: holiday calendars and policy parameters.
One transaction each, checked, audited."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext

from . import audit
from .audit_actions import CoreAction
from .errors import ApplicationError
from .models import HolidayCalendar, HolidayCalendarDay, ParameterDefinition, PolicyParameter
from .params import parse_value
from .permissions import require_add_parameter, require_enter_calendar

KIND_WORDS = {
    "holiday": HolidayCalendarDay.Kind.HOLIDAY,
    "放假": HolidayCalendarDay.Kind.HOLIDAY,
    "休": HolidayCalendarDay.Kind.HOLIDAY,
    "workday": HolidayCalendarDay.Kind.WORKDAY,
    "上班": HolidayCalendarDay.Kind.WORKDAY,
    "班": HolidayCalendarDay.Kind.WORKDAY,
}


def parse_holiday_lines(year: int, text: str) -> list[tuple[dt.date, str, str]]:
    """Lines of ``YYYY-MM-DD kind [name]`` (kind: holiday/放假 or workday/上班);
    blank lines and lines starting with # are ignored. Errors name the line."""
    days, seen = [], set()
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split(maxsplit=2)
        try:
            day = dt.date.fromisoformat(parts[0])
        except ValueError:
            raise ApplicationError(
                "invalid_date",
                gettext("line %(number)s: the date must be YYYY-MM-DD") % {"number": number},
                field="days",
            ) from None
        if day.year != year:
            raise ApplicationError(
                "wrong_year",
                gettext("line %(number)s: %(day)s is not in %(year)s")
                % {"number": number, "day": day, "year": year},
                field="days",
            )
        if len(parts) < 2 or parts[1].lower() not in KIND_WORDS:
            raise ApplicationError(
                "invalid_kind",
                gettext("line %(number)s: the kind must be holiday or workday")
                % {"number": number},
                field="days",
            )
        if day in seen:
            raise ApplicationError(
                "duplicate",
                gettext("line %(number)s: %(day)s appears twice") % {"number": number, "day": day},
                field="days",
            )
        kind = KIND_WORDS[parts[1].lower()]
        if kind == HolidayCalendarDay.Kind.WORKDAY and day.weekday() < 5:
            raise ApplicationError(
                "not_weekend",
                gettext("line %(number)s: a make-up working day must fall on a weekend")
                % {"number": number},
                field="days",
            )
        seen.add(day)
        days.append((day, kind, parts[2] if len(parts) > 2 else ""))
    if not any(kind == HolidayCalendarDay.Kind.HOLIDAY for _, kind, _ in days):
        raise ApplicationError("empty", gettext("enter at least one public holiday"), field="days")
    return days


@transaction.atomic
def set_holiday_calendar(
    *,
    actor,
    year: int,
    basis: str,
    days_text: str,
    published_on: dt.date | None = None,
    note: str = "",
) -> HolidayCalendar:
    """Enter (or replace) a year's holiday arrangement from the State Council's notice.
    The entry then governs every working-day computation in that year. A
    provincial finance bureau or the platform administrator enters it
    (`permissions.require_enter_calendar`)."""
    require_enter_calendar(actor)
    if not (2000 <= year <= 2100):
        raise ApplicationError(
            "out_of_range", gettext("the year must be within 2000–2100"), field="year"
        )
    if not (basis or "").strip():
        raise ApplicationError(
            "required",
            gettext("give the notice's reference (e.g. 国办发明电〔2026〕…号)"),
            field="basis",
        )
    days = parse_holiday_lines(year, days_text)
    calendar, created = HolidayCalendar.objects.update_or_create(
        year=year, defaults={"basis": basis.strip(), "published_on": published_on, "note": note}
    )
    calendar.days.all().delete()
    HolidayCalendarDay.objects.bulk_create(
        HolidayCalendarDay(calendar=calendar, date=day, kind=kind, name=name)
        for day, kind, name in days
    )
    audit.record(
        actor=actor,
        action=CoreAction.HOLIDAY_CALENDAR_CREATE
        if created
        else CoreAction.HOLIDAY_CALENDAR_REPLACE,
        obj=calendar,
        data={
            "year": year,
            "basis": calendar.basis,
            "days": [[d.isoformat(), k, n] for d, k, n in days],
        },
    )
    return calendar


@transaction.atomic
def set_policy_parameter(
    *,
    actor,
    key: str,
    value: str,
    effective_from: dt.date,
    basis: str,
    region=None,
    level: str = "",
    note: str = "",
) -> PolicyParameter:
    """Add a value of a policy parameter from a date (for a region, or national):
    a finance bureau for its region and below, the platform administrator
    national values too (`permissions.require_add_parameter`)."""
    require_add_parameter(actor, region)
    definition = ParameterDefinition.objects.filter(key=key).first()
    if definition is None:
        raise ApplicationError(
            "unknown_parameter",
            gettext("unknown parameter %(key)s") % {"key": repr(key)},
            field="key",
        )
    try:
        parse_value(definition.value_type, str(value))
    except ValueError as e:
        raise ApplicationError("invalid_value", str(e), field="value") from None
    if not (basis or "").strip():
        raise ApplicationError("required", gettext("the legal basis is required"), field="basis")
    if level and level not in ("province", "city", "county"):
        raise ApplicationError(
            "invalid_level", gettext("the level must be province, city or county"), field="level"
        )
    if PolicyParameter.objects.filter(
        definition=definition, region=region, level=level, effective_from=effective_from
    ).exists():
        raise ApplicationError(
            "duplicate",
            gettext("a value already starts on this date"),
            field="effective_from",
        )
    row = PolicyParameter.objects.create(
        definition=definition,
        region=region,
        level=level,
        value=str(value),
        effective_from=effective_from,
        basis=basis.strip(),
        note=note,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit.record(
        actor=actor,
        action=CoreAction.POLICY_PARAMETER_CREATE,
        obj=row,
        data={
            "key": key,
            "region": region.code if region else None,
            "level": level,
            "value": row.value,
            "effective_from": effective_from.isoformat(),
        },
    )
    return row
