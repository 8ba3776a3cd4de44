"""Labelled amounts on a SROIE receipt (English-language till receipt): what each summary line stands for.

Each line of the summary block gets a role (total, subtotal, tax, rounding, cash, change, card) from its
label, tolerating OCR slips in the label words ("lotal", "reundlng") and in the amounts ("RM4. 00", "RMO.00").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from ocr.extract.numbers import AmountMatch, find_amounts
from ocr.extract.text import TextLine, edit_distance

ADJUSTMENT_LIMIT = Decimal("0.05")  # a rounding adjustment is less than five cents
#: Rounding to the nearest five cents moves an amount by two cents at most: a larger "adjustment" is misread.
NEAREST_NICKEL = Decimal("0.02")


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
    r"|invoice|receipt\s*(?:no|#)|\bbill\s*no|\bdoc\w*\s*no"  # document numbers read as amounts
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
    r"|(?:amount|amt)\s*\(?incl|^\W*total\b[\w\s]{0,12}\binc\w*\s*(?:gst|tax|sst)\s*:?\s*(?:rm)?\s*[\d.,\s]*$"
)
_TAX_LABEL = re.compile(
    r"(?:total|jumlah)\s*(?:gst|tax|vat|sst)|(?:gst|tax|vat|sst)\s*(?:payable|amount|amt|\(rm\)|:)|^\W*(?:gst|sst)\b"
    r"|service\s*(?:charge|tax)|(?:gst|sst|tax)\s*@?\s*\d+(?:[.,]\d+)?\s?%"
)
#: A line giving the sum of the taxes ("TAX TOTAL: 1.64"), not one more tax.
TAX_TOTAL = re.compile(r"(?:total|jumlah)\s*(?:gst|tax|vat|sst)\b(?!\s*inc)|\b(?:gst|tax|vat|sst)\s*total")
_CASH = re.compile(r"\bcash\b|tender\w*|\bpaid\b|\bpay\b(?!\s*(?:by|type|mode|method))|\bpayment\b|received|\btunai\b")
_PAID_TOTAL = re.compile(
    r"total\s*(?:paid|tender\w*|cash|received)|(?:paid|tender\w*)\s*(?:amount|amt|total)|\baccepted\b"
)
_CARD = re.compile(r"\bvisa\b|master\w*|\bcard\b|credit|debit|\bamex\b|e-?wallet|grab\s*pay|touch\s*n")
_AMOUNT_WORD = re.compile(r"\bamount\b|\bamt\b")
_LABELS = ("total", "change", "rounding", "subtotal", "cash")
_REAL_WORDS = frozenset({
    "charge", "charges", "cashier", "chance", "hotel", "tonal", "card", "case", "count", "orange", "changes",
    "founding", "sounding", "wounding", "subtotals", "totals",
})  # fmt: skip
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
        allowed = 2 if len(label) >= 6 else 1
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


def line_role(line: TextLine) -> tuple[Role, float] | None:
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
    if _TAX_LABEL.search(folded) or TAX_TOTAL.search(folded):
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
    if len(amounts) != 1 or line_role(below) is not None:
        return None
    rest = _clean_amount_text(below.text[: amounts[0].start] + below.text[amounts[0].end :])
    return (below, amounts[0]) if not re.search(r"[A-Za-z]{2,}", rest) else None


def summary_readings(lines: list[TextLine]) -> list[Reading]:
    """Return the labelled amounts of a receipt (the last amount of each labelled line, or the one below)."""
    readings: list[Reading] = []
    for line in lines:
        role = line_role(line)
        if role is None:
            continue
        amounts = line_amounts(line)
        found = (line, amounts[-1]) if amounts else _value_below(lines, line)
        if found is None:
            continue
        source, match = found
        value = match.value if role[0] in (Role.ROUNDING, Role.CHANGE) else abs(match.value)
        if role[0] is Role.ROUNDING and abs(value) >= 1:
            role = (Role.TOTAL, 0.7)  # a "rounding" line with a full amount is the rounded total
        readings.append(Reading(value, role[0], role[1], source, match))
    return readings


