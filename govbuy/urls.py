from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from govbuy.accounts import urls as accounts_urls
from govbuy.api import api
from govbuy.core import views as core_views
from govbuy.procurement import urls as procurement_urls
from govbuy.workbench import urls as workbench_urls

public = (
    [
        path("", core_views.home, name="home"),
        path("rules/", core_views.rules_index, name="rules"),
    ],
    "public",
)
core = (
    [
        path("parameters/", core_views.parameters, name="parameters"),
        path("parameters/add/", core_views.parameter_add, name="parameter_add"),
        path("calendar/", core_views.holiday_calendars, name="holiday_calendars"),
        path("calendar/enter/", core_views.holiday_calendar_edit, name="holiday_calendar_edit"),
    ],
    "core",
)

# Under /api/ Django's errors answer the API's JSON error body; pages get HTML pages.
handler400 = "govbuy.core.error_views.bad_request"
handler403 = "govbuy.core.error_views.permission_denied"
handler404 = "govbuy.core.error_views.page_not_found"
handler500 = "govbuy.core.error_views.server_error"

urlpatterns = [
    path("", include(public)),
    path("", include(core)),
    path("", include("govbuy.orgs.urls")),
    # The workbench's pages keep the names and paths they had in these apps.
    path("", include((workbench_urls.accounts_patterns + accounts_urls.urlpatterns, "accounts"))),
    path("catalog/", include("govbuy.catalog.urls")),
    path("budgets/", include("govbuy.budgets.urls")),
    path(
        "procurement/",
        include(
            (workbench_urls.procurement_patterns + procurement_urls.urlpatterns, "procurement")
        ),
    ),
    path("procurement/", include("govbuy.tendering.urls")),
    path("procurement/", include("govbuy.challenges.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("api/v1/", api.urls),
]
