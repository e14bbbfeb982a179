"""Notices and rounds: the purchase intention, the purchase notice that opens a
round (with every deadline computed and stored), corrections that move the
deadline when the law says so, failure (流标) and termination.

Every function is keyword-only, runs in one transaction, checks its rules and
writes an audit event; every published step is an immutable `Notice`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from govbuy.budgets import rules as budget_rules
from govbuy.core import audit, dates
from govbuy.core.dates import parse_date
from govbuy.core.errors import ApplicationError, CalendarNotCovered, InvalidInput, InvalidState
from govbuy.core.rules import Severity, enforce
from govbuy.core.text import Join, Text
from govbuy.orgs.models import Organization
from govbuy.procurement.models import Method, ProjectStatus, PurchaseProject
from govbuy.procurement.rules import P2, P3, P9
from govbuy.procurement.services import projects as planning
from govbuy.procurement.services.capacity import asks_for_capacity, require_capacity
from govbuy.tendering import permissions, schedule
from govbuy.tendering.audit_actions import TenderingAction
from govbuy.tendering.models import (
    CURRENT_TENDER_STATUSES,
    CallOffMode,
    Deadline,
    DeadlineKind,
    EvaluationMethod,
    FrameworkAgreement,
    Notice,
    NoticeKind,
    Tender,
    TenderCriterion,
    TenderStatus,
)
from govbuy.tendering.permissions import require_purchaser
from govbuy.tendering.rules import running as running_rules
from govbuy.tendering.services.common import (
    SYSTEM,
    aware,
    clean_text,
    locked_project,
    locked_tender,
    next_notice_number,
    rules_for,
    store_deadlines,
    within_horizon,
)

INTENTION_STATUSES = (ProjectStatus.DRAFT, ProjectStatus.REVIEW, ProjectStatus.APPROVED)
# The evaluation method a method's law prescribes, where it prescribes one.
FIXED_EVALUATION = {
    Method.COMPETITIVE_NEGOTIATION: EvaluationMethod.LOWEST_PRICE,  # 74号令 第三十五条
    Method.SINGLE_SOURCE: EvaluationMethod.LOWEST_PRICE,
    Method.COMPETITIVE_CONSULTATION: EvaluationMethod.COMPREHENSIVE,  # 财库〔2014〕214号 第二十三条
}
NEXT_STEPS = (
    "Start a new round (re-tender), or change the method with the finance bureau's approval "
    "(e.g. competitive negotiation or consultation; single source where only one provider "
    "qualifies)."
)


def publish_notice(
    *,
    project,
    tender,
    kind,
    title,
    body,
    data,
    actor,
    now,
    due_at=None,
    late: bool | None = None,
    late_reason="",
) -> Notice:
    """`late` defaults to "published after `due_at`"; a notice published ahead of
    the time the law allows passes it explicitly."""
    if late is None:
        late = bool(due_at is not None and now > due_at)
    return Notice.objects.create(
        project=project,
        tender=tender,
        kind=kind,
        number=next_notice_number(project, kind),
        title=title[:300],
        body=body,
        data=data,
        published_at=now,
        published_by=actor if getattr(actor, "is_authenticated", False) else None,
        due_at=due_at,
        late=late,
        late_reason=(late_reason or "").strip() if late else "",
    )


def project_facts(project: PurchaseProject) -> dict:
    req = getattr(project, "requirement", None)
    return {
        "project": project.code,
        "name": project.name,
        "department": project.department.name,
        "region": project.region.code,
        "catalog_code": project.catalog_code,
        "catalog_name": project.catalog_name,
        "budget": str(project.amount),
        "content": (req.content if req else "")[:2000],
        "term_start": req.term_start.isoformat() if req and req.term_start else None,
        "term_end": req.term_end.isoformat() if req and req.term_end else None,
    }


# --- purchase intention ---------------------------------------------------------------------


@transaction.atomic
def publish_intention(*, actor, project: PurchaseProject, expected_on, note: str = "") -> Notice:
    """采购意向: the project's name, content, budget and expected time, public at
    least 30 days (a parameter) before the purchase notice."""
    project = locked_project(project)
    require_purchaser(actor, project)
    if project.status not in INTENTION_STATUSES:
        raise InvalidState(_("The purchase intention is published before the purchase starts."))
    if Notice.objects.filter(project=project, kind=NoticeKind.INTENTION).exists():
        raise InvalidState(_("The purchase intention of this project is already published."))
    if isinstance(expected_on, str) and expected_on.strip():
        try:
            expected_on = dates.parse_date(expected_on)
        except ValueError:
            raise ApplicationError(
                "invalid_date", _("Give a date as YYYY-MM-DD."), field="expected_on"
            ) from None
    if not isinstance(expected_on, dt.date):
        raise ApplicationError(
            "required", _("Give the expected time of the purchase."), field="expected_on"
        )
    within_horizon(project, expected_on, field="expected_on")
    note = clean_text(note, field="note", label=_("a note"), limit=2000, required=False)
    now = timezone.now()
    rules = rules_for(project)
    due = schedule.intention_due(rules, now)
    if expected_on < due.due_on:
        raise ApplicationError(
            "too_early",
            _("The purchase can start from %(day)s at the earliest: %(explanation)s.")
            % {"day": due.due_on.isoformat(), "explanation": due.explanation},
            field="expected_on",
        )
    data = {**project_facts(project), "expected_on": expected_on.isoformat(), "note": note}
    notice = publish_notice(
        project=project,
        tender=None,
        kind=NoticeKind.INTENTION,
        title=_("Purchase intention: %(name)s") % {"name": project.name},
        body=note or data["content"],
        data=data,
        actor=actor,
        now=now,
    )
    store_deadlines(project, None, [due], now=now)
    audit.record(
        actor=actor,
        action=TenderingAction.INTENTION_PUBLISH,
        obj=project,
        data={"notice": notice.number, "expected_on": expected_on.isoformat()},
    )
    return notice


# --- the purchase notice: a round starts ---------------------------------------------------


def _decimal(value, field: str, errors: list, *, label: str) -> Decimal | None:
    try:
        number = Decimal(str(value).strip())
        if not number.is_finite():
            raise InvalidOperation
        return number
    except (InvalidOperation, ValueError, TypeError):
        errors.append(
            {"field": field, "message": _("%(label)s must be a number.") % {"label": label}}
        )
        return None


def _clean_criteria(raw, errors: list) -> list[dict]:
    criteria = []
    for i, item in enumerate(raw or []):
        if not isinstance(item, dict):
            errors.append(
                {"field": "criteria", "message": _("Each criterion has a name and points.")}
            )
            continue
        name = str(item.get("name") or "").strip()
        if not name:
            errors.append({"field": f"criteria.{i}.name", "message": _("Name the criterion.")})
            continue
        if len(name) > 100:
            errors.append({"field": f"criteria.{i}.name", "message": _("At most 100 characters.")})
            continue
        points = _decimal(item.get("points"), f"criteria.{i}.points", errors, label=name)
        if points is None:
            continue
        if not (Decimal(0) < points <= 100):
            errors.append(
                {
                    "field": f"criteria.{i}.points",
                    "message": _("Points are more than 0 and at most 100."),
                }
            )
            continue
        criteria.append(
            {
                "name": name,
                "points": points,
                "description": str(item.get("description") or "").strip()[:2000],
            }
        )
    return criteria


def _invited(raw, errors: list) -> list[Organization]:
    ids = []
    for value in raw or []:
        if isinstance(value, Organization):
            ids.append(value.pk)
            continue
        try:
            ids.append(int(value))
        except (TypeError, ValueError):
            errors.append({"field": "invited", "message": _("Unknown organization.")})
    orgs = list(Organization.objects.filter(pk__in=ids, is_provider=True, is_active=True))
    if len(orgs) != len(set(ids)):
        errors.append(
            {
                "field": "invited",
                "message": _("Invite active providers registered on the platform."),
            }
        )
    return orgs


def _min_bids(rules: schedule.Rules, method: str) -> int:
    if method == Method.SINGLE_SOURCE:
        return 1
    if method == Method.COMPETITIVE_CONSULTATION:
        return rules.value("bidding.min_valid_bids_consultation_services")
    if method == Method.FRAMEWORK_AGREEMENT:
        return rules.value("bidding.min_valid_bids_framework")
    if method == Method.VOUCHER:
        return rules.value("voucher.min_providers")
    return rules.value("bidding.min_valid_bids")


def _method_rule(method: str, emergency: bool):
    if emergency:
        return P9
    return P3 if method == Method.COMPETITIVE_REVIEW else P2


@asks_for_capacity
@transaction.atomic
def start_round(
    *,
    actor,
    project: PurchaseProject,
    bid_deadline,
    evaluation_method: str = EvaluationMethod.COMPREHENSIVE,
    price_weight="30",
    criteria=None,
    sme_deduction="0.10",
    reserved_for_sme: bool = False,
    qualification: str = "",
    documents: str = "",
    invited=None,
    title: str = "",
    late_reason: str = "",
    framework: dict | None = None,
    over_budget_invalid: bool = True,
) -> Tender:
    """Publish the purchase notice (or, for single source, the publicity notice):
    the round starts, its deadlines are computed from the method's legal minimums
    and stored with the rules that set them."""
    project = locked_project(project)
    require_purchaser(actor, project)
    if not project.can_start:
        raise InvalidState(
            _("The purchase starts once the requirements are approved and the method is settled.")
        )
    require_capacity(project)  # C8: no notice before both confirmations
    method = project.method
    if method not in schedule.BIDDING_METHODS:
        raise InvalidState(
            _("%(method)s has no bidding round; use its own procedure.")
            % {"method": Method(method).label}
        )
    if project.tenders.filter(status__in=CURRENT_TENDER_STATUSES).exists():
        raise InvalidState(_("A round of this purchase is already under way."))
    now = timezone.now()
    rules = rules_for(project)
    emergency = project.emergency
    rule = _method_rule(method, emergency)
    errors: list[dict] = []
    deadline = None
    if bid_deadline in (None, ""):
        errors.append({"field": "bid_deadline", "message": _("Set the bid deadline.")})
    else:
        try:
            deadline = aware(bid_deadline, field="bid_deadline")
            within_horizon(project, deadline, field="bid_deadline")
        except ApplicationError as exc:
            errors.append({"field": "bid_deadline", "message": exc.message})
            deadline = None
    evaluation_method = FIXED_EVALUATION.get(method, evaluation_method)
    if evaluation_method not in EvaluationMethod.values:
        errors.append({"field": "evaluation_method", "message": _("Unknown evaluation method.")})
    weight = _decimal(price_weight, "price_weight", errors, label=_("The price weight"))
    if evaluation_method == EvaluationMethod.LOWEST_PRICE:
        weight = Decimal(100)
    deduction = _decimal(sme_deduction, "sme_deduction", errors, label=_("The price deduction"))
    clean_criteria = _clean_criteria(criteria, errors)
    invited_orgs = _invited(invited, errors)
    title = (title or "").strip()[:200] or project.name
    try:
        qualification = clean_text(
            qualification, field="qualification", label="", limit=20000, required=False
        )
        documents = clean_text(documents, field="documents", label="", limit=50000, required=False)
    except ApplicationError as exc:
        errors.append({"field": exc.field, "message": exc.message})
    agreement = None
    if method == Method.VOUCHER:
        # The recipients choose among the admitted providers (P5).
        framework = {**(framework or {}), "call_off_mode": CallOffMode.RECIPIENT}
    if method in schedule.ADMITTING_METHODS:
        agreement = _clean_framework(framework or {}, errors)
    if errors:
        raise InvalidInput(errors)
    if reserved_for_sme:
        deduction = Decimal(0)

    problems = []
    intention = Notice.objects.filter(project=project, kind=NoticeKind.INTENTION).first()
    earliest_notice = (
        Deadline.objects.filter(project=project, tender__isnull=True, kind=DeadlineKind.INTENTION)
        .current()
        .values_list("due_at", flat=True)
        .first()
    )
    problems += running_rules.intention_violations(
        intention_at=intention.published_at if intention else None,
        earliest_notice=earliest_notice,
        lead=rules.cite("deadline.purchase_intention_days"),
        now=now,
        emergency=emergency,
        late_reason=late_reason,
    )
    earliest = schedule.earliest_bid_deadline(rules, method, now, emergency)
    if earliest.due_at is None:
        # The legal minimum runs into a year without a holiday calendar: never guessed.
        raise CalendarNotCovered(earliest.missing_year)
    problems += running_rules.bid_deadline_violations(
        rule=rule,
        bid_deadline=deadline,
        earliest_day=earliest.due_on,
        explanation=earliest.explanation,
        basis=earliest.basis,
        now=now,
    )
    if method in FIXED_EVALUATION and evaluation_method != FIXED_EVALUATION[method]:
        problems.append(P2.violation(_("This method prescribes its evaluation method.")))
    problems += running_rules.criteria_violations(
        rule=rule,
        method=method,
        evaluation_method=evaluation_method,
        price_weight=weight,
        criteria=[(c["name"], c["points"]) for c in clean_criteria],
        min_price_weight=rules.cite("evaluation.service_price_weight_min"),
        max_price_weight=rules.cite("evaluation.consultation_price_weight_max")
        if method == Method.COMPETITIVE_CONSULTATION
        else None,
    )
    problems += running_rules.sme_deduction_violations(
        deduction=deduction,
        reserved=bool(reserved_for_sme),
        low=rules.cite("sme.price_deduction_min"),
        high=rules.cite("sme.price_deduction_max"),
    )
    min_bids = _min_bids(rules, method)
    if method == Method.VOUCHER:
        problems += running_rules.voucher_violations(
            kind=project.budget_line.catalog_item.kind,
            admitted=agreement["max_members"],
            least=rules.cite("voucher.min_providers"),
        )
    problems += running_rules.invitation_violations(
        method=method, invited=len(invited_orgs), min_bids=min_bids
    )
    if agreement is not None:
        # B5: the agreement runs only in years the budget line funds.
        line = project.budget_line
        problems += [
            replace(v, field=f"framework.{v.field}")
            for v in budget_rules.term_violations(
                term_start=agreement["term_start"],
                term_end=agreement["term_end"],
                funded=budget_rules.funded_years(
                    fiscal_year=line.fiscal_year,
                    out_years=line.out_years.values_list("year", flat=True),
                ),
            )
        ]
    warnings = enforce(problems)

    simplified = []
    steps: list[Text] = []
    if emergency:
        steps = [
            Text(gettext_noop("No purchase intention period")),
            Text(gettext_noop("No notice period or documents period")),
            Text(
                gettext_noop("Bid period shortened to %(explanation)s"),
                explanation=earliest.explanation,
            ),
        ]
        simplified = [str(step) for step in steps]  # as published in the notice
        warnings.append(
            P9.violation(
                Text(
                    gettext_noop(
                        "Emergency green channel: %(steps)s. Reported to the finance bureau."
                    ),
                    steps=Join("; ", steps),
                ),
                severity=Severity.REPORT,
            )
        )
    tender = Tender.objects.create(
        project=project,
        round_no=project.tenders.count() + 1,
        method=method,
        status=TenderStatus.BIDDING,
        title=title,
        evaluation_method=evaluation_method,
        price_weight=weight,
        sme_deduction=deduction,
        reserved_for_sme=bool(reserved_for_sme),
        min_bids=min_bids,
        over_budget_invalid=bool(over_budget_invalid),
        qualification=qualification,
        documents=documents,
        emergency=emergency,
        simplified_steps=[step.as_json() for step in steps],
        published_at=now,
        bid_deadline=deadline,
        opening_at=deadline,
        warnings=[v.as_record() for v in warnings],
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    TenderCriterion.objects.bulk_create(
        [
            TenderCriterion(
                tender=tender,
                name=c["name"],
                max_score=c["points"],
                description=c["description"],
                position=i,
            )
            for i, c in enumerate(clean_criteria)
        ]
    )
    if invited_orgs:
        tender.invited.set(invited_orgs)
    if agreement is not None:
        FrameworkAgreement.objects.create(tender=tender, **agreement)
    dues = schedule.notice_deadlines(
        rules, method=method, published_at=now, bid_deadline=deadline, emergency=emergency
    )
    store_deadlines(project, tender, dues, now=now)
    kind = NoticeKind.PUBLICITY if method == Method.SINGLE_SOURCE else NoticeKind.PURCHASE
    data = {
        **project_facts(project),
        "round": tender.round_no,
        "method": method,
        "title": title,
        "evaluation_method": evaluation_method,
        "price_weight": str(weight),
        "criteria": [
            {"name": c["name"], "points": str(c["points"]), "description": c["description"]}
            for c in clean_criteria
        ],
        "sme_deduction": str(deduction),
        "reserved_for_sme": bool(reserved_for_sme),
        "min_bids": min_bids,
        "over_budget_invalid": bool(over_budget_invalid),
        "qualification": qualification,
        "bid_deadline": deadline.isoformat(),
        "opening_at": deadline.isoformat(),
        # Single source names its provider publicly (公示); an invitational tender
        # keeps its invitees private until the opening (potential bidders and their
        # number are not disclosed).
        "invited": [{"id": o.pk, "name": o.name, "uscc": o.uscc} for o in invited_orgs]
        if method == Method.SINGLE_SOURCE
        else [],
        "emergency": emergency,
        "simplified_steps": simplified,
        "deadlines": [
            {
                "kind": d.kind,
                "due_at": d.due_at.isoformat() if d.due_at else None,
                "rule": d.rule,
                "basis": d.basis,
            }
            for d in dues
        ],
    }
    if agreement is not None:
        data["framework"] = {k: str(v) for k, v in agreement.items()}
    # Published ahead of the intention period or without an intention: allowed
    # with the recorded reason, and flagged.
    early = any(v.rule == "D1" for v in warnings)
    publish_notice(
        project=project,
        tender=tender,
        kind=kind,
        title=title,
        body=documents or data["content"],
        data=data,
        actor=actor,
        now=now,
        due_at=earliest_notice,
        late=early,
        late_reason=late_reason,
    )
    planning.move_stage(project, ProjectStatus.BIDDING, warnings=[v.as_record() for v in warnings])
    audit.record(
        actor=actor,
        action=TenderingAction.ROUND_START,
        obj=tender,
        data={
            "project": project.code,
            "round": tender.round_no,
            "method": method,
            "bid_deadline": deadline.isoformat(),
            "warnings": [v.rule for v in warnings],
        },
    )
    return tender


def _clean_framework(raw: dict, errors: list) -> dict | None:
    mode = raw.get("call_off_mode") or ""
    if mode not in CallOffMode.values:
        errors.append(
            {
                "field": "framework.call_off_mode",
                "message": _("Choose how call-offs pick a provider."),
            }
        )
    try:
        max_members = int(raw.get("max_members") or 0)
    except (TypeError, ValueError):
        max_members = 0
    if max_members < 2:
        errors.append(
            {"field": "framework.max_members", "message": _("Admit at least 2 providers.")}
        )
    days = {}
    for name in ("term_start", "term_end"):
        value = raw.get(name)
        try:
            days[name] = parse_date(value or "")
        except ValueError:
            errors.append(
                {"field": f"framework.{name}", "message": _("Give a date as YYYY-MM-DD.")}
            )
    if len(days) == 2 and days["term_end"] < days["term_start"]:
        errors.append(
            {"field": "framework.term_end", "message": _("The term ends before it starts.")}
        )
    if errors:
        return None
    return {"call_off_mode": mode, "max_members": max_members, **days}


# --- corrections ----------------------------------------------------------------------------


def correction_lead(tender: Tender, now=None) -> schedule.Due | None:
    """The lead a correction that may affect the bids needs before the deadline
    (the page's preview and `publish_correction` alike); None where the law sets
    none, or no parameter or calendar is in force (the page shows no lead)."""
    try:
        return schedule.clarification_lead(
            rules_for(tender.project), tender.method, now or timezone.now()
        )
    except ApplicationError:
        return None


@transaction.atomic
def publish_correction(
    *,
    actor,
    tender: Tender,
    text: str,
    affects_bids: bool,
    new_bid_deadline=None,
) -> Notice:
    """更正公告. A change that may affect the bids, made less than the legal lead
    before the deadline (e.g. 15 days for a tender), postpones the deadline: to
    the date given, which must respect the lead, or else to the first day that
    does."""
    tender = locked_tender(tender)
    project = tender.project
    require_purchaser(actor, project)
    text = clean_text(text, field="text", label=_("what is corrected"), limit=20000)
    now = timezone.now()
    if not permissions.corrections_open(tender, now):
        raise InvalidState(_("Corrections are published while bidding is open."))
    old = tender.bid_deadline
    new = old
    if new_bid_deadline not in (None, ""):
        new = aware(new_bid_deadline, field="new_bid_deadline")
        within_horizon(project, new, field="new_bid_deadline")
        if new <= old:
            raise ApplicationError(
                "not_later",
                _("A correction may postpone the bid deadline (now %(old)s), never advance it.")
                % {"old": timezone.localtime(old).strftime("%Y-%m-%d %H:%M")},
                field="new_bid_deadline",
            )
    rules = rules_for(project)
    moved_because = ""
    if affects_bids:
        lead = schedule.clarification_lead(rules, tender.method, now)
        if lead is not None and lead.due_at is None:
            # The lead runs into a year without a holiday calendar: never guessed.
            raise CalendarNotCovered(lead.missing_year)
        moved = schedule.moved_deadline(lead, new)
        if moved is not None:
            if new_bid_deadline not in (None, ""):
                raise ApplicationError(
                    "too_early",
                    _(
                        "This change may affect the bids: the deadline must be on %(day)s or later "
                        "(%(explanation)s, %(basis)s)."
                    )
                    % {
                        "day": lead.due_on.isoformat(),
                        "explanation": lead.explanation,
                        "basis": lead.basis,
                    },
                    field="new_bid_deadline",
                )
            new = moved
            moved_because = _(
                "The change may affect the bids and comes less than the legal lead before the "
                "deadline: %(explanation)s (%(basis)s)."
            ) % {"explanation": lead.explanation, "basis": lead.basis}
    if new != old:
        tender.bid_deadline = new
        tender.opening_at = new
        tender.save(update_fields=["bid_deadline", "opening_at", "updated_at"])
    dues = [
        d
        for d in schedule.notice_deadlines(
            rules,
            method=tender.method,
            published_at=tender.published_at,
            bid_deadline=new,
            emergency=tender.emergency,
            documents_changed_at=now,
        )
        if d.kind
        in (
            DeadlineKind.CLARIFICATION,
            DeadlineKind.BID_DEADLINE,
            DeadlineKind.OPENING,
            DeadlineKind.QUESTION_DOCUMENTS,
        )
    ]
    store_deadlines(project, tender, dues, now=now)
    data = {
        "project": project.code,
        "round": tender.round_no,
        "text": text,
        "affects_bids": bool(affects_bids),
        "old_bid_deadline": old.isoformat(),
        "new_bid_deadline": new.isoformat(),
        "moved_because": moved_because,
    }
    notice = publish_notice(
        project=project,
        tender=tender,
        kind=NoticeKind.CORRECTION,
        title=_("Correction: %(title)s") % {"title": tender.title},
        body=text,
        data=data,
        actor=actor,
        now=now,
    )
    audit.record(
        actor=actor,
        action=TenderingAction.ROUND_CORRECT,
        obj=tender,
        data={"notice": notice.number, "old": old.isoformat(), "new": new.isoformat()},
    )
    return notice


# --- failure and termination ------------------------------------------------------------------


def fail(tender: Tender, *, reason: str, actor=SYSTEM, now=None) -> Notice:
    """流标: the round ends without a provider; the project goes back to approved
    for a new round or a change of method. Call inside the caller's transaction
    with the round locked."""
    now = now or timezone.now()
    project = PurchaseProject.objects.select_for_update(of=("self",)).get(pk=tender.project_id)
    tender.status = TenderStatus.FAILED
    tender.ended_at = now
    tender.end_reason = reason
    tender.save(update_fields=["status", "ended_at", "end_reason", "updated_at"])
    planning.move_stage(project, ProjectStatus.APPROVED, failed_round=True)
    notice = publish_notice(
        project=project,
        tender=tender,
        kind=NoticeKind.TERMINATION,
        title=_("Failed round (流标): %(title)s") % {"title": tender.title},
        body=reason,
        data={
            "project": project.code,
            "round": tender.round_no,
            "outcome": "failed",
            "reason": reason,
            "next_steps": _(NEXT_STEPS),
        },
        actor=actor,
        now=now,
    )
    audit.record(
        actor=actor,
        action=TenderingAction.ROUND_FAIL,
        obj=tender,
        data={"notice": notice.number, "reason": reason},
    )
    return notice


@transaction.atomic
def terminate_round(*, actor, tender: Tender, reason: str, cancel_project: bool = False) -> Notice:
    """终止公告: the purchaser ends the round (e.g. the need disappeared, a complaint
    was upheld). With `cancel_project` the project is cancelled and its money
    released; otherwise it stays approved for a new round."""
    tender = locked_tender(tender)
    project = tender.project
    require_purchaser(actor, project)
    reason = clean_text(reason, field="reason", label=_("the reason"), limit=5000)
    if not permissions.terminable(tender):
        raise InvalidState(_("Only a round under way is terminated."))
    now = timezone.now()
    tender.status = TenderStatus.TERMINATED
    tender.ended_at = now
    tender.end_reason = reason
    tender.save(update_fields=["status", "ended_at", "end_reason", "updated_at"])
    project = locked_project(project)
    planning.move_stage(project, ProjectStatus.APPROVED)
    notice = publish_notice(
        project=project,
        tender=tender,
        kind=NoticeKind.TERMINATION,
        title=_("Termination: %(title)s") % {"title": tender.title},
        body=reason,
        data={
            "project": project.code,
            "round": tender.round_no,
            "outcome": "terminated",
            "reason": reason,
            "project_cancelled": bool(cancel_project),
        },
        actor=actor,
        now=now,
    )
    audit.record(
        actor=actor,
        action=TenderingAction.ROUND_TERMINATE,
        obj=tender,
        data={"notice": notice.number, "reason": reason, "cancel_project": bool(cancel_project)},
    )
    if cancel_project:
        planning.cancel_project(actor=actor, project=project, reason=reason)
    return notice


def savings_rate(budget: Decimal, price: Decimal) -> Decimal:
    """(budget − awarded price) / budget, to four places."""
    return ((budget - price) / budget).quantize(Decimal("0.0001"))
