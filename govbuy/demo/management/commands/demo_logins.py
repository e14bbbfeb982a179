from django.core.management.base import BaseCommand

from govbuy.demo import data


class Command(BaseCommand):
    help = "Print the demo URL and every login the demo's flows need, with what to try."

    def add_arguments(self, parser):
        parser.add_argument("--url", default="http://127.0.0.1:8000/")

    def handle(self, *args, url, **options):
        width = max(len(login.username) for login in data.DEMO_LOGINS)
        self.stdout.write("")
        self.stdout.write(
            self.style.SUCCESS(
                f"govbuy — Government Purchase of Services (政府购买服务平台) → {url}"
            )
        )
        self.stdout.write(f"demo logins (password for all: {data.DEMO_PASSWORD}):")
        for login in data.DEMO_LOGINS:
            self.stdout.write(
                f"  {login.username.ljust(width)}  {login.role} · {login.organization}"
            )
            self.stdout.write(f"  {''.ljust(width)}  try: {login.try_this}")
        self.stdout.write("")
