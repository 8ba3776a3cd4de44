"""The reader end to end with the real tesseract engine."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from PIL import Image
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from fixtures.camera import degrade_photo
from fixtures.documents import expected_fields, make_receipt
from fixtures.render import render_receipt_png
from ocr import (
    EngineError,
    PageSource,
    ReaderConfig,
    ReadTimeoutError,
    extract_fields,
    extract_file_result,
    read_document,
)

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract is not installed"),
]
DEV = Path(__file__).resolve().parents[3] / "shared" / "datasets" / "pl-receipts-dev"


def test_generated_receipt_png():
    spec = make_receipt(7)
    reading = read_document(render_receipt_png(spec))
    expected = expected_fields(spec)
    extraction = extract_fields(reading)
    assert reading.media_type == "image/png" and reading.pages[0].source is PageSource.OCR
    for name in ("seller_nip", "date", "total", "vat_total", "time"):
        assert extraction.value(name) == expected[name], name
    assert extraction.fields["total"].sure and extraction.fields["seller_nip"].sure


def test_word_boxes_are_in_original_pixels():
    data = render_receipt_png(make_receipt(3))
    width, height = Image.open(io.BytesIO(data)).size
    page = read_document(data).pages[0]
    assert (page.width, page.height) == (width, height)
    boxes = [w.box for line in page.lines for w in line.words]
    assert all(-2 <= b.x and b.right <= width + 2 and -2 <= b.y and b.bottom <= height + 2 for b in boxes)


def test_scanned_pdf_is_ocr_d_with_boxes_in_points():
    png = render_receipt_png(make_receipt(11))
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=(300, 600))
    pdf.drawImage(ImageReader(io.BytesIO(png)), 0, 0, width=300, height=600)
    pdf.save()
    reading = read_document(buffer.getvalue())
    page = reading.pages[0]
    assert page.source is PageSource.OCR and (round(page.width), round(page.height)) == (300, 600)
    assert max(w.box.right for line in page.lines for w in line.words) <= 302
    assert extract_fields(reading).value("total") == expected_fields(make_receipt(11))["total"]


@pytest.mark.skipif(not DEV.is_dir(), reason="development photos not available")
@pytest.mark.parametrize(
    ("name", "fields"),
    [
        ("paragon_ubrania.webp", ("seller_nip", "date", "total")),
        ("paragon1.jpg", ("seller_nip", "total")),
        ("paragon_online_kaufland.pdf", ("date", "total")),
    ],
)
def test_real_polish_receipts(name, fields):
    import json

    label = next(x for x in json.loads((DEV / "labels.json").read_text()) if x["file"] == name)
    result = extract_file_result((DEV / name).read_bytes(), name)
    assert result["error"] is None
    for field in fields:
        assert result["fields"][field] == label[field], field


@pytest.mark.skipif(not DEV.is_dir(), reason="development photos not available")
def test_avif_behind_a_jpg_name_is_read():
    result = extract_file_result((DEV / "paragon_kaufland.jpg").read_bytes(), "paragon_kaufland.jpg")
    assert result["error"] is None and result["fields"]["seller_nip"] == "8992367273"


def test_timeout_kills_the_engine():
    data = render_receipt_png(make_receipt(5), dpi_scale=2.0)
    with pytest.raises(ReadTimeoutError):
        read_document(data, ReaderConfig(timeout_s=0.3))


def test_missing_engine():
    with pytest.raises(EngineError):
        config = ReaderConfig(tesseract_cmd="/nonexistent/tesseract", engine="cli")
        read_document(render_receipt_png(make_receipt(1)), config)
    with pytest.raises(EngineError):
        read_document(render_receipt_png(make_receipt(1)), ReaderConfig(engine="api", tessdata_dir="/nonexistent"))


def test_in_process_and_command_line_engines_read_the_same_receipt():
    png = render_receipt_png(make_receipt(3))
    api, cli = (extract_file_result(png, "r.png", ReaderConfig(engine=e)) for e in ("api", "cli"))
    assert api["error"] is None and cli["error"] is None
    for name in ("seller_nip", "date", "total", "document_number"):
        assert api["fields"][name] == cli["fields"][name] is not None


def test_result_shape_for_bad_and_good_input():
    bad = extract_file_result(b"not an image", "x.bin")
    assert bad["error"]["code"] == "unsupported_type" and bad["fields"]["total"] is None
    good = extract_file_result(render_receipt_png(make_receipt(2)), "r.png")
    assert set(good) == {"file", "kind", "fields", "confidence", "sure", "quality", "error", "seconds"}
    assert good["error"] is None and good["kind"] == "receipt" and good["quality"]["ok"]
    assert "total" in good["sure"] and good["seconds"] > 0


def test_clean_receipt_is_read_once_and_fallback_can_be_disabled():
    data = render_receipt_png(make_receipt(9))
    assert read_document(data).alternates == ()
    photo = degrade_photo(render_receipt_png(make_receipt(9), dpi_scale=0.6), 9, blur=1.6, crumple=0.5)
    assert read_document(photo, ReaderConfig(fallback_psm=None)).alternates == ()
