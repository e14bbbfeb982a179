"""Writes of the procurement app, up to the start of the purchase: projects and
their commitments, requirements and their review, the method and its approval,
cancellation, and splitting flags.

Every function is keyword-only, runs in one transaction, checks its rules and
writes an audit event.
"""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal

from django.db import transaction
from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from govbuy.accounts.models import Role
from govbuy.budgets import rules as budget_rules
from govbuy.budgets import services as budgets
from govbuy.budgets.models import BudgetLine, BudgetLineStatus
from govbuy.catalog import rules as catalog_rules
from govbuy.catalog.screening_service import screen_purchase
from govbuy.core import audit, dates, params
from govbuy.core.errors import ApplicationError, InvalidInput, InvalidState
from govbuy.core.permissions import refuse_platform_admin, require_member
from govbuy.core.rules import RuleViolation, Violation, enforce
from govbuy.orgs.models import Organization
from govbuy.procurement import methods, permissions, rules
from govbuy.procurement.audit_actions import ProcurementAction
from govbuy.procurement.models import (
    RUNNING_STATUSES,
    MethodApproval,
    ProjectStatus,
    PurchaseProject,
    Requirement,
    RequirementReview,
    ReviewDecision,
    SplitFlag,
    SplitFlagStatus,
)
from govbuy.procurement.services import capacity

REQUIREMENT_TEXT_FIELDS = (
    "content",
    "standards",
    "quantity",
    "recipients",
    "place",
    "technical_guarantees",
    "goals",
    "indicators",
)
REQUIREMENT_LIMITS = {"quantity": 500, "recipients": 500, "place": 300}
SPLIT_THRESHOLDS = ("procurement.decentralized_threshold", "procurement.open_tender_threshold")


# --- who may act ---------------------------------------------------------------------------


# Stages a running purchase moves a project to (the tendering app, through
# `move_stage`): the notice starts bidding, the opening, the evaluation, the
# result; a failed or terminated round sends it back to approved.
RUNNING_STAGES = (
    ProjectStatus.APPROVED,
    ProjectStatus.BIDDING,
    ProjectStatus.OPENED,
    ProjectStatus.EVALUATED,
    ProjectStatus.AWARDED,
)


def move_stage(
    project: PurchaseProject,
    status: str,
    *,
    warnings: list[dict] | None = None,
    failed_round: bool = False,
) -> PurchaseProject:
    """The one way the apps above procurement change a project's stage: set
    `status` (one of RUNNING_STAGES), append the `warnings` records to the
    project's, and count a failed round (流标). Call inside the caller's
    transaction with the project locked (`select_for_update`); the caller's step
    records its own audit event."""
    if status not in RUNNING_STAGES:
        raise ValueError(f"a running purchase does not move a project to {status!r}")
    fields = ["status", "updated_at"]
    project.status = status
    if warnings is not None:
        project.warnings = project.warnings + list(warnings)
        fields.insert(1, "warnings")
    if failed_round:
        project.failed_rounds += 1
        fields.insert(1, "failed_rounds")
    project.save(update_fields=fields)
    return project


def _locked(project: PurchaseProject) -> PurchaseProject:
    return (
        PurchaseProject.objects.select_for_update(of=("self",))
        .select_related("department__region", "region", "budget_line", "intended_provider")
        .get(pk=project.pk)
    )


# --- input ---------------------------------------------------------------------------------


def _clean_requirement(data: dict, errors: list, *, earliest: int, plan: tuple[int, int]) -> dict:
    clean = {}
    for name in REQUIREMENT_TEXT_FIELDS:
        if name not in data:
            continue
        value = data[name]
        value = "" if value is None else str(value).strip()
        limit = REQUIREMENT_LIMITS.get(name, 20000)
        if len(value) > limit:
            errors.append(
                {
                    "field": name,
                    "message": _("At most %(limit)s characters.") % {"limit": f"{limit:,}"},
                }
            )
        clean[name] = value
    for name in ("term_start", "term_end"):
        if name not in data:
            continue
        value = data[name]
        if value is None or (isinstance(value, str) and not value.strip()):
            clean[name] = None
            continue
        try:
            day = dates.parse_date(value)
        except (TypeError, ValueError):
            errors.append(
                {"field": name, "message": _("Give a date as YYYY-MM-DD, e.g. 2027-01-01.")}
            )
            continue
        implausible = dates.implausible_message(day, earliest, plan=plan)
        if implausible:
            errors.append({"field": name, "message": implausible})
            continue
        clean[name] = day
    start, end = clean.get("term_start"), clean.get("term_end")
    if start and end and end < start:
        errors.append({"field": "term_end", "message": _("The term ends before it starts.")})
    return clean


def _plausible(line: BudgetLine, today) -> dict:
    """The bounds of a plausible date for a purchase on `line`: from the earliest
    plausible year to the end of the medium-term plan that starts with its fiscal year."""
    at = budgets.judged_on(line.fiscal_year)
    years = params.get("budget.medium_term_years", line.region, at)
    return {
        "earliest": dates.earliest_year(line.region, today),
        "plan": (line.fiscal_year, line.fiscal_year + years - 1),
    }


def _funded(line: BudgetLine) -> list[int]:
    return budget_rules.funded_years(
        fiscal_year=line.fiscal_year, out_years=line.out_years.values_list("year", flat=True)
    )


def _term_problems(line: BudgetLine, term_start, term_end) -> list[Violation]:
    """B5: the service term within the years the line funds (its fiscal year and
    out-years, never past the medium-term plan)."""
    return budget_rules.term_violations(
        term_start=term_start, term_end=term_end, funded=_funded(line)
    )


def _requirement_text(values: dict) -> str:
    return "\n".join(
        str(values.get(f) or "")
        for f in ("content", "standards", "quantity", "recipients", "technical_guarantees")
    )


def _screen(project_name: str, values: dict, *, catalog_code: str, region, at) -> list[Violation]:
    """C2, C3, C4, C7, C8, C9 on the purchase's text and its catalog item; hits in
    the requirement text point at its first part (content), hits in the title at
    the name."""
    found = screen_purchase(
        title=project_name[:200],
        description=_requirement_text(values)[:50000],
        catalog_item=catalog_code,
        region=region.code,
        at=at,
    )
    fields = {"title": "name", "description": "content"}
    return [replace(v, field=fields.get(v.field, v.field)) for v in found]


def _buyer_problems(department, item, name: str, values: dict) -> list[Violation]:
    """S3 and S11 for a 公益一类 unit buying auxiliary services for its own work:
    no public service; a warning when the purchase reads as its main function."""
    return budgets.buyer_violations(department, item, name=name, text=_requirement_text(values))


def _own_unit(raw, department, errors) -> Organization | None:
    if raw in (None, ""):
        return None
    if isinstance(raw, Organization):
        unit = raw
    else:
        # Among the department's own units only: an id of no organization and one
        # of another's answer alike (which organizations exist is not said here).
        units = Organization.objects.filter(competent_department=department)
        try:
            unit = units.filter(pk=int(raw)).first() if 0 < int(raw) < 2**63 else None
        except (TypeError, ValueError):
            unit = None
    if unit is None:
        enforce(
            [
                rules.P6.violation(
                    _("Name one of your department's own 公益二类 units."),
                    field="intended_provider",
                )
            ]
        )
    enforce(
        rules.own_unit_violations(
            org_type=unit.org_type,
            institution_class=unit.institution_class,
            competent_department_id=unit.competent_department_id,
            department_id=department.pk,
        )
    )
    return unit


def _splitting(project: PurchaseProject) -> list[Violation]:
    """B4 against the department's other live purchases of the item this year."""
    earlier = (
        PurchaseProject.objects.live()
        .filter(
            department_id=project.department_id,
            fiscal_year=project.fiscal_year,
            catalog_code=project.catalog_code,
        )
        .exclude(pk=project.pk)
    )
    agg = earlier.aggregate(total=Sum("amount"), biggest=Max("amount"))
    if not agg["total"]:
        return []
    problems: list[Violation] = []
    crossed = None
    for key in SPLIT_THRESHOLDS:
        cited = params.cite(key, project.region, project.started_on)
        found = budget_rules.splitting_violations(
            amount=project.amount,
            earlier_total=agg["total"],
            earlier_max=agg["biggest"],
            thresholds=[(cited.value, cited.msg)],
            earlier_count=earlier.count(),
            item_name=project.catalog_name,
            year=project.fiscal_year,
        )
        if found:
            problems += found
            crossed = (cited, found[0])
    if crossed is not None:
        # One open flag per department, item, year and threshold: later pieces join it.
        cited, violation = crossed
        flag = (
            SplitFlag.objects.select_for_update(of=("self",))
            .filter(
                department_id=project.department_id,
                fiscal_year=project.fiscal_year,
                catalog_code=project.catalog_code,
                threshold_key=cited.key,
                status=SplitFlagStatus.OPEN,
            )
            .first()
        )
        if flag is None:
            flag = SplitFlag.objects.create(
                department_id=project.department_id,
                region_id=project.region_id,
                fiscal_year=project.fiscal_year,
                catalog_code=project.catalog_code,
                catalog_name=project.catalog_name,
                threshold_key=cited.key,
                threshold=cited.value,
                total=agg["total"] + project.amount,
                message=violation.message,
                message_text=violation.text.as_json() if violation.text else {},
            )
            flag.projects.set([*earlier.values_list("pk", flat=True), project.pk])
        else:
            flag.total = agg["total"] + project.amount
            flag.message = violation.message
            flag.message_text = violation.text.as_json() if violation.text else {}
            flag.save(update_fields=["total", "message", "message_text"])
            flag.projects.add(project)
    return problems


# --- projects ------------------------------------------------------------------------------


def line_problems(line: BudgetLine | None) -> list[Violation]:
    """What B1 says of starting a purchase from `line` before any amount is given
    (none chosen, or not approved): the pages show it beside the line."""
    return budget_rules.commitment_violations(
        line_status=None if line is None else line.status,
        available=None,
        amount=0 if line is None else line.amount,
    )


@transaction.atomic
def create_project(
    *,
    actor,
    budget_line: BudgetLine,
    name: str,
    amount,
    intended_provider=None,
    voucher: bool = False,
    emergency: bool = False,
    emergency_reason: str = "",
    **requirement,
) -> PurchaseProject:
    """Start a purchase from an approved budget line: screen it, commit its money
    (B1), warn about splitting (B4). No line (`budget_line=None`) is refused (B1)."""
    if budget_line is None:
        raise RuleViolation(line_problems(None))
    line = BudgetLine.objects.select_related(
        "department__region", "catalog_item__guidance_item"
    ).get(pk=budget_line.pk)
    require_member(actor, line.department, roles=(Role.PURCHASER,))
    errors: list[dict] = []
    name = (name or "").strip()
    if not name:
        errors.append({"field": "name", "message": _("Give the project's name.")})
    elif len(name) > 200:
        errors.append({"field": "name", "message": _("At most 200 characters.")})
    value = budgets.parse_amount(amount, "amount", errors)
    today = timezone.localdate()
    values = _clean_requirement(requirement, errors, **_plausible(line, today))
    unknown = set(requirement) - set(REQUIREMENT_TEXT_FIELDS) - {"term_start", "term_end"}
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    unit = _own_unit(intended_provider, line.department, errors)
    if errors:
        raise InvalidInput(errors)
    if line.status != BudgetLineStatus.APPROVED:
        enforce(
            budget_rules.commitment_violations(
                line_status=line.status, available=None, amount=value
            )
        )
    enforce(_item_violations(line))
    enforce(rules.emergency_violations(emergency=emergency, reason=emergency_reason))
    enforce(_term_problems(line, values.get("term_start"), values.get("term_end")))
    guidance = line.catalog_item.guidance_item
    problems = _screen(name, values, catalog_code=guidance.code, region=line.region, at=today)
    problems += _buyer_problems(line.department, line.catalog_item, name, values)
    problems = list(enforce(problems))
    # The money: one conditional update, refused cleanly under B1 when short.
    budgets.commit(line=line, amount=value)
    project = PurchaseProject(
        budget_line=line,
        department_id=line.department_id,
        region_id=line.region_id,
        fiscal_year=line.fiscal_year,
        code=_next_code(line),
        name=name,
        catalog_code=guidance.code,
        catalog_name=line.catalog_item.name,
        amount=value,
        started_on=today,
        intended_provider=unit,
        voucher=bool(voucher),
        emergency=bool(emergency),
        emergency_reason=(emergency_reason or "").strip() if emergency else "",
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    project.save()
    Requirement.objects.create(project=project, **values)
    capacity.sync_capacity(project)  # C8: the two confirmations are asked for
    problems += _splitting(project)
    if problems:
        project.warnings = [v.as_record() for v in problems]
        project.save(update_fields=["warnings"])
    audit.record(
        actor=actor,
        action=ProcurementAction.PROJECT_CREATE,
        obj=project,
        data={
            "code": project.code,
            "line": line.code,
            "amount": str(value),
            "emergency": project.emergency,
            "warnings": [v.rule for v in problems],
        },
    )
    return project


def _item_violations(line: BudgetLine) -> list[Violation]:
    """C5: what is bought is an item of the catalog, never a level-1 or level-2
    category (a line filed before the rule was enforced may still name one)."""
    item = line.catalog_item
    return catalog_rules.purchasable_item_violations(
        depth=item.depth, code=item.code, name=item.name
    )


def _next_code(line: BudgetLine) -> str:
    # The line's row is locked by commit() in this transaction: numbering per line is serial.
    n = PurchaseProject.objects.filter(budget_line=line).count() + 1
    while True:
        code = f"CG{line.code[2:]}-{n:02d}"
        if not PurchaseProject.objects.filter(code=code).exists():
            return code
        n += 1


@transaction.atomic
def update_project(*, actor, project: PurchaseProject, **data) -> PurchaseProject:
    """Edit a draft: its name, amount (the commitment follows), method facts and
    requirements."""
    project = _locked(project)
    require_member(actor, project.department, roles=(Role.PURCHASER,))
    if not project.is_editable:
        raise InvalidState(
            _("The project is %(status)s; only a draft is edited.")
            % {"status": project.get_status_display()}
        )
    errors: list[dict] = []
    fields = {}
    if "name" in data:
        name = (data["name"] or "").strip()
        if not name:
            errors.append({"field": "name", "message": _("Give the project's name.")})
        fields["name"] = name[:200]
    new_amount = None
    if "amount" in data:
        new_amount = budgets.parse_amount(data["amount"], "amount", errors)
    if "intended_provider" in data:
        fields["intended_provider"] = _own_unit(
            data["intended_provider"], project.department, errors
        )
    for flag in ("voucher", "emergency"):
        if flag in data:
            fields[flag] = bool(data[flag])
    if "emergency_reason" in data:
        fields["emergency_reason"] = (data["emergency_reason"] or "").strip()
    values = _clean_requirement(
        data, errors, **_plausible(project.budget_line, timezone.localdate())
    )
    unknown = (
        set(data)
        - set(REQUIREMENT_TEXT_FIELDS)
        - {"term_start", "term_end", "name", "amount", "intended_provider"}
        - {"voucher", "emergency", "emergency_reason"}
    )
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    if errors:
        raise InvalidInput(errors)
    emergency = fields.get("emergency", project.emergency)
    reason = fields.get("emergency_reason", project.emergency_reason)
    enforce(rules.emergency_violations(emergency=emergency, reason=reason))
    if not emergency:
        fields["emergency_reason"] = ""
    req = project.requirement
    term = {k: values.get(k, getattr(req, k)) for k in ("term_start", "term_end")}
    if term["term_start"] and term["term_end"] and term["term_end"] < term["term_start"]:
        raise InvalidInput([{"field": "term_end", "message": _("The term ends before it starts.")}])
    enforce(_term_problems(project.budget_line, term["term_start"], term["term_end"]))
    if new_amount is not None and new_amount != project.amount:
        delta = new_amount - project.amount
        if delta > 0:
            budgets.commit(line=project.budget_line, amount=delta)
        else:
            budgets.release(line=project.budget_line, amount=-delta)
        fields["amount"] = new_amount
    for key, value in fields.items():
        setattr(project, key, value)
    for key, value in values.items():
        setattr(req, key, value)
    merged = _requirement_values(req)
    problems = enforce(
        _screen(
            project.name,
            merged,
            catalog_code=project.catalog_code,
            region=project.region,
            at=project.started_on,
        )
        + _buyer_problems(
            project.department, project.budget_line.catalog_item, project.name, merged
        )
    )
    if "amount" in fields:
        problems += _splitting(project)
        kept = []
    else:  # the splitting warning stands until the amount changes
        kept = [w for w in project.warnings if w["rule"] == "B4"]
    project.warnings = kept + [v.as_record() for v in problems]
    project.save()
    req.save()
    capacity.sync_capacity(project)
    audit.record(
        actor=actor,
        action=ProcurementAction.PROJECT_UPDATE,
        obj=project,
        data={"fields": sorted(data), "amount": str(project.amount)},
    )
    return project


def _requirement_values(req: Requirement) -> dict:
    return {f: getattr(req, f) for f in (*REQUIREMENT_TEXT_FIELDS, "term_start", "term_end")}


def requirement_problems(project: PurchaseProject) -> list[Violation]:
    """What stands between the requirements and their review (P7, B5, C5)."""
    req = project.requirement
    values = _requirement_values(req)
    problems = rules.requirement_violations(
        values, indicators=req.indicator_list(), started_on=project.started_on
    )
    problems += _item_violations(project.budget_line)
    problems += _term_problems(project.budget_line, req.term_start, req.term_end)
    return problems


def _recheck(project: PurchaseProject) -> list[Violation]:
    """P7 completeness, B5, screening and S3/S11, each time the project moves forward."""
    problems = requirement_problems(project)
    values = _requirement_values(project.requirement)
    problems += _screen(
        project.name,
        values,
        catalog_code=project.catalog_code,
        region=project.region,
        at=project.started_on,
    )
    problems += _buyer_problems(
        project.department, project.budget_line.catalog_item, project.name, values
    )
    return enforce(problems)


@transaction.atomic
def submit_for_review(*, actor, project: PurchaseProject) -> PurchaseProject:
    project = _locked(project)
    require_member(actor, project.department, roles=(Role.PURCHASER,))
    if project.status != ProjectStatus.DRAFT:
        raise InvalidState(
            _("The project is %(status)s; only a draft is submitted for review.")
            % {"status": project.get_status_display()}
        )
    warnings = _recheck(project)
    project.warnings = _merge_warnings(project.warnings, warnings)
    project.status = ProjectStatus.REVIEW
    project.submitted_by = actor
    project.submitted_at = timezone.now()
    project.save()
    capacity.sync_capacity(project)
    audit.record(actor=actor, action=ProcurementAction.PROJECT_SUBMIT, obj=project)
    return project


def _warning_key(w: dict) -> tuple:
    # The same warning made in another language is still the same warning.
    text = w.get("text")
    return (w["rule"], json.dumps(text, sort_keys=True) if text else w["message"])


def _merge_warnings(stored: list, fresh: list[Violation]) -> list:
    seen = {_warning_key(w) for w in stored}
    return stored + [r for r in (v.as_record() for v in fresh) if _warning_key(r) not in seen]


@capacity.asks_for_capacity
@transaction.atomic
def review_requirements(
    *,
    actor,
    project: PurchaseProject,
    approve: bool,
    complete: bool = False,
    compliant: bool = False,
    reasonable: bool = False,
    note: str = "",
) -> RequirementReview:
    """A manager (负责人) of the department, other than the submitter, judges the
    requirements complete, compliant and reasonable (P7) — or returns them. An
    approval waits for the C8 confirmations."""
    refuse_platform_admin(actor, Role.PURCHASER)
    project = _locked(project)
    permissions.require_review(actor, project)
    if project.status != ProjectStatus.REVIEW:
        raise InvalidState(
            _("The project is %(status)s, not under review.")
            % {"status": project.get_status_display()}
        )
    enforce(
        rules.review_violations(
            complete=complete,
            compliant=compliant,
            reasonable=reasonable,
            approving=approve,
            note=note,
        )
    )
    if approve:
        # Screening runs again at approval: the negative list may have grown meanwhile.
        project.warnings = _merge_warnings(project.warnings, _recheck(project))
        capacity.require_capacity(project)  # C8: both confirmations given
        project.status = ProjectStatus.APPROVED
    else:
        project.status = ProjectStatus.DRAFT
    project.save()
    review = RequirementReview.objects.create(
        project=project,
        reviewer=actor,
        decision=ReviewDecision.APPROVED if approve else ReviewDecision.RETURNED,
        complete=complete,
        compliant=compliant,
        reasonable=reasonable,
        note=(note or "").strip(),
    )
    audit.record(
        actor=actor,
        action=ProcurementAction.REQUIREMENTS_APPROVE
        if approve
        else ProcurementAction.REQUIREMENTS_RETURN,
        obj=project,
        data={"note": review.note},
    )
    return review


# --- method --------------------------------------------------------------------------------


@transaction.atomic
def choose_method(
    *, actor, project: PurchaseProject, method: str, reason: str = ""
) -> PurchaseProject:
    """Settle the method among those the oracle allows; a method that needs the
    finance bureau's approval waits for it (变更采购方式)."""
    project = _locked(project)
    require_member(actor, project.department, roles=(Role.PURCHASER,))
    if project.status != ProjectStatus.APPROVED:
        raise InvalidState(_("Choose the method once the requirements are approved."))
    # After a failed round (流标) the next step may be a change of method, which the
    # finance bureau approves whatever the amount (财政部令第87号 第四十三条).
    after_failure = project.failed_rounds > 0 and bool(project.method) and method != project.method
    if (
        not after_failure
        and project.method_approval in (MethodApproval.PENDING, MethodApproval.APPROVED)
        and (project.method_approval == MethodApproval.APPROVED or method == project.method)
    ):
        raise InvalidState(
            _("The method is %(state)s.") % {"state": project.get_method_approval_display()}
        )
    decision = methods.decide_for_project(project)
    enforce(rules.method_violations(method, decision))
    needs_approval = method in decision.requires_approval or after_failure
    if needs_approval and not (reason or "").strip():
        raise ApplicationError(
            "required",
            _("Say why this method instead of open tender: the finance bureau decides on it.")
            if not after_failure
            else _(
                "Say why the method changes after the failed round: the finance bureau decides."
            ),
            field="method_reason",
        )
    hints = rules.framework_hint_violations(
        method=method, catalog_name=project.catalog_name, voucher=project.voucher
    )
    project.warnings = [w for w in project.warnings if w["rule"] != "P4"] + [
        v.as_record() for v in hints
    ]
    project.method = method
    project.method_reason = (reason or "").strip()
    project.method_decision = decision.as_dict()
    project.method_approval = (
        MethodApproval.PENDING if needs_approval else MethodApproval.NOT_NEEDED
    )
    project.method_decided_by = None
    project.method_decided_at = None
    project.method_decision_note = ""
    project.save()
    audit.record(
        actor=actor,
        action=ProcurementAction.METHOD_CHOOSE,
        obj=project,
        data={
            "method": method,
            "approval": project.method_approval,
            "emergency": project.emergency,
        },
    )
    return project


@transaction.atomic
def decide_method(
    *, actor, project: PurchaseProject, approve: bool, note: str = ""
) -> PurchaseProject:
    """The same-level finance bureau approves or refuses a change of method."""
    refuse_platform_admin(actor, Role.FINANCE)
    project = _locked(project)
    permissions.require_decide_method(actor, project)
    if (
        project.status != ProjectStatus.APPROVED
        or project.method_approval != MethodApproval.PENDING
    ):
        raise InvalidState(_("No change of method awaits a decision."))
    if not approve and not (note or "").strip():
        raise ApplicationError(
            "required", _("Say why the method is refused."), field="method_decision_note"
        )
    project.method_approval = MethodApproval.APPROVED if approve else MethodApproval.REFUSED
    project.method_decided_by = actor
    project.method_decided_at = timezone.now()
    project.method_decision_note = (note or "").strip()
    project.save()
    audit.record(
        actor=actor,
        action=ProcurementAction.METHOD_APPROVE if approve else ProcurementAction.METHOD_REFUSE,
        obj=project,
        data={"method": project.method, "note": project.method_decision_note},
    )
    return project


@transaction.atomic
def cancel_project(*, actor, project: PurchaseProject, reason: str) -> PurchaseProject:
    """Cancel before the purchase starts; the commitment goes back to the line."""
    if not (reason or "").strip():
        raise ApplicationError("required", _("Say why the project is cancelled."), field="reason")
    project = _locked(project)
    require_member(actor, project.department, roles=(Role.PURCHASER,))
    if project.status == ProjectStatus.CANCELLED:
        raise InvalidState(_("The project is already cancelled."))
    if project.status in (*RUNNING_STATUSES, ProjectStatus.AWARDED):
        raise InvalidState(
            _("A round of this purchase is under way: terminate it with a termination notice.")
        )
    budgets.release(line=project.budget_line, amount=project.amount)
    if project.method_approval == MethodApproval.PENDING:
        project.method_approval = MethodApproval.NOT_CHOSEN
    # A cancelled piece no longer counts towards a splitting flag.
    for flag in SplitFlag.objects.select_for_update(of=("self",)).filter(
        projects=project, status=SplitFlagStatus.OPEN
    ):
        flag.projects.remove(project)
        flag.total = flag.projects.live().aggregate(s=Sum("amount"))["s"] or Decimal("0.00")
        flag.save(update_fields=["total"])
    project.status = ProjectStatus.CANCELLED
    project.cancelled_at = timezone.now()
    project.cancel_reason = reason.strip()
    project.save()
    audit.record(
        actor=actor,
        action=ProcurementAction.PROJECT_CANCEL,
        obj=project,
        data={"released": str(project.amount), "reason": project.cancel_reason},
    )
    return project


@transaction.atomic
def clear_split_flag(*, actor, flag: SplitFlag, note: str) -> SplitFlag:
    """The finance bureau closes a splitting flag after looking into it."""
    if not (note or "").strip():
        raise ApplicationError("required", _("Say what you found."), field="cleared_note")
    flag = (
        SplitFlag.objects.select_for_update(of=("self",))
        .select_related("department")
        .get(pk=flag.pk)
    )
    refuse_platform_admin(actor, Role.FINANCE)
    permissions.require_clear_flag(actor, flag)
    if flag.status != SplitFlagStatus.OPEN:
        raise InvalidState(_("The flag is already cleared."))
    flag.status = SplitFlagStatus.CLEARED
    flag.cleared_by = actor
    flag.cleared_note = note.strip()
    flag.save()
    audit.record(
        actor=actor, action=ProcurementAction.SPLIT_FLAG_CLEAR, obj=flag, data={"note": note}
    )
    return flag


def committed_by_projects(line: BudgetLine) -> Decimal:
    """Sum of the live purchases' amounts: always equals the line's `committed`."""
    return PurchaseProject.objects.live().filter(budget_line=line).aggregate(s=Sum("amount"))[
        "s"
    ] or Decimal("0.00")
