from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

# Paths an unverified staff user may still reach: logging in and setting up
# MFA, switching language, static files, the public portal and the API (which
# checks its own authentication).
EXEMPT_PREFIXES = ("/accounts/", "/i18n/", "/static/", "/api/", "/favicon")
PUBLIC_EXACT = ("/", "/rules/")


class RequireMFAMiddleware:
    """In production, staff roles (finance, purchaser, auditor, platform admin)
    must pass a TOTP check before any non-public page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.GOVBUY_REQUIRE_MFA and self._needs_mfa(request):
            return redirect(f"{reverse('accounts:mfa')}?next={request.get_full_path()}")
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
