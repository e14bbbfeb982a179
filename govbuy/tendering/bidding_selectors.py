"""Reads of running purchases, scoped to the user, with the seal on bids (P12).

Who sees a round: the purchasing department, the finance bureau and audit
office above it, the platform administrator, its panel, the providers invited
or bidding (`Tender.visible_to`); others get 404. Bid content — price,
technical response, attachments, even the number of bids — goes through
`sealing.unseal`, which refuses (403, audited) until the bids are opened; a
bid or attachment asked for by id answers everyone but its bidder like a
missing one. After the opening the department, supervisors, administrator and
panel read every bid read out at it; a bidder reads its own and the opening
record.

Public reads (notices, open opportunities) need no user.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import connections
from django.db.models import BooleanField, Count, F, Func, Prefetch, Q, Value
from django.http import Http404
from django.utils import timezone

from govbuy.accounts.models import Role
from govbuy.core.permissions import get_for_user_or_404, member_orgs
from govbuy.orgs.models import CreditRecord
from govbuy.orgs.selectors import credit_summary
from govbuy.procurement.permissions import is_member
from govbuy.tendering import sealing
from govbuy.tendering.models import (
    Bid,
    BidAttachment,
    BidStatus,
    Deadline,
    Notice,
    OpeningResponse,
    PanelMember,
    Score,
    Tender,
    TenderStatus,
)
from govbuy.tendering.schedule import INVITATION_METHODS

TENDER_RELATED = ("project__department__region", "project__region")


# --- who the user is to a round ------------------------------------------------------------


@dataclass(frozen=True)
class Access:
    """The capacities in which a user sees a round."""

    purchaser: bool = False
    supervisor: bool = False
    admin: bool = False
    panel: bool = False
    bidder_ids: tuple[int, ...] = field(default_factory=tuple)
    provider_ids: tuple[int, ...] = field(default_factory=tuple)

    @property
    def reads_all_bids(self) -> bool:
        return self.purchaser or self.supervisor or self.admin or self.panel

    @property
    def is_bidder(self) -> bool:
        return bool(self.bidder_ids)


def access(user, tender: Tender) -> Access:
    if not getattr(user, "is_authenticated", False):
        return Access()
    path = tender.project.region.path
    provider_ids = tuple(o.pk for o in member_orgs(user, Role.PROVIDER))
    return Access(
        purchaser=is_member(user, tender.project),
        supervisor=any(path.startswith(p) for p in user.supervised_region_paths()),
        admin=user.is_platform_admin,
        panel=PanelMember.objects.filter(tender=tender, user=user).exists(),
        bidder_ids=tuple(
            Bid.objects.filter(tender=tender, provider_id__in=provider_ids)
            .values_list("provider_id", flat=True)
            .distinct()
        )
        if provider_ids
        else (),
        provider_ids=provider_ids,
    )


# --- rounds ---------------------------------------------------------------------------------


def tenders_for_user(user, *, status=None, q=None, project=None):
    qs = Tender.objects.visible_to(user).select_related(*TENDER_RELATED)
    if status:
        qs = qs.filter(status=status) if status in TenderStatus.values else qs.none()
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(project__code__icontains=q))
    if project is not None:
        qs = qs.filter(project=project)
    return qs.order_by("-published_at", "-pk")


def tender_for_user(user, pk) -> Tender:
    return get_for_user_or_404(
        Tender.objects.select_related(*TENDER_RELATED, "awarded_provider").prefetch_related(
            "criteria"
        ),
        user,
        pk=pk,
    )


def opportunities(*, q=None, region=None, method=None, now=None):
    """Rounds open for bids that any provider may answer (not invitation-only)."""
    now = now or timezone.now()
    qs = (
        Tender.objects.filter(status=TenderStatus.BIDDING, bid_deadline__gt=now)
        .exclude(method__in=INVITATION_METHODS)
        .select_related(*TENDER_RELATED)
    )
    q = (q or "").strip()
    if q:
        qs = qs.filter(
            Q(title__icontains=q)
            | Q(project__code__icontains=q)
            | Q(project__catalog_name__icontains=q)
        )
    if region is not None:
        qs = qs.filter(project__region__path__startswith=region.path)
    if method:
        qs = qs.filter(method=method)
    return qs.order_by("bid_deadline", "pk")


def invitations_for(user, *, now=None):
    """Invitation-only rounds open for bids where one of the user's providers is invited."""
    now = now or timezone.now()
    orgs = [o.pk for o in member_orgs(user, Role.PROVIDER)]
    if not orgs:
        return Tender.objects.none()
    return (
        Tender.objects.filter(status=TenderStatus.BIDDING, bid_deadline__gt=now, invited__in=orgs)
        .select_related(*TENDER_RELATED)
        .distinct()
        .order_by("bid_deadline", "pk")
    )


def _not_yours(user, tender: Tender, what: str) -> Http404:
    """404 for bid content the user may never read. Before the opening the
    attempt is still audited (P12), yet answered like an absent object, so a
    rival learns nothing of other bids, not even that they exist."""
    if sealing.is_sealed(tender):
        sealing.record_attempt(user, tender, what)
    return Http404(f"No {what} for you.")


def _first_or_404(qs, what: str):
    obj = qs.first()
    if obj is None:
        raise Http404(f"No {what} matches the given query.")
    return obj


def public_tender(pk) -> Tender:
    """A round as the public sees it (every round starts with a published notice)."""
    return _first_or_404(
        Tender.objects.select_related(*TENDER_RELATED).prefetch_related("criteria").filter(pk=pk),
        "round",
    )


def deadlines_of(*, project=None, tender=None, history: bool = False):
    qs = Deadline.objects.all() if history else Deadline.objects.current()
    if tender is not None:
        qs = qs.filter(tender=tender)
    elif project is not None:
        qs = qs.filter(project=project)
    return qs.order_by("due_at", "pk")


# --- notices (public) -------------------------------------------------------------------------


# The public list's order, the cursor's keys (govbuy.core.pagination), and its index.
NOTICE_ORDER = ("-published_at", "-pk")


class _BigramsContain(Func):
    """PostgreSQL: the text's bigrams include the term's — the GIN index
    notice_search_bigrams (tendering migration 0002) answers it."""

    template = "govbuy_bigrams(%(expressions)s)"
    arg_joiner = ") @> govbuy_bigrams("
    output_field = BooleanField()


def search_notices(qs, q: str, *, for_estimate: bool = False):
    """Notices whose title, number, project code or department name contains `q`
    (any case): LIKE on the one stored search column; on PostgreSQL also the
    bigram condition the GIN index answers when the term has two characters or
    more. A two-character term is in the text exactly when it is one of its
    bigrams: `for_estimate` leaves its LIKE out, so the planner's row estimate
    (govbuy.core.pagination.estimated_count) is not multiplied by LIKE's guess;
    the page keeps it, a cheap filter before the bigrams when the planner walks
    the list's sort index."""
    term = q.strip().lower()
    if not term:
        return qs
    if len(term) < 2 or connections[qs.db].vendor != "postgresql":
        return qs.filter(search_text__contains=term)
    qs = qs.filter(_BigramsContain(F("search_text"), Value(term)))
    return qs if for_estimate and len(term) == 2 else qs.filter(search_text__contains=term)


def public_notices(*, kind=None, q=None, region=None, method=None, for_estimate=False):
    """The public notices, newest first; `for_estimate`: the same rows, written for
    the planner's row estimate (see search_notices)."""
    qs = Notice.objects.select_related("project__department", "project__region", "tender")
    if kind:
        qs = qs.filter(kind=kind)
    qs = search_notices(qs, q or "", for_estimate=for_estimate)
    if region is not None:
        qs = qs.filter(region_path__startswith=region.path)
    if method:
        qs = qs.filter(tender__method=method)
    return qs.order_by(*NOTICE_ORDER)


def public_notice(pk) -> Notice:
    return _first_or_404(
        Notice.objects.select_related("project__department", "project__region", "tender").filter(
            pk=pk
        ),
        "notice",
    )


def notices_of(project):
    return (
        Notice.objects.filter(project=project)
        .select_related("tender")
        .order_by("published_at", "pk")
    )


# --- bids, sealed until the opening (P12) ------------------------------------------------------


def bids_for_user(user, tender: Tender, *, what: str = "bid list", include_history=False):
    """The round's bids the user may read: all of them for the department,
    supervisors, administrator and panel; a bidder's own; refused before the
    opening (403, audited)."""
    acc = access(user, tender)
    sealing.unseal_quotes(user, tender, what=what)
    qs = (
        Bid.objects.filter(tender=tender)
        .select_related("provider")
        .prefetch_related("attachments", "quotes")
    )
    if not include_history:
        qs = qs.filter(status=BidStatus.SUBMITTED)
    if not acc.reads_all_bids:
        qs = qs.filter(provider_id__in=acc.bidder_ids)
    return qs.order_by("rank", "submitted_at", "pk")


def _id(pk, what: str) -> int:
    try:
        return int(pk)
    except (TypeError, ValueError):
        raise Http404(f"No {what} matches the given query.") from None


def _readable(user, bid: Bid | None, *, what: str, pk: int) -> Bid:
    """The bid if the user may read it now. Its bidder is told when its own bid
    is sealed (403); for everyone else a bid not read out at an opening — sealed,
    replaced, withdrawn, or on a round that ended without an opening — answers
    exactly like a missing one."""
    if bid is None:
        raise sealing.refused_by_id(user, what, pk)
    acc = access(user, bid.tender)
    if bid.provider_id in acc.provider_ids:
        sealing.unseal_quotes(user, bid.tender, what=f"{what} {pk}")
        return bid
    if not (acc.reads_all_bids and sealing.was_opened(bid)):
        raise sealing.refused_by_id(user, what, pk)
    # Opened, yet a round of quotes may be open: its quotes are sealed (403).
    sealing.unseal_quotes(user, bid.tender, what=f"{what} {pk}")
    return bid


BID_RELATED = ("tender__project__department", "tender__project__region", "provider")


def bid_for_user(user, pk) -> Bid:
    pk = _id(pk, "bid")
    bid = (
        Bid.objects.select_related(*BID_RELATED)
        .prefetch_related("attachments", "quotes")
        .filter(pk=pk, tender__in=Tender.objects.visible_to(user))
        .first()
    )
    return _readable(user, bid, what="bid", pk=pk)


def attachment_for_user(user, pk) -> BidAttachment:
    pk = _id(pk, "attachment")
    attachment = (
        BidAttachment.objects.select_related(*(f"bid__{r}" for r in BID_RELATED))
        .filter(pk=pk, bid__tender__in=Tender.objects.visible_to(user))
        .first()
    )
    _readable(user, attachment.bid if attachment else None, what="attachment", pk=pk)
    return attachment


def receipts(user, *, tender: Tender | None = None, q=None, status=None):
    """The one read path of bid receipts, for every page and the API: the bids of
    the user's providers (on `tender`, or on every round; searched by round
    title or project code; by `status`), newest first, as receipts — when the
    platform received each, its digest, status and number of attachments. The
    sealed content (`sealing.SEALED_FIELDS`) is never loaded here."""
    orgs = [o.pk for o in member_orgs(user, Role.PROVIDER)]
    qs = Bid.objects.filter(provider_id__in=orgs)
    if tender is not None:
        qs = qs.filter(tender=tender)
    if status:
        qs = qs.filter(status=status) if status in BidStatus.values else qs.none()
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(tender__title__icontains=q) | Q(tender__project__code__icontains=q))
    return (
        qs.select_related("provider", "tender__project")
        .defer(*sealing.SEALED_FIELDS)
        .annotate(n_attachments=Count("attachments"))
        .order_by("-submitted_at", "-pk")
    )


def receipt_for_user(user, tender: Tender):
    """A bidder's own bids on `tender` as receipts (`receipts`)."""
    return receipts(user, tender=tender)


def receipts_for_user(user, *, q=None, status=None):
    """Every bid of the user's providers on any round as receipts (`receipts`)."""
    return receipts(user, q=q, status=status)


def opening_record_for_user(user, tender: Tender) -> list[dict]:
    """What was read out at the opening, for the round's bidders and staff."""
    acc = access(user, tender)
    if not (acc.reads_all_bids or acc.is_bidder):
        raise _not_yours(user, tender, "opening record")
    sealing.unseal(user, tender, what="opening record")
    return list(tender.opening_record)


def bid_count_for_user(user, tender: Tender) -> int:
    sealing.unseal(user, tender, what="bid count")
    return Bid.objects.filter(tender=tender, status=BidStatus.SUBMITTED).count()


def opening_responses(tender: Tender):
    return OpeningResponse.objects.filter(tender=tender).select_related(
        "provider", "responded_by", "replied_by"
    )


# --- evaluation ---------------------------------------------------------------------------------


@dataclass
class PanelBid:
    bid: Bid
    price: object
    credit: list
    my_scores: dict


def panel_sheet(user, tender: Tender) -> list[PanelBid]:
    """What a panel member scores: each live, not-invalid bid with its final
    price, the bidder's credit record at the opening (S9) and the member's own
    points so far."""
    member = PanelMember.objects.filter(tender=tender, user=user).first()
    acc = access(user, tender)
    if member is None and not acc.reads_all_bids:
        raise _not_yours(user, tender, "panel sheet")
    bids = list(
        bids_for_user(user, tender, what="panel sheet").prefetch_related(
            Prefetch(
                "provider__credit_records",
                queryset=CreditRecord.objects.select_related("recording_organization"),
            )
        )
    )
    mine: dict[int, dict[int, object]] = {}
    if member is not None:
        for s in Score.objects.filter(member=member):
            mine.setdefault(s.bid_id, {})[s.criterion_id] = s.points
    at = timezone.localtime(tender.opened_at or tender.opening_at).date()
    out = []
    for b in bids:
        quotes = list(b.quotes.all())
        out.append(
            PanelBid(
                bid=b,
                price=quotes[-1].price if quotes else b.price,
                credit=credit_summary(b.provider, at),
                my_scores=mine.get(b.pk, {}),
            )
        )
    return out


def scores_for_user(user, tender: Tender):
    """Each member's points (the evaluation record), for the department,
    supervisors, administrator and the panel, after the opening."""
    acc = access(user, tender)
    if not acc.reads_all_bids:
        raise _not_yours(user, tender, "scores")
    sealing.unseal(user, tender, what="scores")
    return (
        Score.objects.filter(member__tender=tender)
        .select_related("member__user", "bid__provider", "criterion")
        .order_by("member_id", "bid_id", "criterion__position")
    )


def panel_of(tender: Tender):
    return PanelMember.objects.filter(tender=tender).select_related("user")


def panels_for(user):
    """Rounds where the user sits on the panel and has not submitted scores."""
    if not getattr(user, "is_authenticated", False):
        return PanelMember.objects.none()
    return (
        PanelMember.objects.filter(user=user, submitted_at__isnull=True)
        .exclude(tender__status__in=[TenderStatus.FAILED, TenderStatus.TERMINATED])
        .select_related("tender__project__department")
        .order_by("tender__opening_at", "pk")
    )
