"""Parsing dates, times and money amounts from OCR text, tolerant of common OCR noise."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from ocr.extract.text import fold

_INTERIOR_REPAIRS = {"O": "0", "o": "0", "D": "0", "l": "1", "I": "1", "|": "1", "S": "5", "B": "8"}
_DIGIT_OR_SEP = set("0123456789.,:-/")
_MONTHS = {
    "sty": 1, "lut": 2, "mar": 3, "kwi": 4, "maj": 5, "cze": 6, "lip": 7, "sie": 8, "wrz": 9, "paz": 10,
    "lis": 11, "gru": 12, "jan": 1, "feb": 2, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
    "oct": 10, "nov": 11, "dec": 12, "pa": 10,
}  # fmt: skip
MIN_YEAR, MAX_YEAR = 2000, 2100

_YMD = re.compile(r"(?<![\d])(20\d{2}|2\d{3})\s?([-./])\s?(\d{1,2})\s?([-./])\s?(\d{1,2})(?!\d)")
_DMY = re.compile(r"(?<![\d])(\d{1,2})\s?([-./])\s?(\d{1,2})\s?([-./])\s?(\d{4})(?!\d)")
_DN_YR = re.compile(r"(?<!\d)(\d{2})\s?r\.?\s?(\d{2})[.\-](\d{2})(?![\d.])")
_TEXT_MONTH = re.compile(r"(?<![\d])(\d{1,2})\.?\s*([a-z]{3,12})\.?,?\s*(\d{4})(?!\d)")
_TIME = re.compile(r"(?<![\d:])([01]?\d|2[0-3])\s?[:;]\s?([0-5]\d)(?::[0-5]\d)?(?![\d])")
_AMOUNT = re.compile(
    r"(?<![\d,.])(?P<sign>-\s?)?(?P<int>\d{1,3}(?:(?P<group>[ .,'])\d{3})(?:(?P=group)\d{3})*|\d+)"
    r"(?P<sep>[,.])(?P<loose>\s?)(?P<dec>\d{2})(?![\d])"
)


def repair_numeric(text: str) -> str:
    """Replace letters OCR confuses with digits when they sit between digits (length preserved)."""
    chars = list(text)
    for i in range(1, len(chars) - 1):
        ch = chars[i]
        if ch in _INTERIOR_REPAIRS and chars[i - 1] in _DIGIT_OR_SEP and chars[i + 1] in _DIGIT_OR_SEP:
            if chars[i - 1].isdigit() or chars[i + 1].isdigit():
                chars[i] = _INTERIOR_REPAIRS[ch]
    return "".join(chars)


def make_date(year: int, month: int, day: int) -> dt.date | None:
    """Return the date if it exists and the year is plausible for a purchase document, else None."""
    if not MIN_YEAR <= year <= MAX_YEAR:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


@dataclass(frozen=True)
class DateMatch:
    """A date found in text, with its character span and pattern strength."""

    value: dt.date
    start: int
    end: int
    strength: float


def _numeric_dates(text: str) -> list[DateMatch]:
    """Find year-first and day-first numeric dates."""
    found: list[DateMatch] = []
    for m in _YMD.finditer(text):
        date = make_date(int(m.group(1)), int(m.group(3)), int(m.group(5)))
        if date:
            found.append(DateMatch(date, m.start(), m.end(), 1.0 if m.group(2) == m.group(4) else 0.8))
    for m in _DMY.finditer(text):
        strength = 1.0 if m.group(2) == m.group(4) else 0.8
        day, month, year = int(m.group(1)), int(m.group(3)), int(m.group(5))
        date = make_date(year, month, day)
        if date is None and m.group(2) == "/":
            date, strength = make_date(year, day, month), 0.6
        if date:
            found.append(DateMatch(date, m.start(), m.end(), strength))
    return found


def _worded_dates(text: str) -> list[DateMatch]:
    """Find dates with a month name ("3 lis 2026", "25 Dec 2018") and the old "dn.22r03.09" form."""
    found: list[DateMatch] = []
    folded = fold(text)
    for m in _TEXT_MONTH.finditer(folded):
        month = _MONTHS.get(m.group(2)[:3]) or _MONTHS.get(m.group(2)[:2] if m.group(2).startswith("pa") else "")
        date = make_date(int(m.group(3)), month, int(m.group(1))) if month else None
        if date:
            found.append(DateMatch(date, m.start(), m.end(), 0.9))
    for m in _DN_YR.finditer(folded):
        date = make_date(2000 + int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if date:
            found.append(DateMatch(date, m.start(), m.end(), 0.85))
    return found


def find_dates(text: str) -> list[DateMatch]:
    """Return plausible dates in `text`, left to right.

    Args:
        text: one line of OCR or PDF text.

    Returns:
        Matches for 2026-11-03, 03.11.2026, 03-11-2026, 2026.11.03, 03/11/2026, "3 lis 2026" and
        similar forms, restricted to real calendar dates in 2000..2100.
    """
    repaired = repair_numeric(text)
    matches = _numeric_dates(repaired) + _worded_dates(repaired)
    return sorted(matches, key=lambda m: m.start)


def find_times(text: str) -> list[tuple[str, int, int]]:
    """Return (HH:MM, start, end) for clock times in `text`."""
    repaired = repair_numeric(text)
    return [(f"{int(m.group(1)):02d}:{m.group(2)}", m.start(), m.end()) for m in _TIME.finditer(repaired)]


@dataclass(frozen=True)
class AmountMatch:
    """A money amount found in text: value, span, the letter printed right after it (VAT class)."""

    value: Decimal
    start: int
    end: int
    letter: str
    loose: bool


def find_amounts(text: str, allow_loose: bool = True) -> list[AmountMatch]:
    """Return money amounts with two decimals ("123,45", "1 234,56", "-2.40", "34. 15" when loose).

    Args:
        text: one line of text.
        allow_loose: accept a space after the decimal separator (common OCR split of "109,89").

    Returns:
        Matches left to right; `letter` holds an immediately following A-G (or 8 misread for B).
    """
    repaired = repair_numeric(text)
    found: list[AmountMatch] = []
    for m in _AMOUNT.finditer(repaired):
        if (m.group("loose") and not allow_loose) or repaired[m.end() : m.end() + 2].lstrip().startswith("%"):
            continue
        group = m.group("group")
        if group and group == m.group("sep"):
            continue
        digits = m.group("int").replace(group or "#", "")
        try:
            value = Decimal(f"{digits}.{m.group('dec')}")
        except InvalidOperation:
            continue
        if m.group("sign"):
            value = -value
        tail = repaired[m.end() : m.end() + 3]
        tail = tail[1:] if tail.startswith(" ") else tail
        letter = tail[:1] if tail[:1] and tail[:1] in "ABCDEFG8" and not tail[1:2].isalnum() else ""
        found.append(AmountMatch(value, m.start(), m.end(), "B" if letter == "8" else letter, bool(m.group("loose"))))
    return found


def parse_amount(text: str) -> Decimal | None:
    """Parse a single amount such as "1 234,56" or "12.30" into a Decimal with two places."""
    matches = find_amounts(text.strip())
    return matches[0].value if len(matches) == 1 else None


def format_amount(value: Decimal) -> str:
    """Serialise money with two decimals and a dot."""
    return f"{value.quantize(Decimal('0.01')):.2f}"
