"""Shipped reference data: the model guidance catalog (data/guidance_catalog.json)
and the negative list (data/negative_list.json). Both are loaded on a fresh
install; loading again adds what is missing and never overwrites edits."""

from __future__ import annotations

import functools
import json
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from govbuy.catalog.audit_actions import CatalogAction
from govbuy.core import audit
from govbuy.orgs.models import Region

from . import search
from .models import Catalog, CatalogItem, CatalogStatus, NegativeListItem
from .services import record_imported, sort_key, split_keywords

DATA = Path(__file__).resolve().parent / "data"
GUIDANCE_FILE = DATA / "guidance_catalog.json"
NEGATIVE_FILE = DATA / "negative_list.json"


@functools.lru_cache(maxsize=4096)
def _search_columns(name: str, keywords: str, description: str) -> dict[str, str]:
    # Pinyin of the same shipped items, computed once per process.
    return search.search_columns(name, keywords, description)


def guidance_seed() -> dict:
    return json.loads(GUIDANCE_FILE.read_text(encoding="utf-8"))


def load_negative_list(using: str = "default") -> int:
    """Add the shipped negative-list items whose key is not present yet."""
    data = json.loads(NEGATIVE_FILE.read_text(encoding="utf-8"))
    existing = set(NegativeListItem.objects.using(using).values_list("key", flat=True))
    regions = {
        r.code: r
        for r in Region.objects.using(using).filter(
            code__in=[i["region"] for i in data["items"] if i.get("region")]
        )
    }
    rows = []
    for position, item in enumerate(data["items"], start=1):
        if item["key"] in existing:
            continue
        region = regions.get(item["region"]) if item.get("region") else None
        if item.get("region") and region is None:
            continue
        rows.append(
            NegativeListItem(
                region=region,
                key=item["key"],
                clause=item["clause"],
                title=item["title"],
                title_en=item.get("title_en", ""),
                description=item["description"],
                description_en=item.get("description_en", ""),
                basis=item["basis"],
                phrases="\n".join(item.get("phrases", [])),
                unless="\n".join(item.get("unless", [])),
                position=position,
            )
        )
    NegativeListItem.objects.using(using).bulk_create(rows)
    return len(rows)


@transaction.atomic
def load_guidance_catalog(
    *, year: int, region=None, owner=None, publish: bool = True, actor=None
) -> Catalog:
    """Create the shipped model catalog for a level and year (once)."""
    existing = Catalog.objects.filter(region=region, year=year).first()
    if existing is not None:
        return existing
    data = guidance_seed()
    catalog = Catalog.objects.create(
        region=region,
        owner=owner,
        year=year,
        name=data["name"] if region is None else f"{region.name}{data['name']}",
        status=CatalogStatus.PUBLISHED if publish else CatalogStatus.DRAFT,
        published_at=timezone.now() if publish else None,
    )
    created = []
    # One bulk insert per depth (parents first, so children can point at them).
    level = [(node, None, None, position) for position, node in enumerate(data["items"], 1)]
    while level:
        items = []
        for node, parent, category, position in level:
            keywords = split_keywords(node.get("keywords", []))
            items.append(
                CatalogItem(
                    catalog=catalog,
                    parent=parent,
                    code=node["code"],
                    name=node["name"],
                    description=node.get("description", ""),
                    kind=node["kind"],
                    category=node.get("category") or category,
                    procurement_code=node.get("procurement_code", ""),
                    keywords=keywords,
                    depth=(parent.depth + 1) if parent else 1,
                    position=position,
                    sort_key=sort_key(parent.sort_key if parent else None, position),
                    **_search_columns(node["name"], keywords, node.get("description", "")),
                )
            )
        items = CatalogItem.objects.bulk_create(items)
        created += items
        level = [
            (child, item, item.category, position)
            for (node, *_rest), item in zip(level, items, strict=True)
            for position, child in enumerate(node.get("children", []), 1)
        ]
    record_imported(catalog, created, reason="govbuy seed: " + "; ".join(data.get("sources", [])))
    audit.record(
        actor=actor,
        action=CatalogAction.CATALOG_SEED,
        obj=catalog,
        data={"year": year, "items": len(created)},
    )
    return catalog
