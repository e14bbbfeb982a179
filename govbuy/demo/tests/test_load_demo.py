"""`manage.py load_demo`: idempotent, faithful to the rules, and every demo login works."""

from io import StringIO

import pytest
from django.core.management import call_command

from govbuy.accounts.models import Membership, User
from govbuy.core.audit import verify_chain
from govbuy.core.models import AuditEvent
from govbuy.demo import data
from govbuy.orgs.models import Organization, Region
from govbuy.orgs.rules import OrgCategory, provider_violations, purchaser_violations
from govbuy.orgs.validators import uscc_error

PROVINCE, CITIES, COUNTIES = "410000", {"410100", "410300"}, {"410122", "410185", "410325"}


@pytest.fixture
def demo(demo_module, db):
    """The demo, loaded once for this module (conftest.demo_module)."""


def counts():
    return {
        "organizations": Organization.objects.count(),
        "users": User.objects.count(),
        "memberships": Membership.objects.count(),
        "audit_events": AuditEvent.objects.count(),
    }


def test_first_run_creates_the_whole_demo_set(db):
    out = StringIO()
    # What the suite's standard world (conftest) holds before: not the demo's.
    orgs, users, members = (m.objects.count() for m in (Organization, User, Membership))

    call_command("load_demo", stdout=out)

    assert Organization.objects.count() - orgs == len(data.ORGANIZATIONS)
    # Besides the logins, members made for organizations without one (demo/staff.py):
    # the administrator acts for no organization, and nobody logs in as them.
    staff = User.objects.filter(username__startswith="demo_")
    assert User.objects.count() - users - staff.count() == len(data.USERS)
    assert staff.exists() and not any(u.has_usable_password() for u in staff)
    assert Membership.objects.exclude(user__in=staff).count() - members == sum(
        1 for u in data.USERS if u[2]
    )
    assert f"{len(data.ORGANIZATIONS)} organizations and {len(data.USERS)} users created" in (
        out.getvalue()
    )


def test_second_run_changes_nothing(demo):
    before = counts()
    last_event = AuditEvent.objects.order_by("-seq").values_list("seq", "hash").first()
    out = StringIO()

    call_command("load_demo", stdout=out)

    assert counts() == before
    assert AuditEvent.objects.order_by("-seq").values_list("seq", "hash").first() == last_event
    assert "0 organizations and 0 users created" in out.getvalue()


def test_audit_chain_verifies_after_loading(demo):
    call_command("load_demo", stdout=StringIO())
    out = StringIO()

    call_command("verify_audit", stdout=out)  # raises CommandError if broken

    report = verify_chain()
    assert report.ok
    assert report.checked == AuditEvent.objects.count() > len(data.ORGANIZATIONS)


def test_every_organization_creation_is_audited(demo):
    created = AuditEvent.objects.filter(action="orgs.organization.create")

    assert set(created.values_list("organization_id", flat=True)) == set(
        Organization.objects.values_list("pk", flat=True)
    )


def test_regions_are_real_gbt2260_codes_one_province_two_cities_three_counties(demo):
    used = set(Organization.objects.values_list("region__code", flat=True))
    assert used == {PROVINCE} | CITIES | COUNTIES

    regions = {r.code: r for r in Region.objects.filter(code__in=used).select_related("parent")}
    assert regions[PROVINCE].level == "province" and regions[PROVINCE].name == "河南省"
    assert {c for c, r in regions.items() if r.level == "city"} == CITIES
    assert {c for c, r in regions.items() if r.level == "county"} == COUNTIES
    assert regions["410100"].name == "郑州市" and regions["410300"].name == "洛阳市"
    assert regions["410122"].name == "中牟县"
    assert regions["410185"].name == "登封市"
    assert regions["410325"].name == "嵩县"
    assert regions["410122"].parent.code == "410100"
    assert regions["410185"].parent.code == "410100"
    assert regions["410325"].parent.code == "410300"
    assert regions["410300"].parent.code == PROVINCE


def test_a_finance_bureau_at_every_level(demo):
    bureaus = Organization.objects.filter(is_finance_bureau=True)

    assert set(bureaus.values_list("region__code", flat=True)) == {PROVINCE} | CITIES | COUNTIES


def test_purchasers_and_providers(demo):
    purchasers = Organization.objects.filter(is_purchaser=True)
    providers = Organization.objects.filter(is_provider=True)

    assert purchasers.filter(is_finance_bureau=False).count() >= 5
    assert providers.count() >= 12
    assert not purchasers.filter(is_provider=True).exists()  # S5


def test_providers_cover_every_category_of_rule_s2(demo):
    providers = Organization.objects.filter(is_provider=True)
    kinds = set(providers.values_list("org_type", "institution_class"))

    for kind in [
        ("enterprise", ""),
        ("social_organization", ""),
        ("public_institution", "public_welfare_2"),
        ("public_institution", "business"),
        ("rural_collective", ""),
        ("grassroots_autonomy", ""),
        ("individual_business", ""),
        ("natural_person", ""),
    ]:
        assert kind in kinds, kind
    forms = set(
        providers.filter(org_type="social_organization").values_list("social_org_form", flat=True)
    )
    assert forms == {"social_group", "social_service_agency", "foundation"}


def test_natural_person_has_no_credit_code_and_others_have_valid_ones(demo):
    for org in Organization.objects.all():
        if org.org_type == "natural_person":
            assert org.uscc == ""
        else:
            assert uscc_error(org.uscc) is None, (org.name, org.uscc)
            assert org.uscc[2:8] == org.region.code, org.name


def test_the_three_refused_organizations_take_neither_role(demo):
    refused = {
        "中牟县疾病预防控制中心（演示）": "S3",  # 公益一类
        "嵩县农业技术推广站（演示）": "S4",  # not yet classified
        "郑州市科学技术协会（演示）": "S3",  # fiscally funded, institutional staffing
    }
    for name, rule in refused.items():
        org = Organization.objects.get(name=name)
        assert org.platform_roles == []
        cat = OrgCategory.of(org)
        assert [v.rule for v in purchaser_violations(cat)] == [rule]
        assert [v.rule for v in provider_violations(cat)] == [rule]
    assert Organization.objects.get(name="中牟县疾病预防控制中心（演示）").institution_class == (
        "public_welfare_1"
    )
    assert Organization.objects.get(name="嵩县农业技术推广站（演示）").institution_class == (
        "unclassified"
    )
    kexie = Organization.objects.get(name="郑州市科学技术协会（演示）")
    assert (kexie.org_type, kexie.staffing, kexie.fiscal_funded) == (
        "mass_organization",
        "institutional",
        True,
    )


def test_every_organization_is_eligible_for_its_roles(demo):
    for org in Organization.objects.all():
        cat = OrgCategory.of(org)
        if org.is_purchaser:
            assert purchaser_violations(cat) == [], org.name  # S1, S3, S4
        if org.is_provider:
            assert provider_violations(cat) == [], org.name  # S2, S3, S4


def test_evaluator_audit_office_and_recipients(demo):
    assert Organization.objects.filter(is_evaluator=True).exists()
    assert set(
        Organization.objects.filter(is_audit_office=True).values_list("region__code", flat=True)
    ) >= {PROVINCE}
    recipients = [u for u in User.objects.all() if u.is_recipient]
    assert {u.username for u in recipients} == {"recipient", "recipient2"}


def test_every_role_has_a_demo_user(demo):
    roles = set(Membership.objects.values_list("role", flat=True))

    assert roles == {
        "finance",
        "purchaser",
        "provider",
        "evaluator",
        "auditor",
        "expert",
        "platform_admin",
    }


WORKBENCH_OF = {
    "finance": "finance",
    "finance_zz": "finance",
    "purchaser": "purchaser",
    "purchaser_rs": "purchaser",
    "provider_sw": "provider",
    "provider_zy": "provider",
    "provider": "provider",
    "evaluator": "evaluator",
    "expert": "expert",
    "auditor": "auditor",
    "purchaser_mgr": "purchaser",
    "admin": "platform_admin",
    "recipient": "recipient",
}


@pytest.mark.parametrize("username", [login.username for login in data.DEMO_LOGINS])
def test_every_demo_login_logs_in_and_reaches_the_workbench(client, demo, username):
    response = client.post(
        "/accounts/login/", {"username": username, "password": data.DEMO_PASSWORD}
    )

    assert response.status_code == 302, response.content.decode()[:500]
    assert response.url == "/workbench/"
    workbench = client.get("/workbench/")
    assert workbench.status_code == 200
    expected = WORKBENCH_OF[username]
    assert workbench.context["role"] == expected
    assert f"workbench/{expected}.html" in [t.name for t in workbench.templates]
    assert AuditEvent.objects.filter(action="accounts.login", actor__username=username).exists()


def test_demo_logins_cover_every_role(db):
    usernames = [login.username for login in data.DEMO_LOGINS]
    assert sorted(usernames) == sorted(WORKBENCH_OF)
    assert set(usernames) <= {u[0] for u in data.USERS}


def test_demo_logins_command_prints_every_login(db):
    out = StringIO()

    call_command("demo_logins", stdout=out)

    text = out.getvalue()
    assert data.DEMO_PASSWORD in text
    for login in data.DEMO_LOGINS:
        assert login.username in text
