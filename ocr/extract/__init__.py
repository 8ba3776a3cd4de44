"""Field extraction from a `DocumentReading`: receipts, invoices and a generic fallback."""

from __future__ import annotations

from ocr.extract.generic import extract_generic
from ocr.extract.invoice import extract_invoice
from ocr.extract.kind import Route, route_document
from ocr.extract.merge import (
    merge_extractions,
    needs_second_reading,
    needs_third_reading,
    only_the_date_unsettled,
)
from ocr.extract.receipt import extract_receipt
from ocr.extract.reread import field_from_reread, reread_field_name, with_reread
from ocr.extract.text import document_lines
from ocr.extract.values import FIELD_NAMES, DocumentKind, Extraction, FieldName, FieldValue, PageBox
from ocr.model import DocumentReading, PageReading

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
    "extract_readings",
    "merge_extractions",
    "needs_second_reading",
    "needs_third_reading",
    "only_the_date_unsettled",
    "reread_value",
]


def extract_fields(reading: DocumentReading) -> Extraction:
    """Extract the claim-relevant fields from a document reading.

    Args:
        reading: the output of `read_document` (or one rebuilt with `DocumentReading.from_dict`).
            When it carries alternate page readings, both readings are extracted and merged.

    Returns:
        An `Extraction` with the detected kind, the fields that were found (see `FIELD_NAMES`) and,
        for receipts, the item lines. Fields that were not found are absent from `fields`.
        A line re-read on its own (`reading.rereads`) replaces the field it was re-read for.
    """
    merged = merge_extractions(*extract_readings(reading))
    for reread in reading.rereads:
        value = reread_value(reading, reread)
        if value is not None:
            merged.fields[reread_field_name(reread) or ""] = value
    return merged


def reread_value(reading: DocumentReading, reread: PageReading) -> FieldValue | None:
    """Return the field a re-read line is for, extracted with that line swapped into every reading.

    Returns:
        The field's value, confidence and sureness from the patched readings, or None when the field is
        not read inside the re-read row (the crop lost it, or the extractors now take it from elsewhere).
    """
    name = reread_field_name(reread)
    if name is None or not reread.lines:
        return None
    patched = merge_extractions(*extract_readings(with_reread(reading, reread)))
    return field_from_reread(patched, reread, name)


def extract_readings(reading: DocumentReading) -> list[Extraction]:
    """Extract the primary reading and each alternate reading separately (primary first)."""
    return [_extract_one(reading), *(_extract_one(alternate) for alternate in alternate_readings(reading))]


def alternate_readings(reading: DocumentReading) -> list[DocumentReading]:
    """Return each alternate reading as a document of its own, one per page-segmentation mode.

    Alternate pages are grouped by their "psm:N" step; a page without an alternate keeps the primary.
    """
    groups: dict[str, list[PageReading]] = {}
    for page in reading.alternates:
        key = next((step for step in page.steps if step.startswith("psm:")), "alternate")
        groups.setdefault(key, []).append(page)
    readings = []
    for pages in groups.values():
        by_number = {page.number: page for page in pages}
        merged = tuple(by_number.get(page.number, page) for page in reading.pages)
        readings.append(DocumentReading(reading.media_type, merged, reading.seconds))
    return readings


def _extract_one(reading: DocumentReading) -> Extraction:
    """Extract fields from the primary pages of a reading."""
    lines = document_lines(reading)
    kind, route = route_document(lines)
    if route is Route.POLISH_RECEIPT:
        fields, items = extract_receipt(lines)
    elif route is Route.POLISH_INVOICE:
        fields, items = extract_invoice(lines)
    else:
        fields, items = {}, []
    generic = extract_generic(lines)
    allowed = generic.keys() if route in (Route.GENERIC_RECEIPT, Route.UNKNOWN) else _FALLBACK_FIELDS
    for name in allowed:
        if name in generic:
            fields.setdefault(name, generic[name])
    return Extraction(kind=kind, fields=fields, items=items, route=str(route))
