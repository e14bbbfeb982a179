"""Who may buy and who may provide: rules S1–S9 (reference/rules.md).

Pure functions: an organization's facts in (category, compliance declaration,
credit records, and the policy parameters already looked up), ``list[Violation]``
out.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from govbuy.core.params import Cited
from govbuy.core.rules import Rule, Severity, Violation
from govbuy.core.text import Choice, Text

from .models import CreditKind, InstitutionClass, OrgType, SocialOrgForm, Staffing

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
S11 = Rule(
    "S11",
    Severity.WARN,
    "Q20",
    gettext_noop(
        "A 公益一类 unit may buy auxiliary services for its own work, never its main functions"
    ),
)
S10 = Rule(
    "S10",
    Severity.REPORT,
    "Q32",
    gettext_noop(
        "Under equal conditions decoupled 行业协会商会 are preferred for 行业管理 services"
    ),
)
# Q32: the services of industry management (行业管理) the preference applies to.
INDUSTRY_MANAGEMENT_WORDS = (
    "行业规划",
    "行业评价",
    "行业统计",
    "行业标准",
    "职业评价",
    "等级评定",
    "行业管理",
)


def is_industry_association(*, org_type: str, social_org_form: str, name: str) -> bool:
    """A 行业协会商会: a social group (社会团体) named as an association or chamber."""
    return (
        org_type == OrgType.SOCIAL_ORGANIZATION
        and social_org_form == SocialOrgForm.SOCIAL_GROUP
        and any(word in (name or "") for word in ("协会", "商会"))
    )


def is_industry_management(text: str) -> bool:
    return any(word in (text or "") for word in INDUSTRY_MANAGEMENT_WORDS)


def association_preference(*, provider_name: str) -> list:
    """S10 (report): the tie was broken for a decoupled industry association."""
    return [
        S10.violation(
            Text(
                gettext_noop(
                    "Equal with another bid, %(name)s — a decoupled industry association — is "
                    "preferred for an industry-management service."
                ),
                name=provider_name,
            )
        )
    ]


S5 = Rule(
    "S5",
    Severity.HARD,
    "Q27",
    gettext_noop("One organization is never both purchaser and provider"),
)
S6 = Rule(
    "S6",
    Severity.HARD,
    "102号令 第七条; Q96",
    gettext_noop("A provider meets the conditions of the procurement law"),
)
S7 = Rule(
    "S7",
    Severity.HARD,
    "Q95; Q96",
    gettext_noop("Social organizations meet the additional conditions; no minimum age for bidding"),
)
S8 = Rule(
    "S8",
    Severity.WARN,
    "102号令 第十八条; Q23; Q49",
    gettext_noop("Buying from an individual only where the service genuinely suits one"),
)
S9 = Rule(
    "S9",
    Severity.HARD,
    "102号令 第十七条; Q67; Q100",
    gettext_noop("A provider with a serious breach of trust is excluded for the period set"),
)

# 102号令 第七条 refers to the procurement law; 第二十二条 lists the conditions.
PROCUREMENT_LAW_BASIS = "政府采购法 第二十二条; 102号令 第七条; Q96"
EXCLUSION_BASIS = "政府采购法 第七十七条; 102号令 第十七条; Q67; Q100"

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
                "work: register it as a purchaser of auxiliary services only, S11)."
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


def _with_basis(
    rule: Rule, message: str, field: str, *, basis: str | None = None, severity: str | None = None
):
    basis = basis or rule.basis
    if isinstance(message, Text):  # kept as a Text where the violation may be stored
        message = Text(gettext_noop("%(message)s Basis: %(basis)s."), message=message, basis=basis)
    else:
        message = _("%(message)s Basis: %(basis)s.") % {"message": message, "basis": basis}
    return rule.violation(
        message,
        field=field,
        basis=basis,
        severity=severity,
    )


def can_buy_auxiliary_only(cat: OrgCategory) -> bool:
    """S11: the one category S3 bars that may still buy — auxiliary services for
    its own work (a 公益一类 unit, Q20)."""
    return (
        cat.org_type == OrgType.PUBLIC_INSTITUTION
        and cat.institution_class == InstitutionClass.PUBLIC_WELFARE_1
    )


def auxiliary_purchaser_violations(cat: OrgCategory, *, is_purchaser: bool) -> list:
    """S11: the allowance to buy auxiliary services is for purchasing 公益一类 units only."""
    if not can_buy_auxiliary_only(cat):
        return [
            _with_basis(
                S11,
                _(
                    "Only a 公益一类 public institution is registered as a purchaser of "
                    "auxiliary services only; %(category)s is not one."
                )
                % {"category": _category_label(cat)},
                "auxiliary_purchaser",
                severity=Severity.HARD,
            )
        ]
    if not is_purchaser:
        return [
            _with_basis(
                S11,
                _("A purchaser of auxiliary services only is a purchaser: register it as one."),
                "auxiliary_purchaser",
                severity=Severity.HARD,
            )
        ]
    return []


def purchaser_violations(cat: OrgCategory, *, auxiliary_only: bool = False) -> list:
    """S1, S3, S4: may this category act as a purchaser (购买主体)? With
    ``auxiliary_only`` a 公益一类 unit may, for auxiliary services (S11)."""
    if auxiliary_only and can_buy_auxiliary_only(cat):
        return []
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


# Q20: what says a purchase hands over the unit's own main functions.
MAIN_FUNCTION_WORDS = (
    "主要职能",
    "主体职能",
    "核心职能",
    "全部职能",
    "主责主业",
    "主体业务",
    "核心业务",
    "全部业务",
    "本单位职责",
    "本中心职责",
)


def auxiliary_purchase_violations(
    *,
    unit_name: str,
    item_kind: str,
    item_code: str,
    item_name: str,
    text: str,
    own_services: Iterable[tuple[str, str]],
) -> list[Violation]:
    """S3 and S11 for a purchase by a 公益一类 unit (a purchaser of auxiliary
    services only): a public service is refused (S3: it is no purchaser of the
    services it exists to provide); an auxiliary service is allowed, with a
    warning when the item or the text reads as the unit's main function — a
    service it is itself funded to provide (``own_services``: code, name) or
    words that hand over its main duties."""
    if item_kind != "auxiliary_service":
        return [
            _with_basis(
                S3,
                _(
                    "%(unit)s is a 公益一类 unit: it may buy auxiliary services for its own work "
                    "(S11) but no public service; “%(item)s” is a public service (公共服务)."
                )
                % {"unit": unit_name, "item": item_name},
                "catalog_item",
            )
        ]
    text = text or ""
    for code, name in own_services:
        if code and (item_code == code or item_code.startswith(code)):
            why = _("the item “%(item)s” is its own service “%(service)s”") % {
                "item": item_name,
                "service": name,
            }
            break
        if name and (name in text or name in item_name):
            why = _("the text names its own service “%(service)s”") % {"service": name}
            break
    else:
        words = [w for w in MAIN_FUNCTION_WORDS if w in text]
        if not words:
            return []
        why = _("the text speaks of “%(words)s”") % {"words": "、".join(words)}
    return [
        _with_basis(
            S11,
            _(
                "%(unit)s (公益一类) may buy auxiliary services for its own work, never hand over "
                "its main functions: %(why)s. The finance bureau is shown this purchase."
            )
            % {"unit": unit_name, "why": why},
            "catalog_item",
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


def not_registered_as_provider(org_name: str) -> Violation:
    """S2 for an organization whose category may provide but that has not taken
    the provider role on the platform."""
    return _with_basis(
        S2,
        _(
            "%(org)s is not registered as a provider (承接主体) on the platform; only "
            "providers may bid."
        )
        % {"org": org_name},
        "is_provider",
    )


# --- S6, S7: the provider's compliance declaration --------------------------------------


@dataclass(frozen=True)
class ComplianceFacts:
    """What a provider declared (models.ProviderCompliance), as plain values."""

    established_on: dt.date | None = None
    independent_civil_liability: bool = False
    good_tax_record: bool = False
    good_social_insurance_record: bool = False
    last_serious_violation_on: dt.date | None = None
    on_abnormal_operation_list: bool = False
    on_serious_violation_list: bool = False
    civil_affairs_registered: bool = False
    has_fixed_premises: bool = False
    has_full_time_staff: bool = False
    sound_governance: bool = False
    sound_accounting: bool = False
    annual_inspection_year: int | None = None
    annual_inspection_passed: bool = False
    in_qualified_directory: bool = False

    @classmethod
    def of(cls, compliance) -> ComplianceFacts:
        return cls(**{name: getattr(compliance, name) for name in COMPLIANCE_FIELDS})


COMPLIANCE_FIELDS = tuple(f.name for f in fields(ComplianceFacts))
# The S7 conditions, declared by social organizations only.
SOCIAL_ORG_FIELDS = (
    "civil_affairs_registered",
    "has_fixed_premises",
    "has_full_time_staff",
    "sound_governance",
    "sound_accounting",
    "annual_inspection_year",
    "annual_inspection_passed",
    "in_qualified_directory",
)


def add_years(day: dt.date, years: int) -> dt.date:
    """The same day `years` years later (earlier when negative); 29 February
    becomes 28 February in a common year."""
    year = day.year + years
    return day.replace(year=year, day=min(day.day, calendar.monthrange(year, day.month)[1]))


def provider_condition_violations(
    facts: ComplianceFacts | None,
    *,
    at: dt.date,
    lookback: Callable[[], Cited],
) -> list[Violation]:
    """S6 at date `at`. `lookback` gives the policy parameter "no serious violation
    in the last N years"; it is called only when a serious violation is on record."""
    if facts is None:
        return [
            _with_basis(
                S6,
                _(
                    "The provider's compliance profile (承接主体资格条件) has not been completed: "
                    "the provider must declare that it bears civil liability independently, "
                    "pays taxes and social insurance, has had no serious violation of law in "
                    "recent years and is on neither the abnormal-operation nor the "
                    "serious-violation list before it may bid."
                ),
                "compliance",
                basis=PROCUREMENT_LAW_BASIS,
            )
        ]
    found = []

    def refuse(field: str, message: str) -> None:
        found.append(_with_basis(S6, message, field, basis=PROCUREMENT_LAW_BASIS))

    if not facts.independent_civil_liability:
        refuse(
            "independent_civil_liability",
            _(
                "The provider has not declared that it can bear civil liability independently "
                "(独立承担民事责任)."
            ),
        )
    if not facts.good_tax_record:
        refuse(
            "good_tax_record",
            _("The provider has not declared a good record of paying taxes (依法纳税)."),
        )
    if not facts.good_social_insurance_record:
        refuse(
            "good_social_insurance_record",
            _(
                "The provider has not declared a good record of paying social insurance "
                "contributions (社会保险)."
            ),
        )
    violation_on = facts.last_serious_violation_on
    if violation_on is not None and violation_on <= at:
        period = lookback()
        if violation_on > add_years(at, -int(period.value)):
            refuse(
                "last_serious_violation_on",
                _(
                    "A serious violation of law in business activities (重大违法记录) is on "
                    "record for %(date)s, within the %(years)s years before %(at)s; a provider "
                    "must have none in that period (policy parameter: %(parameter)s)."
                )
                % {
                    "date": violation_on.isoformat(),
                    "years": period.value,
                    "at": at.isoformat(),
                    "parameter": period.text,
                },
            )
    if facts.on_abnormal_operation_list:
        refuse(
            "on_abnormal_operation_list",
            _(
                "The provider is listed on the abnormal-operation list (经营异常名录); it may "
                "bid again once it has been removed from the list."
            ),
        )
    if facts.on_serious_violation_list:
        refuse(
            "on_serious_violation_list",
            _(
                "The provider is listed on the serious-violation list (严重违法失信名单); it "
                "may bid again once it has been removed from the list."
            ),
        )
    return found


def inspection_due_year(at: dt.date, due: tuple[int, int]) -> int:
    """The latest year whose annual inspection (年检/年报) must be done by `at`: the
    inspection of year Y is due by month-day `due` of year Y+1."""
    month, day = due
    due_this_year = dt.date(at.year, month, min(day, calendar.monthrange(at.year, month)[1]))
    return at.year - 1 if at > due_this_year else at.year - 2


def social_organization_violations(
    facts: ComplianceFacts | None,
    *,
    at: dt.date,
    report_due: Callable[[], Cited],
) -> list[Violation]:
    """S7 at date `at`, for a social organization. `report_due` gives the policy
    parameter for the day of the year by which last year's annual inspection or
    report is due; it is called only when the inspection on record is old.

    Never refuses for being young (Q96): an organization established after the
    year whose inspection is due has had no inspection to pass, and its age is
    otherwise ignored."""
    if facts is None:
        return []  # S6 already asks for the whole profile
    found = []

    def refuse(field: str, message: str) -> None:
        found.append(_with_basis(S7, message, field))

    if not facts.civil_affairs_registered:
        refuse(
            "civil_affairs_registered",
            _(
                "A social organization must be registered with the civil-affairs department "
                "(民政部门登记) and hold its legal-person registration certificate."
            ),
        )
    if not facts.has_fixed_premises:
        refuse(
            "has_fixed_premises",
            _("A social organization must have fixed premises (固定办公场所)."),
        )
    if not facts.has_full_time_staff:
        refuse(
            "has_full_time_staff",
            _("A social organization must have full-time staff (专职工作人员)."),
        )
    if not facts.sound_governance:
        refuse(
            "sound_governance",
            _(
                "A social organization must have a sound corporate governance structure "
                "(健全的法人治理结构) with internal management, disclosure and democratic "
                "oversight."
            ),
        )
    if not facts.sound_accounting:
        refuse(
            "sound_accounting",
            _(
                "A social organization must have sound accounting and asset management "
                "(财务会计制度)."
            ),
        )
    year = facts.annual_inspection_year
    if year is not None and not facts.annual_inspection_passed:
        refuse(
            "annual_inspection_passed",
            _(
                "The annual inspection (年检/年报) for %(year)s was not passed; a social "
                "organization must have passed its latest annual inspection."
            )
            % {"year": year},
        )
    elif year is None or year < at.year - 1:
        due = report_due()
        expected = inspection_due_year(at, due.value)
        established = facts.established_on
        too_new = established is not None and established.year >= expected
        if not too_new and (year is None or year < expected):
            values = {
                "expected": expected,
                "year": year,
                "due": f"{expected + 1}-{due.value[0]:02d}-{due.value[1]:02d}",
                "parameter": f"{due.region}, {due.basis}",
            }
            if year is None and established is None:
                message = _(
                    "No annual inspection (年检/年报) is on record. Record the latest one and "
                    "its result, or the date of registration if the organization is too new "
                    "to have had one (the one for %(expected)s was due by %(due)s; policy "
                    "parameter: %(parameter)s)."
                )
            elif year is None:
                message = _(
                    "No annual inspection (年检/年报) is on record; the one for %(expected)s "
                    "was due by %(due)s (policy parameter: %(parameter)s)."
                )
            else:
                message = _(
                    "The latest annual inspection (年检/年报) on record is for %(year)s; the "
                    "one for %(expected)s was due by %(due)s (policy parameter: "
                    "%(parameter)s)."
                )
            refuse("annual_inspection_year", message % values)
    if not facts.in_qualified_directory:
        refuse(
            "in_qualified_directory",
            _(
                "A social organization must be in the directory of social organizations "
                "qualified to take on government functions and purchased services, published "
                "by the civil-affairs department (承接政府购买服务资质目录)."
            ),
        )
    return found


# --- S8: individuals -------------------------------------------------------------------


def individual_violations(cat: OrgCategory) -> list[Violation]:
    """S8: a warning, never a refusal, when the provider is a natural person.
    个体工商户 are businesses and get none."""
    if cat.org_type != OrgType.NATURAL_PERSON:
        return []
    return [
        _with_basis(
            S8,
            Text(
                gettext_noop(
                    "The bidder is a natural person (自然人). Buying from an individual is allowed "
                    "only where the service genuinely suits an individual, never as disguised "
                    "employment (以政府购买服务名义变相用工); the purchaser should confirm this "
                    "before awarding."
                )
            ),
            "org_type",
        )
    ]


# --- S9: credit records ----------------------------------------------------------------


@dataclass(frozen=True)
class CreditFacts:
    """One credit record as plain values; dates in the platform's time zone."""

    pk: int | None
    kind: str
    description: str
    recorded_by: str
    recorded_on: dt.date
    exclusion_from: dt.date | None
    exclusion_until: dt.date | None
    basis: str
    revoked_on: dt.date | None = None

    @classmethod
    def of(cls, record) -> CreditFacts:
        return cls(
            pk=record.pk,
            kind=record.kind,
            description=record.description,
            recorded_by=record.recording_organization.name,
            recorded_on=timezone.localdate(record.recorded_at),
            exclusion_from=record.exclusion_from,
            exclusion_until=record.exclusion_until,
            basis=record.basis,
            revoked_on=timezone.localdate(record.revoked_at) if record.revoked_at else None,
        )

    def on_record(self, at: dt.date) -> bool:
        """Recorded by `at` and not revoked by then."""
        return self.recorded_on <= at and (self.revoked_on is None or self.revoked_on > at)


def exclusion_in_force(record: CreditFacts, at: dt.date) -> bool:
    """Does this record bar the provider from bidding on `at`? Only a serious breach
    on record at that date, within its (inclusive) exclusion period."""
    return (
        record.kind == CreditKind.SERIOUS_BREACH
        and record.exclusion_from is not None
        and record.on_record(at)
        and record.exclusion_from <= at <= record.exclusion_until
    )


def _short(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def credit_violations(records: Iterable[CreditFacts], *, at: dt.date) -> list[Violation]:
    """S9 at date `at`: a serious breach whose exclusion period is in force refuses
    (hard); every other record on record at that date is reported."""
    found = []
    for r in records:
        if not r.on_record(at):
            continue
        values = {
            "kind": Choice(CreditKind, r.kind),
            "by": r.recorded_by,
            "on": r.recorded_on.isoformat(),
            "description": _short(r.description),
            "from": r.exclusion_from.isoformat() if r.exclusion_from else "",
            "until": r.exclusion_until.isoformat() if r.exclusion_until else "",
            "record_basis": r.basis,
        }
        if exclusion_in_force(r, at):
            found.append(
                _with_basis(
                    S9,
                    Text(
                        gettext_noop(
                            "Excluded from bidding from %(from)s to %(until)s (inclusive): a "
                            "serious breach of trust recorded by %(by)s on %(on)s under "
                            "%(record_basis)s: %(description)s"
                        ),
                        **values,
                    ),
                    "credit_records",
                    basis=EXCLUSION_BASIS,
                )
            )
        elif r.exclusion_from is not None:
            found.append(
                _with_basis(
                    S9,
                    Text(
                        gettext_noop(
                            "Credit record (%(kind)s) by %(by)s on %(on)s: %(description)s. Its "
                            "exclusion period %(from)s to %(until)s is not in force on %(at)s."
                        ),
                        **values,
                        at=at.isoformat(),
                    ),
                    "credit_records",
                    severity=Severity.REPORT,
                )
            )
        else:
            found.append(
                _with_basis(
                    S9,
                    Text(
                        gettext_noop(
                            "Credit record (%(kind)s) by %(by)s on %(on)s: %(description)s"
                        ),
                        **values,
                    ),
                    "credit_records",
                    severity=Severity.REPORT,
                )
            )
    return found


def exclusion_period_errors(
    *,
    kind: str,
    exclusion_from: dt.date | None,
    exclusion_until: dt.date | None,
    min_years: Cited,
    max_years: Cited,
) -> dict[str, str]:
    """Field → message: a serious breach needs an exclusion period the recorder
    chooses within the legal range (政府采购法 第七十七条: 1 to 3 years); other
    records have none."""
    errors: dict[str, str] = {}
    if kind != CreditKind.SERIOUS_BREACH:
        for name, value in (
            ("exclusion_from", exclusion_from),
            ("exclusion_until", exclusion_until),
        ):
            if value is not None:
                errors[name] = _(
                    "Only a serious breach of trust excludes a provider; leave it empty."
                )
        return errors
    if exclusion_from is None:
        errors["exclusion_from"] = _("A serious breach needs the first day of the exclusion.")
    if exclusion_until is None:
        errors["exclusion_until"] = _("A serious breach needs the last day of the exclusion.")
    if errors:
        return errors
    shortest = add_years(exclusion_from, int(min_years.value)) - dt.timedelta(days=1)
    longest = add_years(exclusion_from, int(max_years.value)) - dt.timedelta(days=1)
    if not shortest <= exclusion_until <= longest:
        errors["exclusion_until"] = _(
            "The exclusion lasts from %(min)s to %(max)s years: with a first day of %(from)s "
            "the last day is between %(shortest)s and %(longest)s (policy parameters: "
            "%(min_text)s; %(max_text)s)."
        ) % {
            "min": min_years.value,
            "max": max_years.value,
            "from": exclusion_from.isoformat(),
            "shortest": shortest.isoformat(),
            "longest": longest.isoformat(),
            "min_text": min_years.text,
            "max_text": max_years.text,
        }
    return errors
