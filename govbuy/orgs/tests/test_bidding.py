"""bidding_violations and credit_summary on a real database: the one entry point
the procurement app calls at bid submission (S2–S9), at given dates, with a
constant number of queries."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from govbuy.core import params
from govbuy.core.rules import RuleViolation, enforce
from govbuy.core.services import set_policy_parameter
from govbuy.orgs import services
from govbuy.orgs.models import CreditRecord, Organization
from govbuy.orgs.rules import add_years
from govbuy.orgs.selectors import bidding_violations, credit_summary, with_bidding_facts

TODAY = timezone.localdate()


def rules_of(violations, severity=None):
    return [v.rule for v in violations if severity is None or v.severity == severity]


def hard(violations):
    return [(v.rule, v.field) for v in violations if v.is_hard]


# --- S6 ---------------------------------------------------------------------------------


def test_no_profile_fails_s6_asking_to_complete_it(world):
    with translation.override("en"):
        violations = bidding_violations(world.orgs.provider, at=TODAY)
    assert hard(violations) == [("S6", "compliance")]
    assert "has not been completed" in violations[0].message


def test_clean_enterprise_may_bid(world, declare):
    declare(world.orgs.provider)
    assert bidding_violations(world.orgs.provider, at=TODAY) == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"good_tax_record": False}, "good_tax_record"),
        ({"on_abnormal_operation_list": True}, "on_abnormal_operation_list"),
        (
            {"last_serious_violation_on": TODAY - dt.timedelta(days=400)},
            "last_serious_violation_on",
        ),
    ],
)
def test_s6_refuses_a_declared_problem(world, declare, change, field):
    declare(world.orgs.provider, **change)
    violations = bidding_violations(world.orgs.provider, at=TODAY)
    assert hard(violations) == [("S6", field)]
    with pytest.raises(RuleViolation):
        enforce(violations)


def test_s6_serious_violation_period_is_the_regions_parameter(world, declare):
    declare(world.orgs.provider, last_serious_violation_on=add_years(TODAY, -4))
    assert bidding_violations(world.orgs.provider, at=TODAY) == []  # 3 years by law
    set_policy_parameter(
        actor=world.users.finance,
        key="provider.serious_violation_years",
        value="5",
        effective_from=add_years(TODAY, -1),
        basis="郑州市 test rule",
        region=world.orgs.fin_zz.region,
    )
    assert params.get("provider.serious_violation_years", world.orgs.provider.region) == 5
    assert hard(bidding_violations(world.orgs.provider, at=TODAY)) == [
        ("S6", "last_serious_violation_on")
    ]


# --- S7 ---------------------------------------------------------------------------------


def test_clean_social_organization_may_bid(world, declare):
    declare(world.orgs.social)
    assert bidding_violations(world.orgs.social, at=TODAY) == []


def test_social_organization_outside_the_directory_fails_s7(world, declare):
    declare(world.orgs.social, in_qualified_directory=False)
    assert hard(bidding_violations(world.orgs.social, at=TODAY)) == [
        ("S7", "in_qualified_directory")
    ]


def test_s7_applies_to_social_organizations_only(world, declare):
    declare(world.orgs.provider)  # an enterprise declares nothing of S7
    assert rules_of(bidding_violations(world.orgs.provider, at=TODAY)) == []


def test_organization_founded_a_year_ago_with_a_clean_record_may_bid(world, declare):
    """S7, Q96: no minimum age. Founded one year ago, no annual inspection yet."""
    declare(
        world.orgs.social,
        established_on=add_years(TODAY, -1),
        annual_inspection_year=None,
        annual_inspection_passed=False,
    )
    violations = bidding_violations(world.orgs.social, at=TODAY)
    assert violations == []
    enforce(violations)  # nothing raised


# --- S8 ---------------------------------------------------------------------------------


def test_natural_person_gets_a_warning_not_a_refusal(world, declare):
    declare(world.orgs.person)
    violations = bidding_violations(world.orgs.person, at=TODAY)
    assert [(v.rule, v.severity, v.field) for v in violations] == [("S8", "warn", "org_type")]
    assert enforce(violations) == violations  # returned to record, not raised


def test_individual_business_gets_no_s8_warning(world, declare, make_org):
    shop = make_org("中牟县王记助餐服务部", "410122", "individual_business", is_provider=True)
    declare(shop)
    assert bidding_violations(shop, at=TODAY) == []


# --- S2–S5 ------------------------------------------------------------------------------


def test_category_that_may_not_provide_fails_s3(make_org):
    cdc = make_org(
        "中牟县疾控中心（信用）",
        "410122",
        "public_institution",
        institution_class="public_welfare_1",
    )
    assert hard(bidding_violations(cdc, at=TODAY)) == [("S3", "institution_class")]


def test_organization_not_registered_as_provider_fails_s2(make_org):
    firm = make_org("郑州某咨询有限公司（未登记承接）", "410100", "enterprise", is_evaluator=True)
    assert hard(bidding_violations(firm, at=TODAY)) == [("S2", "is_provider")]


def test_purchaser_fails_as_a_bidder(world):
    assert hard(bidding_violations(world.orgs.dept, at=TODAY)) == [("S2", "org_type")]


# --- S9 ---------------------------------------------------------------------------------


def test_serious_breach_in_force_excludes(world, declare, record):
    declare(world.orgs.provider)
    record(world.orgs.provider, years=2)
    with translation.override("en"):
        violations = bidding_violations(world.orgs.provider, at=TODAY)
    assert hard(violations) == [("S9", "credit_records")]
    assert "郑州市民政局（测）" in violations[0].message
    assert "政府采购法 第七十七条" in violations[0].basis


def test_breach_without_exclusion_is_reported_not_refused(world, declare, record):
    declare(world.orgs.provider)
    record(world.orgs.provider, kind="breach")
    violations = bidding_violations(world.orgs.provider, at=TODAY)
    assert [(v.rule, v.severity) for v in violations] == [("S9", "report")]


def backdate(rec, *, recorded_days_ago, revoked_days_ago=None):
    now = timezone.now()
    CreditRecord.objects.filter(pk=rec.pk).update(
        recorded_at=now - dt.timedelta(days=recorded_days_ago),
        revoked_at=(now - dt.timedelta(days=revoked_days_ago)) if revoked_days_ago else None,
        revoked_reason="行政复议撤销原决定" if revoked_days_ago else "",
    )


def test_exclusion_in_force_expired_and_revoked_at_given_dates(world, declare, record):
    declare(world.orgs.provider)
    start = TODAY - dt.timedelta(days=500)
    rec = record(world.orgs.provider, years=1, start=start)  # ends 135 days ago
    backdate(rec, recorded_days_ago=500)
    org = world.orgs.provider

    assert hard(bidding_violations(org, at=start)) == [("S9", "credit_records")]
    assert hard(bidding_violations(org, at=start - dt.timedelta(days=1))) == []  # before
    last = add_years(start, 1) - dt.timedelta(days=1)
    assert hard(bidding_violations(org, at=last)) == [("S9", "credit_records")]
    expired = bidding_violations(org, at=last + dt.timedelta(days=1))
    assert hard(expired) == [] and rules_of(expired, "report") == ["S9"]

    # Revoked 300 days ago: excluded before that day, not from it on.
    backdate(rec, recorded_days_ago=500, revoked_days_ago=300)
    assert hard(bidding_violations(org, at=TODAY - dt.timedelta(days=301))) == [
        ("S9", "credit_records")
    ]
    assert bidding_violations(org, at=TODAY - dt.timedelta(days=300)) == []
    assert [r.pk for r in CreditRecord.objects.in_force(TODAY - dt.timedelta(days=301))] == [rec.pk]
    assert not CreditRecord.objects.in_force(TODAY - dt.timedelta(days=300)).exists()


def test_revoked_today_stops_excluding_today(world, declare, record):
    declare(world.orgs.provider)
    rec = record(world.orgs.provider)
    services.revoke_credit(actor=world.users.finance, record=rec, reason="行政复议撤销原决定")
    assert bidding_violations(world.orgs.provider, at=TODAY) == []


def test_queryset_in_force_agrees_with_the_rule(world, declare, record):
    declare(world.orgs.provider)
    in_force = record(world.orgs.provider)
    record(world.orgs.provider, kind="breach")
    record(world.orgs.other, start=TODAY + dt.timedelta(days=10))  # not yet
    assert list(CreditRecord.objects.in_force(TODAY)) == [in_force]


# --- credit_summary ---------------------------------------------------------------------


def test_credit_summary_lists_records_with_kind_dates_and_in_force(world, record):
    serious = record(world.orgs.provider, years=3)
    breach = record(world.orgs.provider, kind="breach")
    revoked = record(world.orgs.provider, kind="other")
    services.revoke_credit(actor=world.users.finance, record=revoked, reason="录入错误")
    record(world.orgs.other)  # another provider's

    entries = credit_summary(world.orgs.provider, TODAY)

    assert [e.id for e in entries] == [breach.pk, serious.pk]  # newest first, revoked left out
    by_id = {e.id: e for e in entries}
    assert by_id[serious.pk].in_force is True
    assert by_id[serious.pk].exclusion_until == add_years(TODAY, 3) - dt.timedelta(days=1)
    assert by_id[breach.pk].in_force is False
    assert by_id[breach.pk].kind == "breach"
    assert by_id[breach.pk].recorded_by == "郑州市民政局（测）"
    assert by_id[breach.pk].recorded_on == TODAY
    assert set(by_id[breach.pk].as_dict()) >= {"kind", "recorded_on", "in_force", "basis"}
    # A year before, none was on record.
    assert credit_summary(world.orgs.provider, TODAY - dt.timedelta(days=365)) == []


# --- queries ----------------------------------------------------------------------------


def count_queries(fn):
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def test_query_count_does_not_grow_with_records(world, declare, record):
    declare(world.orgs.provider)
    declare(world.orgs.other)
    record(world.orgs.provider)
    for _ in range(6):
        record(world.orgs.other, kind="breach")
    for org in (world.orgs.provider, world.orgs.other):
        fresh = Organization.objects.get(pk=org.pk)
        assert count_queries(lambda o=fresh: bidding_violations(o, at=TODAY)) == 2
        fresh = Organization.objects.get(pk=org.pk)
        assert count_queries(lambda o=fresh: credit_summary(o, TODAY)) == 1


def test_many_bidders_cost_two_queries_in_all(world, declare, record):
    for org in (world.orgs.provider, world.orgs.other, world.orgs.person):
        declare(org)
        record(org, kind="breach")
    ids = [world.orgs.provider.pk, world.orgs.other.pk, world.orgs.person.pk]

    def check_all():
        for org in with_bidding_facts(Organization.objects.filter(pk__in=ids)):
            bidding_violations(org, at=TODAY)
            credit_summary(org, TODAY)

    assert count_queries(check_all) == 2  # organizations (with compliance) + credit records
