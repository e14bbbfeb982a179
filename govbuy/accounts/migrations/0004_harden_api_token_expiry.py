"""Every API token expires: tokens made without an expiry get the default lifetime
from now (GOVBUY_API_TOKEN_DAYS), so none lives for ever."""

from datetime import timedelta

from django.conf import settings
from django.db import migrations, models
from django.utils import timezone


def give_every_token_an_expiry(apps, schema_editor):
    ApiToken = apps.get_model("accounts", "ApiToken")
    days = getattr(settings, "GOVBUY_API_TOKEN_DAYS", 90)
    ApiToken.objects.filter(expires_at__isnull=True).update(
        expires_at=timezone.now() + timedelta(days=days)
    )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_running_the_purchase")]

    operations = [
        migrations.RunPython(give_every_token_an_expiry, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(verbose_name="expires at"),
        ),
    ]
