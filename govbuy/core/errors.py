"""Stable error codes and one error body for everything that is not a rule.

`ApplicationError` is raised by services for refused input that no rule ID
covers (a malformed value, a wrong state); the API answers with
``{"code": ..., "errors": [{"field": ..., "message": ...}]}``.
"""

from __future__ import annotations


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
            f"{year}年的法定节假日安排尚未录入：请财政部门管理员根据国务院办公厅当年发布的"
            f"节假日安排通知补录 {year} 年日历（节假日与调休上班日）后再计算工作日。"
            f" / No holiday calendar for {year}: the finance administrator must enter the "
            f"State Council's {year} holiday notice before working days can be computed.",
        )
        self.year = year
