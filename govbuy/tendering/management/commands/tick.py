"""manage.py tick — run it every minute or so (cron, a systemd timer, a
Kubernetes CronJob); any number of runs, even at once, are safe."""

from django.core.management.base import BaseCommand

from govbuy.core import audit, idempotency
from govbuy.tendering.services.tick import tick


class Command(BaseCommand):
    help = (
        "Open rounds whose opening time has passed, lift ended suspensions and mark "
        "deadlines passed undone as late, purge expired idempotency keys; print what was "
        "done. Idempotent."
    )

    def handle(self, *args, **options):
        report = tick()
        for line in report.lines():
            self.stdout.write(line)
        purged = idempotency.purge_expired()
        if purged:
            self.stdout.write(f"idempotency keys expired and purged: {purged}")
        audit.verify_on_tick(self.stdout.write)
