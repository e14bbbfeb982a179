"""A deterministic generator of purchases at size, for `python -m bench size`.

    .venv/bin/python -m bench generate --purchases 200000   # on GOVBUY_DATABASE_URL

Starts from a migrated database with the demo loaded (its regions, 郑州市财政局,
郑州市民政局 and their users), then adds, from one seeded random generator:
purchasing departments across provinces, cities and counties (a fifth of them
under 郑州, so `finance_zz` supervises a realistic share), providers, one budget
line per department and year, and per purchase its project, requirement and —
depending on its status — its round, deadlines, notices and audit events, with
`published_at` spread over the years before the anchor date. Titles are Chinese;
about one in eight names a 养老 service.

Big tables are written with PostgreSQL COPY (psycopg) in batches, small ones with
`bulk_create`; on SQLite everything goes through `bulk_create`. Audit events
continue the demo's hash chain with `core.audit.compute_hash` itself, and the
chain head is moved to the last event, so `verify_audit` passes.

The parameters are stored in the table `bench_generation`; a second run with the
same parameters reuses the data.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import random
import time
from decimal import Decimal
from types import SimpleNamespace

# ONE mapping of the models the generator writes, by app label (the integrator
# updates it when models move between apps).
MODELS = {
    "Region": "orgs.Region",
    "Organization": "orgs.Organization",
    "User": "accounts.User",
    "DepartmentCatalogItem": "catalog.DepartmentCatalogItem",
    "BudgetLine": "budgets.BudgetLine",
    "PurchaseProject": "procurement.PurchaseProject",
    "Requirement": "procurement.Requirement",
    "Tender": "tendering.Tender",
    "Deadline": "tendering.Deadline",
    "Notice": "tendering.Notice",
    "AuditEvent": "core.AuditEvent",
    "AuditChainHead": "core.AuditChainHead",
}

GENERATOR_VERSION = 1
BATCH = 20_000

DEPARTMENT_KINDS = [
    "民政局",
    "卫生健康委员会",
    "教育局",
    "人力资源和社会保障局",
    "住房和城乡建设局",
    "司法局",
    "文化和旅游局",
    "农业农村局",
    "退役军人事务局",
    "城市管理局",
    "生态环境局",
    "交通运输局",
    "应急管理局",
    "医疗保障局",
    "体育局",
    "市场监督管理局",
    "残疾人联合会",
    "妇女联合会",
    "共青团委员会",
    "自然资源和规划局",
]
# (service, weight): about one in eight purchases names 养老.
SERVICES = [
    ("居家养老服务", 4),
    ("社区养老服务站运营", 3),
    ("养老机构综合责任保险", 2),
    ("特困老人养老服务", 2),
    ("老年助餐服务", 5),
    ("困境儿童关爱服务", 4),
    ("社会救助经办服务", 4),
    ("法律援助服务", 4),
    ("公共法律服务热线", 3),
    ("物业管理服务", 6),
    ("保安服务", 5),
    ("保洁服务", 5),
    ("绿化养护服务", 5),
    ("城市道路清扫保洁", 4),
    ("垃圾分类宣传指导", 3),
    ("公共文化场馆运营", 3),
    ("全民健身活动组织", 3),
    ("职业技能培训", 4),
    ("就业创业指导服务", 3),
    ("家庭医生签约服务", 3),
    ("健康体检服务", 3),
    ("心理健康服务", 3),
    ("社区矫正辅助服务", 2),
    ("残疾人康复服务", 3),
    ("环境监测服务", 3),
    ("第三方绩效评价", 3),
    ("信息系统运维服务", 5),
    ("档案数字化服务", 3),
    ("会议服务", 3),
    ("课后托管服务", 3),
]
# (project status, tender status or None, weight) for purchases older than 60 days …
OLD_MIX = [
    ("awarded", "awarded", 70),
    ("cancelled", "terminated", 6),
    ("cancelled", None, 6),
    ("approved", "failed", 3),
    ("approved", None, 5),
    ("draft", None, 5),
    ("review", None, 5),
]
# … and for recent ones.
RECENT_MIX = [
    ("draft", None, 12),
    ("review", None, 8),
    ("approved", None, 10),
    ("bidding", "bidding", 40),
    ("opened", "opened", 10),
    ("evaluated", "evaluated", 8),
    ("awarded", "awarded", 12),
]
METHODS = [
    ("open_tender", 45),
    ("competitive_consultation", 20),
    ("competitive_negotiation", 10),
    ("single_source", 5),
    ("invitational_tender", 3),
    ("competitive_review", 10),
    ("direct_commission", 7),
]
NOTICE_TITLES = {
    "intention": "采购意向公开",
    "purchase": "采购公告",
    "correction": "更正公告",
    "result": "中标（成交）结果公告",
    "termination": "终止公告",
}

# The audit action the service writes when it publishes each kind of notice.
NOTICE_ACTIONS = {
    "intention": "procurement.intention.publish",
    "purchase": "procurement.round.start",
    "correction": "procurement.round.correct",
    "result": "procurement.result.publish",
    "termination": "procurement.round.terminate",
}


def model(name):
    from django.apps import apps

    return apps.get_model(MODELS[name])


def weighted(rng: random.Random, pairs):
    values = [p[:-1] if len(p) > 2 else p[0] for p in pairs]
    weights = [p[-1] for p in pairs]
    return rng.choices(values, weights=weights)[0]


# --- writing ----------------------------------------------------------------------------


class Writer:
    """Rows as dicts {attname: value}, completed with the fields' defaults and
    written by COPY (PostgreSQL) or bulk_create (elsewhere), BATCH rows at a time."""

    def __init__(self, name: str):
        from django.db import connection

        self.model = model(name)
        self.connection = connection
        self.fields = [f for f in self.model._meta.concrete_fields]
        self.defaults = {}
        for f in self.fields:
            if f.has_default():
                self.defaults[f.attname] = f.get_default()
            elif f.null:
                self.defaults[f.attname] = None
            elif f.get_internal_type() in ("CharField", "TextField"):
                self.defaults[f.attname] = ""
        self.json = {f.attname for f in self.fields if f.get_internal_type() == "JSONField"}
        self.rows: list[dict] = []
        self.count = 0
        self.next_id = (
            self.model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        ) + 1

    def add(self, **values) -> int:
        row = dict(self.defaults)
        if "id" not in values and self.model._meta.pk.attname == "id":
            values["id"] = self.next_id
            self.next_id += 1
        row.update(values)
        self.rows.append(row)
        if len(self.rows) >= BATCH:
            self.flush()
        return row.get("id")

    def flush(self):
        if not self.rows:
            return
        if self.connection.vendor == "postgresql":
            from psycopg.types.json import Jsonb

            table = self.connection.ops.quote_name(self.model._meta.db_table)
            cols = ", ".join(self.connection.ops.quote_name(f.column) for f in self.fields)
            attnames = [f.attname for f in self.fields]
            json_cols = self.json
            with self.connection.cursor() as cursor:
                raw = cursor.cursor
                with raw.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                    for row in self.rows:
                        copy.write_row(
                            [Jsonb(row[a]) if a in json_cols else row[a] for a in attnames]
                        )
        else:
            self.model.objects.bulk_create([self.model(**row) for row in self.rows], batch_size=500)
        self.count += len(self.rows)
        self.rows = []


# --- the generator -------------------------------------------------------------------


def parameters(purchases: int, seed: int, anchor: dt.date) -> dict:
    return {
        "purchases": purchases,
        "seed": seed,
        "anchor": anchor.isoformat(),
        "version": GENERATOR_VERSION,
    }


def stored_parameters() -> dict | None:
    from django.db import connection

    with connection.cursor() as cursor:
        if "bench_generation" not in connection.introspection.table_names(cursor):
            return None
        cursor.execute("SELECT params, seconds FROM bench_generation ORDER BY id DESC LIMIT 1")
        row = cursor.fetchone()
    if row is None:
        return None
    params = json.loads(row[0])
    params["_seconds"] = row[1]
    return params


def same(stored: dict | None, wanted: dict) -> bool:
    if stored is None:
        return False
    return all(stored.get(k) == wanted[k] for k in ("purchases", "seed", "version"))


def generate(purchases: int, seed: int = 12, anchor: dt.date | None = None, log=print) -> dict:
    """Generate into the current (migrated, demo-loaded, otherwise untouched) database."""
    from django.db import connection, transaction

    anchor = anchor or dt.date.today()
    params = parameters(purchases, seed, anchor)
    if stored_parameters() is not None:
        raise RuntimeError("this database already holds generated data; use a fresh one")
    t0 = time.perf_counter()
    rng = random.Random(seed)
    with transaction.atomic():
        counts = _generate(rng, purchases, anchor, log)
        _reset_sequences()
        seconds = time.perf_counter() - t0
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE TABLE bench_generation (id integer PRIMARY KEY, params text, "
                "seconds double precision, counts text)"
            )
            cursor.execute(
                "INSERT INTO bench_generation VALUES (1, %s, %s, %s)",
                [json.dumps(params), seconds, json.dumps(counts)],
            )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    log(f"generated in {time.perf_counter() - t0:.0f} s: {counts}")
    return counts


def _reset_sequences():
    from django.core.management.color import no_style
    from django.db import connection

    models = [model(n) for n in MODELS if n not in ("AuditChainHead",)]
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)


def _departments(rng, Region, Organization, n_departments):  # noqa: N803
    """Purchasing departments: a fifth under 郑州, a fifth elsewhere in 河南, the
    rest across the other provinces; at province, city and county level."""
    from govbuy.demo.management.commands.load_demo import demo_uscc

    regions = list(Region.objects.order_by("code").values("id", "code", "name", "level", "path"))
    zz = [r for r in regions if r["path"].startswith("/410000/410100/")]
    henan = [r for r in regions if r["path"].startswith("/410000/") and r not in zz]
    other = [r for r in regions if not r["path"].startswith("/410000/")]
    orgs, seen = [], set()
    while len(orgs) < n_departments:
        pool = weighted(rng, [(zz, 20), (henan, 20), (other, 60)])
        region = rng.choice(pool)
        kind = rng.choice(DEPARTMENT_KINDS)
        if (region["code"], kind) in seen:
            continue
        seen.add((region["code"], kind))
        name = f"{region['name']}{kind}（bench）"
        orgs.append(
            Organization(
                name=name,
                region_id=region["id"],
                uscc=demo_uscc("11", region["code"], "bench-dept-" + name),
                org_type="administrative_organ",
                is_purchaser=True,
            )
        )
    Organization.objects.bulk_create(orgs, batch_size=1000)
    return list(
        Organization.objects.filter(name__endswith="（bench）", is_purchaser=True)
        .order_by("pk")
        .values("id", "name", "region_id", "region__name", "region__path")
    )


def _providers(rng, Region, Organization, n):  # noqa: N803
    from govbuy.demo.management.commands.load_demo import demo_uscc

    zz = Region.objects.get(code="410100")
    orgs = []
    for i in range(n):
        name = f"bench 承接主体{i:04d}服务有限公司"
        orgs.append(
            Organization(
                name=name,
                region_id=zz.pk,
                uscc=demo_uscc("91", "410100", "bench-provider-" + name),
                org_type="enterprise",
                sme_size=rng.choice(["small", "micro", "medium", "large"]),
                is_provider=True,
            )
        )
    Organization.objects.bulk_create(orgs, batch_size=1000)
    return list(
        Organization.objects.filter(name__startswith="bench 承接主体").values_list("pk", flat=True)
    )


def _generate(rng: random.Random, purchases: int, anchor: dt.date, log) -> dict:
    from django.utils import timezone

    from govbuy.core.audit import compute_hash
    from govbuy.tendering.models.tenders import notice_search_text

    Region = model("Region")  # noqa: N806
    Organization = model("Organization")  # noqa: N806
    BudgetLine = model("BudgetLine")  # noqa: N806
    head_model = model("AuditChainHead")

    n_departments = max(40, purchases // 100)
    departments = _departments(rng, Region, Organization, n_departments)
    providers = _providers(rng, Region, Organization, max(20, purchases // 400))
    log(f"{len(departments)} departments, {len(providers)} providers")
    # Department weights: a few departments buy a lot (Zipf-like).
    dept_weights = list(
        itertools.accumulate(1 / (1 + (i % 97)) ** 0.6 for i in range(len(departments)))
    )
    services, service_weights = zip(*SERVICES, strict=True)

    catalog_item = model("DepartmentCatalogItem").objects.order_by("pk").first()
    tz = timezone.get_current_timezone()
    end = dt.datetime.combine(anchor, dt.time(9, 0), tzinfo=tz)
    years = 8
    start = end - dt.timedelta(days=365 * years)
    span = (end - start).total_seconds()
    recent = end - dt.timedelta(days=60)

    # Draw the purchases first (department, time, status …), then write in time order.
    plan = []
    for i in range(purchases):
        at = start + dt.timedelta(seconds=span * (i + rng.random()) / purchases)
        dept = rng.choices(departments, cum_weights=dept_weights)[0]
        mix = RECENT_MIX if at > recent else OLD_MIX
        status, tender_status = weighted(rng, mix)
        plan.append((at, dept, status, tender_status))

    # Budget lines: one per department and fiscal year used.
    line_amounts: dict[tuple, Decimal] = {}
    amounts = []
    for at, dept, status, _ in plan:
        amount = Decimal(int(min(max(rng.lognormvariate(12.5, 1.1), 20_000), 30_000_000))).quantize(
            Decimal("1.00")
        )
        amounts.append(amount)
        key = (dept["id"], at.year)
        line_amounts[key] = line_amounts.get(key, Decimal(0)) + (
            amount if status != "cancelled" else 0
        )
    lines = []
    for n, ((dept_id, year), committed) in enumerate(sorted(line_amounts.items())):
        total = (committed * Decimal("1.25") + 1_000_000).quantize(Decimal("1.00"))
        lines.append(
            BudgetLine(
                department_id=dept_id,
                region_id=0,  # set below
                fiscal_year=year,
                code=f"BL{year}{n:07d}",
                name="政府购买服务项目（bench）",
                catalog_item=catalog_item,
                amount=total,
                total=total,
                committed=committed,
                functional_class="2081002",
                economic_class="30227",
                justification="bench",
                status="approved",
            )
        )
    region_of = {d["id"]: d["region_id"] for d in departments}
    for line in lines:
        line.region_id = region_of[line.department_id]
    BudgetLine.objects.bulk_create(lines, batch_size=2000)
    line_id = {
        (d, y): pk
        for pk, d, y in BudgetLine.objects.filter(name="政府购买服务项目（bench）").values_list(
            "pk", "department_id", "fiscal_year"
        )
    }
    log(f"{len(line_id)} budget lines")

    projects = Writer("PurchaseProject")
    requirements = Writer("Requirement")
    tenders = Writer("Tender")
    deadlines = Writer("Deadline")
    notices = Writer("Notice")
    events = Writer("AuditEvent")
    head = head_model.objects.select_for_update().filter(id=1).first()
    if head is None:
        from govbuy.core.audit import GENESIS

        head = head_model.objects.create(id=1, seq=0, hash=GENESIS)
    chain = SimpleNamespace(seq=head.seq, hash=head.hash)
    notice_no = [0]
    project_code: dict[int, str] = {}

    def event(at, action, obj_type, obj_id, obj_repr, org_id, data):
        ev = SimpleNamespace(
            seq=chain.seq + 1,
            prev_hash=chain.hash,
            created_at=at,
            actor_id=None,
            actor_repr="bench",
            organization_id=org_id,
            action=action,
            object_type=obj_type,
            object_id=str(obj_id),
            object_repr=obj_repr[:300],
            data=data,
        )
        ev.hash = compute_hash(ev)
        events.add(**vars(ev))
        chain.seq, chain.hash = ev.seq, ev.hash

    def notice(at, project_id, tender_id, kind, title, dept, data):
        notice_no[0] += 1
        number = f"GB{at.year}{notice_no[0]:08d}"
        body = (
            f"{dept['name']}就“{title}”发布{NOTICE_TITLES[kind]}。"
            f"项目编号与预算见本公告数据；供应商可在平台查询采购文件、提出质疑。"
            f"联系人：采购经办人；地点：{dept['region__name']}。"
        )
        full_title = f"{title}{NOTICE_TITLES[kind]}"
        pk = notices.add(
            project_id=project_id,
            tender_id=tender_id,
            kind=kind,
            number=number,
            title=full_title,
            body=body,
            data=data,
            published_at=at,
            # The listed row's copies (tendering.Notice.fill_list_columns).
            region_path=dept["region__path"],
            search_text=notice_search_text(
                full_title, number, project_code[project_id], dept["name"]
            ),
        )
        event(
            at,
            NOTICE_ACTIONS[kind],
            "tendering.notice",
            pk,
            f"{number} {title}",
            dept["id"],
            {"kind": kind, "number": number},
        )

    def deadline(at, project_id, tender_id, kind, rule, basis, done_at=None):
        deadlines.add(
            project_id=project_id,
            tender_id=tender_id,
            kind=kind,
            due_at=at,
            whole_day=kind not in ("bid_deadline", "opening"),
            counted_from=None,
            rule=rule,
            basis=basis,
            explanation="bench",
            done_at=done_at,
            created_at=at,
        )

    for i, ((at, dept, status, tender_status), amount) in enumerate(
        zip(plan, amounts, strict=True)
    ):
        year = at.year
        service = rng.choices(services, weights=service_weights)[0]
        region_name = dept["region__name"]
        name = f"{region_name}{year}年度{service}项目"
        code = f"BP{year}{i:07d}"
        method = weighted(rng, METHODS) if status not in ("draft", "review") else ""
        project_code[projects.next_id] = code
        pid = projects.add(
            budget_line_id=line_id[(dept["id"], year)],
            department_id=dept["id"],
            region_id=dept["region_id"],
            fiscal_year=year,
            code=code,
            name=name,
            catalog_code="A0599",
            catalog_name=service,
            amount=amount,
            started_on=at.date(),
            status=status,
            method=method,
            method_approval="not_needed" if method else "not_chosen",
            created_at=at,
            updated_at=at,
            cancelled_at=at + dt.timedelta(days=30) if status == "cancelled" else None,
            cancel_reason="需求变更（bench）" if status == "cancelled" else "",
        )
        requirements.add(
            project_id=pid,
            content=f"为{region_name}提供{service}，按采购需求组织实施。",
            standards="符合国家和行业服务标准",
            quantity="按年度服务量",
            recipients="辖区居民",
            place=region_name,
            term_start=dt.date(year, 1, 1),
            term_end=dt.date(year, 12, 31),
            updated_at=at,
        )
        event(
            at,
            "procurement.project.create",
            "procurement.purchaseproject",
            pid,
            f"{code} {name}",
            dept["id"],
            {"amount": str(amount), "name": name},
        )
        if tender_status is None:
            continue
        published = at + dt.timedelta(days=rng.randint(10, 40), hours=rng.randint(0, 8))
        if rng.random() < 0.2:
            notice(
                published - dt.timedelta(days=31),
                pid,
                None,
                "intention",
                name,
                dept,
                {"amount": str(amount)},
            )
        bid_deadline = published + dt.timedelta(days=20)
        if status in ("bidding",):
            # A running round: its deadline lies ahead of the anchor.
            published = min(published, end - dt.timedelta(days=2))
            bid_deadline = max(bid_deadline, end + dt.timedelta(days=rng.randint(1, 20)))
        done = tender_status in ("opened", "evaluated", "awarded", "failed")
        award_amount = (amount * Decimal(rng.uniform(0.82, 0.99))).quantize(Decimal("1.00"))
        awarded = tender_status == "awarded"
        award_at = bid_deadline + dt.timedelta(days=rng.randint(3, 12))
        ended = tender_status in ("failed", "terminated")
        tid = tenders.add(
            project_id=pid,
            round_no=1,
            method=method,
            status=tender_status,
            title=name,
            published_at=published,
            bid_deadline=bid_deadline,
            opening_at=bid_deadline,
            opened_at=bid_deadline if done else None,
            evaluated_at=bid_deadline + dt.timedelta(days=2) if done and not ended else None,
            awarded_provider_id=rng.choice(providers) if awarded else None,
            awarded_at=award_at if awarded else None,
            award_amount=award_amount if awarded else None,
            savings_rate=((amount - award_amount) / amount).quantize(Decimal("0.0001"))
            if awarded
            else None,
            result_published_at=award_at + dt.timedelta(days=1) if awarded else None,
            ended_at=bid_deadline + dt.timedelta(days=1) if ended else None,
            end_reason="bench" if ended else "",
            created_at=published,
            updated_at=award_at if awarded else published,
        )
        notice(
            published,
            pid,
            tid,
            "purchase",
            name,
            dept,
            {
                "method": method,
                "bid_deadline": bid_deadline.isoformat(),
                "opening_at": bid_deadline.isoformat(),
                "amount": str(amount),
            },
        )
        deadline(
            published + dt.timedelta(days=5),
            pid,
            tid,
            "notice_period",
            "P4",
            "财政部令第87号 第十二条",
            done_at=published + dt.timedelta(days=5) if bid_deadline < end else None,
        )
        deadline(bid_deadline, pid, tid, "bid_deadline", "P4", "政府采购法 第三十五条")
        deadline(
            bid_deadline,
            pid,
            tid,
            "opening",
            "P4",
            "财政部令第87号 第四十条",
            done_at=bid_deadline if done else None,
        )
        deadline(
            published + dt.timedelta(days=12),
            pid,
            tid,
            "question_documents",
            "D1",
            "政府采购法 第五十二条",
        )
        if rng.random() < 0.05:
            notice(
                published + dt.timedelta(days=6),
                pid,
                tid,
                "correction",
                name,
                dept,
                {"old_bid_deadline": bid_deadline.isoformat()},
            )
        if awarded:
            deadline(
                award_at,
                pid,
                tid,
                "result_notice",
                "P11",
                "政府采购法实施条例 第四十三条",
                done_at=award_at + dt.timedelta(days=1),
            )
            deadline(
                award_at + dt.timedelta(days=30),
                pid,
                tid,
                "contract_signing",
                "P11",
                "政府采购法 第四十六条",
                done_at=award_at + dt.timedelta(days=rng.randint(5, 29)),
            )
            notice(
                award_at + dt.timedelta(days=1),
                pid,
                tid,
                "result",
                name,
                dept,
                {"award_amount": str(award_amount), "savings_rate": None},
            )
        elif ended:
            notice(
                bid_deadline + dt.timedelta(days=1),
                pid,
                tid,
                "termination",
                name,
                dept,
                {"reason": "bench"},
            )
        if (i + 1) % 50_000 == 0:
            log(f"  {i + 1} purchases …")
    for w in (projects, requirements, tenders, deadlines, notices, events):
        w.flush()
    head.seq, head.hash = chain.seq, chain.hash
    head.save(update_fields=["seq", "hash"])
    return {
        "departments": len(departments),
        "providers": len(providers),
        "budget_lines": len(lines),
        "projects": projects.count,
        "requirements": requirements.count,
        "rounds": tenders.count,
        "deadlines": deadlines.count,
        "notices": notices.count,
        "audit_events": events.count,
    }
