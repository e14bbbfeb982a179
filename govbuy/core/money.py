"""Money is Decimal 元 with two places, never float."""

from decimal import ROUND_HALF_UP, Decimal

from django.db import models

CENT = Decimal("0.01")


def to_money(value) -> Decimal:
    if isinstance(value, float):
        raise TypeError("money must not be a float; pass a str or Decimal")
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


class MoneyField(models.DecimalField):
    """元, 2 places, up to 99,999,999,999,999.99."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_digits", 16)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(*args, **kwargs)


def format_money(amount) -> str:
    """1480000 → '1,480,000.00', in every language: comma groups of three and two
    decimals (Django's `floatformat:"2g"` and `intcomma` follow the locale, and
    zh-hans groups no digits). '' for None or ''."""
    if amount is None or amount == "":
        return ""
    return f"{Decimal(str(amount)).quantize(CENT, rounding=ROUND_HALF_UP):,.2f}"


def yuan(amount) -> str:
    """1500000 → '1,500,000.00 元': how amounts are shown in pages and messages."""
    from django.utils.translation import gettext as _

    if amount is None or amount == "":
        return ""
    return _("%(amount)s 元") % {"amount": format_money(amount)}
