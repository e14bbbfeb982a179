"""Who may do what with budget lines and adjustments (预算调剂).

A purchasing department files and keeps its own lines (B1, B3); the finance
bureau of the department's own region decides on them (同级财政部门: the one
definition is `orgs.permissions.deciding_bureaus`). The platform administrator
does neither (core.permissions). Services call the ``require_*``; pages and the
API ask the ``can_*``.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from govbuy.core.permissions import acts_for, require_member
from govbuy.orgs.permissions import can_decide_in, deciding_bureaus, require_decide_in

from .models import AdjustmentStatus, BudgetLineStatus

PURCHASER = "purchaser"


def approving_bureaus(user, department) -> list:
    """The user's finance bureaus of the department's own region (同级财政部门)."""
    return deciding_bureaus(user, department.region_id)


def can_decide(user, department) -> bool:
    """The same-level finance bureau approves or returns the department's budget
    lines and adjustments. Basis: B1 (102号令 第十六条; Q51), B6 (Q55)."""
    return can_decide_in(user, department.region_id)


def require_decide(user, department) -> None:
    require_decide_in(
        user,
        department.region_id,
        _("Only the finance bureau of %(region)s decides on this department's budget.")
        % {"region": department.region.name},
    )


def can_file(user, department) -> bool:
    """A purchaser of the department files and keeps its lines (never the platform
    administrator). Basis: B1/B3 (102号令 第十六条; 鲁财采〔2022〕14号 三(二))."""
    return acts_for(user, department, PURCHASER)


def require_file(user, department) -> None:
    require_member(user, department, roles=(PURCHASER,))


# --- what a line's and an adjustment's page offers -------------------------------------


def can_edit_line(user, line) -> bool:
    return line.is_editable and can_file(user, line.department)


def can_delete_line(user, line) -> bool:
    """Only a draft never submitted is deleted; anything else stays on record."""
    return (
        line.status == BudgetLineStatus.DRAFT
        and line.submitted_at is None
        and can_file(user, line.department)
    )


def can_propose_adjustment(user, line, *, open_adjustment=None) -> bool:
    """An approved line with no adjustment awaiting approval (B6)."""
    return (
        line.status == BudgetLineStatus.APPROVED
        and open_adjustment is None
        and can_file(user, line.department)
    )


def can_decide_line(user, line) -> bool:
    return line.status == BudgetLineStatus.SUBMITTED and can_decide(user, line.department)


def can_decide_adjustment(user, adjustment) -> bool:
    return adjustment.status == AdjustmentStatus.PROPOSED and can_decide(
        user, adjustment.line.department
    )


def can_withdraw_adjustment(user, adjustment) -> bool:
    return adjustment.status == AdjustmentStatus.PROPOSED and can_file(
        user, adjustment.line.department
    )
