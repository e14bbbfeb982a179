from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

# Paths an unverified staff user may still reach: logging in and out, setting
# up MFA, switching language, static files, the public portal and the API (which
# checks its own authentication). Not the rest of /accounts/: an API token
# minted before the second factor would bypass it.
EXEMPT_PREFIXES = (
    "/accounts/login/",
    "/accounts/logout/",
    "/accounts/mfa/",
    "/i18n/",
    "/static/",
    "/api/",
    "/favicon",
)
PUBLIC_EXACT = ("/", "/rules/")


class RequireMFAMiddleware:
    """In production, staff roles (finance, purchaser, auditor, platform admin)
    must pass a TOTP check before any non-public page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.GOVBUY_REQUIRE_MFA and self._needs_mfa(request):
            # Encoded, so that a query string in `next` (?q=…&role=…) survives whole.
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse('accounts:mfa')}?{query}")
        return self.get_response(request)

    @staticmethod
    def _needs_mfa(request) -> bool:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return False
        path = request.path
        if path in PUBLIC_EXACT or path.startswith(EXEMPT_PREFIXES) or path.startswith("/public/"):
            return False
        return user.requires_mfa and not user.is_verified()
