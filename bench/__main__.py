"""Benchmarks of the foundation, each reported as a ratio against a baseline
measured in the same run on the same machine (absolute times vary; ratios
show regressions).

    make bench        # or: .venv/bin/python -m bench [--db postgres://…]

Uses its own database (var/bench.sqlite3 by default), never the demo one.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path


def timed(fn, repeat=5):
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", default=None, help="database URL (default: var/bench.sqlite3)")
    parser.add_argument("--n", type=int, default=500)
    args = parser.parse_args()
    root = Path(__file__).resolve().parent.parent
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govbuy.settings")
    os.environ.setdefault("GOVBUY_DEBUG", "true")
    os.environ["GOVBUY_DATABASE_URL"] = args.db or f"sqlite:///{root / 'var' / 'bench.sqlite3'}"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction

    call_command("migrate", verbosity=0)
    from govbuy.core import audit, calendar, params
    from govbuy.core.models import ParameterDefinition
    from govbuy.orgs.models import Region

    n = args.n
    county = Region.objects.get(code="410122")
    starts = [dt.date(2025, 1, 1) + dt.timedelta(days=i % 700) for i in range(n)]

    rows = []

    # 1. Deadline computation on the official calendar vs the same walk over
    #    weekdays only (what a naive implementation would do, wrongly).
    def weekdays_only(d, k):
        while k:
            d += dt.timedelta(days=1)
            k -= d.weekday() < 5
        return d

    base = timed(lambda: [weekdays_only(d, 20) for d in starts])
    cal = calendar.WorkingCalendar()
    test = timed(lambda: [calendar.add_working_days(d, 20, cal) for d in starts])
    rows.append(("add_working_days(d, 20)", n, base, test))

    # 2. Parameter lookup walking county → city → province → national vs a primary-key get.
    base = timed(
        lambda: [
            ParameterDefinition.objects.get(pk="procurement.open_tender_threshold")
            for _ in range(n // 5)
        ]
    )
    test = timed(
        lambda: [params.get("procurement.open_tender_threshold", county) for _ in range(n // 5)]
    )
    rows.append(("params.get (county, 4 levels)", n // 5, base, test))

    # 3. Audit append (lock head, hash, insert) vs a plain row insert, each in its own transaction.
    from govbuy.core.models import HolidayCalendar

    def plain():
        for i in range(n // 5):
            with transaction.atomic():
                HolidayCalendar.objects.create(year=3000 + i, basis="bench")
        HolidayCalendar.objects.filter(basis="bench").delete()

    def chained():
        for _ in range(n // 5):
            with transaction.atomic():
                audit.record(actor="bench", action="bench.event", data={"k": "v"})

    base = timed(plain, repeat=3)
    test = timed(chained, repeat=3)
    rows.append(("audit.record", n // 5, base, test))

    # 4. verify_audit over the whole chain vs reading the same rows.
    from govbuy.core.models import AuditEvent

    count = AuditEvent.objects.count()
    base = timed(lambda: list(AuditEvent.objects.order_by("seq").iterator()), repeat=3)
    test = timed(audit.verify_chain, repeat=3)
    rows.append((f"verify_chain ({count} events)", count, base, test))

    print(f"{'benchmark':34} {'n':>6} {'baseline ms':>12} {'measured ms':>12} {'ratio':>7}")
    for name, size, b, t in rows:
        print(f"{name:34} {size:>6} {b * 1000:>12.2f} {t * 1000:>12.2f} {t / b:>7.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
