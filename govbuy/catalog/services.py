"""Writes of the catalog app: guidance catalogs, adjustments, consents, the
negative list. Department catalogs are in ``department.py``; screening and
seed loading in ``screening_service.py`` and ``seed.py``.

Every function is keyword-only, runs in one transaction, checks its rules and
writes an audit event.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from govbuy.accounts.models import Role
from govbuy.catalog.audit_actions import CatalogAction
from govbuy.core import audit, dates, params
from govbuy.core.errors import ApplicationError, InvalidInput, InvalidState, NotAllowed
from govbuy.core.permissions import refuse_platform_admin, require_member
from govbuy.core.rules import enforce

from . import excel, permissions, rules, search
from .models import (
    CATEGORY_NAMES,
    AdjustmentAction,
    AdjustmentOrigin,
    AdjustmentStatus,
    Catalog,
    CatalogAdjustment,
    CatalogItem,
    CatalogItemChange,
    CatalogStatus,
    ChangeAction,
    NegativeClause,
    NegativeListItem,
    OutOfCatalogConsent,
    ServiceKind,
)
from .permissions import is_keeper, require_keeper
from .selectors import catalog_in_force

ITEM_ACTIONS = {
    AdjustmentAction.ADD: CatalogAction.ITEM_ADD,
    AdjustmentAction.CHANGE: CatalogAction.ITEM_CHANGE,
    AdjustmentAction.REMOVE: CatalogAction.ITEM_REMOVE,
}

CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")
PROCUREMENT_CODE_RE = re.compile(r"^[ABC]\d{2,}$")
MAX_CHILDREN = 9999
# What a copy of an item carries over (the code first: a revived item keeps its own).
COPIED_FIELDS = (
    "code",
    "name",
    "description",
    "kind",
    "category",
    "procurement_code",
    "keywords",
    "depth",
    "position",
    "sort_key",
    "search_text",
    "name_pinyin",
    "name_initials",
)


# --- who may do what ---------------------------------------------------------------


def _actor_repr(actor) -> str:
    return actor.get_username() if getattr(actor, "is_authenticated", False) else "system"


# --- item fields ---------------------------------------------------------------------


def split_keywords(raw) -> str:
    parts = raw if isinstance(raw, list | tuple) else re.split(r"[\s,，、;；]+", raw or "")
    seen = dict.fromkeys(p.strip() for p in parts if p and p.strip())
    return " ".join(seen)[:500]


def item_state(item) -> dict:
    return {
        "code": item.code,
        "name": item.name,
        "description": item.description,
        "kind": item.kind,
        "procurement_code": item.procurement_code,
        "keywords": item.keywords,
        "parent": item.parent.code if item.parent_id else None,
        "is_active": item.is_active,
    }


def _field_errors(
    *,
    code: str | None,
    name: str | None,
    kind: str | None,
    procurement_code: str = "",
    description: str = "",
) -> list[dict]:
    errors = []
    if code is not None and not CODE_RE.match(code):
        errors.append(
            {
                "field": "code",
                "message": _(
                    "The code has 1–40 letters, digits, dots, dashes or underscores, e.g. A0101."
                ),
            }
        )
    if name is not None:
        if not name.strip():
            errors.append({"field": "name", "message": _("The name is required.")})
        elif len(name) > 200:
            errors.append({"field": "name", "message": _("At most 200 characters.")})
    if kind is not None and kind not in ServiceKind.values:
        errors.append(
            {
                "field": "kind",
                "message": _("Choose 公共服务 (public) or 政府履职所需辅助性服务 (auxiliary)."),
            }
        )
    if procurement_code and not PROCUREMENT_CODE_RE.match(procurement_code):
        errors.append(
            {
                "field": "procurement_code",
                "message": _("A procurement item code looks like C1204."),
            }
        )
    if len(description or "") > 2000:
        errors.append({"field": "description", "message": _("At most 2,000 characters.")})
    return errors


def content_violations(name: str, description: str, region) -> list:
    """C2/C3/C7 hard (and C9 warn) on what a catalog item would let departments
    buy. Only the name is screened: catalog descriptions often say what an item
    excludes (不含工程施工), which is no reason to refuse it."""
    from .screening_service import screen_text

    return screen_text(title=name, description="", region=region)


def _next_position(catalog, parent) -> int:
    top = CatalogItem.objects.filter(catalog=catalog, parent=parent).aggregate(m=Max("position"))[
        "m"
    ]
    position = (top or 0) + 1
    if position > MAX_CHILDREN:
        raise ApplicationError(
            "too_many_children", _("An item has at most 9,999 children."), field="parent"
        )
    return position


def sort_key(parent_key: str | None, position: int) -> str:
    part = f"{position:04d}"
    return f"{parent_key}.{part}" if parent_key else part


def _new_item(catalog, parent, *, code, name, kind, description, procurement_code, keywords):
    if parent is None:
        category = CATEGORY_NAMES.get(name.strip())
        if category is None:
            raise ApplicationError(
                "not_a_category",
                _("A first-level item is one of the six categories, e.g. 基本公共服务."),
                field="name",
            )
    else:
        category = parent.category
    position = _next_position(catalog, parent)
    item = CatalogItem(
        catalog=catalog,
        parent=parent,
        code=code,
        name=name.strip(),
        description=description.strip(),
        kind=kind,
        category=category,
        procurement_code=procurement_code,
        keywords=keywords,
        depth=(parent.depth + 1) if parent else 1,
        position=position,
        sort_key=sort_key(parent.sort_key if parent else None, position),
        **search.search_columns(name, keywords, description),
    )
    return item


def next_child_code(catalog, parent) -> str:
    prefix = parent.code if parent else ""
    existing = set(CatalogItem.objects.filter(catalog=catalog).values_list("code", flat=True))
    n = CatalogItem.objects.filter(catalog=catalog, parent=parent).count() + 1
    while True:
        code = f"{prefix}{n:02d}"
        if code not in existing:
            return code
        n += 1


# --- applying one change (the only place items change) ----------------------------------


def apply_change(
    *,
    actor,
    catalog: Catalog,
    action: str,
    reason: str,
    adjustment: CatalogAdjustment | None = None,
    item_code: str = "",
    parent_code: str = "",
    fields: dict | None = None,
) -> CatalogItem:
    """Add, change or remove one item, with history. A published catalog
    changes only through an approved adjustment (C6)."""
    enforce(
        rules.catalog_edit_violations(
            catalog_published=catalog.is_published,
            via_adjustment=adjustment is not None
            and adjustment.status == AdjustmentStatus.APPROVED,
        )
    )
    fields = dict(fields or {})
    items = CatalogItem.objects.select_for_update(of=("self",)).filter(catalog=catalog)
    if action == AdjustmentAction.ADD:
        parent = None
        if parent_code:
            parent = items.filter(code=parent_code, is_active=True).first()
            if parent is None:
                raise ApplicationError(
                    "unknown_parent",
                    _("There is no item %(code)s in this catalog.") % {"code": parent_code},
                    field="parent_code",
                )
        code = (fields.get("code") or "").strip() or next_child_code(catalog, parent)
        name = (fields.get("name") or "").strip()
        kind = fields.get("kind") or (parent.kind if parent else "")
        description = (fields.get("description") or "").strip()
        procurement_code = (fields.get("procurement_code") or "").strip().upper()
        keywords = split_keywords(fields.get("keywords", ""))
        errors = _field_errors(
            code=code,
            name=name,
            kind=kind,
            procurement_code=procurement_code,
            description=description,
        )
        existing = items.filter(code=code).first()
        if existing is not None and existing.is_active:
            errors.append(
                {
                    "field": "code",
                    "message": _("The code %(code)s is already used by “%(name)s”.")
                    % {"code": code, "name": existing.name},
                }
            )
        if errors:
            raise InvalidInput(errors)
        item = _new_item(
            catalog,
            parent,
            code=code,
            name=name,
            kind=kind,
            description=description,
            procurement_code=procurement_code,
            keywords=keywords,
        )
        enforce(rules.kind_violations(item.kind, item.category))
        if existing is not None:  # re-adding a removed item revives its row
            before = item_state(existing)
            for f in ("parent", *COPIED_FIELDS[1:]):
                setattr(existing, f, getattr(item, f))
            existing.is_active = True
            existing.save()
            item = existing
        else:
            before = {}
            item.save()
        change = ChangeAction.ADDED
    else:
        item = items.filter(code=item_code, is_active=True).first()
        if item is None:
            raise ApplicationError(
                "unknown_item",
                _("There is no item %(code)s in this catalog.") % {"code": item_code},
                field="item_code",
            )
        before = item_state(item)
        if action == AdjustmentAction.REMOVE:
            subtree = items.filter(sort_key__startswith=item.sort_key + ".", is_active=True)
            item.is_active = False
            item.save(update_fields=["is_active", "updated_at"])
            for child in subtree:
                child_before = item_state(child)
                child.is_active = False
                child.save(update_fields=["is_active", "updated_at"])
                _history(
                    actor, catalog, child, ChangeAction.REMOVED, child_before, reason, adjustment
                )
            change = ChangeAction.REMOVED
        elif action == AdjustmentAction.CHANGE:
            name = (fields.get("name") or item.name).strip()
            kind = fields.get("kind") or item.kind
            description = fields.get("description", item.description).strip()
            procurement_code = (
                (fields.get("procurement_code", item.procurement_code) or "").strip().upper()
            )
            keywords = split_keywords(fields.get("keywords", item.keywords))
            errors = _field_errors(
                code=None,
                name=name,
                kind=kind,
                procurement_code=procurement_code,
                description=description,
            )
            if errors:
                raise InvalidInput(errors)
            if item.depth == 1 and CATEGORY_NAMES.get(name) != item.category:
                raise ApplicationError(
                    "not_a_category",
                    _("A first-level item keeps its category's name."),
                    field="name",
                )
            enforce(rules.kind_violations(kind, item.category))
            item.name, item.kind, item.description = name, kind, description
            item.procurement_code, item.keywords = procurement_code, keywords
            for k, v in search.search_columns(name, keywords, description).items():
                setattr(item, k, v)
            item.save()
            change = ChangeAction.CHANGED
        else:
            raise ApplicationError("invalid_action", _("Unknown change."), field="action")
    _history(actor, catalog, item, change, before, reason, adjustment)
    return item


def record_imported(catalog, items, *, reason: str, actor=None) -> None:
    """History rows for items that entered a catalog in bulk (import, seed)."""
    CatalogItemChange.objects.bulk_create(
        CatalogItemChange(
            catalog=catalog,
            item=item,
            code=item.code,
            action=ChangeAction.IMPORTED,
            after=item_state(item),
            reason=reason,
            actor=actor if getattr(actor, "is_authenticated", False) else None,
            actor_repr=_actor_repr(actor),
        )
        for item in items
    )


def _history(actor, catalog, item, action, before, reason, adjustment):
    CatalogItemChange.objects.create(
        catalog=catalog,
        item=item,
        code=item.code,
        action=action,
        before=before,
        after=item_state(item),
        reason=reason,
        adjustment=adjustment,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        actor_repr=_actor_repr(actor),
    )


# --- catalogs ----------------------------------------------------------------------


@transaction.atomic
def create_catalog(*, actor, region, owner, year: int, name: str) -> Catalog:
    year = dates.check_year(year, region=region)
    if Catalog.objects.filter(region=region, year=year).exists():
        raise ApplicationError(
            "duplicate",
            _("There is already a %(year)s catalog for this level.") % {"year": year},
            field="year",
        )
    refuse_platform_admin(actor, Role.FINANCE)
    catalog = Catalog.objects.create(
        region=region, owner=owner, year=year, name=name.strip() or _("Guidance catalog")
    )
    if not is_keeper(actor, catalog):
        raise NotAllowed(_("Only the level's finance bureau keeps its catalog."))
    audit.record(actor=actor, action=CatalogAction.CATALOG_CREATE, obj=catalog, data={"year": year})
    return catalog


@transaction.atomic
def copy_catalog(
    *, actor, source: Catalog, year: int, region=..., owner=..., name: str = ""
) -> Catalog:
    """A new year's catalog (or a province's first one) starts as a copy of the
    last one; approved adjustments waiting for that year are then applied."""
    refuse_platform_admin(actor, Role.FINANCE)
    region = source.region if region is ... else region
    owner = source.owner if owner is ... else owner
    year = dates.check_year(year, region=region)
    if Catalog.objects.filter(region=region, year=year).exists():
        raise ApplicationError(
            "duplicate",
            _("There is already a %(year)s catalog for this level.") % {"year": year},
            field="year",
        )
    name = name or source.name
    catalog = Catalog(region=region, owner=owner, year=year, name=name, copied_from=source)
    if not is_keeper(actor, catalog):
        raise NotAllowed(_("Only the level's finance bureau keeps its catalog."))
    catalog.save()
    by_old: dict[int, CatalogItem] = {}
    for depth in sorted(set(source.items.filter(is_active=True).values_list("depth", flat=True))):
        batch = []
        olds = list(source.items.filter(is_active=True, depth=depth).order_by("sort_key"))
        for old in olds:
            new = CatalogItem(
                catalog=catalog,
                parent=by_old.get(old.parent_id),
                **{f: getattr(old, f) for f in COPIED_FIELDS},
            )
            batch.append(new)
        created = CatalogItem.objects.bulk_create(batch)  # pks come back (RETURNING)
        by_old.update((old.pk, new) for old, new in zip(olds, created, strict=True))
    audit.record(
        actor=actor,
        action=CatalogAction.CATALOG_COPY,
        obj=catalog,
        data={"from": source.pk, "year": year, "items": len(by_old)},
    )
    for adjustment in CatalogAdjustment.objects.filter(
        catalog__region=region,
        target_year=year,
        status=AdjustmentStatus.APPROVED,
        applied_at__isnull=True,
    ).order_by("decided_at", "pk"):
        _apply_adjustment(actor, adjustment, catalog)
    return catalog


@transaction.atomic
def publish_catalog(*, actor, catalog: Catalog) -> Catalog:
    require_keeper(actor, catalog)
    catalog = Catalog.objects.select_for_update(of=("self",)).get(pk=catalog.pk)
    if catalog.is_published:
        raise InvalidState(_("The catalog is already published."))
    if not catalog.items.filter(is_active=True).exists():
        raise InvalidState(_("An empty catalog cannot be published."))
    catalog.status = CatalogStatus.PUBLISHED
    catalog.published_at = timezone.now()
    catalog.save(update_fields=["status", "published_at", "updated_at"])
    audit.record(actor=actor, action=CatalogAction.CATALOG_PUBLISH, obj=catalog)
    return catalog


@transaction.atomic
def edit_catalog(
    *,
    actor,
    catalog: Catalog,
    action: str,
    reason: str,
    item_code: str = "",
    parent_code: str = "",
    fields: dict | None = None,
) -> CatalogItem:
    """The keeping finance bureau's own edit. On a published catalog it is
    recorded as an adjustment the bureau approves itself (C6), with its reason."""
    require_keeper(actor, catalog)
    if not (reason or "").strip():
        raise ApplicationError("required", _("Say why the catalog changes."), field="reason")
    adjustment = None
    if catalog.is_published:
        adjustment = CatalogAdjustment.objects.create(
            catalog=catalog,
            target_year=catalog.year,
            proposer=catalog.owner,
            proposed_by=actor if actor.is_authenticated else None,
            action=action,
            origin=AdjustmentOrigin.FINANCE,
            item_code=item_code,
            parent_code=parent_code,
            reason=reason.strip(),
            status=AdjustmentStatus.APPROVED,
            decided_by=actor,
            decided_at=timezone.now(),
            applied_at=timezone.now(),
            **_adjustment_fields(fields or {}),
        )
    item = apply_change(
        actor=actor,
        catalog=catalog,
        action=action,
        reason=reason.strip(),
        adjustment=adjustment,
        item_code=item_code,
        parent_code=parent_code,
        fields=fields,
    )
    if action != AdjustmentAction.REMOVE:
        enforce(content_violations(item.name, item.description, catalog.region))
    audit.record(
        actor=actor,
        action=ITEM_ACTIONS[action],
        obj=item,
        data={"catalog": catalog.pk, "reason": reason.strip(), "state": item_state(item)},
    )
    return item


def _adjustment_fields(fields: dict) -> dict:
    return {
        "code": (fields.get("code") or "").strip(),
        "name": (fields.get("name") or "").strip(),
        "description": (fields.get("description") or "").strip(),
        "kind": fields.get("kind") or "",
        "procurement_code": (fields.get("procurement_code") or "").strip().upper(),
        "keywords": split_keywords(fields.get("keywords", "")),
    }


# --- Excel ---------------------------------------------------------------------------


def export_rows(items) -> list[excel.Row]:
    """Rows of active items in tree order; ``items`` may be any item queryset
    with ``sort_key`` (guidance or department catalog)."""
    names: dict[str, str] = {}
    rows = []
    for item in items:
        names[item.sort_key] = item.name
        parts = item.sort_key.split(".")
        path = tuple(names[".".join(parts[: i + 1])] for i in range(len(parts)))
        rows.append(
            excel.Row(
                code=item.code,
                path=path,
                kind=item.kind,
                description=item.description,
                procurement_code=getattr(item, "procurement_code", ""),
                keywords=tuple(getattr(item, "keywords", "").split()),
            )
        )
    return rows


def export_catalog(catalog: Catalog) -> bytes:
    items = (
        catalog.items.filter(is_active=True)
        .order_by("sort_key")
        .only("code", "name", "kind", "description", "procurement_code", "keywords", "sort_key")
    )
    return excel.export_workbook(export_rows(items), title=f"{catalog.year} {catalog.name}")


def parse_upload(data: bytes) -> list[excel.Row]:
    rows, errors = excel.parse_workbook(data)
    if errors:
        raise InvalidInput(
            [
                {"row": e.row, "column": e.column, "field": "file", "message": e.message}
                for e in errors
            ],
            code="import_rejected",
        )
    return rows


def _row_errors(rows, region) -> list[dict]:
    """Rule checks per row: C1 kind, and C2/C3/C7 barred content."""
    errors = []
    for number, row in enumerate(rows, start=2):
        category = CATEGORY_NAMES.get(row.path[0])
        for v in rules.kind_violations(row.kind, category):
            errors.append(
                {
                    "row": number,
                    "column": "类型",
                    "field": "file",
                    "message": f"[{v.rule}] {v.message}",
                }
            )
        for v in content_violations(row.name, row.description, region):
            if v.is_hard:
                errors.append(
                    {
                        "row": number,
                        "column": "",
                        "field": "file",
                        "message": f"[{v.rule}] {v.message}",
                    }
                )
    return errors


@transaction.atomic
def import_catalog(*, actor, catalog: Catalog, data: bytes, reason: str = "") -> int:
    """Replace a draft catalog's items by an Excel file: all or nothing."""
    require_keeper(actor, catalog)
    enforce(
        rules.catalog_edit_violations(catalog_published=catalog.is_published, via_adjustment=False)
    )
    rows = parse_upload(data)
    errors = _row_errors(rows, catalog.region)
    if errors:
        raise InvalidInput(errors, code="import_rejected")
    if catalog.department_catalogs.exists():
        raise InvalidState(_("Department catalogs are compiled within this catalog."))
    catalog.items.all().delete()
    by_path: dict[tuple, CatalogItem] = {}
    positions: dict[tuple, int] = {}
    created = []
    for depth in sorted({r.depth for r in rows}):
        level = [r for r in rows if r.depth == depth]
        batch = []
        for row in level:
            parent = by_path[row.path[:-1]] if depth > 1 else None
            pos = positions[row.path[:-1]] = positions.get(row.path[:-1], 0) + 1
            keywords = " ".join(row.keywords)
            batch.append(
                CatalogItem(
                    catalog=catalog,
                    parent=parent,
                    code=row.code,
                    name=row.name,
                    description=row.description,
                    kind=row.kind,
                    category=CATEGORY_NAMES[row.path[0]],
                    procurement_code=row.procurement_code,
                    keywords=keywords,
                    depth=depth,
                    position=pos,
                    sort_key=sort_key(parent.sort_key if parent else None, pos),
                    **search.search_columns(row.name, keywords, row.description),
                )
            )
        saved = CatalogItem.objects.bulk_create(batch)
        by_path.update((row.path, item) for row, item in zip(level, saved, strict=True))
        created.extend(saved)
    record_imported(catalog, created, reason=reason, actor=actor)
    audit.record(
        actor=actor,
        action=CatalogAction.CATALOG_IMPORT,
        obj=catalog,
        data={"items": len(created), "reason": reason},
    )
    return len(created)


# --- adjustments (C4, C6) ------------------------------------------------------------


def _closes(region, at: dt.date) -> tuple[int, int]:
    return params.get("catalog.adjustment_closes", region, at)


@transaction.atomic
def propose_adjustment(
    *,
    actor,
    proposer,
    action: str,
    reason: str,
    item_code: str = "",
    parent_code: str = "",
    fields: dict | None = None,
    expert_review=None,
    today: dt.date | None = None,
    origin: str = AdjustmentOrigin.PROPOSAL,
) -> CatalogAdjustment:
    """A department proposes adding, changing or removing an item of its level's
    catalog. After the yearly closing day (C6) it is warned and goes to next year."""
    if origin == AdjustmentOrigin.PROPOSAL:
        require_member(actor, proposer)
    today = today or timezone.localdate()
    catalog = catalog_in_force(proposer.region, today.year)
    if catalog is None:
        raise InvalidState(
            _("No guidance catalog is in force for %(region)s in %(year)s.")
            % {"region": proposer.region.name, "year": today.year}
        )
    fields = _adjustment_fields(fields or {})
    errors = []
    if action not in AdjustmentAction.values:
        errors.append({"field": "action", "message": _("Choose add, change or remove.")})
    if not (reason or "").strip():
        errors.append({"field": "reason", "message": _("Say why the catalog should change.")})
    items = catalog.items.filter(is_active=True)
    target = None
    category = None
    if action == AdjustmentAction.ADD:
        parent = items.filter(code=parent_code).first() if parent_code else None
        if parent_code and parent is None:
            errors.append(
                {
                    "field": "parent_code",
                    "message": _("There is no item %(code)s in the catalog.")
                    % {"code": parent_code},
                }
            )
        if not parent_code:
            errors.append(
                {"field": "parent_code", "message": _("Choose where the new item belongs.")}
            )
        category = parent.category if parent else None
        fields["kind"] = fields["kind"] or (parent.kind if parent else "")
        errors += _field_errors(
            code=fields["code"] or None,
            name=fields["name"],
            kind=fields["kind"],
            procurement_code=fields["procurement_code"],
            description=fields["description"],
        )
        if fields["code"] and items.filter(code=fields["code"]).exists():
            errors.append(
                {
                    "field": "code",
                    "message": _("The code %(code)s is already used.") % {"code": fields["code"]},
                }
            )
    elif action in (AdjustmentAction.CHANGE, AdjustmentAction.REMOVE):
        target = items.filter(code=item_code).first()
        if target is None:
            errors.append(
                {
                    "field": "item_code",
                    "message": _("There is no item %(code)s in the catalog.") % {"code": item_code},
                }
            )
        else:
            category = target.category
            if target.depth == 1:
                errors.append(
                    {
                        "field": "item_code",
                        "message": _("The six first-level categories do not change."),
                    }
                )
        if action == AdjustmentAction.CHANGE:
            errors += _field_errors(
                code=None,
                name=fields["name"] or (target.name if target else "x"),
                kind=fields["kind"] or None,
                procurement_code=fields["procurement_code"],
                description=fields["description"],
            )
    if errors:
        raise InvalidInput(errors)
    warnings = []
    if action != AdjustmentAction.REMOVE:
        kind = fields["kind"] or (target.kind if target else "")
        enforce(rules.kind_violations(kind, category))
        name = fields["name"] or (target.name if target else "")
        description = fields["description"] or (target.description if target else "")
        warnings += enforce(content_violations(name, description, proposer.region))
    target_year, date_warnings = rules.adjustment_year(
        proposed_on=today, closes=_closes(proposer.region, today), year=catalog.year
    )
    warnings += date_warnings
    adjustment = CatalogAdjustment.objects.create(
        catalog=catalog,
        target_year=target_year,
        proposer=proposer,
        proposed_by=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        origin=origin,
        item_code=item_code if action != AdjustmentAction.ADD else "",
        parent_code=parent_code if action == AdjustmentAction.ADD else "",
        reason=reason.strip(),
        warnings=[w.as_record() for w in warnings],
        **fields,
    )
    if expert_review is not None:
        adjustment.expert_review.save(expert_review.name, expert_review, save=True)
    audit.record(
        actor=actor,
        action=CatalogAction.ADJUSTMENT_PROPOSE,
        obj=adjustment,
        data={
            "action": action,
            "code": fields["code"] or item_code,
            "target_year": target_year,
            "warnings": [w.rule for w in warnings],
        },
    )
    return adjustment


def _decidable(actor, adjustment) -> CatalogAdjustment:
    refuse_platform_admin(actor, Role.FINANCE)
    adjustment = CatalogAdjustment.objects.select_for_update(of=("self",)).get(pk=adjustment.pk)
    enforce(
        rules.adjustment_decider_violations(is_keeping_bureau=is_keeper(actor, adjustment.catalog))
    )
    if adjustment.status != AdjustmentStatus.SUBMITTED:
        raise InvalidState(
            _("This adjustment is %(status)s already.")
            % {"status": adjustment.get_status_display()}
        )
    return adjustment


def _apply_adjustment(actor, adjustment, catalog) -> CatalogItem:
    item = apply_change(
        actor=actor,
        catalog=catalog,
        action=adjustment.action,
        reason=adjustment.reason,
        adjustment=adjustment,
        item_code=adjustment.item_code,
        parent_code=adjustment.parent_code,
        fields={
            k: v
            for k, v in {
                "code": adjustment.code,
                "name": adjustment.name,
                "description": adjustment.description,
                "kind": adjustment.kind,
                "procurement_code": adjustment.procurement_code,
                "keywords": adjustment.keywords,
            }.items()
            if v or adjustment.action == AdjustmentAction.ADD
        },
    )
    if adjustment.action == AdjustmentAction.ADD and not adjustment.code:
        adjustment.code = item.code
    adjustment.applied_at = timezone.now()
    adjustment.save(update_fields=["applied_at", "code"])
    return item


@transaction.atomic
def approve_adjustment(
    *, actor, adjustment: CatalogAdjustment, note: str = ""
) -> CatalogAdjustment:
    """The keeping bureau approves; the change enters the catalog of the target
    year now if that catalog exists, or when it is created by copy."""
    adjustment = _decidable(actor, adjustment)
    adjustment.status = AdjustmentStatus.APPROVED
    adjustment.decided_by = actor
    adjustment.decided_at = timezone.now()
    adjustment.decision_note = (note or "").strip()
    adjustment.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    target = Catalog.objects.filter(
        region=adjustment.catalog.region, year=adjustment.target_year
    ).first()
    if target is not None:
        _apply_adjustment(actor, adjustment, target)
    audit.record(
        actor=actor,
        action=CatalogAction.ADJUSTMENT_APPROVE,
        obj=adjustment,
        data={"applied": target is not None, "note": adjustment.decision_note},
    )
    return adjustment


@transaction.atomic
def return_adjustment(*, actor, adjustment: CatalogAdjustment, note: str) -> CatalogAdjustment:
    if not (note or "").strip():
        raise ApplicationError(
            "required", _("Say why the proposal is returned."), field="decision_note"
        )
    adjustment = _decidable(actor, adjustment)
    adjustment.status = AdjustmentStatus.RETURNED
    adjustment.decided_by = actor
    adjustment.decided_at = timezone.now()
    adjustment.decision_note = note.strip()
    adjustment.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    audit.record(
        actor=actor, action=CatalogAction.ADJUSTMENT_RETURN, obj=adjustment, data={"note": note}
    )
    return adjustment


@transaction.atomic
def withdraw_adjustment(*, actor, adjustment: CatalogAdjustment) -> CatalogAdjustment:
    require_member(actor, adjustment.proposer)
    adjustment = CatalogAdjustment.objects.select_for_update(of=("self",)).get(pk=adjustment.pk)
    if adjustment.status != AdjustmentStatus.SUBMITTED:
        raise InvalidState(_("Only a proposal awaiting approval can be withdrawn."))
    adjustment.status = AdjustmentStatus.WITHDRAWN
    adjustment.save(update_fields=["status"])
    audit.record(actor=actor, action=CatalogAction.ADJUSTMENT_WITHDRAW, obj=adjustment)
    return adjustment


@transaction.atomic
def grant_out_of_catalog_consent(
    *,
    actor,
    purchaser,
    title: str,
    reason: str,
    parent_code: str,
    description: str = "",
    kind: str = "",
    today: dt.date | None = None,
) -> OutOfCatalogConsent:
    """C4: the finance bureau of the purchaser's region (or above) consents to a
    purchase outside the catalog; the adjustment adding it is created at once."""
    refuse_platform_admin(actor, Role.FINANCE)
    bureaus = permissions.consenting_bureaus(actor, purchaser)
    if not bureaus:
        raise NotAllowed(
            _("Only the finance bureau of %(region)s or above consents.")
            % {"region": purchaser.region.name}
        )
    if not purchaser.is_purchaser:
        raise ApplicationError(
            "not_a_purchaser",
            _("%(org)s is not a purchasing department.") % {"org": purchaser.name},
            field="purchaser",
        )
    if not (reason or "").strip():
        raise ApplicationError("required", _("Say why consent is given."), field="reason")
    adjustment = propose_adjustment(
        actor=actor,
        proposer=purchaser,
        action=AdjustmentAction.ADD,
        reason=_("Bought outside the catalog with the finance bureau's consent: %(reason)s")
        % {"reason": reason.strip()},
        parent_code=parent_code,
        fields={"name": title, "description": description, "kind": kind},
        today=today,
        origin=AdjustmentOrigin.CONSENT,
    )
    consent = OutOfCatalogConsent.objects.create(
        purchaser=purchaser,
        finance_bureau=bureaus[0],
        title=title.strip(),
        description=description.strip(),
        reason=reason.strip(),
        granted_by=actor,
        adjustment=adjustment,
    )
    audit.record(
        actor=actor,
        action=CatalogAction.CONSENT_GRANT,
        obj=consent,
        organization=consent.finance_bureau,
        data={"title": consent.title, "adjustment": adjustment.pk},
    )
    return consent


# --- negative list (C2, C3, C7) -------------------------------------------------------


def _pattern_errors(field: str, text: str) -> list[dict]:
    from .screening import PatternError, compile_pattern

    errors = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            compile_pattern(line.strip())
        except PatternError as e:
            errors.append(
                {
                    "field": field,
                    "message": _("line %(number)s: %(error)s") % {"number": number, "error": e},
                }
            )
    return errors


@transaction.atomic
def save_negative_item(
    *,
    actor,
    region,
    item: NegativeListItem | None = None,
    clause: str,
    title: str,
    description: str,
    basis: str,
    phrases: str = "",
    unless: str = "",
    title_en: str = "",
    description_en: str = "",
    is_active: bool = True,
) -> NegativeListItem:
    """Add or change an item of a region's negative list (its finance bureau)."""
    if item is not None:
        region = item.region
    permissions.require_keep_negative_list(actor, region)
    errors = []
    if clause not in NegativeClause.values:
        errors.append({"field": "clause", "message": _("Choose the clause that bars it.")})
    if region is not None and clause != NegativeClause.LOCAL and item is None:
        errors.append(
            {
                "field": "clause",
                "message": _("A region's own additions cite their local basis (local addition)."),
            }
        )
    for field, value, limit in (("title", title, 200), ("basis", basis, 300)):
        if not (value or "").strip():
            errors.append({"field": field, "message": _("This field is required.")})
        elif len(value) > limit:
            errors.append(
                {"field": field, "message": _("At most %(n)s characters.") % {"n": limit}}
            )
    if not (description or "").strip():
        errors.append({"field": "description", "message": _("Say why it must not be bought.")})
    errors += _pattern_errors("phrases", phrases)
    errors += _pattern_errors("unless", unless)
    if errors:
        raise InvalidInput(errors)
    values = {
        "clause": clause,
        "title": title.strip(),
        "title_en": title_en.strip(),
        "description": description.strip(),
        "description_en": description_en.strip(),
        "basis": basis.strip(),
        "phrases": "\n".join(p.strip() for p in phrases.splitlines() if p.strip()),
        "unless": "\n".join(p.strip() for p in unless.splitlines() if p.strip()),
        "is_active": bool(is_active),
    }
    if item is None:
        top = NegativeListItem.objects.filter(region=region).aggregate(m=Max("position"))["m"]
        item = NegativeListItem.objects.create(
            region=region,
            key=f"{region.code if region else 'cn'}-{uuid.uuid4().hex[:10]}",
            position=(top or 0) + 1,
            **values,
        )
        action = CatalogAction.NEGATIVE_LIST_ADD
    else:
        for k, v in values.items():
            setattr(item, k, v)
        item.save()
        action = CatalogAction.NEGATIVE_LIST_CHANGE
    audit.record(
        actor=actor,
        action=action,
        obj=item,
        organization=next(iter(permissions.deciding_bureaus(actor, region.pk)), None)
        if region
        else None,
        data={k: v for k, v in values.items() if not k.endswith("_en")},
    )
    return item
