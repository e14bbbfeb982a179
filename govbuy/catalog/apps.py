from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def load_reference_data(sender, using="default", **kwargs):
    """The shipped national negative list (and local examples): present on every
    database, including test databases after a flush. Adds only missing items."""
    from .seed import load_negative_list

    load_negative_list(using=using)


class CatalogConfig(AppConfig):
    name = "govbuy.catalog"
    label = "catalog"
    verbose_name = _("Catalog")

    def ready(self):
        post_migrate.connect(
            load_reference_data, sender=self, dispatch_uid="govbuy_catalog_reference_data"
        )
