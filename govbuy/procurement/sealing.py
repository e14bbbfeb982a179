"""The seal on bids (P12): before the opening time no one — purchaser, finance,
auditor, platform administrator, panel member, the bidder itself — reads a
bid's price, technical response, attachments, or even how many bids there are.
The server's clock decides. Every refused attempt is written to the audit chain
(in a transaction of its own, so the refusal cannot roll it back).

Every page, API endpoint and export that shows bid content goes through
`unseal` (bids) or `unseal_quotes` (a round of quotes); the selectors do it
for them.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from govbuy.core import audit
from govbuy.core.errors import ApplicationError

from .rules import running as running_rules


class Sealed(ApplicationError):
    """403: the object is visible to the user, its content is not yet."""

    status = 403

    def __init__(self, opening_at: dt.datetime):
        violation = running_rules.sealed_violation(opening_at=opening_at)
        super().__init__("sealed", violation.message)
        self.violation = violation
        self.opening_at = opening_at

    def as_body(self) -> dict:
        return {
            "code": self.code,
            "violations": [self.violation.as_dict()],
            "opening_at": self.opening_at.isoformat(),
        }


def is_sealed(tender, now: dt.datetime | None = None) -> bool:
    return (now or timezone.now()) < tender.opening_at


def quotes_sealed(tender, now: dt.datetime | None = None) -> bool:
    """The current round of quotes stays sealed until its deadline."""
    deadline = tender.quote_deadline
    return deadline is not None and (now or timezone.now()) < deadline


def record_attempt(user, tender, what: str) -> None:
    with transaction.atomic():
        audit.record(
            actor=user if getattr(user, "is_authenticated", False) else "anonymous",
            action="procurement.bid.sealed_read_refused",
            obj=tender,
            data={"what": what, "opening_at": tender.opening_at.isoformat()},
        )


def unseal(user, tender, *, what: str) -> None:
    """Refuse (and audit) reading bid content of `tender` before its opening time."""
    if is_sealed(tender):
        record_attempt(user, tender, what)
        raise Sealed(tender.opening_at)


def unseal_quotes(user, tender, *, what: str) -> None:
    """Like `unseal`, and while a round of quotes is open its quotes stay sealed
    too: no bid is read until the round's deadline."""
    unseal(user, tender, what=what)
    if quotes_sealed(tender):
        with transaction.atomic():
            audit.record(
                actor=user if getattr(user, "is_authenticated", False) else "anonymous",
                action="procurement.bid.sealed_read_refused",
                obj=tender,
                data={"what": what, "quote_deadline": tender.quote_deadline.isoformat()},
            )
        raise Sealed(tender.quote_deadline)


def opening_time_text(tender) -> str:
    return _("%(time)s (server time, Asia/Shanghai)") % {
        "time": timezone.localtime(tender.opening_at).strftime("%Y-%m-%d %H:%M:%S")
    }
