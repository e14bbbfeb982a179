from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class LanguageMiddleware(LocaleMiddleware):
    """Pages are Chinese unless the user chose English with the switch (cookie):
    the platform's language does not follow the browser's, so a workstation set
    to English still opens the Chinese platform. The API also honours
    Accept-Language, as API clients expect."""

    def process_request(self, request):
        if request.path.startswith("/api/"):
            language = translation.get_language_from_request(request)
        else:
            chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
            supported = {code for code, _ in settings.LANGUAGES}
            language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class RequestBodyLimitMiddleware:
    """Refuse a request whose declared body is too large before anything reads it:
    413, JSON under /api/, a page otherwise.

    Django's own DATA_UPLOAD_MAX_MEMORY_SIZE leaves out the files of a multipart
    body and acts only when the body is parsed, after a worker has been tied up
    receiving it. Multipart bodies may be as large as GOVBUY_REQUEST_MAX_BYTES
    (files included), every other body DATA_UPLOAD_MAX_MEMORY_SIZE. A body sent
    without Content-Length is never read by Django (it reads CONTENT_LENGTH
    bytes), and the proxy in front enforces the same limit on the wire."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = self.limit_for(request)
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if limit is not None and declared > limit:
            return self.too_large(request, limit)
        return self.get_response(request)

    @staticmethod
    def limit_for(request) -> int | None:
        if request.META.get("CONTENT_TYPE", "").startswith("multipart/"):
            return settings.GOVBUY_REQUEST_MAX_BYTES
        return settings.DATA_UPLOAD_MAX_MEMORY_SIZE

    @staticmethod
    def too_large(request, limit: int):
        from django.http import JsonResponse
        from django.shortcuts import render
        from django.utils.translation import gettext as _

        size = _("%(mb)s MB") % {"mb": f"{limit / (1024 * 1024):g}"}
        message = _("The request body is too large (at most %(size)s).") % {"size": size}
        if request.path.startswith("/api/"):
            return JsonResponse({"code": "too_large", "message": message}, status=413)
        return render(request, "413.html", {"message": message}, status=413)
