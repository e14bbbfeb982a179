"""The audit actions of budgets (see govbuy.core.audit_actions)."""

from govbuy.core.audit_actions import AuditAction


class BudgetsAction(AuditAction):
    ADJUSTMENT_APPROVE = "budgets.adjustment.approve"
    ADJUSTMENT_PROPOSE = "budgets.adjustment.propose"
    ADJUSTMENT_RETURN = "budgets.adjustment.return"
    ADJUSTMENT_WITHDRAW = "budgets.adjustment.withdraw"
    LINE_APPROVE = "budgets.line.approve"
    LINE_CREATE = "budgets.line.create"
    LINE_DELETE = "budgets.line.delete"
    LINE_RETURN = "budgets.line.return"
    LINE_SUBMIT = "budgets.line.submit"
    LINE_UPDATE = "budgets.line.update"
    TABLE_IMPORT = "budgets.table.import"
