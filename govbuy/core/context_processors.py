from django.conf import settings


def platform(request):
    """Switches the templates need: whether /api/v1/docs is served."""
    return {"api_docs": settings.GOVBUY_API_DOCS}
