"""The second engine's verdict on sure amounts: a field stays sure only when rapidocr read it in its row too.

`ocr.confirm.confirm_rows` stores the second engine's reading of the row of each sure amount as a re-read
page with the step "confirm:FIELD"; this module applies it. A field without such a page (a PDF's text layer,
a reader without the second engine) keeps its verdict.
"""

from __future__ import annotations

import re
from dataclasses import replace

from ocr.extract.numbers import find_amounts, format_amount
from ocr.extract.text import edit_distance
from ocr.extract.values import Extraction
from ocr.model import DocumentReading
from vocabulary.fields import FieldName

CONFIRM_STEP = "confirm:"
_RUN = re.compile(r"\d[\d.,]*\d|\d")
#: The amounts whose row the second engine reads again when the document's arithmetic confirms them.
CONFIRMED_FIELDS = (FieldName.TOTAL, FieldName.VAT_TOTAL)
#: Fields nothing on the document confirms, whose row the second engine reads to correct misread characters.
CORRECTED_FIELDS = (FieldName.DOCUMENT_NUMBER,)
_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9/\-]*")
_MAX_CORRECTION = 2  # characters the second engine may change in a code of the same length


def confirmations(reading: DocumentReading) -> dict[str, str]:
    """Return the second engine's text of each confirmed field's row, by field name."""
    found = {}
    for page in reading.rereads:
        step = next((s for s in page.steps if s.startswith(CONFIRM_STEP)), None)
        if step is not None:
            found[step[len(CONFIRM_STEP) :]] = " ".join(line.text for line in page.lines)
    return found


def without_confirmations(reading: DocumentReading) -> DocumentReading:
    """Return the reading without the second engine's row readings (the first verdicts, for comparison)."""
    kept = tuple(p for p in reading.rereads if not any(s.startswith(CONFIRM_STEP) for s in p.steps))
    return replace(reading, rereads=kept)


def second_engine_agreement(extraction: Extraction, reading: DocumentReading) -> Extraction:
    """Drop `sure` from an amount whose row the second engine read without printing that amount; take the
    second engine's characters for a document number it read alike but for one or two characters."""
    for name, text in confirmations(reading).items():
        field = extraction.fields.get(name)
        if name in CORRECTED_FIELDS and field is not None:
            extraction.fields[name] = replace(field, value=corrected_code(field.value, text))
            continue
        if field is None or not field.sure:
            continue
        if not agrees(field.value, text):
            extraction.fields[name] = replace(field, sure=False)
    return extraction


def agrees(value: str, text: str) -> bool:
    """Tell whether a line prints an amount: as an amount, or as its digits run together ("SUMA PLN5283" for
    52.83: a double-size comma is often lost)."""
    if value in {format_amount(m.value) for m in find_amounts(text)}:
        return True
    digits = value.replace(".", "").lstrip("0") or "0"
    runs = {run.replace(",", "").replace(".", "").replace(" ", "").lstrip("0") or "0" for run in _RUN.findall(text)}
    return digits in runs


def corrected_code(value: str, text: str) -> str:
    """Return the code in `text` of the same length as `value` that differs from it in one or two characters
    (tesseract's 8 for a dot-matrix 0, 4 for W), else `value`."""
    best, distance = value, _MAX_CORRECTION + 1
    for token in _CODE.findall(text):
        if len(token) == len(value) and any(ch.isdigit() for ch in token) and token.upper() != value.upper():
            differs = edit_distance(token.upper(), value.upper(), _MAX_CORRECTION)
            if differs < distance:
                best, distance = token.upper(), differs
    return best
