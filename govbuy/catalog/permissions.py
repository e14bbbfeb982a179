"""Who may do what with guidance catalogs, department catalogs, catalog
adjustments and negative lists.

- A guidance catalog is kept by the finance bureau that owns it (C5, C6); the
  national model catalog and negative list ship with the platform: nobody edits
  them here.
- A department catalog is compiled by the department's purchasers and approved
  by the finance bureau of the department's own region (同级财政部门, the one
  definition: `orgs.permissions.deciding_bureaus`).
- A region's negative list is kept by that region's own finance bureau (C7).
- The platform administrator keeps, approves and proposes nothing
  (core.permissions). Services call ``require_*``; pages ask ``can_*``.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from govbuy.core.errors import NotAllowed
from govbuy.core.permissions import acts_for, member_orgs, refuse_platform_admin, require_member
from govbuy.orgs.permissions import (
    can_decide_in,
    deciding_bureaus,
    require_decide_in,
    supervising_bureaus,
)

from .models import AdjustmentStatus, DepartmentCatalogStatus

FINANCE = "finance"
PURCHASER = "purchaser"
PROPOSER_ROLES = (PURCHASER, FINANCE)


# --- guidance catalogs (C5, C6) -----------------------------------------------------------


def is_keeper(user, catalog) -> bool:
    """The finance bureau that keeps the catalog. National catalogs (no owner) are
    the model catalog shipped with the platform: nobody edits them here. Basis:
    C5/C6 (102号令 第十一条, 第十二条; 鲁财采〔2022〕14号 三(一))."""
    if not getattr(user, "is_authenticated", False):
        return False
    if catalog.owner_id is None:
        return False
    return any(o.pk == catalog.owner_id for o in member_orgs(user, FINANCE))


def require_keeper(user, catalog) -> None:
    refuse_platform_admin(user, FINANCE)
    if not is_keeper(user, catalog):
        raise NotAllowed(_("Only the finance bureau that keeps this catalog may do this."))


# --- catalog adjustments (C6) -------------------------------------------------------------


def can_propose_adjustment(membership) -> bool:
    """A purchaser or a finance bureau proposes adjustments, for the organization of
    the membership it works in (C6: departments are consulted)."""
    return membership is not None and membership.role in PROPOSER_ROLES


def can_withdraw_adjustment(user, adjustment) -> bool:
    """The proposer withdraws its own proposal while it awaits a decision."""
    return adjustment.status == AdjustmentStatus.SUBMITTED and any(
        acts_for(user, adjustment.proposer, r) for r in PROPOSER_ROLES
    )


def can_decide_adjustment(user, adjustment) -> bool:
    """The keeper of the catalog decides on a submitted adjustment (C6)."""
    return adjustment.status == AdjustmentStatus.SUBMITTED and is_keeper(user, adjustment.catalog)


# --- department catalogs (C5) -------------------------------------------------------------


def approving_bureaus(user, department_catalog) -> list:
    """The user's finance bureaus of the department's own region (同级财政部门)."""
    return deciding_bureaus(user, department_catalog.organization.region_id)


def can_compile_department_catalog(user, organization) -> bool:
    """A purchaser of the department compiles its catalog, within its level's
    guidance catalog (C5: 102号令 第十二条; Q38)."""
    return acts_for(user, organization, PURCHASER)


def require_compile_department_catalog(user, organization) -> None:
    require_member(user, organization, roles=(PURCHASER,))


def can_edit_department_catalog(user, department_catalog) -> bool:
    """A purchaser of the department, while the catalog is a draft or returned (C5)."""
    return department_catalog.is_editable and can_compile_department_catalog(
        user, department_catalog.organization
    )


def can_decide_department_catalog(user, department_catalog) -> bool:
    """The same-level finance bureau approves or returns a submitted department
    catalog. Basis: C5 (102号令 第十二条; Q38; 鲁财采〔2022〕14号 三(一))."""
    return department_catalog.status == DepartmentCatalogStatus.SUBMITTED and bool(
        approving_bureaus(user, department_catalog)
    )


def require_decide_department_catalog(user, department_catalog) -> None:
    """Refuse (403) unless the user's finance bureau is of the department's region
    (the catalog's status is the service's to check)."""
    require_decide_in(
        user,
        department_catalog.organization.region_id,
        _("Only the finance bureau of %(region)s approves this department's catalog.")
        % {"region": department_catalog.organization.region.name},
    )


# --- consent to an out-of-catalog purchase (C4) -------------------------------------------


def consenting_bureaus(user, purchaser) -> list:
    """The finance bureaus of the purchaser's region or above (C4: 102号令 第十一条,
    第十四条; Q39)."""
    return supervising_bureaus(user, purchaser)


# --- negative lists (C7) ------------------------------------------------------------------


def can_keep_negative_list(user, region) -> bool:
    """The region's own finance bureau (同级). The national list ships with the
    platform (data/negative_list.json): nobody edits it here. Basis: C7 (成都; Q40)."""
    return region is not None and can_decide_in(user, region.pk)


def require_keep_negative_list(user, region) -> None:
    refuse_platform_admin(user, FINANCE)
    if not can_keep_negative_list(user, region):
        raise NotAllowed(_("Only the region's finance bureau keeps its negative list."))
