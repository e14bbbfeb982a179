"""One scoped lookup for every object: others' objects answer 404, never their data.

Each scoped model's QuerySet implements ``visible_to(user)``; pages and the API
fetch single objects only through `get_for_user_or_404`.
"""

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


def get_for_user_or_404(queryset, user, **lookup):
    """`queryset` may be a model or a QuerySet whose class defines visible_to(user)."""
    qs = queryset._default_manager.all() if hasattr(queryset, "_default_manager") else queryset
    try:
        return qs.visible_to(user).get(**lookup)
    except (qs.model.DoesNotExist, ValueError, TypeError, ValidationError):
        raise Http404(f"No {qs.model._meta.verbose_name} matches the given query.") from None


# The platform administrator runs the platform — users, organizations, policy
# parameters, holiday calendars — and never acts in a business role (DESIGN.md):
# it keeps no catalog, approves no budget, buys nothing and provides nothing.
# This is decided here and nowhere else: every business write reaches
# `refuse_platform_admin`, directly or through `acts_for`, `member_orgs` and
# `require_member`. Reads are not affected (the administrator sees everything).
BUSINESS_ROLES = {
    "finance": gettext_lazy("a finance bureau (财政部门)"),
    "purchaser": gettext_lazy("a purchasing department (购买主体)"),
    "provider": gettext_lazy("a provider (承接主体)"),
}


def is_platform_admin(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_platform_admin)


def require_platform_admin(user) -> None:
    """Refuse (403) a write of the platform's own administration — users,
    memberships, organizations and their platform roles — by anyone but the
    platform administrator (DESIGN.md: the administrator runs the platform). A
    string actor is the operator at the command line, the demo loader or a test
    fixture: allowed."""
    if isinstance(user, str):
        return
    if not is_platform_admin(user):
        from .errors import NotAllowed

        raise NotAllowed(_("Only the platform administrator manages users and organizations."))


def refuse_platform_admin(user, role: str) -> None:
    """Refuse (403) a business write of the platform administrator, saying why."""
    if is_platform_admin(user):
        from .errors import NotAllowed

        raise NotAllowed(
            _(
                "The platform administrator does not act for %(role)s: it manages users, "
                "organizations, parameters and calendars. Log in as a member of the "
                "organization concerned."
            )
            % {"role": BUSINESS_ROLES.get(role, role)}
        )


def member_orgs(user, role: str) -> list:
    """The organizations for which `user` acts in `role` (active memberships only).
    A platform administrator acts for none in a business role."""
    if not getattr(user, "is_authenticated", False):
        return []
    if role in BUSINESS_ROLES and user.is_platform_admin:
        return []
    return [m.organization for m in user.active_memberships if m.role == role]


def acts_for(user, organization, role: str) -> bool:
    """Does `user` act for `organization` in `role`? Never the platform administrator
    in a business role. Pages ask this to offer a button; services to allow the act."""
    return any(o.pk == organization.pk for o in member_orgs(user, role))


def require_acts_for(user, organization, role: str, refused=None) -> None:
    """Refuse (403) unless `user` acts for `organization` in `role` (`acts_for`);
    the platform administrator is refused with the reason, anyone else with
    `refused` (default: "You do not act for …"). The one membership check of
    every service: pages ask `acts_for`, services call this."""
    from .errors import NotAllowed

    refuse_platform_admin(user, role)
    if not acts_for(user, organization, role):
        raise NotAllowed(refused or _("You do not act for %(org)s.") % {"org": organization.name})


def require_member(user, organization, roles=("purchaser", "finance")) -> None:
    """Refuse (403) unless `user` acts for `organization` in one of `roles`; the
    platform administrator is refused with the reason."""
    from .errors import NotAllowed

    if not getattr(user, "is_authenticated", False):
        raise NotAllowed(_("Log in first."))
    refuse_platform_admin(user, roles[0])
    if any(acts_for(user, organization, role) for role in roles):
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


class Anywhere:
    """The answer of `parameter_region` for the platform administrator: the
    national defaults (stored with no region)."""


NATIONAL = Anywhere()


def parameter_region(membership):
    """Where a membership may add policy-parameter values from a date: a finance
    bureau for its own region (and below), the platform administrator the national
    defaults (`NATIONAL`) — the platform's own data, e.g. a new State Council
    threshold; anyone else nowhere (None)."""
    if membership is None:
        return None
    if membership.role == "platform_admin":
        return NATIONAL
    if membership.role == "finance":
        return membership.organization.region
    return None


# --- the platform's own data: policy parameters and holiday calendars -----------------


def _memberships(user) -> list:
    if not getattr(user, "is_authenticated", False):
        return []
    return list(user.active_memberships)


def _covers(reach, region) -> bool:
    """Does a `parameter_region` answer reach `region` (None: national)?"""
    if reach is None:
        return False
    if reach is NATIONAL:
        return True
    return region is not None and region.path.startswith(reach.path)


def can_add_parameter(user, region, *, membership=None) -> bool:
    """May `user` add a value of a policy parameter for `region` (None: the
    national default)? Rule of `parameter_region`: a finance bureau for its own
    region and below, the platform administrator anywhere. With `membership`,
    that membership alone decides (the page's: the one the user works in now).
    Basis: the values are the localities' policy choices (rules.md, preamble:
    "a configurable policy parameter with the legal default … and keeps the
    effective date of each parameter value")."""
    memberships = [membership] if membership is not None else _memberships(user)
    return any(_covers(parameter_region(m), region) for m in memberships)


def require_add_parameter(user, region) -> None:
    """Refuse (403) a policy-parameter value `user` may not add (`can_add_parameter`).
    A string actor is the command line or a data migration (the operator): allowed."""
    if isinstance(user, str):
        return
    if not can_add_parameter(user, region):
        from .errors import NotAllowed

        raise NotAllowed(
            _("Only a finance bureau adds policy-parameter values, for its own region.")
            if region is not None
            else _("Only the platform administrator adds national parameter values.")
        )


def may_enter_calendar(membership) -> bool:
    """The membership enters holiday calendars: a provincial finance bureau, or the
    platform administrator (the platform's own data). The State Council's notice
    is national; a province enters it where no administrator has."""
    if membership is None:
        return False
    if membership.role == "platform_admin":
        return True
    return membership.role == "finance" and membership.organization.region.level == "province"


def can_enter_calendar(user, *, membership=None) -> bool:
    """May `user` enter (or replace) a year's holiday arrangement (`may_enter_calendar`
    for `membership`, else for any of the user's active memberships)? Basis: K9
    and every working-day deadline count official holidays and 调休 make-up days
    (民法典 第二百零三条; the State Council's yearly notice)."""
    memberships = [membership] if membership is not None else _memberships(user)
    return any(may_enter_calendar(m) for m in memberships)


def require_enter_calendar(user) -> None:
    """Refuse (403) a holiday calendar `user` may not enter. A string actor is the
    command line (``manage.py import_holiday_calendar``): allowed."""
    if isinstance(user, str):
        return
    if not can_enter_calendar(user):
        from .errors import NotAllowed

        raise NotAllowed(
            _(
                "Only a provincial finance bureau or the platform administrator enters "
                "holiday calendars."
            )
        )
