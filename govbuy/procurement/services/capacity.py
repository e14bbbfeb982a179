"""C8 (Q25): a purchase of a service that a 公益一类 unit is funded to provide
starts only once the same-level finance bureau and the unit's competent
department (主管部门) have each confirmed, with a note, that the unit cannot
meet the demand (同级财政和主管部门严格审核把关) — never while its capacity idles.

The units are found by the catalog item (``catalog.selectors.public_unit_services``);
a confirmation row is asked for whenever the project is written, and each side
signs it once (``sign_capacity``). Until both have confirmed, the requirements
are not approved and no notice goes out (``require_capacity``).
"""

from __future__ import annotations

import functools

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from govbuy.catalog import rules as catalog_rules
from govbuy.catalog.selectors import public_unit_services
from govbuy.core import audit
from govbuy.core.errors import ApplicationError, InvalidState, NotAllowed
from govbuy.core.rules import RuleViolation, Violation
from govbuy.procurement.audit_actions import ProcurementAction
from govbuy.procurement.models import (
    CapacityConfirmation,
    CapacityDecision,
    ProjectStatus,
    PurchaseProject,
)
from govbuy.procurement.permissions import approving_bureaus, can_sign_capacity

SIDES = ("finance", "department")
# Before the purchase starts: the sign-offs are given (or asked for) only then.
OPEN_STATUSES = (ProjectStatus.DRAFT, ProjectStatus.REVIEW, ProjectStatus.APPROVED)


def units_for(project: PurchaseProject):
    """The services of 公益一类 units the purchase's catalog item falls under, one per unit."""
    seen, out = set(), []
    for s in public_unit_services(project.catalog_code, project.region):
        if s.organization_id not in seen:
            seen.add(s.organization_id)
            out.append(s)
    return out


def sync_capacity(project: PurchaseProject) -> list[CapacityConfirmation]:
    """Ask for a confirmation for each unit the purchase overlaps (idempotent)."""
    if project.status not in OPEN_STATUSES:
        return []
    rows = []
    for s in units_for(project):
        row, _created = CapacityConfirmation.objects.get_or_create(
            project=project,
            unit=s.organization,
            defaults={"service": s.name[:200], "capacity_note": s.capacity_note[:300]},
        )
        rows.append(row)
    return rows


def asks_for_capacity(write):
    """For a write that starts the purchase (keyword ``project``): first ask, in a
    transaction of its own, for the confirmations the purchase needs now — a unit
    registered since the last write gets its row even when ``write`` is refused
    for want of it."""

    @functools.wraps(write)
    def wrapper(*args, project, **kwargs):
        with transaction.atomic():
            sync_capacity(PurchaseProject.objects.select_for_update().get(pk=project.pk))
        return write(*args, project=project, **kwargs)

    return wrapper


def capacity_problems(project: PurchaseProject) -> list[Violation]:
    """C8 (hard) for every overlapping unit whose two confirmations are not both given."""
    rows = {r.unit_id: r for r in project.capacity_confirmations.all()}
    facts = []
    for s in units_for(project):
        row = rows.get(s.organization_id)
        competent = s.organization.competent_department
        finance = row.finance if row else CapacityDecision.PENDING
        department = row.department if row else CapacityDecision.PENDING
        if finance == department == CapacityDecision.CONFIRMED:
            continue
        facts.append(
            (s.organization.name, s.name, finance, department, competent.name if competent else "")
        )
    return catalog_rules.capacity_violations(facts)


def require_capacity(project: PurchaseProject) -> None:
    problems = capacity_problems(project)
    if problems:
        raise RuleViolation(problems)


@transaction.atomic
def sign_capacity(
    *, actor, confirmation: CapacityConfirmation, side: str, confirm: bool, note: str
) -> CapacityConfirmation:
    """One side's sign-off: ``confirm`` that the unit cannot meet the demand, or
    refuse (it can: the purchase does not start). A note says what was checked."""
    if side not in SIDES:
        raise ApplicationError(
            "invalid", _("Sign as the finance bureau or as the competent department."), field="side"
        )
    row = (
        CapacityConfirmation.objects.select_for_update(of=("self",))
        .select_related("project__department__region", "unit__competent_department")
        .get(pk=confirmation.pk)
    )
    if not can_sign_capacity(actor, row, side):
        if side == "finance":
            raise NotAllowed(
                _("Only the finance bureau of %(region)s signs for the finance bureau.")
                % {"region": row.project.department.region.name}
            )
        if row.unit.competent_department is None:
            raise NotAllowed(
                _(
                    "%(unit)s has no competent department on record: the platform administrator "
                    "records it first."
                )
                % {"unit": row.unit.name}
            )
        raise NotAllowed(
            _("Only a manager (负责人) of %(department)s signs for the competent department.")
            % {"department": row.unit.competent_department.name}
        )
    if row.project.status not in OPEN_STATUSES:
        raise InvalidState(_("The purchase has started or ended: nothing is signed any more."))
    if getattr(row, side) != CapacityDecision.PENDING:
        raise InvalidState(_("This side has already signed."))
    note = (note or "").strip()
    if not note:
        raise ApplicationError(
            "required", _("Say what was checked: the unit's capacity and the demand."), field="note"
        )
    if len(note) > 5000:
        raise ApplicationError("too_long", _("At most 5,000 characters."), field="note")
    decision = CapacityDecision.CONFIRMED if confirm else CapacityDecision.REFUSED
    org = (
        approving_bureaus(actor, row.project.department)[0]
        if side == "finance"
        else row.unit.competent_department
    )
    setattr(row, side, decision)
    setattr(row, f"{side}_org", org)
    setattr(row, f"{side}_by", actor)
    setattr(row, f"{side}_at", timezone.now())
    setattr(row, f"{side}_note", note)
    row.save()
    audit.record(
        actor=actor,
        action=ProcurementAction.CAPACITY_CONFIRM if confirm else ProcurementAction.CAPACITY_REFUSE,
        obj=row,
        data={
            "project": row.project.code,
            "unit": row.unit.name,
            "side": side,
            "by": org.name,
            "note": note,
            "status": row.status,
        },
    )
    return row
