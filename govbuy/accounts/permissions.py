"""Who may run the platform: users, memberships, organizations, lockouts."""

from django.core.exceptions import PermissionDenied

from govbuy.core.permissions import is_platform_admin

from .selectors import active_membership


def can_administer(user) -> bool:
    """The platform administrator (平台管理员) manages users and organizations;
    it holds no business role by doing so."""
    return is_platform_admin(user)


def require_administer(user) -> None:
    """The administration pages: 403 for everyone else (the pages exist for all;
    their data is not scoped). Services refuse with
    `core.permissions.require_platform_admin`, the same rule."""
    if not can_administer(user):
        raise PermissionDenied


def require_role(request, *roles):
    """The membership the user works in now (`selectors.active_membership`), when
    its role is one of ``roles``; 403 otherwise (recipients, other roles). The one
    role check of every app's pages."""
    m = active_membership(request)
    if m is None or m.role not in roles:
        raise PermissionDenied
    return m
