"""Generic receipt extraction (English-language receipts such as SROIE): company, date, total."""

from __future__ import annotations

import re
from decimal import Decimal

from ocr.extract.common import find_currency, find_date_time, is_address
from ocr.extract.header import is_good_text
from ocr.extract.numbers import find_amounts, format_amount, make_date
from ocr.extract.text import Hit, TextLine, trim_noise
from ocr.extract.values import FieldName, FieldValue

_TOTALS: tuple[tuple[re.Pattern[str], float], ...] = (
    (re.compile(r"rounded\s*total|total\s*(?:after\s*)?round|round(?:ing)?\s*(?:adj\w*\s*)?total"), 1.0),
    (re.compile(r"grand\s*total|total\s*amount\s*(?:payable|due)|amount\s*(?:payable|due)"), 0.95),
    (re.compile(r"nett?\s*total|total\s*(?:incl|inclusive)|total\s*sales|total\s*payable"), 0.9),
    (re.compile(r"(?<!sub)(?<!sub\s)\btotal\b(?!\s*(?:qty|quantity|items?|disc\w*|gst|tax|excl\w*|savings?))"), 0.8),
    (re.compile(r"\bsuma\b(?!\s*(?:ptu|vat))|do\s*zaplaty|\bamount\b"), 0.6),
)
_COMPANY = re.compile(r"sdn\.?\s*bhd|\bs/b\b|\bbhd\b|enterprise|trading|\bltd\b|\binc\b|restaurant|\bmart\b|\bstore\b")
_NOT_COMPANY = re.compile(r"invoice|receipt|\btax\b|\bgst\b|tel|fax|date|cashier|\bno\b\s*[:.]")
_SHORT_DATE = re.compile(r"(?<![\d])(\d{1,2})([/.-])(\d{1,2})\2(\d{2})(?![\d/.-])")


def _total(lines: list[TextLine]) -> FieldValue | None:
    """Return the best-labelled total: ROUNDED > GRAND > NETT > plain TOTAL, later lines winning ties."""
    best: tuple[float, int, Hit] | None = None
    for line in lines:
        for pattern, strength in _TOTALS:
            match = pattern.search(line.folded)
            if not match:
                continue
            amounts = [m for m in find_amounts(line.text) if m.start >= match.end() and m.value > 0]
            if not amounts and line.index + 1 < len(lines):
                below = lines[line.index + 1]
                amounts = [m for m in find_amounts(below.text) if m.value > 0]
                line, strength = below, strength * 0.8
            if amounts:
                hit = Hit(format_amount(amounts[-1].value), line, amounts[-1].start, amounts[-1].end, strength)
                if best is None or (strength, line.index) >= (best[0], best[1]):
                    best = (strength, line.index, hit)
            break
    return best[2].field() if best else None


def _company(lines: list[TextLine]) -> FieldValue | None:
    """Return the company line: one with a company form near the top, else the first readable line."""
    top = [t for t in (trim_noise(line) for line in lines[:10]) if t is not None]
    for line in top:
        if _COMPANY.search(line.folded) and not _NOT_COMPANY.search(line.folded):
            return Hit(line.text.strip(), line, 0, len(line.text), 0.85).field()
    for line in top:
        if is_good_text(line) and not is_address(line) and line.text.upper() == line.text:
            return Hit(line.text.strip(), line, 0, len(line.text), 0.6).field()
    return None


def _short_year_date(lines: list[TextLine]) -> FieldValue | None:
    """Return a day-first date with a two-digit year (25/12/18), common on foreign receipts."""
    for line in lines:
        for m in _SHORT_DATE.finditer(line.text):
            date = make_date(2000 + int(m.group(4)), int(m.group(3)), int(m.group(1)))
            if date:
                return Hit(date.isoformat(), line, m.start(), m.end(), 0.6).field()
    return None


def extract_generic(lines: list[TextLine]) -> dict[str, FieldValue]:
    """Extract company, date, time and total from a receipt in any language (English cues).

    Args:
        lines: the document lines.

    Returns:
        A mapping with whichever of seller_name, date, time, total, currency were found.
    """
    fields: dict[str, FieldValue | None] = {}
    date, time = find_date_time(lines)
    fields[FieldName.DATE] = date or _short_year_date(lines)
    fields[FieldName.TIME] = time
    fields[FieldName.TOTAL] = _total(lines)
    fields[FieldName.SELLER_NAME] = _company(lines)
    fields[FieldName.CURRENCY] = find_currency(lines, default=None)
    address = [line for line in lines[:12] if is_address(line)]
    if address:
        fields[FieldName.SELLER_ADDRESS] = Hit(address[0].text, address[0], 0, len(address[0].text), 0.5).field()
    return {str(k): v for k, v in fields.items() if v is not None}


def total_value(fields: dict[str, FieldValue]) -> Decimal | None:
    """Return the total as a Decimal, when present."""
    found = fields.get(FieldName.TOTAL)
    return Decimal(found.value) if found else None
