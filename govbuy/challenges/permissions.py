"""Who may do what with questions (质疑) and complaints (投诉), P11: a provider
questions the purchaser and then complains to the finance department; the
purchaser answers; the finance bureau of the purchase's own region (同级财政部门,
`budgets.permissions.can_decide`) reviews, may suspend and decides.

Services call the ``require_*``; pages and the API ask the ``can_*``. The
platform administrator acts for no provider, department or bureau (core.permissions).
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from govbuy.budgets.permissions import can_decide
from govbuy.core.errors import NotAllowed
from govbuy.core.permissions import refuse_platform_admin
from govbuy.tendering.permissions import is_provider_of, is_purchaser

from .models import ComplaintStatus

FINANCE = "finance"
HANDLED = (ComplaintStatus.FILED, ComplaintStatus.ACCEPTED)


def is_filer(user, question) -> bool:
    """The user acts for the provider that filed the question."""
    return is_provider_of(user, question.provider_id)


def can_answer(user, question) -> bool:
    """The round's purchaser answers a question not answered yet (P11; 政府采购法
    第五十三条: the purchaser replies within seven working days)."""
    return question.answered_at is None and is_purchaser(user, question.tender)


def can_handle(user, tender) -> bool:
    """The finance bureau of the purchase's own region handles its complaints
    (P11; 政府采购法 第五十五条; 财政部令第94号 第五条)."""
    return can_decide(user, tender.project.department)


def require_handle(user, tender) -> None:
    refuse_platform_admin(user, FINANCE)
    if not can_handle(user, tender):
        department = tender.project.department
        raise NotAllowed(
            _("Only the finance bureau of %(region)s handles complaints on this purchase.")
            % {"region": department.region.name}
        )


def reviewable(complaint) -> bool:
    """A filed complaint is accepted or dismissed once."""
    return complaint.status == ComplaintStatus.FILED


def suspendable(complaint) -> bool:
    """Only a complaint being handled suspends the purchase (政府采购法 第五十七条)."""
    return complaint.status in HANDLED


def decidable(complaint) -> bool:
    """An accepted complaint is decided."""
    return complaint.status == ComplaintStatus.ACCEPTED


def can_review(user, complaint) -> bool:
    return reviewable(complaint) and can_handle(user, complaint.question.tender)


def can_suspend(user, complaint) -> bool:
    """The bureau suspends a purchase under complaint, once."""
    return (
        suspendable(complaint)
        and not complaint.suspended
        and can_handle(user, complaint.question.tender)
    )


def can_decide_complaint(user, complaint) -> bool:
    return decidable(complaint) and can_handle(user, complaint.question.tender)
