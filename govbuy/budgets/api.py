"""Budgets API: budget lines (预算表), their approval and adjustments (预算调剂)."""

from ninja import Router

from govbuy.core.api_auth import AUTH

router = Router(tags=["budgets"], auth=AUTH)
