"""Fields from printed text (OCR'd pages or a PDF's text layer): Polish receipts and invoices, SROIE receipts.

The text's layout (`kind.detect_layout`) picks the extractor from `_BY_LAYOUT`; a document no layout claims
is read by the SROIE extractor as a fallback. `merge_documents` merges the extractions of a claim's documents.
"""

from __future__ import annotations

from collections.abc import Callable

from ocr.extract.confirm import second_engine_agreement
from ocr.extract.documents import ClaimExtraction, merge_documents
from ocr.extract.invoice import DUE_DATE_LABEL, extract_invoice
from ocr.extract.kind import Layout, detect_layout
from ocr.extract.merge import merge_readings, needs_second_reading, needs_third_reading, only_the_date_unsettled
from ocr.extract.receipt import extract_receipt
from ocr.extract.reread import field_from_reread, reread_field_name, with_reread
from ocr.extract.sroie import extract_sroie
from ocr.extract.text import TextLine, document_lines
from ocr.extract.values import DocumentKind, Extraction, FieldValue, PageBox
from ocr.model import DocumentReading, PageReading
from vocabulary.fields import FieldName

#: What a layout's extractor finds: the fields, and the item lines.
Found = tuple[dict[str, FieldValue], list[dict[str, str]]]
#: Fields a Polish document takes from the SROIE extractor when its own found none (dates in other forms).
_FALLBACK_FIELDS = (FieldName.DATE, FieldName.TIME)
_ENGINE = "engine:"  # the step prefix of a page the second engine read ("engine:rapidocr", `ocr.session`)

__all__ = [
    "ClaimExtraction",
    "DocumentKind",
    "Extraction",
    "FieldValue",
    "Layout",
    "PageBox",
    "extract_printed",
    "extract_readings",
    "extract_sroie",
    "merge_documents",
    "merge_readings",
    "needs_second_reading",
    "needs_third_reading",
    "only_the_date_unsettled",
    "reread_value",
]


def extract_printed(reading: DocumentReading) -> Extraction:
    """Extract the claim-relevant fields from a reading of printed text.

    Args:
        reading: the output of `read_document` for an image or PDF (or one rebuilt with
            `DocumentReading.from_dict`). When it carries alternate page readings, both readings are
            extracted and merged.

    Returns:
        An `Extraction` with the detected kind, the fields that were found (see `vocabulary.fields`) and,
        for receipts, the item lines. Fields that were not found are absent from `fields`.
        A line re-read on its own (`reading.rereads`) replaces the field it was re-read for, unless the
        readings confirmed that field and the re-read does not confirm its own value; a sure amount
        whose row the second engine read without it is no longer sure (`extract.confirm`).
    """
    alternates = {key: _extract_one(alternate) for key, alternate in _alternates(reading).items()}
    merged = merge_readings(_extract_one(reading), *alternates.values())
    for reread in reading.rereads:
        value, name = reread_value(reading, reread), reread_field_name(reread) or ""
        current = merged.fields.get(name)
        # a row read on its own corrects a value nothing confirmed; one the document's arithmetic (or its
        # check digit) confirms is replaced only by a value confirmed in the same way
        if value is not None and (current is None or not current.sure or value.sure):
            merged.fields[name] = value
    second = next((e for e in alternates.values() if e.engine), None)
    return second_engine_agreement(merged, reading, second)


def reread_value(reading: DocumentReading, reread: PageReading) -> FieldValue | None:
    """Return the field a re-read line is for, extracted with that line swapped into every reading.

    Returns:
        The field's value, confidence and sureness from the patched readings, or None when the field is
        not read inside the re-read row (the crop lost it, or the extractors now take it from elsewhere).
    """
    name = reread_field_name(reread)
    if name is None or not reread.lines:
        return None
    patched = merge_readings(*extract_readings(with_reread(reading, reread)))
    return field_from_reread(patched, reread, name)


def extract_readings(reading: DocumentReading) -> list[Extraction]:
    """Extract the primary reading and each alternate reading separately (primary first)."""
    return [_extract_one(reading), *(_extract_one(alternate) for alternate in alternate_readings(reading))]


def alternate_readings(reading: DocumentReading) -> list[DocumentReading]:
    """Return each alternate reading as a document of its own, one per page-segmentation mode.

    Alternate pages are grouped by their "psm:N" step (or "engine:NAME", a second engine's reading); a page
    without an alternate keeps the primary.
    """
    return list(_alternates(reading).values())


def _alternates(reading: DocumentReading) -> dict[str, DocumentReading]:
    """Return each alternate reading as a document of its own, by its "psm:N" or "engine:NAME" step, in reading
    order (see `alternate_readings`)."""
    groups: dict[str, list[PageReading]] = {}
    for page in reading.alternates:
        key = next((step for step in page.steps if step.startswith(("psm:", _ENGINE))), "alternate")
        groups.setdefault(key, []).append(page)
    documents = {}
    for key, pages in groups.items():
        by_number = {page.number: page for page in pages}
        merged = tuple(by_number.get(page.number, page) for page in reading.pages)
        documents[key] = DocumentReading(reading.media_type, merged, reading.seconds)
    return documents


def _polish_receipt(lines: list[TextLine]) -> Found:
    """A Polish till receipt (paragon fiskalny)."""
    fields, items = extract_receipt(lines)
    return _with_sroie_dates(fields, lines), items


def _polish_invoice(lines: list[TextLine]) -> Found:
    """A Polish VAT invoice (faktura)."""
    fields, items = extract_invoice(lines)
    return _with_sroie_dates(fields, [line for line in lines if not DUE_DATE_LABEL.search(line.folded)]), items


def _sroie_receipt(lines: list[TextLine]) -> Found:
    """An English-language till receipt, or a document no layout claims: no item lines."""
    return extract_sroie(lines), []


def _with_sroie_dates(fields: dict[str, FieldValue], lines: list[TextLine]) -> dict[str, FieldValue]:
    """Fill a missing date or time from the SROIE extractor (it knows more date forms)."""
    sroie = extract_sroie(lines)
    for name in _FALLBACK_FIELDS:
        if name in sroie:
            fields.setdefault(name, sroie[name])
    return fields


_BY_LAYOUT: dict[Layout, Callable[[list[TextLine]], Found]] = {
    Layout.POLISH_RECEIPT: _polish_receipt,
    Layout.POLISH_INVOICE: _polish_invoice,
    Layout.SROIE_RECEIPT: _sroie_receipt,
    Layout.UNKNOWN: _sroie_receipt,
}


def _extract_one(reading: DocumentReading) -> Extraction:
    """Extract fields from the primary pages of a reading with the extractor of its layout (noting the second
    engine when its pages are the ones read: their step "engine:NAME")."""
    lines = document_lines(reading)
    kind, layout = detect_layout(lines)
    fields, items = _BY_LAYOUT[layout](lines)
    steps = (step for page in reading.pages for step in page.steps)
    engine = next((step[len(_ENGINE) :] for step in steps if step.startswith(_ENGINE)), "")
    return Extraction(kind=kind, fields=fields, items=items, layout=layout, engine=engine)
