"""Budgets API: budget lines (预算表), their approval and adjustments (预算调剂).

Amounts are 元 with 2 decimals: sent as strings ("500000.00") or numbers,
answered as strings. Errors share the API's one body (govbuy/api.py).
"""

import datetime as dt
from decimal import Decimal

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate
from pydantic import Field

from govbuy.accounts.models import Role
from govbuy.core.api_auth import AUTH
from govbuy.core.api_types import Id, PageNumberPagination, Year
from govbuy.core.errors import InvalidInput, NotAllowed
from govbuy.core.idempotency import idempotent
from govbuy.core.permissions import member_orgs
from govbuy.core.text import shown_records
from govbuy.orgs.selectors import organization_for_user

from . import excel, selectors, services

router = Router(tags=["budgets"], auth=AUTH)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Money = Decimal | str


# --- schemas ---------------------------------------------------------------------


class OutYearIn(Schema):
    year: Year | str = Field(..., description="an out-year of the medium-term plan, e.g. 2027")
    amount: Money = Field(..., description='元, e.g. "650000.00"')


class OutYearOut(Schema):
    year: int
    amount: Decimal


class LineIn(Schema):
    department_id: Id | None = Field(
        None, description="the purchasing department; may be left out when you act for one"
    )
    fiscal_year: Year
    name: str = ""
    catalog_item: Id | str | None = Field(
        None, description="id or code of an item of the department's catalog for the year"
    )
    amount: Money | None = None
    functional_class: str = Field("", description="功能分类 code, e.g. 2081002")
    economic_class: str = Field("", description="经济分类 code, e.g. 30227")
    fund_nature: str = "general_public_budget"
    is_new: bool = True
    justification: str = ""
    centralized_catalog: bool = False
    procurement_budget: Money | None = None
    ex_ante_assessment: str = ""
    performance_goals: str = ""
    out_years: list[OutYearIn] = []


class LinePatch(Schema):
    """Only the fields sent change; ``out_years`` replaces the whole split."""

    name: str | None = None
    catalog_item: Id | str | None = None
    amount: Money | None = None
    functional_class: str | None = None
    economic_class: str | None = None
    fund_nature: str | None = None
    is_new: bool | None = None
    justification: str | None = None
    centralized_catalog: bool | None = None
    procurement_budget: Money | None = None
    ex_ante_assessment: str | None = None
    performance_goals: str | None = None
    out_years: list[OutYearIn] | None = None


class LineOut(Schema):
    id: int
    code: str
    department_id: int
    department: str
    region_code: str
    fiscal_year: int
    name: str
    catalog_item_id: int
    catalog_item_code: str
    catalog_item_name: str
    amount: Decimal
    out_years: list[OutYearOut]
    total: Decimal
    committed: Decimal
    available: Decimal
    functional_class: str
    economic_class: str
    fund_nature: str
    is_new: bool
    justification: str
    centralized_catalog: bool
    procurement_budget: Decimal | None
    procurement_budget_required: bool
    ex_ante_assessment: str
    performance_goals: str
    status: str
    warnings: list[dict]
    decision_note: str
    submitted_at: dt.datetime | None
    decided_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_warnings(obj):
        return shown_records(obj.warnings)

    @staticmethod
    def resolve_department(obj):
        return obj.department.name

    @staticmethod
    def resolve_region_code(obj):
        return obj.region.code

    @staticmethod
    def resolve_catalog_item_code(obj):
        return obj.catalog_item.code

    @staticmethod
    def resolve_catalog_item_name(obj):
        return obj.catalog_item.name

    @staticmethod
    def resolve_out_years(obj):
        return list(obj.out_years.all())


class TotalsOut(Schema):
    count: int
    amount: Decimal
    total: Decimal
    committed: Decimal
    available: Decimal


class LineFilter(Schema):
    year: Year | None = None
    status: str | None = None
    department_id: Id | None = None
    q: str | None = Field(None, max_length=100, description="in the name or the line number")


class DecisionIn(Schema):
    note: str = ""


class AdjustmentIn(Schema):
    amount_after: Money | None = Field(None, description="the new amount this year, 元")
    reason: str = ""


class AdjustmentOut(Schema):
    id: int
    line_id: int
    line_code: str
    department: str
    amount_before: Decimal
    amount_after: Decimal
    delta: Decimal
    reason: str
    status: str
    proposed_by: str | None
    proposed_at: dt.datetime
    decided_at: dt.datetime | None
    decision_note: str

    @staticmethod
    def resolve_line_code(obj):
        return obj.line.code

    @staticmethod
    def resolve_department(obj):
        return obj.line.department.name

    @staticmethod
    def resolve_proposed_by(obj):
        return obj.proposed_by.get_username() if obj.proposed_by_id else None


class AdjustmentFilter(Schema):
    status: str | None = None
    line_id: Id | None = None


class ImportOut(Schema):
    created: int
    ids: list[int]


# --- helpers ---------------------------------------------------------------------


def _department(user, pk):
    """The department named by ``department_id``, else the one the user files for."""
    if pk is not None:
        return organization_for_user(user, pk)
    own = member_orgs(user, Role.PURCHASER)
    if len(own) == 1:
        return own[0]
    if not own:
        raise NotAllowed(_("Only purchasing departments file budget lines."))
    raise InvalidInput(
        [
            {
                "field": "department_id",
                "message": _("You act for several departments: say which one (department_id)."),
            }
        ]
    )


def _line_data(payload: Schema, *, partial: bool = False) -> dict:
    data = payload.dict(exclude_unset=partial)
    if partial:
        # null leaves a field as it is, except the optional procurement budget (cleared).
        data = {k: v for k, v in data.items() if v is not None or k == "procurement_budget"}
    if data.get("out_years") is not None:
        data["out_years"] = [{"year": y["year"], "amount": y["amount"]} for y in data["out_years"]]
    return data


# --- budget lines (the fixed paths come before /budget-lines/{pk}) -----------------


@router.get("/budget-lines", response=list[LineOut], summary="Budget lines you may read")
@paginate(PageNumberPagination, page_size=50)
def list_lines(request, filters: Query[LineFilter]):
    return selectors.lines_for_user(
        request.auth,
        year=filters.year,
        status=filters.status,
        department=filters.department_id,
        q=filters.q,
    )


@router.get(
    "/budget-lines/totals",
    response=TotalsOut,
    summary="Sums of the lines matching the same filters (one query)",
)
def line_totals(request, filters: Query[LineFilter]):
    return selectors.totals(
        selectors.lines_for_user(
            request.auth,
            year=filters.year,
            status=filters.status,
            department=filters.department_id,
            q=filters.q,
        )
    )


class ExportFilter(Schema):
    year: Year
    department_id: Id | None = None


@router.get(
    "/budget-lines/export",
    summary="A department's table for a fiscal year as .xlsx",
)
def export_lines(request, filters: Query[ExportFilter]):
    department = _department(request.auth, filters.department_id)
    lines = selectors.lines_for_user(request.auth, year=filters.year, department=department)
    content = excel.export_lines(
        lines,
        fiscal_year=filters.year,
        region=department.region,
        title=f"{filters.year} {department.name}",
    )
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = (
        f'attachment; filename="budget-{filters.year}-{department.pk}.xlsx"'
    )
    return response


@router.post(
    "/budget-lines/import",
    response={201: ImportOut},
    summary="File every row of an .xlsx as a draft line: all or nothing, with row errors",
)
@idempotent
def import_lines(
    request,
    file: File[UploadedFile],
    fiscal_year: Form[Year],
    department_id: Form[Id | None] = None,
):
    department = _department(request.auth, department_id)
    excel.check_size(file.size)
    lines = excel.import_lines(
        actor=request.auth, department=department, fiscal_year=fiscal_year, data=file.read()
    )
    return Status(201, {"created": len(lines), "ids": [line.pk for line in lines]})


@router.post("/budget-lines", response={201: LineOut}, summary="File a draft line")
@idempotent
def create_line(request, payload: LineIn):
    data = _line_data(payload)
    department = _department(request.auth, data.pop("department_id"))
    line = services.create_line(
        actor=request.auth,
        department=department,
        fiscal_year=data.pop("fiscal_year"),
        **data,
    )
    return Status(201, line)


@router.get("/budget-lines/{pk}", response=LineOut)
def get_line(request, pk: Id):
    return selectors.line_for_user(request.auth, pk)


@router.patch("/budget-lines/{pk}", response=LineOut, summary="Edit a draft or returned line")
def update_line(request, pk: Id, payload: LinePatch):
    line = selectors.line_for_user(request.auth, pk)
    return services.update_line(actor=request.auth, line=line, **_line_data(payload, partial=True))


@router.delete("/budget-lines/{pk}", response={204: None}, summary="Delete a never-submitted draft")
def delete_line(request, pk: Id):
    line = selectors.line_for_user(request.auth, pk)
    services.delete_line(actor=request.auth, line=line)
    return Status(204, None)


@router.post("/budget-lines/{pk}/submit", response=LineOut)
def submit_line(request, pk: Id):
    line = selectors.line_for_user(request.auth, pk)
    return services.submit_line(actor=request.auth, line=line)


@router.post("/budget-lines/{pk}/approve", response=LineOut, summary="Finance bureau approves")
def approve_line(request, pk: Id, payload: DecisionIn):
    line = selectors.line_for_user(request.auth, pk)
    return services.approve_line(actor=request.auth, line=line, note=payload.note)


@router.post("/budget-lines/{pk}/return", response=LineOut, summary="Finance bureau returns")
def return_line(request, pk: Id, payload: DecisionIn):
    line = selectors.line_for_user(request.auth, pk)
    return services.return_line(actor=request.auth, line=line, note=payload.note)


@router.post(
    "/budget-lines/{pk}/adjustments",
    response={201: AdjustmentOut},
    summary="Propose a budget adjustment (预算调剂) of an approved line",
)
@idempotent
def propose_adjustment(request, pk: Id, payload: AdjustmentIn):
    line = selectors.line_for_user(request.auth, pk)
    adjustment = services.propose_adjustment(
        actor=request.auth, line=line, amount_after=payload.amount_after, reason=payload.reason
    )
    return Status(201, adjustment)


# --- adjustments -------------------------------------------------------------------


@router.get("/budget-adjustments", response=list[AdjustmentOut])
@paginate(PageNumberPagination, page_size=50)
def list_adjustments(request, filters: Query[AdjustmentFilter]):
    return selectors.adjustments_for_user(request.auth, status=filters.status, line=filters.line_id)


@router.get("/budget-adjustments/{pk}", response=AdjustmentOut)
def get_adjustment(request, pk: Id):
    return selectors.adjustment_for_user(request.auth, pk)


@router.post("/budget-adjustments/{pk}/approve", response=AdjustmentOut)
@idempotent
def approve_adjustment(request, pk: Id, payload: DecisionIn):
    adjustment = selectors.adjustment_for_user(request.auth, pk)
    return services.approve_adjustment(actor=request.auth, adjustment=adjustment, note=payload.note)


@router.post("/budget-adjustments/{pk}/return", response=AdjustmentOut)
def return_adjustment(request, pk: Id, payload: DecisionIn):
    adjustment = selectors.adjustment_for_user(request.auth, pk)
    return services.return_adjustment(actor=request.auth, adjustment=adjustment, note=payload.note)


@router.post("/budget-adjustments/{pk}/withdraw", response=AdjustmentOut)
def withdraw_adjustment(request, pk: Id):
    adjustment = selectors.adjustment_for_user(request.auth, pk)
    return services.withdraw_adjustment(actor=request.auth, adjustment=adjustment)


# --- finance -----------------------------------------------------------------------


class InboxOut(Schema):
    lines: list[LineOut]
    adjustments: list[AdjustmentOut]


@router.get(
    "/budget-inbox",
    response=InboxOut,
    summary="Lines and adjustments your finance bureau decides, oldest first",
)
def inbox(request):
    data = selectors.finance_inbox(request.auth)
    return {k: list(v[:200]) for k, v in data.items()}
