"""Models of the procurement app (planning): projects and requirements, their
review, the method, splitting flags and capacity confirmations (`projects`).
Running the purchase lives in `govbuy.tendering`, questions and complaints in
`govbuy.challenges`."""

from .projects import (
    LAW_METHODS,
    RUNNING_STATUSES,
    CapacityConfirmation,
    CapacityDecision,
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

__all__ = [
    "LAW_METHODS",
    "RUNNING_STATUSES",
    "CapacityConfirmation",
    "CapacityDecision",
    "Method",
    "MethodApproval",
    "ProjectQuerySet",
    "ProjectStatus",
    "PurchaseProject",
    "Requirement",
    "RequirementReview",
    "ReviewDecision",
    "SplitFlag",
    "SplitFlagQuerySet",
    "SplitFlagStatus",
]

# STAGE-B: the moved models, re-exported until every importer imports them from
# their app (removed in the next step of the split).
from govbuy.challenges.models import *  # noqa: E402, F403
from govbuy.tendering.models import *  # noqa: E402, F403
