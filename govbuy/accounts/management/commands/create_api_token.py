"""manage.py create_api_token USERNAME — an API token for scripts (the fuzzing gate
of .ci/fuzz, an integration); prints the secret once, like the account page."""

from django.core.management.base import BaseCommand, CommandError

from govbuy.accounts.models import User
from govbuy.accounts.services import create_api_token
from govbuy.core.errors import ApplicationError


class Command(BaseCommand):
    help = "Create an API token for a user and print its secret (shown only this once)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="script", help="what the token is for")
        parser.add_argument("--days", type=int, help="days until it expires (default: usual)")

    def handle(self, *args, username, name, days, **options):
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"no active user {username!r}")
        extra = {} if days is None else {"days": days}
        try:
            _token, secret = create_api_token(actor=user, name=name, **extra)
        except ApplicationError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(secret)
