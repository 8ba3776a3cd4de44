"""Barcodes on a document's pages, decoded with zxing-cpp inside the reader's sandboxed child.

What is looked for: QR codes (the KSeF verification codes KOD I and KOD II, a product's QR), DataMatrix
(GS1 product codes with a serial, AI 21), EAN-13 and Code 128 (product codes on packaging). Each decoded code
is {"format", "text", "page"}; what it means is decided later (`ocr.ksef.evidence`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np
import zxingcpp

#: The symbologies decoded (anything else on a page is ignored).
FORMATS = (zxingcpp.BarcodeFormat.QRCode, zxingcpp.BarcodeFormat.DataMatrix, zxingcpp.BarcodeFormat.EAN13,
           zxingcpp.BarcodeFormat.Code128)
#: At most this many codes are kept per page (a page of labels must not flood the reading).
MAX_CODES_PER_PAGE = 20
#: The longest text kept from one code (a KOD II link with its signature is ~600 characters).
MAX_TEXT = 1000
#: PDF pages are rendered at this resolution for decoding (a 2.5 cm QR code gets ~4 pixels a module).
PDF_DPI = 200
#: Photos larger than this many pixels are decoded at a reduced size first (zxing's own downscaling then
#: covers the rest); the full size is tried only when that pass saw a symbol it could not decode.
_FIRST_PASS_PIXELS = 4_000_000


def _format_name(code: Any) -> str:
    return str(code.format).rsplit(".", 1)[-1]


def _decode(image: np.ndarray, errors: bool = False) -> list[Any]:
    """The symbols zxing finds; with `errors`, also those it found but could not decode (`valid` false)."""
    return zxingcpp.read_barcodes(
        image, formats=FORMATS, try_rotate=True, try_downscale=True, try_invert=False, return_errors=errors
    )


#: (77 R + 150 G + 29 B) >> 8 as one OpenCV transform: the offset turns its rounding into the shift's floor
#: (the same grey for all 16.7 million colours), at under half the time of numpy's uint16 arithmetic. It greys
#: colour pages (rendered PDFs); an image upload's pages arrive as the grey its preparation reads
#: (`ocr.formats.read_image`), searched as they are.
_LUMA = np.array([[77, 150, 29, -127.9]], np.float32) / 256


def _grey(image: np.ndarray) -> np.ndarray:
    if image.ndim == 2:
        return np.ascontiguousarray(image)
    import cv2

    return cv2.transform(np.ascontiguousarray(image[..., :3]), _LUMA)


def _shrunk(grey: np.ndarray) -> np.ndarray | None:
    pixels = grey.shape[0] * grey.shape[1]
    if pixels <= _FIRST_PASS_PIXELS:
        return None
    from ocr.components import area_reduce

    # a whole reduction factor when it keeps three quarters of the pixels (OpenCV averages those ten times
    # faster: a 12 MP photo halves in 3 ms, where 4.0 MP exactly costs 28 ms), else exactly that many pixels
    whole = math.ceil(math.sqrt(pixels / _FIRST_PASS_PIXELS))
    if pixels / whole**2 >= 0.75 * _FIRST_PASS_PIXELS:
        return area_reduce(grey, (grey.shape[1] // whole, grey.shape[0] // whole))
    factor = math.sqrt(_FIRST_PASS_PIXELS / pixels)
    return area_reduce(grey, (int(grey.shape[1] * factor), int(grey.shape[0] * factor)))


def decode_page(image: np.ndarray, page: int) -> list[dict[str, Any]]:
    """The codes on one page image (RGB or grey), in zxing's order, without repeats."""
    grey = _grey(image)
    small = _shrunk(grey)
    if small is None:
        found = _decode(grey)
    else:
        # a photo's full size (three times the pixels) is searched only for a symbol the reduced pass found
        # and could not decode (a code whose modules the reduction blurred): on a receipt without codes that
        # pass found nothing and the full size, 80 ms of a 12 MP photo, would find nothing either
        found = _decode(small, errors=True)
        if found and not any(code.valid for code in found):
            found = _decode(grey)
    codes: dict[tuple[str, str], dict[str, Any]] = {}
    for code in found:
        text = code.text[:MAX_TEXT]
        if text and code.valid:
            codes.setdefault((_format_name(code), text), {"format": _format_name(code), "text": text, "page": page})
    return list(codes.values())[:MAX_CODES_PER_PAGE]


def decode_pages(images: Iterable[np.ndarray]) -> tuple[dict[str, Any], ...]:
    """The codes on every page, page by page (numbered from 1)."""
    return tuple(code for number, image in enumerate(images, start=1) for code in decode_page(image, number))


def pdf_codes(pages: Iterable[np.ndarray]) -> tuple[dict[str, Any], ...]:
    """The codes on a PDF's pages rendered at `PDF_DPI` (`ocr.pdf.rendered_pages`)."""
    return decode_pages(pages)
