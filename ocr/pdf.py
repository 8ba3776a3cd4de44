"""Read PDFs: the text layer via pdfplumber, and pages without one rendered with pdfium for OCR."""

from __future__ import annotations

import io
import math
import re
import zlib
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import numpy as np

from ocr.config import ReaderConfig
from ocr.errors import CorruptFileError, EncryptedPdfError, FileTooLargeError
from ocr.lines import build_lines
from ocr.model import Box, PageReading, PageSource, Word

PageOcr = Callable[[np.ndarray, int, float, float, float], PageReading]
_POINTS_PER_INCH = 72.0
_GARBAGE_MARK = "(cid:"
MAX_STREAM_BYTES = 256 * 1024 * 1024  # a 600-dpi A4 colour scan inflates to ~105 MB
MAX_INFLATED_BYTES = 1024 * 1024 * 1024  # per document
_STREAM = re.compile(rb"stream\r?\n")
_CHUNK = 16 * 1024 * 1024


def _open_pdfium(data: bytes) -> Any:
    """Open the document with pdfium, mapping password and parse failures to reader errors."""
    import pypdfium2 as pdfium

    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise EncryptedPdfError() from exc
        raise CorruptFileError() from exc


def _open_plumber(data: bytes) -> Any:
    """Open the document with pdfplumber, mapping encryption and parse failures to reader errors."""
    import pdfplumber
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFSyntaxError

    try:
        return pdfplumber.open(io.BytesIO(data))
    except (PDFPasswordIncorrect, PDFEncryptionError) as exc:
        raise EncryptedPdfError() from exc
    except (PDFSyntaxError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise CorruptFileError() from exc
    except Exception as exc:  # pdfminer raises many ad-hoc types on malformed files
        raise CorruptFileError() from exc


def _inflated_size(raw: bytes, cap: int) -> int:
    """Inflate a Flate stream in chunks, discarding the output, and return its size (stops past `cap`)."""
    inflater = zlib.decompressobj()
    size, pending = 0, raw
    try:
        while pending and size <= cap:
            size += len(inflater.decompress(pending, _CHUNK))
            pending = inflater.unconsumed_tail
    except zlib.error:
        pass  # a damaged stream: the parsers will judge it
    return size


def check_streams(data: bytes) -> None:
    """Refuse compression bombs: Flate streams that inflate past `MAX_STREAM_BYTES` (or the document's total).

    Only top-level streams are visible in the raw bytes, which is where page contents and images live;
    the check costs ~0.1 s per 100 MB inflated and holds at most 16 MB at a time.

    Raises:
        FileTooLargeError: a stream or all of them together inflate too much.
    """
    total = 0
    for match in _STREAM.finditer(data):
        header = data[max(0, match.start() - 512) : match.start()]
        if b"FlateDecode" not in header[max(0, header.rfind(b"obj")) :]:
            continue
        end = data.find(b"endstream", match.end())
        size = _inflated_size(data[match.end() : end if end > 0 else len(data)], MAX_STREAM_BYTES)
        total += size
        if size > MAX_STREAM_BYTES or total > MAX_INFLATED_BYTES:
            raise FileTooLargeError("The PDF holds a compressed stream that expands to an excessive size.")


def _text_words(page: Any) -> list[Word]:
    """Return the words of a pdfplumber page as `Word`s in page points (confidence 1.0)."""
    words: list[Word] = []
    for item in page.extract_words(keep_blank_chars=False, use_text_flow=False):
        text = str(item.get("text", "")).strip()
        if not text:
            continue
        x0, x1 = float(item["x0"]), float(item["x1"])
        top, bottom = float(item["top"]), float(item["bottom"])
        box = Box(round(x0, 1), round(top, 1), round(x1 - x0, 1), round(bottom - top, 1))
        words.append(Word(text, 1.0, box))
    return words


def _usable_text(words: list[Word], config: ReaderConfig) -> bool:
    """Tell whether a text layer is real text (enough characters, not unmapped glyph ids)."""
    chars = sum(len(w.text) for w in words)
    garbage = sum(1 for w in words if _GARBAGE_MARK in w.text)
    return chars >= config.min_pdf_text_chars and garbage <= 0.2 * len(words)


def _render(
    pdfium_doc: Any, index: int, width_pt: float, height_pt: float, config: ReaderConfig
) -> tuple[np.ndarray, float]:
    """Render one page to RGB at the configured DPI (lowered to respect the pixel cap)."""
    dpi = float(config.pdf_render_dpi)
    pixels = (width_pt * dpi / _POINTS_PER_INCH) * (height_pt * dpi / _POINTS_PER_INCH)
    if pixels > config.max_pixels:
        dpi *= math.sqrt(config.max_pixels / pixels)
    bitmap = pdfium_doc[index].render(scale=dpi / _POINTS_PER_INCH)
    return np.asarray(bitmap.to_pil().convert("RGB")), dpi


def read_pdf(data: bytes, config: ReaderConfig, ocr_page: PageOcr) -> list[PageReading]:
    """Read every page of a PDF, using the text layer where present and OCR elsewhere.

    Args:
        data: the raw PDF bytes.
        config: page cap, render DPI and text-layer threshold.
        ocr_page: callback (rgb, page_number, points_per_pixel, width_pt, height_pt) -> PageReading
            used for pages without a usable text layer.

    Returns:
        One `PageReading` per page; boxes and sizes are in PDF points.

    Raises:
        EncryptedPdfError: the PDF needs a password.
        FileTooLargeError: more than `config.max_pdf_pages` pages, or a compression bomb.
        CorruptFileError: the PDF cannot be parsed (or its page tree is broken).
    """
    count = check_pdf(data, config)
    pdfium_doc = _open_pdfium(data)
    try:
        with _open_plumber(data) as plumber:
            return [_read_page(_plumber_page(plumber, i), pdfium_doc, i, config, ocr_page) for i in range(count)]
    finally:
        pdfium_doc.close()


def rendered_pages(data: bytes, config: ReaderConfig, dpi: float) -> Iterator[np.ndarray]:
    """Each page of a PDF (at most `config.max_pdf_pages`) rendered to RGB at `dpi` (lowered to the pixel cap).

    Raises:
        EncryptedPdfError, FileTooLargeError, CorruptFileError: as `read_pdf`.
    """
    count = check_pdf(data, config)
    pdfium_doc = _open_pdfium(data)
    try:
        for index in range(count):
            page = pdfium_doc[index]
            width, height = page.get_size()
            yield _render(pdfium_doc, index, width, height, replace(config, pdf_render_dpi=int(dpi)))[0]
    finally:
        pdfium_doc.close()


def _plumber_page(plumber: Any, index: int) -> Any:
    """Return page `index`, mapping a broken page tree (loops, missing kids) to `CorruptFileError`."""
    try:
        return plumber.pages[index]
    except Exception as exc:  # pdfminer raises IndexError, KeyError, RecursionError... on broken trees
        raise CorruptFileError() from exc


def _read_page(page: Any, pdfium_doc: Any, index: int, config: ReaderConfig, ocr_page: PageOcr) -> PageReading:
    """Read one page from its text layer, or render and OCR it when there is none."""
    width, height = float(page.width), float(page.height)
    try:
        words = _text_words(page)
    except MemoryError as exc:
        raise FileTooLargeError() from exc
    except Exception:  # a broken content stream: fall back to rendering
        words = []
    if _usable_text(words, config):
        return PageReading(index + 1, width, height, PageSource.PDF_TEXT, build_lines(words), 1.0)
    rgb, dpi = _render(pdfium_doc, index, width, height, config)
    return ocr_page(rgb, index + 1, _POINTS_PER_INCH / dpi, width, height)


def check_pdf(data: bytes, config: ReaderConfig) -> int:
    """Open a PDF without reading its pages and return the page count (also the upload gate's check).

    Raises:
        EncryptedPdfError: the PDF needs a password.
        FileTooLargeError: more than `config.max_pdf_pages` pages, or a compression bomb.
        CorruptFileError: the PDF cannot be parsed or has no pages.
    """
    check_streams(data)
    document = _open_pdfium(data)
    try:
        count = len(document)
    finally:
        document.close()
    if count > config.max_pdf_pages:
        raise FileTooLargeError(f"The PDF has {count} pages; at most {config.max_pdf_pages} are accepted.")
    if count == 0:
        raise CorruptFileError("The PDF has no pages.")
    return count
