from django.core.management.base import BaseCommand, CommandError

from govbuy.core.audit import verify_chain


class Command(BaseCommand):
    help = "Verify the audit hash chain; report the first broken link (exit 1 if any)."

    def handle(self, *args, **options):
        report = verify_chain()
        if not report.ok:
            raise CommandError(str(report))
        self.stdout.write(self.style.SUCCESS(str(report)))
