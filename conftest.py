"""Shared fixtures: real database (SQLite by default, PostgreSQL with
GOVBUY_DATABASE_URL), real services; nothing of ours is mocked."""

import itertools

import pytest

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
