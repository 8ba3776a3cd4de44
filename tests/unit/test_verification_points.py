"""Points rules: worked examples and hypothesis properties (never negative, caps hold, monotonic, multipliers)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from verification import Basis, Caps, History, Multiplier, PointsRules, PricedLine, claim_points, month_key
from verification.points import basis_amount, line_points

DAY = date(2026, 11, 3)


def test_per_unit_per_pln_bonus_and_rounding_down_per_line():
    rules = PointsRules(per_pln=Decimal("0.1"), fixed_bonus=5)
    lines = [PricedLine("A", Decimal(2), Decimal("179.80"), 8), PricedLine("B", Decimal("12.5"), Decimal("31.25"), 1)]
    result = claim_points(lines, rules, DAY, History())
    assert result.line_points == (33, 15)  # 16 + 17.98 -> 33; 12.5 + 3.125 -> 15
    assert (result.bonus, result.points) == (5, 53)


def test_campaign_per_unit_table_overrides_the_catalogue_points():
    rules = PointsRules(per_unit={"A": 20})
    assert claim_points([PricedLine("A", Decimal(1), Decimal(10), 8)], rules, DAY, History()).points == 20
    assert claim_points([PricedLine("B", Decimal(1), Decimal(10), 8)], rules, DAY, History()).points == 0


def test_multipliers_apply_by_product_and_date_and_stack():
    november = Multiplier(Decimal("1.5"), from_date=date(2026, 11, 1), to_date=date(2026, 11, 30))
    rules = PointsRules(multipliers=(Multiplier(Decimal(2), skus=frozenset({"A"})), november))
    line = PricedLine("A", Decimal(1), None, 10)
    assert line_points(line, rules, DAY) == 30
    assert line_points(line, rules, date(2026, 12, 1)) == 20
    assert line_points(PricedLine("B", Decimal(1), None, 10), rules, DAY) == 15


def test_below_minimum_purchase_earns_nothing():
    rules = PointsRules(minimum_purchase=Decimal(100), fixed_bonus=10)
    result = claim_points([PricedLine("A", Decimal(1), Decimal("99.99"), 8)], rules, DAY, History())
    assert result.points == 0 and result.below_minimum


def test_caps_leave_only_what_is_left_and_say_which_cut():
    rules = PointsRules(caps=Caps(per_day=50, per_month=100, per_campaign=1000))
    history = History(points_by_day={DAY: 45}, points_by_month={month_key(DAY): 20}, points_in_campaign=10)
    result = claim_points([PricedLine("A", Decimal(2), None, 8)], rules, DAY, history)
    assert (result.before_caps, result.points) == (16, 5)
    assert [c.cap for c in result.cuts] == ["per_day"]


def test_basis_converts_gross_receipts_and_net_invoices():
    assert basis_amount(Decimal("123.00"), 23, amounts_are_net=False, basis=Basis.NET) == Decimal("100.00")
    assert basis_amount(Decimal("100.00"), 23, amounts_are_net=True, basis=Basis.GROSS) == Decimal("123.00")
    assert basis_amount(Decimal("100.00"), 8, amounts_are_net=True, basis=Basis.NET) == Decimal("100.00")


money = st.decimals(min_value=-50, max_value=5000, places=2, allow_nan=False, allow_infinity=False)
quantities = st.decimals(min_value=-5, max_value=500, places=2, allow_nan=False, allow_infinity=False)
lines = st.lists(st.builds(PricedLine, st.sampled_from(["A", "B", "C"]), quantities, money | st.none(),
                           st.integers(-5, 50)), max_size=6)
factors = st.decimals(min_value=0, max_value=5, places=2, allow_nan=False, allow_infinity=False)
rules = st.builds(
    PointsRules,
    per_pln=st.decimals(min_value=-1, max_value=3, places=2, allow_nan=False, allow_infinity=False),
    fixed_bonus=st.integers(-10, 100),
    multipliers=st.lists(st.builds(Multiplier, factors, st.none() | st.just(frozenset({"A"}))), max_size=3).map(tuple),
    minimum_purchase=st.decimals(min_value=0, max_value=500, places=2, allow_nan=False, allow_infinity=False),
    caps=st.builds(Caps, st.none() | st.integers(0, 500), st.none() | st.integers(0, 2000),
                   st.none() | st.integers(0, 10000)),
)
histories = st.builds(History, points_by_day=st.fixed_dictionaries({DAY: st.integers(0, 600)}),
                      points_by_month=st.fixed_dictionaries({month_key(DAY): st.integers(0, 3000)}),
                      points_in_campaign=st.integers(0, 12000))


@settings(max_examples=300, deadline=None)
@given(lines, rules, histories)
def test_points_are_never_negative_and_never_exceed_any_cap(priced, points_rules, history):
    result = claim_points(priced, points_rules, DAY, history)
    assert result.points >= 0 and all(p >= 0 for p in result.line_points)
    caps = points_rules.caps
    if caps.per_day is not None:
        assert result.points <= max(0, caps.per_day - history.points_by_day[DAY])
    if caps.per_month is not None:
        assert result.points <= max(0, caps.per_month - history.points_by_month[month_key(DAY)])
    if caps.per_campaign is not None:
        assert result.points <= max(0, caps.per_campaign - history.points_in_campaign)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["A", "B"]), st.integers(0, 40), money, st.integers(0, 50)),
                min_size=1, max_size=5),
       st.integers(0, 4), st.integers(1, 30), rules)
def test_more_quantity_never_gives_fewer_points_without_caps(rows, which, extra, points_rules):
    points_rules = PointsRules(points_rules.per_unit, abs(points_rules.per_pln), points_rules.basis,
                               points_rules.fixed_bonus, points_rules.multipliers, points_rules.minimum_purchase)
    unit_prices = [abs(price) for _, _, price, _ in rows]

    def priced(bump: int) -> list[PricedLine]:
        return [PricedLine(sku, Decimal(qty + (bump if n == which % len(rows) else 0)),
                           unit_prices[n] * (qty + (bump if n == which % len(rows) else 0)), unit)
                for n, (sku, qty, _, unit) in enumerate(rows)]

    before = claim_points(priced(0), points_rules, DAY, History()).points
    after = claim_points(priced(extra), points_rules, DAY, History()).points
    assert after >= before


@settings(max_examples=300, deadline=None)
@given(lines, rules, histories, st.decimals(min_value=1, max_value=5, places=2, allow_nan=False,
                                            allow_infinity=False))
def test_a_multiplier_of_at_least_one_never_reduces_points(priced, points_rules, history, factor):
    boosted = PointsRules(points_rules.per_unit, points_rules.per_pln, points_rules.basis, points_rules.fixed_bonus,
                          (*points_rules.multipliers, Multiplier(factor)), points_rules.minimum_purchase,
                          points_rules.caps)
    plain = claim_points(priced, points_rules, DAY, history).points
    assert claim_points(priced, boosted, DAY, history).points >= plain
