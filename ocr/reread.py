"""Re-reading the line a key field came from: the row cut out of the page, enlarged, read as one text line.

The page pass reads characters about `target_text_height_px` tall under the whole page's layout analysis; a
digit misread there (20.15 for 25.15, 2018-08-11 for 11/05/2018) is often read right when its row alone is
enlarged further and read as a single line (tesseract --psm 7). Such crops also produce garbage on other
rows, so a crop replaces the page's value only when two enlargements agree on a value that the extractors
take from that row; the value stays unconfirmed unless the document's own arithmetic confirms it.

Crops come from the page image before the page pass's scaling (`Prepared.unscaled`), so they are
resampled once, and their word boxes are mapped back to page units.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import cv2
import numpy as np

from ocr.config import ReaderConfig
from ocr.errors import EngineError, ReadTimeoutError
from ocr.extract import FieldName, FieldValue, extract_fields, reread_value
from ocr.extract.reread import REREAD_STEP
from ocr.geometry import Affine
from ocr.model import Box, DocumentReading, Line, PageReading, PageSource, Word
from ocr.tesseract import deadline_left, parse_tsv, run_tesseract

KEY_FIELDS = (FieldName.TOTAL, FieldName.DATE)
LINE_PSM = 7  # a single text line
CROP_SCALES = (2.5, 3.0)  # enlargement of the unscaled page pixels, one reading each
_BLUR = 0.9  # Gaussian sigma, in unscaled pixels: joins the dots of dot-matrix print into strokes
_MAX_TEXT_HEIGHT = 120.0  # px after enlarging: photos with large print are enlarged less
_MARGIN_Y = 0.2  # of the row height, above and below
_MARGIN_X = 0.6  # of the row height, left and right
_PAD = 0.5  # white border around the enlarged crop, of the row height
_SAME_ROW = 0.5  # vertical overlap (of the shorter line) that puts two lines in one row


@dataclass(frozen=True, eq=False)
class PageImage:
    """A page kept for re-reading rows: its pixels, their map to page units, page size, text height (px)."""

    number: int
    image: np.ndarray
    to_page: Affine
    size: tuple[float, float]
    text_height: float | None = None


def _overlap(a: Box, b: Box) -> float:
    """Return the vertical overlap of two boxes as a fraction of the shorter one's height."""
    shorter = min(a.h, b.h)
    return (min(a.bottom, b.bottom) - max(a.y, b.y)) / shorter if shorter > 0 else 0.0


def _centre_in(box: Box, region: Box) -> bool:
    """Tell whether the centre of `box` lies in `region`."""
    x, y = box.x + box.w / 2, box.centre_y
    return region.x <= x <= region.right and region.y <= y <= region.bottom


def row_region(reading: DocumentReading, field: FieldValue) -> Box | None:
    """Return the whole row of text a field was read on (every line beside it), in page units.

    The field's boxes are looked up in the primary and alternate pages; the row is the line holding them
    together with the lines of the same page that overlap it vertically (a label read as its own line).
    """
    if not field.boxes:
        return None
    number = field.boxes[0].page
    target = Box.union(b.box for b in field.boxes if b.page == number)
    for page in (*reading.pages, *reading.alternates):
        if page.number != number:
            continue
        home = next((line for line in page.lines if _centre_in(target, line.box)), None)
        if home is not None:
            return Box.union(line.box for line in page.lines if _overlap(line.box, home.box) >= _SAME_ROW)
    return None


def crop_row(page: PageImage, region: Box, scale: float) -> tuple[np.ndarray, Affine] | None:
    """Cut a row (page units) out of the page image with a small margin, enlarge and smooth it, pad with white.

    Enlarged alone, dot-matrix print falls apart into dots that read as other digits; a blur of about one
    original pixel joins them (on SROIE development scans it turned two wrong corrections into none).

    Returns:
        The crop and the map from its pixels to page units, or None when the row lies off the image.
    """
    box = page.to_page.inverse().apply_box(region)
    height, width = page.image.shape[:2]
    my, mx = max(2.0, box.h * _MARGIN_Y), max(4.0, box.h * _MARGIN_X)
    x0, y0 = max(0, int(box.x - mx)), max(0, int(box.y - my))
    x1, y1 = min(width, int(np.ceil(box.right + mx))), min(height, int(np.ceil(box.bottom + my)))
    if x1 - x0 < 4 or y1 - y0 < 4:
        return None
    cut = page.image[y0:y1, x0:x1]
    size = (max(1, round(cut.shape[1] * scale)), max(1, round(cut.shape[0] * scale)))
    enlarged = cv2.resize(cut, size, interpolation=cv2.INTER_CUBIC)
    pad = max(4, round(box.h * scale * _PAD))
    padded = cv2.copyMakeBorder(enlarged, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=255)
    smoothed = cv2.GaussianBlur(padded, (0, 0), _BLUR * scale)
    to_page = Affine.translation(-pad, -pad).then(Affine.scaling(1 / scale)).then(Affine.translation(x0, y0))
    return smoothed, to_page.then(page.to_page)


def _scales(page: PageImage) -> tuple[float, ...]:
    """Return the enlargements to read a row at, lowered for print that is already large."""
    if not page.text_height:
        return CROP_SCALES
    cap = _MAX_TEXT_HEIGHT / page.text_height
    return tuple(dict.fromkeys(max(1.0, min(s, cap * s / CROP_SCALES[-1])) for s in CROP_SCALES))


def read_row(
    page: PageImage, region: Box, scale: float, field: str, config: ReaderConfig, deadline: float
) -> PageReading | None:
    """Read one row of a page on its own at one enlargement.

    Returns:
        A page holding the row as one line (word boxes in page units, the line's box the row region) and
        the step "reread:FIELD", or None when the row could not be cut out or nothing was read.

    Raises:
        ReadTimeoutError: the document's deadline passed.
        EngineError: tesseract failed.
    """
    crop = crop_row(page, region, scale)
    if crop is None:
        return None
    image, to_page = crop
    words = parse_tsv(run_tesseract(image, config, deadline_left(deadline), LINE_PSM))
    if not words:
        return None
    mapped = [Word(w.text, w.confidence, _rounded(to_page.apply_box(w.box))) for w in words]
    line = replace(Line.from_words(mapped), box=region)
    steps = (f"{REREAD_STEP}{field}", f"crop_scale:{scale:.2f}", f"psm:{LINE_PSM}")
    width, height = page.size
    return PageReading(page.number, width, height, PageSource.OCR, (line,), round(line.confidence, 3), steps)


def _rounded(box: Box) -> Box:
    """Round a box to 0.1 so stored readings round-trip exactly."""
    return Box(round(box.x, 1), round(box.y, 1), round(box.w, 1), round(box.h, 1))


def reread_key_fields(
    reading: DocumentReading, pages: dict[int, PageImage], config: ReaderConfig, deadline: float
) -> DocumentReading:
    """Re-read the rows of the total and the date when they are present but not confirmed.

    Each row is read at two enlargements; when both readings, swapped into the document, give the same
    value for the field and it differs from the value read so far, the more confident one is kept in
    `reading.rereads` (extraction then takes the field from it). At most two fields and two crops each;
    a timeout or an engine failure keeps what was accepted so far.

    Args:
        reading: the document as read by the page passes.
        pages: the OCR'd page images by page number (pages with a text layer are never re-read).
        config: engine command and languages.
        deadline: the document's monotonic deadline.

    Returns:
        The reading, with `rereads` set when a row corrected a field.
    """
    extraction = extract_fields(reading)
    accepted: list[PageReading] = []
    for name in KEY_FIELDS:
        field = extraction.fields.get(name)
        if field is None or field.sure or not field.boxes or field.boxes[0].page not in pages:
            continue
        page = pages[field.boxes[0].page]
        region = row_region(reading, field)
        if region is None:
            continue
        try:
            rows = [read_row(page, region, scale, name, config, deadline) for scale in _scales(page)]
        except (ReadTimeoutError, EngineError):
            break
        values = [reread_value(reading, row) if row is not None else None for row in rows]
        found = {value.value for value in values if value is not None}
        if None not in values and len(found) == 1 and field.value not in found:
            accepted.append(max((row for row in rows if row is not None), key=lambda row: row.mean_confidence))
    return replace(reading, rereads=tuple(accepted)) if accepted else reading
