"""What every app's pages do with a service's refusal: the exceptions a page
catches (`REFUSED`) and where their messages go on the form (`refuse`).
Forms carry `core.forms.RefusalMixin` (or derive from `core.forms.BaseForm`)."""

from __future__ import annotations

from collections.abc import Callable

from .errors import ApplicationError, InvalidInput
from .rules import RuleViolation

# What a service raises when it refuses: its rules (RuleViolation) or anything
# else that is not allowed or not valid (ApplicationError and its subclasses).
REFUSED = (ApplicationError, RuleViolation)


def post_data(request):
    """The POST data of a POST, else None (an unbound form on GET)."""
    return request.POST if request.method == "POST" else None


def refuse(
    form,
    exc: Exception,
    *,
    fields: dict | None = None,
    elsewhere: Callable[..., bool] | None = None,
) -> int:
    """Put a refused action's messages on ``form``: beside the field the service
    names when the form has it (``fields`` renames a service's field to the
    page's), else above the form; an import's row errors as a table. Returns
    the page's HTTP status (403 for a refusal of who may act, else 200).

    ``elsewhere(name, message, violation)`` may take a message whose field lives
    outside the form (e.g. a formset's row) and answer True when it did."""
    rename = fields or {}

    def field_of(name):
        name = rename.get(name, name)
        return name if name in form.fields else None

    def placed_elsewhere(name, message, violation=None) -> bool:
        return elsewhere is not None and elsewhere(name or "", message, violation)

    if isinstance(exc, RuleViolation):
        for v in exc.violations:
            if placed_elsewhere(v.field, v.message, v):
                continue
            name = field_of(v.field)
            if name:
                form.violations.setdefault(name, []).append(v)
            else:
                form.general_violations.append(v)
        return 200
    if isinstance(exc, InvalidInput):
        for error in exc.errors:
            if "row" in error and hasattr(form, "row_errors"):
                form.row_errors.append(error)
            elif not placed_elsewhere(error.get("field"), error["message"]):
                form.add_error(field_of(error.get("field")), error["message"])
        return 200
    form.add_error(field_of(exc.field), exc.message)
    return 403 if exc.status == 403 else 200


def two_way(request, form, *, field: str, yes: str, no: str, missing: str, act, done, fields=None):
    """A POST that chooses one of two answers (approve/refuse, accept/dismiss…)
    with a form: `act(chose_yes, cleaned_data)` calls the service; on success
    `done(chose_yes)` flashes and answers the redirect. Returns (response or
    None, status) so the caller re-renders its page with the form's messages."""
    choice = request.POST.get(field)
    if choice not in (yes, no):
        form.is_valid()
        form.add_error(None, missing)
        return None, 200
    if not form.is_valid():
        return None, 200
    try:
        act(choice == yes, form.cleaned_data)
    except REFUSED as e:
        return None, refuse(form, e, fields=fields)
    return done(choice == yes), 200
