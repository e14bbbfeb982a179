"""Who may do what in a running purchase, and when.

Two halves, each defined once:

- **who**: the round's purchaser is a purchaser member of the project's
  department (`procurement.permissions.is_member`); a provider acts for its own
  organization (`acts_for_provider`); a panel member is appointed to the round;
- **when**: the state a round must be in for each act (`corrections_open`,
  `terminable`, …) — the services refuse with these predicates and the pages
  ask the ``can_*`` built from them, so a page never restates a guard.

Services call the ``require_*``; pages and the API ask the ``can_*``. The
platform administrator acts for no department and no provider (core.permissions).
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from govbuy.core.permissions import acts_for, member_orgs, require_acts_for
from govbuy.procurement.permissions import is_member

from .models import TenderStatus
from .schedule import INVITATION_METHODS, QUOTE_ROUND_METHODS
from .sealing import opening_due

PURCHASER = "purchaser"
PROVIDER = "provider"


# --- who ----------------------------------------------------------------------------------


def is_purchaser(user, tender) -> bool:
    """The user runs the round: a purchaser member of the project's department."""
    return is_member(user, tender.project)


def require_purchaser(user, project) -> None:
    """Refuse (403) an act of the running purchase by anyone but the project's
    purchasing department (never the platform administrator)."""
    require_acts_for(
        user,
        project.department,
        PURCHASER,
        _("Only the purchasing department %(org)s runs this purchase.")
        % {"org": project.department.name},
    )


def acts_for_provider(user, provider) -> bool:
    """The user acts for `provider` as a provider (never the platform administrator)."""
    return acts_for(user, provider, PROVIDER)


def is_provider_of(user, provider_id: int) -> bool:
    """`acts_for_provider` by the organization's id."""
    return any(o.pk == provider_id for o in member_orgs(user, PROVIDER))


def require_provider(user, provider) -> None:
    require_acts_for(
        user,
        provider,
        PROVIDER,
        _("You do not act for %(org)s as a provider.") % {"org": provider.name},
    )


# --- when: the states of a round --------------------------------------------------------------


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


def bidding_open(tender, now: dt.datetime | None = None) -> bool:
    """Bids (and corrections of the notice) are taken while the round bids and
    its deadline has not passed (P12)."""
    return tender.status == TenderStatus.BIDDING and _now(now) < tender.bid_deadline


corrections_open = bidding_open

TERMINABLE = (TenderStatus.BIDDING, TenderStatus.OPENED, TenderStatus.EVALUATED)
APPOINTABLE = (TenderStatus.BIDDING, TenderStatus.OPENED)


def terminable(tender) -> bool:
    """Only a round under way is terminated (政府采购法 第三十六条)."""
    return tender.status in TERMINABLE


def panel_appointable(tender) -> bool:
    """The panel is set up before the evaluation."""
    return tender.status in APPOINTABLE


def awardable(tender) -> bool:
    """The winner is confirmed after the evaluation."""
    return tender.status == TenderStatus.EVALUATED


def result_publishable(tender) -> bool:
    """The result is published once, after the winner is confirmed."""
    return tender.status == TenderStatus.AWARDED and tender.result_published_at is None


def bids_reviewable(tender) -> bool:
    """Bids are reviewed (资格性、符合性审查) after the opening, before the evaluation ends."""
    return tender.status == TenderStatus.OPENED


def quote_round_openable(tender, now: dt.datetime | None = None) -> bool:
    """A new round of quotes (多轮报价) follows the opening of a negotiation or
    consultation, once the current round of quotes (if any) has closed."""
    return (
        tender.method in QUOTE_ROUND_METHODS
        and tender.status == TenderStatus.OPENED
        and not (tender.quote_deadline is not None and _now(now) < tender.quote_deadline)
    )


def orders_open(tender) -> bool:
    """Framework orders (第二阶段) follow the published result of the first stage (P4)."""
    return tender.result_published_at is not None


# --- what the round's purchaser may do -------------------------------------------------------


def can_correct(user, tender, now=None) -> bool:
    """The purchaser corrects the notice while bidding is open (更正公告)."""
    return is_purchaser(user, tender) and corrections_open(tender, now)


def can_terminate(user, tender) -> bool:
    """The purchaser terminates a round under way (终止公告)."""
    return is_purchaser(user, tender) and terminable(tender)


def can_open(user, tender, now=None) -> bool:
    """The purchaser opens the bids at the opening time (开标; P12: sealed until then)."""
    return is_purchaser(user, tender) and opening_due(tender, now)


def can_appoint_panel(user, tender) -> bool:
    """The purchaser appoints the evaluation panel before the evaluation."""
    return is_purchaser(user, tender) and panel_appointable(tender)


def can_open_quote_round(user, tender, now=None) -> bool:
    return is_purchaser(user, tender) and quote_round_openable(tender, now)


def can_award(user, tender) -> bool:
    """The purchaser confirms the winner after the evaluation (P1)."""
    return is_purchaser(user, tender) and awardable(tender)


def can_publish_result(user, tender) -> bool:
    """The purchaser publishes the result notice once, after the award."""
    return is_purchaser(user, tender) and result_publishable(tender)


def can_place_orders(user, tender) -> bool:
    """The purchaser places framework orders after the result (P4)."""
    return is_purchaser(user, tender) and orders_open(tender)


def can_review_bids(user, tender, *, is_chair: bool = False) -> bool:
    """The panel's chair or the purchaser reviews the bids after the opening."""
    return (is_chair or is_purchaser(user, tender)) and bids_reviewable(tender)


# --- what a provider may do ------------------------------------------------------------------


def can_bid(provider, tender, now=None) -> bool:
    """A provider (the page's acting one) bids while bidding is open (P12)."""
    return provider is not None and bidding_open(tender, now)


def is_invited(provider, tender) -> bool:
    """May `provider` respond to the round at all? An invitation-only round
    (邀请招标, 竞争性谈判/磋商 by invitation) takes the invited providers only.
    Basis: P2 (政府采购法 第二十九条、第三十八条)."""
    return tender.method not in INVITATION_METHODS or tender.invited.filter(pk=provider.pk).exists()
