from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChallengesConfig(AppConfig):
    """Questions (质疑), complaints (投诉), suspensions and decisions (P11)."""

    name = "govbuy.challenges"
    label = "challenges"
    verbose_name = _("Challenges")

    def ready(self):
        from govbuy.tendering import extensions

        from . import selectors

        # The round page of tendering shows the round's questions and complaints.
        extensions.register_round_context("challenges", selectors.round_context)
