"""Django's error handlers: under /api/ the answer is always the API's one JSON
error body, never an HTML page (a client parses it like any other error); pages
keep Django's HTML error pages."""

import json

from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.views import defaults


def _json(code: str, message: str, status: int) -> HttpResponse:
    body = json.dumps({"code": code, "message": message}, ensure_ascii=False)
    return HttpResponse(body, status=status, content_type="application/json; charset=utf-8")


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def bad_request(request, exception, *args, **kwargs):
    if _is_api(request):
        return _json("bad_request", _("The request is malformed."), 400)
    return defaults.bad_request(request, exception, *args, **kwargs)


def permission_denied(request, exception, *args, **kwargs):
    if _is_api(request):
        return _json("not_allowed", _("You may not do this."), 403)
    return defaults.permission_denied(request, exception, *args, **kwargs)


def page_not_found(request, exception, *args, **kwargs):
    if _is_api(request):
        return _json("not_found", _("Not found"), 404)
    return defaults.page_not_found(request, exception, *args, **kwargs)


def server_error(request, *args, **kwargs):
    if _is_api(request):
        return _json(
            "server_error",
            _("Something went wrong on the server; it has been logged. Try again."),
            500,
        )
    return defaults.server_error(request, *args, **kwargs)
