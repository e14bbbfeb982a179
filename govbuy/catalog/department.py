"""Writes for department catalogs (部门目录, C5): compiled by a purchasing
department within its level's guidance catalog, approved by the finance bureau
of its region before use."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from govbuy.accounts.models import Role
from govbuy.catalog.audit_actions import CatalogAction
from govbuy.core import audit, dates
from govbuy.core.errors import ApplicationError, InvalidInput, InvalidState
from govbuy.core.rules import enforce

from . import excel, permissions, rules
from .models import (
    DepartmentCatalog,
    DepartmentCatalogItem,
    DepartmentCatalogStatus,
)
from .selectors import catalog_in_force
from .services import (
    CODE_RE,
    content_violations,
    export_rows,
    parse_upload,
    refuse_platform_admin,
    sort_key,
)


def _require_editable(actor, dc: DepartmentCatalog) -> DepartmentCatalog:
    permissions.require_compile_department_catalog(actor, dc.organization)
    dc = DepartmentCatalog.objects.select_for_update(of=("self",)).get(pk=dc.pk)
    if not dc.is_editable:
        raise InvalidState(
            _("The department catalog is %(status)s; it can no longer be edited.")
            % {"status": dc.get_status_display()}
        )
    return dc


@transaction.atomic
def create_department_catalog(*, actor, organization, year: int) -> DepartmentCatalog:
    """Start a department catalog with levels 1 and 2 of the level's catalog
    (which it must match anyway); the department adds level 3 and deeper."""
    permissions.require_compile_department_catalog(actor, organization)
    if not organization.is_purchaser:
        raise ApplicationError(
            "not_a_purchaser",
            _("%(org)s is not a purchasing department.") % {"org": organization.name},
        )
    year = dates.check_year(year, region=organization.region)
    within = catalog_in_force(organization.region, year)
    if within is None:
        raise InvalidState(
            _("No guidance catalog is published for %(region)s in %(year)s.")
            % {"region": organization.region.name, "year": year}
        )
    if DepartmentCatalog.objects.filter(organization=organization, year=year).exists():
        raise ApplicationError(
            "duplicate",
            _("There is already a %(year)s catalog of this department.") % {"year": year},
            field="year",
        )
    dc = DepartmentCatalog.objects.create(organization=organization, year=year, within=within)
    by_guidance: dict[int, DepartmentCatalogItem] = {}
    for depth in (1, 2):
        batch = []
        sources = list(within.items.filter(is_active=True, depth=depth).order_by("sort_key"))
        for g in sources:
            parent = by_guidance.get(g.parent_id)
            batch.append(
                DepartmentCatalogItem(
                    department_catalog=dc,
                    parent=parent,
                    guidance_item=g,
                    code=g.code,
                    name=g.name,
                    description=g.description,
                    kind=g.kind,
                    depth=depth,
                    position=g.position,
                    sort_key=g.sort_key,
                )
            )
        created = DepartmentCatalogItem.objects.bulk_create(batch)
        by_guidance.update((g.pk, item) for g, item in zip(sources, created, strict=True))
    audit.record(
        actor=actor,
        action=CatalogAction.DEPARTMENT_CATALOG_CREATE,
        obj=dc,
        data={"year": year, "within": within.pk},
    )
    return dc


def _guidance_for(dc, *, depth, code, parent):
    """The guidance item a new department item is (same code) or falls within (the
    parent's guidance item)."""
    same = dc.within.items.filter(code=code, is_active=True).first()
    if same is not None:
        return same
    if depth <= 2 or parent is None:
        return None
    return parent.guidance_item


@transaction.atomic
def add_department_item(
    *,
    actor,
    department_catalog: DepartmentCatalog,
    parent_code: str,
    code: str,
    name: str,
    kind: str = "",
    description: str = "",
) -> DepartmentCatalogItem:
    dc = _require_editable(actor, department_catalog)
    code, name = (code or "").strip(), (name or "").strip()
    errors = []
    parent = dc.items.filter(code=parent_code).select_related("guidance_item").first()
    if parent_code and parent is None:
        errors.append(
            {
                "field": "parent_code",
                "message": _("There is no item %(code)s in this catalog.") % {"code": parent_code},
            }
        )
    if not CODE_RE.match(code):
        errors.append({"field": "code", "message": _("Give a code such as A010101.")})
    elif dc.items.filter(code=code).exists():
        errors.append(
            {"field": "code", "message": _("The code %(code)s is already used.") % {"code": code}}
        )
    if not name or len(name) > 200:
        errors.append({"field": "name", "message": _("Give a name of at most 200 characters.")})
    if errors:
        raise InvalidInput(errors)
    depth = parent.depth + 1 if parent else 1
    guidance = _guidance_for(dc, depth=depth, code=code, parent=parent)
    kind = kind or (guidance.kind if guidance else "")
    enforce(
        rules.department_item_violations(
            depth=depth,
            code=code,
            name=name,
            guidance_item=guidance,
            within_catalog_id=dc.within_id,
            parent_guidance_item=parent.guidance_item if parent else None,
        )
    )
    enforce(rules.kind_violations(kind, guidance.category))
    enforce(content_violations(name, description, dc.organization.region))
    top = dc.items.filter(parent=parent).aggregate(m=Max("position"))["m"]
    position = (top or 0) + 1
    item = DepartmentCatalogItem.objects.create(
        department_catalog=dc,
        parent=parent,
        guidance_item=guidance,
        code=code,
        name=name,
        description=(description or "").strip(),
        kind=kind,
        depth=depth,
        position=position,
        sort_key=sort_key(parent.sort_key if parent else None, position),
    )
    audit.record(
        actor=actor,
        action=CatalogAction.DEPARTMENT_ITEM_ADD,
        obj=dc,
        data={"code": code, "name": name, "guidance": guidance.code},
    )
    return item


@transaction.atomic
def remove_department_item(*, actor, item: DepartmentCatalogItem) -> None:
    dc = _require_editable(actor, item.department_catalog)
    if item.depth <= 2:
        raise ApplicationError(
            "levels_fixed",
            _("Levels 1 and 2 follow the provincial catalog and stay."),
            field="code",
        )
    removed = dc.items.filter(sort_key__startswith=item.sort_key).count()
    dc.items.filter(sort_key__startswith=item.sort_key + ".").delete()
    item.delete()
    audit.record(
        actor=actor,
        action=CatalogAction.DEPARTMENT_ITEM_REMOVE,
        obj=dc,
        data={"code": item.code, "removed": removed},
    )


def export_department_catalog(dc: DepartmentCatalog) -> bytes:
    items = dc.items.order_by("sort_key")
    return excel.export_workbook(export_rows(items), title=f"{dc.year} {dc.organization.name}")


@transaction.atomic
def import_department_catalog(*, actor, department_catalog: DepartmentCatalog, data: bytes) -> int:
    """Replace the department's items by an Excel file: all or nothing, each
    row checked against C1, C5 and the negative list."""
    dc = _require_editable(actor, department_catalog)
    rows = parse_upload(data)
    within = {g.code: g for g in dc.within.items.filter(is_active=True).select_related("parent")}
    by_path: dict[tuple, tuple] = {}  # path -> (code, guidance item)
    errors = []
    for number, row in enumerate(rows, start=2):
        parent = by_path.get(row.path[:-1])
        guidance = within.get(row.code)
        if guidance is None and row.depth > 2 and parent is not None:
            guidance = parent[1]
        violations = rules.department_item_violations(
            depth=row.depth,
            code=row.code,
            name=row.name,
            guidance_item=guidance,
            within_catalog_id=dc.within_id,
            parent_guidance_item=parent[1] if parent else None,
        )
        if guidance is not None:
            violations += rules.kind_violations(row.kind, guidance.category)
        violations += [
            v
            for v in content_violations(row.name, row.description, dc.organization.region)
            if v.is_hard
        ]
        for v in violations:
            errors.append(
                {"row": number, "column": "", "field": "file", "message": f"[{v.rule}] {v.message}"}
            )
        by_path[row.path] = (row.code, guidance)
    if errors:
        raise InvalidInput(errors, code="import_rejected")
    dc.items.all().delete()
    created: dict[tuple, DepartmentCatalogItem] = {}
    positions: dict[tuple, int] = {}
    for depth in sorted({r.depth for r in rows}):
        level = [r for r in rows if r.depth == depth]
        batch = []
        for row in level:
            parent = created.get(row.path[:-1])
            pos = positions[row.path[:-1]] = positions.get(row.path[:-1], 0) + 1
            batch.append(
                DepartmentCatalogItem(
                    department_catalog=dc,
                    parent=parent,
                    guidance_item=by_path[row.path][1],
                    code=row.code,
                    name=row.name,
                    description=row.description,
                    kind=row.kind,
                    depth=depth,
                    position=pos,
                    sort_key=sort_key(parent.sort_key if parent else None, pos),
                )
            )
        saved = DepartmentCatalogItem.objects.bulk_create(batch)
        created.update((row.path, item) for row, item in zip(level, saved, strict=True))
    audit.record(
        actor=actor,
        action=CatalogAction.DEPARTMENT_CATALOG_IMPORT,
        obj=dc,
        data={"items": len(rows)},
    )
    return len(rows)


@transaction.atomic
def submit_department_catalog(*, actor, department_catalog: DepartmentCatalog) -> DepartmentCatalog:
    dc = _require_editable(actor, department_catalog)
    if not dc.items.filter(depth__gte=3).exists():
        raise InvalidState(_("Add at least one level-3 item before submitting."))
    dc.status = DepartmentCatalogStatus.SUBMITTED
    dc.submitted_at = timezone.now()
    dc.save(update_fields=["status", "submitted_at", "updated_at"])
    audit.record(actor=actor, action=CatalogAction.DEPARTMENT_CATALOG_SUBMIT, obj=dc)
    return dc


def _decidable(actor, department_catalog) -> DepartmentCatalog:
    refuse_platform_admin(actor, Role.FINANCE)
    dc = (
        DepartmentCatalog.objects.select_for_update(of=("self",))
        .select_related("organization")
        .get(pk=department_catalog.pk)
    )
    permissions.require_decide_department_catalog(actor, dc)
    if dc.status != DepartmentCatalogStatus.SUBMITTED:
        raise InvalidState(
            _("The department catalog is %(status)s, not awaiting approval.")
            % {"status": dc.get_status_display()}
        )
    return dc


@transaction.atomic
def approve_department_catalog(
    *, actor, department_catalog: DepartmentCatalog, note: str = ""
) -> DepartmentCatalog:
    dc = _decidable(actor, department_catalog)
    # Re-check C5 at approval: the guidance catalog may have changed meanwhile.
    problems = []
    items = list(dc.items.select_related("guidance_item", "parent__guidance_item"))
    for item in items:
        problems += rules.department_item_violations(
            depth=item.depth,
            code=item.code,
            name=item.name,
            guidance_item=item.guidance_item,
            within_catalog_id=dc.within_id,
            parent_guidance_item=item.parent.guidance_item if item.parent_id else None,
        )
    enforce(problems)
    dc.status = DepartmentCatalogStatus.APPROVED
    dc.decided_at = timezone.now()
    dc.decided_by = actor
    dc.decision_note = (note or "").strip()
    dc.save(update_fields=["status", "decided_at", "decided_by", "decision_note", "updated_at"])
    audit.record(
        actor=actor,
        action=CatalogAction.DEPARTMENT_CATALOG_APPROVE,
        obj=dc,
        data={"note": dc.decision_note, "items": len(items)},
    )
    return dc


@transaction.atomic
def return_department_catalog(
    *, actor, department_catalog: DepartmentCatalog, note: str
) -> DepartmentCatalog:
    if not (note or "").strip():
        raise ApplicationError(
            "required", _("Say what the department must revise."), field="decision_note"
        )
    dc = _decidable(actor, department_catalog)
    dc.status = DepartmentCatalogStatus.RETURNED
    dc.decided_at = timezone.now()
    dc.decided_by = actor
    dc.decision_note = note.strip()
    dc.save(update_fields=["status", "decided_at", "decided_by", "decision_note", "updated_at"])
    audit.record(
        actor=actor, action=CatalogAction.DEPARTMENT_CATALOG_RETURN, obj=dc, data={"note": note}
    )
    return dc
