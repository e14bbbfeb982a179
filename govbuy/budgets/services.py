"""Writes of the budgets app: budget lines, their approval, adjustments (预算调剂)
and the commitments purchases make against them.

Every function is keyword-only, runs in one transaction, checks its rules and
writes an audit event.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from govbuy.budgets.audit_actions import BudgetsAction
from govbuy.catalog import rules as catalog_rules
from govbuy.catalog.models import DepartmentCatalogItem
from govbuy.catalog.screening_service import screen_text
from govbuy.catalog.selectors import own_public_services
from govbuy.core import audit, bounds, dates, params
from govbuy.core.errors import ApplicationError, InvalidInput, InvalidState, NotAllowed
from govbuy.core.money import to_money
from govbuy.core.rules import RuleViolation, Violation, enforce
from govbuy.orgs import rules as org_rules
from govbuy.orgs.models import Organization

from . import permissions, rules
from .models import (
    AdjustmentStatus,
    BudgetAdjustment,
    BudgetLine,
    BudgetLineStatus,
    BudgetLineYear,
    FundNature,
)

FUNCTIONAL_RE = re.compile(r"^\d{3}(\d{2}){0,2}$")
ECONOMIC_RE = re.compile(r"^\d{3}(\d{2})?$")
MAX_AMOUNT = Decimal("99999999999999.99")
LINE_FIELDS = (
    "name",
    "catalog_item",
    "amount",
    "functional_class",
    "economic_class",
    "fund_nature",
    "is_new",
    "justification",
    "centralized_catalog",
    "procurement_budget",
    "ex_ante_assessment",
    "performance_goals",
)


# --- who decides ---------------------------------------------------------------------


# Who decides (`approving_bureaus`, `can_decide`) lives in .permissions.


# --- field checks ----------------------------------------------------------------------


def parse_amount(raw, field: str, errors: list, *, required: bool = True) -> Decimal | None:
    """Money from form/API/Excel input; appends a field error instead of raising."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if required:
            errors.append({"field": field, "message": _("Enter an amount in 元.")})
        return None
    if isinstance(raw, float):
        raw = repr(raw)
    try:
        value = Decimal(str(raw).replace(",", "").replace("，", "").strip())
    except (InvalidOperation, ValueError):
        errors.append(
            {"field": field, "message": _("“%(value)s” is not an amount in 元.") % {"value": raw}}
        )
        return None
    if not value.is_finite():
        errors.append(
            {"field": field, "message": _("“%(value)s” is not an amount in 元.") % {"value": raw}}
        )
        return None
    # Sign and size first: quantizing 1e400 would raise instead of refusing.
    if value <= 0:
        errors.append({"field": field, "message": _("The amount must be more than 0.")})
        return None
    if value > MAX_AMOUNT:
        errors.append({"field": field, "message": _("The amount is too large.")})
        return None
    if value != value.quantize(Decimal("0.01")):
        errors.append({"field": field, "message": _("At most 2 decimals (分).")})
        return None
    return to_money(value)


def _clean_out_years(raw, errors: list) -> list[tuple[int, Decimal]]:
    out = []
    for i, entry in enumerate(raw or []):
        year, amount = (
            (entry.get("year"), entry.get("amount")) if isinstance(entry, dict) else entry
        )
        year = bounds.year_or_none(year)
        if year is None:
            errors.append(
                {"field": f"out_years.{i}.year", "message": _("Give the year, e.g. 2027.")}
            )
            continue
        value = parse_amount(amount, f"out_years.{i}.amount", errors)
        if value is not None:
            out.append((year, value))
    return out


def clean_line(data: dict, *, department, fiscal_year: int) -> tuple[dict, list, list]:
    """(fields, out_years, errors) from raw input; errors are field-level dicts."""
    errors: list[dict] = []
    clean: dict = {}
    name = (data.get("name") or "").strip()
    if not name:
        errors.append({"field": "name", "message": _("Give the project's name.")})
    elif len(name) > 200:
        errors.append({"field": "name", "message": _("At most 200 characters.")})
    clean["name"] = name
    clean["amount"] = parse_amount(data.get("amount"), "amount", errors)
    clean["procurement_budget"] = parse_amount(
        data.get("procurement_budget"), "procurement_budget", errors, required=False
    )
    for field, pattern, example in (
        ("functional_class", FUNCTIONAL_RE, "2081002"),
        ("economic_class", ECONOMIC_RE, "30227"),
    ):
        value = str(data.get(field) or "").strip()
        if not pattern.match(value):
            errors.append(
                {
                    "field": field,
                    "message": _("“%(value)s” is not a classification code (e.g. %(example)s).")
                    % {"value": value, "example": example}
                    if value
                    else _("Enter the classification code (e.g. %(example)s).")
                    % {"example": example},
                }
            )
        clean[field] = value
    nature = data.get("fund_nature") or FundNature.GENERAL_PUBLIC_BUDGET
    if nature not in FundNature.values:
        errors.append({"field": "fund_nature", "message": _("Choose the nature of the funds.")})
    clean["fund_nature"] = nature
    for flag, default in (("is_new", True), ("centralized_catalog", False)):
        value = data.get(flag, default)
        if isinstance(value, bool):
            clean[flag] = value
            continue
        text = str(value).strip().lower()
        if text in ("1", "true", "yes", "on", "是"):
            clean[flag] = True
        elif text in ("0", "false", "no", "off", "否", ""):
            clean[flag] = False
        else:
            errors.append({"field": flag, "message": _("Answer yes (是) or no (否).")})
    for text in ("justification", "ex_ante_assessment", "performance_goals"):
        value = (data.get(text) or "").strip()
        if len(value) > 20000:
            errors.append({"field": text, "message": _("At most 20,000 characters.")})
        clean[text] = value
    clean["catalog_item"] = _department_item(
        data.get("catalog_item"), department, fiscal_year, errors
    )
    out_years = _clean_out_years(data.get("out_years"), errors)
    return clean, out_years, errors


def _department_item(raw, department, fiscal_year, errors) -> DepartmentCatalogItem | None:
    """The item of the department's own catalog for the fiscal year, by object, pk or code."""
    if raw is None or raw == "":
        errors.append(
            {"field": "catalog_item", "message": _("Choose the item of your department catalog.")}
        )
        return None
    qs = DepartmentCatalogItem.objects.select_related("department_catalog", "guidance_item").filter(
        department_catalog__organization=department, department_catalog__year=fiscal_year
    )
    if isinstance(raw, DepartmentCatalogItem):
        item = qs.filter(pk=raw.pk).first()
    elif isinstance(raw, int):
        item = qs.filter(pk=raw).first()
    else:
        item = qs.filter(code=str(raw).strip()).first()
    if item is None:
        errors.append(
            {
                "field": "catalog_item",
                "message": _("“%(value)s” is not an item of your department's %(year)s catalog.")
                % {"value": raw, "year": fiscal_year},
            }
        )
    return item


def buyer_violations(department, item, *, name: str, text: str) -> list[Violation]:
    """S3 and S11: a 公益一类 unit registered to buy auxiliary services for its own
    work files lines for auxiliary services only, and is warned when the line
    reads as its main function."""
    if not department.auxiliary_purchaser or item is None:
        return []
    return org_rules.auxiliary_purchase_violations(
        unit_name=department.name,
        item_kind=item.kind,
        item_code=item.code,
        item_name=item.name,
        text=f"{name}\n{text}",
        own_services=own_public_services(department),
    )


def _save_rules(clean: dict, out_years, *, fiscal_year: int, region, at: dt.date) -> None:
    """The rules every save must pass (B2, B5, C5: an item, not a category); the
    rest wait for submission."""
    problems = rules.justification_violations(clean["justification"])
    problems += _item_violations(clean["catalog_item"])
    problems += rules.plan_violations(
        fiscal_year=fiscal_year,
        out_years=[y for y, _a in out_years],
        plan_years=params.get("budget.medium_term_years", region, at),
    )
    enforce(problems)


def _item_violations(item: DepartmentCatalogItem) -> list[Violation]:
    return catalog_rules.purchasable_item_violations(
        depth=item.depth, code=item.code, name=item.name
    )


def judged_on(fiscal_year: int) -> dt.date:
    """A line is judged by the parameters in force at the later of today and the
    start of its fiscal year (lines for next year are filed in the autumn)."""
    return max(timezone.localdate(), dt.date(fiscal_year, 1, 1))


def fiscal_year_bounds(region) -> tuple[int, int]:
    """The fiscal years a line may be filed for: from the earliest plausible year
    (records of past years stay possible) to the years ahead whose budget is being
    drawn up — both policy parameters."""
    today = timezone.localdate()
    ahead = params.get("budget.years_ahead", region, today)
    return dates.earliest_year(region, today), today.year + ahead


def _check_fiscal_year(fiscal_year, region) -> int:
    try:
        year = int(str(fiscal_year).strip()) if not isinstance(fiscal_year, bool) else 0
    except (TypeError, ValueError):
        year = 0
    earliest, latest = fiscal_year_bounds(region)
    if not earliest <= year <= latest:
        raise ApplicationError(
            "invalid",
            _("Give a fiscal year from %(earliest)s to %(latest)s.")
            % {"earliest": earliest, "latest": latest},
            field="fiscal_year",
        )
    return year


def _next_code(department, fiscal_year: int) -> str:
    # The department row lock serializes numbering within a department.
    Organization.objects.select_for_update().filter(pk=department.pk).first()
    n = BudgetLine.objects.filter(department=department, fiscal_year=fiscal_year).count() + 1
    while True:
        code = f"YS{fiscal_year}-{department.pk:05d}-{n:03d}"
        if not BudgetLine.objects.filter(code=code).exists():
            return code
        n += 1


def _write_out_years(line: BudgetLine, out_years) -> None:
    line.out_years.all().delete()
    BudgetLineYear.objects.bulk_create(
        [BudgetLineYear(line=line, year=y, amount=a) for y, a in sorted(out_years)]
    )


# --- budget lines ----------------------------------------------------------------------


@transaction.atomic
def create_line(*, actor, department, fiscal_year, **data) -> BudgetLine:
    """File a draft line of the department's 政府购买服务项目预算表.

    There is no other way to create one: no catalog item, approval or import
    makes money by itself (B2)."""
    permissions.require_file(actor, department)
    if not department.is_purchaser:
        raise NotAllowed(_("Only purchasing departments file budget lines."))
    year = _check_fiscal_year(fiscal_year, department.region)
    clean, out_years, errors = clean_line(data, department=department, fiscal_year=year)
    if errors:
        raise InvalidInput(errors)
    _save_rules(clean, out_years, fiscal_year=year, region=department.region, at=judged_on(year))
    enforce(
        buyer_violations(
            department, clean["catalog_item"], name=clean["name"], text=clean["justification"]
        )
    )
    line = BudgetLine(
        department=department,
        region_id=department.region_id,
        fiscal_year=year,
        code=_next_code(department, year),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        total=clean["amount"] + sum((a for _y, a in out_years), Decimal("0")),
        **clean,
    )
    _check_procurement_budget_cap(line)
    line.save()
    _write_out_years(line, out_years)
    audit.record(
        actor=actor,
        action=BudgetsAction.LINE_CREATE,
        obj=line,
        data={"code": line.code, "amount": str(line.amount), "total": str(line.total)},
    )
    return line


def _check_procurement_budget_cap(line: BudgetLine) -> None:
    enforce(
        rules.procurement_budget_cap_violations(
            total=line.total, procurement_budget=line.procurement_budget
        )
    )


def _locked(line: BudgetLine) -> BudgetLine:
    return (
        BudgetLine.objects.select_for_update(of=("self",))
        .select_related("department__region")
        .get(pk=line.pk)
    )


@transaction.atomic
def update_line(*, actor, line: BudgetLine, **data) -> BudgetLine:
    """Edit a draft or returned line. An approved line changes only through a
    budget adjustment (B6)."""
    line = _locked(line)
    permissions.require_file(actor, line.department)
    enforce(rules.direct_edit_violations(status=line.status))
    if not line.is_editable:
        raise InvalidState(
            _("The line is %(status)s and waits for the finance bureau.")
            % {"status": line.get_status_display()}
        )
    current = {f: getattr(line, f) for f in LINE_FIELDS}
    current["out_years"] = [(y.year, y.amount) for y in line.out_years.all()]
    current.update(data)
    clean, out_years, errors = clean_line(
        current, department=line.department, fiscal_year=line.fiscal_year
    )
    if errors:
        raise InvalidInput(errors)
    _save_rules(
        clean,
        out_years,
        fiscal_year=line.fiscal_year,
        region=line.department.region,
        at=judged_on(line.fiscal_year),
    )
    enforce(
        buyer_violations(
            line.department, clean["catalog_item"], name=clean["name"], text=clean["justification"]
        )
    )
    for field, value in clean.items():
        setattr(line, field, value)
    line.total = clean["amount"] + sum((a for _y, a in out_years), Decimal("0"))
    _check_procurement_budget_cap(line)
    line.save()
    _write_out_years(line, out_years)
    audit.record(
        actor=actor,
        action=BudgetsAction.LINE_UPDATE,
        obj=line,
        data={"fields": sorted(set(data)), "total": str(line.total)},
    )
    return line


@transaction.atomic
def delete_line(*, actor, line: BudgetLine) -> None:
    """Delete a draft that was never submitted (a returned line keeps its history)."""
    line = _locked(line)
    permissions.require_file(actor, line.department)
    if line.status != BudgetLineStatus.DRAFT or line.submitted_at is not None:
        raise InvalidState(_("Only a draft that was never submitted can be deleted."))
    audit.record(actor=actor, action=BudgetsAction.LINE_DELETE, obj=line, data={"code": line.code})
    line.delete()


def submission_violations(line: BudgetLine) -> list[Violation]:
    """Everything a line must satisfy to go to (and be approved by) the finance
    bureau: B2, B3, B5, B7, C5 (an approved catalog, an item not a category) and
    the screening of its text (C2, C3, C7, C9)."""
    region = line.department.region
    at = judged_on(line.fiscal_year)
    out_years = list(line.out_years.all())
    problems = rules.justification_violations(line.justification)
    problems += rules.plan_violations(
        fiscal_year=line.fiscal_year,
        out_years=[y.year for y in out_years],
        plan_years=params.get("budget.medium_term_years", region, at),
    )
    threshold = params.cite("procurement.decentralized_threshold", region, at)
    problems += rules.procurement_budget_violations(
        total=line.total,
        centralized_catalog=line.centralized_catalog,
        threshold=threshold.value,
        threshold_cited=threshold.text,
        procurement_budget=line.procurement_budget,
    )
    major = params.cite("budget.major_project_threshold", region, at)
    problems += rules.ex_ante_violations(
        is_new=line.is_new,
        total=line.total,
        major_threshold=major.value,
        threshold_cited=major.text,
        has_assessment=bool(line.ex_ante_assessment.strip()),
    )
    problems += catalog_rules.department_catalog_use_violations(
        status=line.catalog_item.department_catalog.status
    )
    problems += _item_violations(line.catalog_item)
    problems += screen_text(title=line.name, description=line.justification, region=region)
    problems += buyer_violations(
        line.department, line.catalog_item, name=line.name, text=line.justification
    )
    return problems


def _store_warnings(obj, problems: list[Violation]) -> None:
    obj.warnings = [v.as_record() for v in problems if not v.is_hard]


@transaction.atomic
def submit_line(*, actor, line: BudgetLine) -> BudgetLine:
    line = _locked(line)
    permissions.require_file(actor, line.department)
    if not line.is_editable:
        raise InvalidState(
            _("The line is %(status)s; it cannot be submitted again.")
            % {"status": line.get_status_display()}
        )
    problems = submission_violations(line)
    enforce(problems)
    _store_warnings(line, problems)
    at = judged_on(line.fiscal_year)
    line.procurement_budget_required = rules.procurement_budget_required(
        total=line.total,
        centralized_catalog=line.centralized_catalog,
        threshold=params.get("procurement.decentralized_threshold", line.department.region, at),
    )
    line.status = BudgetLineStatus.SUBMITTED
    line.submitted_at = timezone.now()
    line.save()
    audit.record(
        actor=actor,
        action=BudgetsAction.LINE_SUBMIT,
        obj=line,
        data={"warnings": [w["rule"] for w in line.warnings]},
    )
    return line


def _decidable(actor, line: BudgetLine) -> BudgetLine:
    line = _locked(line)
    permissions.require_decide(actor, line.department)
    if line.status != BudgetLineStatus.SUBMITTED:
        raise InvalidState(
            _("The line is %(status)s, not awaiting approval.")
            % {"status": line.get_status_display()}
        )
    return line


@transaction.atomic
def approve_line(*, actor, line: BudgetLine, note: str = "") -> BudgetLine:
    line = _decidable(actor, line)
    # Re-checked: the department catalog or the parameters may have changed since.
    problems = submission_violations(line)
    enforce(problems)
    _store_warnings(line, problems)
    line.status = BudgetLineStatus.APPROVED
    line.decided_at = timezone.now()
    line.decided_by = actor
    line.decision_note = (note or "").strip()
    line.save()
    audit.record(
        actor=actor,
        action=BudgetsAction.LINE_APPROVE,
        obj=line,
        data={"total": str(line.total), "note": line.decision_note},
    )
    return line


@transaction.atomic
def return_line(*, actor, line: BudgetLine, note: str) -> BudgetLine:
    if not (note or "").strip():
        raise ApplicationError(
            "required", _("Say what the department must revise."), field="decision_note"
        )
    line = _decidable(actor, line)
    line.status = BudgetLineStatus.RETURNED
    line.decided_at = timezone.now()
    line.decided_by = actor
    line.decision_note = note.strip()
    line.save()
    audit.record(
        actor=actor, action=BudgetsAction.LINE_RETURN, obj=line, data={"note": note.strip()}
    )
    return line


# --- commitments (B1) ------------------------------------------------------------------


def commit(*, line: BudgetLine, amount: Decimal) -> None:
    """Take `amount` from the line's uncommitted money, or refuse under B1.

    One conditional UPDATE: the database re-checks the condition on the row it
    locks, so concurrent purchases cannot both take the last money; the check
    constraint is the second guard. Call inside the purchase's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("commit() must run inside the purchase's transaction")
    taken = BudgetLine.objects.filter(
        pk=line.pk, status=BudgetLineStatus.APPROVED, committed__lte=F("total") - amount
    ).update(committed=F("committed") + amount)
    if taken == 1:
        return
    current = BudgetLine.objects.filter(pk=line.pk).values("status", "total", "committed").first()
    raise RuleViolation(
        rules.commitment_violations(
            line_status=current["status"] if current else None,
            available=(current["total"] - current["committed"]) if current else None,
            amount=amount,
        )
        or rules.commitment_violations(line_status="approved", available=Decimal(0), amount=amount)
    )


def release(*, line: BudgetLine, amount: Decimal) -> None:
    """Give back a cancelled purchase's commitment."""
    released = BudgetLine.objects.filter(pk=line.pk, committed__gte=amount).update(
        committed=F("committed") - amount
    )
    if released != 1:
        raise InvalidState(_("The budget line holds less commitment than is being released."))


# --- adjustments (预算调剂, B6) ---------------------------------------------------------


@transaction.atomic
def propose_adjustment(*, actor, line: BudgetLine, amount_after, reason: str) -> BudgetAdjustment:
    line = _locked(line)
    permissions.require_file(actor, line.department)
    if line.status != BudgetLineStatus.APPROVED:
        raise InvalidState(
            _("Only an approved line is adjusted; edit a draft or returned line directly.")
        )
    errors: list[dict] = []
    new_amount = parse_amount(amount_after, "amount_after", errors)
    if not (reason or "").strip():
        errors.append({"field": "reason", "message": _("Give the reason for the adjustment.")})
    if errors:
        raise InvalidInput(errors)
    out_total = line.total - line.amount
    enforce(
        rules.adjustment_violations(
            amount_after=new_amount,
            amount_before=line.amount,
            out_years_total=out_total,
            committed=line.committed,
        )
    )
    if BudgetAdjustment.objects.filter(line=line, status=AdjustmentStatus.PROPOSED).exists():
        raise InvalidState(_("An adjustment of this line already awaits approval."))
    adjustment = BudgetAdjustment.objects.create(
        line=line,
        amount_before=line.amount,
        amount_after=new_amount,
        reason=reason.strip(),
        proposed_by=actor,
    )
    audit.record(
        actor=actor,
        action=BudgetsAction.ADJUSTMENT_PROPOSE,
        obj=adjustment,
        data={"line": line.code, "before": str(line.amount), "after": str(new_amount)},
    )
    return adjustment


def _open_adjustment(adjustment: BudgetAdjustment) -> BudgetAdjustment:
    adjustment = (
        BudgetAdjustment.objects.select_for_update(of=("self",))
        .select_related("line__department__region")
        .get(pk=adjustment.pk)
    )
    if adjustment.status != AdjustmentStatus.PROPOSED:
        raise InvalidState(
            _("The adjustment is %(status)s, not awaiting approval.")
            % {"status": adjustment.get_status_display()}
        )
    return adjustment


@transaction.atomic
def approve_adjustment(*, actor, adjustment: BudgetAdjustment, note: str = "") -> BudgetAdjustment:
    adjustment = _open_adjustment(adjustment)
    permissions.require_decide(actor, adjustment.line.department)
    delta = adjustment.amount_after - adjustment.amount_before
    # Conditional, like commit(): a purchase made meanwhile may have taken money.
    changed = BudgetLine.objects.filter(
        pk=adjustment.line_id,
        amount=adjustment.amount_before,
        committed__lte=F("total") + delta,
    ).update(amount=F("amount") + delta, total=F("total") + delta, updated_at=timezone.now())
    if changed != 1:
        line = BudgetLine.objects.get(pk=adjustment.line_id)
        if line.amount != adjustment.amount_before:
            raise InvalidState(_("The line changed since this adjustment was proposed; return it."))
        enforce(
            rules.adjustment_violations(
                amount_after=adjustment.amount_after,
                amount_before=adjustment.amount_before,
                out_years_total=line.total - line.amount,
                committed=line.committed,
            )
        )
    adjustment.status = AdjustmentStatus.APPROVED
    adjustment.decided_by = actor
    adjustment.decided_at = timezone.now()
    adjustment.decision_note = (note or "").strip()
    adjustment.save()
    audit.record(
        actor=actor,
        action=BudgetsAction.ADJUSTMENT_APPROVE,
        obj=adjustment,
        data={
            "line": adjustment.line.code,
            "before": str(adjustment.amount_before),
            "after": str(adjustment.amount_after),
        },
    )
    return adjustment


@transaction.atomic
def return_adjustment(*, actor, adjustment: BudgetAdjustment, note: str) -> BudgetAdjustment:
    if not (note or "").strip():
        raise ApplicationError(
            "required", _("Say why the adjustment is returned."), field="decision_note"
        )
    adjustment = _open_adjustment(adjustment)
    permissions.require_decide(actor, adjustment.line.department)
    adjustment.status = AdjustmentStatus.RETURNED
    adjustment.decided_by = actor
    adjustment.decided_at = timezone.now()
    adjustment.decision_note = note.strip()
    adjustment.save()
    audit.record(
        actor=actor, action=BudgetsAction.ADJUSTMENT_RETURN, obj=adjustment, data={"note": note}
    )
    return adjustment


@transaction.atomic
def withdraw_adjustment(*, actor, adjustment: BudgetAdjustment) -> BudgetAdjustment:
    adjustment = _open_adjustment(adjustment)
    permissions.require_file(actor, adjustment.line.department)
    adjustment.status = AdjustmentStatus.WITHDRAWN
    adjustment.save(update_fields=["status"])
    audit.record(actor=actor, action=BudgetsAction.ADJUSTMENT_WITHDRAW, obj=adjustment)
    return adjustment
