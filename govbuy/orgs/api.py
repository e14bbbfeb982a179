import datetime as dt

from django.http import Http404
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field

from govbuy.core.api_auth import AUTH, PublicRateThrottle
from govbuy.core.api_types import Code, Id, PageNumberPagination, Year
from govbuy.core.errors import ApplicationError

from . import rules, selectors, services

router = Router(tags=["organizations"], auth=AUTH)


class RegionOut(Schema):
    code: str
    name: str
    level: str
    parent_code: str | None

    @staticmethod
    def resolve_parent_code(obj):
        return obj.parent.code if obj.parent_id else None


class RegionFilter(Schema):
    parent: str | None = None
    level: str | None = None
    q: str = ""


@router.get("/regions", response=list[RegionOut], summary="Regions visible to you")
@paginate(PageNumberPagination, page_size=100)
def list_regions(request, filters: Query[RegionFilter]):
    return selectors.regions_for_user(
        request.auth, parent_code=filters.parent, level=filters.level, q=filters.q
    ).select_related("parent")


@router.get("/regions/{code}", response=RegionOut)
def get_region(request, code: Code):
    return selectors.region_for_user(request.auth, code)


class OrganizationOut(Schema):
    id: int
    name: str
    region_code: str
    region_name: str
    uscc: str
    org_type: str
    institution_class: str
    staffing: str
    fiscal_funded: bool | None
    social_org_form: str
    sme_size: str
    roles: list[str]

    @staticmethod
    def resolve_region_code(obj):
        return obj.region.code

    @staticmethod
    def resolve_region_name(obj):
        return obj.region.name

    @staticmethod
    def resolve_roles(obj):
        return obj.platform_roles


class OrganizationFilter(Schema):
    q: str = ""
    role: str | None = None
    region: str | None = None


@router.get(
    "/organizations", response=list[OrganizationOut], summary="Organizations visible to you"
)
@paginate(PageNumberPagination, page_size=50)
def list_organizations(request, filters: Query[OrganizationFilter]):
    return selectors.organizations_for_user(
        request.auth, q=filters.q, role=filters.role, region_code=filters.region
    )


@router.get("/organizations/{org_id}", response=OrganizationOut)
def get_organization(request, org_id: Id):
    return selectors.organization_for_user(request.auth, org_id)


# --- bidding eligibility (S2–S9), compliance profile, credit records ----------------


class ViolationOut(Schema):
    rule: str
    severity: str
    message: str
    basis: str
    field: str | None


class CreditEntryOut(Schema):
    id: int
    kind: str
    kind_label: str
    description: str
    recorded_by: str
    project: str = Field(description="the purchase the record concerns: number and name")
    project_reference: str
    recorded_on: dt.date
    exclusion_from: dt.date | None
    exclusion_until: dt.date | None
    basis: str
    in_force: bool


class BiddingEligibilityOut(Schema):
    organization_id: int
    at: dt.date
    eligible: bool = Field(description="no hard violation: the organization may bid on that date")
    violations: list[ViolationOut] = Field(
        description="hard ones refuse a bid; warn and report ones are shown to the purchaser"
    )
    credit_records: list[CreditEntryOut]


class AtFilter(Schema):
    at: dt.date | None = Field(None, description="the date to judge (default: today)")


@router.get(
    "/organizations/{org_id}/bidding-eligibility",
    response=BiddingEligibilityOut,
    summary="May this organization bid on a date? Rules S2–S9 with reasons",
)
def bidding_eligibility(request, org_id: Id, filters: Query[AtFilter]):
    org = selectors.organization_for_user(request.auth, org_id)
    at = filters.at or timezone.localdate()
    violations = selectors.bidding_violations(org, at=at)
    return {
        "organization_id": org.pk,
        "at": at,
        "eligible": not any(v.is_hard for v in violations),
        "violations": [v.as_dict() for v in violations],
        "credit_records": [e.as_dict() for e in selectors.credit_summary(org, at)],
    }


class ComplianceIn(Schema):
    """Only the fields sent change. S7 fields apply to social organizations only."""

    established_on: dt.date | None = None
    independent_civil_liability: bool | None = None
    good_tax_record: bool | None = None
    good_social_insurance_record: bool | None = None
    last_serious_violation_on: dt.date | None = Field(
        None, description="date of the latest serious violation of law in business, if any"
    )
    on_abnormal_operation_list: bool | None = None
    on_serious_violation_list: bool | None = None
    civil_affairs_registered: bool | None = None
    has_fixed_premises: bool | None = None
    has_full_time_staff: bool | None = None
    sound_governance: bool | None = None
    sound_accounting: bool | None = None
    annual_inspection_year: Year | None = None
    annual_inspection_passed: bool | None = None
    in_qualified_directory: bool | None = None
    note: str | None = None


class ComplianceOut(Schema):
    organization_id: int
    declared: bool
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
    note: str = ""
    declared_at: dt.datetime | None = None
    verified_at: dt.datetime | None = None


def _compliance_out(org, compliance) -> dict:
    if compliance is None:
        return {"organization_id": org.pk, "declared": False}
    body = {name: getattr(compliance, name) for name in services.COMPLIANCE_INPUT}
    return {
        **body,
        "organization_id": org.pk,
        "declared": True,
        "declared_at": compliance.declared_at,
        "verified_at": compliance.verified_at,
    }


@router.get("/organizations/{org_id}/compliance", response=ComplianceOut)
def get_compliance(request, org_id: Id):
    org = selectors.organization_for_user(request.auth, org_id)
    return _compliance_out(org, selectors.compliance_of(org))


@router.put(
    "/organizations/{org_id}/compliance",
    response=ComplianceOut,
    summary="A provider declares its compliance profile (S6, S7); fields sent change",
)
def declare_compliance(request, org_id: Id, payload: ComplianceIn):
    org = selectors.organization_for_user(request.auth, org_id)
    data = payload.dict(exclude_unset=True)
    # null clears a date or the inspection year; for yes/no answers it means "no".
    compliance = services.declare_compliance(actor=request.auth, organization=org, **data)
    return _compliance_out(org, compliance)


@router.post(
    "/organizations/{org_id}/compliance/verify",
    response=ComplianceOut,
    summary="A finance bureau of the region verifies the declaration",
)
def verify_compliance(request, org_id: Id):
    org = selectors.organization_for_user(request.auth, org_id)
    compliance = services.verify_compliance(actor=request.auth, organization=org)
    return _compliance_out(org, compliance)


class CreditObjectionOut(Schema):
    text: str
    raised_at: dt.datetime
    answered_at: dt.datetime | None
    answer: str
    record_revoked: bool


class CreditRecordOut(Schema):
    id: int
    organization_id: int
    organization_name: str
    kind: str
    description: str
    recording_organization_id: int
    recording_organization_name: str
    project_id: int | None
    project_code: str | None
    project_name: str | None
    project_reference: str
    recorded_at: dt.datetime
    exclusion_from: dt.date | None
    exclusion_until: dt.date | None
    basis: str
    in_force_today: bool
    revoked_at: dt.datetime | None
    revoked_reason: str
    objection: CreditObjectionOut | None

    @staticmethod
    def resolve_organization_name(obj):
        return obj.organization.name

    @staticmethod
    def resolve_recording_organization_name(obj):
        return obj.recording_organization.name

    @staticmethod
    def resolve_project_code(obj):
        return obj.project.code if obj.project_id else None

    @staticmethod
    def resolve_project_name(obj):
        return obj.project.name if obj.project_id else None

    @staticmethod
    def resolve_in_force_today(obj):
        return rules.exclusion_in_force(rules.CreditFacts.of(obj), timezone.localdate())

    @staticmethod
    def resolve_objection(obj):
        return selectors.objection_of(obj)


class CreditRecordFilter(Schema):
    organization_id: Id | None = None
    kind: str | None = None


class CreditRecordIn(Schema):
    provider: str = Field(
        max_length=40,
        description="the provider's unified social credit code, or its platform number "
        "(natural persons have no code)",
    )
    project: str = Field(
        max_length=40,
        description="the project concerned, by its number (项目编号) or id: one in which the "
        "provider's bid was opened",
    )
    kind: str = Field(description="serious_breach, breach or other")
    description: str
    basis: str = Field(description="legal basis, e.g. 政府采购法 第七十七条 and the decision")
    project_reference: str = Field("", description="a contract or other reference, if any")
    exclusion_from: dt.date | None = Field(None, description="serious breach: first day excluded")
    exclusion_until: dt.date | None = Field(
        None, description="serious breach: last day excluded, 1–3 years after the first"
    )
    recording_organization_id: Id | None = Field(
        None,
        description="the department or finance bureau recording; left out when you act for one",
    )


class RevokeIn(Schema):
    reason: str


class ObjectionIn(Schema):
    text: str = Field(description="why the record is wrong")


class KeepIn(Schema):
    answer: str = Field(description="why the record stands")


@router.get(
    "/credit-records", response=list[CreditRecordOut], summary="Credit records visible to you"
)
@paginate(PageNumberPagination, page_size=50)
def list_credit_records(request, filters: Query[CreditRecordFilter]):
    org = (
        selectors.organization_for_user(request.auth, filters.organization_id)
        if filters.organization_id is not None
        else None
    )
    return selectors.credit_records_for_user(request.auth, organization=org, kind=filters.kind)


@router.post(
    "/credit-records",
    response={201: CreditRecordOut},
    summary="The purchaser or finance bureau of a purchase records a provider's breach (S9)",
)
def record_credit(request, payload: CreditRecordIn):
    recorder = services.recording_organization_for(request.auth, payload.recording_organization_id)
    provider = selectors.provider_by_identifier(payload.provider)
    data = payload.dict(exclude={"provider", "project", "recording_organization_id"})
    record = services.record_credit(
        actor=request.auth,
        recording_organization=recorder,
        organization=provider,
        project=selectors.project_concerned(provider, payload.project),
        **data,
    )
    return Status(201, selectors.credit_record_for_user(request.auth, record.pk))


@router.get("/credit-records/{pk}", response=CreditRecordOut)
def get_credit_record(request, pk: Id):
    return selectors.credit_record_for_user(request.auth, pk)


@router.post(
    "/credit-records/{pk}/revoke",
    response=CreditRecordOut,
    summary="A finance bureau revokes a credit record, with the reason",
)
def revoke_credit(request, pk: Id, payload: RevokeIn):
    record = selectors.credit_record_for_user(request.auth, pk)
    services.revoke_credit(actor=request.auth, record=record, reason=payload.reason)
    return selectors.credit_record_for_user(request.auth, pk)


@router.post(
    "/credit-records/{pk}/objection",
    response={201: CreditRecordOut},
    summary="The provider objects to a credit record about it (异议), with its reasons",
)
def object_to_credit(request, pk: Id, payload: ObjectionIn):
    record = selectors.credit_record_for_user(request.auth, pk)
    services.object_to_credit(actor=request.auth, record=record, text=payload.text)
    return Status(201, selectors.credit_record_for_user(request.auth, pk))


@router.post(
    "/credit-records/{pk}/objection/keep",
    response=CreditRecordOut,
    summary="A finance bureau answers the objection by keeping the record, with its reasons",
)
def keep_credit(request, pk: Id, payload: KeepIn):
    record = selectors.credit_record_for_user(request.auth, pk)
    objection = selectors.objection_of(record)
    if objection is None:
        raise Http404("No objection to this record.")
    services.keep_credit(actor=request.auth, objection=objection, answer=payload.answer)
    return selectors.credit_record_for_user(request.auth, pk)


# --- public rule endpoint --------------------------------------------------------

public_router = Router(tags=["public rules"])


class EligibilityIn(Schema):
    org_type: str
    institution_class: str | None = None
    staffing: str | None = None
    fiscal_funded: bool | None = None
    social_org_form: str | None = None


class RoleEligibility(Schema):
    eligible: bool
    violations: list[ViolationOut]


class EligibilityOut(Schema):
    purchaser: RoleEligibility
    provider: RoleEligibility


@public_router.post(
    "/rules/eligibility",
    response=EligibilityOut,
    auth=None,
    throttle=[PublicRateThrottle()],
    summary="May an organization of this category buy (购买主体) or provide (承接主体)? Rules S1–S5",
)
def eligibility(request, payload: EligibilityIn):
    cat = rules.OrgCategory(
        org_type=payload.org_type,
        institution_class=payload.institution_class or "",
        staffing=payload.staffing or "",
        fiscal_funded=payload.fiscal_funded,
        social_org_form=payload.social_org_form or "",
    )
    errors = rules.category_errors(cat)
    if errors:
        raise InvalidCategory(errors)
    return rules.eligibility(cat)


class InvalidCategory(ApplicationError):
    def __init__(self, errors: dict[str, str]):
        super().__init__("invalid_input", "; ".join(errors.values()))
        self.errors = errors

    def as_body(self) -> dict:
        return {
            "code": self.code,
            "errors": [{"field": f, "message": m} for f, m in self.errors.items()],
        }
