"""Budget pages: the department's 预算表 (or, for a finance bureau or auditor,
every line of its region and below) with totals, filing and editing lines,
submission and the finance bureau's decision, adjustments (预算调剂), the
approvals inbox and the Excel export and import.

Every object comes through a scoped selector (404 for others' objects), every
write is a POST that calls one service, and a refused action re-renders the
page with the user's input and the service's messages beside the fields.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from govbuy.accounts.models import Role
from govbuy.accounts.permissions import require_role
from govbuy.core import bounds
from govbuy.core.forms import BaseForm
from govbuy.core.pages import REFUSED, post_data, refuse
from govbuy.orgs.selectors import organization_for_user

from . import excel, permissions, selectors, services
from .forms import (
    AdjustmentForm,
    DecisionForm,
    ImportForm,
    LineFilterForm,
    LineForm,
    filing_years,
    out_year_formset,
)
from .models import AdjustmentStatus, BudgetLineStatus

PAGE_SIZE = 25
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
STAFF_ROLES = (Role.PURCHASER, Role.FINANCE, Role.AUDITOR, Role.PLATFORM_ADMIN)
# Deciding on budgets is the finance bureau's; the administrator only reads.
FINANCE_ROLES = (Role.FINANCE,)
OUT_YEARS = "out_years"
# Where a service's field name is shown on the pages.
RENAME = {"decision_note": "note"}
FIELD_LABELS = {
    **{name: field.label for name, field in LineForm.base_fields.items()},
    "out_years": gettext_lazy("Out-years (中期财政规划)"),
    "budget_line": gettext_lazy("Budget line"),
}


# --- helpers -----------------------------------------------------------------------


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _refuse(form, exc: Exception, *, formset=None, entries=()) -> int:
    """`core.pages.refuse` with this app's field names, and the out-years
    formset: ``entries`` maps the service's out-year index to the formset row."""

    def out_year(name: str, message, violation=None) -> bool:
        if formset is None or not (name == OUT_YEARS or name.startswith(OUT_YEARS + ".")):
            return False
        parts = name.split(".")
        index = _int(parts[1]) if len(parts) > 2 else None
        if index is not None and index < len(entries) and parts[2] in ("year", "amount"):
            row = formset.forms[entries[index][0]]
            if violation is not None:
                row.violations = [*getattr(row, "violations", []), violation]
            else:
                row.add_error(parts[2], message)
        elif violation is not None:
            formset.violations.append(violation)
        else:
            formset.problems.append(message)
        return True

    return refuse(form, exc, fields=RENAME, elsewhere=out_year)


def _labelled(violations) -> list[dict]:
    """Violations for the detail page, which has no fields: each names its field."""
    return [{**v.as_dict(), "field_label": FIELD_LABELS.get(v.field or "", "")} for v in violations]


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- the table -----------------------------------------------------------------------


@login_required
@require_safe
def line_list(request):
    m = require_role(request, *STAFF_ROLES)
    user = request.user
    own = m.role == Role.PURCHASER
    years = sorted(set(selectors.years_with_lines(user)) | set(filing_years()), reverse=True)
    departments = None if own else list(selectors.departments_with_lines(user))
    filters = LineFilterForm(request.GET or None, years=years, departments=departments)
    wanted = filters.filters()
    lines = selectors.lines_for_user(
        user,
        year=wanted.get("year"),
        status=wanted.get("status"),
        department=m.organization if own else wanted.get("department"),
        q=wanted.get("q"),
    )
    page = Paginator(lines, PAGE_SIZE).get_page(request.GET.get("page"))
    export_query = {"year": wanted.get("year") or timezone.localdate().year}
    if not own and wanted.get("department"):
        export_query["department"] = wanted["department"]
    return render(
        request,
        "budgets/line_list.html",
        {
            "page": page,
            "filters": filters,
            "totals": selectors.totals(lines),
            "own": own,
            "department": m.organization if own else None,
            "may_file": own and permissions.can_file(user, m.organization),
            "may_export": own or bool(wanted.get("department")),
            "export_query": export_query,
            "filtered": bool(wanted),
        },
    )


def _line_form_page(request, *, form, formset, department, line=None, status=200, locked=False):
    return render(
        request,
        "budgets/line_form.html",
        {
            "form": form,
            "formset": formset,
            "department": department,
            "line": line,
            "locked": locked,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def line_create(request):
    m = require_role(request, Role.PURCHASER)
    department = m.organization
    source = request.POST if request.method == "POST" else request.GET
    year = _int(source.get("fiscal_year"))
    if year not in filing_years():
        year = timezone.localdate().year
    items = selectors.catalog_items_for(department, year)
    form = LineForm(post_data(request), items=items, initial={"fiscal_year": year})
    formset = out_year_formset()(post_data(request), prefix=OUT_YEARS)
    status = 200
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        entries = formset.entries()
        try:
            line = services.create_line(
                actor=request.user,
                department=department,
                fiscal_year=form.cleaned_data["fiscal_year"],
                out_years=[e for _i, e in entries],
                **form.service_data(),
            )
        except REFUSED as e:
            status = _refuse(form, e, formset=formset, entries=entries)
        else:
            messages.success(
                request, _("Budget line %(code)s was saved as a draft.") % {"code": line.code}
            )
            return redirect("budgets:line_detail", line.pk)
    return _line_form_page(
        request, form=form, formset=formset, department=department, status=status
    )


def _line_initial(line) -> dict:
    initial = {
        name: getattr(line, name)
        for name in services.LINE_FIELDS
        if name not in ("catalog_item", "amount", "procurement_budget")
    }
    initial["catalog_item"] = line.catalog_item_id
    initial["amount"] = f"{line.amount:.2f}"
    initial["procurement_budget"] = (
        f"{line.procurement_budget:.2f}" if line.procurement_budget is not None else ""
    )
    return initial


@login_required
@require_http_methods(["GET", "POST"])
def line_edit(request, pk: int):
    line = selectors.line_for_user(request.user, pk)
    if not permissions.can_file(request.user, line.department):
        raise PermissionDenied
    years = list(line.out_years.all())
    items = selectors.catalog_items_for(line.department, line.fiscal_year)
    form = LineForm(post_data(request), items=items, with_year=False, initial=_line_initial(line))
    formset = out_year_formset(len(years))(
        post_data(request),
        prefix=OUT_YEARS,
        initial=[{"year": y.year, "amount": f"{y.amount:.2f}"} for y in years],
    )
    if request.method == "GET" and not line.is_editable:
        return _line_form_page(
            request, form=form, formset=formset, department=line.department, line=line, locked=True
        )
    status = 200
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        entries = formset.entries()
        try:
            services.update_line(
                actor=request.user,
                line=line,
                out_years=[e for _i, e in entries],
                **form.service_data(),
            )
        except REFUSED as e:
            status = _refuse(form, e, formset=formset, entries=entries)
        else:
            messages.success(request, _("The line was saved."))
            return redirect("budgets:line_detail", line.pk)
    return _line_form_page(
        request,
        form=form,
        formset=formset,
        department=line.department,
        line=line,
        status=status,
    )


def _line_page(request, line, *, status: int = 200, **forms):
    user = request.user
    adjustments = list(selectors.adjustments_for_user(user, line=line))
    open_adjustment = next((a for a in adjustments if a.status == AdjustmentStatus.PROPOSED), None)
    context = {
        "line": line,
        "out_years": list(line.out_years.all()),
        "projects": list(selectors.projects_of(user, line)),
        "adjustments": adjustments,
        "open_adjustment": open_adjustment,
        "may_edit": permissions.can_edit_line(user, line),
        "may_submit": permissions.can_edit_line(user, line),
        "may_delete": permissions.can_delete_line(user, line),
        "may_adjust": permissions.can_propose_adjustment(
            user, line, open_adjustment=open_adjustment
        ),
        "may_decide": permissions.can_decide_line(user, line),
        "submit_form": BaseForm(),
        "decision_form": DecisionForm(),
        "refusal": [],
    }
    context.update(forms)
    for name in ("submit_form", "decision_form"):
        form = context[name]
        context["refusal"] += _labelled(form.general_violations)
    return render(request, "budgets/line_detail.html", context, status=status)


@login_required
@require_safe
def line_detail(request, pk: int):
    return _line_page(request, selectors.line_for_user(request.user, pk))


@login_required
@require_POST
def line_submit(request, pk: int):
    line = selectors.line_for_user(request.user, pk)
    form = BaseForm(request.POST)
    form.is_valid()
    try:
        line = services.submit_line(actor=request.user, line=line)
    except REFUSED as e:
        status = _refuse(form, e)
        return _line_page(request, line, submit_form=form, status=status)
    messages.success(request, _("The line was submitted to the finance bureau."))
    for warning in line.warnings:
        messages.warning(request, f"[{warning['rule']}] {warning['message']}")
    return redirect("budgets:line_detail", line.pk)


@login_required
@require_http_methods(["GET", "POST"])
def line_delete(request, pk: int):
    line = selectors.line_for_user(request.user, pk)
    if not permissions.can_file(request.user, line.department):
        raise PermissionDenied
    form = BaseForm(post_data(request))
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.delete_line(actor=request.user, line=line)
        except REFUSED as e:
            status = _refuse(form, e)
        else:
            messages.success(request, _("The draft %(code)s was deleted.") % {"code": line.code})
            return redirect("budgets:line_list")
    return render(
        request, "budgets/line_delete_confirm.html", {"line": line, "form": form}, status=status
    )


def _decide_line(request, pk: int, *, approve: bool):
    line = selectors.line_for_user(request.user, pk)
    form = DecisionForm(request.POST)
    form.is_valid()
    note = form.cleaned_data.get("note", "")
    try:
        if approve:
            services.approve_line(actor=request.user, line=line, note=note)
        else:
            services.return_line(actor=request.user, line=line, note=note)
    except REFUSED as e:
        status = _refuse(form, e)
        return _line_page(request, line, decision_form=form, status=status)
    if approve:
        messages.success(request, _("The line was approved."))
    else:
        messages.success(request, _("The line was returned to the department."))
    return redirect("budgets:line_detail", line.pk)


@login_required
@require_POST
def line_approve(request, pk: int):
    return _decide_line(request, pk, approve=True)


@login_required
@require_POST
def line_return(request, pk: int):
    return _decide_line(request, pk, approve=False)


# --- adjustments (预算调剂) ---------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def adjustment_create(request, pk: int):
    line = selectors.line_for_user(request.user, pk)
    if not permissions.can_file(request.user, line.department):
        raise PermissionDenied
    form = AdjustmentForm(post_data(request))
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            adjustment = services.propose_adjustment(
                actor=request.user, line=line, **form.service_data()
            )
        except REFUSED as e:
            status = _refuse(form, e)
        else:
            messages.success(
                request, _("The adjustment was sent to the finance bureau for approval.")
            )
            return redirect("budgets:adjustment_detail", adjustment.pk)
    return render(
        request,
        "budgets/adjustment_form.html",
        {"line": line, "form": form, "approved": line.status == BudgetLineStatus.APPROVED},
        status=status,
    )


def _adjustment_page(request, adjustment, *, status: int = 200, **forms):
    user = request.user
    context = {
        "adjustment": adjustment,
        "line": adjustment.line,
        "may_decide": permissions.can_decide_adjustment(user, adjustment),
        "may_withdraw": permissions.can_withdraw_adjustment(user, adjustment),
        "decision_form": DecisionForm(),
        "withdraw_form": BaseForm(),
    }
    context.update(forms)
    return render(request, "budgets/adjustment_detail.html", context, status=status)


@login_required
@require_safe
def adjustment_detail(request, pk: int):
    return _adjustment_page(request, selectors.adjustment_for_user(request.user, pk))


def _decide_adjustment(request, pk: int, *, approve: bool):
    adjustment = selectors.adjustment_for_user(request.user, pk)
    form = DecisionForm(request.POST)
    form.is_valid()
    note = form.cleaned_data.get("note", "")
    try:
        if approve:
            services.approve_adjustment(actor=request.user, adjustment=adjustment, note=note)
        else:
            services.return_adjustment(actor=request.user, adjustment=adjustment, note=note)
    except REFUSED as e:
        status = _refuse(form, e)
        return _adjustment_page(request, adjustment, decision_form=form, status=status)
    if approve:
        messages.success(request, _("The adjustment was approved; the line's amount changed."))
    else:
        messages.success(request, _("The adjustment was returned to the department."))
    return redirect("budgets:adjustment_detail", adjustment.pk)


@login_required
@require_POST
def adjustment_approve(request, pk: int):
    return _decide_adjustment(request, pk, approve=True)


@login_required
@require_POST
def adjustment_return(request, pk: int):
    return _decide_adjustment(request, pk, approve=False)


@login_required
@require_POST
def adjustment_withdraw(request, pk: int):
    adjustment = selectors.adjustment_for_user(request.user, pk)
    form = BaseForm(request.POST)
    form.is_valid()
    try:
        services.withdraw_adjustment(actor=request.user, adjustment=adjustment)
    except REFUSED as e:
        status = _refuse(form, e)
        return _adjustment_page(request, adjustment, withdraw_form=form, status=status)
    messages.success(request, _("The adjustment was withdrawn."))
    return redirect("budgets:adjustment_detail", adjustment.pk)


# --- finance: inbox ------------------------------------------------------------------


@login_required
@require_safe
def inbox(request):
    require_role(request, *FINANCE_ROLES)
    waiting = selectors.finance_inbox(request.user)
    below = selectors.inbox_below(request.user)
    return render(
        request,
        "budgets/inbox.html",
        {
            "lines": list(waiting["lines"][:200]),
            "adjustments": list(waiting["adjustments"][:200]),
            "waiting_below": below["lines"].count() + below["adjustments"].count(),
        },
    )


# --- Excel ---------------------------------------------------------------------------


@login_required
@require_safe
def export(request):
    """The department's table for a fiscal year as .xlsx (a finance bureau or
    auditor names the department with ?department=)."""
    m = require_role(request, *STAFF_ROLES)
    raw_year = request.GET.get("year") or ""
    year = bounds.year_or_none(raw_year) if raw_year else timezone.localdate().year
    if year is None:
        raise BadRequest(_("Give a year from %(first)s to %(last)s.") % bounds.year_range())
    if m.role == Role.PURCHASER:
        department = m.organization
    else:
        department = organization_for_user(
            request.user, bounds.id_or_none(request.GET.get("department"))
        )
    lines = selectors.lines_for_user(request.user, year=year, department=department)
    content = excel.export_lines(
        lines, fiscal_year=year, region=department.region, title=f"{year} {department.name}"
    )
    return _xlsx(content, f"budget-{year}-{department.pk}.xlsx")


@login_required
@require_http_methods(["GET", "POST"])
def import_table(request):
    m = require_role(request, Role.PURCHASER)
    form = ImportForm(
        post_data(request),
        request.FILES if request.method == "POST" else None,
        initial={"fiscal_year": timezone.localdate().year},
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        year = form.cleaned_data["fiscal_year"]
        try:
            lines = excel.import_lines(
                actor=request.user,
                department=m.organization,
                fiscal_year=year,
                data=form.cleaned_data["file"].read(),
            )
        except REFUSED as e:
            status = _refuse(form, e)
        else:
            messages.success(
                request,
                _("Imported %(n)s draft lines for %(year)s.") % {"n": len(lines), "year": year},
            )
            return redirect(f"{reverse('budgets:line_list')}?year={year}")
    return render(
        request,
        "budgets/import.html",
        {"form": form, "department": m.organization},
        status=status,
    )
