"""Every write of the procurement app, one transaction and one audit event each:
projects, requirements and the method (`projects`); notices and rounds
(`rounds`); bids, quotes and the opening (`bids`); the panel, evaluation, award
and result, direct commission and framework call-offs (`evaluation`);
questions and complaints (`challenges`)."""

from .bids import (
    open_bids,
    open_quote_round,
    reply_to_objection,
    respond_to_opening,
    submit_bid,
    submit_quote,
    withdraw_bid,
)
from .capacity import sign_capacity, sync_capacity
from .challenges import (
    answer_question,
    decide_complaint,
    file_complaint,
    file_question,
    review_complaint,
    suspend_purchase,
)
from .evaluation import (
    appoint_panel,
    call_off,
    commission_directly,
    confirm_award,
    declare_no_conflict,
    publish_result,
    review_bid,
    submit_scores,
)
from .projects import (
    REQUIREMENT_TEXT_FIELDS,
    cancel_project,
    choose_method,
    clear_split_flag,
    committed_by_projects,
    create_project,
    decide_method,
    is_manager,
    requirement_problems,
    review_requirements,
    submit_for_review,
    update_project,
)
from .rounds import (
    publish_correction,
    publish_intention,
    start_round,
    terminate_round,
)

__all__ = [
    "REQUIREMENT_TEXT_FIELDS",
    "answer_question",
    "appoint_panel",
    "call_off",
    "cancel_project",
    "choose_method",
    "clear_split_flag",
    "commission_directly",
    "committed_by_projects",
    "confirm_award",
    "create_project",
    "decide_complaint",
    "decide_method",
    "declare_no_conflict",
    "file_complaint",
    "file_question",
    "is_manager",
    "open_bids",
    "open_quote_round",
    "publish_correction",
    "publish_intention",
    "publish_result",
    "reply_to_objection",
    "requirement_problems",
    "respond_to_opening",
    "review_bid",
    "review_complaint",
    "review_requirements",
    "sign_capacity",
    "start_round",
    "submit_bid",
    "submit_for_review",
    "submit_quote",
    "submit_scores",
    "suspend_purchase",
    "sync_capacity",
    "terminate_round",
    "update_project",
    "withdraw_bid",
]
