from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def projects_bid_on(provider):
    """The projects on whose rounds `provider`'s bid was opened: what a credit
    record about it may concern (orgs.credit_links). Sealed bids do not count."""
    from .models import BidStatus, PurchaseProject

    # One filter(): the same bid row is the provider's, live (so read out at the
    # opening: bids withdrawn before it never were) and on an opened round.
    return PurchaseProject.objects.filter(
        tenders__bids__provider=provider,
        tenders__bids__status=BidStatus.SUBMITTED,
        tenders__opened_at__isnull=False,
    )


class ProcurementConfig(AppConfig):
    name = "govbuy.procurement"
    label = "procurement"
    verbose_name = _("Procurement")

    def ready(self):
        from govbuy.orgs import credit_links

        credit_links.register("procurement.bid", projects_bid_on)
