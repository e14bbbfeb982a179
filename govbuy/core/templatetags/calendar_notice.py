"""The notice that a year has no official holiday calendar yet (issue 12 B7).

{% load calendar_notice %}{% missing_calendar_years as missing %}
"""

from __future__ import annotations

from django import template
from django.utils import timezone

from govbuy.core.calendar import years_without_calendar

register = template.Library()


@register.simple_tag
def missing_calendar_years() -> list[int]:
    """The years (this and next) whose holiday arrangements are not entered yet."""
    return years_without_calendar(timezone.localdate())
