"""What the services of a running purchase share: locks, who acts for whom,
the deadlines table, notice numbers and the suspension guard."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from govbuy.core import dates
from govbuy.core.errors import ApplicationError, InvalidState
from govbuy.core.rules import RuleViolation
from govbuy.procurement.models import PurchaseProject
from govbuy.tendering import schedule
from govbuy.tendering.models import Deadline, Notice, Tender
from govbuy.tendering.rules import running as running_rules

SYSTEM = "system"


def locked_tender(tender: Tender | int) -> Tender:
    """The round, its row locked for this transaction (corrections, opening, award)."""
    pk = tender.pk if isinstance(tender, Tender) else tender
    return (
        Tender.objects.select_for_update(of=("self",))
        .select_related("project__department__region", "project__region", "project__budget_line")
        .get(pk=pk)
    )


def share_locked_tender(tender: Tender | int) -> Tender:
    """The round, read under a shared lock: bids and withdrawals run side by side
    but never across an opening or a correction, which take the row exclusively.
    (SQLite serializes writing transactions anyway.)"""
    pk = tender.pk if isinstance(tender, Tender) else tender
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM procurement_tender WHERE id = %s FOR SHARE", [pk])
    return Tender.objects.select_related("project__department", "project__region").get(pk=pk)


def locked_project(project: PurchaseProject) -> PurchaseProject:
    return (
        PurchaseProject.objects.select_for_update(of=("self",))
        .select_related("department__region", "region", "budget_line", "intended_provider")
        .get(pk=project.pk)
    )


def rules_for(project: PurchaseProject) -> schedule.Rules:
    """The parameters in force for the project: its region, the day it started."""
    return schedule.Rules(project.region, project.started_on)


def store_deadlines(project, tender, dues: list[schedule.Due], *, now=None) -> list[Deadline]:
    """Store computed deadlines; one that replaces a current one of the same kind
    supersedes it (the old row stays, for the record)."""
    now = now or timezone.now()
    kinds = [d.kind for d in dues]
    Deadline.objects.filter(
        project=project, tender=tender, kind__in=kinds, superseded_at__isnull=True
    ).update(superseded_at=now)
    return Deadline.objects.bulk_create(
        [Deadline(project=project, tender=tender, **d.as_row()) for d in dues]
    )


def current_deadline(tender, kind) -> Deadline | None:
    return Deadline.objects.filter(tender=tender, kind=kind, superseded_at__isnull=True).first()


def complete_deadline(project, tender, kind, *, at=None, late_reason: str = "") -> Deadline | None:
    """Mark a deadline met (or met late, with the reason)."""
    at = at or timezone.now()
    row = (
        Deadline.objects.filter(
            project=project, tender=tender, kind=kind, superseded_at__isnull=True
        )
        .order_by("-pk")
        .first()
    )
    if row is None or row.done_at is not None:
        return row
    row.done_at = at
    row.late = row.due_at is not None and at > row.due_at
    row.late_reason = (late_reason or "").strip() if row.late else ""
    row.save(update_fields=["done_at", "late", "late_reason"])
    return row


def next_notice_number(project: PurchaseProject, kind: str) -> str:
    prefix = {
        "intention": "YX",
        "purchase": "GG",
        "correction": "GZ",
        "publicity": "GS",
        "result": "JG",
        "termination": "ZZ",
    }[kind]
    n = Notice.objects.filter(project=project, kind=kind).count() + 1
    return f"{prefix}-{project.code}-{n:02d}"


def guard_not_suspended(tender: Tender, today: dt.date | None = None) -> None:
    """A suspended purchase does not move forward (政府采购法 第五十七条)."""
    if tender.suspended_at is None:
        return
    today = today or timezone.localdate()
    if tender.suspended_until is None or today <= tender.suspended_until:
        raise RuleViolation([running_rules.suspended_violation(until=tender.suspended_until)])


def require_status(tender: Tender, *statuses, message: str) -> None:
    if tender.status not in statuses:
        raise InvalidState(message)


def clean_text(value, *, field: str, label: str, limit: int = 20000, required=True) -> str:
    text = "" if value is None else str(value).strip()
    if required and not text:
        raise ApplicationError("required", _("Give %(label)s.") % {"label": label}, field=field)
    if len(text) > limit:
        raise ApplicationError(
            "too_long", _("At most %(limit)s characters.") % {"limit": f"{limit:,}"}, field=field
        )
    return text


def aware(value, *, field: str) -> dt.datetime:
    """A timezone-aware datetime from a datetime or a typed one (local time if
    naive; "2026-10-20 9:30" and "2026/10/20 09:30" are read as meant)."""
    try:
        moment = dates.parse_datetime(value)
    except (TypeError, ValueError, OverflowError):
        raise ApplicationError(
            "invalid_datetime",
            _("Give a date and time as YYYY-MM-DD HH:MM, e.g. 2026-10-20 09:30."),
            field=field,
        ) from None
    if timezone.is_naive(moment):
        try:
            moment = timezone.make_aware(moment)
        except (OverflowError, ValueError):
            raise ApplicationError(
                "invalid_datetime", _("Give a plausible date and time."), field=field
            ) from None
    return moment


def purchase_horizon(project) -> tuple[dt.date, str]:
    """The last day a date of the running purchase may name (a deadline, the
    expected start): the end of the service term, or else 31 December of the
    last year its budget line funds."""
    line = project.budget_line
    last = dt.date(max([line.fiscal_year, *line.out_years.values_list("year", flat=True)]), 12, 31)
    req = getattr(project, "requirement", None)
    if req is not None and req.term_end is not None and req.term_end < last:
        return req.term_end, _("the end of the service term")
    return last, _("the last day of the years its budget line funds")


def horizon_error(project, day: dt.date) -> str | None:
    """The field message for a date past the purchase's horizon, or None."""
    last, what = purchase_horizon(project)
    if day > last:
        return _(
            "%(date)s is after %(last)s, %(what)s: no date of this purchase can fall later."
        ) % {"date": day.isoformat(), "last": last.isoformat(), "what": what}
    return None


def within_horizon(project, moment: dt.datetime | dt.date, *, field: str) -> None:
    day = timezone.localtime(moment).date() if isinstance(moment, dt.datetime) else moment
    message = horizon_error(project, day)
    if message:
        raise ApplicationError("implausible_date", message, field=field)
