"""The seal on bids (P12): until the bids are opened no one — purchaser, finance,
auditor, platform administrator, panel member, the bidder itself — reads a
bid's price, technical response, attachments, or even how many bids there are.

The seal lifts only through an actual opening (`services.open_bids` sets
`opened_at`, at or after the opening time): not by the clock alone, so a round
terminated or failed before its opening keeps its bids sealed for ever (its
bidders may withdraw them). Every refused attempt is written to the audit chain
(in a transaction of its own, so the refusal cannot roll it back).

Every page, API endpoint and export that shows bid content goes through
`unseal` (bids) or `unseal_quotes` (a round of quotes); the selectors do it
for them. A bid or attachment asked for by its id answers everyone but its
bidder exactly like a missing id (`refused_by_id`), so probing ids counts
nothing. Audit events about bids are shown through `audit_rows`, which names
no bidder until the opening.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from govbuy.core import audit
from govbuy.core.audit import canonical
from govbuy.core.errors import ApplicationError
from govbuy.core.money import CENT
from govbuy.tendering.audit_actions import TenderingAction
from govbuy.tendering.rules import running as running_rules

# The fields of a bid that are its sealed content (P12): what a receipt never
# loads (`bidding_selectors.receipts`, the one read path of receipts).
SEALED_FIELDS = ("price", "technical_response", "sme_size", "evaluated_price", "price_score")

# Refused reads by id: the same event for a missing, another's or a sealed object.
REFUSED_BY_ID = TenderingAction.BID_READ_REFUSED
REFUSED = TenderingAction.BID_SEALED_READ_REFUSED


class Sealed(ApplicationError):
    """403: the object is visible to the user, its content is not yet."""

    status = 403

    def __init__(self, opening_at: dt.datetime, state: str = "before"):
        violation = running_rules.sealed_violation(opening_at=opening_at, state=state)
        super().__init__("sealed", violation.message)
        self.violation = violation
        self.opening_at = opening_at
        self.state = state

    def as_body(self) -> dict:
        return {
            "code": self.code,
            "violations": [self.violation.as_dict()],
            "opening_at": self.opening_at.isoformat(),
        }


def is_sealed(tender, now: dt.datetime | None = None) -> bool:
    """Sealed until the bids are actually opened — whatever the clock says."""
    return tender.opened_at is None


def seal_state(tender, now: dt.datetime | None = None) -> str:
    """ "open"; "before" the opening time; "due" (the time has passed, the bids
    are not opened yet); "ended" (the round ended without an opening: never)."""
    from govbuy.tendering.models import TenderStatus

    if tender.opened_at is not None:
        return "open"
    if tender.status != TenderStatus.BIDDING:
        return "ended"
    return "before" if (now or timezone.now()) < tender.opening_at else "due"


def opening_due(tender, now: dt.datetime | None = None) -> bool:
    """The opening time has passed and the bids wait to be opened."""
    return seal_state(tender, now) == "due"


def was_opened(bid) -> bool:
    """Was this bid read out at its round's opening? Bids replaced or withdrawn
    before the deadline never are: they stay sealed for ever, like the bids of
    a round that ended without an opening."""
    tender = bid.tender
    return tender.opened_at is not None and any(
        line.get("bid") == bid.pk for line in tender.opening_record
    )


def quotes_sealed(tender, now: dt.datetime | None = None) -> bool:
    """The current round of quotes stays sealed until its deadline."""
    deadline = tender.quote_deadline
    return deadline is not None and (now or timezone.now()) < deadline


def _actor(user):
    return user if getattr(user, "is_authenticated", False) else "anonymous"


def record_attempt(user, tender, what: str) -> None:
    with transaction.atomic():
        audit.record(
            actor=_actor(user),
            action=REFUSED,
            obj=tender,
            data={"what": what, "opening_at": tender.opening_at.isoformat()},
        )


def refused_by_id(user, what: str, pk: int) -> Http404:
    """The answer to a bid or attachment asked for by id that the user may not
    read: missing, another's, or sealed — the same 404 and the same audit event
    (no object, only what was asked for), so neither the answer nor the audit
    log tells whether it exists. Investigators join the id later."""
    if getattr(user, "is_authenticated", False):
        with transaction.atomic():
            audit.record(actor=user, action=REFUSED_BY_ID, data={"what": what, "id": pk})
    return Http404(f"No {what} matches the given query.")


def unseal(user, tender, *, what: str) -> None:
    """Refuse (and audit) reading bid content of `tender` before its opening."""
    if is_sealed(tender):
        record_attempt(user, tender, what)
        raise Sealed(tender.opening_at, seal_state(tender))


def unseal_quotes(user, tender, *, what: str) -> None:
    """Like `unseal`, and while a round of quotes is open its quotes stay sealed
    too: no bid is read until the round's deadline."""
    unseal(user, tender, what=what)
    if quotes_sealed(tender):
        with transaction.atomic():
            audit.record(
                actor=_actor(user),
                action=REFUSED,
                obj=tender,
                data={"what": what, "quote_deadline": tender.quote_deadline.isoformat()},
            )
        raise Sealed(tender.quote_deadline)


# --- audit events as others see them ---------------------------------------------------------

# What audit events store as a bid's object type (its model's label): events
# written before the split of procurement say "procurement.bid" (the chain hashes
# the label, so stored events keep it), later ones "tendering.bid".
BID_OBJECT = "tendering.bid"
BID_OBJECTS = frozenset({BID_OBJECT, "procurement.bid"})


@dataclass(frozen=True)
class AuditRow:
    """An audit event as a list shows it (the chain keeps the full event)."""

    seq: int
    created_at: dt.datetime
    actor_repr: str
    action: str
    object_repr: str
    organization: object = None
    masked: bool = False


def audit_rows(events) -> list[AuditRow]:
    """Audit events for the auditor's and administrator's lists. An event about a
    bid names its bidder only once the bid's bidder was read out at an opening;
    before that (and for ever for a bidder that withdrew, or a round that ended
    without an opening) it says "a bid": no bidder, no acting user, no bid id.
    The bidder itself has its receipts. What the chain hashes is unchanged."""
    from govbuy.tendering.models import Bid, Tender

    events = list(events)
    bid_ids = {
        int(e.object_id) for e in events if e.object_type in BID_OBJECTS and e.object_id.isdigit()
    }
    bids = dict(
        (pk, (provider, tender))
        for pk, provider, tender in Bid.objects.filter(pk__in=bid_ids).values_list(
            "pk", "provider_id", "tender_id"
        )
    )
    read_out = {
        pk: {line.get("provider") for line in record}
        for pk, opened_at, record in Tender.objects.filter(
            pk__in={t for _p, t in bids.values()}
        ).values_list("pk", "opened_at", "opening_record")
        if opened_at is not None
    }
    rows = []
    for e in events:
        masked = False
        if e.object_type in BID_OBJECTS:
            provider, tender = bids.get(int(e.object_id) if e.object_id.isdigit() else 0, (0, 0))
            masked = provider not in read_out.get(tender, set())
        rows.append(
            AuditRow(
                seq=e.seq,
                created_at=e.created_at,
                actor_repr="—" if masked else e.actor_repr,
                action=e.action,
                object_repr=_("a bid") if masked else e.object_repr,
                # A bid's organization is its bidder: not named either.
                organization=None if masked else e.organization,
                masked=masked,
            )
        )
    return rows


def opening_time_text(tender) -> str:
    return _("%(time)s (server time, Asia/Shanghai)") % {
        "time": timezone.localtime(tender.opening_at).strftime("%Y-%m-%d %H:%M:%S")
    }


# --- the digest: the bidder's receipt, checked at the opening ----------------------------------

DIGEST_VERSION = 2


def canonical_price(price) -> str:
    """One string per amount: 720000, 720000.0 and 720,000.00 are all "720000.00"."""
    return f"{Decimal(price).quantize(CENT):f}"


def canonical_text(text: str) -> str:
    """The response as hashed: line ends as LF (a browser sends CRLF, an API
    client LF) and Unicode in NFC, so the same words give the same digest."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text)


def canonical_form(
    *, tender_id, provider_id, price, technical_response, sme_size, attachments
) -> str:
    """The canonical form of a bid (version 2), hashed with SHA-256 into its digest.

    A JSON object with exactly these keys, written with the keys sorted, no
    whitespace between tokens, non-ASCII characters as themselves, UTF-8 encoded:

    - ``attachments``: the SHA-256 (lower-case hex) of each attached file's bytes, sorted;
    - ``price``: the price in 元 with exactly two decimals, no separators ("720000.00");
    - ``provider``: the bidder's organization id (a number);
    - ``sme_size``: the declared size ("", "large", "medium", "small", "micro");
    - ``technical_response``: the response text, line ends LF, Unicode NFC;
    - ``tender``: the round's id (a number);
    - ``v``: 2.

    Submission and opening both hash this form, whatever the bidder typed
    ("720000", "720,000.00", "７２００００"). Documented in docs/rules.md (P12).
    """
    return canonical(
        {
            "attachments": sorted(attachments),
            "price": canonical_price(price),
            "provider": provider_id,
            "sme_size": sme_size or "",
            "technical_response": canonical_text(technical_response),
            "tender": tender_id,
            "v": DIGEST_VERSION,
        }
    )


def digest(**facts) -> str:
    return hashlib.sha256(canonical_form(**facts).encode("utf-8")).hexdigest()


def _legacy_prices(price: Decimal) -> set[str]:
    """Every way version 1 may have written `price`: it hashed the price as
    parsed from what was typed ("720000", "720000.5", "7.2E+5"), not as stored.
    Each is the same amount, so trying them all still catches a changed price."""
    forms = {str(price), str(price.normalize())}
    for exponent in range(-12, 13):
        quantum = Decimal(1).scaleb(exponent)
        try:
            candidate = price.quantize(quantum)
        except ArithmeticError:
            continue
        if candidate == price:
            forms.add(str(candidate))
    return forms


def _legacy_digests(*, tender_id, provider_id, price, technical_response, sme_size, attachments):
    for typed in _legacy_prices(Decimal(price)):
        payload = {
            "tender": tender_id,
            "provider": provider_id,
            "price": typed,
            "technical_response": technical_response,
            "sme_size": sme_size,
            "attachments": sorted(attachments),
        }
        yield hashlib.sha256(canonical(payload).encode()).hexdigest()


def stored_sha256(attachment) -> str | None:
    """SHA-256 of the attachment's bytes as stored now (None if the file is gone)."""
    if not attachment.file:
        return None
    h = hashlib.sha256()
    try:
        with attachment.file.open("rb") as f:
            for chunk in iter(lambda: f.read(1 << 16), b""):
                h.update(chunk)
    except (FileNotFoundError, OSError):
        return None
    return h.hexdigest()


def verify(bid) -> bool:
    """Does the bid as stored still give its receipt's digest? The stored files
    are hashed again (a file changed on disk, or missing, is caught); a bid of
    version 1 (before issue 11) is checked in that version's form."""
    hashes = [stored_sha256(a) for a in bid.attachments.all()]
    if any(h is None for h in hashes):
        return False
    facts = dict(
        tender_id=bid.tender_id,
        provider_id=bid.provider_id,
        price=bid.price,
        technical_response=bid.technical_response,
        sme_size=bid.sme_size,
        attachments=hashes,
    )
    if bid.digest_version == 1:
        return bid.digest in set(_legacy_digests(**facts))
    return digest(**facts) == bid.digest
