"""Evaluation arithmetic: evaluated prices, price scores, totals and the ranking.

综合评分法 (财政部令第87号 第五十五条): price score = lowest evaluated price /
evaluated price × price weight; the ranking is by total score, ties by bid price
from low to high, and bids equal in both share the rank.
最低评标价法 (第五十六条): the ranking is by evaluated price, equal prices share it.
Small and micro enterprises bid with their price reduced by the deduction
(价格扣除, 财库〔2020〕46号 第九条、财库〔2022〕19号) — the evaluated price — unless the
purchase is reserved for SMEs.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from govbuy.tendering.models import EvaluationMethod

CENT = Decimal("0.01")


@dataclass(frozen=True)
class BidFacts:
    id: int
    price: Decimal  # the bid's final price (the last quote where there were rounds)
    small_or_micro: bool


@dataclass(frozen=True)
class BidResult:
    id: int
    evaluated_price: Decimal
    price_score: Decimal | None
    technical_score: Decimal | None
    total_score: Decimal | None
    rank: int


def deducted(*, small_or_micro: bool, reserved_for_sme: bool) -> bool:
    """Does a bid get the SME price deduction (价格扣除, 财库〔2020〕46号 第九条)? A
    small or micro enterprise's, unless the purchase is reserved for SMEs."""
    return small_or_micro and not reserved_for_sme


def evaluated_price(price: Decimal, *, small_or_micro: bool, deduction: Decimal) -> Decimal:
    if small_or_micro and deduction:
        return (price * (1 - deduction)).quantize(CENT, rounding=ROUND_HALF_UP)
    return price


def technical_scores(sheets: list[dict[int, Decimal]]) -> dict[int, Decimal]:
    """The mean over panel members of each bid's criteria points; each sheet maps
    bid id → that member's sum of points."""
    if not sheets:
        return {}
    ids = set().union(*sheets)
    return {
        bid: (
            sum((sheet.get(bid, Decimal(0)) for sheet in sheets), Decimal(0)) / len(sheets)
        ).quantize(CENT, rounding=ROUND_HALF_UP)
        for bid in ids
    }


def evaluate(
    bids: list[BidFacts],
    *,
    evaluation_method: str,
    price_weight: Decimal,
    deduction: Decimal,
    technical: dict[int, Decimal] | None = None,
    preferred: frozenset[int] = frozenset(),
) -> list[BidResult]:
    """Results for the valid bids, best first. Among bids equal in every respect
    the `preferred` ones (S10: decoupled industry associations for industry
    management) rank first."""
    if not bids:
        return []
    prices = {
        b.id: evaluated_price(b.price, small_or_micro=b.small_or_micro, deduction=deduction)
        for b in bids
    }
    bid_price = {b.id: b.price for b in bids}
    if evaluation_method == EvaluationMethod.LOWEST_PRICE:
        key = {b.id: (prices[b.id],) for b in bids}
        scores = {b.id: (None, None, None) for b in bids}
    else:
        technical = technical or {}
        lowest = min(prices.values())
        scores = {}
        for b in bids:
            price_score = (lowest / prices[b.id] * price_weight).quantize(
                CENT, rounding=ROUND_HALF_UP
            )
            tech = technical.get(b.id, Decimal(0)).quantize(CENT, rounding=ROUND_HALF_UP)
            scores[b.id] = (price_score, tech, price_score + tech)
        key = {b.id: (-scores[b.id][2], bid_price[b.id]) for b in bids}
    if preferred:
        key = {i: (*k, i not in preferred) for i, k in key.items()}
    order = sorted(bids, key=lambda b: (*key[b.id], b.id))
    results, rank, previous = [], 0, None
    for position, b in enumerate(order, start=1):
        if key[b.id] != previous:
            rank, previous = position, key[b.id]
        price_score, tech, total = scores[b.id]
        results.append(BidResult(b.id, prices[b.id], price_score, tech, total, rank))
    return results
