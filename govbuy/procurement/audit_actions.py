"""The audit actions of procurement (see govbuy.core.audit_actions)."""

from govbuy.core.audit_actions import AuditAction


class ProcurementAction(AuditAction):
    CAPACITY_CONFIRM = "procurement.capacity.confirm"
    CAPACITY_REFUSE = "procurement.capacity.refuse"
    METHOD_APPROVE = "procurement.method.approve"
    METHOD_CHOOSE = "procurement.method.choose"
    METHOD_REFUSE = "procurement.method.refuse"
    PROJECT_CANCEL = "procurement.project.cancel"
    PROJECT_CREATE = "procurement.project.create"
    PROJECT_SUBMIT = "procurement.project.submit"
    PROJECT_UPDATE = "procurement.project.update"
    REQUIREMENTS_APPROVE = "procurement.requirements.approve"
    REQUIREMENTS_RETURN = "procurement.requirements.return"
    SPLIT_FLAG_CLEAR = "procurement.split_flag.clear"
