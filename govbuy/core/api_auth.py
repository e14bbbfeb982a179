"""Authentication and throttling shared by every /api/v1 router."""

from collections.abc import Callable

from django.conf import settings
from django.utils.translation import gettext as _
from ninja.security import APIKeyCookie, HttpBearer
from ninja.throttling import SimpleRateThrottle
from ninja.utils import check_csrf

from .errors import ApplicationError

# Tokens are `accounts.ApiToken`s, and accounts sits above core: it installs the
# lookup when its app is ready (AccountsConfig.ready). Until then no token passes.
_token_lookup: Callable[[str], object | None] | None = None


def set_token_lookup(lookup: Callable[[str], object | None]) -> None:
    """Install the function that maps a bearer token to its user (or None)."""
    global _token_lookup
    _token_lookup = lookup


class TokenAuth(HttpBearer):
    """``Authorization: Bearer gb_…`` personal API tokens."""

    def authenticate(self, request, token):
        user = _token_lookup(token) if _token_lookup is not None else None
        if user is not None:
            request.user = user
        return user


class VerifiedSessionAuth(APIKeyCookie):
    """The browser session (with CSRF), refused for staff roles that have not
    passed MFA when MFA is required."""

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request):
        # Without a logged-in session there is nothing to protect: answer 401 (not
        # authenticated) rather than "CSRF check failed". A logged-in browser's
        # writes still pass the CSRF check.
        if not request.user.is_authenticated:
            return None
        if not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise ApplicationError(
                "csrf_failed",
                _("CSRF check failed: send the X-CSRFToken header, or use an API token."),
                status=403,
            )
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request, key):
        user = request.user
        if not user.is_authenticated:
            return None
        if settings.GOVBUY_REQUIRE_MFA and user.requires_mfa and not user.is_verified():
            return None
        return user


AUTH = [TokenAuth(), VerifiedSessionAuth()]


class PublicRateThrottle(SimpleRateThrottle):
    """Per-client limit for the public rule endpoints; the rate is read from
    settings at each request so operators (and tests) can change it."""

    scope = "public"
    rate_setting = "GOVBUY_PUBLIC_API_RATE"

    def __init__(self):
        self.rate = None

    def allow_request(self, request):
        self.rate = getattr(settings, self.rate_setting)
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request)

    def get_cache_key(self, request):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class PublicExportThrottle(PublicRateThrottle):
    """Per-client limit for anonymous downloads (catalog exports), on pages
    (govbuy.core.throttling) and the API alike: one budget per client address.
    Logged-in users are not limited here."""

    scope = "export"
    rate_setting = "GOVBUY_PUBLIC_EXPORT_RATE"

    def get_cache_key(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return None
        return super().get_cache_key(request)
