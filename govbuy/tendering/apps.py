from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def projects_bid_on(provider):
    """The projects on whose rounds `provider`'s bid was opened: what a credit
    record about it may concern (orgs.credit_links). Sealed bids do not count."""
    from govbuy.procurement.models import PurchaseProject

    from .models import BidStatus

    # One filter(): the same bid row is the provider's, live (so read out at the
    # opening: bids withdrawn before it never were) and on an opened round.
    return PurchaseProject.objects.filter(
        tenders__bids__provider=provider,
        tenders__bids__status=BidStatus.SUBMITTED,
        tenders__opened_at__isnull=False,
    )


class TenderingConfig(AppConfig):
    """Running the purchase: rounds, criteria, notices, deadlines, bids, sealing,
    opening, panel and scores, evaluation and award, framework agreements."""

    name = "govbuy.tendering"
    label = "tendering"
    verbose_name = _("Tendering")

    def ready(self):
        from govbuy.orgs import credit_links
        from govbuy.procurement import extensions

        from . import views

        credit_links.register("tendering.bid", projects_bid_on)
        # The project page of procurement shows the running purchase.
        extensions.register_project_context("tendering", views.project_running_context)
