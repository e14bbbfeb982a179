"""The product's URLs plus the bare view the bench compares every page with."""

from django.db import connection
from django.http import JsonResponse
from django.urls import path

from govbuy.urls import urlpatterns as product_urlpatterns


def bare(request):
    """A bare Django JSON view: one trivial query, through the same middleware."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        (one,) = cursor.fetchone()
    return JsonResponse({"ok": one == 1})


urlpatterns = [path("__bench__/bare/", bare), *product_urlpatterns]
