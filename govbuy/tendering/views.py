"""Pages that run a purchase: the purchase intention and notice, the round with
its deadlines and notices, corrections and termination, bids (sealed until the
opening, P12), the remote opening, the panel and its scores, the evaluation
result and the award, the result notice, direct commission (P6), framework
call-offs (P4), questions and complaints (P11), and the public notices.

As in `views`: every object comes through a scoped selector (404 for others'
objects; 403 where the object is visible but the user's role may not act),
every write is a POST that calls one service, and a refused action re-renders
the page with the user's input and the service's messages beside the fields.
A bid's content reaches a page only through the sealed selectors: before the
opening time they refuse (403) and audit the attempt.
"""

from __future__ import annotations

import contextlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from govbuy.accounts.models import Role
from govbuy.accounts.permissions import require_role
from govbuy.accounts.selectors import active_membership
from govbuy.core.errors import ApplicationError
from govbuy.core.forms import BaseForm
from govbuy.core.pages import REFUSED, refuse, two_way
from govbuy.core.pages import post_data as posted
from govbuy.core.pagination import InvalidCursor, PageTooDeep, estimated_count
from govbuy.core.pagination import page_of as keyset_page_of
from govbuy.orgs.models import SmeSize
from govbuy.orgs.selectors import bidding_violations
from govbuy.procurement import selectors
from govbuy.procurement.models import Method, ProjectStatus
from govbuy.procurement.permissions import is_member
from govbuy.procurement.views import PAGE_SIZE
from govbuy.tendering import bidding_selectors as bidding
from govbuy.tendering import extensions, permissions, schedule, sealing
from govbuy.tendering import selectors as tendering_selectors
from govbuy.tendering import services as tendering_services
from govbuy.tendering.forms import (
    AwardForm,
    BidForm,
    CallOffForm,
    CommissionForm,
    CorrectionForm,
    IntentionForm,
    NoticeFilterForm,
    OpeningResponseForm,
    OpportunityFilterForm,
    PanelForm,
    QuoteForm,
    QuoteRoundForm,
    ReplyForm,
    ResultForm,
    ReviewBidForm,
    RoundFilterForm,
    RoundForm,
    TerminateForm,
)
from govbuy.tendering.models import (
    CURRENT_TENDER_STATUSES,
    BidStatus,
    DeadlineKind,
    EvaluationMethod,
    FrameworkAgreement,
    Notice,
    NoticeKind,
    OpeningResponse,
    PanelMember,
    TenderStatus,
)
from govbuy.tendering.rules import scoring
from govbuy.tendering.services.bids import final_price
from govbuy.tendering.services.common import current_deadline, rules_for
from govbuy.tendering.services.rounds import FIXED_EVALUATION

STAFF_ROLES = (Role.PURCHASER, Role.FINANCE, Role.AUDITOR, Role.PLATFORM_ADMIN)
# The services' field names that land on differently named fields of these forms.
FRAMEWORK_FIELDS = {
    "framework.call_off_mode": "call_off_mode",
    "framework.max_members": "max_members",
    "framework.term_start": "term_start",
    "framework.term_end": "term_end",
    "title": "title",
}


# --- helpers -----------------------------------------------------------------------------------


def _sealed(request, exc: sealing.Sealed, tender=None):
    """The refusal of a sealed read (already audited by `sealing.unseal`)."""
    return render(
        request,
        "procurement/running/sealed.html",
        {
            "tender": tender,
            "violation": exc.violation,
            "opening_at": exc.opening_at,
            "state": exc.state,
        },
        status=403,
    )


def acting_provider(request):
    """The provider the user acts for now (403 for any other role)."""
    return require_role(request, Role.PROVIDER).organization


def _round(request, pk):
    tender = bidding.tender_for_user(request.user, pk)
    return tender, bidding.access(request.user, tender)


def require(condition: bool):
    if not condition:
        raise PermissionDenied


def _refused_form(request_post=None, **kwargs) -> BaseForm:
    form = BaseForm(request_post, **kwargs)
    form.is_valid()
    return form


def filters_of(form_class, request):
    form = form_class(request.GET or None)
    if not form.is_bound:
        return form, {}
    form.is_valid()
    return form, form.cleaned_data


def page_of(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


is_provider_of = permissions.is_provider_of


def deadline_rows(deadlines, tender, now=None) -> list:
    """Mark each deadline's ``state`` for the deadlines panel: done, done late,
    overdue (a task of the department on a live round), passed, open, or
    unknown (its year's holiday calendar is not entered yet)."""
    now = now or timezone.now()
    live = tender.status in CURRENT_TENDER_STATUSES
    rows = list(deadlines)
    for d in rows:
        if d.done_at is not None:
            d.state = "done_late" if d.late else "done"
        elif d.due_at is None:
            d.state = "unknown"
        elif now > d.due_at:
            d.state = (
                "overdue" if live and d.kind in tendering_selectors.PURCHASER_TASKS else "passed"
            )
        else:
            d.state = "open"
    return rows


# --- the project page: intention, rounds, commission -----------------------------------------


def project_running_context(user, project, member: bool) -> dict:
    """What the project page shows of the running purchase (called by
    `views._detail_page`): its intention, rounds and notices, and what the
    department may do next."""
    rounds = list(tendering_selectors.rounds_of(project))
    notices = list(bidding.notices_of(project))
    intention = next((n for n in notices if n.kind == NoticeKind.INTENTION), None)
    current = next((t for t in rounds if t.status in CURRENT_TENDER_STATUSES), None)
    earliest_notice = (
        bidding.deadlines_of(project=project)
        .filter(tender__isnull=True, kind=DeadlineKind.INTENTION)
        .first()
    )
    return {
        "rounds": rounds,
        "project_notices": notices,
        "intention": intention,
        "earliest_notice": earliest_notice,
        "may_publish_intention": member
        and intention is None
        and project.status in (ProjectStatus.DRAFT, ProjectStatus.REVIEW, ProjectStatus.APPROVED),
        "may_start_round": member
        and project.can_start
        and current is None
        and project.method in schedule.BIDDING_METHODS,
        "may_commission": member
        and project.can_start
        and current is None
        and project.method == Method.DIRECT_COMMISSION,
    }


@login_required
@require_http_methods(["GET", "POST"])
def intention_publish(request, pk: int):
    project = selectors.project_for_user(request.user, pk)
    require(is_member(request.user, project))
    if Notice.objects.filter(project=project, kind=NoticeKind.INTENTION).exists():
        messages.info(request, _("The purchase intention of this project is already published."))
        return redirect("procurement:project_detail", project.pk)
    rules = rules_for(project)
    earliest = schedule.intention_due(rules, timezone.now())
    form = IntentionForm(posted(request), initial={"expected_on": earliest.due_on.isoformat()})
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            notice = tendering_services.publish_intention(
                actor=request.user,
                project=project,
                expected_on=form.cleaned_data["expected_on"] or None,
                note=form.cleaned_data["note"],
            )
        except REFUSED as e:
            status = refuse(form, e)
        else:
            messages.success(
                request,
                _("The purchase intention %(number)s is published.") % {"number": notice.number},
            )
            return redirect("procurement:project_detail", project.pk)
    return render(
        request,
        "procurement/running/intention_form.html",
        {"project": project, "form": form, "earliest": earliest},
        status=status,
    )


def _round_start_context(project) -> dict:
    now = timezone.now()
    rules = rules_for(project)
    method = project.method
    context = {
        "method_label": Method(method).label,
        "fixed_evaluation": FIXED_EVALUATION.get(method),
        "needs_invites": method in schedule.INVITATION_METHODS,
        "is_framework": method in schedule.ADMITTING_METHODS,
        "emergency": project.emergency,
    }
    try:
        context["earliest"] = schedule.earliest_bid_deadline(rules, method, now, project.emergency)
        context["sme_low"] = rules.cite("sme.price_deduction_min")
        context["sme_high"] = rules.cite("sme.price_deduction_max")
        context["weight_min"] = rules.cite("evaluation.service_price_weight_min")
        if method == Method.COMPETITIVE_CONSULTATION:
            context["weight_max"] = rules.cite("evaluation.consultation_price_weight_max")
    except ApplicationError as e:  # no parameter in force for the start date
        context["parameter_error"] = e.message
    intention = Notice.objects.filter(project=project, kind=NoticeKind.INTENTION).first()
    earliest_notice = (
        bidding.deadlines_of(project=project)
        .filter(tender__isnull=True, kind=DeadlineKind.INTENTION)
        .first()
    )
    context["intention"] = intention
    context["earliest_notice"] = earliest_notice
    context["intention_over"] = project.emergency or (
        intention is not None
        and earliest_notice is not None
        and earliest_notice.due_at is not None
        and timezone.localdate() >= timezone.localtime(earliest_notice.due_at).date()
    )
    return context


@login_required
@require_http_methods(["GET", "POST"])
def round_start(request, pk: int):
    """The purchase notice (采购公告) that opens a round, or the single-source
    publicity notice: deadline, evaluation, SME policy, qualification, documents,
    invited providers, framework settings."""
    project = selectors.project_for_user(request.user, pk)
    require(is_member(request.user, project))
    if not (project.can_start and project.method in schedule.BIDDING_METHODS):
        messages.error(
            request,
            _("A round starts once the requirements are approved and a bidding method is settled."),
        )
        return redirect("procurement:project_detail", project.pk)
    if project.tenders.filter(status__in=CURRENT_TENDER_STATUSES).exists():
        messages.info(request, _("A round of this purchase is already under way."))
        return redirect("procurement:project_detail", project.pk)
    context = _round_start_context(project)
    providers = (
        list(tendering_selectors.providers_to_invite(project)) if context["needs_invites"] else []
    )
    low = context.get("sme_low")
    initial = {
        "title": project.name,
        "evaluation_method": context["fixed_evaluation"] or EvaluationMethod.COMPREHENSIVE,
        "price_weight": "30",
        "sme_deduction": f"{(low.value * 100).normalize():f}" if low else "10",
        "over_budget_invalid": True,
    }
    if context.get("earliest") and context["earliest"].due_on:
        initial["bid_deadline"] = f"{context['earliest'].due_on.isoformat()}T09:30"
    form = RoundForm(posted(request), initial=initial, providers=providers, method=project.method)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            tender = tendering_services.start_round(
                actor=request.user, project=project, **form.service_values()
            )
        except REFUSED as e:
            status = refuse(form, e, fields=FRAMEWORK_FIELDS)
        else:
            messages.success(
                request,
                _("The notice is published; bids are received until %(deadline)s.")
                % {"deadline": timezone.localtime(tender.bid_deadline).strftime("%Y-%m-%d %H:%M")},
            )
            if tender.warnings:
                messages.warning(request, _("The notice carries warnings: see the round."))
            return redirect("tendering:round_detail", tender.pk)
    return render(
        request,
        "procurement/running/round_form.html",
        {"project": project, "form": form, "criteria_rows": form.criteria_rows(), **context},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def commission(request, pk: int):
    """定向委托 (P6): the department commissions its own 公益二类 unit."""
    project = selectors.project_for_user(request.user, pk)
    require(is_member(request.user, project))
    if project.method != Method.DIRECT_COMMISSION:
        messages.error(request, _("Direct commission is for purchases whose method is 定向委托."))
        return redirect("procurement:project_detail", project.pk)
    form = CommissionForm(posted(request), initial={"price": project.amount})
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            tender = tendering_services.commission_directly(
                actor=request.user,
                project=project,
                price=form.cleaned_data["price"],
                reason=form.cleaned_data["reason"],
            )
        except REFUSED as e:
            status = refuse(form, e)
        else:
            messages.success(request, _("The direct commission is recorded and published."))
            return redirect("tendering:round_detail", tender.pk)
    return render(
        request,
        "procurement/running/commission_form.html",
        {"project": project, "form": form},
        status=status,
    )


# --- rounds ------------------------------------------------------------------------------------


@login_required
def round_list(request):
    """Rounds the user sees; for supervisors late publications and emergency
    rounds are flagged and can be filtered."""
    m = require_role(request, *STAFF_ROLES)
    filters, wanted = filters_of(RoundFilterForm, request)
    rounds = tendering_selectors.rounds_for_user(
        request.user,
        status=wanted.get("status") or None,
        q=wanted.get("q"),
        flag=wanted.get("flag") or None,
    )
    return render(
        request,
        "procurement/running/round_list.html",
        {
            "page": page_of(request, rounds),
            "filters": filters,
            "filtered": any(wanted.values()) if wanted else False,
            "supervising": m.role != Role.PURCHASER,
        },
    )


def _round_page(request, tender, acc, *, status=200, **forms):
    user = request.user
    now = timezone.now()
    sealed = sealing.is_sealed(tender, now)
    all_deadlines = list(bidding.deadlines_of(tender=tender, history=True))
    provider = None
    m = active_membership(request)
    if m is not None and m.role == Role.PROVIDER:
        provider = m.organization
    quote_open = sealing.quotes_sealed(tender, now)
    context = {
        "tender": tender,
        "project": tender.project,
        "acc": acc,
        "now": now,
        "sealed": sealed,
        "deadlines": deadline_rows(
            [d for d in all_deadlines if d.superseded_at is None], tender, now
        ),
        "superseded": [d for d in all_deadlines if d.superseded_at is not None],
        "notices": list(tender.notices.order_by("published_at", "pk")),
        "bid_count": len(tender.opening_record) if tender.opened_at else None,
        "panel": list(bidding.panel_of(tender)) if acc.reads_all_bids else [],
        "receipts": list(bidding.receipt_for_user(user, tender)) if acc.provider_ids else [],
        "provider": provider,
        "may_bid": permissions.can_bid(provider, tender, now),
        "may_question": provider is not None,
        "is_panel": acc.panel,
        "quote_open": quote_open,
        "may_correct": permissions.can_correct(user, tender, now),
        "may_terminate": permissions.can_terminate(user, tender),
        "may_open": permissions.can_open(user, tender, now),
        "may_appoint": permissions.can_appoint_panel(user, tender),
        "may_quote_round": permissions.can_open_quote_round(user, tender, now),
        "may_award": permissions.can_award(user, tender),
        "may_publish": permissions.can_publish_result(user, tender),
        "is_framework": tender.method in schedule.ADMITTING_METHODS,
        "sme_percent": tender.sme_deduction * 100,
        "savings_percent": tender.savings_rate * 100 if tender.savings_rate is not None else None,
        "open_form": BaseForm(),
        "quote_round_form": QuoteRoundForm(),
    }
    # The round's questions and complaints, added by the challenges app.
    context.update(extensions.round_context(user, tender))
    context.update({k: v for k, v in forms.items() if v is not None})
    return render(request, "procurement/running/round_detail.html", context, status=status)


@login_required
def round_detail(request, pk: int):
    tender, acc = _round(request, pk)
    return _round_page(request, tender, acc)


@login_required
@require_http_methods(["GET", "POST"])
def round_correct(request, pk: int):
    """更正公告: shows whether a change that may affect the bids moves the deadline, and why."""
    tender, acc = _round(request, pk)
    require(acc.purchaser)
    now = timezone.now()
    if not permissions.corrections_open(tender, now):
        messages.error(request, _("Corrections are published while bidding is open."))
        return redirect("tendering:round_detail", tender.pk)
    lead = tendering_services.correction_lead(tender, now)
    moved_to = schedule.moved_deadline(lead, tender.bid_deadline)
    will_move = moved_to is not None
    form = CorrectionForm(posted(request))
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            notice = tendering_services.publish_correction(
                actor=request.user,
                tender=tender,
                text=data["text"],
                affects_bids=bool(data["affects_bids"]),
                new_bid_deadline=data["new_bid_deadline"] or None,
            )
        except REFUSED as e:
            status = refuse(form, e)
        else:
            moved = notice.data["old_bid_deadline"] != notice.data["new_bid_deadline"]
            messages.success(
                request,
                _("The correction %(number)s is published; the bid deadline is now %(deadline)s.")
                % {
                    "number": notice.number,
                    "deadline": timezone.localtime(
                        parse_datetime(notice.data["new_bid_deadline"])
                    ).strftime("%Y-%m-%d %H:%M"),
                }
                if moved
                else _("The correction %(number)s is published; the bid deadline stays.")
                % {"number": notice.number},
            )
            return redirect("tendering:round_detail", tender.pk)
    return render(
        request,
        "procurement/running/correction_form.html",
        {
            "tender": tender,
            "form": form,
            "lead": lead,
            "will_move": will_move,
            "moved_to": moved_to,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def round_terminate(request, pk: int):
    tender, acc = _round(request, pk)
    require(acc.purchaser)
    if tender.status not in (TenderStatus.BIDDING, TenderStatus.OPENED, TenderStatus.EVALUATED):
        messages.info(request, _("Only a round under way is terminated."))
        return redirect("tendering:round_detail", tender.pk)
    form = TerminateForm(posted(request))
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            tendering_services.terminate_round(
                actor=request.user,
                tender=tender,
                reason=form.cleaned_data["reason"],
                cancel_project=bool(form.cleaned_data["cancel_project"]),
            )
        except REFUSED as e:
            status = refuse(form, e)
        else:
            messages.success(request, _("The round is terminated and the notice published."))
            return redirect("tendering:round_detail", tender.pk)
    return render(
        request,
        "procurement/running/terminate_confirm.html",
        {"tender": tender, "form": form},
        status=status,
    )


@login_required
@require_POST
def round_open(request, pk: int):
    """开标 at the opening time (the server's clock decides)."""
    tender, acc = _round(request, pk)
    require(acc.purchaser)
    form = _refused_form(request.POST)
    try:
        tender = tendering_services.open_bids(actor=request.user, tender=tender)
    except REFUSED as e:
        status = refuse(form, e)
        return _round_page(request, tender, acc, open_form=form, status=status)
    if tender.status == TenderStatus.FAILED:
        messages.warning(request, _("Too few bids arrived: the round failed (流标)."))
        return redirect("tendering:round_detail", tender.pk)
    messages.success(request, _("The bids are opened; the bidders see the opening record."))
    return redirect("tendering:opening", tender.pk)


@login_required
@require_POST
def quote_round_open(request, pk: int):
    tender, acc = _round(request, pk)
    require(acc.purchaser)
    form = QuoteRoundForm(request.POST)
    status = 200
    if form.is_valid():
        try:
            tendering_services.open_quote_round(
                actor=request.user, tender=tender, deadline=form.cleaned_data["deadline"]
            )
        except REFUSED as e:
            status = refuse(form, e)
        else:
            messages.success(request, _("A new round of quotes is open to the valid bidders."))
            return redirect("tendering:round_detail", tender.pk)
    return _round_page(request, tender, acc, quote_round_form=form, status=status)


# --- the opening -------------------------------------------------------------------------------


def _opening_page(request, tender, acc, *, status=200, **forms):
    """The opening record; read only — a GET never opens the bids. Once the
    opening time has passed and the bids wait to be opened, the round's
    purchaser and bidders see a button that asks for the opening (a POST)."""
    user = request.user
    if sealing.opening_due(tender) and (acc.reads_all_bids or acc.is_bidder):
        return render(
            request,
            "procurement/running/opening.html",
            {
                "tender": tender,
                "acc": acc,
                "due": True,
                "may_open": acc.purchaser or acc.is_bidder,
                "open_form": forms.get("open_form") or BaseForm(),
            },
            status=status,
        )
    try:
        record = bidding.opening_record_for_user(user, tender)
    except sealing.Sealed as e:
        return _sealed(request, e, tender)
    responses = list(bidding.opening_responses(tender))
    mine = [r for r in responses if r.provider_id in acc.bidder_ids]
    may_respond = (
        bool(acc.bidder_ids)
        and not mine
        and tender.opened_at is not None
        and tender.evaluated_at is None
        and any(line["provider"] in acc.bidder_ids for line in record)
    )
    context = {
        "tender": tender,
        "acc": acc,
        "record": [_record_line(line) for line in record],
        "responses": responses,
        "mine": mine,
        "may_respond": may_respond,
        "may_reply": acc.purchaser,
        "respond_form": OpeningResponseForm(),
        "reply_forms": {},
    }
    context.update({k: v for k, v in forms.items() if v is not None})
    return render(request, "procurement/running/opening.html", context, status=status)


def _record_line(line: dict) -> dict:
    size = line.get("sme_size") or ""
    return {
        **line,
        "received": parse_datetime(line["received_at"]),
        "sme_label": SmeSize(size).label if size in SmeSize.values else "",
    }


@login_required
def opening(request, pk: int):
    tender, acc = _round(request, pk)
    return _opening_page(request, tender, acc)


@login_required
@require_POST
def opening_open(request, pk: int):
    """A bidder (or the purchaser) asks for the opening on the opening page, at
    the opening time (不见面开标). Idempotent: an opened round just shows its record."""
    tender, acc = _round(request, pk)
    require(acc.purchaser or acc.is_bidder)
    form = _refused_form(request.POST)
    try:
        tender = tendering_services.open_bids(actor=request.user, tender=tender)
    except REFUSED as e:
        status = refuse(form, e)
        return _opening_page(request, tender, acc, open_form=form, status=status)
    return redirect("tendering:opening", tender.pk)


@login_required
@require_POST
def opening_respond(request, pk: int):
    provider = acting_provider(request)
    tender, acc = _round(request, pk)
    form = OpeningResponseForm(request.POST)

    def done(confirmed):
        messages.success(
            request,
            _("You confirmed the opening record.")
            if confirmed
            else _("Your objection is recorded; the purchaser replies in the record."),
        )
        return redirect("tendering:opening", tender.pk)

    response, status = two_way(
        request,
        form,
        field="answer",
        yes="confirm",
        no="object",
        missing=_("Confirm the record or object to it."),
        act=lambda confirm, data: tendering_services.respond_to_opening(
            actor=request.user,
            tender=tender,
            provider=provider,
            confirm=confirm,
            objection=data["objection"],
        ),
        done=done,
    )
    return response or _opening_page(request, tender, acc, respond_form=form, status=status)


@login_required
@require_POST
def opening_reply(request, pk: int, response_pk: int):
    tender, acc = _round(request, pk)
    response = get_object_or_404(OpeningResponse, pk=response_pk, tender=tender)
    require(acc.purchaser)
    form = ReplyForm(request.POST)
    status = 200
    if form.is_valid():
        try:
            tendering_services.reply_to_objection(
                actor=request.user, response=response, reply=form.cleaned_data["reply"]
            )
        except REFUSED as e:
            status = refuse(form, e)
        else:
            messages.success(request, _("Your reply is in the opening record."))
            return redirect("tendering:opening", tender.pk)
    return _opening_page(request, tender, acc, reply_forms={response.pk: form}, status=status)


# --- the panel ---------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def panel_appoint(request, pk: int):
    tender, acc = _round(request, pk)
    require(acc.purchaser)
    project = tender.project
    experts = [m.user for m in tendering_selectors.expert_pool(project)]
    reps = [m.user for m in tendering_selectors.representatives(project)]
    current = list(bidding.panel_of(tender))
    chair = next((p for p in current if p.is_chair), None)
    form = PanelForm(
        posted(request),
        experts=experts,
        representatives=reps,
        initial={
            "members": [str(p.user_id) for p in current],
            "chair": str(chair.user_id) if chair else "",
        },
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        people = {str(u.pk): u for u in [*experts, *reps]}
        members = [people[i] for i in form.cleaned_data["members"]]
        chosen_chair = people.get(form.cleaned_data["chair"] or "")
        try:
            tendering_services.appoint_panel(
                actor=request.user, tender=tender, members=members, chair=chosen_chair
            )
        except REFUSED as e:
            status = refuse(form, e)
        else:
            messages.success(request, _("The panel is appointed."))
            return redirect("tendering:round_detail", tender.pk)
    return render(
        request,
        "procurement/running/panel_form.html",
        {
            "tender": tender,
            "form": form,
            "experts": experts,
            "reps": reps,
            "current": current,
        },
        status=status,
    )


def _score_field(bid_id, criterion_id) -> str:
    # The service names its errors so: they land beside the right input.
    return f"scores.{bid_id}.{criterion_id}"


class ScoreForm(BaseForm):
    def __init__(self, *args, sheet=(), criteria=(), **kwargs):
        from django import forms as dj

        super().__init__(*args, **kwargs)
        for row in sheet:
            for c in criteria:
                self.fields[_score_field(row.bid.pk, c.pk)] = dj.CharField(
                    label=c.name,
                    required=False,
                    widget=dj.TextInput(
                        attrs={
                            "class": "form-control form-control-sm",
                            "inputmode": "decimal",
                            "autocomplete": "off",
                            "size": 5,
                        }
                    ),
                )


def _panel_page(request, tender, acc, member, *, status=200, score_form=None, declare_form=None):
    criteria = list(tender.criteria.all())
    names, sheet = [], []
    declared = member.no_conflict_declared_at is not None
    try:
        if declared:
            sheet = bidding.panel_sheet(request.user, tender)
        else:
            names = [
                line["provider_name"]
                for line in bidding.opening_record_for_user(request.user, tender)
            ]
    except sealing.Sealed as e:
        return _sealed(request, e, tender)
    if score_form is None and declared:
        score_form = ScoreForm(
            sheet=sheet,
            criteria=criteria,
            initial={
                _score_field(row.bid.pk, cid): points
                for row in sheet
                for cid, points in row.my_scores.items()
            },
        )
    rows = [
        {
            "entry": row,
            "cells": [(c, score_form[_score_field(row.bid.pk, c.pk)]) for c in criteria]
            if score_form is not None
            else [],
        }
        for row in sheet
    ]
    return render(
        request,
        "procurement/running/panel_sheet.html",
        {
            "tender": tender,
            "member": member,
            "criteria": criteria,
            "names": names,
            "rows": rows,
            "score_form": score_form,
            "declare_form": declare_form or BaseForm(),
            "declared": declared,
            "submitted": member.submitted_at is not None,
            "may_score": declared
            and member.submitted_at is None
            and tender.status == TenderStatus.OPENED
            and not sealing.quotes_sealed(tender),
        },
        status=status,
    )


def _member_of(request, tender) -> PanelMember:
    """The user's seat on the panel (403 without one). Before the opening the
    seal answers first, so that every attempt is audited."""
    sealing.unseal(request.user, tender, what="score sheet")
    member = PanelMember.objects.filter(tender=tender, user=request.user).first()
    require(member is not None)
    return member


@login_required
@require_http_methods(["GET", "POST"])
def panel_sheet(request, pk: int):
    """A panel member's page: declare no conflict, then score each bid on each
    criterion, with each bidder's credit record (S9) beside its bid."""
    tender, acc = _round(request, pk)
    try:
        member = _member_of(request, tender)
    except sealing.Sealed as e:
        return _sealed(request, e, tender)
    if request.method == "GET":
        return _panel_page(request, tender, acc, member)
    try:
        sheet = bidding.panel_sheet(request.user, tender)
    except sealing.Sealed as e:
        return _sealed(request, e, tender)
    criteria = list(tender.criteria.all())
    form = ScoreForm(request.POST, sheet=sheet, criteria=criteria)
    status = 200
    if form.is_valid():
        scores: dict[int, dict[int, str]] = {}
        for row in sheet:
            scores[row.bid.pk] = {
                c.pk: form.cleaned_data[_score_field(row.bid.pk, c.pk)] for c in criteria
            }
        try:
            tendering_services.submit_scores(actor=request.user, tender=tender, scores=scores)
        except REFUSED as e:
            status = refuse(form, e)
        else:
            messages.success(request, _("Your scores are submitted."))
            return redirect("tendering:panel_sheet", tender.pk)
    return _panel_page(request, tender, acc, member, status=status, score_form=form)


@login_required
@require_POST
def panel_declare(request, pk: int):
    tender, acc = _round(request, pk)
    try:
        member = _member_of(request, tender)
    except sealing.Sealed as e:
        return _sealed(request, e, tender)
    form = _refused_form(request.POST)
    try:
        tendering_services.declare_no_conflict(actor=request.user, tender=tender)
    except REFUSED as e:
        status = refuse(form, e)
        return _panel_page(request, tender, acc, member, status=status, declare_form=form)
    messages.success(request, _("You declared no conflict of interest (回避)."))
    return redirect("tendering:panel_sheet", tender.pk)


# --- bids: the purchaser's and panel's view (sealed until the opening) -----------------------


def _bids_page(request, tender, acc, *, status=200, review_forms=None):
    try:
        bids = list(bidding.bids_for_user(request.user, tender, what="bid list page"))
    except sealing.Sealed as e:
        return _sealed(request, e, tender)
    is_chair = PanelMember.objects.filter(tender=tender, user=request.user, is_chair=True).exists()
    may_review = permissions.can_review_bids(request.user, tender, is_chair=is_chair)
    return render(
        request,
        "procurement/running/bid_list.html",
        {
            "tender": tender,
            "acc": acc,
            "bids": [
                {
                    "bid": b,
                    "final_price": final_price(b),
                    "over_budget": final_price(b) > tender.project.amount,
                }
                for b in bids
            ],
            "may_review": may_review,
            "review_forms": review_forms or {},
            "review_form": ReviewBidForm(),
        },
        status=status,
    )


@login_required
def bid_list(request, pk: int):
    tender, acc = _round(request, pk)
    return _bids_page(request, tender, acc)


@login_required
@require_POST
def bid_review(request, pk: int):
    """资格性、符合性审查 by the panel's chair or the purchaser."""
    try:
        bid = bidding.bid_for_user(request.user, pk)
    except sealing.Sealed as e:
        return _sealed(request, e)
    tender, acc = _round(request, bid.tender_id)
    is_chair = PanelMember.objects.filter(tender=tender, user=request.user, is_chair=True).exists()
    require(acc.purchaser or is_chair)
    form = ReviewBidForm(request.POST)

    def done(_valid):
        messages.success(request, _("The review of the bid is recorded."))
        return redirect("tendering:bid_list", tender.pk)

    response, status = two_way(
        request,
        form,
        field="decision",
        yes="valid",
        no="invalid",
        missing=_("Find the bid valid or invalid."),
        act=lambda valid, data: tendering_services.review_bid(
            actor=request.user, bid=bid, valid=valid, reason=data["reason"]
        ),
        done=done,
    )
    return response or _bids_page(request, tender, acc, status=status, review_forms={bid.pk: form})


@login_required
def bid_detail(request, pk: int):
    try:
        bid = bidding.bid_for_user(request.user, pk)
    except sealing.Sealed as e:
        return _sealed(request, e)
    acc = bidding.access(request.user, bid.tender)
    return render(
        request,
        "procurement/running/bid_detail.html",
        {"bid": bid, "tender": bid.tender, "acc": acc, "final_price": final_price(bid)},
    )


@login_required
def attachment_download(request, pk: int):
    try:
        attachment = bidding.attachment_for_user(request.user, pk)
    except sealing.Sealed as e:
        return _sealed(request, e)
    if not attachment.file:  # deleted after the retention period (the bid page says so)
        raise Http404("The stored file was deleted after its retention period.")
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.name,
        content_type=attachment.content_type,
    )


# --- evaluation, award, result -----------------------------------------------------------------


def _evaluation_page(request, tender, acc, *, status=200, award_form=None):
    try:
        # The seal first: anyone who sees the round and tries this page before
        # the opening is refused and audited, whatever their role.
        sealing.unseal(request.user, tender, what="evaluation page")
        require(acc.reads_all_bids)
        bids = list(bidding.bids_for_user(request.user, tender, what="evaluation page"))
        scores = list(bidding.scores_for_user(request.user, tender))
    except sealing.Sealed as e:
        return _sealed(request, e, tender)
    criteria = list(tender.criteria.all())
    members = list(bidding.panel_of(tender))
    rows = []
    for b in bids:
        price = final_price(b)
        deducted = tender.sme_deduction > 0 and scoring.deducted(
            small_or_micro=b.is_small_or_micro, reserved_for_sme=tender.reserved_for_sme
        )
        rows.append(
            {
                "bid": b,
                "final_price": price,
                "deducted": deducted,
                "over_budget": price > tender.project.amount,
            }
        )
    ranked = sorted(
        [r for r in rows if r["bid"].rank is not None], key=lambda r: (r["bid"].rank, r["bid"].pk)
    )
    unranked = [r for r in rows if r["bid"].rank is None]
    # Each member's sheet: bid → criterion → points, shown once the evaluation ends.
    sheets = {}
    if tender.evaluated_at is not None:
        for s in scores:
            sheet = sheets.setdefault(s.member_id, {})
            sheet.setdefault(s.bid_id, {})[s.criterion_id] = s.points
    member_sheets = [
        {
            "member": m,
            "rows": [
                {
                    "bid": r["bid"],
                    "points": [
                        sheets.get(m.pk, {}).get(r["bid"].pk, {}).get(c.pk) for c in criteria
                    ],
                    "total": sum(
                        (p for p in sheets.get(m.pk, {}).get(r["bid"].pk, {}).values()), 0
                    ),
                }
                for r in ranked
            ],
        }
        for m in members
    ]
    confirmation = current_deadline(tender, DeadlineKind.CONFIRMATION)
    may_award = permissions.can_award(request.user, tender)
    if award_form is None and may_award:
        award_form = AwardForm(initial={"bid": str(ranked[0]["bid"].pk) if ranked else ""})
    return render(
        request,
        "procurement/running/evaluation.html",
        {
            "tender": tender,
            "acc": acc,
            "criteria": criteria,
            "members": members,
            "ranked": ranked,
            "unranked": unranked,
            "member_sheets": member_sheets if tender.evaluated_at else [],
            "confirmation": confirmation,
            "confirmation_late": bool(
                confirmation
                and confirmation.due_at
                and confirmation.done_at is None
                and timezone.now() > confirmation.due_at
            ),
            "may_award": may_award,
            "award_form": award_form,
            "sme_percent": tender.sme_deduction * 100,
        },
        status=status,
    )


@login_required
def evaluation(request, pk: int):
    tender, acc = _round(request, pk)
    return _evaluation_page(request, tender, acc)


@login_required
@require_POST
def award_confirm(request, pk: int):
    tender, acc = _round(request, pk)
    require(acc.purchaser)
    form = AwardForm(request.POST)
    status = 200
    if form.is_valid():
        data = form.cleaned_data
        # An id (0 for anything else): the service looks it up among the ranked bids.
        chosen = None
        if data["bid"]:
            chosen = int(data["bid"]) if data["bid"].isdigit() else 0
        if not form.errors:
            try:
                tendering_services.confirm_award(
                    actor=request.user,
                    tender=tender,
                    bid=chosen,
                    reason=data["reason"],
                    late_reason=data["late_reason"],
                )
            except REFUSED as e:
                status = refuse(form, e)
            else:
                messages.success(
                    request, _("The winner is confirmed; publish the result notice next.")
                )
                return redirect("tendering:round_detail", tender.pk)
    return _evaluation_page(request, tender, acc, status=status, award_form=form)


@login_required
@require_http_methods(["GET", "POST"])
def result_publish(request, pk: int):
    """中标（成交）结果公告, late only with a recorded reason."""
    tender, acc = _round(request, pk)
    require(acc.purchaser)
    if not permissions.result_publishable(tender):
        messages.info(request, _("The result is published once, after the winner is confirmed."))
        return redirect("tendering:round_detail", tender.pk)
    due = current_deadline(tender, DeadlineKind.RESULT_NOTICE)
    late = bool(due and due.due_at and timezone.now() > due.due_at)
    form = ResultForm(posted(request))
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            notice = tendering_services.publish_result(
                actor=request.user,
                tender=tender,
                note=form.cleaned_data["note"],
                late_reason=form.cleaned_data["late_reason"],
            )
        except REFUSED as e:
            status = refuse(form, e)
        else:
            messages.success(
                request, _("The result notice %(number)s is published.") % {"number": notice.number}
            )
            return redirect("tendering:round_detail", tender.pk)
    members = []
    framework = FrameworkAgreement.objects.filter(tender=tender).first()
    if framework is not None:
        members = list(framework.members.select_related("provider"))
    return render(
        request,
        "procurement/running/result_form.html",
        {
            "tender": tender,
            "form": form,
            "due": due,
            "late": late,
            "framework": framework,
            "members": members,
            "savings_percent": tender.savings_rate * 100
            if tender.savings_rate is not None
            else None,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def call_offs(request, pk: int):
    """框架协议 second stage: orders under the agreement."""
    tender, acc = _round(request, pk)
    framework = FrameworkAgreement.objects.filter(tender=tender).first()
    if framework is None:
        raise Http404("This round has no framework agreement.")
    members = list(framework.members.select_related("provider"))
    orders = list(framework.call_offs.select_related("member__provider", "created_by"))
    may_order = permissions.can_place_orders(request.user, tender)
    if request.method == "POST":
        require(acc.purchaser)
    form = CallOffForm(posted(request), members=members)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        member = next((m for m in members if str(m.pk) == data["member"]), None)
        if member is None:
            form.add_error("member", _("Choose a provider admitted to the agreement."))
        else:
            try:
                tendering_services.call_off(
                    actor=request.user,
                    member=member,
                    amount=data["amount"],
                    description=data["description"],
                    recipient_name=data["recipient_name"],
                )
            except REFUSED as e:
                status = refuse(form, e)
            else:
                messages.success(request, _("The order is placed."))
                return redirect("tendering:call_offs", tender.pk)
    return render(
        request,
        "procurement/running/call_offs.html",
        {
            "tender": tender,
            "framework": framework,
            "members": members,
            "orders": orders,
            "ordered": sum((o.amount for o in orders), 0),
            "may_order": may_order,
            "form": form,
        },
        status=status,
    )


# --- providers: opportunities, bids, quotes ---------------------------------------------------


@login_required
def opportunities(request):
    acting_provider(request)
    filters, wanted = filters_of(OpportunityFilterForm, request)
    rounds = bidding.opportunities(
        q=wanted.get("q"), region=wanted.get("region"), method=wanted.get("method") or None
    )
    return render(
        request,
        "procurement/running/opportunities.html",
        {
            "page": page_of(request, rounds),
            "filters": filters,
            "filtered": any(wanted.values()) if wanted else False,
            "invitations": list(bidding.invitations_for(request.user)),
            "now": timezone.now(),
        },
    )


@login_required
def my_bids(request):
    acting_provider(request)
    q = (request.GET.get("q") or "").strip()[:100]
    status = request.GET.get("status") or ""
    receipts = bidding.receipts_for_user(request.user, q=q, status=status or None)
    return render(
        request,
        "procurement/running/my_bids.html",
        {
            "page": page_of(request, receipts),
            "q": q,
            "status": status,
            "statuses": BidStatus.choices,
            "now": timezone.now(),
        },
    )


def _bid_page(request, tender, provider, form, *, status=200):
    now = timezone.now()
    receipts = [
        r for r in bidding.receipt_for_user(request.user, tender) if r.provider_id == provider.pk
    ]
    live = next((r for r in receipts if r.status == BidStatus.SUBMITTED), None)
    invited = permissions.is_invited(provider, tender)
    open_ = permissions.bidding_open(tender, now)
    eligibility = bidding_violations(provider, at=timezone.localdate()) if open_ and invited else []
    return render(
        request,
        "procurement/running/bid_form.html",
        {
            "tender": tender,
            "provider": provider,
            "form": form,
            "receipts": receipts,
            "live": live,
            "invited": invited,
            "open": open_,
            "now": now,
            "eligibility": eligibility,
        },
        status=status if invited else 403,
    )


@login_required
@require_http_methods(["GET", "POST"])
def bid_submit(request, pk: int):
    """The bid form: price, technical response, attachments, declared SME size;
    replaces the provider's live bid until the deadline. The server's clock
    stamps the bid; the page shows the receipt, never the content."""
    provider = acting_provider(request)
    tender = bidding.public_tender(pk)
    from django.conf import settings

    form = BidForm(
        posted(request),
        request.FILES if request.method == "POST" else None,
        initial={"sme_size": provider.sme_size},
        max_mb=settings.GOVBUY_UPLOAD_MAX_MB,
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            bid = tendering_services.submit_bid(
                actor=request.user,
                tender=tender,
                provider=provider,
                price=data["price"],
                technical_response=data["technical_response"],
                sme_size=data["sme_size"],
                attachments=data["attachments"],
                replace=request.POST.get("replace") == "1",
            )
        except REFUSED as e:
            status = refuse(form, e)
        else:
            messages.success(
                request,
                _(
                    "The platform received your bid at %(at)s (server time). Keep its digest: "
                    "%(digest)s."
                )
                % {
                    "at": timezone.localtime(bid.submitted_at).strftime("%Y-%m-%d %H:%M:%S"),
                    "digest": bid.digest,
                },
            )
            return redirect("tendering:bid_submit", tender.pk)
    return _bid_page(request, tender, provider, form, status=status)


def _own_bid(request, pk):
    bid = bidding.receipts_for_user(request.user).filter(pk=pk).first()
    if bid is None:
        raise Http404("No bid of yours matches the given query.")
    return bid


@login_required
@require_http_methods(["GET", "POST"])
def bid_withdraw(request, pk: int):
    acting_provider(request)
    bid = _own_bid(request, pk)
    tender = bid.tender
    if bid.status != BidStatus.SUBMITTED:
        messages.info(request, _("This bid is no longer live."))
        return redirect("tendering:my_bids")
    form = BaseForm(posted(request))
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            tendering_services.withdraw_bid(actor=request.user, bid=bid)
        except REFUSED as e:
            status = refuse(form, e)
        else:
            messages.success(request, _("Your bid is withdrawn."))
            return redirect("tendering:my_bids")
    return render(
        request,
        "procurement/running/bid_withdraw.html",
        {"bid": bid, "tender": tender, "form": form},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def quote_submit(request, pk: int):
    """A further quote in competitive negotiation or consultation (sealed until
    the round's deadline, so the page shows receipts only)."""
    provider = acting_provider(request)
    tender, acc = _round(request, pk)
    receipts = list(bidding.receipt_for_user(request.user, tender))
    bid = next(
        (r for r in receipts if r.status == BidStatus.SUBMITTED and r.provider_id == provider.pk),
        None,
    )
    require(bid is not None)
    form = QuoteForm(posted(request))
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            quote = tendering_services.submit_quote(
                actor=request.user,
                bid=bid,
                price=form.cleaned_data["price"],
                note=form.cleaned_data["note"],
            )
        except REFUSED as e:
            status = refuse(form, e)
        else:
            messages.success(
                request,
                _("The platform received your quote at %(at)s (server time).")
                % {"at": timezone.localtime(quote.submitted_at).strftime("%Y-%m-%d %H:%M:%S")},
            )
            return redirect("tendering:quote_submit", tender.pk)
    sent = list(bid.quotes.filter(round_no=tender.quote_round).only("round_no", "submitted_at"))
    return render(
        request,
        "procurement/running/quote_form.html",
        {
            "tender": tender,
            "bid": bid,
            "form": form,
            "sent": sent,
            "open": tender.status == TenderStatus.OPENED
            and tender.quote_deadline is not None
            and timezone.now() < tender.quote_deadline,
        },
        status=status,
    )


# --- public: notices and rounds ----------------------------------------------------------------


# Numbered pages of the public notice list; deeper pages by the Next link (cursor).
NOTICE_NUMBERED_PAGES = 20


def _page_number(value) -> int:
    try:
        return max(int(value), 1)
    except (TypeError, ValueError):
        return 1


def notice_list(request):
    """The public notices, newest first, by keyset pages (C10): a cursor or a page
    number up to NOTICE_NUMBERED_PAGES; no COUNT(*), an estimated total."""
    filters, wanted = filters_of(NoticeFilterForm, request)
    criteria = {
        "kind": wanted.get("kind") or None,
        "q": wanted.get("q"),
        "region": wanted.get("region"),
        "method": wanted.get("method") or None,
    }
    notices = bidding.public_notices(**criteria)
    context = {"filters": filters, "filtered": any(wanted.values()) if wanted else False}
    try:
        page = keyset_page_of(
            notices,
            cursor=request.GET.get("cursor") or None,
            number=_page_number(request.GET.get("page")),
            ordering=bidding.NOTICE_ORDER,
            page_size=PAGE_SIZE,
            max_page=NOTICE_NUMBERED_PAGES,
        )
    except (InvalidCursor, PageTooDeep) as exc:
        context.update(page=None, page_error=exc.message)
        return render(request, "public/notice_list.html", context, status=400)
    total = estimated_count(bidding.public_notices(**criteria, for_estimate=True))
    context.update(page=page, total=total)
    return render(request, "public/notice_list.html", context)


def _moment_of(value):
    return parse_datetime(value) if isinstance(value, str) and value else None


def notice_facts(notice: Notice) -> dict:
    """The notice's stored data made ready to show: labels for its codes, times
    parsed. The page shows what was published, not today's state of the round."""
    data = dict(notice.data or {})
    facts = {"data": data}
    if data.get("method") in Method.values:
        facts["method_label"] = Method(data["method"]).label
    if data.get("evaluation_method") in EvaluationMethod.values:
        facts["evaluation_label"] = EvaluationMethod(data["evaluation_method"]).label
    for key in ("bid_deadline", "opening_at", "old_bid_deadline", "new_bid_deadline", "awarded_at"):
        facts[key] = _moment_of(data.get(key))
    facts["deadlines"] = []
    for d in data.get("deadlines", []):
        due = _moment_of(d.get("due_at"))
        local = timezone.localtime(due) if due else None
        facts["deadlines"].append(
            {
                **d,
                "label": DeadlineKind(d["kind"]).label
                if d.get("kind") in DeadlineKind.values
                else d.get("kind"),
                "due": due,
                # A day's deadline is stored as its last moment: shown as the day.
                "whole_day": bool(local and (local.hour, local.minute) == (23, 59)),
            }
        )
    if data.get("sme_deduction") not in (None, ""):
        with contextlib.suppress(ValueError):
            facts["sme_percent"] = f"{float(data['sme_deduction']) * 100:g}"
    if data.get("savings_rate") not in (None, ""):
        with contextlib.suppress(ValueError):
            facts["savings_percent"] = f"{float(data['savings_rate']) * 100:.2f}"
    return facts


def notice_detail(request, pk: int):
    notice = bidding.public_notice(pk)
    history = list(bidding.notices_of(notice.project))
    return render(
        request,
        "public/notice_detail.html",
        {"notice": notice, "history": history, **notice_facts(notice)},
    )


def round_public(request, pk: int):
    """A round as the public sees it: its notices and deadlines, never its bids."""
    tender = bidding.public_tender(pk)
    m = active_membership(request)
    provider = m.organization if m is not None and m.role == Role.PROVIDER else None
    now = timezone.now()
    return render(
        request,
        "procurement/running/round_public.html",
        {
            "tender": tender,
            "deadlines": deadline_rows(bidding.deadlines_of(tender=tender), tender, now),
            "notices": list(tender.notices.order_by("published_at", "pk")),
            "provider": provider,
            "may_bid": permissions.can_bid(provider, tender, now),
            "now": now,
        },
    )
