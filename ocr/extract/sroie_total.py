"""The amount paid on a SROIE receipt (English-language till receipt), cross-checked with its own arithmetic.

Every labelled amount has a role (`sroie_roles`: total, subtotal, tax, rounding, cash, change, card).
Candidates are the labelled totals, the payments, and values derived from other lines (cash − change,
subtotal + tax ± rounding, total + rounding); each value collects evidence from independent sources. A value
backed by two independent sources is `sure`; a lone reading is not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from ocr.extract.numbers import format_amount
from ocr.extract.sroie_roles import (
    ADJUSTMENT_LIMIT,
    NEAREST_NICKEL,
    TAX_TOTAL,
    Reading,
    Role,
    line_role,
    summary_readings,
)
from ocr.extract.text import TextLine
from ocr.extract.values import FieldValue

_NICKEL = Decimal("0.05")
_TAX_INSIDE = re.compile(r"inclu\w*\s*in\s*(?:the\s*)?total")
_MAX_TAX_SHARE = Decimal("0.3")


@dataclass
class _Candidate:
    """A possible total with the weight of the sources that support it."""

    value: Decimal
    strength: float = 0.0
    evidence: float = 0.0
    sources: int = 0
    reading: Reading | None = None

    def support(self, weight: float, reading: Reading | None = None, strength: float = 0.0) -> None:
        """Add one independent source; a labelled reading also becomes the field's location."""
        self.evidence += weight
        self.sources += 1
        if reading is not None and (self.reading is None or strength >= self.strength):
            self.reading, self.strength = reading, strength
        self.strength = max(self.strength, strength)


# Evidence weights: a labelled total, a card payment, a cash payment on a receipt without change, a
# subtotal (the total when no tax is added), and a relation between other lines.
_READ, _CARD_PAID, _CASH_PAID, _SUBTOTAL_ONLY, _RELATION, _ROUNDED_RELATION = 1.0, 1.0, 0.7, 0.3, 1.5, 1.2
_SOURCE_WEIGHTS = {
    Role.TOTAL: (_READ, None),
    Role.CARD: (_CARD_PAID, 0.6),
    Role.CASH: (_CASH_PAID, 0.5),
    Role.SUBTOTAL: (_SUBTOTAL_ONLY, 0.3),
}


def _last(readings: list[Reading], role: Role, count: int = 1) -> list[Decimal]:
    """Return the values of the last `count` readings with a role."""
    return [r.value for r in readings if r.role is role][-count:]


def _tax_sums(readings: list[Reading]) -> set[Decimal]:
    """Return subtotal + tax (each tax, and all taxes together, or the tax total line) where the tax is a
    plausible share."""
    sums: set[Decimal] = set()
    # a "tax total" line already is the sum of the taxes: it stands for them all
    summed = [r.value for r in readings if r.role is Role.TAX and TAX_TOTAL.search(r.line.folded)][-1:]
    taxes = summed or list(dict.fromkeys(_last(readings, Role.TAX, 3)))
    for base in _last(readings, Role.SUBTOTAL, 2):
        plausible = [t for t in taxes if 0 < t <= base * _MAX_TAX_SHARE]
        sums |= {base + t for t in plausible}
        if len(plausible) > 1:
            sums.add(base + sum(plausible))
    return sums


def _relations(readings: list[Reading], rounded: bool, tax_inside: bool) -> list[tuple[Decimal, float]]:
    """Return totals implied by the arithmetic of other lines, with weights (fewer operands weigh more).

    Subtotal + tax is no total on a receipt that says its tax is included in the total.
    """
    cash, change = _last(readings, Role.CASH), _last(readings, Role.CHANGE)
    found = {c - ch: _RELATION if ch else _READ for c in cash for ch in change if c >= ch >= 0}
    rounding = [r for r in _last(readings, Role.ROUNDING) if r != 0 and (not rounded or abs(r) <= NEAREST_NICKEL)]
    for total in set() if tax_inside else _tax_sums(readings):
        if not rounding:
            found.setdefault(total, _RELATION)
        for value in (total + sign * r for r in rounding for sign in (1, -1)):
            found.setdefault(value, _ROUNDED_RELATION)
    for value in (t + r for t in _last(readings, Role.TOTAL, 3) for r in rounding):
        found.setdefault(value, _ROUNDED_RELATION)
    if rounded:  # after rounding the amount paid is a multiple of five cents
        found = {v: w for v, w in found.items() if v % _NICKEL == 0 or w == _RELATION}
    return [(v, w) for v, w in found.items() if v > 0]


def _confirm_before_rounding(candidates: dict[Decimal, _Candidate], readings: list[Reading]) -> None:
    """Support a printed total that the rounding line turns into the amount paid (38.37 - 0.02 = 40.35 - 2.00)."""
    cash, change = _last(readings, Role.CASH), _last(readings, Role.CHANGE)
    paid = {c - ch for c in cash for ch in change if c > c - ch >= 0}
    paid |= {r.value for r in readings if r.role is Role.CARD and r.value > 0}
    rounding = [r for r in _last(readings, Role.ROUNDING) if r != 0]
    for reading in (r for r in readings if r.role is Role.TOTAL and r.value in candidates):
        if any(reading.value + sign * r in paid for r in rounding for sign in (1, -1)):
            candidates[reading.value].support(_RELATION)


def _candidates(readings: list[Reading], rounded: bool, tax_inside: bool) -> dict[Decimal, _Candidate]:
    """Collect candidate totals with their evidence."""
    candidates: dict[Decimal, _Candidate] = {}
    has_change = any(r.role is Role.CHANGE for r in readings)
    for reading in readings:
        if reading.role not in _SOURCE_WEIGHTS or reading.value <= 0:
            continue
        if reading.role is Role.CASH and has_change:
            continue  # cash tendered is the total only when no change is given
        weight, strength = _SOURCE_WEIGHTS[reading.role]
        candidate = candidates.setdefault(reading.value, _Candidate(reading.value))
        located = reading if reading.role is Role.TOTAL else None
        candidate.support(weight, located, reading.strength if strength is None else strength)
    for value, weight in _relations(readings, rounded, tax_inside):
        candidates.setdefault(value, _Candidate(value)).support(weight)
    _confirm_before_rounding(candidates, readings)
    return candidates


def _rank(candidate: _Candidate, rounded: bool) -> tuple[float, float, Decimal]:
    """Order candidates: evidence (plus a bonus for a nickel value when the receipt rounds), label, size."""
    nickel_bonus = 0.6 if rounded and candidate.value % _NICKEL == 0 else 0.0
    return (candidate.evidence + nickel_bonus, candidate.strength, candidate.value)


def _is_rounded(lines: list[TextLine], readings: list[Reading]) -> bool:
    """Tell whether the receipt rounds its total (a rounding line whose adjustment is not 0.00)."""
    adjustments = _last(readings, Role.ROUNDING)
    labelled = any(line_role(line) == (Role.ROUNDING, 1.0) for line in lines)
    return labelled and (not adjustments or adjustments[-1] != 0)


def _one_digit_apart(a: Decimal, b: Decimal) -> bool:
    """Tell whether two amounts differ in exactly one printed digit (a typical OCR misreading)."""
    left, right = format_amount(a), format_amount(b)
    return len(left) == len(right) and sum(x != y for x, y in zip(left, right, strict=True)) == 1


def _explains(derived: Decimal, read: Decimal) -> bool:
    """Tell whether a derived total can be the true value of a reading: one misread digit, or its rounding."""
    return _one_digit_apart(derived, read) or (abs(derived - read) < ADJUSTMENT_LIMIT and derived % _NICKEL == 0)


def _prefer_labelled(ranked: list[_Candidate]) -> _Candidate:
    """Keep a strongly labelled total over arithmetic that does not explain it as a misread digit.

    Arithmetic between other lines beats a lone reading only when it corrects one digit of it (64.50 read,
    subtotal + tax = 54.50); otherwise the sum is more likely partial (one tax rate, one department).
    """
    best = ranked[0]
    if best.reading is not None:
        return best
    strong = [c for c in ranked if c.reading is not None and c.strength >= 0.8]
    if strong and not any(_explains(best.value, c.value) for c in strong):
        return strong[0]
    return best


def _read_count(readings: list[Reading], value: Decimal) -> int:
    """Return how many labelled total lines read this value."""
    return sum(1 for r in readings if r.role is Role.TOTAL and r.value == value)


def find_total(lines: list[TextLine]) -> FieldValue | None:
    """Return the amount paid: the best-supported candidate; sure when independent sources agree.

    Args:
        lines: the document lines.

    Returns:
        The total, or None without any candidate. It is sure when at least two independent sources
        (labelled readings, a card payment, cash − change, subtotal + tax ± rounding) give the same value
        and no other value is nearly as well supported.
    """
    readings = summary_readings(lines)
    rounded = _is_rounded(lines, readings)
    tax_inside = any(_TAX_INSIDE.search(line.folded) for line in lines)
    candidates = _candidates(readings, rounded, tax_inside)
    if not candidates:
        return None
    ranked = sorted(candidates.values(), key=lambda c: _rank(c, rounded), reverse=True)
    best = _prefer_labelled(ranked)
    others = [_rank(c, rounded)[0] for c in ranked if c is not best]
    agreeing = best.sources >= 2 and (best.reading is None or best.sources > _read_count(readings, best.value))
    sure = agreeing and best.evidence >= 2.0 and _rank(best, rounded)[0] >= max(others, default=0.0) + 1.0
    confidence = min(1.0, 0.45 + 0.2 * best.evidence)
    if best.reading is None:
        return FieldValue(format_amount(best.value), round(confidence * 0.9, 3), (), sure)
    line, match = best.reading.line, best.reading.match
    ocr = line.span_confidence(match.start, match.end)
    return FieldValue(
        format_amount(best.value), round(min(1.0, confidence * max(ocr, 0.5)), 3),
        line.span_boxes(match.start, match.end), sure,
    )
