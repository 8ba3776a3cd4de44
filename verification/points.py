"""Points for a claim's eligible lines under a campaign's PointsRules, then the caps.

The order, and why:
1. Each eligible line: points_per_unit x quantity + per_pln x the line's amount on the campaign's basis
   (net or gross), times every multiplier that applies to its SKU and the purchase date (they stack), rounded
   down per line. Quantity counts catalogue units (bags, boxes, coils, metres), never pack_size: a box of
   200 screws sold once is one box. Fractional quantities (cable by the metre) count proportionally.
2. Minimum purchase: when the eligible lines' amount (on the basis) is below it, the claim earns nothing.
3. The fixed bonus is added once per claim that earned anything from its lines (it is not multiplied).
4. Caps per day and per month of the purchase date and per campaign: the claim gets at most what every cap
   still leaves after History's points; each cap that cut is reported (for the points_capped reason).
Negative quantities, amounts or factors (returns, discounts, misconfiguration) never make points negative.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_FLOOR, Decimal

from verification.facts import LineItem
from verification.programme import Basis, Caps, History, PointsRules, month_key

ZERO = Decimal(0)
DEFAULT_VAT = 23


@dataclass(frozen=True)
class PricedLine:
    """An eligible line as points count it: the product's SKU and unit points, quantity and amount."""

    sku: str
    qty: Decimal
    amount: Decimal | None  # on the campaign's basis (see basis_amount)
    points_per_unit: int = 0


@dataclass(frozen=True)
class CapCut:
    """A cap that reduced the claim's points: its limit, what history had used, what was left."""

    cap: str  # per_day | per_month | per_campaign
    limit: int
    used: int
    left: int


@dataclass(frozen=True)
class PointsResult:
    line_points: tuple[int, ...]
    bonus: int
    before_caps: int
    points: int
    below_minimum: bool = False
    eligible_amount: Decimal = ZERO
    cuts: tuple[CapCut, ...] = ()


def priced_item(item: LineItem, sku: str, points_per_unit: int, amounts_are_net: bool, basis: Basis) -> PricedLine:
    """An eligible read item as points count it: its amount (quantity x unit price when no amount was read)
    converted to the campaign's basis."""
    amount = item.amount
    if amount is None and item.unit_price is not None:
        amount = (item.qty * item.unit_price).quantize(Decimal("0.01"))
    return PricedLine(sku, item.qty, basis_amount(amount, item.vat_rate, amounts_are_net, basis), points_per_unit)


def basis_amount(amount: Decimal | None, vat_rate: int | None, amounts_are_net: bool, basis: Basis) -> Decimal | None:
    """A line amount converted to the campaign's basis (receipt lines are gross, invoice lines net)."""
    if amount is None:
        return None
    rate = Decimal(DEFAULT_VAT if vat_rate is None else vat_rate)
    if amounts_are_net and basis is Basis.GROSS:
        return (amount * (100 + rate) / 100).quantize(Decimal("0.01"))
    if not amounts_are_net and basis is Basis.NET:
        return (amount * 100 / (100 + rate)).quantize(Decimal("0.01"))
    return amount


def multiplier_for(sku: str, purchased_on: date | None, rules: PointsRules) -> Decimal:
    """Product of every applicable multiplier's factor (1 when none applies; never below 0)."""
    factor = Decimal(1)
    for multiplier in rules.multipliers:
        if multiplier.applies(sku, purchased_on):
            factor *= max(multiplier.factor, ZERO)
    return factor


def line_points(line: PricedLine, rules: PointsRules, purchased_on: date | None) -> int:
    """Whole points of one eligible line (rounded down, never negative)."""
    per_unit = line.points_per_unit if rules.per_unit is None else rules.per_unit.get(line.sku, 0)
    base = Decimal(max(per_unit, 0)) * max(line.qty, ZERO) + max(rules.per_pln, ZERO) * max(line.amount or ZERO, ZERO)
    value = base * multiplier_for(line.sku, purchased_on, rules)
    return max(0, int(value.to_integral_value(rounding=ROUND_FLOOR)))


def cap_room(caps: Caps, history: History, day: date | None) -> tuple[int | None, tuple[CapCut, ...]]:
    """Points every cap still leaves (None: no cap), with each cap's state."""
    states = []
    if caps.per_day is not None:
        states.append(("per_day", caps.per_day, history.points_by_day.get(day, 0) if day else 0))
    if caps.per_month is not None:
        states.append(("per_month", caps.per_month, history.points_by_month.get(month_key(day), 0) if day else 0))
    if caps.per_campaign is not None:
        states.append(("per_campaign", caps.per_campaign, history.points_in_campaign))
    cuts = tuple(CapCut(name, limit, used, max(0, limit - used)) for name, limit, used in states)
    return (min((c.left for c in cuts), default=None), cuts)


def claim_points(lines: Sequence[PricedLine], rules: PointsRules, purchased_on: date | None,
                 history: History, cap_day: date | None = None) -> PointsResult:
    """Points of a claim's eligible lines, minimum purchase, bonus and caps applied.

    Args:
        lines: the eligible lines (amounts already on the campaign's basis).
        rules: the campaign's points rules.
        purchased_on: the purchase date (multipliers); None when unread.
        history: the participant's earlier points (caps).
        cap_day: the day caps count on (defaults to the purchase date).
    """
    amount = sum((max(line.amount or ZERO, ZERO) for line in lines), ZERO)
    if not lines or amount < rules.minimum_purchase:
        return PointsResult(tuple(0 for _ in lines), 0, 0, 0, bool(lines), amount)
    per_line = tuple(line_points(line, rules, purchased_on) for line in lines)
    bonus = max(rules.fixed_bonus, 0) if sum(per_line) > 0 else 0
    before = sum(per_line) + bonus
    room, states = cap_room(rules.caps, history, cap_day or purchased_on)
    points = before if room is None else min(before, room)
    return PointsResult(per_line, bonus, before, points, False, amount,
                        tuple(s for s in states if s.left < before))
