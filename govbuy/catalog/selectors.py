"""Reads of the catalog app, scoped to the user (published catalogs and the
negative list are public)."""

from __future__ import annotations

from django.db.models import Count, F, Q
from django.http import Http404

from govbuy.accounts.models import Role
from govbuy.core.params import lineage
from govbuy.core.permissions import get_for_user_or_404, member_orgs
from govbuy.orgs.models import Region
from govbuy.orgs.selectors import overseen_below_q, region_by_code

from . import search
from .models import (
    AdjustmentStatus,
    Catalog,
    CatalogAdjustment,
    CatalogItem,
    CatalogStatus,
    DepartmentCatalog,
    DepartmentCatalogStatus,
    NegativeListItem,
)


def catalog_in_force(region, year: int) -> Catalog | None:
    """The published catalog that applies to ``region`` in ``year``: the nearest
    level that keeps one (county → city → province), else the national one."""
    chain = lineage(region)
    candidates = {
        c.region_id: c
        for c in Catalog.objects.published()
        .filter(year=year)
        .filter(Q(region__in=chain) | Q(region__isnull=True))
        .select_related("region", "owner")
    }
    for step in [*chain, None]:
        found = candidates.get(step.pk if step is not None else None)
        if found is not None:
            return found
    return None


def catalogs_for_user(user):
    return (
        Catalog.objects.visible_to(user)
        .select_related("region", "owner")
        .annotate(item_count=Count("items", filter=Q(items__is_active=True)))
        .order_by("-year", "region__code")
    )


def catalog_for_user(user, pk) -> Catalog:
    return get_for_user_or_404(Catalog.objects.select_related("region", "owner"), user, pk=pk)


def default_public_catalog(region_code: str | None = None, year: int | None = None):
    """The catalog the public browser opens: the region's catalog in force for the
    year (latest published year by default), else the newest published one."""
    region = region_by_code(region_code) if region_code else None
    published = Catalog.objects.published()
    if year is None:
        latest = published.order_by("-year").values_list("year", flat=True).first()
        if latest is None:
            return None
        year = latest
    if region is not None:
        return catalog_in_force(region, year)
    return (
        published.filter(year=year)
        .select_related("region", "owner")
        .order_by(F("region__code").asc(nulls_first=True))
        .first()
    )


def items_of(catalog: Catalog, *, include_removed: bool = False):
    qs = catalog.items.all() if include_removed else catalog.items.filter(is_active=True)
    return qs.order_by("sort_key")


def item_in(catalog: Catalog, code: str) -> CatalogItem:
    """An item (also a removed one, for its history) of an already scoped catalog."""
    item = (
        CatalogItem.objects.filter(catalog=catalog, code=code)
        .select_related("catalog__region", "parent")
        .first()
    )
    if item is None:
        raise Http404("No catalog item matches the given query.")
    return item


def children_of(item: CatalogItem) -> list[CatalogItem]:
    children = list(item.children.filter(is_active=True).order_by("sort_key"))
    for child in children:
        child.parent = item
    return children


def search_catalog(catalog: Catalog, query: str):
    return search.search_items(catalog.items.filter(is_active=True).select_related("parent"), query)


def ancestors(item: CatalogItem) -> list[CatalogItem]:
    keys = item.sort_key.split(".")
    prefixes = [".".join(keys[: i + 1]) for i in range(len(keys) - 1)]
    return list(
        CatalogItem.objects.filter(catalog_id=item.catalog_id, sort_key__in=prefixes).order_by(
            "depth"
        )
    )


# --- adjustments and department catalogs -------------------------------------------


def adjustments_for_user(user, *, status: str | None = None):
    qs = CatalogAdjustment.objects.visible_to(user).select_related(
        "catalog__region", "proposer", "proposed_by", "decided_by"
    )
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-pk")


def adjustment_for_user(user, pk) -> CatalogAdjustment:
    return get_for_user_or_404(
        CatalogAdjustment.objects.select_related("catalog__region", "catalog__owner", "proposer"),
        user,
        pk=pk,
    )


def department_catalogs_for_user(user, *, status: str | None = None):
    qs = DepartmentCatalog.objects.visible_to(user).select_related(
        "organization__region", "within__region"
    )
    if status:
        qs = qs.filter(status=status)
    return qs.annotate(item_count=Count("items")).order_by("-year", "organization__name")


def department_catalog_for_user(user, pk) -> DepartmentCatalog:
    return get_for_user_or_404(
        DepartmentCatalog.objects.select_related("organization__region", "within__region"),
        user,
        pk=pk,
    )


def finance_inbox(user) -> dict:
    """What waits for this user's finance bureau: adjustments of the catalogs it
    keeps, department catalogs of its own region. Nothing waits for the platform
    administrator, who decides none of them."""
    bureaus = [o for o in member_orgs(user, Role.FINANCE) if o.is_finance_bureau]
    adjustments = CatalogAdjustment.objects.filter(
        status=AdjustmentStatus.SUBMITTED, catalog__owner__in=bureaus
    )
    departments = DepartmentCatalog.objects.filter(
        status=DepartmentCatalogStatus.SUBMITTED,
        organization__region__in=[b.region_id for b in bureaus],
    )
    return {
        "adjustments": adjustments.select_related("catalog__region", "proposer").order_by(
            "created_at"
        ),
        "department_catalogs": departments.select_related("organization", "within").order_by(
            "submitted_at"
        ),
    }


def inbox_below(user) -> dict:
    """What waits at the finance bureaus below the user's: adjustments of the
    catalogs they keep, department catalogs of their regions. Read-only for the
    user (``orgs.selectors.overseen_below_q``); oldest first."""
    adjustments_below = overseen_below_q(user, "catalog__owner__region")
    departments_below = overseen_below_q(user, "organization__region")
    if adjustments_below is None:
        return {
            "adjustments": CatalogAdjustment.objects.none(),
            "department_catalogs": DepartmentCatalog.objects.none(),
        }
    return {
        "adjustments": CatalogAdjustment.objects.filter(
            adjustments_below, status=AdjustmentStatus.SUBMITTED
        )
        .select_related("catalog__owner__region", "proposer")
        .order_by("created_at", "pk"),
        "department_catalogs": DepartmentCatalog.objects.filter(
            departments_below, status=DepartmentCatalogStatus.SUBMITTED
        )
        .select_related("organization__region", "within")
        .order_by("submitted_at", "pk"),
    }


# --- negative list -----------------------------------------------------------------


def negative_list(region=None, *, include_inactive: bool = False):
    """National items and the items of ``region`` and every region above it."""
    chain = lineage(region)
    qs = NegativeListItem.objects.filter(Q(region__isnull=True) | Q(region__in=chain))
    if not include_inactive:
        qs = qs.filter(is_active=True)
    return qs.select_related("region").order_by("region__code", "position", "pk")


def negative_list_regions():
    """Regions that keep items of their own (for the public page's filter)."""
    return Region.objects.filter(negative_list_items__isnull=False).distinct().order_by("code")


def published_statuses():
    return [CatalogStatus.PUBLISHED]


def code_and_parents(code: str) -> list[str]:
    """A catalog code and the codes above it: A070201 → [A, A07, A0702, A070201]."""
    code = (code or "").strip()
    if not code:
        return []
    return [code[:1]] + [code[:n] for n in range(3, len(code) + 1, 2)]


def public_unit_services(item_code: str, region):
    """C8 and S11: the services 公益一类 units of the region and above are funded
    to provide that an item falls under (the unit's item or one above it)."""
    from .models import PublicUnitService

    if region is None or not item_code:
        return PublicUnitService.objects.none()
    return (
        PublicUnitService.objects.filter(
            item_code__in=code_and_parents(item_code),
            is_active=True,
            organization__is_active=True,
            organization__region__in=lineage(region),
        )
        .select_related("organization__competent_department")
        .order_by("organization__name", "item_code")
    )


def own_public_services(organization) -> list[tuple[str, str]]:
    """S11: (code, name) of the services a 公益一类 unit is funded to provide — its main functions."""
    return list(
        organization.public_unit_services.filter(is_active=True).values_list("item_code", "name")
    )
