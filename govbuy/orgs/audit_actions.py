"""The audit actions of orgs (see govbuy.core.audit_actions)."""

from govbuy.core.audit_actions import AuditAction


class OrgsAction(AuditAction):
    COMPLIANCE_DECLARE = "orgs.compliance.declare"
    COMPLIANCE_VERIFY = "orgs.compliance.verify"
    CREDIT_KEEP = "orgs.credit.keep"
    CREDIT_OBJECT = "orgs.credit.object"
    CREDIT_RECORD = "orgs.credit.record"
    CREDIT_REVOKE = "orgs.credit.revoke"
    ORGANIZATION_CREATE = "orgs.organization.create"
    ORGANIZATION_DEACTIVATE = "orgs.organization.deactivate"
    ORGANIZATION_REACTIVATE = "orgs.organization.reactivate"
    ORGANIZATION_SET_ROLES = "orgs.organization.set_roles"
