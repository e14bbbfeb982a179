"""Suspending a round while a complaint is handled (暂停采购活动, 政府采购法 第五十七条)
and lifting the suspension: the only writes of a round's suspension. The
challenges app asks for them; its complaint service records the audit event of
the step."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from govbuy.core.errors import InvalidState
from govbuy.core.rules import enforce
from govbuy.tendering.models import Tender, TenderStatus
from govbuy.tendering.rules import running as running_rules
from govbuy.tendering.services.common import locked_tender, rules_for


def suspend_round(tender: Tender | int, *, days: int, now=None) -> Tender:
    """Suspend the round for `days` (at most the parameter
    complaint.suspension_max_days) from today; refused for a round that ended.
    Call inside the caller's transaction: the round is locked here."""
    tender = locked_tender(tender)
    rules = rules_for(tender.project)
    enforce(
        running_rules.suspension_violations(
            days=days, most=rules.cite("complaint.suspension_max_days")
        )
    )
    if tender.status in (TenderStatus.FAILED, TenderStatus.TERMINATED):
        raise InvalidState(_("This round has ended."))
    now = now or timezone.now()
    tender.suspended_at = now
    tender.suspended_until = timezone.localtime(now).date() + dt.timedelta(days=days)
    tender.save(update_fields=["suspended_at", "suspended_until", "updated_at"])
    return tender


def resume_round(tender: Tender | int) -> None:
    """Lift the round's suspension (the complaint was decided or withdrawn)."""
    pk = tender.pk if isinstance(tender, Tender) else tender
    Tender.objects.filter(pk=pk).update(suspended_at=None, suspended_until=None)
