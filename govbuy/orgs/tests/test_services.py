"""Organization services: S1–S5 checked on every write, nothing written when refused,
and the database refuses what the services would (S5 check constraint)."""

import pytest
from django.db import IntegrityError, transaction

from govbuy.core import audit
from govbuy.core.errors import ApplicationError
from govbuy.core.models import AuditEvent
from govbuy.core.rules import RuleViolation
from govbuy.orgs import services
from govbuy.orgs.models import Organization

S5_BASIS = "Q27"


@pytest.fixture
def counts(db):
    """How many organizations and audit events exist; call again to compare."""
    return lambda: (Organization.objects.count(), AuditEvent.objects.count())


def _rules(exc):
    return [v.rule for v in exc.violations]


# --- create_organization ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "roles"),
    [
        ({"org_type": "administrative_organ", "is_purchaser": True}, ["purchaser"]),
        (
            {"org_type": "administrative_organ", "is_purchaser": True, "is_finance_bureau": True},
            ["finance", "purchaser"],
        ),
        (
            {"org_type": "public_institution", "institution_class": "administrative", "is_purchaser": True},
            ["purchaser"],
        ),
        (
            {"org_type": "mass_organization", "staffing": "administrative", "fiscal_funded": True, "is_purchaser": True},
            ["purchaser"],
        ),
        ({"org_type": "enterprise", "sme_size": "small", "is_provider": True}, ["provider"]),
        (
            {"org_type": "public_institution", "institution_class": "public_welfare_2", "is_provider": True},
            ["provider"],
        ),
        (
            {"org_type": "mass_organization", "staffing": "institutional", "fiscal_funded": False, "is_provider": True},
            ["provider"],
        ),
        (
            {"org_type": "social_organization", "social_org_form": "foundation", "is_provider": True},
            ["provider"],
        ),
        ({"org_type": "public_institution", "institution_class": "public_welfare_1"}, []),
        ({"org_type": "enterprise", "is_evaluator": True}, ["evaluator"]),
    ],
)  # fmt: skip
def test_create_organization(make_org, counts, fields, roles):
    orgs_before, events_before = counts()
    org = make_org("新登记单位", region="410122", **fields)
    org = Organization.objects.get(pk=org.pk)
    assert org.platform_roles == roles
    assert org.region.code == "410122"
    assert counts() == (orgs_before + 1, events_before + 1)
    event = AuditEvent.objects.order_by("-seq").first()
    assert event.action == "orgs.organization.create"
    assert event.object_id == str(org.pk)
    assert event.organization_id == org.pk
    assert event.data == {"org_type": fields["org_type"], "region": "410122", "roles": roles}
    assert audit.verify_chain().ok


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"org_type": "enterprise", "is_purchaser": True}, ["S1"]),
        ({"org_type": "court", "is_provider": True}, ["S2"]),
        ({"org_type": "public_institution", "institution_class": "public_welfare_1", "is_provider": True}, ["S3"]),
        ({"org_type": "public_institution", "institution_class": "public_welfare_1", "is_purchaser": True}, ["S3"]),
        ({"org_type": "public_institution", "institution_class": "unclassified", "is_provider": True}, ["S4"]),
        ({"org_type": "mass_organization", "staffing": "institutional", "fiscal_funded": True, "is_purchaser": True}, ["S3"]),
        ({"org_type": "mass_organization", "staffing": "administrative", "fiscal_funded": False, "is_provider": True}, ["S5"]),
    ],
)  # fmt: skip
def test_create_organization_refused_by_category(make_org, counts, fields, expected):
    before = counts()
    with pytest.raises(RuleViolation) as exc:
        make_org("不符合条件的单位", **fields)
    assert _rules(exc.value) == expected
    assert all(v.is_hard for v in exc.value.violations)
    assert exc.value.as_body()["code"] == "rule_violation"
    assert counts() == before
    assert not Organization.objects.filter(name="不符合条件的单位").exists()


@pytest.mark.parametrize(
    "fields",
    [
        {"org_type": "mass_organization", "staffing": "administrative", "fiscal_funded": False},
        {"org_type": "administrative_organ"},
        {"org_type": "enterprise"},
        {"org_type": "public_institution", "institution_class": "public_welfare_2"},
    ],
)
def test_s5_never_both_purchaser_and_provider(make_org, counts, fields):
    before = counts()
    with pytest.raises(RuleViolation) as exc:
        make_org("又买又卖的单位", is_purchaser=True, is_provider=True, **fields)
    assert "S5" in _rules(exc.value)
    s5 = next(v for v in exc.value.violations if v.rule == "S5")
    assert s5.basis == S5_BASIS
    assert S5_BASIS in s5.message
    assert s5.is_hard
    assert counts() == before  # no organization, no audit event
    assert audit.verify_chain().ok


def test_set_platform_roles_refuses_making_a_purchaser_also_a_provider(make_org, counts):
    org = make_org(
        "某区妇联",
        org_type="mass_organization",
        staffing="administrative",
        fiscal_funded=True,
        is_purchaser=True,
    )
    before = counts()
    with pytest.raises(RuleViolation) as exc:
        services.set_platform_roles(actor="test", organization=org, is_provider=True)
    assert "S5" in _rules(exc.value)
    assert all(v.basis in v.message for v in exc.value.violations)
    assert counts() == before
    org.refresh_from_db()
    assert (org.is_purchaser, org.is_provider) == (True, False)


def test_set_platform_roles_refuses_making_a_provider_also_a_purchaser(make_org, counts):
    org = make_org("某服务公司", org_type="enterprise", is_provider=True)
    before = counts()
    with pytest.raises(RuleViolation) as exc:
        services.set_platform_roles(actor="test", organization=org, is_purchaser=True)
    assert set(_rules(exc.value)) == {"S5", "S1"}
    assert counts() == before
    org.refresh_from_db()
    assert org.platform_roles == ["provider"]


def test_set_platform_roles_checks_the_category(make_org, counts):
    org = make_org(
        "某公益一类单位", org_type="public_institution", institution_class="public_welfare_1"
    )
    before = counts()
    with pytest.raises(RuleViolation) as exc:
        services.set_platform_roles(actor="test", organization=org, is_provider=True)
    assert _rules(exc.value) == ["S3"]
    assert counts() == before


def test_set_platform_roles_changes_roles_and_audits(make_org, counts):
    org = make_org("某社会组织", org_type="social_organization", social_org_form="social_group")
    before = counts()
    org = services.set_platform_roles(
        actor="test", organization=org, is_provider=True, is_evaluator=True
    )
    org.refresh_from_db()
    assert org.platform_roles == ["provider", "evaluator"]
    assert counts() == (before[0], before[1] + 1)
    event = AuditEvent.objects.order_by("-seq").first()
    assert event.action == "orgs.organization.set_roles"
    assert event.data == {"before": [], "after": ["provider", "evaluator"]}
    assert event.organization_id == org.pk
    # Dropping a role is always allowed; untouched flags keep their value.
    org = services.set_platform_roles(actor="test", organization=org, is_provider=False)
    org.refresh_from_db()
    assert org.platform_roles == ["evaluator"]
    assert audit.verify_chain().ok


def test_an_organization_registered_without_roles_may_take_an_allowed_one(make_org):
    org = make_org(
        "某群团（事业编制，非财政拨款）",
        org_type="mass_organization",
        staffing="institutional",
        fiscal_funded=False,
    )
    assert org.platform_roles == []
    org = services.set_platform_roles(actor="test", organization=org, is_provider=True)
    org.refresh_from_db()
    assert org.platform_roles == ["provider"]
    with pytest.raises(RuleViolation) as exc:
        services.set_platform_roles(
            actor="test", organization=org, is_provider=False, is_purchaser=True
        )
    assert _rules(exc.value) == ["S1"]


# --- the database backs S5 and the category invariants ----------------------------------


def _raw_org(region, **fields):
    defaults = {"name": "直接写库", "region": region("410100"), "org_type": "administrative_organ"}
    return Organization(**{**defaults, **fields})


def test_database_refuses_purchaser_and_provider(region):
    org = _raw_org(region, uscc="91350100M000100Y43", is_purchaser=True, is_provider=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        org.save()
    assert not Organization.objects.filter(name="直接写库").exists()


def test_database_refuses_an_update_to_both_roles(make_org):
    org = make_org("某局", is_purchaser=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        Organization.objects.filter(pk=org.pk).update(is_provider=True)
    org.refresh_from_db()
    assert not org.is_provider


@pytest.mark.parametrize(
    "fields",
    [
        {"org_type": "natural_person", "uscc": "91350100M000100Y43"},
        {"org_type": "public_institution", "institution_class": ""},
        {"org_type": "enterprise", "institution_class": "business"},
    ],
)
def test_database_refuses_inconsistent_categories(region, fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        _raw_org(region, **fields).save()


def test_database_refuses_a_duplicate_uscc(make_org, region):
    make_org("甲公司", org_type="enterprise", uscc="91350100M000100Y43")
    with pytest.raises(IntegrityError), transaction.atomic():
        _raw_org(region, name="乙公司", org_type="enterprise", uscc="91350100M000100Y43").save()


# --- field-level input errors -------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": "   "}, "name"),
        ({"org_type": "public_institution"}, "institution_class"),
        ({"org_type": "public_institution", "institution_class": "public_welfare_9"}, "institution_class"),
        ({"org_type": "mass_organization", "fiscal_funded": True}, "staffing"),
        ({"org_type": "mass_organization", "staffing": "institutional"}, "fiscal_funded"),
        ({"org_type": "social_organization"}, "social_org_form"),
        ({"org_type": "enterprise", "staffing": "administrative"}, "staffing"),
        ({"org_type": "ministry"}, "org_type"),
        ({"org_type": "administrative_organ", "sme_size": "small"}, "sme_size"),
    ],
)  # fmt: skip
def test_invalid_input_names_the_field(make_org, counts, fields, field):
    before = counts()
    fields = {"name": "输入有误的单位", **fields}
    with pytest.raises(ApplicationError) as exc:
        make_org(fields.pop("name"), **fields)
    assert exc.value.field == field
    assert exc.value.message
    assert exc.value.as_body() == {
        "code": exc.value.code,
        "errors": [{"field": field, "message": exc.value.message}],
    }
    assert counts() == before


def test_unknown_keyword_is_a_programming_error(region):
    with pytest.raises(TypeError, match="colour"):
        services.create_organization(
            actor="test", name="x", region=region("410100"), org_type="court", colour="red"
        )
