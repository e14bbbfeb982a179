"""Procurement API: the public method oracle; scoped projects, requirements,
reviews, methods and splitting flags."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema
from pydantic import Field

from govbuy.core.api_auth import AUTH, PublicRateThrottle
from govbuy.core.errors import InvalidInput
from govbuy.core.params import ParameterMissing
from govbuy.orgs.models import Region

from . import methods
from .rules import MethodFacts

public_router = Router(tags=["procurement (public)"])
router = Router(tags=["procurement"], auth=AUTH)


class MethodsIn(Schema):
    region: str | None = Field(None, max_length=12, description="GB/T 2260 code; empty: national")
    on: dt.date | None = Field(None, description="the day the purchase starts; default today")
    amount: Decimal = Field(..., description="budget of the purchase in 元")
    centralized_catalog: bool = False
    own_public_welfare_2: bool = False
    voucher: bool = False
    emergency: bool = False


class Reason(Schema):
    rule: str
    message: str
    basis: str
    parameter: str | None = None


class CitedParameter(Schema):
    key: str
    name: str
    value: str
    effective_from: dt.date
    region: str
    basis: str


class MethodsOut(Schema):
    procurement_law_applies: bool
    allowed: list[str]
    requires_approval: list[str]
    default: str
    reasons: list[Reason]
    parameters: list[CitedParameter]


def _region(code: str | None):
    code = (code or "").strip()
    if not code:
        return None
    region = Region.objects.filter(code=code).select_related("parent__parent").first()
    if region is None:
        raise InvalidInput(
            [
                {
                    "field": "region",
                    "message": _("Unknown region code %(code)s (use GB/T 2260, e.g. 410100).")
                    % {"code": code},
                }
            ]
        )
    return region


@public_router.post(
    "/rules/methods",
    response=MethodsOut,
    auth=None,
    throttle=[PublicRateThrottle()],
    summary="Which procurement methods a purchase may use (P2, P3, P6, P9), with reasons",
)
def method_oracle(request, payload: MethodsIn):
    errors = []
    amount = payload.amount
    if not amount.is_finite() or amount <= 0:
        errors.append({"field": "amount", "message": _("The amount must be more than 0.")})
    elif amount != amount.quantize(Decimal("0.01")) or amount >= Decimal("1e14"):
        errors.append(
            {"field": "amount", "message": _("Give the amount in 元 with at most 2 decimals.")}
        )
    region = _region(payload.region) if not errors else None
    if errors:
        raise InvalidInput(errors)
    facts = MethodFacts(
        amount=amount.quantize(Decimal("0.01")),
        centralized_catalog=payload.centralized_catalog,
        own_public_welfare_2=payload.own_public_welfare_2,
        voucher=payload.voucher,
        emergency=payload.emergency,
    )
    on = payload.on or timezone.localdate()
    try:
        return methods.decide(facts, region=region, on=on).as_dict()
    except ParameterMissing as exc:
        raise InvalidInput([{"field": "on", "message": exc.message}]) from None
