"""The audit hash chain: real services write events; tampering with the table
(changed, deleted, reordered events) is detected by verify_chain and by
``manage.py verify_audit``."""

import datetime as dt
import threading
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from govbuy.core import audit
from govbuy.core.models import AuditChainHead, AuditEvent
from govbuy.core.rules import RuleViolation
from govbuy.core.tests.sample_actions import SampleAction
from govbuy.orgs.models import Organization


def _verify_command_ok():
    out = StringIO()
    call_command("verify_audit", stdout=out)
    return out.getvalue()


@pytest.fixture
def events(make_org):
    """Four events written by the real create_organization service."""
    start = AuditEvent.objects.count()
    for i in range(4):
        make_org(f"审计链测试单位{i}")
    written = list(AuditEvent.objects.order_by("seq"))[start:]
    assert len(written) == 4
    assert audit.verify_chain().ok
    return written


# --- an intact chain ------------------------------------------------------------------------


def test_services_write_linked_events(events, region):
    first_seq = events[0].seq
    assert [e.seq for e in events] == list(range(first_seq, first_seq + 4))
    previous = AuditEvent.objects.filter(seq=first_seq - 1).first()
    assert events[0].prev_hash == (previous.hash if previous else audit.GENESIS)
    for before, after in zip(events, events[1:], strict=False):
        assert after.prev_hash == before.hash
    for e in events:
        assert e.hash == audit.compute_hash(e)
        assert len(e.hash) == 64
        assert e.action == "orgs.organization.create"
        assert e.actor_repr == "test"
        assert e.object_type == "orgs.organization"
        assert e.data == {"org_type": "administrative_organ", "region": "410100", "roles": []}
        org = Organization.objects.get(pk=int(e.object_id))
        assert e.organization_id == org.pk
        assert e.object_repr == org.name
    head = AuditChainHead.objects.get(id=1)
    assert (head.seq, head.hash) == (events[-1].seq, events[-1].hash)


def test_intact_chain_verifies(events):
    report = audit.verify_chain()
    assert report.ok
    assert report.checked == AuditEvent.objects.count()
    assert report.seq is None
    assert f"intact: {report.checked} events" in str(report)
    assert "intact" in _verify_command_ok()


def test_empty_chain_verifies(db):
    assert AuditEvent.objects.count() == 0
    report = audit.verify_chain()
    assert report.ok and report.checked == 0
    _verify_command_ok()


def test_small_batches_walk_the_whole_chain(events):
    assert audit.verify_chain(batch_size=1).checked == AuditEvent.objects.count()


def test_record_canonicalizes_data_and_the_stored_event_still_verifies(db):
    with transaction.atomic():
        event = audit.record(
            actor="系统",
            action=SampleAction.TEST,
            data={"amount": Decimal("1.50"), "day": date(2026, 1, 5), "名称": "测试", "n": 3},
        )
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.data == {"amount": "1.50", "day": "2026-01-05", "名称": "测试", "n": 3}
    assert stored.actor_repr == "系统"
    assert stored.actor_id is None
    assert audit.compute_hash(stored) == stored.hash
    assert audit.verify_chain().ok


@pytest.mark.parametrize(
    ("value", "stored"),
    [
        (0.1, 0.1),
        (87.5, 87.5),
        (2.5e-05, 2.5e-05),
        (1.0, 1),
        (-0.0, 0),
        (1e16, 10**16),  # PostgreSQL's jsonb gives these back as integers
        (1e20, 10**20),
        (2**70, 2**70),
    ],
)
def test_numbers_read_back_from_the_database_still_verify(db, value, stored):
    with transaction.atomic():
        event = audit.record(
            actor="t", action=SampleAction.TEST, data={"v": value, "list": [value]}
        )
    from_db = AuditEvent.objects.get(pk=event.pk)
    assert from_db.data == {"v": stored, "list": [stored]}
    assert type(from_db.data["v"]) is type(stored)
    assert audit.compute_hash(from_db) == from_db.hash
    assert audit.verify_chain().ok


def test_record_names_a_user_actor(make_user):
    user = make_user()
    with transaction.atomic():
        event = audit.record(actor=user, action=SampleAction.TEST)
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.actor_id == user.pk
    assert stored.actor_repr == user.get_username()
    assert audit.verify_chain().ok


# --- tampering ---------------------------------------------------------------------------------


def _change(**fields):
    def tamper(events):
        target = events[1]
        AuditEvent.objects.filter(pk=target.pk).update(**fields)
        return target.seq, "content changed"

    return tamper


def _change_and_rehash(events):
    """The forger also recomputes the changed event's hash: the next link breaks."""
    target = AuditEvent.objects.get(pk=events[1].pk)
    target.data = {**target.data, "region": "110000"}
    target.hash = audit.compute_hash(target)
    target.save(update_fields=["data", "hash"])
    return events[2].seq, "previous-hash link does not match"


def _delete_middle(events):
    AuditEvent.objects.filter(pk=events[1].pk).delete()
    return events[2].seq, f"expected seq {events[1].seq}"


def _delete_first(events):
    AuditEvent.objects.filter(pk=events[0].pk).delete()
    return events[1].seq, f"expected seq {events[0].seq}"


def _delete_last(events):
    AuditEvent.objects.filter(pk=events[-1].pk).delete()
    return events[-1].seq, f"but the head records seq {events[-1].seq}"


def _delete_last_two(events):
    AuditEvent.objects.filter(pk__in=[events[-1].pk, events[-2].pk]).delete()
    return events[-1].seq, "latest event(s) were deleted"


def _swap(events):
    a, b = events[1], events[2]
    AuditEvent.objects.filter(pk=a.pk).update(seq=10**9)  # seq is unique
    AuditEvent.objects.filter(pk=b.pk).update(seq=a.seq)
    AuditEvent.objects.filter(pk=a.pk).update(seq=b.seq)
    return a.seq, "previous-hash link does not match"


def _move_to_end(events):
    """Take an event out of the middle and append it after the last one."""
    moved = events[1]
    AuditEvent.objects.filter(pk=moved.pk).update(seq=events[-1].seq + 1)
    return events[2].seq, f"expected seq {moved.seq}"


@pytest.mark.parametrize(
    "tamper",
    [
        _change(data={"org_type": "enterprise", "region": "410100", "roles": []}),
        _change(data={}),
        _change(action="orgs.organization.delete"),
        _change(actor_repr="mallory"),
        _change(object_id="999999"),
        _change(object_repr="另一个单位"),
        _change(organization_id=None),
        _change(created_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC)),
        _change_and_rehash,
        _delete_middle,
        _delete_first,
        _delete_last,
        _delete_last_two,
        _swap,
        _move_to_end,
    ],
    ids=[
        "data",
        "data-emptied",
        "action",
        "actor",
        "object-id",
        "object-repr",
        "organization",
        "time",
        "changed-and-rehashed",
        "delete-middle",
        "delete-first",
        "delete-last",
        "delete-last-two",
        "swap-seq",
        "move-to-end",
    ],
)
def test_tampering_is_detected(events, tamper):
    broken_seq, reason = tamper(events)
    report = audit.verify_chain()
    assert not report.ok
    assert report.seq == broken_seq
    assert reason in report.reason
    assert f"broken at seq {broken_seq} " in str(report)
    with pytest.raises(CommandError, match=f"broken at seq {broken_seq} "):
        call_command("verify_audit", stdout=StringIO())


def test_report_names_the_event_and_the_first_break_only(events):
    AuditEvent.objects.filter(pk=events[1].pk).update(action="x")
    AuditEvent.objects.filter(pk=events[3].pk).update(action="y")
    report = audit.verify_chain()
    assert (report.seq, report.event_id) == (events[1].seq, events[1].pk)
    assert report.checked == events[1].seq - 1


# --- rolled-back services leave no trace -------------------------------------------------------


def test_refused_service_writes_no_event(events, make_org):
    count, head = AuditEvent.objects.count(), AuditChainHead.objects.get(id=1)
    with pytest.raises(RuleViolation):
        make_org("又买又卖的单位", is_purchaser=True, is_provider=True)
    assert AuditEvent.objects.count() == count
    assert AuditChainHead.objects.get(id=1).seq == head.seq
    assert audit.verify_chain().ok


def test_rolled_back_transaction_takes_its_event_and_the_head_back(events, make_org):
    count, head = AuditEvent.objects.count(), AuditChainHead.objects.get(id=1)
    with pytest.raises(RuntimeError, match="boom"), transaction.atomic():
        make_org("会回滚的单位")
        assert AuditEvent.objects.count() == count + 1
        raise RuntimeError("boom")
    assert not Organization.objects.filter(name="会回滚的单位").exists()
    assert AuditEvent.objects.count() == count
    current = AuditChainHead.objects.get(id=1)
    assert (current.seq, current.hash) == (head.seq, head.hash)
    assert audit.verify_chain().ok
    # The next event continues the chain where it was.
    make_org("之后的单位")
    last = AuditEvent.objects.order_by("-seq").first()
    assert last.seq == head.seq + 1
    assert last.prev_hash == head.hash
    assert audit.verify_chain().ok


# --- concurrency (PostgreSQL) -------------------------------------------------------------------


@pytest.mark.postgres_only
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: SQLite serializes all writers, so there is no concurrency to test",
)
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_append_one_unbroken_chain():
    threads_n, per_thread = 4, 25
    # audit.record refuses to run outside a transaction (its event would not
    # roll back with the service).
    with pytest.raises(RuntimeError, match=r"transaction\.atomic"):
        audit.record(actor="t", action=SampleAction.X)
    start = AuditEvent.objects.count()
    barrier = threading.Barrier(threads_n)
    errors = []

    def writer(i):
        try:
            barrier.wait(timeout=30)
            for j in range(per_thread):
                with transaction.atomic():
                    audit.record(actor=f"t{i}", action=SampleAction.X, data={"thread": i, "n": j})
        except Exception as exc:  # reported below, with the thread that failed
            errors.append((i, repr(exc)))
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(threads_n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads)
    assert errors == []

    report = audit.verify_chain()
    assert report.ok, str(report)
    chain = list(AuditEvent.objects.order_by("seq"))
    total = start + threads_n * per_thread
    assert len(chain) == total
    assert [e.seq for e in chain] == list(range(1, total + 1))
    assert chain[0].prev_hash == audit.GENESIS
    for before, after in zip(chain, chain[1:], strict=False):
        assert after.prev_hash == before.hash
    # Every thread's every event is there exactly once.
    written = sorted((e.data["thread"], e.data["n"]) for e in chain[start:])
    assert written == [(i, j) for i in range(threads_n) for j in range(per_thread)]
    head = AuditChainHead.objects.get(id=1)
    assert (head.seq, head.hash) == (chain[-1].seq, chain[-1].hash)
