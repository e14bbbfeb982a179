"""Catalog API: public catalog, search, negative list and screening; scoped
department catalogs, adjustments and the finance inbox."""

import datetime as dt

from django.http import Http404, HttpResponse
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from govbuy.core.api_auth import AUTH, PublicExportThrottle, PublicRateThrottle
from govbuy.core.api_types import Code, Id, PageNumberPagination, Year
from govbuy.core.errors import ApplicationError
from govbuy.core.permissions import get_for_user_or_404
from govbuy.core.text import shown_records
from govbuy.orgs.selectors import region_by_code

from . import department, screening_service, selectors, services
from .models import Catalog

public_router = Router(tags=["catalog (public)"])
router = Router(tags=["catalog"], auth=AUTH)

MAX_UPLOAD = 5 * 1024 * 1024
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- schemas ---------------------------------------------------------------------


class CatalogOut(Schema):
    id: int
    year: int
    name: str
    status: str
    region_code: str | None
    level_name: str
    published_at: dt.datetime | None

    @staticmethod
    def resolve_region_code(obj):
        return obj.region.code if obj.region_id else None


class ItemOut(Schema):
    code: str
    name: str
    description: str
    kind: str
    category: str
    depth: int
    parent_code: str | None
    procurement_code: str
    keywords: list[str]

    @staticmethod
    def resolve_parent_code(obj):
        return obj.parent.code if obj.parent_id else None

    @staticmethod
    def resolve_keywords(obj):
        return obj.keyword_list


class SearchHit(ItemOut):
    score: int


class ChangeOut(Schema):
    action: str
    reason: str
    created_at: dt.datetime
    before: dict
    after: dict


class ItemDetail(ItemOut):
    children: list[ItemOut]
    history: list[ChangeOut]

    @staticmethod
    def resolve_children(obj):
        return selectors.children_of(obj)

    @staticmethod
    def resolve_history(obj):
        return list(obj.changes.order_by("-created_at", "-pk")[:100])


class NegativeItemOut(Schema):
    key: str
    region_code: str | None
    rule: str
    clause: str
    title: str
    title_en: str
    description: str
    description_en: str
    basis: str
    phrases: list[str]
    unless: list[str]

    @staticmethod
    def resolve_region_code(obj):
        return obj.region.code if obj.region_id else None

    @staticmethod
    def resolve_phrases(obj):
        return obj.phrase_list

    @staticmethod
    def resolve_unless(obj):
        return obj.unless_list


class ScreenIn(Schema):
    title: str = ""
    description: str = ""
    catalog_item: str | None = None
    region: str | None = None


class ScreenViolation(Schema):
    rule: str
    severity: str
    message: str
    basis: str
    match: str | None = None
    field: str | None = None


class ScreenOut(Schema):
    violations: list[ScreenViolation]


# --- public ------------------------------------------------------------------------


@public_router.post(
    "/rules/screen",
    response=ScreenOut,
    auth=None,
    throttle=[PublicRateThrottle()],
    summary="Screen a proposed purchase against the catalog and negative list (C2–C9)",
)
def screen(request, payload: ScreenIn):
    violations = screening_service.screen_purchase(
        title=payload.title,
        description=payload.description,
        catalog_item=payload.catalog_item,
        region=payload.region,
    )
    return {"violations": [v.as_dict() for v in violations]}


@public_router.get(
    "/catalogs", response=list[CatalogOut], auth=None, summary="Published guidance catalogs"
)
@paginate(PageNumberPagination, page_size=50)
def list_catalogs(request):
    return Catalog.objects.published().select_related("region").order_by("-year", "region__code")


def _published(pk) -> Catalog:
    return get_for_user_or_404(Catalog.objects.select_related("region"), _Public(), pk=pk)


class _Public:
    is_authenticated = False


@public_router.get("/catalogs/{catalog_id}/items", response=list[ItemOut], auth=None)
@paginate(PageNumberPagination, page_size=500)
def list_items(request, catalog_id: Id):
    return selectors.items_of(_published(catalog_id)).select_related("parent")


class SearchFilter(Schema):
    q: str


@public_router.get(
    "/catalogs/{catalog_id}/search",
    response=list[SearchHit],
    auth=None,
    summary="Search by Chinese words or pinyin (full or initials), best first",
)
@paginate(PageNumberPagination, page_size=25)
def search_items(request, catalog_id: Id, filters: Query[SearchFilter]):
    return selectors.search_catalog(_published(catalog_id), filters.q)


@public_router.get("/catalogs/{catalog_id}/items/{code}", response=ItemDetail, auth=None)
def get_item(request, catalog_id: Id, code: Code):
    return selectors.item_in(_published(catalog_id), code)


@public_router.get(
    "/catalogs/{catalog_id}/export",
    auth=None,
    throttle=[PublicExportThrottle()],
    summary="The catalog as .xlsx",
)
def export_catalog(request, catalog_id: Id):
    catalog = _published(catalog_id)
    response = HttpResponse(services.export_catalog(catalog), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="catalog-{catalog.year}.xlsx"'
    return response


class NegativeFilter(Schema):
    region: str | None = None


@public_router.get(
    "/negative-list",
    response=list[NegativeItemOut],
    auth=None,
    summary="The negative list in force for a region (national items and local additions)",
)
def negative_list(request, filters: Query[NegativeFilter]):
    region = None
    if filters.region:
        region = region_by_code(filters.region)
        if region is None:
            raise ApplicationError(
                "invalid_input", f"unknown region {filters.region}", field="region"
            )
    return list(selectors.negative_list(region))


# --- scoped: adjustments -----------------------------------------------------------


class CatalogAdjustmentOut(Schema):
    id: int
    catalog_id: int
    target_year: int
    proposer: str | None
    action: str
    origin: str
    item_code: str
    parent_code: str
    code: str
    name: str
    description: str
    kind: str
    reason: str
    status: str
    warnings: list[dict]
    decision_note: str
    created_at: dt.datetime
    decided_at: dt.datetime | None
    applied_at: dt.datetime | None

    @staticmethod
    def resolve_warnings(obj):
        return shown_records(obj.warnings)

    @staticmethod
    def resolve_proposer(obj):
        return obj.proposer.name if obj.proposer_id else None


class EditIn(Schema):
    action: str
    reason: str
    item_code: str = ""
    parent_code: str = ""
    code: str = ""
    name: str = ""
    description: str = ""
    kind: str = ""
    procurement_code: str = ""
    keywords: str = ""


class CatalogAdjustmentIn(EditIn):
    organization_id: Id


class DecisionIn(Schema):
    note: str = ""


class StatusFilter(Schema):
    status: str | None = None


@router.get("/catalog/adjustments", response=list[CatalogAdjustmentOut])
@paginate(PageNumberPagination, page_size=50)
def list_adjustments(request, filters: Query[StatusFilter]):
    return selectors.adjustments_for_user(request.auth, status=filters.status)


@router.get("/catalog/adjustments/{pk}", response=CatalogAdjustmentOut)
def get_adjustment(request, pk: Id):
    return selectors.adjustment_for_user(request.auth, pk)


def _organization(user, pk):
    from govbuy.orgs.selectors import organization_for_user

    return organization_for_user(user, pk)


@router.post("/catalog/adjustments", response={201: CatalogAdjustmentOut})
def propose_adjustment(request, payload: CatalogAdjustmentIn):
    data = payload.dict()
    proposer = _organization(request.auth, data.pop("organization_id"))
    adjustment = services.propose_adjustment(
        actor=request.auth,
        proposer=proposer,
        action=data.pop("action"),
        reason=data.pop("reason"),
        item_code=data.pop("item_code"),
        parent_code=data.pop("parent_code"),
        fields=data,
    )
    return Status(201, adjustment)


@router.post("/catalog/adjustments/{pk}/approve", response=CatalogAdjustmentOut)
def approve_adjustment(request, pk: Id, payload: DecisionIn):
    adjustment = selectors.adjustment_for_user(request.auth, pk)
    return services.approve_adjustment(actor=request.auth, adjustment=adjustment, note=payload.note)


@router.post("/catalog/adjustments/{pk}/return", response=CatalogAdjustmentOut)
def return_adjustment(request, pk: Id, payload: DecisionIn):
    adjustment = selectors.adjustment_for_user(request.auth, pk)
    return services.return_adjustment(actor=request.auth, adjustment=adjustment, note=payload.note)


@router.post("/catalog/adjustments/{pk}/withdraw", response=CatalogAdjustmentOut)
def withdraw_adjustment(request, pk: Id):
    adjustment = selectors.adjustment_for_user(request.auth, pk)
    return services.withdraw_adjustment(actor=request.auth, adjustment=adjustment)


# --- scoped: department catalogs ---------------------------------------------------


class DepartmentCatalogOut(Schema):
    id: int
    year: int
    organization_id: int
    organization: str
    within_id: int
    status: str
    decision_note: str
    submitted_at: dt.datetime | None
    decided_at: dt.datetime | None

    @staticmethod
    def resolve_organization(obj):
        return obj.organization.name


class DepartmentItemOut(Schema):
    code: str
    name: str
    description: str
    kind: str
    depth: int
    parent_code: str | None
    guidance_code: str

    @staticmethod
    def resolve_parent_code(obj):
        return obj.parent.code if obj.parent_id else None

    @staticmethod
    def resolve_guidance_code(obj):
        return obj.guidance_item.code


class DepartmentCatalogIn(Schema):
    organization_id: Id
    year: Year


class DepartmentItemIn(Schema):
    parent_code: str
    code: str
    name: str
    kind: str = ""
    description: str = ""


@router.get("/catalog/department-catalogs", response=list[DepartmentCatalogOut])
@paginate(PageNumberPagination, page_size=50)
def list_department_catalogs(request, filters: Query[StatusFilter]):
    return selectors.department_catalogs_for_user(request.auth, status=filters.status)


@router.post("/catalog/department-catalogs", response={201: DepartmentCatalogOut})
def create_department_catalog(request, payload: DepartmentCatalogIn):
    org = _organization(request.auth, payload.organization_id)
    dc = department.create_department_catalog(
        actor=request.auth, organization=org, year=payload.year
    )
    return Status(201, dc)


@router.get("/catalog/department-catalogs/{pk}", response=DepartmentCatalogOut)
def get_department_catalog(request, pk: Id):
    return selectors.department_catalog_for_user(request.auth, pk)


@router.get("/catalog/department-catalogs/{pk}/items", response=list[DepartmentItemOut])
def list_department_items(request, pk: Id):
    dc = selectors.department_catalog_for_user(request.auth, pk)
    return list(dc.items.select_related("parent", "guidance_item").order_by("sort_key"))


@router.post("/catalog/department-catalogs/{pk}/items", response={201: DepartmentItemOut})
def add_department_item(request, pk: Id, payload: DepartmentItemIn):
    dc = selectors.department_catalog_for_user(request.auth, pk)
    item = department.add_department_item(
        actor=request.auth, department_catalog=dc, **payload.dict()
    )
    return Status(201, item)


@router.delete("/catalog/department-catalogs/{pk}/items/{code}", response={204: None})
def remove_department_item(request, pk: Id, code: Code):
    dc = selectors.department_catalog_for_user(request.auth, pk)
    item = dc.items.filter(code=code).first()
    if item is None:
        raise Http404
    department.remove_department_item(actor=request.auth, item=item)
    return Status(204, None)


@router.get("/catalog/department-catalogs/{pk}/export")
def export_department_catalog(request, pk: Id):
    dc = selectors.department_catalog_for_user(request.auth, pk)
    response = HttpResponse(department.export_department_catalog(dc), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="department-catalog-{dc.year}.xlsx"'
    return response


class CatalogImportOut(Schema):
    items: int


@router.post("/catalog/department-catalogs/{pk}/import", response=CatalogImportOut)
def import_department_catalog(request, pk: Id, file: File[UploadedFile]):
    dc = selectors.department_catalog_for_user(request.auth, pk)
    if file.size > MAX_UPLOAD:
        raise ApplicationError("file_too_large", "at most 5 MB", field="file")
    n = department.import_department_catalog(
        actor=request.auth, department_catalog=dc, data=file.read()
    )
    return {"items": n}


@router.post("/catalog/department-catalogs/{pk}/submit", response=DepartmentCatalogOut)
def submit_department_catalog(request, pk: Id):
    dc = selectors.department_catalog_for_user(request.auth, pk)
    return department.submit_department_catalog(actor=request.auth, department_catalog=dc)


@router.post("/catalog/department-catalogs/{pk}/approve", response=DepartmentCatalogOut)
def approve_department_catalog(request, pk: Id, payload: DecisionIn):
    dc = selectors.department_catalog_for_user(request.auth, pk)
    return department.approve_department_catalog(
        actor=request.auth, department_catalog=dc, note=payload.note
    )


@router.post("/catalog/department-catalogs/{pk}/return", response=DepartmentCatalogOut)
def return_department_catalog(request, pk: Id, payload: DecisionIn):
    dc = selectors.department_catalog_for_user(request.auth, pk)
    return department.return_department_catalog(
        actor=request.auth, department_catalog=dc, note=payload.note
    )


# --- scoped: finance -----------------------------------------------------------------


class CatalogInboxOut(Schema):
    adjustments: list[CatalogAdjustmentOut]
    department_catalogs: list[DepartmentCatalogOut]


@router.get(
    "/catalog/inbox", response=CatalogInboxOut, summary="What waits for your finance bureau"
)
def inbox(request):
    data = selectors.finance_inbox(request.auth)
    return {k: list(v[:200]) for k, v in data.items()}


@router.post("/catalog/catalogs/{pk}/edit", response=ItemOut, summary="Keeping bureau's edit")
def edit_catalog(request, pk: Id, payload: EditIn):
    catalog = selectors.catalog_for_user(request.auth, pk)
    data = payload.dict()
    fields = {
        k: v
        for k, v in data.items()
        if k not in ("action", "reason", "item_code", "parent_code") and v
    }
    return services.edit_catalog(
        actor=request.auth,
        catalog=catalog,
        action=data["action"],
        reason=data["reason"],
        item_code=data["item_code"],
        parent_code=data["parent_code"],
        fields=fields,
    )


@router.post("/catalog/catalogs/{pk}/import", response=CatalogImportOut)
def import_catalog(request, pk: Id, file: File[UploadedFile], reason: Form[str] = ""):
    catalog = selectors.catalog_for_user(request.auth, pk)
    if file.size > MAX_UPLOAD:
        raise ApplicationError("file_too_large", "at most 5 MB", field="file")
    n = services.import_catalog(
        actor=request.auth, catalog=catalog, data=file.read(), reason=reason
    )
    return {"items": n}


class CopyIn(Schema):
    year: Year


@router.post("/catalog/catalogs/{pk}/copy", response={201: CatalogOut})
def copy_catalog(request, pk: Id, payload: CopyIn):
    catalog = selectors.catalog_for_user(request.auth, pk)
    return Status(201, services.copy_catalog(actor=request.auth, source=catalog, year=payload.year))


@router.post("/catalog/catalogs/{pk}/publish", response=CatalogOut)
def publish_catalog(request, pk: Id):
    catalog = selectors.catalog_for_user(request.auth, pk)
    return services.publish_catalog(actor=request.auth, catalog=catalog)


@router.get("/catalog/catalogs", response=list[CatalogOut], summary="Catalogs visible to you")
@paginate(PageNumberPagination, page_size=50)
def my_catalogs(request):
    return selectors.catalogs_for_user(request.auth)
