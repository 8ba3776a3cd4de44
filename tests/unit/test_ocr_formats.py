"""The format registry: one table picks the reader and the extractor; a structured format needs no OCR."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator

import pytest
from PIL import Image

from ocr import DocumentKind, DocumentReading, EngineError, Extraction, FieldValue, ReaderConfig, read_document
from ocr.formats import (
    ALLOWED_UPLOAD_TYPES,
    FORMATS,
    IMAGE_TYPES,
    Format,
    exact_extraction,
    extract_fields,
    format_for,
    read_image,
    register_format,
    sniff_media_type,
    unregister_format,
)
from ocr.sandbox import read_document_forked
from ocr.session import OcrSession
from ocr.textreading import reading_from_text

EXACT = "application/x-paragon-exact"
MAGIC = b"PARAGON-EXACT\n"
#: Any OCR with this configuration fails: the engine does not exist.
NO_ENGINE = ReaderConfig(tesseract_cmd="/nonexistent/tesseract", engine="cli")
INVOICE = Extraction(
    kind=DocumentKind.INVOICE,
    fields={"seller_nip": FieldValue("5260250274", 1.0, sure=True), "total": FieldValue("123.45", 1.0, sure=True),
            "date": FieldValue("2026-11-03", 1.0, sure=True)},
    items=[{"name": "Klej do płytek 25 kg", "qty": "2", "amount": "99.98"}],
)


def _read_exact(data: bytes, media_type: str, session: OcrSession) -> DocumentReading:
    """A structured document: JSON after a magic line, whose fields are exact (no page, no OCR)."""
    return DocumentReading(media_type, (), structured=json.loads(data[len(MAGIC) :]))


@pytest.fixture
def exact_format() -> Iterator[Format]:
    entry = Format(EXACT, lambda head: head.startswith(MAGIC), _read_exact, exact_extraction)
    register_format(entry)
    try:
        yield entry
    finally:
        unregister_format(EXACT)


def _exact_document() -> bytes:
    return MAGIC + json.dumps(INVOICE.to_dict()).encode()


def test_an_exact_format_is_read_and_extracted_without_ocr(exact_format):
    reading = read_document(_exact_document(), NO_ENGINE)
    assert reading.media_type == EXACT and reading.pages == () and reading.structured == INVOICE.to_dict()
    assert extract_fields(reading) == INVOICE
    assert extract_fields(DocumentReading.from_dict(json.loads(json.dumps(reading.to_dict())))) == INVOICE


def test_an_exact_format_comes_back_from_the_sandboxed_reader_child(exact_format):
    reading = read_document_forked(_exact_document(), NO_ENGINE)
    assert reading.structured == INVOICE.to_dict() and extract_fields(reading) == INVOICE


def test_the_same_configuration_does_run_ocr_on_an_image():
    """The exact format's reading proves no OCR ran: this configuration's OCR fails."""
    buffer = io.BytesIO()
    Image.new("RGB", (60, 40), "white").save(buffer, "PNG")
    with pytest.raises(EngineError):
        read_document(buffer.getvalue(), NO_ENGINE)


def test_an_unregistered_format_is_unsupported_again(exact_format):
    assert sniff_media_type(_exact_document()) == EXACT
    unregister_format(EXACT)
    assert sniff_media_type(_exact_document()) is None and format_for(EXACT) is None


def test_a_media_type_is_registered_once(exact_format):
    with pytest.raises(ValueError, match="already registered"):
        register_format(exact_format)
    with pytest.raises(ValueError, match="already registered"):
        register_format(Format("image/png", lambda head: False, _read_exact, exact_extraction))


def test_built_in_formats_cannot_be_unregistered():
    unregister_format("image/png")
    assert format_for("image/png") is not None


def test_upload_types_and_image_types_come_from_the_table():
    assert ALLOWED_UPLOAD_TYPES == {entry.media_type for entry in FORMATS}
    assert IMAGE_TYPES == {entry.media_type for entry in FORMATS if entry.read is read_image}
    assert ALLOWED_UPLOAD_TYPES - IMAGE_TYPES == {"application/pdf", "application/xml"}


def test_a_replayed_text_is_extracted_as_printed_text():
    reading = reading_from_text("PARAGON FISKALNY\nSUMA PLN 12,30\n")
    assert reading.media_type not in ALLOWED_UPLOAD_TYPES
    assert extract_fields(reading).value("total") == "12.30"


def test_a_structured_reading_without_content_is_refused():
    with pytest.raises(ValueError, match="without structured content"):
        exact_extraction(DocumentReading(EXACT, ()))


def test_an_image_page_is_turned_grey_once_for_reading_and_barcodes(monkeypatch):
    """The preparation and the barcode search get the one grey of the page (`to_grayscale` of its pixels):
    a second grey by another formula cost 30 ms of a 12 MP photo."""
    import numpy as np

    import ocr.formats
    from ocr.preprocess import to_grayscale

    colours = np.random.default_rng(5).integers(0, 256, (40, 60, 3), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(colours).save(buffer, "PNG")
    seen: dict[str, list[np.ndarray]] = {"page": [], "codes": []}

    class Session:
        config = ReaderConfig(image_traits=False)

        def page(self, image: np.ndarray, number: int) -> object:
            seen["page"].append(image)
            return object()

    def decode_pages(images: list[np.ndarray]) -> tuple[()]:
        seen["codes"].extend(images)
        return ()

    monkeypatch.setattr(ocr.formats, "decode_pages", decode_pages)
    read_image(buffer.getvalue(), "image/png", Session())  # type: ignore[arg-type]
    assert len(seen["page"]) == 1 and seen["codes"][0] is seen["page"][0]
    assert np.array_equal(seen["page"][0], to_grayscale(colours))
