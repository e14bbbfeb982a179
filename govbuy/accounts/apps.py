from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "govbuy.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from govbuy.core.api_auth import set_token_lookup

        from . import signals  # noqa: F401
        from .services import authenticate_token

        # core's API authentication reads tokens through accounts (core sits below).
        set_token_lookup(authenticate_token)
