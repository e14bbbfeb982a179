"""Screening of a proposed purchase (C2, C3, C4, C7, C8, C9): the negative
list of the region and every region above it, applied by ``screening.py``.

Compiled screeners are cached per (regions, language, list version); any edit
of the negative list changes the version, so a new screener is compiled.
"""

from __future__ import annotations

import datetime as dt
import threading

from django.db.models import Count, Max, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from govbuy.core.errors import InvalidInput
from govbuy.orgs.selectors import region_by_code

from . import rules, screening
from .models import NegativeClause, NegativeListItem
from .selectors import catalog_in_force, lineage, public_unit_services

MAX_TITLE = 300
MAX_DESCRIPTION = 20_000

_cache: dict[tuple, screening.Screener] = {}
_cache_lock = threading.Lock()
_suspicious: list[dict] | None = None


def _suspicious_entries(english: bool) -> list[screening.ListEntry]:
    global _suspicious
    if _suspicious is None:
        _suspicious = screening.load_seed()[1]
    return [
        screening.ListEntry(
            key=s["key"],
            rule="C9",
            severity="warn",
            clause="C9",
            title=(s.get("title_en") if english else None) or s["title"],
            reason=(s.get("reason_en") if english else None) or s["reason"],
            phrases=tuple(s.get("phrases", ())),
            unless=tuple(s.get("unless", ())),
            title_zh=s["title"],
            title_en=s.get("title_en", ""),
            reason_zh=s["reason"],
            reason_en=s.get("reason_en", ""),
        )
        for s in _suspicious
    ]


def _entry(item: NegativeListItem, english: bool) -> screening.ListEntry:
    return screening.ListEntry(
        key=item.key,
        rule=NegativeClause.rule_for(item.clause),
        severity="hard",
        clause=item.basis,
        title=(item.title_en if english else "") or item.title,
        reason=(item.description_en if english else "") or item.description,
        phrases=tuple(item.phrase_list),
        unless=tuple(item.unless_list),
        title_zh=item.title,
        title_en=item.title_en,
        reason_zh=item.description,
        reason_en=item.description_en,
    )


def screener_for(region) -> screening.Screener:
    chain = lineage(region)
    scope = NegativeListItem.objects.filter(
        Q(region__isnull=True) | Q(region__in=chain), is_active=True
    )
    version = scope.aggregate(n=Count("pk"), at=Max("updated_at"), top=Max("pk"))
    english = (translation.get_language() or "zh-hans").startswith("en")
    key = (
        tuple(r.pk for r in chain),
        english,
        version["n"],
        version["at"],
        version["top"],
    )
    cached = _cache.get(key)
    if cached is not None:
        return cached
    entries = [_entry(item, english) for item in scope.order_by("region__code", "position")]
    compiled = screening.Screener([*entries, *_suspicious_entries(english)])
    with _cache_lock:
        if len(_cache) > 64:
            _cache.clear()
        _cache[key] = compiled
    return compiled


def screen_text(*, title: str, description: str, region=None) -> list:
    """C2, C3, C7 (hard) and C9 (warn) violations of a text."""
    hits = screener_for(region).screen(title or "", description or "")
    return rules.screening_violations(hits)


def _input_errors(title, description, catalog_item, region_code) -> list[dict]:
    errors = []
    for field, value, limit in (
        ("title", title, MAX_TITLE),
        ("description", description, MAX_DESCRIPTION),
        ("catalog_item", catalog_item, 40),
        ("region", region_code, 12),
    ):
        if value is not None and not isinstance(value, str):
            errors.append({"field": field, "message": _("Send text.")})
        elif value is not None and len(value) > limit:
            errors.append(
                {
                    "field": field,
                    "message": _("At most %(limit)s characters (got %(n)s).")
                    % {"limit": f"{limit:,}", "n": f"{len(value):,}"},
                }
            )
    if not errors and not (title or "").strip() and not (description or "").strip():
        errors.append({"field": "title", "message": _("Give the purchase's title or description.")})
    return errors


def screen_purchase(
    *,
    title: str,
    description: str = "",
    catalog_item: str | None = None,
    region: str | None = None,
    at: dt.date | None = None,
    has_consent: bool = False,
) -> list:
    """Judge a proposed purchase: barred content (C2, C3, C7), suspicious text
    (C9), the catalog item (C4) and 公益一类 overlaps (C8)."""
    errors = _input_errors(title, description, catalog_item, region)
    region_obj = None
    if region:
        region_obj = region_by_code(region)
        if region_obj is None and not errors:
            errors.append(
                {
                    "field": "region",
                    "message": _("Unknown region code %(code)s (use GB/T 2260, e.g. 410100).")
                    % {"code": region},
                }
            )
    if errors:
        raise InvalidInput(errors)
    at = at or timezone.localdate()
    violations = screen_text(title=title, description=description, region=region_obj)
    code = (catalog_item or "").strip()
    if code:
        catalog = catalog_in_force(region_obj, at.year)
        item = (
            catalog.items.filter(code=code, is_active=True).first() if catalog is not None else None
        )
        violations += rules.catalog_item_violations(
            code=code,
            found=item is not None,
            has_consent=has_consent,
            level_name=catalog.level_name if catalog else "",
        )
        if item is not None:
            violations += rules.kind_violations(item.kind, item.category, field="catalog_item")
        if item is not None and region_obj is not None:
            violations += rules.public_unit_violations(public_unit_services(item.code, region_obj))
    order = {"hard": 0, "warn": 1, "report": 2}
    return sorted(violations, key=lambda v: order.get(v.severity, 3))
