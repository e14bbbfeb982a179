"""The audit chain: every service appends one event inside its own transaction.

Each event's hash is SHA-256 over a canonical JSON of its fields and the previous
event's hash. Appends lock the single `AuditChainHead` row, so concurrent
writers queue and the chain never forks; unique constraints on seq, prev_hash
and hash make a fork impossible even if a writer bypassed the lock.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from .models import AuditChainHead, AuditEvent

GENESIS = "0" * 64


def _default(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


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
        object_repr=str(obj)[:300] if obj is not None else "",
        data=json.loads(canonical(data or {})),
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

    def __str__(self):
        if self.ok:
            return f"audit chain intact: {self.checked} events"
        return f"audit chain broken at seq {self.seq} (event id {self.event_id}): {self.reason}"


def verify_chain(batch_size: int = 2000) -> ChainReport:
    """Walk the chain in seq order; report the first broken link."""
    prev_hash, expected_seq, checked = GENESIS, 1, 0
    last = None
    for event in AuditEvent.objects.order_by("seq").iterator(chunk_size=batch_size):
        if event.seq != expected_seq:
            return ChainReport(
                False,
                checked,
                event.seq,
                event.pk,
                f"expected seq {expected_seq}: event(s) {expected_seq}…{event.seq - 1} deleted or reordered",
            )
        if event.prev_hash != prev_hash:
            return ChainReport(
                False,
                checked,
                event.seq,
                event.pk,
                "previous-hash link does not match the event before it (deleted or reordered)",
            )
        if compute_hash(event) != event.hash:
            return ChainReport(
                False, checked, event.seq, event.pk, "content changed after it was written"
            )
        prev_hash, expected_seq, checked, last = event.hash, expected_seq + 1, checked + 1, event
    head = AuditChainHead.objects.filter(id=1).first()
    if head is not None and (head.seq != (last.seq if last else 0) or head.hash != prev_hash):
        return ChainReport(
            False,
            checked,
            head.seq,
            None,
            f"chain ends at seq {last.seq if last else 0} but the head records seq {head.seq}: "
            "the latest event(s) were deleted",
        )
    return ChainReport(True, checked)
