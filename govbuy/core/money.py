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


def yuan(amount) -> str:
    """1500000 → '1,500,000.00 元': how amounts are cited in messages and reasons."""
    from django.utils.translation import gettext as _

    return _("%(amount)s 元") % {"amount": f"{Decimal(amount):,.2f}"}
