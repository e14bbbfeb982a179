from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from govbuy.core.errors import ApplicationError
from govbuy.core.services import set_holiday_calendar


class Command(BaseCommand):
    help = (
        "Enter a year's holiday arrangement from the State Council's notice. FILE has lines "
        "'YYYY-MM-DD holiday|workday [name]' (放假/上班 also accepted)."
    )

    def add_arguments(self, parser):
        parser.add_argument("year", type=int)
        parser.add_argument("file", type=Path)
        parser.add_argument("--basis", required=True, help="the notice, e.g. 国办发明电〔2026〕…号")

    def handle(self, *args, year, file, basis, **options):
        try:
            calendar = set_holiday_calendar(
                actor="manage.py import_holiday_calendar",
                year=year,
                basis=basis,
                days_text=file.read_text(encoding="utf-8"),
            )
        except (OSError, ApplicationError) as e:
            raise CommandError(str(e)) from None
        self.stdout.write(
            self.style.SUCCESS(f"{year}: {calendar.days.count()} days entered ({calendar.basis})")
        )
