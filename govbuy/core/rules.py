"""The rules kernel: every rule of reference/rules.md has one `Rule` object,
defined in the rules.py of the app that owns it, and produces `Violation`s.

A rule function takes facts and returns ``list[Violation]``; it never writes.
Services call ``enforce(violations)``, which raises `RuleViolation` when any
violation is hard; the API turns that into HTTP 422 and pages show the same
messages beside the fields.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from .text import Text, as_text


class Severity(models.TextChoices):
    HARD = "hard", _("Refused")
    WARN = "warn", _("Warning")
    REPORT = "report", _("Reported")


@dataclass(frozen=True)
class Rule:
    """A rule of reference/rules.md: stable ID, kind and legal basis.

    `title` is English marked with gettext_noop (it stays a plain str); pages
    show it with ``{% translate rule.title %}``."""

    id: str
    severity: str
    basis: str
    title: str

    def __post_init__(self):
        existing = REGISTRY.get(self.id)
        if existing is not None and existing != self:
            raise ValueError(f"rule {self.id} is defined twice")
        REGISTRY[self.id] = self

    def violation(
        self,
        message,
        *,
        field: str | None = None,
        severity: str | None = None,
        basis: str | None = None,
        match: str | None = None,
    ):
        """`message` is a `Text` (kept, so a stored warning is read in the reader's
        language) or an already translated string."""
        text = as_text(message)
        return Violation(
            rule=self.id,
            severity=severity or self.severity,
            message=str(message),
            basis=basis or self.basis,
            field=field,
            match=match,
            text=text,
        )


REGISTRY: dict[str, Rule] = {}


@dataclass(frozen=True)
class Violation:
    rule: str
    severity: str
    message: str
    basis: str
    field: str | None = None
    # The words of the input that triggered a screening rule (C2, C3, C7, C9).
    match: str | None = None
    # The message as a `Text`, rendered again in the reader's language when stored.
    text: Text | None = dataclasses.field(default=None, compare=False, repr=False)

    @property
    def is_hard(self) -> bool:
        return self.severity == Severity.HARD

    def as_dict(self) -> dict:
        body = {
            "rule": self.rule,
            "severity": self.severity,
            "message": self.message,
            "basis": self.basis,
            "field": self.field,
        }
        if self.match is not None:
            body["match"] = self.match
        return body

    def as_record(self) -> dict:
        """What is stored on an object (its `warnings`): the body above, plus the
        message as a `Text` and the language it was made in, so that pages show it
        in the reader's language (`core.text.message_of`)."""
        body = self.as_dict()
        if self.text is not None:
            body["text"] = self.text.as_json()
            body["lang"] = translation.get_language()
        return body

    def __str__(self) -> str:
        return f"[{self.rule}] {self.message} ({self.basis})"


@dataclass
class RuleViolation(Exception):
    """Raised by a service when a hard rule refuses the action."""

    violations: list[Violation] = field(default_factory=list)

    def __post_init__(self):
        super().__init__("; ".join(str(v) for v in self.violations))

    def as_body(self) -> dict:
        return {"code": "rule_violation", "violations": [v.as_dict() for v in self.violations]}

    def by_field(self) -> dict[str | None, list[Violation]]:
        grouped: dict[str | None, list[Violation]] = {}
        for v in self.violations:
            grouped.setdefault(v.field, []).append(v)
        return grouped


def enforce(violations: list[Violation]) -> list[Violation]:
    """Raise for hard violations; return the others (warnings, reports) to record."""
    hard = [v for v in violations if v.is_hard]
    if hard:
        raise RuleViolation(hard)
    return [v for v in violations if not v.is_hard]
