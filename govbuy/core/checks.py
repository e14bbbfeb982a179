from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.core.exceptions import ImproperlyConfigured


@register(Tags.security, deploy=True)
def secret_key_set(app_configs, **kwargs):
    try:
        key = settings.SECRET_KEY
    except ImproperlyConfigured:
        key = ""
    if not key or key.startswith("govbuy-insecure"):
        return [
            Error(
                "GOVBUY_SECRET_KEY is not set.",
                hint="Set it to a long random value, e.g. "
                "python -c 'import secrets; print(secrets.token_urlsafe(50))'.",
                id="govbuy.E001",
            )
        ]
    return []


def _csp_sources(directives: dict, name: str) -> list[str] | None:
    """The sources in force for `name`, falling back to default-src as browsers do."""
    for key in (name, "default-src"):
        if key in directives:
            return [str(s) for s in directives[key] or []]
    return None


@register(Tags.security, deploy=True)
def content_security_policy(app_configs, **kwargs):
    if "csp.middleware.CSPMiddleware" not in settings.MIDDLEWARE:
        return [
            Error(
                "No Content-Security-Policy header: csp.middleware.CSPMiddleware is not in "
                "MIDDLEWARE.",
                id="govbuy.E002",
            )
        ]
    directives = (getattr(settings, "CONTENT_SECURITY_POLICY", None) or {}).get("DIRECTIVES")
    script_src = _csp_sources(directives or {}, "script-src")
    if script_src is None:
        return [
            Error(
                "CONTENT_SECURITY_POLICY sets neither script-src nor default-src.",
                hint="Scripts are then allowed from anywhere; see govbuy/settings.py.",
                id="govbuy.E002",
            )
        ]
    unsafe = [s for s in script_src if s in ("'unsafe-inline'", "'unsafe-eval'", "*")]
    if unsafe:
        return [
            Error(
                f"The Content-Security-Policy allows {', '.join(unsafe)} for scripts.",
                hint="Move inline scripts and on*= handlers into static files.",
                id="govbuy.E003",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def permissions_policy(app_configs, **kwargs):
    if not getattr(settings, "PERMISSIONS_POLICY", None) or (
        "django_permissions_policy.PermissionsPolicyMiddleware" not in settings.MIDDLEWARE
    ):
        return [
            Warning(
                "No Permissions-Policy header (PERMISSIONS_POLICY and "
                "django_permissions_policy.PermissionsPolicyMiddleware).",
                id="govbuy.W001",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def proxy_ssl_header(app_configs, **kwargs):
    if settings.SECURE_PROXY_SSL_HEADER and not getattr(settings, "GOVBUY_BEHIND_PROXY", False):
        return [
            Error(
                "SECURE_PROXY_SSL_HEADER is set but no proxy is configured: any client "
                "could send X-Forwarded-Proto and pass as HTTPS.",
                hint="Set GOVBUY_PROXY_COUNT (or GOVBUY_BEHIND_PROXY=true) only when a "
                "proxy in front sets the header and strips the client's.",
                id="govbuy.E004",
            )
        ]
    return []


BODY_LIMIT_MIDDLEWARE = "govbuy.core.middleware.RequestBodyLimitMiddleware"


@register(Tags.security, deploy=True)
def request_body_limits(app_configs, **kwargs):
    errors = []

    def error(message, hint=""):
        errors.append(Error(message, hint=hint or None, id="govbuy.E005"))

    data_max = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    upload_max = getattr(settings, "GOVBUY_UPLOAD_MAX_BYTES", None)
    request_max = getattr(settings, "GOVBUY_REQUEST_MAX_BYTES", None)
    if not data_max or data_max <= 0:
        error("DATA_UPLOAD_MAX_MEMORY_SIZE is unlimited.", "Set GOVBUY_DATA_MAX_KB.")
    if not upload_max or upload_max <= 0:
        error("GOVBUY_UPLOAD_MAX_BYTES is not set.", "Set GOVBUY_UPLOAD_MAX_MB.")
    if not request_max or request_max <= 0:
        error("GOVBUY_REQUEST_MAX_BYTES is not set.", "Set GOVBUY_REQUEST_MAX_MB.")
    elif upload_max and request_max < upload_max:
        error(
            "GOVBUY_REQUEST_MAX_BYTES is smaller than GOVBUY_UPLOAD_MAX_BYTES: the largest "
            "allowed attachment could never be sent."
        )
    elif request_max > MAX_SANE_REQUEST_BYTES:
        error(
            f"GOVBUY_REQUEST_MAX_BYTES allows requests over {MAX_SANE_REQUEST_BYTES >> 20} MB.",
            "A worker is tied up receiving such a body; lower GOVBUY_REQUEST_MAX_MB.",
        )
    middleware = list(settings.MIDDLEWARE)
    if BODY_LIMIT_MIDDLEWARE not in middleware:
        error(f"{BODY_LIMIT_MIDDLEWARE} is not in MIDDLEWARE: bodies are read before refused.")
    elif "django.middleware.csrf.CsrfViewMiddleware" in middleware and middleware.index(
        BODY_LIMIT_MIDDLEWARE
    ) > middleware.index("django.middleware.csrf.CsrfViewMiddleware"):
        error(
            f"{BODY_LIMIT_MIDDLEWARE} comes after CsrfViewMiddleware, which reads the body.",
            "Move it up.",
        )
    return errors


MAX_SANE_REQUEST_BYTES = 1024 * 1024 * 1024
