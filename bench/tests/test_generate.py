"""The generator at a small size (the same code path as 200,000 purchases: COPY
on PostgreSQL, bulk_create on SQLite): deterministic, the shares it promises,
and an intact audit chain continued from the demo's."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import transaction

from bench import generate
from govbuy.core import audit
from govbuy.core.tests.sample_actions import SampleAction


@pytest.fixture
def demo(db):
    call_command("load_demo", verbosity=0)


def _snapshot():
    Notice = generate.model("Notice")  # noqa: N806
    return list(
        Notice.objects.order_by("number").values_list("number", "title", "kind", "published_at")
    )


def test_generates_the_tables_with_an_intact_chain(demo):
    before = generate.model("AuditEvent").objects.count()
    counts = generate.generate(300, seed=5, anchor=dt.date(2026, 12, 1), log=lambda *_: None)

    assert counts["projects"] == counts["requirements"] == 300
    assert 0.6 * 300 < counts["rounds"] < 0.95 * 300
    assert 1.4 < counts["notices"] / 300 < 2.1
    assert counts["audit_events"] == 300 + counts["notices"]
    assert generate.model("AuditEvent").objects.count() == before + counts["audit_events"]
    report = audit.verify_chain()
    assert report.ok, str(report)

    Project = generate.model("PurchaseProject")  # noqa: N806
    names = list(Project.objects.filter(code__startswith="BP").values_list("name", flat=True))
    share = sum("养老" in n for n in names) / len(names)
    assert 0.03 < share < 0.3
    years = {
        p.year
        for p in Project.objects.filter(code__startswith="BP").values_list("started_on", flat=True)
    }
    assert len(years) >= 6
    assert generate.same(
        generate.stored_parameters(), generate.parameters(300, 5, dt.date(2026, 12, 1))
    )
    with pytest.raises(RuntimeError, match="already holds generated data"):
        generate.generate(300, seed=5)
    # A new event continues the chain after the generated ones.
    with transaction.atomic():
        audit.record(actor="t", action=SampleAction.TEST)
    assert audit.verify_chain().ok


class _Rollback(Exception):
    pass


def _generate_and_snapshot(seed):
    try:
        with transaction.atomic():
            generate.generate(120, seed=seed, anchor=dt.date(2026, 12, 1), log=lambda *_: None)
            snapshot = _snapshot()
            raise _Rollback
    except _Rollback:
        return snapshot


def test_same_seed_same_data(demo):
    first = _generate_and_snapshot(7)
    assert first
    assert _generate_and_snapshot(7) == first
    assert _generate_and_snapshot(8) != first
