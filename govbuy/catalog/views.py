"""Catalog pages: the public catalog browser, item pages, the negative list and
the screening form; department catalogs and adjustment proposals for
purchasers; the approvals inbox, catalog keeping and the negative list for
finance bureaus.

Every object comes through a scoped selector (404 for others' objects), every
write is a POST that calls one service, and a refused action re-renders the
page with the user's input and the service's messages beside the fields.
"""

from __future__ import annotations

import posixpath
from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from govbuy.accounts.models import Role
from govbuy.accounts.permissions import require_role
from govbuy.accounts.selectors import active_membership
from govbuy.core.forms import BaseForm
from govbuy.core.pages import REFUSED, post_data, refuse
from govbuy.core.throttling import throttle_anonymous_downloads
from govbuy.orgs.selectors import region_by_code

from . import department, permissions, selectors, services
from .forms import (
    AdjustmentFilterForm,
    AdjustmentForm,
    CatalogCopyForm,
    CatalogEditForm,
    CatalogImportForm,
    DecisionForm,
    DepartmentCatalogCreateForm,
    DepartmentItemForm,
    NegativeItemForm,
    ScreenForm,
    UploadForm,
)
from .models import (
    AdjustmentAction,
    ChangeAction,
    DepartmentCatalogStatus,
    NegativeClause,
)

PAGE_SIZE = 25
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Keeping catalogs and the negative list is the finance bureau's: the platform
# administrator reads them and keeps none (core.permissions).
FINANCE_ROLES = (Role.FINANCE,)
STAFF_ROLES = (Role.PURCHASER, Role.FINANCE, Role.AUDITOR, Role.PLATFORM_ADMIN)
# Screening reports its hits on "title"/"description"; for catalog items the title is the name.
ITEM_FIELDS = {"title": "name", "guidance_item": "parent_code"}


# --- helpers -----------------------------------------------------------------------


def _role(request) -> str | None:
    m = active_membership(request)
    return m.role if m else None


def tree_events(items, *, expand_depth: int = 1) -> list[dict]:
    """A tree as one flat list (open / leaf / close), built from items in
    ``sort_key`` order, so a template renders hundreds of items in one loop."""
    items = list(items)
    events: list[dict] = []
    stack: list[tuple] = []  # (item, its "open" event, its index)

    def close(at: int) -> None:
        _item, event, start = stack.pop()
        event["descendants"] = at - start - 1
        events.append({"kind": "close"})

    for index, item in enumerate(items):
        while stack and not item.sort_key.startswith(stack[-1][0].sort_key + "."):
            close(index)
        following = items[index + 1] if index + 1 < len(items) else None
        if following is not None and following.sort_key.startswith(item.sort_key + "."):
            event = {"kind": "open", "item": item, "expanded": item.depth <= expand_depth}
            events.append(event)
            stack.append((item, event, index))
        else:
            events.append({"kind": "leaf", "item": item})
    while stack:
        close(len(items))
    return events


def _descendant_count(items, item) -> int:
    prefix = item.sort_key + "."
    return sum(1 for i in items if i.sort_key.startswith(prefix))


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# --- public: browser, item, negative list, screening ---------------------------------


def browser(request):
    """The catalog browser: the tree of a catalog, or ranked search results."""
    catalogs = list(selectors.catalogs_for_user(request.user))
    catalog = _chosen_catalog(request, catalogs)
    q = request.GET.get("q", "").strip()[:100]
    context = {"catalogs": catalogs, "catalog": catalog, "q": q, "tree": None, "page": None}
    if catalog is not None:
        items = list(selectors.items_of(catalog))
        context["item_count"] = len(items)
        if q:
            page = Paginator(selectors.search_catalog(catalog, q), PAGE_SIZE).get_page(
                request.GET.get("page")
            )
            names = {i.sort_key: i.name for i in items}
            for item in page.object_list:
                keys = item.sort_key.split(".")
                item.path = [
                    names[".".join(keys[: n + 1])]
                    for n in range(len(keys) - 1)
                    if ".".join(keys[: n + 1]) in names
                ]
            context["page"] = page
        else:
            context["tree"] = tree_events(items)
    partial = request.headers.get("HX-Request") and not request.headers.get(
        "HX-History-Restore-Request"
    )
    template = "catalog/_browser_results.html" if partial else "catalog/browser.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _chosen_catalog(request, catalogs):
    wanted = request.GET.get("catalog")
    if wanted:
        for c in catalogs:
            if str(c.pk) == wanted:
                return c
        raise Http404(_("No such catalog."))
    region_code = request.GET.get("region", "").strip() or None
    year = _int(request.GET.get("year"))
    if region_code is None and year is None:
        # A signed-in department or bureau starts with the catalog in force for its region.
        m = active_membership(request)
        if m is not None:
            found = selectors.default_public_catalog(m.organization.region.code)
            if found is not None:
                return found
    return selectors.default_public_catalog(region_code, year)


CHANGE_FIELDS = {
    "code": gettext_lazy("code"),
    "name": gettext_lazy("name"),
    "description": gettext_lazy("description"),
    "kind": gettext_lazy("kind"),
    "procurement_code": gettext_lazy("procurement item code"),
    "keywords": gettext_lazy("keywords"),
    "parent": gettext_lazy("parent item"),
    "is_active": gettext_lazy("in the catalog"),
}


def item_detail(request, catalog_pk: int, code: str):
    catalog = selectors.catalog_for_user(request.user, catalog_pk)
    item = selectors.item_in(catalog, code)
    changes = list(item.changes.select_related("actor").order_by("-created_at", "-pk"))
    for change in changes:
        change.diff = (
            [
                {"field": CHANGE_FIELDS.get(k, k), "before": change.before.get(k), "after": v}
                for k, v in change.after.items()
                if change.before.get(k) != v and k in CHANGE_FIELDS
            ]
            if change.action == ChangeAction.CHANGED
            else []
        )
    return render(
        request,
        "catalog/item_detail.html",
        {
            "item": item,
            "catalog": catalog,
            "ancestors": selectors.ancestors(item),
            "children": selectors.children_of(item),
            "changes": changes,
            "show_actor": _role(request) in (Role.FINANCE, Role.AUDITOR, Role.PLATFORM_ADMIN),
        },
    )


@throttle_anonymous_downloads
def catalog_export(request, pk: int):
    """Excel download of a catalog (published ones are public)."""
    catalog = selectors.catalog_for_user(request.user, pk)
    level = catalog.region.code if catalog.region_id else "national"
    return _xlsx(services.export_catalog(catalog), f"guidance-catalog-{catalog.year}-{level}.xlsx")


def negative_list(request):
    """负面清单: national items, and with ?region= that region's and its ancestors'."""
    code = request.GET.get("region", "").strip()[:12]
    region = region_by_code(code) if code else None
    english = (translation.get_language() or "").startswith("en")
    order = {c: n for n, c in enumerate(NegativeClause.values)}
    items = sorted(selectors.negative_list(region), key=lambda i: order.get(i.clause, 99))
    groups = []
    for clause, members in groupby(items, key=lambda i: i.clause):
        rows = []
        for item in members:
            item.shown_title = (item.title_en if english else "") or item.title
            item.shown_description = (item.description_en if english else "") or item.description
            rows.append(item)
        groups.append(
            {
                "clause": clause,
                "label": NegativeClause(clause).label,
                "rule": NegativeClause.rule_for(clause),
                "items": rows,
            }
        )
    return render(
        request,
        "catalog/negative_list.html",
        {
            "groups": groups,
            "count": len(items),
            "region": region,
            "region_code": code,
            "unknown_region": bool(code) and region is None,
            "regions": selectors.negative_list_regions(),
        },
    )


def screen(request):
    """Screen a purchase (public): what the negative list and the catalog say."""
    form = ScreenForm(post_data(request))
    result = None
    status = 200
    if request.method == "POST" and form.is_valid():
        from . import screening_service

        data = form.cleaned_data
        try:
            result = screening_service.screen_purchase(
                title=data["title"],
                description=data["description"],
                catalog_item=data["catalog_item"] or None,
                region=data["region"] or None,
            )
        except REFUSED as e:
            status = refuse(form, e)
    hard = [v for v in result or [] if v.is_hard]
    return render(
        request,
        "catalog/screen.html",
        {
            "form": form,
            "result": result,
            "hard": hard,
            "warnings": [v for v in result or [] if not v.is_hard],
        },
        status=status,
    )


# --- department catalogs (部门目录) -------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def department_list(request):
    m = require_role(request, *STAFF_ROLES)
    is_purchaser = m.role == Role.PURCHASER and permissions.can_compile_department_catalog(
        request.user, m.organization
    )
    form = None
    status = 200
    if is_purchaser:
        form = DepartmentCatalogCreateForm(
            post_data(request), initial={"year": timezone.localdate().year}
        )
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                dc = department.create_department_catalog(
                    actor=request.user, organization=m.organization, year=form.cleaned_data["year"]
                )
            except REFUSED as e:
                status = refuse(form, e)
            else:
                messages.success(request, _("The department catalog was created."))
                return redirect("catalog:department_detail", dc.pk)
    wanted = request.GET.get("status")
    wanted = wanted if wanted in DepartmentCatalogStatus.values else None
    page = Paginator(
        selectors.department_catalogs_for_user(request.user, status=wanted), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "catalog/department_list.html",
        {"page": page, "form": form, "status": wanted, "statuses": DepartmentCatalogStatus},
        status=status,
    )


def _department_page(request, dc, *, status: int = 200, **forms):
    items = list(dc.items.select_related("guidance_item").order_by("sort_key"))
    context = {
        "dc": dc,
        "items": items,
        "tree": tree_events(items),
        "may_edit": permissions.can_edit_department_catalog(request.user, dc),
        "may_decide": permissions.can_decide_department_catalog(request.user, dc),
        "add_form": DepartmentItemForm(),
        "import_form": UploadForm(),
        "submit_form": BaseForm(),
        "decision_form": DecisionForm(),
    }
    context.update(forms)
    return render(request, "catalog/department_detail.html", context, status=status)


@login_required
def department_detail(request, pk: int):
    dc = selectors.department_catalog_for_user(request.user, pk)
    return _department_page(request, dc)


@login_required
@require_POST
def department_add_item(request, pk: int):
    dc = selectors.department_catalog_for_user(request.user, pk)
    form = DepartmentItemForm(request.POST)
    status = 200
    if form.is_valid():
        data = form.cleaned_data
        try:
            item = department.add_department_item(
                actor=request.user,
                department_catalog=dc,
                parent_code=data["parent_code"],
                code=data["code"],
                name=data["name"],
                kind=data["kind"],
                description=data["description"],
            )
        except REFUSED as e:
            status = refuse(form, e, fields=ITEM_FIELDS)
        else:
            messages.success(request, _("Added %(item)s.") % {"item": f"{item.code} {item.name}"})
            return redirect("catalog:department_detail", dc.pk)
    return _department_page(request, dc, add_form=form, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def department_remove_item(request, pk: int, item_pk: int):
    dc = selectors.department_catalog_for_user(request.user, pk)
    item = get_object_or_404(dc.items.all(), pk=item_pk)
    form = BaseForm(post_data(request))
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            department.remove_department_item(actor=request.user, item=item)
        except REFUSED as e:
            status = refuse(form, e)
        else:
            messages.success(request, _("Removed %(item)s.") % {"item": f"{item.code} {item.name}"})
            return redirect("catalog:department_detail", dc.pk)
    below = dc.items.filter(sort_key__startswith=item.sort_key + ".").count()
    return render(
        request,
        "catalog/department_remove_confirm.html",
        {"dc": dc, "item": item, "below": below, "form": form},
        status=status,
    )


@login_required
def department_export(request, pk: int):
    dc = selectors.department_catalog_for_user(request.user, pk)
    return _xlsx(
        department.export_department_catalog(dc),
        f"department-catalog-{dc.year}-{dc.organization_id}.xlsx",
    )


@login_required
@require_POST
def department_import(request, pk: int):
    dc = selectors.department_catalog_for_user(request.user, pk)
    form = UploadForm(request.POST, request.FILES)
    status = 200
    if form.is_valid():
        try:
            count = department.import_department_catalog(
                actor=request.user, department_catalog=dc, data=form.cleaned_data["file"].read()
            )
        except REFUSED as e:
            status = refuse(form, e)
        else:
            messages.success(request, _("Imported %(n)s items.") % {"n": count})
            return redirect("catalog:department_detail", dc.pk)
    return _department_page(request, dc, import_form=form, status=status)


@login_required
@require_POST
def department_submit(request, pk: int):
    dc = selectors.department_catalog_for_user(request.user, pk)
    form = BaseForm(request.POST)
    form.is_valid()
    try:
        department.submit_department_catalog(actor=request.user, department_catalog=dc)
    except REFUSED as e:
        return _department_page(request, dc, submit_form=form, status=refuse(form, e))
    messages.success(request, _("Submitted to the finance bureau for approval."))
    return redirect("catalog:department_detail", dc.pk)


def _decide(request, *, approve, send_back, approved: str, returned: str):
    """Approve or return with a note (department catalogs and adjustments alike).
    Returns (form, status, done)."""
    form = DecisionForm(request.POST)
    decision = request.POST.get("decision")
    if decision not in ("approve", "return"):
        form.is_valid()
        form.add_error(None, _("Choose approve or return."))
        return form, 200, False
    if not form.is_valid():
        return form, 200, False
    try:
        (approve if decision == "approve" else send_back)(form.cleaned_data["note"])
    except REFUSED as e:
        return form, refuse(form, e, fields={"decision_note": "note"}), False
    messages.success(request, approved if decision == "approve" else returned)
    return form, 200, True


@login_required
@require_POST
def department_decide(request, pk: int):
    dc = selectors.department_catalog_for_user(request.user, pk)
    form, status, done = _decide(
        request,
        approve=lambda note: department.approve_department_catalog(
            actor=request.user, department_catalog=dc, note=note
        ),
        send_back=lambda note: department.return_department_catalog(
            actor=request.user, department_catalog=dc, note=note
        ),
        approved=_("The department catalog was approved."),
        returned=_("The department catalog was returned for revision."),
    )
    if done:
        return redirect("catalog:department_detail", dc.pk)
    return _department_page(request, dc, decision_form=form, status=status)


# --- adjustments (目录调整) ---------------------------------------------------------


@login_required
def adjustment_list(request):
    m = require_role(request, *STAFF_ROLES)
    filters = AdjustmentFilterForm(request.GET or None)
    wanted = filters.cleaned_data["status"] if filters.is_valid() else ""
    page = Paginator(
        selectors.adjustments_for_user(request.user, status=wanted or None), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "catalog/adjustment_list.html",
        {
            "page": page,
            "filters": filters,
            "may_propose": permissions.can_propose_adjustment(m),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def adjustment_new(request):
    m = require_role(request, Role.PURCHASER, Role.FINANCE)
    proposer = m.organization
    today = timezone.localdate()
    catalog = selectors.catalog_in_force(proposer.region, today.year)
    form = AdjustmentForm(
        post_data(request),
        request.FILES if request.method == "POST" else None,
        initial={
            "action": request.GET.get("action", AdjustmentAction.ADD),
            "item_code": request.GET.get("item", ""),
        },
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            adjustment = services.propose_adjustment(
                actor=request.user,
                proposer=proposer,
                action=data["action"],
                reason=data["reason"],
                item_code=data["item_code"],
                parent_code=data["parent_code"],
                fields=form.item_fields(),
                expert_review=data.get("expert_review") or None,
            )
        except REFUSED as e:
            status = refuse(form, e, fields=ITEM_FIELDS)
        else:
            messages.success(
                request,
                _(
                    "Your proposal was sent to the finance bureau; if approved it enters the "
                    "%(year)s catalog."
                )
                % {"year": adjustment.target_year},
            )
            for warning in adjustment.warnings:
                messages.warning(request, f"[{warning['rule']}] {warning['message']}")
            return redirect("catalog:adjustment_detail", adjustment.pk)
    return render(
        request,
        "catalog/adjustment_form.html",
        {
            "form": form,
            "proposer": proposer,
            "catalog": catalog,
            "items": list(selectors.items_of(catalog)) if catalog else [],
        },
        status=status,
    )


def _adjustment_page(request, adjustment, *, status: int = 200, **forms):
    user = request.user
    context = {
        "adjustment": adjustment,
        "may_withdraw": permissions.can_withdraw_adjustment(user, adjustment),
        "may_decide": permissions.can_decide_adjustment(user, adjustment),
        "decision_form": DecisionForm(),
        "withdraw_form": BaseForm(),
    }
    context.update(forms)
    return render(request, "catalog/adjustment_detail.html", context, status=status)


@login_required
def adjustment_detail(request, pk: int):
    adjustment = selectors.adjustment_for_user(request.user, pk)
    return _adjustment_page(request, adjustment)


@login_required
def adjustment_expert_review(request, pk: int):
    adjustment = selectors.adjustment_for_user(request.user, pk)
    if not adjustment.expert_review:
        raise Http404
    return FileResponse(
        adjustment.expert_review.open("rb"),
        as_attachment=True,
        filename=posixpath.basename(adjustment.expert_review.name),
    )


@login_required
@require_POST
def adjustment_withdraw(request, pk: int):
    adjustment = selectors.adjustment_for_user(request.user, pk)
    form = BaseForm(request.POST)
    form.is_valid()
    try:
        services.withdraw_adjustment(actor=request.user, adjustment=adjustment)
    except REFUSED as e:
        return _adjustment_page(request, adjustment, withdraw_form=form, status=refuse(form, e))
    messages.success(request, _("The proposal was withdrawn."))
    return redirect("catalog:adjustment_detail", adjustment.pk)


@login_required
@require_POST
def adjustment_decide(request, pk: int):
    adjustment = selectors.adjustment_for_user(request.user, pk)
    form, status, done = _decide(
        request,
        approve=lambda note: services.approve_adjustment(
            actor=request.user, adjustment=adjustment, note=note
        ),
        send_back=lambda note: services.return_adjustment(
            actor=request.user, adjustment=adjustment, note=note
        ),
        approved=_("The proposal was approved."),
        returned=_("The proposal was returned."),
    )
    if done:
        return redirect("catalog:adjustment_detail", adjustment.pk)
    return _adjustment_page(request, adjustment, decision_form=form, status=status)


# --- finance: inbox, catalogs kept, negative list -----------------------------------


@login_required
def inbox(request):
    require_role(request, *FINANCE_ROLES)
    waiting = selectors.finance_inbox(request.user)
    return render(
        request,
        "catalog/inbox.html",
        {
            "adjustments": list(waiting["adjustments"]),
            "department_catalogs": list(waiting["department_catalogs"]),
        },
    )


def _kept_catalogs(user) -> list:
    return [c for c in selectors.catalogs_for_user(user) if permissions.is_keeper(user, c)]


@login_required
@require_http_methods(["GET", "POST"])
def manage_list(request):
    require_role(request, *FINANCE_ROLES)
    kept = _kept_catalogs(request.user)
    next_year = max([c.year for c in kept], default=timezone.localdate().year) + 1
    form = CatalogCopyForm(post_data(request), catalogs=kept, initial={"year": next_year})
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        source = next(c for c in kept if c.pk == data["source"])
        try:
            catalog = services.copy_catalog(
                actor=request.user, source=source, year=data["year"], name=data["name"]
            )
        except REFUSED as e:
            status = refuse(form, e)
        else:
            messages.success(
                request,
                _("The %(year)s catalog was created as a draft copy.") % {"year": catalog.year},
            )
            return redirect("catalog:manage_detail", catalog.pk)
    return render(request, "catalog/manage_list.html", {"kept": kept, "form": form}, status=status)


def _kept_catalog(request, pk):
    require_role(request, *FINANCE_ROLES)
    catalog = selectors.catalog_for_user(request.user, pk)
    if not permissions.is_keeper(request.user, catalog):
        raise PermissionDenied
    return catalog


def _manage_page(request, catalog, *, status: int = 200, **forms):
    items = list(selectors.items_of(catalog))
    initial = {}
    for key, action in (("edit", AdjustmentAction.CHANGE), ("remove", AdjustmentAction.REMOVE)):
        code = request.GET.get(key)
        found = next((i for i in items if i.code == code), None) if code else None
        if found is not None:
            initial = {"action": action, "item_code": found.code}
            if action == AdjustmentAction.CHANGE:
                initial.update(
                    name=found.name,
                    kind=found.kind,
                    description=found.description,
                    procurement_code=found.procurement_code,
                    keywords=found.keywords,
                )
    add_under = request.GET.get("add")
    if add_under and any(i.code == add_under for i in items):
        initial = {"action": AdjustmentAction.ADD, "parent_code": add_under}
    context = {
        "catalog": catalog,
        "items": items,
        "edit_form": CatalogEditForm(initial=initial),
        "import_form": CatalogImportForm(),
    }
    context.update(forms)
    return render(request, "catalog/manage_detail.html", context, status=status)


@login_required
def manage_detail(request, pk: int):
    return _manage_page(request, _kept_catalog(request, pk))


@login_required
@require_POST
def manage_edit(request, pk: int):
    catalog = _kept_catalog(request, pk)
    form = CatalogEditForm(request.POST)
    status = 200
    if form.is_valid():
        data = form.cleaned_data
        if data["action"] == AdjustmentAction.REMOVE and request.POST.get("confirmed") != "1":
            items = list(selectors.items_of(catalog))
            item = next((i for i in items if i.code == data["item_code"]), None)
            if item is not None:
                return render(
                    request,
                    "catalog/manage_remove_confirm.html",
                    {
                        "catalog": catalog,
                        "item": item,
                        "below": _descendant_count(items, item),
                        "form": form,
                    },
                )
        try:
            item = services.edit_catalog(
                actor=request.user,
                catalog=catalog,
                action=data["action"],
                reason=data["reason"],
                item_code=data["item_code"],
                parent_code=data["parent_code"],
                fields=form.item_fields(),
            )
        except REFUSED as e:
            status = refuse(form, e, fields=ITEM_FIELDS)
        else:
            done = {
                AdjustmentAction.ADD: _("Added %(item)s."),
                AdjustmentAction.CHANGE: _("Changed %(item)s."),
                AdjustmentAction.REMOVE: _("Removed %(item)s."),
            }[data["action"]]
            messages.success(request, done % {"item": f"{item.code} {item.name}"})
            return redirect("catalog:manage_detail", catalog.pk)
    return _manage_page(request, catalog, edit_form=form, status=status)


@login_required
@require_POST
def manage_import(request, pk: int):
    catalog = _kept_catalog(request, pk)
    form = CatalogImportForm(request.POST, request.FILES)
    status = 200
    if form.is_valid():
        try:
            count = services.import_catalog(
                actor=request.user,
                catalog=catalog,
                data=form.cleaned_data["file"].read(),
                reason=form.cleaned_data["reason"],
            )
        except REFUSED as e:
            status = refuse(form, e)
        else:
            messages.success(request, _("Imported %(n)s items.") % {"n": count})
            return redirect("catalog:manage_detail", catalog.pk)
    return _manage_page(request, catalog, import_form=form, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def manage_publish(request, pk: int):
    catalog = _kept_catalog(request, pk)
    form = BaseForm(post_data(request))
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.publish_catalog(actor=request.user, catalog=catalog)
        except REFUSED as e:
            status = refuse(form, e)
        else:
            messages.success(request, _("The catalog is published."))
            return redirect("catalog:manage_detail", catalog.pk)
    return render(
        request,
        "catalog/manage_publish_confirm.html",
        {"catalog": catalog, "form": form, "item_count": selectors.items_of(catalog).count()},
        status=status,
    )


def _negative_region(request):
    """The region whose negative list the user keeps: a finance bureau its own."""
    m = require_role(request, *FINANCE_ROLES)
    region = m.organization.region
    if not permissions.can_keep_negative_list(request.user, region):
        raise PermissionDenied
    return region


NEGATIVE_FIELDS = (
    "clause",
    "title",
    "title_en",
    "description",
    "description_en",
    "basis",
    "phrases",
    "unless",
    "is_active",
)


def _negative_values(source) -> dict:
    """The service's arguments, from a form's cleaned data or from an item."""
    if isinstance(source, dict):
        return {k: source[k] for k in NEGATIVE_FIELDS}
    return {k: getattr(source, k) for k in NEGATIVE_FIELDS}


@login_required
@require_http_methods(["GET", "POST"])
def negative_manage(request):
    region = _negative_region(request)
    form = NegativeItemForm(post_data(request))
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            item = services.save_negative_item(
                actor=request.user, region=region, **_negative_values(form.cleaned_data)
            )
        except REFUSED as e:
            status = refuse(form, e)
        else:
            messages.success(request, _("Added “%(title)s”.") % {"title": item.title})
            return redirect(_negative_manage_url(region))
    items = list(selectors.negative_list(region, include_inactive=True))
    english = (translation.get_language() or "").startswith("en")
    for item in items:
        item.shown_title = (item.title_en if english else "") or item.title
    region_id = region.pk if region else None
    return render(
        request,
        "catalog/negative_manage.html",
        {
            "region": region,
            "own": [i for i in items if i.region_id == region_id],
            "inherited": [i for i in items if i.region_id != region_id],
            "form": form,
            "region_query": f"?region={region.code}" if region else "",
        },
        status=status,
    )


def _negative_manage_url(region) -> str:
    url = reverse("catalog:negative_manage")
    return f"{url}?region={region.code}" if region else url


def _own_negative_item(request, pk):
    region = _negative_region(request)
    item = get_object_or_404(selectors.negative_list(region, include_inactive=True), pk=pk)
    if item.region_id != (region.pk if region else None):
        raise PermissionDenied
    return region, item


@login_required
@require_http_methods(["GET", "POST"])
def negative_edit(request, pk: int):
    region, item = _own_negative_item(request, pk)
    form = NegativeItemForm(post_data(request), initial=_negative_values(item))
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.save_negative_item(
                actor=request.user, region=region, item=item, **_negative_values(form.cleaned_data)
            )
        except REFUSED as e:
            status = refuse(form, e)
        else:
            messages.success(
                request, _("Saved “%(title)s”.") % {"title": form.cleaned_data["title"]}
            )
            return redirect(_negative_manage_url(region))
    return render(
        request,
        "catalog/negative_form.html",
        {"item": item, "form": form, "region": region},
        status=status,
    )


@login_required
@require_POST
def negative_toggle(request, pk: int):
    """Take an item out of force (or back in), keeping everything else as it is."""
    region, item = _own_negative_item(request, pk)
    values = _negative_values(item)
    values["is_active"] = not item.is_active
    try:
        services.save_negative_item(actor=request.user, region=region, item=item, **values)
    except REFUSED as e:
        form = NegativeItemForm(values)
        form.is_valid()
        status = refuse(form, e)
        return render(
            request,
            "catalog/negative_form.html",
            {"item": item, "form": form, "region": region},
            status=status,
        )
    if values["is_active"]:
        messages.success(request, _("“%(title)s” is in force again.") % {"title": item.title})
    else:
        messages.success(request, _("“%(title)s” is no longer in force.") % {"title": item.title})
    return redirect(_negative_manage_url(region))
