"""Issue 11, the seal on bids (P12): digests in one canonical form (version 2;
bids received before keep version 1, verified in their own form); what the
notice says of bids above the budget; files of replaced and withdrawn bids
deleted after their retention period."""

from importlib import import_module

from django.db import migrations, models


# The same function object as 0002's (an equal field: no table rebuild on SQLite).
attachment_path = import_module("govbuy.procurement.migrations.0002_running_the_purchase").attachment_path



class Migration(migrations.Migration):
    dependencies = [
        ("procurement", "0004_rules_capacity_confirmation"),
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
        migrations.AddField(
            model_name="tender",
            name="over_budget_invalid",
            field=models.BooleanField(
                default=True, verbose_name="bids above the budget are invalid"
            ),
        ),
        migrations.AlterField(
            model_name="bidattachment",
            name="file",
            field=models.FileField(
                blank=True,
                max_length=200,
                upload_to=attachment_path,
            ),
        ),
        migrations.AddField(
            model_name="bidattachment",
            name="purged_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="file deleted at"),
        ),
    ]
