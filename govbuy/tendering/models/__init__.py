"""Models of the tendering app (running the purchase): the round a notice opens,
its criteria, deadlines and notices (`tenders`), bids (`bids`), the evaluation
panel and scores (`evaluation`) and framework agreements (`frameworks`).

The tables keep the names they had in `procurement` (``procurement_tender`` …):
the models moved by a state-only migration, no row moved."""

from .bids import (
    Bid,
    BidAttachment,
    BidQuote,
    BidStatus,
    OpeningAnswer,
    OpeningResponse,
)
from .evaluation import PanelMember, Score
from .frameworks import CallOff, CallOffMode, FrameworkAgreement, FrameworkMember
from .tenders import (
    CURRENT_TENDER_STATUSES,
    OCDS_TAGS,
    Deadline,
    DeadlineKind,
    EvaluationMethod,
    ImmutableError,
    Notice,
    NoticeKind,
    Tender,
    TenderCriterion,
    TenderStatus,
)

__all__ = [
    "CURRENT_TENDER_STATUSES",
    "OCDS_TAGS",
    "Bid",
    "BidAttachment",
    "BidQuote",
    "BidStatus",
    "CallOff",
    "CallOffMode",
    "Deadline",
    "DeadlineKind",
    "EvaluationMethod",
    "FrameworkAgreement",
    "FrameworkMember",
    "ImmutableError",
    "Notice",
    "NoticeKind",
    "OpeningAnswer",
    "OpeningResponse",
    "PanelMember",
    "Score",
    "Tender",
    "TenderCriterion",
    "TenderStatus",
]
