"""Who may do what with a purchase project (planning): the department's purchasers
keep it, a manager other than the submitter reviews it (P7), the same-level
finance bureau decides on a change of method and clears splitting flags (B4).

Services call the ``require_*``; pages and the API ask the ``can_*`` — the rule
is never re-derived in a view. The platform administrator acts for no
department and no bureau (core.permissions).
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from govbuy.budgets.permissions import approving_bureaus, can_decide
from govbuy.core.errors import NotAllowed
from govbuy.core.permissions import acts_for, member_orgs, refuse_platform_admin, require_member

from .models import MethodApproval, ProjectStatus

PURCHASER = "purchaser"
FINANCE = "finance"

__all__ = [
    "approving_bureaus",
    "can_cancel",
    "can_choose_method",
    "can_clear_flag",
    "can_create_in",
    "can_decide",
    "can_decide_method",
    "can_edit",
    "can_review",
    "can_sign_capacity",
    "can_submit",
    "is_manager",
    "is_member",
]


# --- membership -------------------------------------------------------------------------


def is_member(user, project) -> bool:
    """The user acts for the project's department as a purchaser (never the
    platform administrator): the one "is a member" rule of the purchase apps
    (`core.permissions.member_orgs`, as `acts_for`, by the department's id: no
    query for the department)."""
    return any(o.pk == project.department_id for o in member_orgs(user, PURCHASER))


def require_member_of(user, project) -> None:
    """Refuse (403) unless `is_member`; the platform administrator with the reason."""
    require_member(user, project.department, roles=(PURCHASER,))


def is_manager(user, department) -> bool:
    """A 负责人 of the department (purchaser role, manager flag)."""
    if not acts_for(user, department, PURCHASER):
        return False
    return any(
        m.role == PURCHASER and m.is_manager and m.organization_id == department.pk
        for m in user.active_memberships
    )


# --- projects ---------------------------------------------------------------------------


def can_create_in(user, department) -> bool:
    """A purchaser of the department creates its projects, against its approved
    budget lines. Basis: B1 (102号令 第十六条; Q51)."""
    return acts_for(user, department, PURCHASER)


def can_edit(user, project) -> bool:
    """A member keeps a draft (or returned) project's requirements. Basis: P7."""
    return is_member(user, project) and project.is_editable


def can_submit(user, project) -> bool:
    """A member sends an editable project's requirements for review. Basis: P7."""
    return can_edit(user, project)


def can_cancel(user, project) -> bool:
    """A member cancels a project that is not cancelled yet."""
    return is_member(user, project) and project.status != ProjectStatus.CANCELLED


def review_refusal(user, project) -> str | None:
    """Why `user` may not review the project's requirements (None: may). P7: a
    manager (负责人) of the department, someone other than the submitter — the
    one definition of "someone else reviews" (鲁财采〔2022〕14号 三(三))."""
    if not is_manager(user, project.department):
        return _("Only a manager (负责人) of the department reviews requirements.")
    if project.submitted_by_id == user.pk:
        return _(
            "The requirements are reviewed by someone other than the person who submitted them."
        )
    return None


def can_review(user, project) -> bool:
    """A manager other than the submitter reviews a project under review (P7)."""
    return project.status == ProjectStatus.REVIEW and review_refusal(user, project) is None


def require_review(user, project) -> None:
    """Refuse (403) a review by anyone but a manager other than the submitter (P7)."""
    refuse_platform_admin(user, PURCHASER)
    refused = review_refusal(user, project)
    if refused:
        raise NotAllowed(refused)


# --- the method -------------------------------------------------------------------------


def can_choose_method(user, project) -> bool:
    """A member chooses the method of an approved project until a change of method
    is approved. Basis: P2/P3 (thresholds decide which methods are allowed)."""
    return (
        is_member(user, project)
        and project.status == ProjectStatus.APPROVED
        and project.method_approval != MethodApproval.APPROVED
    )


def may_decide_method_of(user, department) -> bool:
    """The same-level finance bureau decides on a department's change of method."""
    return can_decide(user, department)


def can_decide_method(user, project) -> bool:
    """The same-level finance bureau decides on a change of method awaiting its
    decision. Basis: P2 (政府采购法 第二十七条: the finance department approves a
    method other than open tendering)."""
    return (
        project.status == ProjectStatus.APPROVED
        and project.method_approval == MethodApproval.PENDING
        and can_decide(user, project.department)
    )


def require_decide_method(user, project) -> None:
    refuse_platform_admin(user, FINANCE)
    if not can_decide(user, project.department):
        raise NotAllowed(
            _("Only the finance bureau of %(region)s decides on this department's method.")
            % {"region": project.department.region.name}
        )


# --- splitting flags (B4) -----------------------------------------------------------------


def can_clear_flags_of(user, department) -> bool:
    """The department's same-level finance bureau looks into and clears its
    splitting flags. Basis: B4 (鲁财采〔2022〕14号 三(二))."""
    return can_decide(user, department)


def can_clear_flag(user, flag) -> bool:
    return can_clear_flags_of(user, flag.department)


def require_clear_flag(user, flag) -> None:
    refuse_platform_admin(user, FINANCE)
    if not can_clear_flag(user, flag):
        raise NotAllowed(_("Only the department's finance bureau clears its flags."))


# --- the C8 capacity confirmations ----------------------------------------------------


def can_sign_capacity(user, row, side: str) -> bool:
    """Who signs one side of a C8 confirmation (the public unit cannot meet the
    demand): the finance bureau of the project's department's region (同级财政),
    or a manager (负责人) of the unit's competent department — the unit never
    judges itself. Basis: C8 (rules.md)."""
    if side == "finance":
        return bool(approving_bureaus(user, row.project.department))
    competent = row.unit.competent_department
    return competent is not None and is_manager(user, competent)
