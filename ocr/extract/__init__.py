"""Field extraction from a `DocumentReading`: receipts, invoices and a generic fallback."""

from __future__ import annotations

from ocr.extract.generic import extract_generic
from ocr.extract.invoice import extract_invoice
from ocr.extract.kind import detect_kind
from ocr.extract.merge import merge_extractions, needs_second_reading
from ocr.extract.receipt import extract_receipt
from ocr.extract.text import document_lines
from ocr.extract.values import FIELD_NAMES, DocumentKind, Extraction, FieldName, FieldValue, PageBox
from ocr.model import DocumentReading

_FALLBACK_FIELDS = (FieldName.DATE, FieldName.TIME)

__all__ = [
    "FIELD_NAMES",
    "DocumentKind",
    "Extraction",
    "FieldName",
    "FieldValue",
    "PageBox",
    "extract_fields",
    "extract_generic",
    "merge_extractions",
    "needs_second_reading",
]


def extract_fields(reading: DocumentReading) -> Extraction:
    """Extract the claim-relevant fields from a document reading.

    Args:
        reading: the output of `read_document` (or one rebuilt with `DocumentReading.from_dict`).
            When it carries alternate page readings, both readings are extracted and merged.

    Returns:
        An `Extraction` with the detected kind, the fields that were found (see `FIELD_NAMES`) and,
        for receipts, the item lines. Fields that were not found are absent from `fields`.
    """
    primary = _extract_one(reading)
    alternate = reading.alternate_reading()
    return primary if alternate is None else merge_extractions(primary, _extract_one(alternate))


def _extract_one(reading: DocumentReading) -> Extraction:
    """Extract fields from the primary pages of a reading."""
    lines = document_lines(reading)
    kind = detect_kind(lines)
    if kind is DocumentKind.RECEIPT:
        fields, items = extract_receipt(lines)
    elif kind is DocumentKind.INVOICE:
        fields, items = extract_invoice(lines)
    else:
        fields, items = {}, []
    generic = extract_generic(lines)
    allowed = generic.keys() if kind is DocumentKind.UNKNOWN else _FALLBACK_FIELDS
    for name in allowed:
        if name in generic:
            fields.setdefault(name, generic[name])
    return Extraction(kind=kind, fields=fields, items=items)
