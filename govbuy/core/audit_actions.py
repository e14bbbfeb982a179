"""Audit actions: every event's `action` is a member of an `AuditAction` enum.

Each app declares its own actions in `<app>/audit_actions.py`, as a subclass of
`AuditAction` (core imports none of them: the registry is the set of subclasses,
and `registered()` imports every installed app's module by name). A member's
value is the string stored on the event and hashed into the chain: it never
changes once events carry it (some apps keep the `procurement.` prefix they had
before the split).
"""

from __future__ import annotations

from django.db import models
from django.utils.module_loading import autodiscover_modules


class AuditAction(models.TextChoices):
    """Base of the apps' audit action enums (no members of its own)."""


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def registered() -> dict[str, AuditAction]:
    """Every declared action by its stored value (imports each app's module)."""
    autodiscover_modules("audit_actions")
    actions: dict[str, AuditAction] = {}
    for cls in _subclasses(AuditAction):
        for member in cls:
            if member.value in actions and actions[member.value] is not member:
                raise ValueError(f"audit action {member.value!r} is declared twice")
            actions[member.value] = member
    return actions


def label(value: str) -> str:
    """The label of a stored action, or the stored string if no enum declares it
    (events written before an action was retired keep their string)."""
    member = registered().get(value)
    return str(member.label) if member is not None else value


class CoreAction(AuditAction):
    POLICY_PARAMETER_CREATE = "core.policy_parameter.create"
    HOLIDAY_CALENDAR_CREATE = "core.holiday_calendar.create"
    HOLIDAY_CALENDAR_REPLACE = "core.holiday_calendar.replace"
