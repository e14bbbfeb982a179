"""Throttling for pages, with the same throttles (and budgets) as the API."""

from functools import wraps

from django.shortcuts import render


def throttle_anonymous_downloads(view):
    """Answer 429 (with Retry-After) once an anonymous client used up its
    download budget (GOVBUY_PUBLIC_EXPORT_RATE), shared with the API's exports."""
    from .api_auth import PublicExportThrottle

    @wraps(view)
    def throttled(request, *args, **kwargs):
        throttle = PublicExportThrottle()
        if not throttle.allow_request(request):
            wait = throttle.wait()
            response = render(request, "429.html", status=429)
            response["Retry-After"] = str(int(wait or throttle.duration) + 1)
            return response
        return view(request, *args, **kwargs)

    return throttled
