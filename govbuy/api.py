"""/api/v1: one NinjaAPI, one error body.

Refused by a rule  → 422 {"code": "rule_violation", "violations": [...]}
Bad input          → 422 {"code": "invalid_input", "errors": [{"field", "message"}]}
Not yours / absent → 404 {"code": "not_found", ...}
"""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

from govbuy.accounts.api import router as accounts_router
from govbuy.budgets.api import router as budgets_router
from govbuy.catalog.api import public_router as catalog_public_router
from govbuy.catalog.api import router as catalog_router
from govbuy.challenges.api import router as challenges_router
from govbuy.core.api import router as core_router
from govbuy.core.api_types import Parser
from govbuy.core.errors import ApplicationError
from govbuy.core.openapi import API
from govbuy.core.rules import RuleViolation
from govbuy.orgs.api import public_router as orgs_public_router
from govbuy.orgs.api import router as orgs_router
from govbuy.procurement.api import public_router as procurement_public_router
from govbuy.procurement.api import router as procurement_router
from govbuy.tendering.api import public_router as tendering_public_router
from govbuy.tendering.api import router as tendering_router


def docs_switch(view):
    """/api/v1/docs answers 404 unless GOVBUY_API_DOCS (read per request); the
    OpenAPI document itself stays served (clients and the CI fuzzer read it)."""
    from ninja.openapi.views import openapi_view

    if getattr(view, "func", None) is not openapi_view:
        return view

    def docs_or_404(request, *args, **kwargs):
        if not settings.GOVBUY_API_DOCS:
            raise Http404
        return view(request, *args, **kwargs)

    return docs_or_404


class ProjectAPI(API):
    """core.openapi.API declares every error response (with the `Error` body) on
    every operation, and the Idempotency-Key header on the money-moving ones.

    The operations of running a purchase and of questions and complaints moved
    from ``govbuy.procurement.api_running`` to the tendering and challenges apps;
    their operationIds stay those of before (clients generated from the
    document keep their method names)."""

    OPERATION_MODULES = {
        "govbuy.tendering.api": "govbuy.procurement.api_running",
        "govbuy.challenges.api": "govbuy.procurement.api_running",
    }

    def get_openapi_operation_id(self, operation) -> str:
        module = self.OPERATION_MODULES.get(operation.view_func.__module__)
        if module is None:
            return super().get_openapi_operation_id(operation)
        return f"{module}_{operation.view_func.__name__}".replace(".", "_")


api = ProjectAPI(
    title="govbuy — Government Purchase of Services API",
    docs_decorator=docs_switch,
    version="1",
    description=(
        "The API of govbuy — Government Purchase of Services (政府购买服务平台). Authenticate with `Authorization: Bearer <token>` (create a "
        "token under 账户 → API 令牌) or a browser session. Errors share one body: "
        '`{"code": ..., "violations" | "errors": [...]}`.'
    ),
    urls_namespace="api",
    parser=Parser(),
)


def _field_of(loc) -> str | None:
    loc = list(loc)
    if loc and loc[0] in ("form", "file"):  # multipart fields: ("form", "price")
        loc = loc[1:]
    parts = [
        str(p) for p in loc if p not in ("body", "query", "path", "payload", "params", "filters")
    ]
    return ".".join(parts) or None


@api.exception_handler(ValidationError)
def on_validation_error(request, exc):
    errors = []
    for e in exc.errors:
        field = _field_of(e.get("loc", ()))
        message = e.get("msg", "invalid")
        if e.get("type") == "missing":
            message = _("this field is required")
        errors.append({"field": field, "message": message, "type": e.get("type", "")})
    return api.create_response(request, {"code": "invalid_input", "errors": errors}, status=422)


@api.exception_handler(RuleViolation)
def on_rule_violation(request, exc):
    return api.create_response(request, exc.as_body(), status=422)


@api.exception_handler(ApplicationError)
def on_application_error(request, exc):
    return api.create_response(request, exc.as_body(), status=exc.status)


@api.exception_handler(RequestDataTooBig)
def on_too_big(request, exc):
    return api.create_response(
        request,
        {
            "code": "too_large",
            "message": _("The request body is too large (at most %(mb)s MB).")
            % {"mb": settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)},
        },
        status=413,
    )


@api.exception_handler(MultiPartParserError)
def on_bad_multipart(request, exc):
    return api.create_response(
        request,
        {
            "code": "invalid_input",
            "errors": [
                {
                    "field": None,
                    "message": _(
                        "The multipart/form-data body is malformed (no or a wrong boundary)."
                    ),
                }
            ],
        },
        status=422,
    )


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return api.create_response(
        request, {"code": "not_found", "message": _("Not found")}, status=404
    )


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request, exc):
    return api.create_response(
        request,
        {
            "code": "not_authenticated",
            "message": _("Log in or send Authorization: Bearer <token>"),
        },
        status=401,
    )


@api.exception_handler(Throttled)
def on_throttled(request, exc):
    response = api.create_response(
        request, {"code": "rate_limited", "message": _("Too many requests; slow down.")}, status=429
    )
    if exc.wait:
        response["Retry-After"] = str(int(exc.wait) + 1)
    return response


@api.exception_handler(HttpError)
def on_http_error(request, exc):
    # Ninja answers 400 for a body it cannot parse, wrapping the parser's error:
    # ours (core.api_types.Parser) is a field error; anything else is bad input too.
    if isinstance(exc.__cause__, ApplicationError):
        return on_application_error(request, exc.__cause__)
    if exc.status_code == 400:
        return api.create_response(
            request,
            {
                "code": "invalid_input",
                "errors": [{"field": None, "message": _("The request body is not valid JSON.")}],
            },
            status=422,
        )
    return api.create_response(
        request, {"code": "http_error", "message": str(exc)}, status=exc.status_code
    )


api.add_router("", core_router)
api.add_router("", accounts_router)
api.add_router("", orgs_router)
api.add_router("", orgs_public_router)
api.add_router("", catalog_router)
api.add_router("", catalog_public_router)
api.add_router("", budgets_router)
api.add_router("", procurement_router)
api.add_router("", procurement_public_router)
api.add_router("", tendering_router)
api.add_router("", tendering_public_router)
api.add_router("", challenges_router)
