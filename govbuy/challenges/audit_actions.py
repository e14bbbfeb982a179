"""The audit actions of challenges (see govbuy.core.audit_actions)."""

from govbuy.core.audit_actions import AuditAction


class ChallengesAction(AuditAction):
    COMPLAINT_ACCEPT = "procurement.complaint.accept"
    COMPLAINT_DECIDE = "procurement.complaint.decide"
    COMPLAINT_DISMISS = "procurement.complaint.dismiss"
    COMPLAINT_FILE = "procurement.complaint.file"
    PURCHASE_SUSPEND = "procurement.purchase.suspend"
    QUESTION_ANSWER = "procurement.question.answer"
    QUESTION_FILE = "procurement.question.file"
