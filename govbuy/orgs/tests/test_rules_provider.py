"""S6–S9 as pure functions: each triggered and passed, at given dates, with the
field each violation concerns and its legal basis in the message."""

import datetime as dt

import pytest
from django.utils import translation

from govbuy.core.params import Cited
from govbuy.core.rules import REGISTRY, Severity
from govbuy.orgs import rules
from govbuy.orgs.rules import ComplianceFacts, CreditFacts, OrgCategory

D = dt.date
AT = D(2026, 9, 1)

# The bases exactly as reference/rules.md states them.
BASIS = {
    "S6": "102号令 第七条; Q96",
    "S7": "Q95; Q96",
    "S8": "102号令 第十八条; Q23; Q49",
    "S9": "102号令 第十七条; Q67; Q100",
}

CLEAN = ComplianceFacts(
    established_on=D(2015, 4, 1),
    independent_civil_liability=True,
    good_tax_record=True,
    good_social_insurance_record=True,
)
CLEAN_SOCIAL = ComplianceFacts(
    **{
        **CLEAN.__dict__,
        "civil_affairs_registered": True,
        "has_fixed_premises": True,
        "has_full_time_staff": True,
        "sound_governance": True,
        "sound_accounting": True,
        "annual_inspection_year": 2025,
        "annual_inspection_passed": True,
        "in_qualified_directory": True,
    }
)


def cited(key, value, basis="test basis"):
    return Cited(
        key=key, value=value, effective_from=D(2003, 1, 1), region="national", basis=basis, name=key
    )


def lookback(years=3):
    return lambda: cited("provider.serious_violation_years", years, "政府采购法 第二十二条")


def report_due(month_day=(6, 30)):
    return lambda: cited("provider.annual_report_due", month_day, "企业信息公示暂行条例 第八条")


def never():
    def fail():
        raise AssertionError("the parameter was not needed")

    return fail


def s6(facts, at=AT, years=3):
    return rules.provider_condition_violations(facts, at=at, lookback=lookback(years))


def s7(facts, at=AT, due=(6, 30)):
    return rules.social_organization_violations(facts, at=at, report_due=report_due(due))


def with_(facts, **changes):
    return ComplianceFacts(**{**facts.__dict__, **changes})


def test_registered_rules_match_the_reference():
    for rule_id, basis in BASIS.items():
        assert REGISTRY[rule_id].basis == basis
    assert REGISTRY["S6"].severity == Severity.HARD
    assert REGISTRY["S7"].severity == Severity.HARD
    assert REGISTRY["S8"].severity == Severity.WARN
    assert REGISTRY["S9"].severity == Severity.HARD


# --- S6 --------------------------------------------------------------------------------


def test_s6_passes_for_a_clean_declaration_without_looking_up_the_period():
    assert rules.provider_condition_violations(CLEAN, at=AT, lookback=never()) == []


def test_s6_no_profile_asks_to_complete_it():
    with translation.override("en"):
        (v,) = s6(None)
    assert (v.rule, v.severity, v.field) == ("S6", "hard", "compliance")
    assert "has not been completed" in v.message
    assert "政府采购法 第二十二条" in v.basis and "政府采购法 第二十二条" in v.message


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"independent_civil_liability": False}, "independent_civil_liability", "civil liability"),
        ({"good_tax_record": False}, "good_tax_record", "依法纳税"),
        ({"good_social_insurance_record": False}, "good_social_insurance_record", "社会保险"),
        ({"on_abnormal_operation_list": True}, "on_abnormal_operation_list", "经营异常名录"),
        ({"on_serious_violation_list": True}, "on_serious_violation_list", "严重违法失信名单"),
        ({"last_serious_violation_on": D(2024, 1, 10)}, "last_serious_violation_on", "2024-01-10"),
    ],
)
def test_s6_each_condition_refuses_and_names_its_field(change, field, words):
    with translation.override("en"):
        (v,) = s6(with_(CLEAN, **change))
    assert (v.rule, v.severity, v.field) == ("S6", "hard", field)
    assert words in v.message
    assert v.basis in v.message


def test_s6_serious_violation_counts_only_within_the_period_at_the_date():
    facts = with_(CLEAN, last_serious_violation_on=D(2023, 9, 2))
    assert [v.field for v in s6(facts, at=D(2026, 9, 1))] == ["last_serious_violation_on"]
    assert s6(facts, at=D(2026, 9, 2)) == []  # exactly 3 years later: outside
    assert s6(facts, at=D(2026, 9, 2), years=5) != []  # a region that set 5 years
    # Judged at a date before the violation happened: not yet on record.
    assert s6(facts, at=D(2023, 9, 1)) == []


def test_s6_serious_violation_message_cites_the_parameter():
    with translation.override("en"):
        (v,) = s6(with_(CLEAN, last_serious_violation_on=D(2025, 5, 1)))
    assert "within the 3 years before 2026-09-01" in v.message
    assert "national" in v.message


def test_add_years_handles_29_february():
    assert rules.add_years(D(2024, 2, 29), -1) == D(2023, 2, 28)
    assert rules.add_years(D(2024, 2, 29), 4) == D(2028, 2, 29)
    assert rules.add_years(D(2025, 3, 1), 3) == D(2028, 3, 1)


# --- S7 --------------------------------------------------------------------------------


def test_s7_passes_for_a_clean_social_organization():
    assert rules.social_organization_violations(CLEAN_SOCIAL, at=AT, report_due=never()) == []


@pytest.mark.parametrize(
    "field",
    [
        "civil_affairs_registered",
        "has_fixed_premises",
        "has_full_time_staff",
        "sound_governance",
        "sound_accounting",
        "in_qualified_directory",
    ],
)
def test_s7_each_condition_refuses_and_names_its_field(field):
    (v,) = s7(with_(CLEAN_SOCIAL, **{field: False}))
    assert (v.rule, v.severity, v.field) == ("S7", "hard", field)
    assert "Q95; Q96" in v.message


def test_s7_failed_annual_inspection_refuses():
    with translation.override("en"):
        (v,) = s7(with_(CLEAN_SOCIAL, annual_inspection_passed=False))
    assert (v.rule, v.field) == ("S7", "annual_inspection_passed")
    assert "2025" in v.message


@pytest.mark.parametrize(
    ("year", "at", "refused"),
    [
        (2025, D(2026, 9, 1), False),  # last year's, after the due date
        (2024, D(2026, 6, 30), False),  # last year's is due today: the one before suffices
        (2024, D(2026, 7, 1), True),  # last year's is overdue
        (2023, D(2026, 3, 1), True),  # two years old even before the due date
        (None, D(2026, 9, 1), True),  # none on record for an organization of 2015
    ],
)
def test_s7_annual_inspection_must_be_current_at_the_date(year, at, refused):
    facts = with_(CLEAN_SOCIAL, annual_inspection_year=year, annual_inspection_passed=bool(year))
    found = s7(facts, at=at)
    assert [v.field for v in found] == (["annual_inspection_year"] if refused else [])


def test_s7_due_date_is_a_parameter():
    facts = with_(CLEAN_SOCIAL, annual_inspection_year=2024)
    assert s7(facts, at=D(2026, 5, 1), due=(6, 30)) == []
    assert [v.field for v in s7(facts, at=D(2026, 5, 1), due=(3, 31))] == ["annual_inspection_year"]


def test_s7_young_organization_with_a_clean_record_is_never_refused():
    """Q96: no minimum age. Founded a year ago, no annual inspection due yet."""
    at = D(2026, 9, 1)
    young = with_(
        CLEAN_SOCIAL,
        established_on=rules.add_years(at, -1),
        annual_inspection_year=None,
        annual_inspection_passed=False,
    )
    assert s7(young, at=at) == []
    assert s6(young, at=at) == []
    # Even founded last week.
    assert s7(with_(young, established_on=at - dt.timedelta(days=7)), at=at) == []


def test_s7_no_inspection_and_no_registration_date_asks_for_either():
    facts = with_(
        CLEAN_SOCIAL,
        established_on=None,
        annual_inspection_year=None,
        annual_inspection_passed=False,
    )
    with translation.override("en"):
        (v,) = s7(facts)
    assert v.field == "annual_inspection_year"
    assert "too new" in v.message


def test_s7_without_a_profile_leaves_it_to_s6():
    assert s7(None) == []


def test_inspection_due_year():
    assert rules.inspection_due_year(D(2026, 6, 30), (6, 30)) == 2024
    assert rules.inspection_due_year(D(2026, 7, 1), (6, 30)) == 2025
    assert rules.inspection_due_year(D(2025, 3, 1), (2, 29)) == 2024  # 28 Feb in 2025


# --- S8 --------------------------------------------------------------------------------


def test_s8_warns_for_a_natural_person_and_never_refuses():
    with translation.override("en"):
        (v,) = rules.individual_violations(OrgCategory(org_type="natural_person"))
    assert (v.rule, v.severity, v.field) == ("S8", "warn", "org_type")
    assert not v.is_hard
    assert "变相用工" in v.message and BASIS["S8"] in v.message


@pytest.mark.parametrize("org_type", ["individual_business", "enterprise", "social_organization"])
def test_s8_passes_for_businesses_including_individual_businesses(org_type):
    assert rules.individual_violations(OrgCategory(org_type=org_type)) == []


# --- S9 --------------------------------------------------------------------------------


def credit(kind="serious_breach", **over):
    values = dict(
        pk=1,
        kind=kind,
        description="合同履行中以次充好，经验收不合格且拒不整改。",
        recorded_by="郑州市民政局",
        recorded_on=D(2026, 3, 1),
        exclusion_from=D(2026, 3, 1) if kind == "serious_breach" else None,
        exclusion_until=D(2027, 2, 28) if kind == "serious_breach" else None,
        basis="政府采购法 第七十七条",
        revoked_on=None,
    )
    values.update(over)
    return CreditFacts(**values)


@pytest.mark.parametrize(
    ("at", "in_force"),
    [
        (D(2026, 2, 28), False),  # before it was recorded
        (D(2026, 3, 1), True),  # first day
        (D(2027, 2, 28), True),  # last day, inclusive
        (D(2027, 3, 1), False),  # expired
    ],
)
def test_s9_exclusion_in_force_only_within_its_period(at, in_force):
    record = credit()
    assert rules.exclusion_in_force(record, at) is in_force
    found = rules.credit_violations([record], at=at)
    if in_force:
        (v,) = found
        assert (v.rule, v.severity, v.field) == ("S9", "hard", "credit_records")
        assert "政府采购法 第七十七条" in v.basis
    else:
        assert not any(v.is_hard for v in found)


def test_s9_revoked_record_stops_excluding_from_the_day_it_was_revoked():
    record = credit(revoked_on=D(2026, 6, 1))
    assert rules.exclusion_in_force(record, D(2026, 5, 31))
    assert not rules.exclusion_in_force(record, D(2026, 6, 1))
    assert rules.credit_violations([record], at=D(2026, 7, 1)) == []  # not even reported


def test_s9_expired_serious_breach_and_other_records_are_reported():
    records = [credit(), credit(kind="breach", pk=2), credit(kind="other", pk=3)]
    with translation.override("en"):
        found = rules.credit_violations(records, at=D(2027, 6, 1))
    assert [v.severity for v in found] == ["report", "report", "report"]
    assert "not in force on 2027-06-01" in found[0].message
    assert all(v.rule == "S9" for v in found)


def test_s9_breach_without_exclusion_never_refuses():
    assert not any(v.is_hard for v in rules.credit_violations([credit(kind="breach")], at=AT))


@pytest.mark.parametrize(
    ("until", "ok"),
    [
        (D(2027, 2, 28), True),  # exactly 1 year
        (D(2029, 2, 28), True),  # exactly 3 years
        (D(2027, 2, 27), False),  # shorter than 1 year
        (D(2029, 3, 1), False),  # longer than 3 years
    ],
)
def test_exclusion_period_within_the_legal_range(until, ok):
    errors = rules.exclusion_period_errors(
        kind="serious_breach",
        exclusion_from=D(2026, 3, 1),
        exclusion_until=until,
        min_years=cited("credit.exclusion_years_min", 1),
        max_years=cited("credit.exclusion_years_max", 3),
    )
    assert (errors == {}) is ok
    if not ok:
        assert set(errors) == {"exclusion_until"}


def test_exclusion_period_needed_for_serious_breach_and_refused_for_others():
    one, three = cited("a", 1), cited("b", 3)
    assert set(
        rules.exclusion_period_errors(
            kind="serious_breach",
            exclusion_from=None,
            exclusion_until=None,
            min_years=one,
            max_years=three,
        )
    ) == {"exclusion_from", "exclusion_until"}
    assert set(
        rules.exclusion_period_errors(
            kind="breach",
            exclusion_from=D(2026, 1, 1),
            exclusion_until=None,
            min_years=one,
            max_years=three,
        )
    ) == {"exclusion_from"}
