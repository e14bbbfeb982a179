import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from . import params
from .errors import ApplicationError
from .models import HolidayCalendar, ParameterDefinition, PolicyParameter
from .permissions import NATIONAL, may_enter_calendar, parameter_region
from .roles import active_membership
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

    membership = active_membership(request)
    region = membership.organization.region if membership else None
    may_add = parameter_region(membership)
    if may_add is NATIONAL:  # the administrator keeps the national defaults: show those
        region = None
    at = timezone.localdate()
    error = None
    if request.GET.get("at"):
        try:
            at = dt.date.fromisoformat(request.GET["at"])
        except ValueError:
            error = _("date must be YYYY-MM-DD")
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
        {
            "rows": rows,
            "at": at,
            "region": region,
            "error": error,
            "history": history,
            "may_add": may_add is not None,
        },
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
            "may_enter": _may_enter_calendar(request),
        },
    )


def _may_enter_calendar(request) -> bool:
    return may_enter_calendar(active_membership(request))


@login_required
def holiday_calendar_edit(request):
    """Enter a year's holiday arrangement (province finance or platform admin)."""
    from django.core.exceptions import PermissionDenied
    from django.shortcuts import redirect

    from .forms import HolidayCalendarForm
    from .services import set_holiday_calendar

    if not _may_enter_calendar(request):
        raise PermissionDenied
    form = HolidayCalendarForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            set_holiday_calendar(
                actor=request.user,
                year=form.cleaned_data["year"],
                basis=form.cleaned_data["basis"],
                published_on=form.cleaned_data["published_on"],
                days_text=form.cleaned_data["days"],
            )
        except ApplicationError as e:
            form.add_error(e.field if e.field in form.fields else None, e.message)
        else:
            return redirect("core:holiday_calendars")
    return render(request, "core/holiday_calendar_form.html", {"form": form})


@login_required
def parameter_add(request):
    """A finance bureau adds a value for its own region, from a date; the platform
    administrator a national default."""
    from django.core.exceptions import PermissionDenied
    from django.shortcuts import redirect

    from .forms import PolicyParameterForm
    from .services import set_policy_parameter

    region = parameter_region(active_membership(request))
    if region is None:
        raise PermissionDenied
    if region is NATIONAL:
        region = None
    form = PolicyParameterForm(
        request.POST or None,
        definitions=ParameterDefinition.objects.order_by("key"),
        initial={"key": request.GET.get("key", "")},
        national=region is None,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            set_policy_parameter(
                actor=request.user,
                key=data["key"],
                value=data["value"].strip(),
                effective_from=data["effective_from"],
                basis=data["basis"],
                region=region,
                level=data["level"],
                note=data["note"],
            )
        except ApplicationError as e:
            form.add_error(e.field if e.field in form.fields else None, e.message)
        else:
            return redirect("core:parameters")
    return render(request, "core/parameter_form.html", {"form": form, "region": region})
