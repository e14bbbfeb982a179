"""Who may do what with organizations, provider profiles and credit records —
and the finance bureaus' two reaches, which the catalog and budget apps build on:

- the **same-level** bureau decides (同级财政部门): a department's catalog, its
  budget lines and adjustments, what a region keeps (negative list) are decided
  by the finance bureau of that region itself — a bureau above oversees them,
  read-only (`deciding_bureaus`, `overseen_below_q` in selectors);
- a bureau **of the region or above** supervises: it verifies a provider's
  declaration, revokes a credit record, consents to an out-of-catalog purchase
  (`supervising_bureaus`).

The platform administrator acts for no finance bureau (core.permissions).
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from govbuy.core.errors import NotAllowed
from govbuy.core.permissions import acts_for, member_orgs, refuse_platform_admin

FINANCE = "finance"
PROVIDER = "provider"


# --- the finance bureaus' reach ----------------------------------------------------------


def finance_bureaus(user) -> list:
    """The finance bureaus the user acts for (never the platform administrator)."""
    return [o for o in member_orgs(user, FINANCE) if o.is_finance_bureau]


def deciding_bureaus(user, region_id: int) -> list:
    """The user's finance bureaus of the region `region_id` itself (同级财政部门):
    the one definition of "the same-level finance bureau decides". Basis: C5 (the
    finance department approves a department's catalog; 102号令 第十二条; Q38) and
    B1/B6 (budgets and their adjustments are the same-level bureau's; 102号令
    第十六条; Q55)."""
    return [o for o in finance_bureaus(user) if o.region_id == region_id]


def deciding_region_ids(user) -> list[int]:
    """The regions where the user's finance bureaus decide (`deciding_bureaus`)."""
    return [o.region_id for o in finance_bureaus(user)]


def can_decide_in(user, region_id: int) -> bool:
    """Does the user decide, as the same-level finance bureau, in `region_id`?"""
    return bool(deciding_bureaus(user, region_id))


def require_decide_in(user, region_id: int, refused) -> None:
    """Refuse (403) unless the user decides in `region_id` (`can_decide_in`); the
    platform administrator with the reason, anyone else with `refused`."""
    refuse_platform_admin(user, FINANCE)
    if not can_decide_in(user, region_id):
        raise NotAllowed(refused)


def supervising_bureaus(user, organization) -> list:
    """The user's finance bureaus whose region contains the organization's region
    (the region's own bureau or one above it)."""
    return [o for o in finance_bureaus(user) if organization.region.is_within(o.region)]


# --- provider profiles (S6, S7) ------------------------------------------------------------


def can_declare_compliance(user, organization) -> bool:
    """A provider member of the organization keeps its compliance profile (never
    the platform administrator). Basis: S6/S7 (102号令 第七条; Q95; Q96)."""
    return organization.is_provider and acts_for(user, organization, PROVIDER)


def can_verify_compliance(user, organization) -> bool:
    """A finance bureau of the provider's region or above confirms the declaration
    (S6/S7: 102号令 第七条; Q96)."""
    return bool(supervising_bureaus(user, organization))


def require_verify_compliance(user, organization) -> None:
    refuse_platform_admin(user, FINANCE)
    if not can_verify_compliance(user, organization):
        raise NotAllowed(
            _("Only a finance bureau of %(region)s or above verifies this declaration.")
            % {"region": organization.region.name}
        )


# --- credit records (S9) -------------------------------------------------------------------


def recording_organization_of(membership):
    """The purchasing department or finance bureau a membership records credit for
    (S9: the purchaser records breaches, 102号令 第十七条; Q67), or None."""
    if membership is None:
        return None
    org = membership.organization
    if (membership.role == "purchaser" and org.is_purchaser) or (
        membership.role == FINANCE and org.is_finance_bureau
    ):
        return org
    return None


def can_revoke_credit(user, record) -> bool:
    """Finance bureaus of the provider's or the recorder's region (or above) revoke
    a credit record and answer objections to it (S9: 102号令 第十七条; Q100)."""
    return bool(
        supervising_bureaus(user, record.organization)
        or supervising_bureaus(user, record.recording_organization)
    )


def require_revoke_credit(user, record) -> None:
    refuse_platform_admin(user, FINANCE)
    if not can_revoke_credit(user, record):
        raise NotAllowed(
            _(
                "Only a finance bureau of the provider's or the recorder's region revokes a credit record."
            )
        )


def can_object_to_credit(user, record) -> bool:
    """The provider a record is about objects to it (异议; S9)."""
    return acts_for(user, record.organization, PROVIDER)


def require_object_to_credit(user, record) -> None:
    refuse_platform_admin(user, PROVIDER)
    if not can_object_to_credit(user, record):
        raise NotAllowed(_("Only the provider the record is about objects to it."))
