"""Who may run the platform: users, memberships, organizations, lockouts."""

from django.core.exceptions import PermissionDenied


def can_administer(user) -> bool:
    """The platform administrator (平台管理员) manages users and organizations;
    it holds no business role by doing so."""
    return bool(getattr(user, "is_authenticated", False) and user.is_platform_admin)


def require_administer(user) -> None:
    """403 for everyone else (the pages exist for all; their data is not scoped)."""
    if not can_administer(user):
        raise PermissionDenied
