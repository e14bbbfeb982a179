"""Who may buy and who may provide: rules S1–S5 (reference/rules.md).

Pure functions: an organization's category facts in, ``list[Violation]`` out.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from govbuy.core.rules import Rule, Severity

from .models import InstitutionClass, OrgType, SocialOrgForm, Staffing

S1 = Rule(
    "S1", Severity.HARD, "102号令 第五条; Q19; Q89(1)", gettext_noop("Purchasers are state organs")
)
S2 = Rule("S2", Severity.HARD, "102号令 第六条; Q21–Q23", gettext_noop("Who may be a provider"))
S3 = Rule(
    "S3",
    Severity.HARD,
    "102号令 第八条; Q20; Q24; Q28(2)",
    gettext_noop(
        "公益一类 units and fiscally funded institutional mass organizations take part in neither role"
    ),
)
S4 = Rule(
    "S4",
    Severity.HARD,
    "Q26; Q89(4)",
    gettext_noop("Unclassified public institutions take part in neither role"),
)
S5 = Rule(
    "S5",
    Severity.HARD,
    "Q27",
    gettext_noop("One organization is never both purchaser and provider"),
)

STATE_ORGANS = {
    OrgType.ADMINISTRATIVE_ORGAN,
    OrgType.PEOPLES_CONGRESS,
    OrgType.SUPERVISORY_ORGAN,
    OrgType.COURT,
    OrgType.PROCURATORATE,
}
# Q19: "also allowed as needed"
OTHER_ORGANS = {OrgType.PARTY_ORGAN, OrgType.CPPCC_ORGAN, OrgType.DEMOCRATIC_PARTY_ORGAN}
PROVIDER_TYPES = {
    OrgType.ENTERPRISE,
    OrgType.SOCIAL_ORGANIZATION,
    OrgType.RURAL_COLLECTIVE,
    OrgType.GRASSROOTS_AUTONOMY,
    OrgType.INDIVIDUAL_BUSINESS,
    OrgType.NATURAL_PERSON,
}


@dataclass(frozen=True)
class OrgCategory:
    org_type: str
    institution_class: str = ""
    staffing: str = ""
    fiscal_funded: bool | None = None
    social_org_form: str = ""

    @classmethod
    def of(cls, org) -> OrgCategory:
        return cls(
            org_type=org.org_type,
            institution_class=org.institution_class or "",
            staffing=org.staffing or "",
            fiscal_funded=org.fiscal_funded,
            social_org_form=org.social_org_form or "",
        )


def category_errors(cat: OrgCategory) -> dict[str, str]:
    """Field → message for missing, unknown or inapplicable category fields."""
    errors: dict[str, str] = {}
    if cat.org_type not in OrgType.values:
        errors["org_type"] = _("Unknown category %(value)r; expected one of: %(choices)s.") % {
            "value": cat.org_type,
            "choices": ", ".join(OrgType.values),
        }
        return errors

    def need(field, value, choices, applies):
        if applies:
            if not value:
                errors[field] = _("Required for this category; one of: %(choices)s.") % {
                    "choices": ", ".join(choices)
                }
            elif value not in choices:
                errors[field] = _("Unknown value %(value)r; expected one of: %(choices)s.") % {
                    "value": value,
                    "choices": ", ".join(choices),
                }
        elif value:
            errors[field] = _("Applies only to %(category)s; leave it empty for %(org_type)s.") % {
                "category": applies_to[field],
                "org_type": cat.org_type,
            }

    applies_to = {
        "institution_class": OrgType.PUBLIC_INSTITUTION.value,
        "staffing": OrgType.MASS_ORGANIZATION.value,
        "social_org_form": OrgType.SOCIAL_ORGANIZATION.value,
    }
    need(
        "institution_class",
        cat.institution_class,
        InstitutionClass.values,
        cat.org_type == OrgType.PUBLIC_INSTITUTION,
    )
    need("staffing", cat.staffing, Staffing.values, cat.org_type == OrgType.MASS_ORGANIZATION)
    need(
        "social_org_form",
        cat.social_org_form,
        SocialOrgForm.values,
        cat.org_type == OrgType.SOCIAL_ORGANIZATION,
    )
    if cat.org_type == OrgType.MASS_ORGANIZATION:
        if cat.fiscal_funded is None:
            errors["fiscal_funded"] = _("Required for mass organizations: true or false.")
    elif cat.fiscal_funded is not None:
        errors["fiscal_funded"] = _("Applies only to mass_organization; leave it empty.")
    return errors


def _neither(cat: OrgCategory):
    """S3 and S4 bar both roles; returns the violation or None."""
    if cat.org_type == OrgType.PUBLIC_INSTITUTION:
        if cat.institution_class == InstitutionClass.PUBLIC_WELFARE_1:
            return S3, _(
                "A 公益一类 public institution is neither a purchaser nor a provider of "
                "government-purchased services (it may only buy auxiliary services for its own "
                "work)."
            )
        if cat.institution_class == InstitutionClass.UNCLASSIFIED:
            return S4, _(
                "A public institution that is not yet classified (尚未分类) takes part in "
                "government purchase of services in neither role until it is classified."
            )
    if (
        cat.org_type == OrgType.MASS_ORGANIZATION
        and cat.staffing == Staffing.INSTITUTIONAL
        and cat.fiscal_funded
    ):
        return S3, _(
            "A mass organization with institutional staffing (事业编制) funded by fiscal "
            "appropriation is treated like a 公益一类 unit: neither purchaser nor provider."
        )
    return None


def _with_basis(rule: Rule, message: str, field: str):
    return rule.violation(
        _("%(message)s Basis: %(basis)s.") % {"message": message, "basis": rule.basis}, field=field
    )


def purchaser_violations(cat: OrgCategory) -> list:
    """S1, S3, S4: may this category act as a purchaser (购买主体)?"""
    neither = _neither(cat)
    if neither:
        rule, message = neither
        return [_with_basis(rule, message, _field_of(cat))]
    if cat.org_type in STATE_ORGANS or cat.org_type in OTHER_ORGANS:
        return []
    if (
        cat.org_type == OrgType.PUBLIC_INSTITUTION
        and cat.institution_class == InstitutionClass.ADMINISTRATIVE
    ):
        return []
    if cat.org_type == OrgType.MASS_ORGANIZATION and cat.staffing == Staffing.ADMINISTRATIVE:
        return []
    return [
        _with_basis(
            S1,
            _(
                "Only state organs may purchase services: administrative, people's-congress, "
                "supervisory, judicial and procuratorial organs, and as needed party, CPPCC and "
                "democratic-party organs, public institutions performing administrative "
                "functions and mass-organization organs with administrative staffing. "
                "%(category)s is none of these."
            )
            % {"category": _category_label(cat)},
            _field_of(cat),
        )
    ]


def provider_violations(cat: OrgCategory) -> list:
    """S2, S3, S4, S5: may this category act as a provider (承接主体)?"""
    neither = _neither(cat)
    if neither:
        rule, message = neither
        return [_with_basis(rule, message, _field_of(cat))]
    if cat.org_type in PROVIDER_TYPES:
        return []
    if cat.org_type == OrgType.PUBLIC_INSTITUTION and cat.institution_class in (
        InstitutionClass.PUBLIC_WELFARE_2,
        InstitutionClass.BUSINESS,
    ):
        return []
    if cat.org_type == OrgType.MASS_ORGANIZATION:
        if cat.staffing == Staffing.ADMINISTRATIVE:
            return [
                _with_basis(
                    S5,
                    _(
                        "A mass-organization organ with administrative staffing is a purchaser; "
                        "one organization is never both purchaser and provider."
                    ),
                    "staffing",
                )
            ]
        return []  # institutional staffing, not fiscally funded: Q28(3)
    return [
        _with_basis(
            S2,
            _(
                "Providers are enterprises, social organizations, 公益二类 public institutions and "
                "those engaged in business operations, rural collective economic organizations, "
                "grassroots self-governing organizations and qualified individuals. "
                "%(category)s is none of these."
            )
            % {"category": _category_label(cat)},
            _field_of(cat),
        )
    ]


def role_conflict_violations(*, is_purchaser: bool, is_provider: bool) -> list:
    """S5 for a concrete organization: never both purchaser and provider."""
    if is_purchaser and is_provider:
        return [
            _with_basis(
                S5,
                _(
                    "This organization is already registered in the other role; one organization "
                    "is never both purchaser and provider."
                ),
                "is_provider",
            )
        ]
    return []


def eligibility(cat: OrgCategory) -> dict:
    purchaser = purchaser_violations(cat)
    provider = provider_violations(cat)
    return {
        "purchaser": {"eligible": not purchaser, "violations": [v.as_dict() for v in purchaser]},
        "provider": {"eligible": not provider, "violations": [v.as_dict() for v in provider]},
    }


def _field_of(cat: OrgCategory) -> str:
    if cat.org_type == OrgType.PUBLIC_INSTITUTION:
        return "institution_class"
    if cat.org_type == OrgType.MASS_ORGANIZATION:
        return "staffing" if cat.staffing == Staffing.ADMINISTRATIVE else "fiscal_funded"
    return "org_type"


def _category_label(cat: OrgCategory) -> str:
    label = str(OrgType(cat.org_type).label)
    if cat.institution_class:
        label += " / " + str(InstitutionClass(cat.institution_class).label)
    return label
