"""How every page shows money, shares, policy parameters and stored rule
messages. A builtin library (settings.TEMPLATES): no ``{% load %}`` needed.

    {{ amount|money }}      1,480,000.00          (table cells under a "(元)" heading)
    {{ amount|yuan }}       1,480,000.00 元
    {{ ratio|share }}       10% · 0.05% · 三分之二 / two thirds
    {{ row|param_value }}   a PolicyParameter's value by its kind: 30 日 / 30 days
    {% param_label key %}   a parameter's name, linked to the parameter page for staff
    {{ v|rule_message }}    a violation (object or stored dict) in the reader's language
    {{ items|texts }}       stored texts (strings or `Text`s) in the reader's language
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template
from django.urls import reverse
from django.utils.html import format_html

from govbuy.core import params
from govbuy.core.money import format_money
from govbuy.core.money import yuan as _yuan
from govbuy.core.text import message_of, shown_texts

register = template.Library()

# Roles that see the parameter page in the navigation (base.html).
PARAMETER_READERS = {"finance", "purchaser", "auditor", "platform_admin"}


def _number(value):
    try:
        return Decimal(str(value).replace(",", ""))
    except (InvalidOperation, ValueError):
        return None


@register.filter
def money(value):
    """An amount in 元 with thousands separators and 2 decimals, in every language."""
    if value is None or value == "":
        return ""
    number = _number(value)
    return value if number is None else format_money(number)


@register.filter
def yuan(value):
    """An amount followed by 元: 1,480,000.00 元."""
    if value is None or value == "":
        return ""
    number = _number(value)
    return value if number is None else _yuan(number)


@register.filter
def share(value):
    """A ratio (0–1) as a percentage, or as the fraction the law names (三分之二)."""
    if value is None or value == "":
        return ""
    number = _number(value)
    return value if number is None else params.share_text(number)


@register.filter
def param_value(row):
    """A PolicyParameter's value shown by its definition's kind and unit."""
    definition = row.definition
    try:
        value = params.parse_value(definition.value_type, row.value)
    except ValueError:
        return row.value
    return params.format_value(value, definition.value_type, definition.unit)


@register.simple_tag(takes_context=True)
def param_label(context, key):
    """The parameter's name in the reader's language; for the roles that read the
    parameter page, a link to its row there. Never the bare key."""
    if not key:
        return ""
    cache = context.render_context.setdefault("govbuy_param_labels", {})
    if key not in cache:
        cache[key] = params.label(key)
    name = cache[key]
    if context.get("active_role") in PARAMETER_READERS:
        return format_html('<a href="{}#param-{}">{}</a>', reverse("core:parameters"), key, name)
    return name


@register.filter
def rule_message(violation):
    """A violation's message in the reader's language (stored dicts included)."""
    return message_of(violation)


@register.filter
def texts(items):
    """Stored texts, each a plain string or a stored `Text`, in the reader's language."""
    return shown_texts(items)
