"""Benchmarks, each reported as a ratio against a baseline measured in the same
run on the same machine (absolute times vary; ratios show regressions).

    make bench                       # micro-benchmarks on var/bench.sqlite3, or, with
                                     # GOVBUY_DATABASE_URL=postgres://…, the size scenario
    .venv/bin/python -m bench micro [--db URL]      # the micro-benchmarks of the foundation
    .venv/bin/python -m bench size --purchases 200000   # pages at size (bench/size.py)
    .venv/bin/python -m bench explain               # EXPLAIN of each page's slow queries
    .venv/bin/python -m bench generate --purchases N    # only generate (bench/generate.py)

The micro-benchmarks use their own database (var/bench.sqlite3 unless --db or
GOVBUY_DATABASE_URL names one), never the demo one.
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


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    command = argv.pop(0) if argv and argv[0] in ("micro", "size", "explain", "generate") else None
    if command is None:
        url = os.environ.get("GOVBUY_DATABASE_URL", "")
        command = "size" if url.startswith(("postgres://", "postgresql://")) else "micro"
    if command == "micro":
        return micro(argv)
    from bench import size

    parser = argparse.ArgumentParser(prog=f"python -m bench {command}", description=size.__doc__)
    size.add_arguments(parser)
    args = parser.parse_args(argv)
    if command == "generate":
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govbuy.settings")
        os.environ.setdefault("GOVBUY_DEBUG", "true")
        if args.db:
            os.environ["GOVBUY_DATABASE_URL"] = args.db
        return size.generate_command(args)
    return size.run(args) if command == "size" else size.explain(args)


def micro(argv) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench micro", description=__doc__)
    parser.add_argument(
        "--db",
        default=None,
        help="database URL (default: GOVBUY_DATABASE_URL, else var/bench.sqlite3)",
    )
    parser.add_argument("--n", type=int, default=500)
    args = parser.parse_args(argv)
    root = Path(__file__).resolve().parent.parent
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govbuy.settings")
    os.environ.setdefault("GOVBUY_DEBUG", "true")
    os.environ["GOVBUY_DATABASE_URL"] = (
        args.db
        or os.environ.get("GOVBUY_DATABASE_URL")
        or f"sqlite:///{root / 'var' / 'bench.sqlite3'}"
    )
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

    from govbuy.core.audit_actions import AuditAction

    class BenchAction(AuditAction):
        EVENT = "bench.event"

    def chained():
        for _ in range(n // 5):
            with transaction.atomic():
                audit.record(actor="bench", action=BenchAction.EVENT, data={"k": "v"})

    base = timed(plain, repeat=3)
    test = timed(chained, repeat=3)
    rows.append(("audit.record", n // 5, base, test))

    # 4. verify_audit over the whole chain vs reading the same rows.
    from govbuy.core.models import AuditEvent

    count = AuditEvent.objects.count()
    base = timed(lambda: list(AuditEvent.objects.order_by("seq").iterator()), repeat=3)
    test = timed(audit.verify_chain, repeat=3)
    rows.append((f"verify_chain ({count} events)", count, base, test))

    rows += catalog_benchmarks(n)
    rows += procurement_benchmarks(n)
    rows += bidding_benchmarks(n)

    print(
        f"{'benchmark':34} {'n':>6} {'baseline ms':>12} {'measured ms':>12} {'ratio':>7} "
        f"{'per second':>11}"
    )
    for name, size, b, t in rows:
        print(
            f"{name:34} {size:>6} {b * 1000:>12.2f} {t * 1000:>12.2f} {t / b:>7.1f} "
            f"{size / t:>11.0f}"
        )
    return 0


def catalog_benchmarks(n: int) -> list[tuple]:
    """5. Screening throughput vs the bare segmentation of the same texts.
    6. Ranked catalog search (Chinese and pinyin) over 10,000 items vs a bare
       LIKE on the names of the same catalog."""
    import json

    from govbuy.catalog import screening, screening_service, search, selectors
    from govbuy.catalog.models import Catalog, CatalogItem
    from govbuy.orgs.models import Region

    rows = []
    labelled = json.loads(
        (
            Path(__file__).resolve().parent.parent
            / "govbuy/catalog/tests/data/screening_labelled.json"
        ).read_text(encoding="utf-8")
    )
    texts = [(x["title"], x["description"]) for x in labelled]
    texts = (texts * (n // len(texts) + 1))[:n]
    region = Region.objects.get(code="410100")
    screening_service.screen_text(title="预热", description="", region=region)  # compile once

    base = timed(lambda: [screening.tokenize(t + "。" + d) for t, d in texts], repeat=3)
    test = timed(
        lambda: [
            screening_service.screen_text(title=t, description=d, region=region) for t, d in texts
        ],
        repeat=3,
    )
    rows.append(("screen a description", len(texts), base, test))

    catalog = _bench_catalog(Catalog, CatalogItem, search)
    queries = ["养老", "居家养老服务", "法律援助", "yanglao", "yl", "flyz", "社区", "jiance"]
    size = catalog.items.count()

    def bare():
        for q in queries:
            list(catalog.items.filter(name__icontains=q)[:25].values_list("pk", flat=True))

    def ranked():
        for q in queries:
            list(selectors.search_catalog(catalog, q)[:25].values_list("pk", flat=True))

    base = timed(bare)
    test = timed(ranked)
    rows.append((f"catalog search ({size} items)", len(queries), base, test))
    return rows


def procurement_benchmarks(n: int) -> list[tuple]:
    """7. Creating a purchase project through its service (screening, the B1
    commitment, B4 splitting check, audit event) and asking the method oracle,
    vs inserting the same project and requirement rows bare, each in its own
    transaction."""
    from decimal import Decimal

    from django.db import transaction
    from django.utils import timezone

    from govbuy.procurement import methods, services
    from govbuy.procurement.models import PurchaseProject, Requirement

    line, purchaser = _bench_budget_line()
    count = max(n // 5, 20)
    amount = Decimal("1000.00")
    req = {
        "content": "为辖区老年人提供助餐服务，含堂食与送餐上门",
        "standards": "符合老年人助餐服务规范",
        "quantity": "120 个助餐点",
        "recipients": "60 岁以上老年人",
        "place": "郑州市",
        "technical_guarantees": "助餐信息系统",
    }
    today = timezone.localdate()
    seq = [PurchaseProject.objects.count()]

    def bare():
        for _ in range(count):
            seq[0] += 1
            with transaction.atomic():
                p = PurchaseProject.objects.create(
                    budget_line=line,
                    department_id=line.department_id,
                    region_id=line.region_id,
                    fiscal_year=line.fiscal_year,
                    code=f"BENCH-{seq[0]}",
                    name="老年助餐服务",
                    catalog_code="A05",
                    catalog_name="助餐服务",
                    amount=amount,
                    started_on=today,
                )
                Requirement.objects.create(project=p, **req)

    def full():
        for i in range(count):
            p = services.create_project(
                actor=purchaser, budget_line=line, name=f"老年助餐服务{i}", amount=amount, **req
            )
            methods.decide_for_project(p)

    base = timed(bare, repeat=3)
    test = timed(full, repeat=3)
    return [("create project + method oracle", count, base, test)]


def _bench_budget_line():
    """An approved budget line of a bench department, big enough for every run."""
    from django.utils import timezone

    from govbuy.accounts import services as accounts
    from govbuy.accounts.models import User
    from govbuy.budgets import services as budgets
    from govbuy.catalog import department, seed
    from govbuy.catalog.models import Catalog, DepartmentCatalog
    from govbuy.demo.management.commands.load_demo import demo_uscc
    from govbuy.orgs import services as orgs
    from govbuy.orgs.models import Organization, Region

    year = timezone.localdate().year
    zz = Region.objects.get(code="410100")
    bureau = Organization.objects.filter(name="bench 郑州市财政局").first() or (
        orgs.create_organization(
            actor="bench",
            name="bench 郑州市财政局",
            region=zz,
            org_type="administrative_organ",
            uscc=demo_uscc("11", "410100", "bench-bureau"),
            is_finance_bureau=True,
        )
    )
    dept = Organization.objects.filter(name="bench 郑州市民政局").first() or (
        orgs.create_organization(
            actor="bench",
            name="bench 郑州市民政局",
            region=zz,
            org_type="administrative_organ",
            uscc=demo_uscc("11", "410100", "bench-dept"),
            is_purchaser=True,
        )
    )
    users = {}
    for name, org, role in (("bench_fin", bureau, "finance"), ("bench_pur", dept, "purchaser")):
        user = User.objects.filter(username=name).first() or accounts.create_user(
            actor="bench", username=name, password="bench-password-2026"
        )
        accounts.add_membership(actor="bench", user=user, organization=org, role=role)
        users[role] = User.objects.get(pk=user.pk)
    if not Catalog.objects.filter(region=None, year=year, status="published").exists():
        seed.load_guidance_catalog(year=year)
    dc = DepartmentCatalog.objects.filter(organization=dept, year=year).first()
    if dc is None:
        dc = department.create_department_catalog(
            actor=users["purchaser"], organization=dept, year=year
        )
        department.add_department_item(
            actor=users["purchaser"],
            department_catalog=dc,
            parent_code="A05",
            code="A0599",
            name="助餐服务",
        )
        department.submit_department_catalog(actor=users["purchaser"], department_catalog=dc)
        department.approve_department_catalog(actor=users["finance"], department_catalog=dc)
    line = budgets.create_line(
        actor=users["purchaser"],
        department=dept,
        fiscal_year=year,
        name="老年助餐服务（bench）",
        catalog_item="A0599",
        amount="900000000.00",
        functional_class="2081002",
        economic_class="30227",
        justification="按 120 个助餐点、每点每年 4,200 元测算。",
        procurement_budget="900000000.00",
        ex_ante_assessment="bench",
    )
    budgets.submit_line(actor=users["purchaser"], line=line)
    budgets.approve_line(actor=users["finance"], line=line)
    line.refresh_from_db()
    return line, users["purchaser"]


def _bench_catalog(Catalog, CatalogItem, search):  # noqa: N803 - model classes
    """A 10,000-item catalog made of the shipped one repeated under numbered
    second levels (built once, kept in the bench database)."""
    from govbuy.catalog import seed

    catalog = Catalog.objects.filter(region=None, year=2099).first()
    if catalog is not None:
        return catalog
    data = seed.guidance_seed()
    catalog = Catalog.objects.create(year=2099, name="bench", status="published")
    items, counter = [], [0]

    def walk(nodes, parent, category, depth, key, suffix):
        for pos, node in enumerate(nodes, start=1):
            if len(items) >= 10_000:
                return
            counter[0] += 1
            name = node["name"] + suffix if depth > 1 else node["name"]
            kw = " ".join(node.get("keywords", []))
            item = CatalogItem(
                catalog=catalog,
                parent=parent,
                code=f"B{counter[0]:06d}",
                name=name,
                description=node.get("description", ""),
                kind=node["kind"],
                category=node.get("category") or category,
                keywords=kw,
                depth=depth,
                position=pos,
                sort_key=f"{key}.{pos:04d}" if key else f"{pos:04d}",
                **search.search_columns(name, kw, node.get("description", "")),
            )
            item.save()
            items.append(item)
            walk(node.get("children", []), item, item.category, depth + 1, item.sort_key, suffix)

    round_ = 0
    while len(items) < 10_000:
        round_ += 1
        walk(data["items"], None, None, 1, f"{round_:04d}", f"（{round_}）")
    return catalog


def timed_each(setup, fn, repeat=3):
    """Like `timed`, with a fresh `setup()` (not timed) handed to each run."""
    samples = []
    for _ in range(repeat):
        arg = setup()
        t0 = time.perf_counter()
        fn(arg)
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples)


def bidding_benchmarks(n: int) -> list[tuple]:
    """8. Bid submission through `services.submit_bid` (input check, the round's
       shared lock, eligibility S1–S9 with its two queries, the SME declaration,
       the digest, the audit event) vs a plain ORM insert of the same Bid rows,
       each in its own transaction, on a fresh round each run.
    9. The opening of 200 bids through `services.open_bids` (each digest
       recomputed and checked, the opening record, the deadlines, the audit
       event) vs a plain select of the same 200 bids with their bidders."""
    import datetime as dt
    from decimal import Decimal

    from django.db import transaction
    from django.utils import timezone

    from govbuy.tendering import services
    from govbuy.tendering.models import CURRENT_TENDER_STATUSES, Bid, BidStatus, Tender
    from govbuy.tendering.services.bids import bid_digest

    project, purchaser = _bench_project()
    providers = _bench_providers(200)
    count = max(n // 5, 50)
    text = "服务方案：120 个助餐点，中央厨房配送，营养师配餐，实名刷卡就餐。"
    prices = [Decimal(f"{480000 + 37 * i}.00") for i in range(len(providers))]

    def new_round() -> Tender:
        current = project.tenders.filter(status__in=CURRENT_TENDER_STATUSES).first()
        if current is not None:
            services.terminate_round(actor=purchaser, tender=current, reason="bench")
        return services.start_round(
            actor=purchaser,
            project=project,
            bid_deadline=timezone.now() + dt.timedelta(days=21),
            price_weight="30",
            criteria=[{"name": "服务方案", "points": "70"}],
            late_reason="bench: no purchase intention period",
        )

    def row(tender, i, received_at):
        org, user = providers[i]
        return Bid(
            tender=tender,
            provider=org,
            status=BidStatus.SUBMITTED,
            submitted_at=received_at,
            submitted_by=user,
            price=prices[i],
            technical_response=text,
            sme_size=org.sme_size,
            digest=bid_digest(
                tender_id=tender.pk,
                provider_id=org.pk,
                price=prices[i],
                technical_response=text,
                sme_size=org.sme_size,
                attachments=[],
            ),
        )

    def bare_inserts(tender):
        for i in range(count):
            with transaction.atomic():
                row(tender, i, timezone.now()).save()

    def submissions(tender):
        for i in range(count):
            org, user = providers[i]
            services.submit_bid(
                actor=user,
                tender=tender,
                provider=org,
                price=prices[i],
                technical_response=text,
                sme_size=org.sme_size,
            )

    rows = []
    base = timed_each(new_round, bare_inserts)
    test = timed_each(new_round, submissions)
    rows.append(("submit_bid", count, base, test))

    def round_of_200() -> Tender:
        tender = new_round()
        now = timezone.now()
        Bid.objects.bulk_create([row(tender, i, now) for i in range(200)])
        # The deadline passes at once: a bench shortcut (no service advances a deadline).
        Tender.objects.filter(pk=tender.pk).update(bid_deadline=now, opening_at=now)
        return Tender.objects.get(pk=tender.pk)

    def select(tender):
        bids = list(
            Bid.objects.filter(tender=tender, status=BidStatus.SUBMITTED)
            .select_related("provider")
            .order_by("submitted_at", "pk")
        )
        assert len(bids) == 200

    def opening(tender):
        opened = services.open_bids(actor=purchaser, tender=tender)
        assert len(opened.opening_record) == 200
        assert all(line["digest_ok"] for line in opened.opening_record)

    base = timed_each(round_of_200, select)
    test = timed_each(round_of_200, opening)
    rows.append(("open_bids (200 bids, digests)", 200, base, test))
    return rows


def _bench_project():
    """An approved open-tender purchase of the bench department (a new one each run)."""
    from django.utils import timezone

    from govbuy.accounts import services as accounts
    from govbuy.accounts.models import User
    from govbuy.procurement import services

    line, purchaser = _bench_budget_line()
    manager = User.objects.filter(username="bench_mgr").first() or accounts.create_user(
        actor="bench", username="bench_mgr", password="bench-password-2026"
    )
    accounts.add_membership(
        actor="bench", user=manager, organization=line.department, role="purchaser", is_manager=True
    )
    manager = User.objects.get(pk=manager.pk)
    today = timezone.localdate()
    project = services.create_project(
        actor=purchaser,
        budget_line=line,
        name="老年助餐服务（投标 bench）",
        amount="1500000.00",
        content="为辖区老年人提供助餐服务，含堂食与送餐上门",
        standards="符合老年人助餐服务规范",
        quantity="120 个助餐点",
        recipients="60 岁以上老年人",
        place="郑州市",
        # Within the budget line's year, from today (P7: never before the purchase).
        term_start=today,
        term_end=today.replace(month=12, day=31),
        technical_guarantees="助餐信息系统",
        goals="老年人就餐便利度提高",
        indicators="服务满意度：≥90%",
    )
    services.submit_for_review(actor=purchaser, project=project)
    services.review_requirements(
        actor=manager, project=project, approve=True, complete=True, compliant=True, reasonable=True
    )
    services.choose_method(actor=purchaser, project=project, method="open_tender")
    project.refresh_from_db()
    return project, purchaser


def _bench_providers(count: int) -> list[tuple]:
    """`count` enterprises with a clean compliance declaration and one user each
    (built once, kept in the bench database)."""
    import datetime as dt

    from govbuy.accounts import services as accounts
    from govbuy.accounts.models import User
    from govbuy.demo.management.commands.load_demo import demo_uscc
    from govbuy.orgs import services as orgs
    from govbuy.orgs.models import Organization, Region

    zz = Region.objects.get(code="410100")
    out = []
    for i in range(count):
        name = f"bench 承接主体 {i:03d}"
        org = Organization.objects.filter(name=name).first()
        user = User.objects.filter(username=f"bench_prov{i:03d}").first()
        if org is None or user is None:
            org = org or orgs.create_organization(
                actor="bench",
                name=name,
                region=zz,
                org_type="enterprise",
                uscc=demo_uscc("91", "410100", f"bench-provider-{i}"),
                is_provider=True,
                sme_size=("small", "medium", "large")[i % 3],
            )
            user = user or accounts.create_user(
                actor="bench", username=f"bench_prov{i:03d}", password="bench-password-2026"
            )
            accounts.add_membership(actor="bench", user=user, organization=org, role="provider")
            orgs.declare_compliance(
                actor=User.objects.get(pk=user.pk),
                organization=org,
                independent_civil_liability=True,
                good_tax_record=True,
                good_social_insurance_record=True,
                established_on=dt.date(2015, 3, 1),
            )
        out.append((org, User.objects.get(pk=user.pk)))
    return out


if __name__ == "__main__":
    sys.exit(main())
