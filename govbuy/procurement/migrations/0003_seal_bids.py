"""Issue 11, the seal on bids (P12): digests in one canonical form (version 2;
bids received before keep version 1, verified in their own form)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("procurement", "0002_running_the_purchase"),
    ]

    operations = [
        # Bids already received hashed the price as typed: they are version 1.
        migrations.AddField(
            model_name="bid",
            name="digest_version",
            field=models.PositiveSmallIntegerField(default=1, verbose_name="digest version"),
        ),
        migrations.AlterField(
            model_name="bid",
            name="digest_version",
            field=models.PositiveSmallIntegerField(default=2, verbose_name="digest version"),
        ),
    ]
