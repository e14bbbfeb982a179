"""B1 under concurrency (PostgreSQL): 20 threads create purchases on one budget
line at the same moment; the line is never over-committed and every refusal is
a clean B1 rule violation."""

import threading
from decimal import Decimal

import pytest
from django.db import connection

from govbuy.core.rules import RuleViolation
from govbuy.procurement import services
from govbuy.procurement.models import PurchaseProject


@pytest.mark.postgres_only
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: SQLite serializes all writers, so there is no concurrency to test",
)
@pytest.mark.django_db(transaction=True)
def test_twenty_threads_never_over_commit_one_line(buying):
    threads_n = 20
    line = buying.line("1000000.00")
    amount = Decimal("70000.00")  # 14 fit (980,000), 6 cannot
    barrier = threading.Barrier(threads_n)
    created, refused, errors = [], [], []

    def buyer(i):
        try:
            barrier.wait(timeout=30)
            p = services.create_project(
                actor=buying.purchaser,
                budget_line=line,
                name=f"老年助餐服务第{i}批",
                amount=amount,
                content="助餐服务",
            )
            created.append(p.pk)
        except RuleViolation as exc:
            refused.append([v.rule for v in exc.violations])
        except Exception as exc:  # anything but a rule violation is a defect
            errors.append((i, repr(exc)))
        finally:
            connection.close()

    threads = [threading.Thread(target=buyer, args=(i,)) for i in range(threads_n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads)
    assert errors == []
    assert len(created) == 14
    assert refused == [["B1"]] * 6
    line.refresh_from_db()
    assert line.committed == Decimal("980000.00") <= line.total
    assert PurchaseProject.objects.filter(budget_line=line).count() == 14
    assert services.committed_by_projects(line) == line.committed
