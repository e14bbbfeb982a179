"""Procurement API: the public method oracle; scoped projects, requirements,
reviews, methods and splitting flags."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field

from govbuy.budgets.models import BudgetLine
from govbuy.core.api_auth import AUTH, PublicRateThrottle
from govbuy.core.api_types import Id, PageNumberPagination, Year
from govbuy.core.dates import TypedDate
from govbuy.core.errors import InvalidInput
from govbuy.core.idempotency import idempotent
from govbuy.core.params import ParameterMissing
from govbuy.core.permissions import get_for_user_or_404
from govbuy.core.text import shown_records
from govbuy.orgs.models import Region
from govbuy.procurement import methods, selectors, services
from govbuy.procurement.rules import MethodFacts

public_router = Router(tags=["procurement (public)"])
router = Router(tags=["procurement"], auth=AUTH)


class MethodsIn(Schema):
    region: str | None = Field(None, max_length=12, description="GB/T 2260 code; empty: national")
    on: dt.date | None = Field(None, description="the day the purchase starts; default today")
    amount: Decimal = Field(..., description="budget of the purchase in 元")
    centralized_catalog: bool = False
    own_public_welfare_2: bool = False
    voucher: bool = False
    emergency: bool = False


class Reason(Schema):
    rule: str
    message: str
    basis: str
    parameter: str | None = None


class CitedParameter(Schema):
    key: str
    name: str
    value: str
    effective_from: dt.date
    region: str
    basis: str


class MethodsOut(Schema):
    procurement_law_applies: bool
    allowed: list[str]
    requires_approval: list[str]
    default: str
    reasons: list[Reason]
    parameters: list[CitedParameter]


def region_by_code(code: str | None):
    code = (code or "").strip()
    if not code:
        return None
    region = Region.objects.filter(code=code).select_related("parent__parent").first()
    if region is None:
        raise InvalidInput(
            [
                {
                    "field": "region",
                    "message": _("Unknown region code %(code)s (use GB/T 2260, e.g. 410100).")
                    % {"code": code},
                }
            ]
        )
    return region


@public_router.post(
    "/rules/methods",
    response=MethodsOut,
    auth=None,
    throttle=[PublicRateThrottle()],
    summary="Which procurement methods a purchase may use (P2, P3, P6, P9), with reasons",
)
def method_oracle(request, payload: MethodsIn):
    errors = []
    amount = payload.amount
    if not amount.is_finite() or amount <= 0:
        errors.append({"field": "amount", "message": _("The amount must be more than 0.")})
    elif amount >= Decimal("1e14") or amount != amount.quantize(Decimal("0.01")):
        errors.append(
            {"field": "amount", "message": _("Give the amount in 元 with at most 2 decimals.")}
        )
    region = region_by_code(payload.region) if not errors else None
    if errors:
        raise InvalidInput(errors)
    facts = MethodFacts(
        amount=amount.quantize(Decimal("0.01")),
        centralized_catalog=payload.centralized_catalog,
        own_public_welfare_2=payload.own_public_welfare_2,
        voucher=payload.voucher,
        emergency=payload.emergency,
    )
    on = payload.on or timezone.localdate()
    try:
        return methods.decide(facts, region=region, on=on).as_dict()
    except ParameterMissing as exc:
        raise InvalidInput([{"field": "on", "message": exc.message}]) from None


# --- scoped: purchase projects ----------------------------------------------------------------


class RequirementOut(Schema):
    content: str
    standards: str
    quantity: str
    recipients: str
    place: str
    term_start: dt.date | None
    term_end: dt.date | None
    technical_guarantees: str
    goals: str
    indicators: str


class ProjectOut(Schema):
    id: int
    code: str
    name: str
    department_id: int
    department: str
    region: str
    fiscal_year: int
    budget_line_id: int
    budget_line: str
    catalog_code: str
    catalog_name: str
    amount: Decimal
    started_on: dt.date
    status: str
    intended_provider_id: int | None
    voucher: bool
    emergency: bool
    emergency_reason: str
    method: str
    method_approval: str
    warnings: list[dict]
    created_at: dt.datetime
    submitted_at: dt.datetime | None
    cancelled_at: dt.datetime | None

    @staticmethod
    def resolve_warnings(obj):
        return shown_records(obj.warnings)

    @staticmethod
    def resolve_department(obj):
        return obj.department.name

    @staticmethod
    def resolve_region(obj):
        return obj.region.code

    @staticmethod
    def resolve_budget_line(obj):
        return obj.budget_line.code


class ReviewOut(Schema):
    decision: str
    reviewer: str | None
    complete: bool
    compliant: bool
    reasonable: bool
    note: str
    created_at: dt.datetime

    @staticmethod
    def resolve_reviewer(obj):
        return str(obj.reviewer) if obj.reviewer_id else None


class ProjectDetail(ProjectOut):
    requirement: RequirementOut
    reviews: list[ReviewOut]
    method_reason: str
    method_decision: dict
    method_decided_at: dt.datetime | None
    method_decision_note: str
    cancel_reason: str
    split_flags: list[int]
    can_start: bool

    @staticmethod
    def resolve_reviews(obj):
        return list(obj.reviews.select_related("reviewer"))

    @staticmethod
    def resolve_split_flags(obj):
        return list(obj.split_flags.order_by("pk").values_list("pk", flat=True))


class ProjectFilter(Schema):
    year: Year | None = None
    status: str | None = None
    q: str | None = Field(None, max_length=100)
    department: Id | None = None


class RequirementIn(Schema):
    content: str = Field("", max_length=20000)
    standards: str = Field("", max_length=20000)
    quantity: str = Field("", max_length=500)
    recipients: str = Field("", max_length=500)
    place: str = Field("", max_length=300)
    # Text too: the service reads dates as people type them ("2027-1-1") and
    # answers a field error for what names no day or no plausible one.
    term_start: dt.date | TypedDate | None = Field(None, description="YYYY-MM-DD")
    term_end: dt.date | TypedDate | None = Field(None, description="YYYY-MM-DD")
    technical_guarantees: str = Field("", max_length=20000)
    goals: str = Field("", max_length=20000)
    indicators: str = Field(
        "", max_length=20000, description="one per line: indicator：target, e.g. 服务满意度：≥90%"
    )


class ProjectIn(RequirementIn):
    budget_line: Id = Field(..., description="id of an approved budget line of your department")
    name: str = Field(..., max_length=200)
    amount: Decimal | str = Field(..., description="budget of the purchase in 元")
    intended_provider: Id | None = Field(
        None, description="id of the department's own 公益二类 unit to commission (P6)"
    )
    voucher: bool = False
    emergency: bool = False
    emergency_reason: str = Field("", max_length=20000)


class ProjectPatch(Schema):
    name: str | None = Field(None, max_length=200)
    amount: Decimal | str | None = None
    intended_provider: Id | None = None
    voucher: bool | None = None
    emergency: bool | None = None
    emergency_reason: str | None = Field(None, max_length=20000)
    content: str | None = Field(None, max_length=20000)
    standards: str | None = Field(None, max_length=20000)
    quantity: str | None = Field(None, max_length=500)
    recipients: str | None = Field(None, max_length=500)
    place: str | None = Field(None, max_length=300)
    # Text too: the service reads dates as people type them ("2027-1-1") and
    # answers a field error for what names no day or no plausible one.
    term_start: dt.date | TypedDate | None = Field(None, description="YYYY-MM-DD")
    term_end: dt.date | TypedDate | None = Field(None, description="YYYY-MM-DD")
    technical_guarantees: str | None = Field(None, max_length=20000)
    goals: str | None = Field(None, max_length=20000)
    indicators: str | None = Field(None, max_length=20000)


class ReviewIn(Schema):
    approve: bool
    complete: bool = False
    compliant: bool = False
    reasonable: bool = False
    note: str = Field("", max_length=20000)


class MethodIn(Schema):
    method: str = Field(..., max_length=30)
    reason: str = Field("", max_length=20000)


class MethodDecisionIn(Schema):
    approve: bool
    note: str = Field("", max_length=20000)


class CancelIn(Schema):
    reason: str = Field("", max_length=20000)


class SplitFlagProject(Schema):
    id: int
    code: str
    name: str
    amount: Decimal
    status: str


class SplitFlagOut(Schema):
    id: int
    department_id: int
    department: str
    region: str
    fiscal_year: int
    catalog_code: str
    catalog_name: str
    threshold_key: str
    threshold: Decimal
    total: Decimal
    message: str
    status: str
    cleared_note: str
    created_at: dt.datetime
    projects: list[SplitFlagProject]

    @staticmethod
    def resolve_message(obj):
        return obj.shown_message

    @staticmethod
    def resolve_department(obj):
        return obj.department.name

    @staticmethod
    def resolve_region(obj):
        return obj.region.code

    @staticmethod
    def resolve_projects(obj):
        return list(obj.projects.all())


class SplitFlagFilter(Schema):
    status: str | None = None


class ClearIn(Schema):
    note: str = Field("", max_length=20000)


def _project(user, pk):
    return selectors.project_for_user(user, pk)


def _fresh(user, project):
    """The project as stored after a service call (with its related rows)."""
    return selectors.project_for_user(user, project.pk)


@router.get("/projects", response=list[ProjectOut], summary="Purchase projects visible to you")
@paginate(PageNumberPagination, page_size=50)
def list_projects(request, filters: Query[ProjectFilter]):
    return selectors.projects_for_user(
        request.auth,
        year=filters.year,
        status=filters.status,
        q=filters.q,
        department=filters.department,
    )


@router.post(
    "/projects",
    response={201: ProjectDetail},
    summary="Start a purchase from an approved budget line (B1, screening, P6, P9, B4)",
)
@idempotent
def create_project(request, payload: ProjectIn):
    data = payload.dict()
    line = get_for_user_or_404(BudgetLine, request.auth, pk=data.pop("budget_line"))
    project = services.create_project(actor=request.auth, budget_line=line, **data)
    return Status(201, _fresh(request.auth, project))


@router.get("/projects/{pk}", response=ProjectDetail)
def get_project(request, pk: Id):
    return _project(request.auth, pk)


@router.patch("/projects/{pk}", response=ProjectDetail, summary="Edit a draft")
@idempotent
def update_project(request, pk: Id, payload: ProjectPatch):
    project = _project(request.auth, pk)
    data = payload.dict(exclude_unset=True)
    project = services.update_project(actor=request.auth, project=project, **data)
    return _fresh(request.auth, project)


@router.post(
    "/projects/{pk}/submit", response=ProjectDetail, summary="Send the requirements to review (P7)"
)
def submit_project(request, pk: Id):
    project = services.submit_for_review(actor=request.auth, project=_project(request.auth, pk))
    return _fresh(request.auth, project)


@router.post(
    "/projects/{pk}/review",
    response=ProjectDetail,
    summary="A manager approves or returns the requirements (P7)",
)
def review_project(request, pk: Id, payload: ReviewIn):
    project = _project(request.auth, pk)
    services.review_requirements(actor=request.auth, project=project, **payload.dict())
    return _fresh(request.auth, project)


@router.get(
    "/projects/{pk}/methods",
    response=MethodsOut,
    summary="The method oracle's answer for the project (P2, P3, P6, P9)",
)
def project_methods(request, pk: Id):
    return methods.decide_for_project(_project(request.auth, pk)).as_dict()


@router.post("/projects/{pk}/method", response=ProjectDetail, summary="Choose the method")
def choose_method(request, pk: Id, payload: MethodIn):
    project = services.choose_method(
        actor=request.auth,
        project=_project(request.auth, pk),
        method=payload.method,
        reason=payload.reason,
    )
    return _fresh(request.auth, project)


@router.post(
    "/projects/{pk}/method-decision",
    response=ProjectDetail,
    summary="The finance bureau approves or refuses a change of method (变更采购方式)",
)
def decide_method(request, pk: Id, payload: MethodDecisionIn):
    project = services.decide_method(
        actor=request.auth,
        project=_project(request.auth, pk),
        approve=payload.approve,
        note=payload.note,
    )
    return _fresh(request.auth, project)


@router.post("/projects/{pk}/cancel", response=ProjectDetail, summary="Cancel; the money goes back")
@idempotent
def cancel_project(request, pk: Id, payload: CancelIn):
    project = services.cancel_project(
        actor=request.auth, project=_project(request.auth, pk), reason=payload.reason
    )
    return _fresh(request.auth, project)


@router.get("/split-flags", response=list[SplitFlagOut], summary="Splitting flags (B4)")
@paginate(PageNumberPagination, page_size=50)
def list_split_flags(request, filters: Query[SplitFlagFilter]):
    return selectors.split_flags_for_user(request.auth, filters.status)


@router.post(
    "/split-flags/{pk}/clear",
    response=SplitFlagOut,
    summary="The finance bureau clears a flag with a note",
)
def clear_split_flag(request, pk: Id, payload: ClearIn):
    flag = selectors.split_flag_for_user(request.auth, pk)
    services.clear_split_flag(actor=request.auth, flag=flag, note=payload.note)
    return selectors.split_flag_for_user(request.auth, pk)


# --- C8: the capacity of 公益一类 units, confirmed by two sides -------------------------------


class CapacityUnitOut(Schema):
    id: int
    name: str
    competent_department_id: int | None


class CapacityOut(Schema):
    id: int
    project_id: int
    unit: CapacityUnitOut
    service: str
    capacity_note: str
    status: str = Field(description="pending | confirmed (both sides) | refused (either side)")
    finance: str = Field(description="pending | confirmed | refused")
    finance_org_id: int | None
    finance_at: dt.datetime | None
    finance_note: str
    department: str = Field(description="the competent department: pending | confirmed | refused")
    department_org_id: int | None
    department_at: dt.datetime | None
    department_note: str
    created_at: dt.datetime


class CapacitySignIn(Schema):
    confirm: bool = Field(
        ..., description="true: the unit cannot meet the demand; false: it can (the purchase stops)"
    )
    note: str = Field(..., max_length=5000, description="what was checked")


@router.get(
    "/projects/{pk}/capacity-confirmations",
    response=list[CapacityOut],
    summary="C8: the capacity confirmations a purchase waits for",
)
def list_capacity(request, pk: Id):
    return selectors.capacity_of_project(_project(request.auth, pk))


@router.get("/capacity-confirmations/{pk}", response=CapacityOut, summary="A capacity confirmation")
def get_capacity(request, pk: Id):
    return selectors.capacity_for_user(request.auth, pk)


def _sign(request, pk: Id, side: str, payload: CapacitySignIn):
    row = services.sign_capacity(
        actor=request.auth,
        confirmation=selectors.capacity_for_user(request.auth, pk),
        side=side,
        confirm=payload.confirm,
        note=payload.note,
    )
    return selectors.capacity_for_user(request.auth, row.pk)


@router.post(
    "/capacity-confirmations/{pk}/finance",
    response=CapacityOut,
    summary="C8: the finance bureau confirms (or refuses) that the 公益一类 unit cannot meet the demand",
)
def sign_capacity_finance(request, pk: Id, payload: CapacitySignIn):
    return _sign(request, pk, "finance", payload)


@router.post(
    "/capacity-confirmations/{pk}/department",
    response=CapacityOut,
    summary="C8: the unit's competent department confirms (or refuses) the same",
)
def sign_capacity_department(request, pk: Id, payload: CapacitySignIn):
    return _sign(request, pk, "department", payload)
