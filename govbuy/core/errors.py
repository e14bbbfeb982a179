"""Stable error codes and one error body for everything that is not a rule.

`ApplicationError` is raised by services for refused input that no rule ID
covers (a malformed value, a wrong state); the API answers with
``{"code": ..., "errors": [{"field": ..., "message": ...}]}``.
"""

from __future__ import annotations

from django.utils.translation import gettext as _


class ApplicationError(Exception):
    status = 422

    def __init__(self, code: str, message, *, field: str | None = None, status: int | None = None):
        super().__init__(str(message))
        self.code = code
        self.message = str(message)
        self.field = field
        if status is not None:
            self.status = status

    def as_body(self) -> dict:
        return {"code": self.code, "errors": [{"field": self.field, "message": self.message}]}


class InvalidState(ApplicationError):
    status = 409

    def __init__(self, message, *, field: str | None = None):
        super().__init__("invalid_state", message, field=field)


class CalendarNotCovered(ApplicationError):
    """No holiday data for a year: refuse rather than guess (holidays are not working days)."""

    def __init__(self, year: int):
        super().__init__(
            "calendar_not_covered",
            _(
                "No holiday calendar for %(year)s: the finance administrator must enter the "
                "State Council's %(year)s holiday notice before working days can be computed."
            )
            % {"year": year},
        )
        self.year = year


class InvalidInput(ApplicationError):
    """Several field errors at once: ``errors`` is a list of dicts with at least
    ``field`` and ``message`` (imports add ``row`` and ``column``)."""

    def __init__(self, errors: list[dict], *, code: str = "invalid_input"):
        first = errors[0] if errors else {"field": None, "message": _("invalid input")}
        super().__init__(code, first["message"], field=first.get("field"))
        self.errors = errors

    def as_body(self) -> dict:
        return {"code": self.code, "errors": self.errors}


class NotAllowed(ApplicationError):
    """The user is known but may not do this (403); the object itself was visible."""

    status = 403

    def __init__(self, message):
        super().__init__("not_allowed", message)
