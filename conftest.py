"""Shared fixtures: real database (SQLite by default, PostgreSQL with
GOVBUY_DATABASE_URL), real services; nothing of ours is mocked."""

import datetime as dt
import itertools

import pytest

# Fixtures of the tendering and challenges tests (the `tendering` purchase), usable
# by every test package.
pytest_plugins = ["govbuy.tendering.tests.fixtures"]

_serial = itertools.count(1)


@pytest.fixture
def region(db):
    from govbuy.orgs.models import Region

    return lambda code: Region.objects.get(code=code)


@pytest.fixture
def make_org(db):
    """make_org(name=..., region="410100", org_type="enterprise", is_provider=True, ...)"""
    from govbuy.demo.management.commands.load_demo import demo_uscc
    from govbuy.orgs import services
    from govbuy.orgs.models import Region

    prefixes = {
        "enterprise": "91",
        "individual_business": "92",
        "social_organization": "52",
        "public_institution": "12",
        "mass_organization": "13",
        "rural_collective": "N2",
        "grassroots_autonomy": "55",
        "natural_person": "",
    }

    def make(name=None, region="410100", org_type="administrative_organ", **fields):
        n = next(_serial)
        region_obj = region if isinstance(region, Region) else Region.objects.get(code=region)
        fields.setdefault(
            "uscc", demo_uscc(prefixes.get(org_type, "11"), region_obj.code, f"test-{n}-{name}")
        )
        return services.create_organization(
            actor="test",
            name=name or f"测试单位{n}",
            region=region_obj,
            org_type=org_type,
            **fields,
        )

    return make


@pytest.fixture
def make_user(db):
    """make_user(role, org) → a user with that membership; make_user() → a recipient."""
    from govbuy.accounts import services

    def make(role=None, org=None, username=None, password="correct-horse-battery-9"):
        n = next(_serial)
        user = services.create_user(
            actor="test",
            username=username or f"user{n}",
            password=password,
            display_name=f"用户{n}",
        )
        if role:
            services.add_membership(actor="test", user=user, organization=org, role=role)
        return user

    return make


@pytest.fixture
def finance_zz(make_org, make_user):
    """A finance bureau of 郑州市 and its user."""
    org = make_org("郑州市财政局（测试）", "410100", is_finance_bureau=True, is_purchaser=True)
    return make_user("finance", org)


# --- the standard world ------------------------------------------------------------------
#
# Regions, policy parameters and the negative list arrive with `migrate`
# (post_migrate, also after a flush), once per test database. The standard world
# — the organizations of `buying`, 河南's published guidance catalog (the shipped
# model, 362 items) and 郑州市民政局's approved department catalog of this year —
# is built for the tests that ask for it (`standard`, `buying`, the catalog
# worlds); a test whose clock is in another year gets that year's catalogs.
# (Seeded once per database instead, it appeared in every test's lists and counts
# of organizations and audit events: see the closing note of issue 12 B8.)

STANDARD_ORGS = (
    ("hn", "河南省财政厅（测）", "410000", {"is_finance_bureau": True}),
    ("zz", "郑州市财政局（测）", "410100", {"is_finance_bureau": True}),
    ("ly", "洛阳市财政局（测）", "410300", {"is_finance_bureau": True}),
    ("dept", "郑州市民政局（测）", "410100", {"is_purchaser": True}),
    ("other", "郑州市人社局（测）", "410100", {"is_purchaser": True}),
    ("audit_office", "郑州市审计局（测）", "410100", {"is_audit_office": True}),
)
DEPARTMENT_ITEMS = (
    ("A05", "A0501", "居家养老服务"),
    ("A0501", "A050101", "助餐服务"),
    ("B03", "B0301", "社会工作服务"),
)


def standard_years() -> tuple[int, ...]:
    from django.utils import timezone

    return (timezone.localdate().year,)


def standard_orgs():
    """The seeded organizations by key (hn, zz, ly, dept, other, audit_office)."""
    from types import SimpleNamespace

    from govbuy.orgs.models import Organization

    by_name = {
        o.name: o for o in Organization.objects.filter(name__in=[n for _, n, *_ in STANDARD_ORGS])
    }
    return SimpleNamespace(**{key: by_name[name] for key, name, *_ in STANDARD_ORGS})


def build_department_catalog(orgs, year, *, purchaser, finance):
    """郑州市民政局's department catalog of `year` with three items of its own, approved."""
    from govbuy.catalog import department

    dc = department.create_department_catalog(actor=purchaser, organization=orgs.dept, year=year)
    for parent, code, name in DEPARTMENT_ITEMS:
        department.add_department_item(
            actor=purchaser, department_catalog=dc, parent_code=parent, code=code, name=name
        )
    department.submit_department_catalog(actor=purchaser, department_catalog=dc)
    department.approve_department_catalog(actor=finance, department_catalog=dc)
    return dc


def seed_standard_world() -> bool:
    """Seed the standard world unless present. True when it was (re)seeded."""
    from django.db import transaction

    from govbuy.accounts import services as accounts
    from govbuy.catalog import seed
    from govbuy.demo.management.commands.load_demo import demo_uscc
    from govbuy.orgs import services
    from govbuy.orgs.models import Organization, Region

    if Organization.objects.filter(name=STANDARD_ORGS[0][1]).exists():
        return False
    with transaction.atomic():
        for key, name, code, flags in STANDARD_ORGS:
            services.create_organization(
                actor="test-seed",
                name=name,
                region=Region.objects.get(code=code),
                org_type="administrative_organ",
                uscc=demo_uscc("11", code, f"standard-{key}"),
                **flags,
            )
        orgs = standard_orgs()
        purchaser = accounts.create_user(
            actor="test-seed",
            username="seed_purchaser",
            password="seed-not-a-login-1",
            display_name="种子购买主体",
        )
        accounts.add_membership(
            actor="test-seed", user=purchaser, organization=orgs.dept, role="purchaser"
        )
        finance = accounts.create_user(
            actor="test-seed",
            username="seed_finance",
            password="seed-not-a-login-1",
            display_name="种子财政",
        )
        accounts.add_membership(
            actor="test-seed", user=finance, organization=orgs.zz, role="finance"
        )
        henan = Region.objects.get(code="410000")
        for year in standard_years():
            seed.load_guidance_catalog(year=year, region=henan, owner=orgs.hn, publish=True)
            build_department_catalog(orgs, year, purchaser=purchaser, finance=finance)
    return True


@pytest.fixture
def standard(db):
    """The standard world (seed_standard_world) for this test: its organizations
    (hn, zz, ly, dept, other, audit_office)."""
    seed_standard_world()
    return standard_orgs()


@pytest.fixture
def buying(db, standard, make_org, make_user, region):
    """Budget-first world for this year: 河南's guidance catalog, 郑州市民政局 with an
    approved department catalog, its purchaser and manager, the 郑州 and 洛阳 finance
    bureaus, an auditor, another department; `line(amount, ...)` files and approves
    a budget line of 郑州市民政局. The organizations and catalogs are the standard
    world's (seeded once per database); the users are the test's own."""
    from types import SimpleNamespace

    from django.utils import timezone

    from govbuy.accounts import services as accounts
    from govbuy.budgets import services as budgets
    from govbuy.catalog import seed
    from govbuy.catalog.models import DepartmentCatalog

    year = timezone.localdate().year
    orgs = standard
    hn, zz, ly, dept, other = orgs.hn, orgs.zz, orgs.ly, orgs.dept, orgs.other
    purchaser = make_user("purchaser", dept)
    manager = make_user()
    accounts.add_membership(
        actor="test", user=manager, organization=dept, role="purchaser", is_manager=True
    )
    finance = make_user("finance", zz)
    dc = DepartmentCatalog.objects.filter(organization=dept, year=year).first()
    if dc is None:  # a year the standard world does not have: built here
        seed.load_guidance_catalog(year=year, region=region("410000"), owner=hn, publish=True)
        dc = build_department_catalog(orgs, year, purchaser=purchaser, finance=finance)
    item = dc.items.get(code="A050101")

    def line(amount="500000.00", *, approve=True, **fields):
        fields.setdefault("name", "社区老年助餐服务")
        fields.setdefault("catalog_item", item)
        fields.setdefault("functional_class", "2081002")
        fields.setdefault("economic_class", "30227")
        fields.setdefault(
            "justification",
            "全市 120 个助餐点运营补助，按每点每年 4,200 元测算（民政局 2025 年统计）。",
        )
        fields.setdefault("procurement_budget", amount)
        fields.setdefault("ex_ante_assessment", "事前绩效评估：必要性充分，测算合理（2025-10）。")
        created = budgets.create_line(
            actor=purchaser, department=dept, fiscal_year=year, amount=amount, **fields
        )
        if approve:
            budgets.submit_line(actor=purchaser, line=created)
            budgets.approve_line(actor=finance, line=created)
            created.refresh_from_db()
        return created

    return SimpleNamespace(
        year=year,
        hn=hn,
        zz=zz,
        ly=ly,
        dept=dept,
        other=other,
        department_catalog=dc,
        item=item,
        purchaser=purchaser,
        manager=manager,
        finance=finance,
        finance_hn=make_user("finance", hn),
        finance_ly=make_user("finance", ly),
        other_purchaser=make_user("purchaser", other),
        auditor=make_user("auditor", orgs.audit_office),
        line=line,
    )


# --- the demo, loaded once per test module (issue 12 B8) ---------------------------------


def load_demo_for_tests():
    """`manage.py load_demo` as a fresh installation gets it today. Where this year
    has no official holiday calendar yet (e.g. under faketime in 2027), the
    platform administrator's entry is made first — New Year's Day and weekends —
    so the demo's current round can compute its working-day deadlines; the demo
    without it is tested in demo/tests/test_demo_dates.py."""
    from io import StringIO

    from django.core.management import call_command
    from django.utils import timezone

    from govbuy.core.calendar import years_without_calendar
    from govbuy.core.services import set_holiday_calendar

    today = timezone.localdate()
    if today.year in years_without_calendar(today):
        set_holiday_calendar(
            actor="test",
            year=today.year,
            basis="国办发明电（测试：仅元旦）",
            days_text=f"{today.year}-01-01 holiday 元旦",
        )
    call_command("load_demo", stdout=StringIO())


@pytest.fixture(scope="module")
def demo_module(django_db_setup, django_db_blocker):
    """The demo loaded once for a test module, inside a transaction rolled back
    after the module's last test; each test runs in a savepoint within it, so it
    starts from the freshly loaded demo. A test module's `demo` fixture requests
    it; its tests that do not are run first (pytest_collection_modifyitems)."""
    from django.db import transaction

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer._from_testcase = True  # like TestCase's own: durable blocks may nest
        outer.__enter__()
        try:
            load_demo_for_tests()
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Within each module, the tests without the module's demo first: once the
    demo is loaded for a module, every later test of that module sees it."""
    modules: dict = {}
    for index, item in enumerate(items):
        key = item.nodeid.split("::", 1)[0]
        uses_demo = "demo_module" in getattr(item, "fixturenames", ())
        modules.setdefault(key, []).append((uses_demo, index, item))
    items[:] = [
        item for group in modules.values() for _, _, item in sorted(group, key=lambda t: t[:2])
    ]


class Clock:
    # The one clock fixture of the suite (issue 12 B7): every test that needs a
    # moment moves this clock; nothing else patches time.
    """clock.at("2026-09-15 10:00") sets the platform's clock (Asia/Shanghai);
    the clock stands still until moved again."""

    def __init__(self):
        self._traveller = None

    def at(self, when: str | dt.datetime) -> dt.datetime:
        import time_machine
        from django.utils import timezone

        moment = when if isinstance(when, dt.datetime) else dt.datetime.fromisoformat(when)
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        self.stop()
        self._traveller = time_machine.travel(moment, tick=False)
        self._traveller.start()
        return moment

    @property
    def is_set(self) -> bool:
        return self._traveller is not None

    def today(self) -> dt.date:
        """The platform's today (Asia/Shanghai) on this clock."""
        from django.utils import timezone

        return timezone.localdate()

    def stop(self):
        if self._traveller is not None:
            self._traveller.stop()
            self._traveller = None


@pytest.fixture
def clock():
    c = Clock()
    yield c
    c.stop()
