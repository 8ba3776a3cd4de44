"""Every entry of the format table, end to end: sniffed, read by its reader, extracted by its extractor."""

from __future__ import annotations

import io
import shutil
from collections.abc import Callable
from dataclasses import replace
from datetime import date

import pytest
from PIL import Image

from fixtures.documents import expected_fields, make_receipt
from fixtures.ksef.invoices import make_invoice
from fixtures.render import render_receipt_pdf, render_receipt_png
from ocr import PageSource, extract_fields, read_document
from ocr.formats import ALLOWED_UPLOAD_TYPES, IMAGE_TYPES, format_for

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract is not installed"),
]
SPEC = make_receipt(21)
KEY_FIELDS = ("seller_nip", "date", "total")


def _png_as(fmt: str, **params: object) -> Callable[[], bytes]:
    """The generated receipt photo saved in another image format."""

    def encode() -> bytes:
        image = Image.open(io.BytesIO(render_receipt_png(SPEC))).convert("RGB")
        buffer = io.BytesIO()
        image.save(buffer, fmt, **params)
        return buffer.getvalue()

    return encode


def _heic() -> bytes:
    from pillow_heif import from_pillow

    buffer = io.BytesIO()
    from_pillow(Image.open(io.BytesIO(render_receipt_png(SPEC))).convert("RGB")).save(buffer, format="HEIF", quality=95)
    return buffer.getvalue()


def _ksef_xml() -> bytes:
    """The receipt's seller, date and total as a KSeF FA(3) e-invoice."""
    expected = expected_fields(SPEC)
    issued = date.fromisoformat(expected["date"])
    invoice = replace(make_invoice(21), seller_nip=expected["seller_nip"], issued_on=issued)
    xml = invoice.xml.decode()
    return xml.replace(f"<P_15>{invoice.total:.2f}</P_15>", f"<P_15>{expected['total']}</P_15>").encode()


#: One document per entry of `ocr.formats.FORMATS`.
SAMPLES: dict[str, Callable[[], bytes]] = {
    "image/jpeg": _png_as("JPEG", quality=92),
    "image/png": lambda: render_receipt_png(SPEC),
    "image/webp": _png_as("WEBP", lossless=True),
    "image/tiff": _png_as("TIFF", compression="tiff_lzw"),
    "image/avif": _png_as("AVIF", quality=95),
    "image/heic": _heic,
    "application/pdf": lambda: render_receipt_pdf(SPEC),
    "application/xml": _ksef_xml,
}


def test_every_format_in_the_table_has_a_sample_here():
    assert set(SAMPLES) == ALLOWED_UPLOAD_TYPES


@pytest.mark.parametrize("media_type", sorted(SAMPLES))
def test_each_format_is_read_and_its_fields_extracted(media_type):
    reading = read_document(SAMPLES[media_type]())
    extraction = extract_fields(reading)
    expected = expected_fields(SPEC)
    assert reading.media_type == media_type and format_for(media_type) is not None
    assert {name: extraction.value(name) for name in KEY_FIELDS} == {name: expected[name] for name in KEY_FIELDS}
    if media_type in IMAGE_TYPES:
        assert reading.pages[0].source is PageSource.OCR and reading.traits.phash is not None
    elif reading.structured is not None:  # an exact format: no page read, every field sure
        assert not reading.pages and all(extraction.fields[name].sure for name in KEY_FIELDS)
    else:
        assert reading.pages[0].source is PageSource.PDF_TEXT and not reading.traits
