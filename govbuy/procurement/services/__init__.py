"""Every write of the procurement app (planning), one transaction and one audit
event each: projects, requirements and the method (`projects`) and the C8
capacity confirmations (`capacity`). Running the purchase is written by
`govbuy.tendering.services`, questions and complaints by
`govbuy.challenges.services`."""

from govbuy.procurement.services.capacity import sign_capacity, sync_capacity
from govbuy.procurement.services.projects import (
    REQUIREMENT_TEXT_FIELDS,
    cancel_project,
    choose_method,
    clear_split_flag,
    committed_by_projects,
    create_project,
    decide_method,
    line_problems,
    requirement_problems,
    review_requirements,
    submit_for_review,
    update_project,
)

__all__ = [
    "REQUIREMENT_TEXT_FIELDS",
    "cancel_project",
    "choose_method",
    "clear_split_flag",
    "committed_by_projects",
    "create_project",
    "decide_method",
    "line_problems",
    "requirement_problems",
    "review_requirements",
    "sign_capacity",
    "submit_for_review",
    "sync_capacity",
    "update_project",
]
