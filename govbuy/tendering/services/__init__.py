"""Every write of running a purchase, one transaction and one audit event each:
notices and rounds (`rounds`); bids, quotes and the opening (`bids`); the
panel, evaluation, award and result, direct commission and framework
call-offs (`evaluation`); the clock's steps (`tick`). A project's stage changes
only through `govbuy.procurement.services`."""

from govbuy.tendering.services.bids import (
    open_bids,
    open_quote_round,
    reply_to_objection,
    respond_to_opening,
    submit_bid,
    submit_quote,
    withdraw_bid,
)
from govbuy.tendering.services.evaluation import (
    appoint_panel,
    call_off,
    commission_directly,
    confirm_award,
    declare_no_conflict,
    publish_result,
    review_bid,
    submit_scores,
)
from govbuy.tendering.services.rounds import (
    correction_lead,
    publish_correction,
    publish_intention,
    start_round,
    terminate_round,
)

__all__ = [
    "appoint_panel",
    "call_off",
    "commission_directly",
    "confirm_award",
    "declare_no_conflict",
    "open_bids",
    "open_quote_round",
    "correction_lead",
    "publish_correction",
    "publish_intention",
    "publish_result",
    "reply_to_objection",
    "respond_to_opening",
    "review_bid",
    "start_round",
    "submit_bid",
    "submit_quote",
    "submit_scores",
    "terminate_round",
    "withdraw_bid",
]
