"""A policy parameter's value by its kind (元, %, 日, 工作日 …): parsed from its
stored string and shown in the active language. Below `text` and `params`,
which both show values (`text.ParamValue`, `params.cite`); it reads no table."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop, ngettext


class ValueType(models.TextChoices):
    """The kinds of policy-parameter values (`ParameterDefinition.ValueType`)."""

    MONEY = "money", gettext_lazy("Amount (元)")
    INTEGER = "integer", gettext_lazy("Whole number")
    RATIO = "ratio", gettext_lazy("Ratio (0–1)")
    MONTH_DAY = "month_day", gettext_lazy("Day of the year (MM-DD)")
    TEXT = "text", gettext_lazy("Text")


# --- showing a value by its kind -----------------------------------------------------------

# Fractions the law states as such (三分之二), shown as words rather than 67%.
NAMED_SHARES = [
    (Decimal(1) / 3, gettext_noop("one third")),
    (Decimal(2) / 3, gettext_noop("two thirds")),
]


def share_text(value) -> str:
    """0.10 → '10%'; 0.0005 → '0.05%'; 0.666 → 'two thirds' (三分之二)."""
    v = Decimal(str(value))
    for fraction, words in NAMED_SHARES:
        if abs(v - fraction) < Decimal("0.001"):
            return _(words)
    percent = (v * 100).quantize(Decimal("0.01")).normalize()
    return f"{percent:f}%"


def count_text(n, unit: str) -> str:
    """30, '日' → '30 日' / '30 days'; 5, '工作日' → '5 个工作日' / '5 working days'
    (the units of policy_parameters.json)."""
    k = int(n)
    if unit == "日":
        template = ngettext("%(n)s day", "%(n)s days", k)
    elif unit == "工作日":
        template = ngettext("%(n)s working day", "%(n)s working days", k)
    elif unit == "年":
        template = ngettext("%(n)s year", "%(n)s years", k)
    elif unit == "家":
        template = ngettext("%(n)s provider", "%(n)s providers", k)
    elif unit == "人":
        template = ngettext("%(n)s person", "%(n)s people", k)
    elif unit == "分":
        template = ngettext("%(n)s point", "%(n)s points", k)
    else:
        return f"{n} {unit}".strip()
    return template % {"n": n}


def format_value(value, value_type: str, unit: str = "") -> str:
    """A parameter's value as pages and messages show it, by its kind."""
    from .money import yuan

    VT = ValueType
    if value_type == VT.MONEY:
        return yuan(value)
    if value_type == VT.RATIO:
        return share_text(value)
    if value_type == VT.INTEGER:
        return count_text(value, unit)
    if value_type == VT.MONTH_DAY:
        month, day = value if isinstance(value, tuple) else parse_value(VT.MONTH_DAY, value)
        if get_language_code() == "en":
            from django.utils.dates import MONTHS

            return f"{day} {MONTHS[month]}"
        return f"{month}月{day}日"
    return str(value)


def parse_value(value_type: str, raw: str):
    """Typed value of a stored string; raises ValueError with a readable message."""
    VT = ValueType
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


def get_language_code() -> str:
    from django.utils.translation import get_language

    return (get_language() or "zh-hans").split("-")[0]
