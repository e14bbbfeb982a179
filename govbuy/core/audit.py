"""The audit chain: every service appends one event inside its own transaction.

Each event's hash is SHA-256 over a canonical JSON of its fields and the previous
event's hash. Appends lock the single `AuditChainHead` row, so concurrent
writers queue and the chain never forks; unique constraints on seq, prev_hash
and hash make a fork impossible even if a writer bypassed the lock.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop, ngettext

from .audit_actions import AuditAction
from .models import AuditChainHead, AuditCheckpoint, AuditEvent

GENESIS = "0" * 64
logger = logging.getLogger("govbuy.audit")


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
    action: AuditAction,
    obj=None,
    organization=None,
    data: dict | None = None,
) -> AuditEvent:
    """Append an event. Call inside the service's transaction: if the service
    rolls back, so does its event (and the head stays where it was). `action` is a
    member of an app's `AuditAction` enum (govbuy.core.audit_actions), never a
    free string; its value is what is stored and hashed."""
    if not isinstance(action, AuditAction):
        raise TypeError(f"audit action {action!r} is not a member of an AuditAction enum")
    action = action.value
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
    # The last event found intact (and its hash): where the next run starts.
    last_seq: int | None = None
    last_hash: str | None = None
    # False when a run with a limit stopped before the head.
    complete: bool = True

    def _upto(self, seq: int, hash_: str) -> ChainReport:
        self.last_seq, self.last_hash = seq, hash_
        return self

    def __str__(self):
        # English: for the command line and logs.
        if self.ok and not self.complete:
            return f"audit chain intact up to seq {self.last_seq}: {self.checked} events checked"
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


def verify_chain(
    batch_size: int = 2000,
    *,
    after_seq: int = 0,
    after_hash: str = GENESIS,
    limit: int | None = None,
) -> ChainReport:
    """Walk the chain in seq order from the event after `after_seq` (whose hash
    is `after_hash`; the genesis by default); report the first broken link.

    The head is read first and the walk stops at it: events appended meanwhile
    are left for the next run. With `limit`, at most that many events are read
    and the report says how far it got (`last_seq`, `complete`)."""
    head = AuditChainHead.objects.filter(id=1).first()
    events = AuditEvent.objects.filter(seq__gt=after_seq).order_by("seq")
    if head is not None:
        events = events.filter(seq__lte=head.seq)
    if limit is not None:
        events = events[:limit]
    prev_hash, expected_seq, checked = after_hash, after_seq + 1, 0
    last_seq = after_seq
    for event in events.iterator(chunk_size=batch_size):
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
            )._upto(last_seq, prev_hash)
        if event.prev_hash != prev_hash:
            return _broken(
                checked,
                event.seq,
                event.pk,
                gettext_noop(
                    "previous-hash link does not match the event before it (deleted or reordered)"
                ),
            )._upto(last_seq, prev_hash)
        if compute_hash(event) != event.hash:
            return _broken(
                checked, event.seq, event.pk, gettext_noop("content changed after it was written")
            )._upto(last_seq, prev_hash)
        prev_hash, expected_seq, checked = event.hash, expected_seq + 1, checked + 1
        last_seq = event.seq
    head_seq = head.seq if head is not None else last_seq
    if limit is not None and checked == limit and last_seq < head_seq:
        return ChainReport(True, checked, last_seq=last_seq, last_hash=prev_hash, complete=False)
    if head is not None and (head.seq != last_seq or head.hash != prev_hash):
        return _broken(
            checked,
            head.seq,
            None,
            gettext_noop(
                "chain ends at seq %(last)s but the head records seq %(head)s: "
                "the latest event(s) were deleted"
            ),
            last=last_seq,
            head=head.seq,
        )._upto(last_seq, prev_hash)
    if head is None and last_seq == 0 and after_seq == 0:
        return ChainReport(True, checked, last_seq=0, last_hash=GENESIS)
    # An event past the head was written around the lock (the head moves with every append).
    current = AuditChainHead.objects.filter(id=1).values_list("seq", flat=True).first() or 0
    stray = AuditEvent.objects.filter(seq__gt=max(current, last_seq)).order_by("seq").first()
    if stray is not None:
        return _broken(
            checked,
            stray.seq,
            stray.pk,
            gettext_noop("event after the head of the chain: written around the chain's lock"),
        )._upto(last_seq, prev_hash)
    return ChainReport(True, checked, last_seq=last_seq, last_hash=prev_hash)


# --- incremental verification from a stored checkpoint (verify_audit, tick) -----------------


def last_verification() -> AuditCheckpoint | None:
    """What the last run found (one row read): for pages, which never verify."""
    return AuditCheckpoint.objects.filter(id=1).first()


def verify_incremental(*, full: bool = False, limit: int | None = None) -> ChainReport | None:
    """Verify the events written since the last verified one and store the result
    in the checkpoint; `full` starts again from the first event. Returns None if
    another run holds the checkpoint (runs never overlap; the other one reports).

    The checkpoint's own event is checked first (still there, same hash), so a
    run notices if the event it starts from was changed; changes further back
    are found by a `full` run (`manage.py verify_audit --full`)."""
    with transaction.atomic():
        AuditCheckpoint.objects.get_or_create(id=1)
        checkpoint = (
            AuditCheckpoint.objects.select_for_update(skip_locked=True).filter(id=1).first()
        )
        if checkpoint is None:
            return None
        after_seq, after_hash = (
            (0, GENESIS) if full else (checkpoint.verified_seq, checkpoint.verified_hash)
        )
        report = None
        if after_seq:
            anchor = AuditEvent.objects.filter(seq=after_seq).first()
            if anchor is None or anchor.hash != after_hash or compute_hash(anchor) != anchor.hash:
                report = _broken(
                    0,
                    after_seq,
                    anchor.pk if anchor is not None else None,
                    gettext_noop(
                        "the last verified event was changed or deleted after it was verified"
                    ),
                )._upto(after_seq, after_hash)
        if report is None:
            report = verify_chain(after_seq=after_seq, after_hash=after_hash, limit=limit)
        checkpoint.checked_at = timezone.now()
        checkpoint.ok = report.ok
        checkpoint.checked = report.checked
        checkpoint.head_seq = (
            AuditChainHead.objects.filter(id=1).values_list("seq", flat=True).first() or 0
        )
        if report.last_seq is not None:
            checkpoint.verified_seq, checkpoint.verified_hash = report.last_seq, report.last_hash
        checkpoint.broken_seq = None if report.ok else report.seq
        checkpoint.broken_event_id = None if report.ok else report.event_id
        checkpoint.reason = report.reason
        checkpoint.reason_i18n = list(report.reason_i18n) if report.reason_i18n else []
        checkpoint.save()
    return report


def verify_on_tick(write=None) -> ChainReport | None:
    """`tick`'s share: verify at most GOVBUY_AUDIT_VERIFY_TICK_EVENTS new events
    (the rest at the next tick). An intact chain is only logged; a broken one is
    logged as an error and written out."""
    report = verify_incremental(limit=settings.GOVBUY_AUDIT_VERIFY_TICK_EVENTS)
    if report is None or (report.ok and not report.checked):
        return report
    if report.ok:
        logger.info("%s%s", report, "" if report.complete else " (more at the next run)")
    else:
        logger.error("%s", report)
        if write is not None:
            write(str(report))
    return report
