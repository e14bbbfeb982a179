"""Policy parameters: every threshold, deadline and share is looked up here,
for a region at a date, never written as a constant in code.

Lookup walks from the region up to the national default; at each step a value
that names the target's level (e.g. "all counties of 河南") beats a value for
the region as a whole; within a step the latest value in force at the date wins.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from .errors import ApplicationError
from .models import ParameterDefinition, PolicyParameter

DEFAULTS_FILE = Path(__file__).resolve().parent / "data" / "policy_parameters.json"


class ParameterMissing(ApplicationError):
    def __init__(self, key: str, at: dt.date):
        super().__init__(
            "parameter_missing",
            _("policy parameter %(key)s has no value in force on %(date)s")
            % {"key": key, "date": at},
            field=key,
        )


def parse_value(value_type: str, raw: str):
    """Typed value of a stored string; raises ValueError with a readable message."""
    VT = ParameterDefinition.ValueType
    try:
        if value_type == VT.MONEY:
            v = Decimal(raw)
            if v < 0 or v != v.quantize(Decimal("0.01")):
                raise ValueError
            return v.quantize(Decimal("0.01"))
        if value_type == VT.INTEGER:
            return int(raw)
        if value_type == VT.RATIO:
            v = Decimal(raw)
            if not Decimal(0) <= v <= Decimal(1):
                raise ValueError
            return v
        if value_type == VT.MONTH_DAY:
            month, day = (int(x) for x in raw.split("-"))
            dt.date(2024, month, day)  # validates, leap year allows 02-29
            return (month, day)
        return raw
    except (ValueError, InvalidOperation, TypeError):
        expected = {
            VT.MONEY: _("an amount in 元 with at most 2 decimals, e.g. 1000000.00"),
            VT.INTEGER: _("a whole number"),
            VT.RATIO: _("a ratio between 0 and 1, e.g. 0.30"),
            VT.MONTH_DAY: _("a day of the year as MM-DD, e.g. 09-30"),
        }.get(value_type, _("text"))
        raise ValueError(
            _("%(value)s is not %(expected)s") % {"value": repr(raw), "expected": expected}
        ) from None


def lineage(region) -> list:
    """[region, parent, …, province]; [] for the national level."""
    chain = []
    while region is not None:
        chain.append(region)
        region = region.parent
    return chain


def resolve(key: str, region=None, at: dt.date | None = None) -> PolicyParameter:
    """The PolicyParameter row in force for `region` at date `at` (default: today)."""
    at = at or timezone.localdate()
    # The region's path ("/410000/410100/410122/") names its ancestors: no walk up the tree.
    codes = list(reversed(region.path.strip("/").split("/"))) if region is not None else []
    level = region.level if region is not None else ""
    candidates = list(
        PolicyParameter.objects.select_related("definition", "region")
        .filter(definition_id=key, effective_from__lte=at)
        .filter(Q(region__code__in=codes) | Q(region__isnull=True))
    )
    for step in [*codes, None]:
        rows = [c for c in candidates if (c.region.code if c.region_id else None) == step]
        for wanted in ([level] if level else []) + [""]:
            matching = [c for c in rows if c.level == wanted]
            if matching:
                return max(matching, key=lambda c: c.effective_from)
    raise ParameterMissing(key, at)


def get(key: str, region=None, at: dt.date | None = None):
    """Typed value of parameter `key` for `region` at date `at`."""
    row = resolve(key, region, at)
    return parse_value(row.definition.value_type, row.value)


@transaction.atomic
def sync_defaults(region_model=None) -> tuple[int, int]:
    """Insert shipped definitions and default values that are missing.

    Idempotent; never overwrites a value the finance department changed: a
    value is identified by (key, region, level, effective_from)."""
    doc = json.loads(DEFAULTS_FILE.read_text(encoding="utf-8"))
    created_defs = created_values = 0
    for d in doc["definitions"]:
        _, created = ParameterDefinition.objects.update_or_create(
            key=d["key"],
            defaults={
                "name": d["name"],
                "name_en": d["name_en"],
                "value_type": d["value_type"],
                "unit": d.get("unit", ""),
                "description": d.get("description", ""),
            },
        )
        created_defs += created
    types = dict(ParameterDefinition.objects.values_list("key", "value_type"))
    region_ids = {}
    if region_model is not None:
        codes = {v["region"] for v in doc["values"] if v["region"]}
        region_ids = dict(region_model.objects.filter(code__in=codes).values_list("code", "pk"))
    for v in doc["values"]:
        parse_value(types[v["key"]], v["value"])  # a bad shipped value fails loudly
        if v["region"] and v["region"] not in region_ids:
            continue
        _, created = PolicyParameter.objects.get_or_create(
            definition_id=v["key"],
            region_id=region_ids.get(v["region"]) if v["region"] else None,
            level=v.get("level", ""),
            effective_from=dt.date.fromisoformat(v["effective_from"]),
            defaults={"value": v["value"], "basis": v["basis"], "note": v.get("note", "")},
        )
        created_values += created
    return created_defs, created_values


@dataclass(frozen=True)
class Cited:
    """A parameter value with where it comes from, for messages that cite it."""

    key: str
    value: object
    effective_from: dt.date
    region: str
    basis: str
    name: str

    @property
    def text(self) -> str:
        """'1,000,000.00 元（郑州市，2020-01-01 起，豫财购〔2020〕4号）'."""
        from .money import yuan

        shown = yuan(self.value) if isinstance(self.value, Decimal) else str(self.value)
        return _("%(value)s (%(region)s, in force from %(date)s, %(basis)s)") % {
            "value": shown,
            "region": self.region,
            "date": self.effective_from.isoformat(),
            "basis": self.basis,
        }

    def as_dict(self) -> dict:
        return {
            "key": self.key,
            "name": self.name,
            "value": str(self.value),
            "effective_from": self.effective_from.isoformat(),
            "region": self.region,
            "basis": self.basis,
        }


def cite(key: str, region=None, at: dt.date | None = None) -> Cited:
    """Like `get`, with the value's region, effective date and legal basis."""
    row = resolve(key, region, at)
    if row.region_id is None:
        where = _("national")
    else:
        from govbuy.orgs.models import RegionLevel

        where = row.region.name
        if row.level in RegionLevel.values:
            where += f" · {RegionLevel(row.level).label}"
    name = row.definition.name_en if get_language_code() == "en" else row.definition.name
    return Cited(
        key=key,
        value=parse_value(row.definition.value_type, row.value),
        effective_from=row.effective_from,
        region=where,
        basis=row.basis,
        name=name,
    )


def get_language_code() -> str:
    from django.utils.translation import get_language

    return (get_language() or "zh-hans").split("-")[0]
