"""The audit chain: every service appends one event inside its own transaction.

Each event's hash is SHA-256 over a canonical JSON of its fields and the previous
event's hash. Appends lock the single `AuditChainHead` row, so concurrent
writers queue and the chain never forks; unique constraints on seq, prev_hash
and hash make a fork impossible even if a writer bypassed the lock.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop, ngettext

from .models import AuditChainHead, AuditEvent

GENESIS = "0" * 64


def _default(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def _stable_float(text: str):
    # PostgreSQL's jsonb prints numbers without an exponent, so an integral float
    # (1e16, -0.0) would come back as an int and no longer match its hash; store
    # it as the int it equals.
    number = float(text)
    return int(number) if number.is_integer() else number


def _without_nul(value):
    """PostgreSQL's jsonb and text refuse U+0000; drop it rather than fail the write."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, dict):
        return {_without_nul(k): _without_nul(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_nul(v) for v in value]
    return value


def canonical(value) -> str:
    return json.dumps(
        value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_default
    )


def compute_hash(event: AuditEvent) -> str:
    payload = {
        "seq": event.seq,
        "prev": event.prev_hash,
        "at": event.created_at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor": event.actor_id,
        "actor_repr": event.actor_repr,
        "org": event.organization_id,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "object_repr": event.object_repr,
        "data": event.data,
    }
    return hashlib.sha256(canonical(payload).encode()).hexdigest()


def record(
    *,
    actor,
    action: str,
    obj=None,
    organization=None,
    data: dict | None = None,
) -> AuditEvent:
    """Append an event. Call inside the service's transaction: if the service
    rolls back, so does its event (and the head stays where it was)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record must be called inside transaction.atomic()")
    head = AuditChainHead.objects.select_for_update().filter(id=1).first()
    if head is None:  # first event ever (or a test flushed the table)
        AuditChainHead.objects.get_or_create(id=1, defaults={"seq": 0, "hash": GENESIS})
        head = AuditChainHead.objects.select_for_update().get(id=1)
    actor_user = actor if getattr(actor, "is_authenticated", False) else None
    if organization is None and obj is not None:
        organization = getattr(obj, "audit_organization", None)
    event = AuditEvent(
        seq=head.seq + 1,
        prev_hash=head.hash,
        created_at=timezone.now(),
        actor=actor_user,
        actor_repr=str(actor_user.get_username())
        if actor_user
        else (str(actor) if actor else "system"),
        organization=organization,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=_without_nul(str(obj))[:300] if obj is not None else "",
        data=_without_nul(json.loads(canonical(data or {}), parse_float=_stable_float)),
    )
    event.hash = compute_hash(event)
    event.save(force_insert=True)
    head.seq, head.hash = event.seq, event.hash
    head.save(update_fields=["seq", "hash"])
    return event


@dataclass
class ChainReport:
    ok: bool
    checked: int
    seq: int | None = None
    event_id: int | None = None
    reason: str = ""
    # (English template, values) of `reason`, so pages can show it translated.
    reason_i18n: tuple[str, dict] | None = field(default=None, compare=False)

    def __str__(self):
        # English: for the command line and logs.
        if self.ok:
            return f"audit chain intact: {self.checked} events"
        return f"audit chain broken at seq {self.seq} (event id {self.event_id}): {self.reason}"

    @property
    def message(self) -> str:
        """The report in the active language, for pages."""
        if self.ok:
            return ngettext(
                "Audit chain intact: %(n)d event checked.",
                "Audit chain intact: %(n)d events checked.",
                self.checked,
            ) % {"n": self.checked}
        reason = self.reason
        if self.reason_i18n is not None:
            template, values = self.reason_i18n
            reason = gettext(template) % values
        return gettext("Audit chain broken at seq %(seq)s (event id %(event_id)s): %(reason)s") % {
            "seq": self.seq,
            "event_id": self.event_id if self.event_id is not None else "—",
            "reason": reason,
        }


def _broken(checked: int, seq, event_id, template: str, **values) -> ChainReport:
    return ChainReport(False, checked, seq, event_id, template % values, (template, values))


def verify_chain(batch_size: int = 2000) -> ChainReport:
    """Walk the chain in seq order; report the first broken link."""
    prev_hash, expected_seq, checked = GENESIS, 1, 0
    last = None
    for event in AuditEvent.objects.order_by("seq").iterator(chunk_size=batch_size):
        if event.seq != expected_seq:
            return _broken(
                checked,
                event.seq,
                event.pk,
                gettext_noop(
                    "expected seq %(expected)s: event(s) %(expected)s…%(last)s deleted or reordered"
                ),
                expected=expected_seq,
                last=event.seq - 1,
            )
        if event.prev_hash != prev_hash:
            return _broken(
                checked,
                event.seq,
                event.pk,
                gettext_noop(
                    "previous-hash link does not match the event before it (deleted or reordered)"
                ),
            )
        if compute_hash(event) != event.hash:
            return _broken(
                checked, event.seq, event.pk, gettext_noop("content changed after it was written")
            )
        prev_hash, expected_seq, checked, last = event.hash, expected_seq + 1, checked + 1, event
    head = AuditChainHead.objects.filter(id=1).first()
    if head is not None and (head.seq != (last.seq if last else 0) or head.hash != prev_hash):
        return _broken(
            checked,
            head.seq,
            None,
            gettext_noop(
                "chain ends at seq %(last)s but the head records seq %(head)s: "
                "the latest event(s) were deleted"
            ),
            last=last.seq if last else 0,
            head=head.seq,
        )
    return ChainReport(True, checked)
