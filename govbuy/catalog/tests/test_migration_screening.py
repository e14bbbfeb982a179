"""An existing installation gets the shipped negative list's new C2 (二) phrases
(catalog migration 0002) — but never over an item it has edited itself."""

import importlib
import json

from django.apps import apps

from govbuy.catalog.models import NegativeListItem
from govbuy.catalog.seed import NEGATIVE_FILE

migration = importlib.import_module("govbuy.catalog.migrations.0002_screening_decision_family")
SHIPPED = {i["key"]: i for i in json.loads(NEGATIVE_FILE.read_text(encoding="utf-8"))["items"]}


def _as_before(key):
    """Put a national item back to what was shipped before the change."""
    item = NegativeListItem.objects.get(key=key, region__isnull=True)
    for field, (before, _after) in migration.CHANGES[key].items():
        setattr(item, field, migration._value(before))
    item.save()
    return item


def test_an_unedited_item_gets_the_new_phrases(db):
    for key in migration.CHANGES:
        _as_before(key)
    migration.forwards(apps, None)
    for key, fields in migration.CHANGES.items():
        item = NegativeListItem.objects.get(key=key, region__isnull=True)
        for field in fields:
            assert getattr(item, field) == migration._value(SHIPPED[key][field]), (key, field)


def test_an_edited_item_is_left_as_the_installation_made_it(db):
    item = _as_before("art10-2-licensing")
    item.phrases = "本地改写的短语"
    item.save()
    migration.forwards(apps, None)
    item.refresh_from_db()
    assert item.phrases == "本地改写的短语"
    # The fields it did not edit still move on.
    assert item.title == SHIPPED["art10-2-licensing"]["title"]


def test_backwards_restores_what_was_shipped_before(db):
    migration.backwards(apps, None)
    item = NegativeListItem.objects.get(key="art10-2-coercion", region__isnull=True)
    before = migration.CHANGES["art10-2-coercion"]["phrases"][0]
    assert item.phrases == migration._value(before)
