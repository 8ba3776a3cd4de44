"""Seller name and address from the header lines of a receipt (or the seller block of an invoice)."""

from __future__ import annotations

import re

from ocr.extract.common import has_postal_code, is_address
from ocr.extract.numbers import find_amounts
from ocr.extract.text import TextLine, edit_distance, fold_lower, trim_noise
from ocr.extract.values import FieldValue, PageBox

_COMPANY_FORM = re.compile(
    r"sp\.?\s?z\s?o\.?\s?o|spolka|\bs\.?\s?a\.?(?:\s|$)|sp\.?\s?j\b|sp\.?\s?k\b|\bs\.?\s?c\.?(?:\s|$)|\bpss\b"
    r"|\bsdn\.?\s?bhd|\bbhd\b|enterprise|trading|\bltd\b|\binc\b|\bgmbh\b|\bco\.?\s?ltd"
)
# not a seller's name: a register's header words, and a shop app's around its e-receipt ("Szczegóły zakupu",
# "Podsumowanie zakupów", "Data zakupu")
_NOT_NAME = re.compile(
    r"\bnip\b|paragon|fiskal|\bbdo\b|\btel\b|\bfax\b|www\.|@|kasa|kasjer|\bnr\s*rej|szczegol|podsumowanie|\bzakupu\b"
)
_MAX_NAME_LINES = 2
# a place and its house number, and nothing else: "Dębowiec 112", "Stara Wieś 12A", "Jankowice 4/2"
_VILLAGE = re.compile(r"[^\W\d_]{3,}(?:[ -][^\W\d_]{3,})?\s+\d{1,4}[a-zA-Z]?(?:/\d{1,4})?")
_SUFFIX_FIXES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\b[Ss]p\s?[.,]?\s?[zZ2]{1,2}\s?[oO0][.,]\s?[oO0][.,]?(?=\s|$)"), "Sp. z o.o."),
    (re.compile(r"(?<![A-Za-z])[S5$][.,]\s?A[.,]?(?=\s|$)"), "S.A."),
    (re.compile(r"(?<![A-Za-z])(?:S\$|[S5$])[.,]\s?[Cc(][.,]?(?=\s|$)"), "S.C."),
)


def _letters(text: str) -> int:
    """Count letters in text."""
    return sum(ch.isalpha() for ch in text)


def is_good_text(line: TextLine, min_confidence: float = 0.45) -> bool:
    """Tell whether a line reads like real words (enough letters, decent OCR confidence)."""
    compact = line.text.replace(" ", "")
    if _letters(compact) < 3 or _letters(compact) < 0.5 * len(compact):
        return False
    return line.line.confidence >= min_confidence


def normalise_company_suffix(name: str) -> str:
    """Repair OCR-damaged legal-form suffixes ("Sp. z 0.0." → "Sp. z o.o.", "5.A." → "S.A.")."""
    for pattern, replacement in _SUFFIX_FIXES:
        name = pattern.sub(replacement, name)
    return name


def _field(lines: list[TextLine], strength: float) -> FieldValue:
    """Join whole lines into one field value with combined confidence and boxes."""
    text = normalise_company_suffix(" ".join(re.sub(r"\s+", " ", line.text).strip(" |,;") for line in lines))
    confidence = min(line.line.confidence for line in lines) * strength
    boxes = tuple(PageBox(line.page, line.line.box) for line in lines)
    return FieldValue(text, round(min(1.0, confidence), 3), boxes, False)


def _dedupe(lines: list[TextLine]) -> list[TextLine]:
    """Drop a line that repeats the previous one (a logo read as text above the printed name)."""
    out: list[TextLine] = []
    for line in lines:
        if out and edit_distance(out[-1].folded.strip(), line.folded.strip(), 3) <= 2:
            out[-1] = line
            continue
        out.append(line)
    return out


def _not_name(line: TextLine) -> bool:
    """A header line that is not part of the seller's name: register words, or an amount (an app's summary
    card above the receipt: "Suma 45,67 zł")."""
    return bool(_NOT_NAME.search(line.folded) or find_amounts(line.text, allow_loose=False))


def seller_name(header: list[TextLine]) -> FieldValue | None:
    """Return the seller's name from the header: a company-form line, else the lines above the address.

    Args:
        header: the lines printed above the PARAGON FISKALNY line (or the seller block).

    Returns:
        The name as printed (up to two lines joined), or None when no readable name precedes the address.
    """
    header = [t for t in (trim_noise(line) for line in header) if t is not None]
    first_address = _first_address(header)
    above = [line for line in header[:first_address] if is_good_text(line) and not _not_name(line)]
    for line in above + header[first_address:]:
        if (
            _COMPANY_FORM.search(fold_lower(normalise_company_suffix(line.text)))
            and not _NOT_NAME.search(line.folded)
            and is_good_text(line, 0.3)
        ):
            return _field([line], 0.9)
    above = _dedupe(above)
    if not above:
        return None
    name = above[-_MAX_NAME_LINES:]
    if len(name) == 2 and name[1].index - name[0].index > 1:  # a line that is no name stood between them
        name = name[1:]
    return _field(name, 0.75)


def _first_address(header: list[TextLine]) -> int:
    """The index of the header's first address line (its length when there is none).

    A village's address has no street: its first line is the place and the house number ("Dębowiec 112"),
    known as an address only by the postal-code line under it.
    """
    first = next((i for i, line in enumerate(header) if is_address(line)), len(header))
    if 0 < first < len(header) and has_postal_code(header[first]):
        return first - 1 if _VILLAGE.fullmatch(header[first - 1].text.strip()) else first
    return first


def seller_address(header: list[TextLine]) -> FieldValue | None:
    """Return the first address block in the header (street line and postal-code line, up to three lines)."""
    header = [t for t in (trim_noise(line) for line in header) if t is not None]
    first = _first_address(header)
    if first == len(header):
        return None
    block = [header[first]]
    for nxt in header[first + 1 : first + 3]:
        if not is_address(nxt):
            break
        block.append(nxt)
    return _field(block, 0.85)
