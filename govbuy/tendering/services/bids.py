"""Bids: submission before the deadline (the server's clock decides), withdrawal
and replacement until then, later quotes in negotiation and consultation, and
the opening (开标) with its record and the bidders' answers to it.

Bids and withdrawals take the round's row under a shared lock and stamp the
time while holding it; the opening takes the row exclusively. So a bid stamped
before the deadline is always in the opening record, and one stamped after is
refused — even with many bidders in the last second.
"""

from __future__ import annotations

import unicodedata
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from govbuy.accounts.models import Role
from govbuy.core import audit
from govbuy.core.errors import ApplicationError, InvalidInput, InvalidState, NotAllowed
from govbuy.core.money import CENT
from govbuy.core.permissions import member_orgs
from govbuy.core.rules import RuleViolation, enforce
from govbuy.core.uploads import DOCUMENT_KINDS, IMAGE_KINDS, check_upload
from govbuy.orgs.models import Organization, SmeSize
from govbuy.orgs.selectors import bidding_violations
from govbuy.procurement.models import ProjectStatus
from govbuy.procurement.rules import P2
from govbuy.procurement.services import projects as planning
from govbuy.tendering import permissions, schedule, sealing
from govbuy.tendering.audit_actions import TenderingAction
from govbuy.tendering.models import (
    Bid,
    BidAttachment,
    BidQuote,
    BidStatus,
    DeadlineKind,
    OpeningAnswer,
    OpeningResponse,
    Tender,
    TenderStatus,
)
from govbuy.tendering.permissions import require_provider, require_purchaser
from govbuy.tendering.rules import running as running_rules
from govbuy.tendering.services.common import (
    SYSTEM,
    aware,
    clean_text,
    complete_deadline,
    guard_not_suspended,
    locked_project,
    locked_tender,
    rules_for,
    share_locked_tender,
    store_deadlines,
    within_horizon,
)
from govbuy.tendering.services.rounds import fail

MAX_ATTACHMENTS = 10
MAX_PRICE = Decimal("99999999999999.99")
ATTACHMENT_KINDS = DOCUMENT_KINDS + tuple(k for k in IMAGE_KINDS if k not in DOCUMENT_KINDS)


def parse_price(value, field: str = "price") -> Decimal:
    """A price as people type it — "720000", "720,000.00", full-width "７２０，０００" —
    as Decimal 元 with two places."""
    try:
        typed = unicodedata.normalize("NFKC", str(value)).strip()
        price = Decimal(typed.replace(",", ""))
        if not price.is_finite():
            raise InvalidOperation
    except (InvalidOperation, ValueError, TypeError):
        raise ApplicationError(
            "invalid_amount", _("Give the price in 元, e.g. 486000.00."), field=field
        ) from None
    if price <= 0:
        raise ApplicationError(
            "invalid_amount", _("The price must be more than 0 元."), field=field
        )
    # Before quantize: a huge value (1e400) would make quantize raise InvalidOperation.
    if price > MAX_PRICE:
        raise ApplicationError("invalid_amount", _("The price is too large."), field=field)
    if price != price.quantize(CENT):
        raise ApplicationError(
            "invalid_amount", _("The price has at most 2 decimals (分)."), field=field
        )
    return price.quantize(CENT)


def bid_digest(*, tender_id, provider_id, price, technical_response, sme_size, attachments) -> str:
    """SHA-256 over the bid's canonical form (`sealing.canonical_form`): the
    receipt the bidder keeps, checked again at the opening."""
    return sealing.digest(
        tender_id=tender_id,
        provider_id=provider_id,
        price=price,
        technical_response=technical_response,
        sme_size=sme_size,
        attachments=attachments,
    )


def _check_input(price, technical_response, sme_size, attachments):
    errors: list[dict] = []
    clean_price = None
    try:
        clean_price = parse_price(price)
    except ApplicationError as exc:
        errors.append({"field": "price", "message": exc.message})
    try:
        text = clean_text(
            technical_response,
            field="technical_response",
            label=_("the technical response"),
            limit=50000,
        )
    except ApplicationError as exc:
        errors.append({"field": "technical_response", "message": exc.message})
        text = ""
    sme_size = (sme_size or "").strip()
    if sme_size and sme_size not in SmeSize.values:
        errors.append({"field": "sme_size", "message": _("Unknown enterprise size.")})
    files = list(attachments or [])
    checked = []
    if len(files) > MAX_ATTACHMENTS:
        errors.append(
            {
                "field": "attachments",
                "message": _("At most %(n)s attachments.") % {"n": MAX_ATTACHMENTS},
            }
        )
    else:
        for f in files:
            try:
                checked.append((f, check_upload(f, field="attachments", allowed=ATTACHMENT_KINDS)))
            except ApplicationError as exc:
                errors.append({"field": "attachments", "message": exc.message})
    if errors:
        raise InvalidInput(errors)
    return clean_price, text, sme_size, checked


def _check_changes(tender: Tender, provider: Organization) -> None:
    """A bid may be replaced (or withdrawn and given again) before the deadline
    (87号令 第三十四条), a limited number of times (`bid.max_replacements`)."""
    earlier = Bid.objects.filter(tender=tender, provider=provider).count()
    if not earlier:
        return
    cap = rules_for(tender.project).cite("bid.max_replacements")
    if earlier > cap.value:
        raise ApplicationError(
            "too_many_changes",
            _(
                "Your organization has already changed its bid on this round %(n)s times "
                "(replaced, or withdrawn and bid again); at most %(cap)s changes are accepted: "
                "%(param)s. Nothing was changed."
            )
            % {"n": earlier - 1, "cap": cap.value, "param": cap.text},
            field="replace",
        )


def submit_bid(**kwargs) -> Bid:
    """Receive a bid (see `_receive_bid`). The attachment files are written inside
    the transaction (the rows name them) and removed if it does not commit: the
    service failing, or — called outside any transaction, as views and the API do —
    the commit itself failing."""
    written: list[BidAttachment] = []
    try:
        with transaction.atomic():
            return _receive_bid(written=written, **kwargs)
    except BaseException:
        _remove_files(written)
        raise


def _receive_bid(
    *,
    actor,
    tender: Tender,
    provider: Organization,
    price,
    technical_response: str,
    sme_size: str = "",
    attachments=(),
    replace: bool = False,
    written: list[BidAttachment],
) -> Bid:
    """Input is checked before anything is locked; the time of receipt is stamped
    under the round's lock and must be before the deadline. Each attachment file
    written is appended to `written` (the caller removes them on rollback)."""
    require_provider(actor, provider)
    price, text, sme_size, checked = _check_input(price, technical_response, sme_size, attachments)
    tender = share_locked_tender(tender)
    received_at = timezone.now()
    if tender.status != TenderStatus.BIDDING:
        enforce(
            running_rules.late_bid_violations(received_at=received_at, deadline=tender.bid_deadline)
        )
        raise InvalidState(_("Bidding on this round is closed."))
    enforce(
        running_rules.late_bid_violations(received_at=received_at, deadline=tender.bid_deadline)
    )
    guard_not_suspended(tender)
    if not permissions.is_invited(provider, tender):
        raise RuleViolation(
            [
                P2.violation(
                    _("Only the providers invited by the purchaser respond to this round."),
                    field="provider",
                )
            ]
        )
    provider = Organization.objects.get(pk=provider.pk)
    problems = bidding_violations(provider, at=timezone.localtime(received_at).date())
    problems += running_rules.sme_declaration_violations(
        org_type=provider.org_type, declared=sme_size, reserved=tender.reserved_for_sme
    )
    problems += running_rules.over_budget_violations(
        price=price, budget=tender.project.amount, invalid=tender.over_budget_invalid
    )
    warnings = enforce(problems)
    previous = (
        Bid.objects.select_for_update(of=("self",))
        .filter(tender=tender, provider=provider, status=BidStatus.SUBMITTED)
        .first()
    )
    if previous is not None and not replace:
        raise InvalidState(
            _("Your organization has already bid on this round: replace that bid or withdraw it.")
        )
    _check_changes(tender, provider)
    if previous is not None:
        previous.status = BidStatus.REPLACED
        previous.save(update_fields=["status"])
    digest = bid_digest(
        tender_id=tender.pk,
        provider_id=provider.pk,
        price=price,
        technical_response=text,
        sme_size=sme_size,
        attachments=[c.sha256 for _f, c in checked],
    )
    try:
        with transaction.atomic():
            bid = Bid.objects.create(
                tender=tender,
                provider=provider,
                status=BidStatus.SUBMITTED,
                submitted_at=received_at,
                submitted_by=actor,
                price=price,
                technical_response=text,
                sme_size=sme_size,
                digest=digest,
                replaces=previous,
                warnings=[v.as_record() for v in warnings],
            )
    except IntegrityError:
        raise InvalidState(
            _("Another bid of your organization arrived at the same moment; reload and check.")
        ) from None
    for f, c in checked:
        attachment = BidAttachment(
            bid=bid,
            name=c.name,
            kind=c.kind,
            content_type=c.content_type,
            size=c.size,
            sha256=c.sha256,
        )
        f.seek(0)
        attachment.file.save(c.name, f, save=False)
        written.append(attachment)
        attachment.save()
    audit.record(
        actor=actor,
        action=TenderingAction.BID_REPLACE if previous else TenderingAction.BID_SUBMIT,
        obj=bid,
        # Never the price or the content: the audit log is read before the opening.
        data={
            "tender": tender.pk,
            "received_at": received_at.isoformat(),
            "digest": digest,
            "replaces": previous.pk if previous else None,
            "attachments": len(checked),
        },
    )
    return bid


def _remove_files(attachments) -> None:
    for a in attachments:
        if a.file.name:
            a.file.storage.delete(a.file.name)


@transaction.atomic
def withdraw_bid(*, actor, bid: Bid) -> Bid:
    tender = share_locked_tender(bid.tender_id)
    bid = Bid.objects.select_for_update(of=("self",)).select_related("provider").get(pk=bid.pk)
    require_provider(actor, bid.provider)
    now = timezone.now()
    if bid.status != BidStatus.SUBMITTED:
        raise InvalidState(_("This bid is no longer live."))
    # Before the deadline; or, the round having ended without an opening
    # (terminated), at any time: such bids are never opened.
    ended_unopened = sealing.seal_state(tender, now) == "ended"
    if not ended_unopened and (tender.status != TenderStatus.BIDDING or now >= tender.bid_deadline):
        raise InvalidState(_("A bid is withdrawn only before the deadline."))
    bid.status = BidStatus.WITHDRAWN
    bid.withdrawn_at = now
    bid.save(update_fields=["status", "withdrawn_at"])
    audit.record(
        actor=actor,
        action=TenderingAction.BID_WITHDRAW,
        obj=bid,
        data={"tender": tender.pk, "at": now.isoformat()},
    )
    return bid


# --- the opening (开标) ------------------------------------------------------------------------


def opening_line(bid: Bid, budget=None) -> dict:
    return {
        "bid": bid.pk,
        "provider": bid.provider_id,
        "provider_name": bid.provider.name,
        "price": sealing.canonical_price(bid.price),
        "sme_size": bid.sme_size,
        "received_at": bid.submitted_at.isoformat(),
        "digest": bid.digest,
        "digest_version": bid.digest_version,
        "digest_ok": sealing.verify(bid),
        "attachments": len(bid.attachments.all()),
        "over_budget": budget is not None and bid.price > budget,
    }


def _require_opener(actor, tender: Tender) -> None:
    """The purchaser opens the bids; so may a bidder with a live bid, at the
    opening time (不见面开标: the bidders ask for the opening on its page when
    the purchaser has not yet pressed the button). Nobody else."""
    provider_ids = [o.pk for o in member_orgs(actor, Role.PROVIDER)]
    if (
        provider_ids
        and Bid.objects.filter(
            tender=tender, provider_id__in=provider_ids, status=BidStatus.SUBMITTED
        ).exists()
    ):
        return
    require_purchaser(actor, tender.project)


@transaction.atomic
def open_bids(*, actor=SYSTEM, tender: Tender) -> Tender:
    """At the opening time: read the bids out (the opening record, each digest
    checked), or end the round (流标) when too few arrived. Idempotent: the
    purchaser's button, a bidder's request on the opening page (both POST) and
    `manage.py tick` call it; no page opens the bids when it is only read."""
    tender = locked_tender(tender)
    if tender.status != TenderStatus.BIDDING:
        return tender
    if getattr(actor, "is_authenticated", False):
        _require_opener(actor, tender)
    now = timezone.now()
    if now < tender.opening_at:
        raise InvalidState(
            _("The opening is at %(time)s.")
            % {"time": timezone.localtime(tender.opening_at).strftime("%Y-%m-%d %H:%M:%S")}
        )
    guard_not_suspended(tender)
    bids = list(
        Bid.objects.filter(tender=tender, status=BidStatus.SUBMITTED)
        .select_related("provider")
        .prefetch_related("attachments")
        .order_by("submitted_at", "pk")
    )
    project = tender.project
    complete_deadline(project, tender, DeadlineKind.BID_DEADLINE, at=tender.bid_deadline)
    # The duty was due at the opening time and counts as met then, whoever asks
    # for it (the purchaser, a bidder, tick); the seal itself lifts only now.
    complete_deadline(project, tender, DeadlineKind.OPENING, at=tender.opening_at)
    budget = project.amount
    tender.opening_record = [opening_line(b, budget) for b in bids]
    # Above the budget where the notice says so: invalid, read out as such (87号令 第六十三条（四）).
    if tender.over_budget_invalid:
        over = [b for b in bids if b.price > budget]
        for b in over:
            b.valid = False
            b.invalid_reason = running_rules.over_budget_reason(price=b.price, budget=budget)
        Bid.objects.bulk_update(over, ["valid", "invalid_reason"])
    tender.opened_at = now
    tender.opened_by = actor if getattr(actor, "is_authenticated", False) else None
    if len(bids) < tender.min_bids:
        tender.save(update_fields=["opening_record", "opened_at", "opened_by", "updated_at"])
        fail(
            tender,
            reason=_(
                "%(n)s bid(s) arrived by the deadline; this method needs at least %(least)s "
                "(财政部令第87号 第四十三条)."
            )
            % {"n": len(bids), "least": tender.min_bids},
            actor=actor,
            now=now,
        )
        return tender
    tender.status = TenderStatus.OPENED
    tender.save(update_fields=["status", "opening_record", "opened_at", "opened_by", "updated_at"])
    project = locked_project(project)
    planning.move_stage(project, ProjectStatus.OPENED)
    store_deadlines(project, tender, schedule.after_opening(rules_for(project), now), now=now)
    audit.record(
        actor=actor,
        action=TenderingAction.ROUND_OPEN,
        obj=tender,
        data={
            "bids": len(bids),
            "digests_ok": all(line["digest_ok"] for line in tender.opening_record),
            "over_budget": [line["bid"] for line in tender.opening_record if line["over_budget"]],
        },
    )
    return tender


@transaction.atomic
def respond_to_opening(
    *, actor, tender: Tender, provider: Organization, confirm: bool, objection: str = ""
) -> OpeningResponse:
    """A bidder confirms the opening record or objects to it (不见面开标)."""
    require_provider(actor, provider)
    tender = locked_tender(tender)
    if tender.opened_at is None:
        raise InvalidState(_("The bids are not opened yet."))
    if not any(line["provider"] == provider.pk for line in tender.opening_record):
        raise NotAllowed(_("Only bidders of this round answer its opening record."))
    if tender.evaluated_at is not None:
        raise InvalidState(_("The evaluation is over; use a question (质疑) instead."))
    objection = (
        ""
        if confirm
        else clean_text(objection, field="objection", label=_("the objection"), limit=5000)
    )
    if OpeningResponse.objects.filter(tender=tender, provider=provider).exists():
        raise InvalidState(_("Your organization has already answered the opening record."))
    response = OpeningResponse.objects.create(
        tender=tender,
        provider=provider,
        answer=OpeningAnswer.CONFIRMED if confirm else OpeningAnswer.OBJECTED,
        objection=objection,
        responded_at=timezone.now(),
        responded_by=actor,
    )
    audit.record(
        actor=actor,
        action=TenderingAction.OPENING_CONFIRM if confirm else TenderingAction.OPENING_OBJECT,
        obj=response,
        data={"tender": tender.pk},
    )
    return response


@transaction.atomic
def reply_to_objection(*, actor, response: OpeningResponse, reply: str) -> OpeningResponse:
    response = (
        OpeningResponse.objects.select_for_update(of=("self",))
        .select_related("tender__project__department")
        .get(pk=response.pk)
    )
    require_purchaser(actor, response.tender.project)
    if response.answer != OpeningAnswer.OBJECTED:
        raise InvalidState(_("Only an objection is replied to."))
    if response.replied_at is not None:
        raise InvalidState(_("The objection is already replied to."))
    response.reply = clean_text(reply, field="reply", label=_("the reply"), limit=5000)
    response.replied_at = timezone.now()
    response.replied_by = actor
    response.save(update_fields=["reply", "replied_at", "replied_by"])
    audit.record(actor=actor, action=TenderingAction.OPENING_REPLY, obj=response)
    return response


# --- rounds of quotes (竞争性谈判、竞争性磋商) --------------------------------------------------


@transaction.atomic
def open_quote_round(*, actor, tender: Tender, deadline) -> Tender:
    """Ask the valid bidders for a further quote (e.g. 最后报价) by `deadline`."""
    tender = locked_tender(tender)
    require_purchaser(actor, tender.project)
    if tender.method not in schedule.QUOTE_ROUND_METHODS:
        raise InvalidState(_("Only negotiation and consultation have rounds of quotes."))
    if tender.status != TenderStatus.OPENED:
        raise InvalidState(_("Rounds of quotes follow the opening, before the evaluation."))
    guard_not_suspended(tender)
    now = timezone.now()
    if tender.quote_deadline is not None and now < tender.quote_deadline:
        raise InvalidState(_("The current round of quotes is still open."))
    moment = aware(deadline, field="deadline")
    within_horizon(tender.project, moment, field="deadline")
    if moment <= now:
        raise ApplicationError(
            "in_the_past", _("The quote deadline must be in the future."), field="deadline"
        )
    tender.quote_round += 1
    tender.quote_deadline = moment
    tender.save(update_fields=["quote_round", "quote_deadline", "updated_at"])
    store_deadlines(
        tender.project,
        tender,
        [
            schedule.Due(
                DeadlineKind.QUOTE,
                moment,
                now,
                "P12",
                running_rules.P12.basis,
                "",
                _("round %(n)s of quotes, sealed until then") % {"n": tender.quote_round},
                whole_day=False,
            )
        ],
        now=now,
    )
    audit.record(
        actor=actor,
        action=TenderingAction.QUOTE_ROUND_OPEN,
        obj=tender,
        data={"round": tender.quote_round, "deadline": moment.isoformat()},
    )
    return tender


@transaction.atomic
def submit_quote(*, actor, bid: Bid, price, note: str = "") -> BidQuote:
    price = parse_price(price)
    note = clean_text(note, field="note", label="", limit=5000, required=False)
    tender = share_locked_tender(bid.tender_id)
    bid = Bid.objects.select_related("provider").get(pk=bid.pk)
    require_provider(actor, bid.provider)
    received_at = timezone.now()
    if tender.status != TenderStatus.OPENED or tender.quote_deadline is None:
        raise InvalidState(_("No round of quotes is open."))
    enforce(
        running_rules.late_bid_violations(received_at=received_at, deadline=tender.quote_deadline)
    )
    if bid.status != BidStatus.SUBMITTED or bid.valid is False:
        raise InvalidState(_("Only a valid bid quotes again."))
    BidQuote.objects.filter(bid=bid, round_no=tender.quote_round).delete()
    quote = BidQuote.objects.create(
        bid=bid,
        round_no=tender.quote_round,
        price=price,
        note=note,
        submitted_at=received_at,
        submitted_by=actor,
    )
    audit.record(
        actor=actor,
        action=TenderingAction.QUOTE_SUBMIT,
        obj=quote,
        data={
            "tender": tender.pk,
            "round": tender.quote_round,
            "received_at": received_at.isoformat(),
        },
    )
    return quote


def final_price(bid: Bid) -> Decimal:
    """The bid's last quote, or its price where there were no further rounds."""
    quotes = list(bid.quotes.all())
    return quotes[-1].price if quotes else bid.price
