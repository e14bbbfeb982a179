"""An audit action enum for the chain's own tests (no app emits these)."""

from govbuy.core.audit_actions import AuditAction


class SampleAction(AuditAction):
    TEST = "core.test"
    X = "x"
