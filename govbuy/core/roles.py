"""The roles a membership holds, and the membership a request works in.

They live in core, the bottom layer, because every app decides by role (orgs and
core included) while the memberships themselves belong to `accounts`, which sits
above `orgs`. `govbuy.accounts.models` re-exports these names for the apps above
it; core and orgs import them from here.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    FINANCE = "finance", _("Finance bureau (财政部门)")
    PURCHASER = "purchaser", _("Purchaser (购买主体)")
    PROVIDER = "provider", _("Provider (承接主体)")
    EVALUATOR = "evaluator", _("Third-party evaluator (第三方评价)")
    AUDITOR = "auditor", _("Auditor (审计)")
    # 评审专家: a member of the finance bureau's expert pool (专家库), sits on
    # evaluation panels; sees only the rounds it is appointed to.
    EXPERT = "expert", _("Evaluation expert (评审专家)")
    PLATFORM_ADMIN = "platform_admin", _("Platform administrator (平台管理员)")


# Roles that must use a second factor in production (TOTP).
MFA_ROLES = {Role.FINANCE, Role.PURCHASER, Role.AUDITOR, Role.EXPERT, Role.PLATFORM_ADMIN}
# Roles that see every organization of their region's subtree.
SUPERVISING_ROLES = {Role.FINANCE, Role.AUDITOR}
# The organization flag each role requires.
ROLE_ORG_FLAG = {
    Role.FINANCE: "is_finance_bureau",
    Role.PURCHASER: "is_purchaser",
    Role.PROVIDER: "is_provider",
    Role.EVALUATOR: "is_evaluator",
    Role.AUDITOR: "is_audit_office",
    Role.EXPERT: "is_finance_bureau",
}
# Roles that do not act for their organization: an expert of a finance bureau's
# pool sees none of the bureau's own objects.
NON_ACTING_ROLES = {Role.EXPERT}


def active_membership(request):
    """The membership the user works in now (chosen in the header), or None for
    recipients. Reads only ``user.active_memberships`` and the session."""
    user = request.user
    if not user.is_authenticated or not user.active_memberships:
        return None
    wanted = request.session.get("membership_id")
    for m in user.active_memberships:
        if m.pk == wanted:
            return m
    return user.active_memberships[0]
