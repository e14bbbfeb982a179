"""Models of the procurement app (planning): projects and requirements, their
review, the method, splitting flags and capacity confirmations (`projects`).
Running the purchase lives in `govbuy.tendering`, questions and complaints in
`govbuy.challenges`."""

from govbuy.procurement.models.projects import (
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
