"""The audit actions of accounts (see govbuy.core.audit_actions)."""

from govbuy.core.audit_actions import AuditAction


class AccountsAction(AuditAction):
    API_TOKEN_CREATE = "accounts.api_token.create"
    API_TOKEN_REVOKE = "accounts.api_token.revoke"
    LOGIN = "accounts.login"
    LOGIN_UNLOCK = "accounts.login.unlock"
    MEMBERSHIP_CREATE = "accounts.membership.create"
    MEMBERSHIP_REACTIVATE = "accounts.membership.reactivate"
    MEMBERSHIP_REMOVE = "accounts.membership.remove"
    MFA_ENROL = "accounts.mfa.enrol"
    USER_CREATE = "accounts.user.create"
    USER_DEACTIVATE = "accounts.user.deactivate"
    USER_PASSWORD_LINK = "accounts.user.password_link"
    USER_REACTIVATE = "accounts.user.reactivate"
    USER_RESET_MFA = "accounts.user.reset_mfa"
