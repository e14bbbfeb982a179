from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def load_reference_data(sender, using="default", **kwargs):
    """Regions (GB/T 2260) and the shipped policy-parameter defaults: present on
    every database, including test databases after a flush. Idempotent."""
    from govbuy.core import params

    from .models import Region
    from .services import load_regions

    load_regions(using=using)
    params.sync_defaults(region_model=Region)


class OrgsConfig(AppConfig):
    name = "govbuy.orgs"
    label = "orgs"
    verbose_name = _("Organizations")

    def ready(self):
        post_migrate.connect(load_reference_data, sender=self, dispatch_uid="govbuy_reference_data")
