"""Evaluation and award: the panel (评标委员会), the review of each bid, each
member's scores, the ranking computed by the platform (with the SME price
deduction), the purchaser's confirmation of the winner, the result notice with
the savings rate; direct commission (P6) and framework call-offs (P4).
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from govbuy.core import audit
from govbuy.core.errors import ApplicationError, InvalidInput, InvalidState, NotAllowed
from govbuy.core.rules import RuleViolation, enforce
from govbuy.core.text import Text
from govbuy.orgs import rules as org_rules
from govbuy.procurement.models import Method, ProjectStatus, PurchaseProject
from govbuy.procurement.rules import P6
from govbuy.procurement.services import projects as planning
from govbuy.procurement.services.capacity import asks_for_capacity, require_capacity
from govbuy.tendering import permissions, schedule
from govbuy.tendering.audit_actions import TenderingAction
from govbuy.tendering.models import (
    Bid,
    BidStatus,
    CallOff,
    CallOffMode,
    DeadlineKind,
    EvaluationMethod,
    FrameworkMember,
    NoticeKind,
    PanelMember,
    Score,
    Tender,
    TenderStatus,
)
from govbuy.tendering.permissions import require_purchaser
from govbuy.tendering.rules import running as running_rules
from govbuy.tendering.rules import scoring
from govbuy.tendering.selectors import expert_pool, panel_candidates
from govbuy.tendering.services.bids import final_price, parse_price
from govbuy.tendering.services.common import (
    clean_text,
    complete_deadline,
    current_deadline,
    guard_not_suspended,
    locked_project,
    locked_tender,
    rules_for,
    store_deadlines,
)
from govbuy.tendering.services.rounds import fail, project_facts, publish_notice, savings_rate

TENDER_METHODS = (Method.OPEN_TENDER, Method.INVITATIONAL_TENDER)


# --- the panel ---------------------------------------------------------------------------


def not_appointable(count: int) -> InvalidInput:
    """One answer for members who are no user at all and for users who may not sit
    on the panel: which user ids exist is nobody's business."""
    return InvalidInput(
        [
            {
                "field": "members",
                "message": _(
                    "Appoint only evaluation experts of the pool and representatives of the "
                    "purchaser: %(n)s of the members named are neither."
                )
                % {"n": count},
            }
        ]
    )


@transaction.atomic
def appoint_panel(*, actor, tender: Tender, members: list, chair=None) -> list[PanelMember]:
    """The purchaser sets up the panel: experts from the finance bureau's pool (of
    the project's region and above) and its own representatives (at most a
    third), an odd number, at least the legal size. Replaceable until a member
    has scored. Members and chair are users or user ids."""
    tender = locked_tender(tender)
    project = tender.project
    require_purchaser(actor, project)
    if not permissions.panel_appointable(tender):
        raise InvalidState(_("The panel is set up before the evaluation."))
    if Score.objects.filter(member__tender=tender).exists():
        raise InvalidState(_("The panel has started scoring; it is no longer changed."))
    candidates = panel_candidates(project)

    def key(member):
        return member if isinstance(member, int) else getattr(member, "pk", member)

    wanted = list(dict.fromkeys(key(m) for m in members or []))
    chair_key = key(chair) if chair is not None else None
    if chair_key is not None and chair_key not in wanted:
        wanted.insert(0, chair_key)
    if not wanted:
        raise InvalidInput([{"field": "members", "message": _("Appoint the panel's members.")}])
    strangers = [k for k in wanted if k not in candidates]
    if strangers:
        raise not_appointable(len(strangers))
    users = [candidates[k] for k in wanted]
    pool = {m.user_id for m in expert_pool(project)}
    experts = [u for u in users if u.pk in pool]
    reps = [u for u in users if u.pk not in pool]
    chair = candidates[chair_key] if chair_key is not None else None
    rules = rules_for(project)
    least = rules.value(
        "evaluation.panel_min_members_tender"
        if tender.method in TENDER_METHODS
        else "evaluation.panel_min_members"
    )
    enforce(
        running_rules.panel_violations(
            members=len(users),
            experts=len(experts),
            least=least,
            expert_share=rules.value("evaluation.expert_share_min"),
        )
    )
    PanelMember.objects.filter(tender=tender).delete()
    chair = chair or users[0]
    created = PanelMember.objects.bulk_create(
        [
            PanelMember(
                tender=tender,
                user=user,
                is_chair=user.pk == chair.pk,
                is_purchaser_rep=user in reps,
                added_by=actor,
            )
            for user in users
        ]
    )
    audit.record(
        actor=actor,
        action=TenderingAction.PANEL_APPOINT,
        obj=tender,
        data={"members": [u.pk for u in users], "chair": chair.pk, "experts": len(experts)},
    )
    return created


def _member(user, tender) -> PanelMember:
    member = PanelMember.objects.filter(tender=tender, user=user).first()
    if member is None:
        raise NotAllowed(_("Only the panel of this round evaluates it."))
    return member


@transaction.atomic
def declare_no_conflict(*, actor, tender: Tender) -> PanelMember:
    """回避: before reading the bids a member declares no interest in any bidder."""
    tender = locked_tender(tender)
    member = _member(actor, tender)
    if tender.opened_at is None:
        raise InvalidState(_("Declare once the bids are opened and you know the bidders."))
    if member.no_conflict_declared_at is None:
        member.no_conflict_declared_at = timezone.now()
        member.save(update_fields=["no_conflict_declared_at"])
        audit.record(actor=actor, action=TenderingAction.PANEL_NO_CONFLICT, obj=member)
    return member


@transaction.atomic
def review_bid(*, actor, bid: Bid, valid: bool, reason: str = "") -> Bid:
    """资格性、符合性审查: the panel's chair (or the purchaser, for qualification)
    finds a bid valid or invalid, with the reason."""
    tender = locked_tender(bid.tender_id)
    is_chair = PanelMember.objects.filter(tender=tender, user=actor, is_chair=True).exists()
    if not (is_chair or permissions.is_purchaser(actor, tender)):
        raise NotAllowed(_("The panel's chair or the purchaser reviews the bids."))
    if not permissions.bids_reviewable(tender):
        raise InvalidState(_("Bids are reviewed after the opening, before the evaluation ends."))
    guard_not_suspended(tender)
    bid = Bid.objects.select_for_update(of=("self",)).get(pk=bid.pk, tender=tender)
    if bid.status != BidStatus.SUBMITTED:
        raise InvalidState(_("This bid was withdrawn or replaced."))
    if valid and tender.over_budget_invalid and bid.price > tender.project.amount:
        # The notice made it invalid; no review turns it valid (87号令 第六十三条（四）).
        raise RuleViolation(
            [
                running_rules.P1.violation(
                    running_rules.over_budget_reason(price=bid.price, budget=tender.project.amount),
                    basis=running_rules.OVER_BUDGET_BASIS,
                    field="decision",
                )
            ]
        )
    reason = "" if valid else clean_text(reason, field="reason", label=_("the reason"), limit=5000)
    bid.valid = bool(valid)
    bid.invalid_reason = reason
    bid.save(update_fields=["valid", "invalid_reason"])
    audit.record(
        actor=actor,
        action=TenderingAction.BID_REVIEW,
        obj=bid,
        data={"valid": bool(valid), "reason": reason},
    )
    return bid


def _live_bids(tender):
    return (
        Bid.objects.filter(tender=tender, status=BidStatus.SUBMITTED)
        .select_related("provider")
        .prefetch_related("quotes")
        .order_by("pk")
    )


@transaction.atomic
def submit_scores(*, actor, tender: Tender, scores: dict) -> PanelMember:
    """A member's points: {bid id: {criterion id: points}} for every valid bid
    and criterion. When the last member has scored the platform ranks the bids."""
    tender = locked_tender(tender)
    member = _member(actor, tender)
    if tender.status != TenderStatus.OPENED:
        raise InvalidState(_("Scores are given after the opening, before the evaluation ends."))
    guard_not_suspended(tender)
    if tender.quote_deadline is not None and timezone.now() < tender.quote_deadline:
        raise InvalidState(_("A round of quotes is open; score after its deadline."))
    if member.no_conflict_declared_at is None:
        raise InvalidState(_("Declare that you have no conflict of interest first (回避)."))
    if member.submitted_at is not None:
        raise InvalidState(_("You have already submitted your scores."))
    criteria = list(tender.criteria.all())
    bids = [b for b in _live_bids(tender) if b.valid is not False]
    errors, rows = [], []
    scores = scores or {}
    for bid in bids:
        sheet = scores.get(bid.pk, scores.get(str(bid.pk), {})) or {}
        for criterion in criteria:
            raw = sheet.get(criterion.pk, sheet.get(str(criterion.pk)))
            field = f"scores.{bid.pk}.{criterion.pk}"
            try:
                points = Decimal(str(raw).strip())
                if not points.is_finite():
                    raise ValueError
            except (ValueError, ArithmeticError, TypeError):
                errors.append(
                    {
                        "field": field,
                        "message": _("Score %(criterion)s for %(bidder)s.")
                        % {"criterion": criterion.name, "bidder": bid.provider.name},
                    }
                )
                continue
            if not (Decimal(0) <= points <= criterion.max_score) or points != points.quantize(
                Decimal("0.01")
            ):
                errors.append(
                    {
                        "field": field,
                        "message": _("%(criterion)s is scored from 0 to %(max)s.")
                        % {"criterion": criterion.name, "max": f"{criterion.max_score:g}"},
                    }
                )
                continue
            rows.append(Score(member=member, bid=bid, criterion=criterion, points=points))
    if errors:
        raise InvalidInput(errors)
    Score.objects.bulk_create(rows)
    member.submitted_at = timezone.now()
    member.save(update_fields=["submitted_at"])
    audit.record(
        actor=actor,
        action=TenderingAction.PANEL_SCORE,
        obj=member,
        data={"tender": tender.pk, "scores": len(rows)},
    )
    if not PanelMember.objects.filter(tender=tender, submitted_at__isnull=True).exists():
        _evaluate(tender, actor=actor)
    return member


def _evaluate(tender: Tender, *, actor) -> None:
    """Rank the valid bids; too few valid bids end the round (流标)."""
    now = timezone.now()
    bids = [b for b in _live_bids(tender) if b.valid is not False]
    if len(bids) < tender.min_bids:
        fail(
            tender,
            reason=_(
                "%(n)s valid bid(s) after the review; this method needs at least %(least)s "
                "(财政部令第87号 第六十五条)."
            )
            % {"n": len(bids), "least": tender.min_bids},
            actor=actor,
            now=now,
        )
        return
    sheets: list[dict[int, Decimal]] = []
    for member in PanelMember.objects.filter(tender=tender):
        sheet: dict[int, Decimal] = {}
        for score in Score.objects.filter(member=member):
            sheet[score.bid_id] = sheet.get(score.bid_id, Decimal(0)) + score.points
        sheets.append(sheet)
    facts = [
        scoring.BidFacts(
            b.pk,
            final_price(b),
            scoring.deducted(
                small_or_micro=b.is_small_or_micro, reserved_for_sme=tender.reserved_for_sme
            ),
        )
        for b in bids
    ]
    terms = dict(
        evaluation_method=tender.evaluation_method,
        price_weight=tender.price_weight,
        deduction=tender.sme_deduction,
        technical=scoring.technical_scores(sheets)
        if tender.evaluation_method == EvaluationMethod.COMPREHENSIVE
        else None,
    )
    results = scoring.evaluate(facts, **terms)
    # S10: among equal bids for an industry-management service a decoupled industry
    # association comes first; each tie broken that way is reported.
    project = tender.project
    preferred = frozenset(
        b.pk
        for b in bids
        if org_rules.is_industry_association(
            org_type=b.provider.org_type,
            social_org_form=b.provider.social_org_form,
            name=b.provider.name,
        )
    )
    if preferred and org_rules.is_industry_management(f"{project.catalog_name} {project.name}"):
        plain = {r.id: r.rank for r in results}
        results = scoring.evaluate(facts, preferred=preferred, **terms)
        ties = [
            r.id
            for r in results
            if r.id in preferred and list(plain.values()).count(plain[r.id]) > 1
        ]
        reports = [
            v
            for pk in ties
            for v in org_rules.association_preference(
                provider_name=next(b.provider.name for b in bids if b.pk == pk)
            )
        ]
        if reports:
            tender.warnings = tender.warnings + [v.as_record() for v in reports]
            tender.save(update_fields=["warnings"])
    by_id = {b.pk: b for b in bids}
    for r in results:
        bid = by_id[r.id]
        bid.valid = True
        bid.evaluated_price = r.evaluated_price
        bid.price_score = r.price_score
        bid.technical_score = r.technical_score
        bid.total_score = r.total_score
        bid.rank = r.rank
    Bid.objects.bulk_update(
        list(by_id.values()),
        ["valid", "evaluated_price", "price_score", "technical_score", "total_score", "rank"],
    )
    tender.status = TenderStatus.EVALUATED
    tender.evaluated_at = now
    tender.save(update_fields=["status", "evaluated_at", "updated_at"])
    project = locked_project(tender.project)
    planning.move_stage(project, ProjectStatus.EVALUATED)
    store_deadlines(project, tender, schedule.after_evaluation(rules_for(project), now), now=now)
    audit.record(
        actor=actor,
        action=TenderingAction.ROUND_EVALUATE,
        obj=tender,
        data={"ranked": [[r.id, r.rank] for r in results]},
    )


# --- award and result --------------------------------------------------------------------------


@transaction.atomic
def confirm_award(
    *, actor, tender: Tender, bid: Bid | int | None = None, reason: str = "", late_reason: str = ""
) -> Tender:
    """The purchaser confirms the winner in the panel's order within the deadline
    (5 working days after the report); the savings rate is recorded. A framework
    agreement admits the best-ranked providers instead of one winner. `bid` (a bid
    or its id) is looked up among the round's ranked bids only: any other id, there
    or not, answers alike (P1)."""
    tender = locked_tender(tender)
    project = tender.project
    require_purchaser(actor, project)
    if not permissions.awardable(tender):
        raise InvalidState(_("The winner is confirmed after the evaluation."))
    guard_not_suspended(tender)
    now = timezone.now()
    ranked = list(
        Bid.objects.filter(
            tender=tender, status=BidStatus.SUBMITTED, valid=True, rank__isnull=False
        )
        .select_related("provider")
        .prefetch_related("quotes")
        .order_by("rank", "pk")
    )
    due = current_deadline(tender, DeadlineKind.CONFIRMATION)
    problems = running_rules.late_publication_violations(
        what=Text(gettext_noop("The confirmation of the winner")),
        due_at=due.due_at if due else None,
        now=now,
        late_reason=late_reason,
    )
    framework = (
        getattr(tender, "framework", None) if tender.method in schedule.ADMITTING_METHODS else None
    )
    if framework is None:
        wanted = getattr(bid, "pk", bid)
        if wanted is None:
            chosen = ranked[0] if ranked else None
        else:
            chosen = next((b for b in ranked if b.pk == wanted), None)
        problems += running_rules.award_order_violations(
            chosen_rank=chosen.rank if chosen else None, reason=reason
        )
    warnings = enforce(problems)
    complete_deadline(project, tender, DeadlineKind.CONFIRMATION, at=now, late_reason=late_reason)
    if framework is not None:
        admitted = ranked[: framework.max_members]
        FrameworkMember.objects.bulk_create(
            [
                FrameworkMember(
                    agreement=framework,
                    provider=b.provider,
                    bid=b,
                    price=final_price(b),
                    rank=b.rank,
                )
                for b in admitted
            ]
        )
        framework.concluded_at = now
        framework.save(update_fields=["concluded_at"])
    else:
        price = final_price(chosen)
        tender.awarded_bid = chosen
        tender.awarded_provider = chosen.provider
        tender.award_amount = price
        tender.savings_rate = savings_rate(project.amount, price)
    tender.status = TenderStatus.AWARDED
    tender.awarded_at = now
    tender.awarded_by = actor
    tender.warnings = tender.warnings + [v.as_record() for v in warnings]
    tender.end_reason = (reason or "").strip()
    tender.save()
    store_deadlines(project, tender, schedule.after_confirmation(rules_for(project), now), now=now)
    audit.record(
        actor=actor,
        action=TenderingAction.AWARD_CONFIRM,
        obj=tender,
        data={
            "bid": tender.awarded_bid_id,
            "provider": tender.awarded_provider_id,
            "amount": str(tender.award_amount) if tender.award_amount else None,
            "savings_rate": str(tender.savings_rate) if tender.savings_rate is not None else None,
            "framework_members": framework.members.count() if framework else None,
        },
    )
    return tender


def _result_data(tender: Tender) -> dict:
    project = tender.project
    bids = list(
        Bid.objects.filter(tender=tender, status=BidStatus.SUBMITTED)
        .select_related("provider")
        .order_by("rank", "pk")
    )
    panel = list(PanelMember.objects.filter(tender=tender).select_related("user"))
    data = {
        **project_facts(project),
        "round": tender.round_no,
        "method": tender.method,
        "evaluation_method": tender.evaluation_method,
        "awarded_at": tender.awarded_at.isoformat() if tender.awarded_at else None,
        "ranking": [
            {
                "rank": b.rank,
                "provider": b.provider.name,
                "uscc": b.provider.uscc,
                "price": str(final_price(b)),
                "evaluated_price": str(b.evaluated_price) if b.evaluated_price else None,
                "total_score": str(b.total_score) if b.total_score is not None else None,
                "valid": b.valid,
                "invalid_reason": b.invalid_reason,
            }
            for b in bids
        ],
        # 87号令 第六十九条: the result notice names the panel.
        "panel": [str(m.user) for m in panel if not m.is_purchaser_rep],
    }
    if tender.awarded_provider_id:
        data["winner"] = {
            "id": tender.awarded_provider_id,
            "name": tender.awarded_provider.name,
            "uscc": tender.awarded_provider.uscc,
            "org_type": tender.awarded_provider.org_type,
            "sme_size": tender.awarded_bid.sme_size if tender.awarded_bid_id else "",
        }
        data["amount"] = str(tender.award_amount)
        data["savings_rate"] = str(tender.savings_rate)
    framework = getattr(tender, "framework", None)
    if framework is not None:
        data["framework"] = {
            "call_off_mode": framework.call_off_mode,
            "term_start": framework.term_start.isoformat(),
            "term_end": framework.term_end.isoformat(),
            "members": [
                {
                    "provider": m.provider.name,
                    "uscc": m.provider.uscc,
                    "price": str(m.price),
                    "rank": m.rank,
                }
                for m in framework.members.select_related("provider")
            ],
        }
    return data


@transaction.atomic
def publish_result(*, actor, tender: Tender, note: str = "", late_reason: str = ""):
    """中标（成交）结果公告, due 2 working days after the confirmation; late only
    with a recorded reason. The project is then ready for its contract."""
    tender = locked_tender(tender)
    project = tender.project
    require_purchaser(actor, project)
    if not permissions.result_publishable(tender):
        raise InvalidState(_("The result is published once, after the winner is confirmed."))
    guard_not_suspended(tender)
    note = clean_text(note, field="note", label="", limit=5000, required=False)
    now = timezone.now()
    due = current_deadline(tender, DeadlineKind.RESULT_NOTICE)
    warnings = enforce(
        running_rules.late_publication_violations(
            what=Text(gettext_noop("The result notice")),
            due_at=due.due_at if due else None,
            now=now,
            late_reason=late_reason,
        )
    )
    notice = publish_notice(
        project=project,
        tender=tender,
        kind=NoticeKind.RESULT,
        title=_("Result: %(title)s") % {"title": tender.title},
        body=note,
        data=_result_data(tender),
        actor=actor,
        now=now,
        due_at=due.due_at if due else None,
        late_reason=late_reason,
    )
    complete_deadline(project, tender, DeadlineKind.RESULT_NOTICE, at=now, late_reason=late_reason)
    tender.result_published_at = now
    tender.warnings = tender.warnings + [v.as_record() for v in warnings]
    tender.save(update_fields=["result_published_at", "warnings", "updated_at"])
    project = locked_project(project)
    planning.move_stage(project, ProjectStatus.AWARDED)
    store_deadlines(project, tender, schedule.after_result(rules_for(project), now), now=now)
    audit.record(
        actor=actor,
        action=TenderingAction.RESULT_PUBLISH,
        obj=tender,
        data={"notice": notice.number, "late": notice.late},
    )
    return notice


# --- direct commission (P6, 定向委托) ------------------------------------------------------------


@asks_for_capacity
@transaction.atomic
def commission_directly(*, actor, project: PurchaseProject, price, reason: str) -> Tender:
    """定向委托: the department commissions its own 公益二类 unit under contract
    (拨改买). The commission is published like a result."""
    project = locked_project(project)
    require_purchaser(actor, project)
    if project.method != Method.DIRECT_COMMISSION or not project.can_start:
        raise InvalidState(
            _("Direct commission needs the method settled and the requirements approved.")
        )
    require_capacity(project)  # C8
    unit = project.intended_provider
    if unit is None:
        raise InvalidState(_("Name the own 公益二类 unit to commission on the project first."))
    reason = clean_text(reason, field="reason", label=_("the reason"), limit=5000)
    amount = parse_price(price)
    if amount > project.amount:
        raise ApplicationError(
            "over_budget",
            _("The commission cannot exceed the purchase's budget (%(budget)s 元).")
            % {"budget": f"{project.amount:,.2f}"},
            field="price",
        )
    now = timezone.now()
    tender = Tender.objects.create(
        project=project,
        round_no=project.tenders.count() + 1,
        method=Method.DIRECT_COMMISSION,
        status=TenderStatus.AWARDED,
        title=project.name,
        evaluation_method=EvaluationMethod.LOWEST_PRICE,
        price_weight=100,
        min_bids=1,
        published_at=now,
        bid_deadline=now,
        opening_at=now,
        awarded_provider=unit,
        award_amount=amount,
        savings_rate=savings_rate(project.amount, amount),
        awarded_at=now,
        awarded_by=actor,
        end_reason=reason,
        warnings=[
            P6.violation(
                _("Direct commission of the department's own 公益二类 unit; reported."),
                severity="report",
            ).as_dict()
        ],
        created_by=actor,
    )
    notice = publish_notice(
        project=project,
        tender=tender,
        kind=NoticeKind.RESULT,
        title=_("Direct commission: %(name)s") % {"name": project.name},
        body=reason,
        data={**_result_data(tender), "commission_reason": reason},
        actor=actor,
        now=now,
    )
    tender.result_published_at = now
    tender.save(update_fields=["result_published_at"])
    planning.move_stage(project, ProjectStatus.AWARDED, warnings=tender.warnings)
    store_deadlines(project, tender, schedule.after_result(rules_for(project), now), now=now)
    audit.record(
        actor=actor,
        action=TenderingAction.COMMISSION_CREATE,
        obj=tender,
        data={"unit": unit.pk, "amount": str(amount), "notice": notice.number},
    )
    return tender


# --- framework call-offs (P4) -----------------------------------------------------------------


@transaction.atomic
def call_off(
    *,
    actor,
    member: FrameworkMember,
    amount,
    description: str,
    recipient_name: str = "",
) -> CallOff:
    """第二阶段: an order under the agreement. The purchaser picks (直接选定 or
    after a second-stage competition) or records the recipient's own choice; a
    recipient (服务对象) logged in chooses for themselves."""
    member = FrameworkMember.objects.select_related(
        "agreement__tender__project__department", "provider"
    ).get(pk=member.pk)
    agreement = member.agreement
    tender = locked_tender(agreement.tender_id)
    project = tender.project
    is_purchaser = permissions.is_purchaser(actor, tender)
    is_recipient = getattr(actor, "is_authenticated", False) and actor.is_recipient
    if agreement.call_off_mode == CallOffMode.RECIPIENT:
        if not (is_purchaser or is_recipient):
            raise NotAllowed(_("The recipient or the purchaser places this order."))
    elif not is_purchaser:
        raise NotAllowed(_("The purchaser places orders under this agreement."))
    if not permissions.orders_open(tender):
        raise InvalidState(_("Orders follow the published result of the first stage."))
    today = timezone.localdate()
    if not (agreement.term_start <= today <= agreement.term_end):
        raise InvalidState(
            _("The agreement runs from %(start)s to %(end)s.")
            % {"start": agreement.term_start.isoformat(), "end": agreement.term_end.isoformat()}
        )
    value = parse_price(amount, "amount")
    description = clean_text(
        description, field="description", label=_("what is ordered"), limit=5000
    )
    recipient_name = (recipient_name or "").strip()[:100]
    if agreement.call_off_mode == CallOffMode.RECIPIENT and not (recipient_name or is_recipient):
        raise ApplicationError(
            "required", _("Name the recipient who chose."), field="recipient_name"
        )
    ordered = sum((c.amount for c in agreement.call_offs.all()), Decimal(0))
    if ordered + value > project.amount:
        raise ApplicationError(
            "over_budget",
            _("Orders would reach %(total)s 元, above the budget of %(budget)s 元.")
            % {"total": f"{ordered + value:,.2f}", "budget": f"{project.amount:,.2f}"},
            field="amount",
        )
    order = CallOff.objects.create(
        agreement=agreement,
        member=member,
        amount=value,
        description=description,
        chosen_by=CallOffMode.RECIPIENT if is_recipient else agreement.call_off_mode,
        recipient_name=recipient_name or (str(actor) if is_recipient else ""),
        recipient=actor if is_recipient else None,
        created_by=actor,
    )
    audit.record(
        actor=actor,
        action=TenderingAction.CALL_OFF_CREATE,
        obj=order,
        organization=project.department,
        data={"member": member.pk, "amount": str(value)},
    )
    return order
