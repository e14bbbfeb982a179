"""Models of the procurement app: projects and requirements (`projects`), the
round a notice opens with its deadlines and notices (`tenders`), bids
(`bids`), the evaluation panel (`evaluation`), questions and complaints
(`challenges`) and framework agreements (`frameworks`)."""

from .bids import (
    Bid,
    BidAttachment,
    BidQuote,
    BidStatus,
    OpeningAnswer,
    OpeningResponse,
)
from .challenges import (
    Complaint,
    ComplaintDecision,
    ComplaintStatus,
    Question,
    QuestionSubject,
)
from .evaluation import PanelMember, Score
from .frameworks import CallOff, CallOffMode, FrameworkAgreement, FrameworkMember
from .projects import (
    LAW_METHODS,
    RUNNING_STATUSES,
    Method,
    MethodApproval,
    ProjectQuerySet,
    ProjectStatus,
    PurchaseProject,
    Requirement,
    RequirementReview,
    ReviewDecision,
    SplitFlag,
    SplitFlagQuerySet,
    SplitFlagStatus,
)
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
    "LAW_METHODS",
    "OCDS_TAGS",
    "RUNNING_STATUSES",
    "Bid",
    "BidAttachment",
    "BidQuote",
    "BidStatus",
    "CallOff",
    "CallOffMode",
    "Complaint",
    "ComplaintDecision",
    "ComplaintStatus",
    "Deadline",
    "DeadlineKind",
    "EvaluationMethod",
    "FrameworkAgreement",
    "FrameworkMember",
    "ImmutableError",
    "Method",
    "MethodApproval",
    "Notice",
    "NoticeKind",
    "OpeningAnswer",
    "OpeningResponse",
    "PanelMember",
    "ProjectQuerySet",
    "ProjectStatus",
    "PurchaseProject",
    "Question",
    "QuestionSubject",
    "Requirement",
    "RequirementReview",
    "ReviewDecision",
    "Score",
    "SplitFlag",
    "SplitFlagQuerySet",
    "SplitFlagStatus",
    "Tender",
    "TenderCriterion",
    "TenderStatus",
]
