"""The amount paid on an English-language till receipt, cross-checked with the receipt's own arithmetic.

Every labelled amount gets a role (total, subtotal, tax, rounding, cash, change, card). Candidate totals are
the labelled totals, the payments, and values derived from other lines (cash − change, subtotal + tax ±
rounding, total + rounding); each value collects evidence from independent sources. A value backed by two
independent sources is `sure`; a lone reading is not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from ocr.extract.numbers import AmountMatch, find_amounts, format_amount
from ocr.extract.text import TextLine, edit_distance
from ocr.extract.values import FieldValue

_NICKEL = Decimal("0.05")
_ADJUSTMENT_LIMIT = Decimal("0.05")
_MAX_TAX_SHARE = Decimal("0.3")


class Role(StrEnum):
    """What a labelled amount on a receipt's summary block stands for."""

    TOTAL = "total"
    SUBTOTAL = "subtotal"
    TAX = "tax"
    TAX_INCLUDED = "tax_included"
    ROUNDING = "rounding"
    CASH = "cash"
    CHANGE = "change"
    CARD = "card"


_CHANGE = re.compile(r"\bchange\b|\bbalance\s*due\b|\bbaki\b")
_NOT_MONEY = re.compile(
    r"total\s*(?:qty|quantity|items?|item\(s\)|pcs|points?|savings?|disc\w*|weight|tend\w*)|\bqty\b|\bitems?\s*:"
    r"|\bno\.?\s*of\s*items?|\bpoints?\b|\bbalance\b(?!\s*due)"
    r"|supplies|zero\s*rated|standard\s*rated|exempt"  # partial sums by tax rate
)
_ROUND = re.compile(r"\bro[ue]?[nr]\s?d")
_TOTAL_WORD = re.compile(r"\btotal\b|\bjumlah\b|\bafter\b")
_TAX_WORD = re.compile(r"\b(?:gst|tax|vat|sst)\b")
_INCLUDED_TAX = re.compile(r"\binc\w*\b.{0,16}\b(?:gst|tax|sst)\b|\b(?:gst|tax|sst)\b.{0,16}\binc\w*")
_RATE = re.compile(r"\d\s?%|@")
_SALES = re.compile(r"total\s*sales|total\s*amount|grand|nett?\s*total|payable|\bdue\b|to\s*be\s*paid")
_SUBTOTAL = re.compile(r"excl\w*|exclusive|sub\s*-?\s*total|before\s*(?:gst|tax)|nett?\s*of\s*gst|w/o\s*gst")
_STRONG_TOTAL = re.compile(
    r"grand\s*total|nett?\s*(?:total|amount)|total\s*(?:amount\s*|amt\s*)?(?:payable|due)|amount\s*(?:payable|due)"
    r"|to\s*be\s*paid|total\s*amount|total\s*\(?rm\)?|total\s*sales|total\s*\(?incl|\bdue\b"
)
_TAX_LABEL = re.compile(
    r"(?:total|jumlah)\s*(?:gst|tax|vat|sst)|(?:gst|tax|vat|sst)\s*(?:payable|amount|amt|\(rm\)|:)|^\W*(?:gst|sst)\b"
    r"|service\s*(?:charge|tax)|(?:gst|sst|tax)\s*@?\s*\d"
)
_CASH = re.compile(r"\bcash\b|tender\w*|\bpaid\b|\bpayment\b|received|\btunai\b")
_PAID_TOTAL = re.compile(r"total\s*(?:paid|tender\w*|cash|received)|(?:paid|tender\w*)\s*(?:amount|amt|total)")
_CARD = re.compile(r"\bvisa\b|master\w*|\bcard\b|credit|debit|\bamex\b|e-?wallet|grab\s*pay|touch\s*n")
_AMOUNT_WORD = re.compile(r"\bamount\b|\bamt\b")
_LABELS = ("total", "change", "rounding", "subtotal", "cash")
_REAL_WORDS = frozenset({"charge", "charges", "cashier", "chance", "hotel", "tonal", "card", "case", "count"})
_CURRENCY = re.compile(r"(?<![A-Za-z])(?:RM|RH|RK|RN|KM|MYR|\$)\s?(?=[O0-9.])")


@dataclass(frozen=True)
class Reading:
    """One labelled amount: its value, role, label strength and where it was printed."""

    value: Decimal
    role: Role
    strength: float
    line: TextLine
    match: AmountMatch


def _repair_word(word: str) -> str:
    """Return the summary label a word is an OCR slip of ("lotal" → total, "reundlng" → rounding), or the word."""
    if len(word) < 4 or word in _REAL_WORDS:
        return word
    for label in _LABELS:
        allowed = 2 if len(label) >= 7 else 1
        if word != label and abs(len(word) - len(label)) <= 1 and edit_distance(word, label, allowed) <= allowed:
            return label
    return word


def _label_text(folded: str) -> str:
    """Return the folded line with label-like words repaired."""
    return "".join(_repair_word(part) for part in re.split(r"([^a-z]+)", folded))


def _clean_amount_text(text: str) -> str:
    """Blank currency prefixes (RM, misread as RH/RK) and repair an O after them, keeping the length."""
    cleaned = _CURRENCY.sub(lambda m: " " * len(m.group(0)), text)
    return re.sub(r"(?<=\s)[Oo](?=[.,]\d\d)", "0", cleaned)


def line_amounts(line: TextLine) -> list[AmountMatch]:
    """Return the amounts on a summary line, tolerating "RM4. 00", "RMO.00", a final "10 00" or "5142"."""
    text = _clean_amount_text(line.text)
    found = find_amounts(text)
    if found:
        return found
    tail = re.search(r"(?<![\d.,])(\d{1,5})( ?)(\d{2})\s*\W?$", text)
    if tail and (tail.group(2) or len(tail.group(1)) >= 2):
        value = Decimal(f"{tail.group(1)}.{tail.group(3)}")
        return [AmountMatch(value, tail.start(1), tail.end(3), "", True)]
    return []


def _role(line: TextLine) -> tuple[Role, float] | None:
    """Return the role and label strength of a summary line, or None when it carries no money label."""
    folded = _label_text(line.folded)
    if _CHANGE.search(folded):
        return Role.CHANGE, 1.0
    if _NOT_MONEY.search(folded):
        return None
    if _PAID_TOTAL.search(folded):
        return Role.CASH, 1.0
    if _ROUND.search(folded):
        return (Role.TOTAL, 1.0) if _TOTAL_WORD.search(folded) else (Role.ROUNDING, 1.0)
    informative = _INCLUDED_TAX.search(folded) and _RATE.search(folded) and not _SALES.search(folded)
    if informative and not re.match(r"\s*total\b", folded):
        return Role.TAX_INCLUDED, 1.0
    if _SUBTOTAL.search(folded):
        return Role.SUBTOTAL, 1.0
    if _STRONG_TOTAL.search(folded):
        return Role.TOTAL, 0.9
    if _TAX_LABEL.search(folded):
        return Role.TAX, 1.0
    if _TOTAL_WORD.search(folded):
        return Role.TOTAL, 0.8
    for pattern, role in ((_TAX_WORD, Role.TAX), (_CASH, Role.CASH), (_CARD, Role.CARD)):
        if pattern.search(folded):
            return role, 1.0
    return (Role.TOTAL, 0.5) if _AMOUNT_WORD.search(folded) else None


def _value_below(lines: list[TextLine], line: TextLine) -> tuple[TextLine, AmountMatch] | None:
    """Return the amount printed alone on the line under a label, if that line carries nothing else."""
    if line.index + 1 >= len(lines):
        return None
    below = lines[line.index + 1]
    amounts = line_amounts(below)
    if len(amounts) != 1 or _role(below) is not None:
        return None
    rest = _clean_amount_text(below.text[: amounts[0].start] + below.text[amounts[0].end :])
    return (below, amounts[0]) if not re.search(r"[A-Za-z]{2,}", rest) else None


def summary_readings(lines: list[TextLine]) -> list[Reading]:
    """Return the labelled amounts of a receipt (the last amount of each labelled line, or the one below)."""
    readings: list[Reading] = []
    for line in lines:
        role = _role(line)
        if role is None:
            continue
        amounts = line_amounts(line)
        found = (line, amounts[-1]) if amounts else _value_below(lines, line)
        if found is None:
            continue
        source, match = found
        value = match.value if role[0] in (Role.ROUNDING, Role.CHANGE) else abs(match.value)
        if role[0] is Role.ROUNDING and abs(value) >= _ADJUSTMENT_LIMIT:
            role = (Role.TOTAL, 0.7)  # a "rounding" line with a full amount is the rounded total
        readings.append(Reading(value, role[0], role[1], source, match))
    return readings


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
    """Return subtotal + tax (each tax, and all taxes together) where the tax is a plausible share."""
    sums: set[Decimal] = set()
    taxes = list(dict.fromkeys(_last(readings, Role.TAX, 3)))
    for base in _last(readings, Role.SUBTOTAL, 2):
        plausible = [t for t in taxes if 0 < t <= base * _MAX_TAX_SHARE]
        sums |= {base + t for t in plausible}
        if len(plausible) > 1:
            sums.add(base + sum(plausible))
    return sums


def _relations(readings: list[Reading], rounded: bool) -> list[tuple[Decimal, float]]:
    """Return totals implied by the arithmetic of other lines, with weights (fewer operands weigh more)."""
    cash, change = _last(readings, Role.CASH), _last(readings, Role.CHANGE)
    found = {c - ch: _RELATION if ch else _READ for c in cash for ch in change if c >= ch >= 0}
    rounding = [r for r in _last(readings, Role.ROUNDING) if r != 0]
    for total in _tax_sums(readings):
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


def _candidates(readings: list[Reading], rounded: bool) -> dict[Decimal, _Candidate]:
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
    for value, weight in _relations(readings, rounded):
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
    labelled = any(_role(line) == (Role.ROUNDING, 1.0) for line in lines)
    return labelled and (not adjustments or adjustments[-1] != 0)


def _one_digit_apart(a: Decimal, b: Decimal) -> bool:
    """Tell whether two amounts differ in exactly one printed digit (a typical OCR misreading)."""
    left, right = format_amount(a), format_amount(b)
    return len(left) == len(right) and sum(x != y for x, y in zip(left, right, strict=True)) == 1


def _explains(derived: Decimal, read: Decimal) -> bool:
    """Tell whether a derived total can be the true value of a reading: one misread digit, or its rounding."""
    return _one_digit_apart(derived, read) or (abs(derived - read) < _ADJUSTMENT_LIMIT and derived % _NICKEL == 0)


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
    candidates = _candidates(readings, rounded)
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
