import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone

from . import params
from .errors import ApplicationError
from .models import HolidayCalendar, ParameterDefinition, PolicyParameter
from .rules import REGISTRY


def home(request):
    """The public portal's front page (no login)."""
    return render(request, "public/home.html", {"rule_count": len(REGISTRY)})


def rules_index(request):
    """Every rule the platform enforces, with its legal basis (public)."""
    rules = sorted(REGISTRY.values(), key=lambda r: (r.id[0], int(r.id[1:])))
    return render(request, "public/rules.html", {"rules": rules})


@login_required
def parameters(request):
    """Policy parameters in force for the user's region at a date (default today)."""
    from govbuy.accounts.selectors import active_membership

    membership = active_membership(request)
    region = membership.organization.region if membership else None
    at = timezone.localdate()
    error = None
    if request.GET.get("at"):
        try:
            at = dt.date.fromisoformat(request.GET["at"])
        except ValueError:
            error = "日期格式应为 YYYY-MM-DD / date must be YYYY-MM-DD"
    rows = []
    for definition in ParameterDefinition.objects.order_by("key"):
        try:
            row = params.resolve(definition.key, region, at)
        except ApplicationError:
            row = None
        rows.append({"definition": definition, "row": row})
    history = Paginator(
        PolicyParameter.objects.select_related("definition", "region").order_by(
            "definition_id", "-effective_from"
        ),
        50,
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "core/parameters.html",
        {"rows": rows, "at": at, "region": region, "error": error, "history": history},
    )


@login_required
def holiday_calendars(request):
    """Years covered by the holiday calendar: the package's and the overrides."""
    import chinese_calendar

    package_years = sorted({d.year for d in chinese_calendar.constants.holidays})
    overrides = HolidayCalendar.objects.prefetch_related("days")
    return render(
        request,
        "core/holiday_calendars.html",
        {
            "package_years": (package_years[0], package_years[-1]),
            "overrides": overrides,
            "this_year": timezone.localdate().year,
        },
    )
