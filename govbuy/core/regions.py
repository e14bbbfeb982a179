"""The levels of the administrative regions (行政区划), in core because policy
parameters (`core.params`) name them as well as `orgs.Region`. `govbuy.orgs.models`
re-exports `RegionLevel` for the apps above it."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RegionLevel(models.TextChoices):
    PROVINCE = "province", _("Province (省级)")
    CITY = "city", _("City (市级)")
    COUNTY = "county", _("County (县级)")
