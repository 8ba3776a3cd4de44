"""Parsing dates, times and money amounts from OCR text, tolerant of common OCR noise."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

from ocr.extract.text import fold_lower
from vocabulary.numbers import parse_decimal

_INTERIOR_REPAIRS = {"O": "0", "o": "0", "D": "0", "l": "1", "I": "1", "|": "1", "S": "5", "B": "8"}
_DIGIT_OR_SEP = set("0123456789.,:-/")
_MONTHS = {
    "sty": 1, "lut": 2, "mar": 3, "kwi": 4, "maj": 5, "cze": 6, "lip": 7, "sie": 8, "wrz": 9, "paz": 10,
    "lis": 11, "gru": 12, "jan": 1, "feb": 2, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
    "oct": 10, "nov": 11, "dec": 12, "pa": 10,
}  # fmt: skip
MIN_YEAR, MAX_YEAR = 2000, 2039  # purchase documents; a later year is an OCR error (2048 for 2018)
# Digits OCR confuses with the digit a purchase-year position needs: 2 0 [0-3] d.
# A look-alike with two readings ("7" for 1 or 2) gives two candidates and so no repair.
_YEAR_REPAIRS: tuple[dict[str, str], ...] = (
    {"4": "2", "7": "2", "3": "2", "Z": "2", "z": "2"},
    {"8": "0", "6": "0", "9": "0", "O": "0", "o": "0", "D": "0"},
    {"4": "1", "7": "12", "8": "0", "6": "0", "9": "0", "O": "0", "o": "0", "l": "1", "I": "1", "Z": "2", "z": "2"},
)
# First digit of a day or month read as a look-alike ("17/61/2018" for 17/01/2018).
_LEADING_REPAIRS = {"6": "0", "8": "0", "9": "0", "4": "1", "7": "1"}

_SEP = r"[-./,~\u2013\u2014]"  # OCR turns "-" into a dash or tilde and "." into ","
# a date ends where digits end, or where a time run into it starts ("2025-03-0612:20", "12-12-202418:21")
_DATE_END = r"(?:(?![\d,])|(?=\d{2}:\d{2}(?!\d)))"
_YMD = re.compile(rf"(?<![\d,])([2-47][0-9]\d{{2}})\s?({_SEP})\s?(\d{{1,2}})\s?({_SEP})\s?(\d{{1,2}}){_DATE_END}")
_DMY = re.compile(rf"(?<![\d,])(\d{{1,2}})\s?({_SEP})\s?(\d{{1,2}})\s?({_SEP})\s?([2-47]\d{{3}}){_DATE_END}")
_COMPACT = re.compile(r"(?<![\d/.\-])(\d{8})(?![\d/.\-])")
_DMY_SHORT = re.compile(r"(?<![\d/.\-])(\d{1,2})([/.\-])(\d{1,2})\2(\d{2})(?!\d|[/.\-:]\d)")
# "dn.24r04.05", also run into its time ("dn.24r04.0511:36")
_DN_YR = re.compile(r"(?<!\d)(\d{2})\s?r\.?\s?(\d{2})[.\-](\d{2})(?:(?![\d.])|(?=\d{2}:\d{2}(?!\d)))")
_TEXT_MONTH = re.compile(r"(?<![\d])(\d{1,2})[.\-]?\s*([a-z]{3,12})[.\-]?,?\s*(\d{4}|\d{2})(?!\d)")
# minutes' tens of 8 is a 0 misread (no clock shows 15:84; tesseract's 0 against 8 is its commonest confusion)
_TIME = re.compile(r"(?<![\d:])([01]?\d|2[0-3])\s?[:;]\s?([0-58]\d)(?::[0-5]\d)?(?![\d])")
# A look-alike letter opening an amount ("l32,69", "O,45", "S7,87"): only letters that are no VAT letter (A-G
# glue to amounts: "PTU B8,00") nor a table rule ("|12,50"), and only before the rest of an amount
_LEADING_LOOKALIKE = re.compile(r"(?<![\w|.,\-])[lIOoS](?=\d*[,.]\s?\d{2}(?!\d))")
_LOOKALIKE_DIGITS = {"l": "1", "I": "1", "O": "0", "o": "0", "S": "5"}
_AMOUNT = re.compile(
    r"(?<![\d,.])(?P<sign>-\s?)?(?P<int>\d{1,3}(?:(?P<group>[ .,'])\d{3})(?:(?P=group)\d{3})*|\d+)"
    r"(?P<before>\s?)(?P<sep>[,.])(?P<loose>\s?)(?P<dec>\d{2})(?![\d])"
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


def plausible_year(text: str) -> tuple[int, bool] | None:
    """Return a four-digit year in the purchase window, repairing one look-alike digit ("2048" → 2018).

    Returns:
        (year, repaired), or None when no single repair gives a plausible year.
    """
    if text.isdigit() and MIN_YEAR <= int(text) <= MAX_YEAR:
        return int(text), False
    fixes = set()
    for position, repairs in enumerate(_YEAR_REPAIRS):
        for digit in repairs.get(text[position], ""):
            fixed = text[:position] + digit + text[position + 1 :]
            if fixed.isdigit() and MIN_YEAR <= int(fixed) <= MAX_YEAR:
                fixes.add(int(fixed))
    return (fixes.pop(), True) if len(fixes) == 1 else None


def _part(text: str, limit: int) -> tuple[int, bool] | None:
    """Return a day or month number (1..limit), repairing a look-alike leading digit ("61" → 01)."""
    if 1 <= int(text) <= limit:
        return int(text), False
    if len(text) == 2 and text[0] in _LEADING_REPAIRS:
        fixed = int(_LEADING_REPAIRS[text[0]] + text[1])
        return (fixed, True) if 1 <= fixed <= limit else None
    return None


def repaired_date(year: str, month: str, day: str) -> tuple[dt.date, bool] | None:
    """Build a date from digit strings, allowing one OCR look-alike repair; return it and whether repaired."""
    parts = (plausible_year(year) if len(year) == 4 else (2000 + int(year), False), _part(month, 12), _part(day, 31))
    if any(p is None for p in parts) or sum(p[1] for p in parts if p) > 1:
        return None
    (y, y_fixed), (m, m_fixed), (d, d_fixed) = parts  # type: ignore[misc]
    date = make_date(y, m, d)
    return (date, y_fixed or m_fixed or d_fixed) if date else None


@dataclass(frozen=True)
class DateMatch:
    """A date found in text, with its character span and pattern strength."""

    value: dt.date
    start: int
    end: int
    strength: float


def _separator_strength(first: str, second: str) -> float:
    """Return how strongly two separators imply a date: the same printed one, or an OCR variant."""
    return 1.0 if first == second and first in "-./" else 0.8


def _numeric_dates(text: str) -> list[DateMatch]:
    """Find year-first, day-first and day-first two-digit-year numeric dates."""
    found: list[DateMatch] = []
    for m in _YMD.finditer(text):
        made = repaired_date(m.group(1), m.group(3), m.group(5))
        if made:
            strength = _separator_strength(m.group(2), m.group(4)) * (0.7 if made[1] else 1.0)
            found.append(DateMatch(made[0], m.start(), m.end(), strength))
    for m in _DMY.finditer(text):
        strength = _separator_strength(m.group(2), m.group(4))
        made = repaired_date(m.group(5), m.group(3), m.group(1))
        if made is None and m.group(2) == "/":
            made, strength = repaired_date(m.group(5), m.group(1), m.group(3)), 0.6
        if made:
            found.append(DateMatch(made[0], m.start(), m.end(), strength * (0.7 if made[1] else 1.0)))
    taken = [(d.start, d.end) for d in found]
    for m in _DMY_SHORT.finditer(text):
        date = make_date(2000 + int(m.group(4)), int(m.group(3)), int(m.group(1)))
        if date and not any(s <= m.start() < e for s, e in taken):
            found.append(DateMatch(date, m.start(), m.end(), 0.6))
    return found + _compact_dates(text)


def _compact_dates(text: str) -> list[DateMatch]:
    """Find dates printed without separators (27032018 or 20180327), weakly: such numbers are often codes."""
    found: list[DateMatch] = []
    for m in _COMPACT.finditer(text):
        if text[m.start() - 1 : m.start()].isalpha() and text[m.end() : m.end() + 1].isalpha():
            continue  # glued to letters on both sides: a product code ("CN27102011D"), not a date
        digits = m.group(1)
        date = make_date(int(digits[4:]), int(digits[2:4]), int(digits[:2])) if digits[4:6] == "20" else None
        date = date or (make_date(int(digits[:4]), int(digits[4:6]), int(digits[6:])) if digits[:2] == "20" else None)
        if date:
            found.append(DateMatch(date, m.start(), m.end(), 0.4))
    return found


def _worded_dates(text: str) -> list[DateMatch]:
    """Find dates with a month name ("3 lis 2026", "25 Dec 2018") and the old "dn.22r03.09" form."""
    found: list[DateMatch] = []
    folded = fold_lower(text)
    for m in _TEXT_MONTH.finditer(folded):
        month = _MONTHS.get(m.group(2)[:3]) or _MONTHS.get(m.group(2)[:2] if m.group(2).startswith("pa") else "")
        year = (int(m.group(3)) + 2000, False) if len(m.group(3)) == 2 else plausible_year(m.group(3))
        date = make_date(year[0], month, int(m.group(1))) if month and year else None
        if date and year:
            found.append(DateMatch(date, m.start(), m.end(), 0.9 * (0.7 if year[1] else 1.0)))
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
    times = []
    for m in _TIME.finditer(repair_numeric(text)):
        minutes = m.group(2)
        minutes = "0" + minutes[1] if minutes[0] == "8" else minutes  # an 8 there is a misread 0
        times.append((f"{int(m.group(1)):02d}:{minutes}", m.start(), m.end()))
    return times


@dataclass(frozen=True)
class AmountMatch:
    """A money amount found in text: value, span, the letter printed right after it (VAT class)."""

    value: Decimal
    start: int
    end: int
    letter: str
    loose: bool


def find_amounts(text: str, allow_loose: bool = True) -> list[AmountMatch]:
    """Return money amounts with two decimals ("123,45", "1 234,56", "-2.40", "34. 15" or "38 ,47" when loose).

    Args:
        text: one line of text.
        allow_loose: accept a space beside the decimal separator (common OCR splits of "109,89").

    Returns:
        Matches left to right; `letter` holds an immediately following A-G (or 8 misread for B).
    """
    repaired = _LEADING_LOOKALIKE.sub(lambda m: _LOOKALIKE_DIGITS[m.group()], repair_numeric(text))
    found: list[AmountMatch] = []
    for m in _AMOUNT.finditer(repaired):
        loose = bool(m.group("loose") or m.group("before"))
        if (loose and not allow_loose) or repaired[m.end() : m.end() + 2].lstrip().startswith("%"):
            continue
        group = m.group("group")
        if group and group == m.group("sep"):
            continue
        value = parse_decimal(f"{m.group('int').replace(group or '#', '')}.{m.group('dec')}")
        if value is None:
            continue
        if m.group("sign"):
            value = -value
        tail = repaired[m.end() : m.end() + 3]
        tail = tail[1:] if tail.startswith(" ") else tail
        letter = tail[:1] if tail[:1] and tail[:1] in "ABCDEFG8" and not tail[1:2].isalnum() else ""
        found.append(AmountMatch(value, m.start(), m.end(), "B" if letter == "8" else letter, loose))
    return found


def parse_amount(text: str) -> Decimal | None:
    """Parse a single amount such as "1 234,56" or "12.30" into a Decimal with two places."""
    matches = find_amounts(text.strip())
    return matches[0].value if len(matches) == 1 else None


def format_amount(value: Decimal) -> str:
    """Serialise money with two decimals and a dot."""
    return f"{value.quantize(Decimal('0.01')):.2f}"


_SPLIT_HEAD = re.compile(r"(?<![\d,.])(\d{1,3}) $")


def joined_amount(text: str, match: AmountMatch) -> AmountMatch | None:
    """Return the amount whose integer digits wide print split with a space ("55 4,59" for 554,59), else None.

    Only a head of 1-3 digits right before an amount of 1-2 integer digits: three would be thousands
    grouping ("1 234,56"), which `find_amounts` reads already. Not a reading: a candidate for arithmetic
    (payments, sales) to confirm or reject.
    """
    digits = len(re.sub(r"\D", "", text[match.start : match.end])) - 2
    head = _SPLIT_HEAD.search(text, 0, match.start)
    if head is None or not 1 <= digits <= 2 or match.value < 0:
        return None
    value = Decimal(head.group(1) + f"{match.value:.2f}")
    return AmountMatch(value, head.start(), match.end, match.letter, True)
