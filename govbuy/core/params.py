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
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from .errors import ApplicationError

# Showing and parsing a value by its kind live in `formats` (text.ParamValue
# needs them, and params builds on text); re-exported here.
from .formats import NAMED_SHARES as NAMED_SHARES
from .formats import count_text as count_text
from .formats import format_value as format_value
from .formats import get_language_code as get_language_code
from .formats import parse_value as parse_value
from .formats import share_text as share_text
from .models import ParameterDefinition, PolicyParameter
from .regions import RegionLevel
from .text import ByLanguage, Choice, Join, ParamValue, Text

DEFAULTS_FILE = Path(__file__).resolve().parent / "data" / "policy_parameters.json"


class ParameterMissing(ApplicationError):
    def __init__(self, key: str, at: dt.date):
        super().__init__(
            "parameter_missing",
            _("The policy parameter “%(name)s” has no value in force on %(date)s.")
            % {"name": label(key), "date": at},
            field=key,
        )


@lru_cache(maxsize=1)
def _shipped_definitions() -> dict[str, dict]:
    doc = json.loads(DEFAULTS_FILE.read_text(encoding="utf-8"))
    return {d["key"]: d for d in doc["definitions"]}


def label(key: str) -> str:
    """A parameter's name in the active language (its key if it has none): what
    pages and messages call it; the key is for the API and the data file."""
    d = ParameterDefinition.objects.filter(key=key).values("name", "name_en").first()
    if d is None:
        d = _shipped_definitions().get(key)
    if not d:
        return key
    return (d["name_en"] if get_language_code() == "en" else d["name"]) or key


def kind_of(key: str, value) -> tuple[str, str]:
    """(value type, unit) of parameter `key`: from the shipped definitions, else
    guessed from the value (a Decimal is an amount, an int a plain number)."""
    d = _shipped_definitions().get(key)
    if d is not None:
        return d["value_type"], d.get("unit", "")
    VT = ParameterDefinition.ValueType
    if isinstance(value, Decimal):
        return VT.MONEY, "元"
    if isinstance(value, int):
        return VT.INTEGER, ""
    if isinstance(value, tuple):
        return VT.MONTH_DAY, ""
    return VT.TEXT, ""


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
    # Filled by `cite`; a Cited made by hand takes them from the shipped definitions.
    value_type: str = ""
    unit: str = ""
    # (Chinese, English) name, and the region as a text that follows the reader's language.
    names: tuple[str, str] = ("", "")
    where: object = None

    def _kind(self) -> tuple[str, str]:
        if self.value_type:
            return self.value_type, self.unit
        return kind_of(self.key, self.value)

    @property
    def shown(self) -> str:
        """The value by its kind: '1,000,000.00 元', '10%', '30 日' / '30 days'."""
        return format_value(self.value, *self._kind())

    @property
    def label(self) -> str:
        """The parameter's name in the active language."""
        if any(self.names):
            return str(ByLanguage(*self.names))
        return self.name

    @property
    def msg(self) -> Text:
        """The value with where it comes from, as a `Text` that follows the reader's
        language: '1,000,000.00 元（郑州市，自 2020-01-01 起施行，豫财购〔2020〕4号）'."""
        value = self.value
        if isinstance(value, tuple):
            value = list(value)
        return Text(
            gettext_noop("%(value)s (%(region)s, in force from %(date)s, %(basis)s)"),
            value=ParamValue(value, *self._kind()),
            region=self.where if self.where is not None else self.region,
            date=self.effective_from.isoformat(),
            basis=self.basis,
        )

    @property
    def text(self) -> str:
        return str(self.msg)

    def as_dict(self) -> dict:
        return {
            "key": self.key,
            "name": self.name,
            "value": str(self.value),
            "shown": self.shown,
            "effective_from": self.effective_from.isoformat(),
            "region": self.region,
            "basis": self.basis,
        }


def cite(key: str, region=None, at: dt.date | None = None) -> Cited:
    """Like `get`, with the value's region, effective date and legal basis."""
    row = resolve(key, region, at)
    if row.region_id is None:
        where = Text(gettext_noop("national"))
    else:
        where = row.region.name
        if row.level in RegionLevel.values:
            where = Join(" · ", [where, Choice(RegionLevel, row.level)])
    definition = row.definition
    name = definition.name_en if get_language_code() == "en" else definition.name
    return Cited(
        key=key,
        value=parse_value(definition.value_type, row.value),
        effective_from=row.effective_from,
        region=str(where),
        basis=row.basis,
        name=name,
        value_type=definition.value_type,
        unit=definition.unit,
        names=(definition.name, definition.name_en),
        where=where,
    )
