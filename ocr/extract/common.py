"""Field finders shared by the Polish receipt and invoice extractors and the SROIE receipt extractor."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import replace
from decimal import Decimal

from ocr.extract.numbers import AmountMatch, DateMatch, find_amounts, find_dates, find_times, format_amount
from ocr.extract.text import Hit, TextLine
from ocr.extract.values import FieldValue, PaymentMethod

_POSTAL = re.compile(r"(?<!\d)\d{2}\s?-\s?\d{3}(?!\d)")
_STREET = re.compile(
    r"(?<![a-z])(?:ul|al|pl|os|ulica|aleja|plac|u[1it|])\s?\.|(?<![a-z])(?:ulica|aleja|plac)\s"
)  # "ut." / "u1.": ul. as OCR reads it
_PAYMENTS: tuple[tuple[re.Pattern[str], PaymentMethod], ...] = (
    (re.compile(r"\bblik\b"), PaymentMethod.BLIK),
    (
        re.compile(r"\bkart[aąyę]?\b|karta\w*|platnicz|\bcard\b|\bvisa\b|mastercard|\bdebit\b|\bcredit\b"),
        PaymentMethod.CARD,
    ),
    (re.compile(r"gotow\w*|\bcash\b"), PaymentMethod.CASH),
    (re.compile(r"przelew|transfer"), PaymentMethod.TRANSFER),
    (re.compile(r"\bbon\b|voucher"), PaymentMethod.VOUCHER),
)
_CURRENCIES: tuple[tuple[re.Pattern[str], str, float], ...] = (
    (re.compile(r"\bpln\b|\bzl\b|\d\s?zl\b"), "PLN", 1.0),
    (re.compile(r"\beur\b|€"), "EUR", 1.0),
    (re.compile(r"\busd\b"), "USD", 1.0),
    (re.compile(r"\$\s?\d|\d\s?\$(?!\S)"), "USD", 0.4),  # a lone "$" is often OCR noise for S or 5
    (re.compile(r"\brm\s?\d|\bmyr\b"), "MYR", 1.0),
)
CENT = Decimal("0.01")


def has_postal_code(line: TextLine) -> bool:
    """Tell whether a line holds a Polish postal code (NN-NNN)."""
    return bool(_POSTAL.search(line.text))


def is_address(line: TextLine) -> bool:
    """Tell whether a line looks like part of a postal address (street prefix or NN-NNN postal code)."""
    return has_postal_code(line) or bool(_STREET.search(line.folded))


def amount_hit(line: TextLine, match: AmountMatch, strength: float) -> Hit:
    """Wrap an amount match on a line as a `Hit` with the amount formatted for output."""
    return Hit(format_amount(match.value), line, match.start, match.end, strength)


def amounts_after(line: TextLine, position: int = 0) -> list[AmountMatch]:
    """Return amounts on a line that start at or after `position`."""
    return [m for m in find_amounts(line.text) if m.start >= position]


def amounts_alone(line: TextLine | None) -> list[AmountMatch]:
    """Return the amounts of a line that holds no word (none of three letters or more), else nothing: the
    amount of the label on the line above it, when a wide gap was read as two rows ("PTU B 8%" / "12,22")."""
    if line is None or re.search(r"[a-z]{3,}", line.folded):
        return []
    return find_amounts(line.text)


def value_near_label(lines: list[TextLine], line: TextLine, position: int) -> tuple[TextLine, AmountMatch] | None:
    """Return the amount belonging to a label: rightmost after it on its line, else on the next line."""
    same = amounts_after(line, position)
    if same:
        return line, same[-1]
    if line.index + 1 < len(lines):
        below = lines[line.index + 1]
        amounts = find_amounts(below.text)
        if len(amounts) == 1 and not re.search(r"[a-z]{4,}", below.folded[: amounts[0].start]):
            return below, amounts[0]
    return None


def matches_any(values: Iterable[Decimal], target: Decimal) -> bool:
    """Tell whether any value equals `target` to the cent."""
    return any(abs(v - target) < CENT / 2 for v in values)


def subset_sums_to(values: list[Decimal], target: Decimal, max_size: int = 3) -> bool:
    """Tell whether 2..max_size positive values (from distinct positions) add up to `target`."""
    positives = [v for v in values if v > 0][:12]
    for i, a in enumerate(positives):
        for j in range(i + 1, len(positives)):
            b = positives[j]
            if abs(a + b - target) < CENT / 2:
                return True
            if max_size >= 3 and any(abs(a + b + c - target) < CENT / 2 for c in positives[j + 1 :]):
                return True
    return False


_STATUS_BAR = re.compile(r"\b\d{1,3}\s?%|\b(?:LTE|[345]G\+?|H\+)(?!\w)")


def find_date_time(lines: list[TextLine], start: int = 0) -> tuple[FieldValue | None, FieldValue | None]:
    """Return the purchase date and time.

    A well-formed date with a clock time on its line wins (the fiscal printer's stamp), then a well-formed
    date, then a date printed on more lines than another (a misread copy loses to two agreeing ones), then
    weak forms (two-digit years, dates without separators); earlier lines win ties.
    """
    found: list[tuple[TextLine, DateMatch, Hit | None]] = []
    for line in lines[start:]:
        for date in find_dates(line.text):
            times = [t for t in find_times(line.text) if t[1] >= date.end or t[2] <= date.start]
            found.append((line, date, Hit(times[0][0], line, times[0][1], times[0][2], 0.95) if times else None))
    if not found:
        return None, find_time(lines, start)
    support = Counter(date.value for _, date, _ in found if date.strength >= 0.6)

    def rank(entry: tuple[TextLine, DateMatch, Hit | None]) -> tuple[bool, bool, int, int]:
        line, date, time_hit = entry
        return time_hit is not None and date.strength >= 0.6, date.strength >= 0.7, support[date.value], -line.index

    line, date, time_hit = max(found, key=rank)
    hit = Hit(date.value.isoformat(), line, date.start, date.end, date.strength)
    value = hit.field() if time_hit is not None else hit.field(strength=hit.strength * 0.9)
    value = replace(value, support=max(1, support[date.value]))
    if time_hit is not None:
        return value, time_hit.field()
    # a register prints the time with the date or after it (the footer): search from the date's line on,
    # then above it
    after = [t for t in lines[start:] if t.index >= line.index]
    return value, find_time(after) or find_time([t for t in lines[start:] if t.index < line.index])


def find_time(lines: list[TextLine], start: int = 0) -> FieldValue | None:
    """Return the first clock time after `start` (lower confidence than a time next to a date).

    A phone's status bar (a screenshot's first line: its clock beside the battery's percentage) is not the
    purchase's time.
    """
    for line in lines[start:]:
        times = find_times(line.text)
        if times and not (line.index <= 1 and _STATUS_BAR.search(line.text)):
            return Hit(times[0][0], line, times[0][1], times[0][2], 0.7).field()
    return None


def find_payment(lines: list[TextLine], start: int = 0) -> FieldValue | None:
    """Return the payment method named after `start` (card, cash, BLIK, transfer, voucher)."""
    for line in lines[start:]:
        for pattern, method in _PAYMENTS:
            match = pattern.search(line.folded)
            if match:
                return Hit(str(method), line, match.start(), match.end(), 0.9).field()
    return None


def find_currency(lines: list[TextLine], default: str | None = "PLN") -> FieldValue | None:
    """Return the currency the document prints most strongly, or `default` with low confidence.

    Every mention counts (a code such as PLN fully, a "$" next to a digit less): one stray "$" read from a
    speck does not outvote the "SUMA PLN" of a Polish receipt.
    """
    weights: dict[str, float] = {}
    first: dict[str, Hit] = {}
    for line in lines:
        for pattern, code, weight in _CURRENCIES:
            for match in pattern.finditer(line.folded):
                weights[code] = weights.get(code, 0.0) + weight
                first.setdefault(code, Hit(code, line, match.start(), match.end(), 1.0))
    if not weights:
        return FieldValue(default, 0.5) if default else None
    code = max(weights, key=lambda c: (weights[c], c == default))
    return first[code].field(strength=1.0 if weights[code] >= 1.0 else 0.6)
