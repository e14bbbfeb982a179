from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from govbuy.core.errors import ApplicationError

from . import selectors, services
from .audit_actions import AccountsAction
from .forms import ApiTokenForm, LoginForm, TokenForm


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class SetPasswordView(auth_views.PasswordResetConfirmView):
    """The one-time link a platform administrator hands out (services.issue_password_link)."""

    template_name = "accounts/set_password.html"
    success_url = reverse_lazy("accounts:set_password_done")

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        for field in form.fields.values():
            field.widget.attrs["class"] = "form-control"
        return form


def set_password_done(request):
    messages.success(request, _("Your password is set. Log in with it."))
    return redirect("accounts:login")


def _safe_next(request, default="accounts:workbench"):
    nxt = request.POST.get("next") or request.GET.get("next")
    if nxt and url_has_allowed_host_and_scheme(nxt, {request.get_host()}, request.is_secure()):
        return nxt
    return redirect(default).url


@login_required
def mfa(request):
    """Set up (first time) or pass the TOTP second factor."""
    user = request.user
    confirmed = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if confirmed is None:
        device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    else:
        device = confirmed
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"].strip()):
            if not device.confirmed:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                services.record_mfa(user=user, action=AccountsAction.MFA_ENROL, device=device)
            otp_login(request, device)
            return redirect(_safe_next(request))
        form.add_error(
            "token", _("The code is wrong or has expired. Check your phone's clock and try again.")
        )
    context = {"form": form, "setup": not device.confirmed, "next": request.GET.get("next", "")}
    if not device.confirmed:
        import segno

        context["qr_svg"] = segno.make(device.config_url, micro=False).svg_inline(scale=4)
        context["secret"] = _b32(device.bin_key)
    return render(request, "accounts/mfa.html", context)


def _b32(key: bytes) -> str:
    from base64 import b32encode

    return b32encode(key).decode().rstrip("=")


@login_required
@require_POST
def switch_membership(request):
    try:
        wanted = int(request.POST.get("membership", ""))
    except ValueError:
        wanted = None
    if wanted in {m.pk for m in request.user.active_memberships}:
        request.session["membership_id"] = wanted
    return redirect("accounts:workbench")


@login_required
def api_tokens(request):
    form = ApiTokenForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, new_key = services.create_api_token(
                actor=request.user, name=form.cleaned_data["name"], days=form.cleaned_data["days"]
            )
            form = ApiTokenForm()
        except ApplicationError as e:
            form.add_error(e.field if e.field in form.fields else None, e.message)
    response = render(
        request,
        "accounts/api_tokens.html",
        {"form": form, "tokens": selectors.api_tokens_for_user(request.user), "new_key": new_key},
    )
    # The key is shown once: no copy in the browser's cache or history.
    add_never_cache_headers(response)
    return response


@login_required
@require_POST
def revoke_api_token(request, pk: int):
    token = selectors.api_token_for_user(request.user, pk)
    services.revoke_api_token(actor=request.user, token=token)
    messages.success(request, _("Token revoked."))
    return redirect("accounts:api_tokens")
