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


def member_orgs(user, role: str) -> list:
    """The organizations in which `user` holds `role` (active memberships only)."""
    if not getattr(user, "is_authenticated", False):
        return []
    return [m.organization for m in user.active_memberships if m.role == role]


def require_member(user, organization, roles=("purchaser", "finance")) -> None:
    """Refuse (403) unless `user` acts for `organization` in one of `roles`."""
    from django.utils.translation import gettext as _

    from .errors import NotAllowed

    if not getattr(user, "is_authenticated", False):
        raise NotAllowed(_("Log in first."))
    if user.is_platform_admin:
        return
    for role in roles:
        if any(o.pk == organization.pk for o in member_orgs(user, role)):
            return
    raise NotAllowed(_("You do not act for %(org)s.") % {"org": organization.name})


def org_scope_q(user, *, own: str, region_path: str):
    """Q for rows of the user's own organizations (field `own`, an organization
    id), plus the supervised region subtrees of finance and audit roles (field
    `region_path`, a Region.path)."""
    from django.db.models import Q

    q = Q(**{f"{own}__in": user.organization_ids()})
    for path in user.supervised_region_paths():
        q |= Q(**{f"{region_path}__startswith": path})
    return q


class ScopedQuerySet:
    """Mixin for QuerySets of rows owned by an organization: ``visible_to(user)``
    gives the user's own organizations' rows, the supervised region subtrees of
    finance and audit roles, everything for platform administrators.

    Subclasses name the organization-id field and the region-path field."""

    own_field = "organization_id"
    region_path_field = "organization__region__path"

    def visible_to(self, user):
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.is_platform_admin:
            return self.all()
        return self.filter(
            org_scope_q(user, own=self.own_field, region_path=self.region_path_field)
        )
