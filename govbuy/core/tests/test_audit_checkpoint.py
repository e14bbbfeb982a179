"""Incremental verification of the audit chain from a stored checkpoint
(`verify_audit`, `tick`): it reads only the events written since the last run,
still finds a tampered event, and the auditor's page only shows the stored
result (it never walks the chain)."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from govbuy.core import audit
from govbuy.core.models import AuditCheckpoint, AuditEvent
from govbuy.core.tests.sample_actions import SampleAction


def _write(n, start=0):
    for i in range(n):
        with transaction.atomic():
            audit.record(actor="t", action=SampleAction.TEST, data={"n": start + i})


def _event_rows_read(queries) -> list[str]:
    """The queries of the run on the events table."""
    return [q["sql"] for q in queries if 'FROM "core_auditevent"' in q["sql"]]


def test_first_run_verifies_everything_and_stores_the_checkpoint(db):
    _write(5)
    report = audit.verify_incremental()
    assert report.ok and report.checked == AuditEvent.objects.count()
    checkpoint = AuditCheckpoint.objects.get()
    last = AuditEvent.objects.order_by("-seq").first()
    assert (checkpoint.verified_seq, checkpoint.verified_hash) == (last.seq, last.hash)
    assert checkpoint.ok is True and checkpoint.checked_at is not None
    assert checkpoint.head_seq == last.seq and checkpoint.unverified == 0


def test_next_run_reads_only_the_new_events(db):
    _write(6)
    audit.verify_incremental()
    before = AuditCheckpoint.objects.get().verified_seq
    _write(3, start=100)

    with CaptureQueriesContext(connection) as ctx:
        report = audit.verify_incremental()

    assert report.ok and report.checked == 3
    assert AuditCheckpoint.objects.get().verified_seq == before + 3
    # Every read of the events table is bounded below by the checkpoint (seq > before,
    # or the checkpoint's own event): the run never walks from the first event.
    reads = _event_rows_read(ctx.captured_queries)
    assert reads
    for sql in reads:
        bounds = [int(n) for n in re.findall(r'"seq" (?:>|=) (\d+)', sql)]
        assert bounds and min(bounds) >= before, sql

    # Nothing new: nothing read but the checkpoint's own event.
    report = audit.verify_incremental()
    assert report.ok and report.checked == 0


def test_a_tampered_new_event_is_found_by_the_incremental_run(db):
    _write(4)
    audit.verify_incremental()
    _write(4, start=10)
    target = AuditEvent.objects.order_by("-seq")[1]
    AuditEvent.objects.filter(pk=target.pk).update(data={"n": 999})

    report = audit.verify_incremental()

    assert not report.ok and report.seq == target.seq
    checkpoint = AuditCheckpoint.objects.get()
    assert checkpoint.ok is False
    assert (checkpoint.broken_seq, checkpoint.broken_event_id) == (target.seq, target.pk)
    assert "content changed" in checkpoint.reason
    with translation.override("en"):
        assert "content changed" in checkpoint.reason_text
    assert checkpoint.reason_text == "内容在写入后被修改"
    # The checkpoint stays before the break: the next run reports it again.
    assert checkpoint.verified_seq == target.seq - 1
    assert not audit.verify_incremental().ok
    with pytest.raises(CommandError, match=f"broken at seq {target.seq} "):
        call_command("verify_audit", stdout=StringIO())


def test_a_changed_checkpoint_event_is_found_and_a_full_run_finds_older_changes(db):
    _write(5)
    audit.verify_incremental()
    events = list(AuditEvent.objects.order_by("seq"))
    # An event before the checkpoint: only a full run walks back there.
    AuditEvent.objects.filter(pk=events[1].pk).update(action="x")
    assert audit.verify_incremental().ok
    full = audit.verify_incremental(full=True)
    assert not full.ok and full.seq == events[1].seq
    assert AuditCheckpoint.objects.get().verified_seq == events[0].seq

    # The checkpoint's own event changed.
    AuditEvent.objects.filter(pk=events[1].pk).update(action=events[1].action)
    assert audit.verify_incremental(full=True).ok
    AuditEvent.objects.filter(pk=events[-1].pk).update(actor_repr="mallory")
    report = audit.verify_incremental()
    assert not report.ok and report.seq == events[-1].seq
    assert "last verified event was changed" in report.reason


def test_a_limited_run_goes_on_where_it_stopped(db):
    _write(7)
    total = AuditEvent.objects.count()
    first = audit.verify_incremental(limit=3)
    assert first.ok and not first.complete and first.checked == 3
    checkpoint = AuditCheckpoint.objects.get()
    assert checkpoint.unverified == total - 3
    rest = audit.verify_incremental(limit=100)
    assert rest.ok and rest.complete and rest.checked == total - 3


def test_tick_verifies_new_events_and_reports_a_broken_chain(db, settings):
    settings.GOVBUY_AUDIT_VERIFY_TICK_EVENTS = 2
    _write(3)
    out = StringIO()
    call_command("tick", stdout=out)
    assert "audit" not in out.getvalue()  # an intact chain is only logged
    assert AuditCheckpoint.objects.get().verified_seq == 2
    call_command("tick", stdout=StringIO())
    call_command("tick", stdout=StringIO())
    checkpoint = AuditCheckpoint.objects.get()
    assert checkpoint.ok and checkpoint.verified_seq == AuditEvent.objects.order_by("-seq")[0].seq

    _write(1, start=50)
    AuditEvent.objects.filter(pk=AuditEvent.objects.order_by("-seq")[0].pk).update(action="x")
    call_command("tick", stdout=out)
    assert "audit chain broken at seq" in out.getvalue()


def test_verify_audit_command_full_and_incremental(db):
    _write(3)
    out = StringIO()
    call_command("verify_audit", stdout=out)
    assert "intact" in out.getvalue()
    call_command("verify_audit", "--full", stdout=out)
    assert AuditCheckpoint.objects.get().ok is True
