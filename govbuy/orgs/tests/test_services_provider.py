"""Compliance declarations and credit records: who may write, field-level errors,
nothing written when refused, an audit event for every write."""

import datetime as dt

import pytest
from django.utils import timezone

from govbuy.core import audit
from govbuy.core.errors import ApplicationError, InvalidInput, InvalidState, NotAllowed
from govbuy.core.models import AuditEvent
from govbuy.orgs import permissions, services
from govbuy.orgs.models import CreditRecord, ProviderCompliance
from govbuy.orgs.rules import add_years
from govbuy.orgs.tests.conftest import clean_facts

TODAY = timezone.localdate()


def last_event():
    return AuditEvent.objects.order_by("-seq").first()


def fields_of(exc):
    return {e["field"] for e in exc.errors}


# --- declare_compliance ------------------------------------------------------------------


def test_provider_declares_its_profile_audited(world):
    org, user = world.orgs.provider, world.users.provider

    compliance = services.declare_compliance(actor=user, organization=org, **clean_facts(org))

    compliance.refresh_from_db()
    assert compliance.organization == org
    assert compliance.good_tax_record is True
    assert compliance.declared_by == user
    assert compliance.declared_at is not None
    event = last_event()
    assert event.action == "orgs.compliance.declare"
    assert event.actor == user
    assert event.organization_id == org.pk
    assert event.object_id == str(compliance.pk)
    assert event.data["changed"]["good_tax_record"] == [False, True]
    assert audit.verify_chain().ok


def test_a_second_declaration_changes_only_what_is_given_and_clears_verification(world, declare):
    org = world.orgs.provider
    declare(org)
    services.verify_compliance(actor=world.users.finance, organization=org)

    services.declare_compliance(
        actor=world.users.provider, organization=org, on_abnormal_operation_list=True
    )

    compliance = ProviderCompliance.objects.get(organization=org)
    assert compliance.on_abnormal_operation_list is True
    assert compliance.good_tax_record is True  # kept
    assert compliance.verified_at is None and compliance.verified_by is None
    assert last_event().data == {
        "changed": {"on_abnormal_operation_list": [False, True]},
        "verification_cleared": True,
    }


@pytest.mark.parametrize("who", ["other", "purchaser", "finance", "auditor", "recipient"])
def test_only_the_providers_own_staff_declare(world, who):
    before = AuditEvent.objects.count()
    with pytest.raises(NotAllowed):
        services.declare_compliance(
            actor=getattr(world.users, who),
            organization=world.orgs.provider,
            good_tax_record=True,
        )
    assert not ProviderCompliance.objects.exists()
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"established_on": "2026-13-01"}, "established_on"),
        ({"established_on": TODAY + dt.timedelta(days=1)}, "established_on"),
        ({"last_serious_violation_on": "yesterday"}, "last_serious_violation_on"),
        ({"annual_inspection_year": 1800}, "annual_inspection_year"),
        ({"annual_inspection_year": "abc"}, "annual_inspection_year"),
        ({"good_tax_record": "yes"}, "good_tax_record"),
        ({"note": "很" * 2001}, "note"),
    ],
)
def test_bad_input_gives_field_errors_and_writes_nothing(world, data, field):
    before = AuditEvent.objects.count()
    with pytest.raises(InvalidInput) as caught:
        services.declare_compliance(
            actor=world.users.social, organization=world.orgs.social, **data
        )
    assert fields_of(caught.value) == {field}
    assert not ProviderCompliance.objects.exists()
    assert AuditEvent.objects.count() == before


def test_passed_inspection_needs_its_year(world):
    with pytest.raises(InvalidInput) as caught:
        services.declare_compliance(
            actor=world.users.social, organization=world.orgs.social, annual_inspection_passed=True
        )
    assert fields_of(caught.value) == {"annual_inspection_year"}


def test_social_organization_conditions_apply_to_social_organizations_only(world):
    with pytest.raises(InvalidInput) as caught:
        services.declare_compliance(
            actor=world.users.provider,
            organization=world.orgs.provider,
            in_qualified_directory=True,
        )
    assert fields_of(caught.value) == {"in_qualified_directory"}


def test_unknown_field_is_a_programming_error(world):
    with pytest.raises(TypeError):
        services.declare_compliance(
            actor=world.users.provider, organization=world.orgs.provider, age_years=5
        )


# --- verify_compliance -------------------------------------------------------------------


def test_finance_of_the_region_or_above_verifies(world, declare):
    declare(world.orgs.provider)

    compliance = services.verify_compliance(
        actor=world.users.finance, organization=world.orgs.provider
    )

    assert compliance.verified_by == world.users.finance
    assert last_event().action == "orgs.compliance.verify"


@pytest.mark.parametrize("who", ["finance_ly", "purchaser", "auditor", "provider"])
def test_others_may_not_verify(world, declare, who):
    declare(world.orgs.provider)
    with pytest.raises(NotAllowed):
        services.verify_compliance(
            actor=getattr(world.users, who), organization=world.orgs.provider
        )


def test_nothing_to_verify_before_a_declaration(world):
    with pytest.raises(InvalidState):
        services.verify_compliance(actor=world.users.finance, organization=world.orgs.provider)


# --- record_credit -----------------------------------------------------------------------


def test_purchaser_records_a_serious_breach_audited(world, record):
    rec = record(world.orgs.provider, years=2)

    rec.refresh_from_db()
    assert rec.kind == "serious_breach"
    assert rec.recording_organization == world.orgs.dept
    assert rec.recorded_by == world.users.purchaser
    assert rec.exclusion_from == TODAY
    assert rec.exclusion_until == add_years(TODAY, 2) - dt.timedelta(days=1)
    event = last_event()
    assert event.action == "orgs.credit.record"
    assert event.organization_id == world.orgs.provider.pk
    assert event.data["kind"] == "serious_breach"
    assert event.data["recorded_by"] == world.orgs.dept.pk
    assert audit.verify_chain().ok


def test_finance_bureau_records_too(world, record):
    rec = record(
        world.orgs.other, kind="breach", actor=world.users.finance, recorder=world.orgs.fin_zz
    )
    assert rec.recording_organization == world.orgs.fin_zz


@pytest.mark.parametrize(
    ("who", "recorder"),
    [
        ("provider", "provider"),  # a provider records nothing
        ("auditor", "aud_hn"),  # audit reads, changes nothing
        ("purchaser", "fin_zz"),  # not the purchaser's own organization
        ("finance", "dept"),
        ("recipient", "dept"),
    ],
)
def test_only_purchasers_and_finance_record_for_themselves(world, record, took_part, who, recorder):
    took_part(world.orgs.other)
    before = AuditEvent.objects.count()
    with pytest.raises(NotAllowed):
        record(
            world.orgs.other,
            actor=getattr(world.users, who),
            recorder=getattr(world.orgs, recorder),
        )
    assert not CreditRecord.objects.exists()
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize(
    ("over", "fields"),
    [
        ({"years": 4}, {"exclusion_until"}),  # beyond 3 years
        ({"exclusion_until": TODAY + dt.timedelta(days=100)}, {"exclusion_until"}),  # < 1 year
        ({"exclusion_from": None, "exclusion_until": None}, {"exclusion_from", "exclusion_until"}),
        ({"exclusion_from": "not a date"}, {"exclusion_from"}),
        ({"description": "  "}, {"description"}),
        ({"basis": ""}, {"basis"}),
        ({"project_reference": "x" * 201}, {"project_reference"}),
    ],
)
def test_bad_credit_input_gives_field_errors(world, record, over, fields):
    with pytest.raises(InvalidInput) as caught:
        record(world.orgs.provider, **over)
    assert fields_of(caught.value) == fields
    assert not CreditRecord.objects.exists()


def test_exclusion_only_for_serious_breach(world, record):
    with pytest.raises(InvalidInput) as caught:
        record(world.orgs.provider, kind="breach", exclusion_from=TODAY)
    assert fields_of(caught.value) == {"exclusion_from"}


def test_unknown_kind_and_non_provider(world, record):
    with pytest.raises(InvalidInput) as caught:
        record(
            world.orgs.provider,
            kind="rumour",
            recorder=world.orgs.fin_zz,
            actor=world.users.finance,
        )
    assert fields_of(caught.value) == {"kind"}
    # Credit records are about providers: any other organization is "no provider".
    with pytest.raises(InvalidInput) as caught:
        record(
            world.orgs.dept, kind="breach", recorder=world.orgs.fin_zz, actor=world.users.finance
        )
    assert fields_of(caught.value) == {"provider"}


def test_exclusion_range_is_the_recorders_policy_parameter(world, record):
    from govbuy.core.services import set_policy_parameter

    set_policy_parameter(
        actor=world.users.finance,
        key="credit.exclusion_years_max",
        value="2",
        effective_from=TODAY - dt.timedelta(days=1),
        basis="郑州市 test rule",
        region=world.orgs.fin_zz.region,
    )
    with pytest.raises(InvalidInput):
        record(world.orgs.provider, years=3)
    assert record(world.orgs.provider, years=2).pk


# --- revoke_credit -----------------------------------------------------------------------


def test_finance_revokes_with_a_reason_audited(world, record):
    rec = record(world.orgs.provider)

    revoked = services.revoke_credit(
        actor=world.users.finance, record=rec, reason="经行政复议，原处罚决定被撤销"
    )

    assert revoked.revoked_by == world.users.finance
    assert revoked.revoked_reason == "经行政复议，原处罚决定被撤销"
    assert revoked.revoked_at is not None
    event = last_event()
    assert event.action == "orgs.credit.revoke"
    assert event.data["reason"] == "经行政复议，原处罚决定被撤销"
    assert audit.verify_chain().ok


def test_finance_of_the_recorders_region_may_revoke_too(world, record):
    rec = record(world.orgs.other)  # 洛阳 provider, recorded by a 郑州 department
    assert permissions.can_revoke_credit(world.users.finance, rec)  # recorder's region
    assert permissions.can_revoke_credit(world.users.finance_ly, rec)  # provider's region


@pytest.mark.parametrize("who", ["purchaser", "auditor", "provider", "finance_ly"])
def test_only_finance_revokes(world, record, who):
    rec = record(world.orgs.provider)  # 中牟 provider, 郑州 recorder: 洛阳 has no say
    with pytest.raises(NotAllowed):
        services.revoke_credit(actor=getattr(world.users, who), record=rec, reason="不服")
    rec.refresh_from_db()
    assert rec.revoked_at is None


def test_revoking_needs_a_reason_and_happens_once(world, record):
    rec = record(world.orgs.provider)
    with pytest.raises(ApplicationError) as caught:
        services.revoke_credit(actor=world.users.finance, record=rec, reason=" ")
    assert caught.value.field == "reason"
    services.revoke_credit(actor=world.users.finance, record=rec, reason="录入错误")
    with pytest.raises(InvalidState):
        services.revoke_credit(actor=world.users.finance, record=rec, reason="again")
