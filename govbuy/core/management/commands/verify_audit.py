from django.core.management.base import BaseCommand, CommandError

from govbuy.core.audit import verify_incremental


class Command(BaseCommand):
    help = (
        "Verify the audit hash chain from the last verified event (the stored "
        "checkpoint) to the head, store the result for the auditor's page and report "
        "the first broken link (exit 1 if any). --full starts from the first event."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--full", action="store_true", help="verify the whole chain, not only new events"
        )
        parser.add_argument(
            "--limit", type=int, default=None, help="read at most this many events this run"
        )

    def handle(self, *args, full=False, limit=None, **options):
        report = verify_incremental(full=full, limit=limit)
        if report is None:
            raise CommandError("another verification is running; try again when it has finished")
        if not report.ok:
            raise CommandError(str(report))
        self.stdout.write(self.style.SUCCESS(str(report)))
