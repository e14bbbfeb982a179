"""Settings of the bench's gunicorn: the product's production settings, with the
bench-only URL conf (the bare view beside the product's URLs). Nothing in the
product imports this module."""

from govbuy.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
