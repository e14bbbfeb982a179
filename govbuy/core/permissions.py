"""One scoped lookup for every object: others' objects answer 404, never their data.

Each scoped model's QuerySet implements ``visible_to(user)``; pages and the API
fetch single objects only through `get_for_user_or_404`.
"""

from django.core.exceptions import ValidationError
from django.http import Http404


def get_for_user_or_404(queryset, user, **lookup):
    """`queryset` may be a model or a QuerySet whose class defines visible_to(user)."""
    qs = queryset._default_manager.all() if hasattr(queryset, "_default_manager") else queryset
    try:
        return qs.visible_to(user).get(**lookup)
    except (qs.model.DoesNotExist, ValueError, TypeError, ValidationError):
        raise Http404(f"No {qs.model._meta.verbose_name} matches the given query.") from None
