"""S1–S5: who may buy and who may provide, for every category in both roles."""

import pytest
from django.utils import translation

from govbuy.core.rules import REGISTRY, Severity
from govbuy.orgs import rules
from govbuy.orgs.models import InstitutionClass, OrgType, SocialOrgForm, Staffing
from govbuy.orgs.rules import OrgCategory

# The bases exactly as reference/rules.md states them.
BASIS = {
    "S1": "102号令 第五条; Q19; Q89(1)",
    "S2": "102号令 第六条; Q21–Q23",
    "S3": "102号令 第八条; Q20; Q24; Q28(2)",
    "S4": "Q26; Q89(4)",
    "S5": "Q27",
}

PURCHASER_ONLY = (True, None, False, "S2")
PROVIDER_ONLY = (False, "S1", True, None)
NEITHER_S3 = (False, "S3", False, "S3")
NEITHER_S4 = (False, "S4", False, "S4")

# (category fields) → (purchaser eligible?, purchaser rule, provider eligible?, provider rule)
TABLE = [
    ({"org_type": "administrative_organ"}, PURCHASER_ONLY),
    ({"org_type": "peoples_congress"}, PURCHASER_ONLY),
    ({"org_type": "supervisory_organ"}, PURCHASER_ONLY),
    ({"org_type": "court"}, PURCHASER_ONLY),
    ({"org_type": "procuratorate"}, PURCHASER_ONLY),
    ({"org_type": "party_organ"}, PURCHASER_ONLY),
    ({"org_type": "cppcc_organ"}, PURCHASER_ONLY),
    ({"org_type": "democratic_party_organ"}, PURCHASER_ONLY),
    ({"org_type": "public_institution", "institution_class": "administrative"}, PURCHASER_ONLY),
    ({"org_type": "public_institution", "institution_class": "public_welfare_1"}, NEITHER_S3),
    ({"org_type": "public_institution", "institution_class": "public_welfare_2"}, PROVIDER_ONLY),
    ({"org_type": "public_institution", "institution_class": "business"}, PROVIDER_ONLY),
    ({"org_type": "public_institution", "institution_class": "unclassified"}, NEITHER_S4),
    (
        {"org_type": "mass_organization", "staffing": "administrative", "fiscal_funded": True},
        (True, None, False, "S5"),
    ),
    (
        {"org_type": "mass_organization", "staffing": "administrative", "fiscal_funded": False},
        (True, None, False, "S5"),
    ),
    (
        {"org_type": "mass_organization", "staffing": "institutional", "fiscal_funded": True},
        NEITHER_S3,
    ),
    (
        {"org_type": "mass_organization", "staffing": "institutional", "fiscal_funded": False},
        PROVIDER_ONLY,
    ),
    ({"org_type": "enterprise"}, PROVIDER_ONLY),
    ({"org_type": "social_organization", "social_org_form": "social_group"}, PROVIDER_ONLY),
    (
        {"org_type": "social_organization", "social_org_form": "social_service_agency"},
        PROVIDER_ONLY,
    ),
    ({"org_type": "social_organization", "social_org_form": "foundation"}, PROVIDER_ONLY),
    ({"org_type": "rural_collective"}, PROVIDER_ONLY),
    ({"org_type": "grassroots_autonomy"}, PROVIDER_ONLY),
    ({"org_type": "individual_business"}, PROVIDER_ONLY),
    ({"org_type": "natural_person"}, PROVIDER_ONLY),
]


def _id(row):
    fields, _ = row
    return "-".join(str(v) for v in fields.values())


def test_table_covers_every_category():
    covered = {f["org_type"] for f, _ in TABLE}
    assert covered == set(OrgType.values)
    assert {
        f["institution_class"] for f, _ in TABLE if f["org_type"] == "public_institution"
    } == set(InstitutionClass.values)
    assert {
        f["social_org_form"] for f, _ in TABLE if f["org_type"] == "social_organization"
    } == set(SocialOrgForm.values)
    assert {
        (f["staffing"], f["fiscal_funded"])
        for f, _ in TABLE
        if f["org_type"] == "mass_organization"
    } == {(s, b) for s in Staffing.values for b in (True, False)}


def _check(violations, eligible, rule_id):
    if eligible:
        assert violations == []
        return
    assert [v.rule for v in violations] == [rule_id]
    v = violations[0]
    assert v.severity == Severity.HARD
    assert v.is_hard
    assert v.basis == BASIS[rule_id]
    assert BASIS[rule_id] in v.message
    assert v.field


@pytest.mark.parametrize("row", TABLE, ids=[_id(r) for r in TABLE])
def test_purchaser_eligibility(row):
    fields, (purchaser_ok, purchaser_rule, _, _) = row
    cat = OrgCategory(**fields)
    assert rules.category_errors(cat) == {}
    _check(rules.purchaser_violations(cat), purchaser_ok, purchaser_rule)


@pytest.mark.parametrize("row", TABLE, ids=[_id(r) for r in TABLE])
def test_provider_eligibility(row):
    fields, (_, _, provider_ok, provider_rule) = row
    cat = OrgCategory(**fields)
    _check(rules.provider_violations(cat), provider_ok, provider_rule)


@pytest.mark.parametrize("row", TABLE, ids=[_id(r) for r in TABLE])
def test_eligibility_summary(row):
    fields, (purchaser_ok, purchaser_rule, provider_ok, provider_rule) = row
    result = rules.eligibility(OrgCategory(**fields))
    assert result["purchaser"]["eligible"] is purchaser_ok
    assert result["provider"]["eligible"] is provider_ok
    assert [v["rule"] for v in result["purchaser"]["violations"]] == (
        [] if purchaser_ok else [purchaser_rule]
    )
    assert [v["rule"] for v in result["provider"]["violations"]] == (
        [] if provider_ok else [provider_rule]
    )
    for role in ("purchaser", "provider"):
        for v in result[role]["violations"]:
            assert set(v) == {"rule", "severity", "message", "basis", "field"}
            assert v["severity"] == "hard"
            assert v["basis"] in v["message"]


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_basis_is_in_the_message_in_every_language(language):
    with translation.override(language):
        for fields, _ in TABLE:
            cat = OrgCategory(**fields)
            for v in rules.purchaser_violations(cat) + rules.provider_violations(cat):
                assert BASIS[v.rule] in v.message


def test_registered_rules_match_the_reference():
    for rule_id, basis in BASIS.items():
        assert REGISTRY[rule_id].basis == basis
        assert REGISTRY[rule_id].severity == Severity.HARD


@pytest.mark.parametrize(
    ("fields", "role", "field"),
    [
        ({"org_type": "enterprise"}, "purchaser", "org_type"),
        ({"org_type": "court"}, "provider", "org_type"),
        ({"org_type": "public_institution", "institution_class": "public_welfare_1"}, "both", "institution_class"),
        ({"org_type": "public_institution", "institution_class": "unclassified"}, "both", "institution_class"),
        ({"org_type": "public_institution", "institution_class": "business"}, "purchaser", "institution_class"),
        ({"org_type": "mass_organization", "staffing": "institutional", "fiscal_funded": True}, "both", "fiscal_funded"),
        ({"org_type": "mass_organization", "staffing": "administrative", "fiscal_funded": False}, "provider", "staffing"),
    ],
)  # fmt: skip
def test_violation_names_the_field_to_show_it_next_to(fields, role, field):
    cat = OrgCategory(**fields)
    found = []
    if role in ("purchaser", "both"):
        found += rules.purchaser_violations(cat)
    if role in ("provider", "both"):
        found += rules.provider_violations(cat)
    assert found
    assert {v.field for v in found} == {field}


def test_message_names_the_category():
    with translation.override("en"):
        (v,) = rules.purchaser_violations(OrgCategory(org_type="enterprise"))
        assert "Enterprise (企业)" in v.message
        (v,) = rules.provider_violations(
            OrgCategory(org_type="public_institution", institution_class="administrative")
        )
        assert "事业单位" in v.message and "承担行政职能" in v.message


# --- S5 for one organization ----------------------------------------------------------


def test_role_conflict():
    assert rules.role_conflict_violations(is_purchaser=True, is_provider=False) == []
    assert rules.role_conflict_violations(is_purchaser=False, is_provider=True) == []
    assert rules.role_conflict_violations(is_purchaser=False, is_provider=False) == []
    (v,) = rules.role_conflict_violations(is_purchaser=True, is_provider=True)
    assert v.rule == "S5"
    assert v.severity == Severity.HARD
    assert v.basis == "Q27"
    assert "Q27" in v.message
    assert v.field == "is_provider"


# --- category_errors ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        ({"org_type": "public_institution"}, {"institution_class"}),
        ({"org_type": "mass_organization", "fiscal_funded": True}, {"staffing"}),
        ({"org_type": "mass_organization", "staffing": "administrative"}, {"fiscal_funded"}),
        ({"org_type": "mass_organization"}, {"staffing", "fiscal_funded"}),
        ({"org_type": "social_organization"}, {"social_org_form"}),
        ({"org_type": "public_institution", "institution_class": "public_welfare_3"}, {"institution_class"}),
        ({"org_type": "mass_organization", "staffing": "contract", "fiscal_funded": False}, {"staffing"}),
        ({"org_type": "social_organization", "social_org_form": "club"}, {"social_org_form"}),
        ({"org_type": "enterprise", "institution_class": "business"}, {"institution_class"}),
        ({"org_type": "enterprise", "staffing": "administrative"}, {"staffing"}),
        ({"org_type": "enterprise", "fiscal_funded": False}, {"fiscal_funded"}),
        ({"org_type": "public_institution", "institution_class": "business", "fiscal_funded": True}, {"fiscal_funded"}),
        ({"org_type": "court", "social_org_form": "foundation"}, {"social_org_form"}),
        (
            {"org_type": "natural_person", "institution_class": "business", "staffing": "administrative", "social_org_form": "foundation", "fiscal_funded": True},
            {"institution_class", "staffing", "social_org_form", "fiscal_funded"},
        ),
        ({"org_type": "state_owned_bank"}, {"org_type"}),
        ({"org_type": ""}, {"org_type"}),
    ],
)  # fmt: skip
def test_category_errors(fields, errors):
    found = rules.category_errors(OrgCategory(**fields))
    assert set(found) == errors
    assert all(str(message).strip() for message in found.values())


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_category_error_messages_name_the_value_and_the_choices(language):
    with translation.override(language):
        found = rules.category_errors(
            OrgCategory(org_type="public_institution", institution_class="public_welfare_3")
        )
        assert "public_welfare_3" in found["institution_class"]
        assert "public_welfare_1" in found["institution_class"]
        assert "unclassified" in found["institution_class"]
        found = rules.category_errors(OrgCategory(org_type="public_institution"))
        assert "public_welfare_2" in found["institution_class"]
        found = rules.category_errors(OrgCategory(org_type="state_owned_bank"))
        assert "state_owned_bank" in found["org_type"]
        assert "natural_person" in found["org_type"]
        found = rules.category_errors(OrgCategory(org_type="enterprise", staffing="administrative"))
        assert "mass_organization" in found["staffing"]


def test_category_of_an_organization_like_object():
    class Org:
        org_type = "mass_organization"
        institution_class = None
        staffing = "institutional"
        fiscal_funded = False
        social_org_form = ""

    assert OrgCategory.of(Org()) == OrgCategory(
        org_type="mass_organization", staffing="institutional", fiscal_funded=False
    )
