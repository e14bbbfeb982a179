"""The platform administrator's pages (平台管理): users, their memberships, second
factor and lockouts, and organizations. Only platform administrators reach them
(403 for everyone else); every write is a POST calling one audited service, and
every destructive one is confirmed on a page of its own first."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from govbuy.core.errors import ApplicationError
from govbuy.core.pages import REFUSED, refuse

from . import lockout, selectors, services
from .forms import MembershipForm, OrganizationCreateForm, UserCreateForm
from .permissions import require_administer

PAGE_SIZE = 25


def _admin(view):
    """Login first (anonymous → login page), then the administrator only (403)."""

    def wrapped(request, *args, **kwargs):
        require_administer(request.user)
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return login_required(wrapped)


def _link_page(request, user, path: str, *, created: bool):
    """The one-time set-password link, shown once and never cached."""
    response = render(
        request,
        "accounts/admin/password_link.html",
        {"target": user, "link": request.build_absolute_uri(path), "created": created},
    )
    add_never_cache_headers(response)
    return response


# --- users -------------------------------------------------------------------------------


@_admin
@require_safe
def user_list(request):
    q = request.GET.get("q", "").strip()[:100]
    status = request.GET.get("status", "")
    page = Paginator(selectors.users_for_admin(q=q, status=status), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    locked = {entry["username"] for entry in lockout.locked_logins()}
    return render(
        request,
        "accounts/admin/user_list.html",
        {"page": page, "q": q, "status": status, "locked": locked},
    )


@_admin
@require_http_methods(["GET", "POST"])
def user_create(request):
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.create_user(actor=request.user, password=None, **form.cleaned_data)
            path = services.issue_password_link(actor=request.user, user=user)
        except ApplicationError as e:
            refuse(form, e)
        else:
            return _link_page(request, user, path, created=True)
    return render(request, "accounts/admin/user_form.html", {"form": form})


@_admin
@require_safe
def user_detail(request, pk: int):
    return _user_page(request, selectors.user_for_admin(pk))


def _user_page(request, target, *, membership_form=None, status=200):
    locked = [e for e in lockout.locked_logins() if e["username"] == target.username]
    return render(
        request,
        "accounts/admin/user_detail.html",
        {
            "target": target,
            "membership_form": membership_form or MembershipForm(),
            "lock": locked[0] if locked else None,
        },
        status=status,
    )


@_admin
@require_POST
def membership_add(request, pk: int):
    target = selectors.user_for_admin(pk)
    form = MembershipForm(request.POST)
    if form.is_valid():
        try:
            services.add_membership(
                actor=request.user,
                user=target,
                organization=form.cleaned_data["organization"],
                role=form.cleaned_data["role"],
                title=form.cleaned_data["title"],
                is_manager=form.cleaned_data["is_manager"],
            )
        except ApplicationError as e:
            form.add_error(e.field if e.field in form.fields else None, e.message)
        else:
            messages.success(request, _("Role added."))
            return redirect("accounts:admin_user", target.pk)
    return _user_page(request, selectors.user_for_admin(pk), membership_form=form)


@_admin
@require_http_methods(["GET", "POST"])
def membership_remove(request, pk: int):
    membership = selectors.membership_for_admin(pk)
    error = None
    if request.method == "POST":
        try:
            services.remove_membership(actor=request.user, membership=membership)
        except ApplicationError as e:
            error = e.message
        else:
            messages.success(request, _("Role removed."))
            return redirect("accounts:admin_user", membership.user_id)
    return render(
        request,
        "accounts/admin/confirm.html",
        {
            "target": membership.user,
            "action": "membership_remove",
            "membership": membership,
            "error": error,
        },
        status=403 if error else 200,
    )


def _confirmed_user_action(request, pk: int, action: str, do):
    """GET: ask; POST: do it (a service), then back to the user's page."""
    target = selectors.user_for_admin(pk)
    error = None
    if request.method == "POST":
        try:
            done = do(target)
        except ApplicationError as e:
            error = e.message
        else:
            if done is not None:
                return done
            return redirect("accounts:admin_user", target.pk)
    return render(
        request,
        "accounts/admin/confirm.html",
        {"target": target, "action": action, "error": error},
        status=403 if error else 200,
    )


@_admin
@require_http_methods(["GET", "POST"])
def user_deactivate(request, pk: int):
    def do(target):
        services.set_user_active(actor=request.user, user=target, active=False)
        messages.success(request, _("User deactivated."))

    return _confirmed_user_action(request, pk, "deactivate", do)


@_admin
@require_http_methods(["GET", "POST"])
def user_reactivate(request, pk: int):
    def do(target):
        services.set_user_active(actor=request.user, user=target, active=True)
        messages.success(request, _("User reactivated."))

    return _confirmed_user_action(request, pk, "reactivate", do)


@_admin
@require_http_methods(["GET", "POST"])
def user_reset_mfa(request, pk: int):
    def do(target):
        services.reset_mfa(actor=request.user, user=target)
        messages.success(request, _("Second factor reset: it is set up again at the next login."))

    return _confirmed_user_action(request, pk, "reset_mfa", do)


@_admin
@require_http_methods(["GET", "POST"])
def user_password_link(request, pk: int):
    def do(target):
        path = services.issue_password_link(actor=request.user, user=target)
        return _link_page(request, target, path, created=False)

    return _confirmed_user_action(request, pk, "password_link", do)


# --- lockouts -----------------------------------------------------------------------------


@_admin
@require_safe
def lockout_list(request):
    return render(request, "accounts/admin/lockouts.html", {"locked": lockout.locked_logins()})


@_admin
@require_POST
def lockout_unlock(request):
    username = request.POST.get("username", "")[:150]
    try:
        services.unlock_login(actor=request.user, username=username)
    except ApplicationError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("%(username)s can log in again.") % {"username": username})
    nxt = request.POST.get("next", "")
    if nxt.startswith("/manage/"):
        return redirect(nxt)
    return redirect("accounts:admin_lockouts")


# --- organizations --------------------------------------------------------------------------


@_admin
@require_safe
def organization_list(request):
    q = request.GET.get("q", "").strip()[:100]
    status = request.GET.get("status", "")
    page = Paginator(selectors.organizations_for_admin(q=q, status=status), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request, "accounts/admin/organization_list.html", {"page": page, "q": q, "status": status}
    )


@_admin
@require_http_methods(["GET", "POST"])
def organization_create(request):
    from govbuy.orgs import services as orgs_services
    from govbuy.orgs.selectors import region_by_code

    form = OrganizationCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        region = region_by_code(data.pop("region"))
        if region is None:
            form.add_error("region", _("No region has this code."))
        else:
            try:
                org = orgs_services.create_organization(actor=request.user, region=region, **data)
            except REFUSED as e:
                refuse(form, e)
            else:
                messages.success(request, _("Organization registered."))
                return redirect("orgs:detail", org.pk)
    return render(request, "accounts/admin/organization_form.html", {"form": form})


def _organization_active(request, pk: int, active: bool):
    from govbuy.orgs import services as orgs_services

    org = selectors.organization_for_admin(pk)
    if request.method == "POST":
        orgs_services.set_organization_active(actor=request.user, organization=org, active=active)
        messages.success(
            request, _("Organization reactivated.") if active else _("Organization deactivated.")
        )
        return redirect("accounts:admin_organizations")
    return render(
        request,
        "accounts/admin/organization_confirm.html",
        {"org": org, "active": active},
    )


@_admin
@require_http_methods(["GET", "POST"])
def organization_deactivate(request, pk: int):
    return _organization_active(request, pk, active=False)


@_admin
@require_http_methods(["GET", "POST"])
def organization_reactivate(request, pk: int):
    return _organization_active(request, pk, active=True)
