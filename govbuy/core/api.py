import datetime as dt

from django.db import connection
from django.utils import timezone
from ninja import Query, Router, Schema
from pydantic import Field

from . import calendar
from .api_auth import PublicRateThrottle

router = Router(tags=["core"])


class HealthOut(Schema):
    status: str
    database: str
    time: dt.datetime


@router.get("/health", response=HealthOut, auth=None, summary="Liveness and database check")
def health(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return {"status": "ok", "database": connection.vendor, "time": timezone.now()}


class CalendarAddIn(Schema):
    start: dt.date = Field(description="Start date, YYYY-MM-DD (not counted)")
    working_days: int = Field(ge=-2500, le=2500, description="Working days to add")


class CalendarAddOut(Schema):
    date: dt.date


@router.get(
    "/calendar/add",
    response=CalendarAddOut,
    auth=None,
    throttle=[PublicRateThrottle()],
    summary="The n-th working day strictly after a date (official holidays and 调休 make-up days)",
    tags=["public rules"],
)
def calendar_add(request, params: Query[CalendarAddIn]):
    return {"date": calendar.add_working_days(params.start, params.working_days)}
