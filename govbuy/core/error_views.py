"""Django's error handlers: under /api/ the answer is always the API's one JSON
error body, never the HTML page (a client parses it like any other error)."""

import json

from django.http import HttpResponseServerError
from django.utils.translation import gettext as _
from django.views.defaults import server_error as page_server_error


def server_error(request, *args, **kwargs):
    if request.path.startswith("/api/"):
        body = {
            "code": "server_error",
            "message": _("Something went wrong on the server; it has been logged. Try again."),
        }
        return HttpResponseServerError(
            json.dumps(body, ensure_ascii=False), content_type="application/json; charset=utf-8"
        )
    return page_server_error(request, *args, **kwargs)
