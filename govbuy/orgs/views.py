"""Organization pages: the list and the profile (with the provider's compliance
declaration, its bidding eligibility and its credit records), the provider's
own declaration form, and credit records recorded by purchasers and finance
bureaus and revoked by finance bureaus.

Every object comes through a scoped selector (404 for others' objects), every
write is a POST that calls one service, and a refused action re-renders the
page with the user's input and the service's messages beside the fields.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from govbuy.core.errors import ApplicationError
from govbuy.core.pages import REFUSED, post_data, refuse
from govbuy.core.roles import active_membership

from . import permissions, selectors, services
from .forms import ComplianceForm, CreditRecordForm, KeepForm, ObjectionForm, RevokeForm
from .models import CreditKind, OrgType
from .rules import COMPLIANCE_FIELDS, OrgCategory, eligibility


def _recorder(request):
    """The purchasing department or finance bureau the user acts for now, or None."""
    return permissions.recording_organization_of(active_membership(request))


# --- organizations -----------------------------------------------------------------


@login_required
@require_safe
def organization_list(request):
    q = request.GET.get("q", "").strip()
    role = request.GET.get("role") or None
    qs = selectors.organizations_for_user(request.user, q=q, role=role)
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "orgs/organization_list.html",
        {"page": page, "q": q, "role": role, "org_types": OrgType},
    )


@login_required
@require_safe
def organization_detail(request, pk: int):
    user = request.user
    org = selectors.organization_for_user(user, pk)
    today = timezone.localdate()
    compliance = selectors.compliance_of(org)
    bidding = selectors.bidding_violations(org, at=today) if org.is_provider else []
    records = selectors.mark_in_force(
        selectors.credit_records_for_user(user, organization=org), today
    )
    for record in records:
        record.may_revoke = record.revoked_at is None and permissions.can_revoke_credit(
            user, record
        )
    return render(
        request,
        "orgs/organization_detail.html",
        {
            "org": org,
            "eligibility": eligibility(OrgCategory.of(org)),
            "today": today,
            "compliance": compliance,
            "compliance_rows": _compliance_rows(org, compliance),
            "bidding": bidding,
            "may_bid": not any(v.is_hard for v in bidding),
            "records": records,
            "may_declare": permissions.can_declare_compliance(user, org),
            "may_verify": compliance is not None and permissions.can_verify_compliance(user, org),
            "may_record": org.is_provider and _recorder(request) is not None,
        },
    )


def _compliance_rows(org, compliance) -> list[tuple]:
    """(label, value) of the declaration, in the form's order; S7 rows only for
    social organizations."""
    if compliance is None:
        return []
    form = ComplianceForm(social=org.org_type == OrgType.SOCIAL_ORGANIZATION)
    return [
        (form.fields[name].label, getattr(compliance, name))
        for name in COMPLIANCE_FIELDS
        if name in form.fields
    ]


@login_required
@require_http_methods(["GET", "POST"])
def compliance_edit(request, pk: int):
    org = selectors.organization_for_user(request.user, pk)
    if not permissions.can_declare_compliance(request.user, org):
        raise PermissionDenied
    compliance = selectors.compliance_of(org)
    social = org.org_type == OrgType.SOCIAL_ORGANIZATION
    initial = {}
    if compliance is not None:
        initial = {name: getattr(compliance, name) for name in services.COMPLIANCE_INPUT}
    form = ComplianceForm(post_data(request), social=social, initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.declare_compliance(actor=request.user, organization=org, **form.service_data())
        except REFUSED as e:
            status = refuse(form, e)
        else:
            messages.success(request, _("The compliance profile was saved."))
            return redirect("orgs:detail", org.pk)
    return render(
        request,
        "orgs/compliance_form.html",
        {"org": org, "form": form, "social": social, "compliance": compliance},
        status=status,
    )


@login_required
@require_POST
def compliance_verify(request, pk: int):
    org = selectors.organization_for_user(request.user, pk)
    try:
        services.verify_compliance(actor=request.user, organization=org)
    except ApplicationError as e:
        if e.status == 403:
            raise PermissionDenied from e
        messages.error(request, e.message)
    else:
        messages.success(request, _("The declaration was marked as verified."))
    return redirect("orgs:detail", org.pk)


# --- credit records (S9) -------------------------------------------------------------


@login_required
@require_safe
def credit_list(request):
    kind = request.GET.get("kind") or None
    if kind not in CreditKind.values:
        kind = None
    records = selectors.credit_records_for_user(request.user, kind=kind)
    page = Paginator(records, 25).get_page(request.GET.get("page"))
    page.object_list = selectors.mark_in_force(page.object_list, timezone.localdate())
    return render(
        request,
        "orgs/credit_list.html",
        {
            "page": page,
            "kind": kind,
            "kinds": CreditKind.choices,
            "may_record": _recorder(request) is not None,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def credit_create(request):
    recorder = _recorder(request)
    if recorder is None:
        raise PermissionDenied
    form = CreditRecordForm(
        post_data(request), initial={"provider": request.GET.get("provider", "").strip()}
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        provider = selectors.provider_by_identifier(form.cleaned_data["provider"])
        try:
            record = services.record_credit(
                actor=request.user,
                recording_organization=recorder,
                organization=provider,
                project=selectors.project_concerned(provider, form.cleaned_data["project"]),
                **form.service_data(),
            )
        except REFUSED as e:
            status = refuse(form, e)
        else:
            messages.success(
                request,
                _("The credit record of %(org)s was saved.") % {"org": provider.name},
            )
            return redirect("orgs:credit_detail", record.pk)
    return render(
        request,
        "orgs/credit_form.html",
        {"form": form, "recorder": recorder},
        status=status,
    )


def _credit_page(request, record, *, status=200, **forms):
    today = timezone.localdate()
    (record,) = selectors.mark_in_force([record], today)
    user = request.user
    objection = selectors.objection_of(record)
    open_record = record.revoked_at is None
    reviewer = permissions.can_revoke_credit(user, record)
    context = {
        "record": record,
        "objection": objection,
        "today": today,
        "may_revoke": open_record and reviewer,
        "may_object": open_record
        and objection is None
        and permissions.can_object_to_credit(user, record),
        "may_keep": open_record and objection is not None and objection.is_open and reviewer,
        "may_see_provider": selectors.organizations_for_user(user)
        .filter(pk=record.organization_id)
        .exists(),
        "objection_form": ObjectionForm(),
        "keep_form": KeepForm(),
    }
    context.update(forms)
    return render(request, "orgs/credit_detail.html", context, status=status)


@login_required
@require_safe
def credit_detail(request, pk: int):
    return _credit_page(request, selectors.credit_record_for_user(request.user, pk))


@login_required
@require_POST
def credit_object(request, pk: int):
    record = selectors.credit_record_for_user(request.user, pk)
    form = ObjectionForm(request.POST)
    if form.is_valid():
        try:
            services.object_to_credit(
                actor=request.user, record=record, text=form.cleaned_data["text"]
            )
        except REFUSED as e:
            return _credit_page(request, record, status=refuse(form, e), objection_form=form)
        messages.success(request, _("Your objection was sent to the finance bureau."))
        return redirect("orgs:credit_detail", record.pk)
    return _credit_page(request, record, objection_form=form)


@login_required
@require_POST
def credit_keep(request, pk: int):
    record = selectors.credit_record_for_user(request.user, pk)
    objection = selectors.objection_of(record)
    if objection is None:
        raise Http404
    form = KeepForm(request.POST)
    if form.is_valid():
        try:
            services.keep_credit(
                actor=request.user, objection=objection, answer=form.cleaned_data["answer"]
            )
        except REFUSED as e:
            return _credit_page(request, record, status=refuse(form, e), keep_form=form)
        messages.success(request, _("The objection was answered; the record stands."))
        return redirect("orgs:credit_detail", record.pk)
    return _credit_page(request, record, keep_form=form)


@login_required
@require_http_methods(["GET", "POST"])
def credit_revoke(request, pk: int):
    record = selectors.credit_record_for_user(request.user, pk)
    if not permissions.can_revoke_credit(request.user, record):
        raise PermissionDenied
    if record.revoked_at is not None:
        messages.info(request, _("This credit record was already revoked."))
        return redirect("orgs:credit_detail", record.pk)
    form = RevokeForm(post_data(request))
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.revoke_credit(
                actor=request.user, record=record, reason=form.cleaned_data["reason"]
            )
        except REFUSED as e:
            status = refuse(form, e)
        else:
            messages.success(request, _("The credit record was revoked."))
            return redirect("orgs:credit_detail", record.pk)
    return render(
        request, "orgs/credit_revoke.html", {"record": record, "form": form}, status=status
    )
