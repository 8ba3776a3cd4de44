"""PDF reading without OCR: text layer, encryption, page caps, corrupt files."""

from __future__ import annotations

import io

import numpy as np
import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from ocr.config import ReaderConfig
from ocr.errors import CorruptFileError, EncryptedPdfError, FileTooLargeError
from ocr.model import PageReading, PageSource
from ocr.pdf import read_pdf

CONFIG = ReaderConfig()


def _pdf(pages: list[list[str]], encrypt: str | None = None) -> bytes:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, encrypt=encrypt)
    for lines in pages:
        for i, text in enumerate(lines):
            pdf.drawString(72, 800 - 20 * i, text)
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _no_ocr(rgb: np.ndarray, number: int, scale: float, width: float, height: float) -> PageReading:
    raise AssertionError("a page with a text layer must not be OCR'd")


def test_text_layer_lines_and_boxes_in_points():
    data = _pdf([["Faktura VAT nr FV/1/2026", "Do zaplaty: 123,00 PLN      NIP 526-025-09-95"]])
    [page] = read_pdf(data, CONFIG, _no_ocr)
    assert page.source is PageSource.PDF_TEXT and round(page.width) == 595 and round(page.height) == 842
    assert [line.text for line in page.lines] == [
        "Faktura VAT nr FV/1/2026",
        "Do zaplaty: 123,00 PLN NIP 526-025-09-95",
    ]
    first = page.lines[0].words[0]
    assert first.text == "Faktura" and abs(first.box.x - 72) < 1 and 30 < first.box.y < 45
    assert first.confidence == 1.0


def test_pages_without_text_go_to_ocr():
    calls: list[tuple[int, float]] = []

    def fake_ocr(rgb: np.ndarray, number: int, scale: float, width: float, height: float) -> PageReading:
        calls.append((number, scale))
        assert rgb.ndim == 3 and rgb.shape[1] > width
        return PageReading(number, width, height, PageSource.OCR, (), 0.0)

    pages = read_pdf(_pdf([["Page one has some text on it"], []]), CONFIG, fake_ocr)
    assert [p.source for p in pages] == [PageSource.PDF_TEXT, PageSource.OCR]
    assert calls and calls[0][0] == 2 and abs(calls[0][1] - 72 / CONFIG.pdf_render_dpi) < 1e-6


def test_password_protected_pdf():
    with pytest.raises(EncryptedPdfError):
        read_pdf(_pdf([["secret"]], encrypt="s3cret"), CONFIG, _no_ocr)


def test_page_cap():
    with pytest.raises(FileTooLargeError):
        read_pdf(_pdf([["x"]] * 3), ReaderConfig(max_pdf_pages=2), _no_ocr)


@pytest.mark.parametrize("data", [b"%PDF-1.4\nthis is not a pdf", b"%PDF-1.7\n" + b"\x00" * 100])
def test_corrupt_pdf(data):
    with pytest.raises(CorruptFileError):
        read_pdf(data, CONFIG, _no_ocr)


def _raw_pdf(objects: list[bytes]) -> bytes:
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def test_compression_bomb_is_refused_before_any_parser_sees_it(monkeypatch):
    import zlib

    import ocr.pdf

    monkeypatch.setattr(ocr.pdf, "MAX_STREAM_BYTES", 1_000_000)
    payload = zlib.compress(b"0" * 2_000_000, 9)  # 2 MB from ~2 kB
    bomb = _raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
            b"<< /Filter /FlateDecode /Length %d >>\nstream\n" % len(payload) + payload + b"\nendstream",
        ]
    )
    with pytest.raises(FileTooLargeError):
        read_pdf(bomb, CONFIG, _no_ocr)
    with pytest.raises(FileTooLargeError):
        ocr.pdf.check_pdf(bomb, CONFIG)


def test_page_tree_that_contains_itself_is_corrupt():
    looping = _raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
        ]
    )

    def blank(rgb: np.ndarray, number: int, scale: float, width: float, height: float) -> PageReading:
        return PageReading(number, width, height, PageSource.OCR, (), 0.0)

    with pytest.raises(CorruptFileError):
        read_pdf(looping, CONFIG, blank)


def test_gate_check_counts_pages_without_reading_them():
    from ocr.pdf import check_pdf

    assert check_pdf(_pdf([["Faktura"], ["strona 2"]]), CONFIG) == 2
    with pytest.raises(FileTooLargeError):
        check_pdf(_pdf([["x"]] * 3), ReaderConfig(max_pdf_pages=2))
    with pytest.raises(EncryptedPdfError):
        check_pdf(_pdf([["x"]], encrypt="haslo"), CONFIG)
