"""Procurement pages: purchase projects and their requirements, the managers'
review, the method panel and the finance bureau's approval of a change of
method, cancellation, splitting flags (B4), and the public method oracle (the
inbox pages are in govbuy.workbench).

Every object comes through a scoped selector (404 for others' objects), every
write is a POST that calls one service, and a refused action re-renders the
page with the user's input and the service's messages beside the fields.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from govbuy.accounts.models import Role
from govbuy.accounts.permissions import require_role
from govbuy.budgets.models import BudgetLine
from govbuy.core import pages
from govbuy.core.errors import ApplicationError
from govbuy.core.forms import BaseForm
from govbuy.core.pages import REFUSED, post_data
from govbuy.core.permissions import get_for_user_or_404
from govbuy.core.rules import RuleViolation
from govbuy.procurement import extensions, methods, permissions, selectors, services
from govbuy.procurement.forms import (
    CancelForm,
    CapacityForm,
    MethodForm,
    MethodsForm,
    NoteForm,
    ProjectFilterForm,
    ProjectForm,
    ReviewForm,
    SplitFlagFilterForm,
    project_initial,
)
from govbuy.procurement.models import Method, MethodApproval, ProjectStatus, SplitFlagStatus
from govbuy.procurement.rules import MethodFacts
from govbuy.procurement.services import capacity

PAGE_SIZE = 25
STAFF_ROLES = (Role.PURCHASER, Role.FINANCE, Role.AUDITOR, Role.PLATFORM_ADMIN)
# Where the services' field names land on these pages' forms: screening reports
# the project's name as the purchase's "title".
FIELDS = {
    "title": "name",
    "method_reason": "reason",
    "method_decision_note": "note",
    "cleared_note": "note",
}


# --- helpers -----------------------------------------------------------------------


def refuse(form, exc: Exception, *, fields: dict | None = None) -> int:
    """`core.pages.refuse` with these pages' field names (`FIELDS`)."""
    return pages.refuse(form, exc, fields={**FIELDS, **(fields or {})})


def two_way(request, form, **kwargs):
    """`core.pages.two_way` with these pages' field names (`FIELDS`)."""
    return pages.two_way(request, form, fields=FIELDS, **kwargs)


def method_rows(decision) -> list[dict]:
    """The allowed methods with their labels, the default first marked."""
    return [
        {
            "value": m,
            "label": Method(m).label,
            "needs_approval": m in decision.requires_approval,
            "is_default": m == decision.default,
        }
        for m in decision.allowed
    ]


def _decision_context(decision) -> dict:
    return {
        "decision": decision,
        "rows": method_rows(decision),
        "default_label": Method(decision.default).label,
    }


# --- projects ----------------------------------------------------------------------


@login_required
def project_list(request):
    m = require_role(request, *STAFF_ROLES)
    supervising = m.role != Role.PURCHASER
    departments = list(selectors.project_departments(request.user)) if supervising else None
    filters = ProjectFilterForm(request.GET or None, departments=departments)
    # A bad filter is shown as an error; the valid ones still apply.
    wanted = {}
    if filters.is_bound:
        filters.is_valid()
        wanted = filters.cleaned_data
    projects = selectors.projects_for_user(
        request.user,
        year=wanted.get("year"),
        status=wanted.get("status") or None,
        q=wanted.get("q"),
        department=wanted.get("department"),
    )
    page = Paginator(projects, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "procurement/project_list.html",
        {
            "page": page,
            "filters": filters,
            "filtered": bool(wanted and any(wanted.values())),
            "totals": selectors.total_amount(projects),
            "may_create": permissions.can_create_in(request.user, m.organization),
            "supervising": supervising,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def project_create(request):
    m = require_role(request, Role.PURCHASER)
    department = m.organization
    lines = list(selectors.lines_to_buy_on(department))
    units = list(selectors.own_units(department))
    initial = {}
    form_kwargs = {"lines": lines, "units": units}
    wanted = request.GET.get("line")
    chosen = None
    if wanted:
        chosen = get_for_user_or_404(
            BudgetLine.objects.filter(department=department), request.user, pk=wanted
        )
        initial = {"budget_line": chosen.pk, "name": chosen.name}
    form = ProjectForm(post_data(request), initial=initial, **form_kwargs)
    status = 200
    if request.method == "GET" and chosen is not None and chosen not in lines:
        # A draft, submitted or returned line is not yet money (B1).
        form.violations["budget_line"] = services.line_problems(chosen)
    if request.method == "POST" and form.is_valid():
        line = (
            BudgetLine.objects.visible_to(request.user)
            .filter(department=department, pk=form.cleaned_data.get("budget_line"))
            .first()
            if form.cleaned_data.get("budget_line")
            else None
        )
        try:
            project = services.create_project(
                actor=request.user, budget_line=line, **form.service_values()
            )
        except REFUSED as e:
            status = refuse(form, e)
        else:
            messages.success(
                request,
                _("Project %(code)s was created and its budget committed.")
                % {"code": project.code},
            )
            if project.warnings:
                messages.warning(request, _("Check the warnings below before you submit it."))
            return redirect("procurement:project_detail", project.pk)
    return render(
        request,
        "procurement/project_form.html",
        {"form": form, "project": None, "lines": lines, "department": department},
        status=status,
    )


def _detail_page(request, project, *, status: int = 200, **forms):
    user = request.user
    member = permissions.is_member(user, project)
    decision, decision_error = None, None
    try:
        decision = methods.decide_for_project(project)
    except ApplicationError as e:  # no parameter in force for the start date
        decision_error = e.message
    may_choose = permissions.can_choose_method(user, project)
    method_form = None
    if may_choose and decision is not None:
        method_form = MethodForm(
            initial={
                "method": project.method
                if project.method in decision.allowed
                and project.method_approval != MethodApproval.REFUSED
                else decision.default
            },
            choices=[(r["value"], r["label"]) for r in method_rows(decision)],
        )
    context = {
        "project": project,
        "req": project.requirement,
        "reviews": list(project.reviews.select_related("reviewer")),
        "flags": list(
            selectors.split_flags_for_user(user).filter(projects=project).order_by("-created_at")
        ),
        "decision_error": decision_error,
        "member": member,
        "may_edit": permissions.can_edit(user, project),
        "may_cancel": permissions.can_cancel(user, project),
        "may_review": permissions.can_review(user, project),
        "may_choose": may_choose,
        "may_decide": permissions.can_decide_method(user, project),
        "may_clear": permissions.can_clear_flags_of(user, project.department),
        "method_form": method_form,
        "review_form": ReviewForm(),
        "decide_form": NoteForm(),
        "submit_form": BaseForm(),
        "method_label": Method(project.method).label if project.method else "",
        "capacity": selectors.capacity_of_project(project),
    }
    if decision is not None:
        context.update(_decision_context(decision))
    # The running purchase (rounds, notices…), added by the tendering app.
    context.update(extensions.project_context(user, project, member))
    context.update({k: v for k, v in forms.items() if v is not None})
    return render(request, "procurement/project_detail.html", context, status=status)


@login_required
def project_detail(request, pk: int):
    return _detail_page(request, selectors.project_for_user(request.user, pk))


def _edit_page(request, project, form, *, status=200, submitting=False):
    return render(
        request,
        "procurement/project_form.html",
        {
            "form": form,
            "project": project,
            "department": project.department,
            "submitting": submitting,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def project_edit(request, pk: int):
    project = selectors.project_for_user(request.user, pk)
    if not permissions.is_member(request.user, project):
        raise PermissionDenied
    if not project.is_editable:
        messages.error(
            request,
            _("The project is %(status)s; only a draft is edited.")
            % {"status": project.get_status_display()},
        )
        return redirect("procurement:project_detail", project.pk)
    form = ProjectForm(
        post_data(request),
        initial=project_initial(project),
        units=selectors.own_units(project.department),
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.update_project(actor=request.user, project=project, **form.service_values())
        except REFUSED as e:
            status = refuse(form, e)
        else:
            messages.success(request, _("The project was saved."))
            return redirect("procurement:project_detail", project.pk)
    return _edit_page(request, project, form, status=status)


@login_required
@require_POST
def project_submit(request, pk: int):
    project = selectors.project_for_user(request.user, pk)
    try:
        services.submit_for_review(actor=request.user, project=project)
    except RuleViolation as e:
        # Incomplete requirements (P7, B5, screening): each problem beside its field.
        form = ProjectForm(
            initial=project_initial(project), units=selectors.own_units(project.department)
        )
        refuse(form, e)
        return _edit_page(request, project, form, submitting=True)
    except ApplicationError as e:
        form = BaseForm(request.POST)
        form.is_valid()
        return _detail_page(request, project, submit_form=form, status=refuse(form, e))
    messages.success(request, _("The requirements were sent to a manager (负责人) for review."))
    return redirect("procurement:project_detail", project.pk)


@login_required
@require_POST
def project_review(request, pk: int):
    project = selectors.project_for_user(request.user, pk)
    form = ReviewForm(request.POST)

    def done(approved):
        messages.success(
            request,
            _("The requirements were approved.")
            if approved
            else _("The requirements were returned for revision."),
        )
        return redirect("procurement:project_detail", project.pk)

    response, status = two_way(
        request,
        form,
        field="decision",
        yes="approve",
        no="return",
        missing=_("Choose approve or return."),
        act=lambda approve, data: services.review_requirements(
            actor=request.user,
            project=project,
            approve=approve,
            complete=data["complete"],
            compliant=data["compliant"],
            reasonable=data["reasonable"],
            note=data["note"],
        ),
        done=done,
    )
    return response or _detail_page(request, project, review_form=form, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def project_cancel(request, pk: int):
    project = selectors.project_for_user(request.user, pk)
    if not permissions.is_member(request.user, project):
        raise PermissionDenied
    if project.status == ProjectStatus.CANCELLED:
        messages.info(request, _("The project is already cancelled."))
        return redirect("procurement:project_detail", project.pk)
    form = CancelForm(post_data(request))
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.cancel_project(
                actor=request.user, project=project, reason=form.cleaned_data["reason"]
            )
        except REFUSED as e:
            status = refuse(form, e)
        else:
            messages.success(
                request,
                _("The project was cancelled; its budget went back to the line."),
            )
            return redirect("procurement:project_detail", project.pk)
    return render(
        request,
        "procurement/project_cancel.html",
        {"project": project, "form": form},
        status=status,
    )


# --- the method ----------------------------------------------------------------------


@login_required
@require_POST
def project_method(request, pk: int):
    project = selectors.project_for_user(request.user, pk)
    try:
        choices = [
            (r["value"], r["label"]) for r in method_rows(methods.decide_for_project(project))
        ]
    except ApplicationError:
        choices = []
    form = MethodForm(request.POST, choices=choices)
    status = 200
    if form.is_valid():
        try:
            project = services.choose_method(
                actor=request.user,
                project=project,
                method=form.cleaned_data["method"],
                reason=form.cleaned_data["reason"],
            )
        except REFUSED as e:
            status = refuse(form, e)
        else:
            if project.method_approval == MethodApproval.PENDING:
                messages.success(
                    request,
                    _("The method was sent to the finance bureau for approval (变更采购方式)."),
                )
            else:
                messages.success(request, _("The method is settled; the purchase may start."))
            return redirect("procurement:project_detail", project.pk)
    return _detail_page(request, project, method_form=form, status=status)


@login_required
@require_POST
def method_decide(request, pk: int):
    project = selectors.project_for_user(request.user, pk)
    form = NoteForm(request.POST)

    def done(approved):
        messages.success(
            request,
            _("The change of method was approved.")
            if approved
            else _("The change of method was refused."),
        )
        return redirect("procurement:project_detail", project.pk)

    response, status = two_way(
        request,
        form,
        field="decision",
        yes="approve",
        no="refuse",
        missing=_("Choose approve or refuse."),
        act=lambda approve, data: services.decide_method(
            actor=request.user, project=project, approve=approve, note=data["note"]
        ),
        done=done,
    )
    return response or _detail_page(request, project, decide_form=form, status=status)


# --- C8: the two confirmations of a 公益一类 unit's capacity ------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def capacity_detail(request, pk: int):
    """A capacity confirmation (C8): what the unit is funded to provide, both
    sign-offs, and the form of each side the user may sign."""
    row = selectors.capacity_for_user(request.user, pk)
    form = CapacityForm(post_data(request))
    status = 200
    if request.method == "POST":

        def done(confirmed):
            messages.success(
                request,
                _("Confirmed: the unit cannot meet the demand.")
                if confirmed
                else _("Refused: the unit can meet the demand; the purchase does not start."),
            )
            return redirect("procurement:capacity_detail", row.pk)

        response, status = two_way(
            request,
            form,
            field="decision",
            yes="confirm",
            no="refuse",
            missing=_("Choose confirm or refuse."),
            act=lambda confirm, data: services.sign_capacity(
                actor=request.user,
                confirmation=row,
                side=data["side"],
                confirm=confirm,
                note=data["note"],
            ),
            done=done,
        )
        if response is not None:
            return response
    open_ = row.project.status in capacity.OPEN_STATUSES
    signable = {
        side: open_
        and getattr(row, side) == "pending"
        and permissions.can_sign_capacity(request.user, row, side)
        for side in capacity.SIDES
    }
    return render(
        request,
        "procurement/capacity_detail.html",
        {
            "row": row,
            "project": row.project,
            "form": form,
            "may_sign": signable,
            "sides": [
                {
                    "key": side,
                    "title": _("Finance bureau (财政部门)")
                    if side == "finance"
                    else _("Competent department (主管部门)"),
                    "state": getattr(row, side),
                    "label": getattr(row, f"get_{side}_display")(),
                    "org": getattr(row, f"{side}_org"),
                    "by": getattr(row, f"{side}_by"),
                    "at": getattr(row, f"{side}_at"),
                    "note": getattr(row, f"{side}_note"),
                    "may_sign": signable[side],
                }
                for side in capacity.SIDES
            ],
        },
        status=status,
    )


# --- splitting flags ----------------------------------------------------------------


@login_required
def split_flags(request):
    require_role(request, *STAFF_ROLES)
    filters = SplitFlagFilterForm(request.GET or None)
    wanted = filters.cleaned_data["status"] if filters.is_valid() else ""
    page = Paginator(
        selectors.split_flags_for_user(request.user, wanted or None), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    page.object_list = selectors.mark_clearable(request.user, page.object_list)
    return render(request, "procurement/split_flags.html", {"page": page, "filters": filters})


@login_required
@require_http_methods(["GET", "POST"])
def split_flag_clear(request, pk: int):
    flag = selectors.split_flag_for_user(request.user, pk)
    if not permissions.can_clear_flag(request.user, flag):
        raise PermissionDenied
    if flag.status != SplitFlagStatus.OPEN:
        messages.info(request, _("The flag is already cleared."))
        return redirect("procurement:split_flags")
    form = NoteForm(post_data(request))
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.clear_split_flag(actor=request.user, flag=flag, note=form.cleaned_data["note"])
        except REFUSED as e:
            status = refuse(form, e)
        else:
            messages.success(request, _("The splitting flag was cleared."))
            return redirect("procurement:split_flags")
    return render(
        request, "procurement/split_flag_clear.html", {"flag": flag, "form": form}, status=status
    )


# --- public: the method oracle -------------------------------------------------------


def methods_page(request):
    """Which methods a purchase may use (P2, P3, P6, P9), with the reasons: public."""
    bound = "amount" in request.GET
    form = MethodsForm(request.GET if bound else None)
    context = {"form": form, "decision": None, "regions": selectors.method_regions()}
    if bound and form.is_valid():
        data = form.cleaned_data
        facts = MethodFacts(
            amount=data["amount"],
            centralized_catalog=data["centralized_catalog"],
            own_public_welfare_2=data["own_public_welfare_2"],
            voucher=data["voucher"],
            emergency=data["emergency"],
        )
        try:
            context.update(
                _decision_context(methods.decide(facts, region=data["region"], on=data["on"]))
            )
        except ApplicationError as e:  # no parameter in force that day
            form.add_error("on", e.message)
    partial = request.headers.get("HX-Request") and not request.headers.get(
        "HX-History-Restore-Request"
    )
    template = "procurement/_methods_result.html" if partial else "procurement/methods.html"
    response = render(request, template, {**context, "partial": bool(partial)})
    patch_vary_headers(response, ["HX-Request"])
    return response
