"""Who acts for a department in planning (used by `projects` and `capacity`)."""

from __future__ import annotations

from govbuy.accounts.models import Role
from govbuy.core.permissions import acts_for


def is_manager(user, department) -> bool:
    """A 负责人 of the department (purchaser role, manager flag)."""
    if not acts_for(user, department, Role.PURCHASER):
        return False
    return any(
        m.role == Role.PURCHASER and m.is_manager and m.organization_id == department.pk
        for m in user.active_memberships
    )
