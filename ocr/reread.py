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
from ocr.extract import Extraction, FieldValue, extract_printed, reread_value
from ocr.extract.reread import REREAD_STEP
from ocr.geometry import Affine, Transform
from ocr.model import Box, DocumentReading, Line, PageReading, PageSource, Word
from ocr.tesseract import deadline_left, parse_tsv, run_tesseract
from vocabulary.fields import FieldName

KEY_FIELDS = (FieldName.TOTAL, FieldName.DATE, FieldName.SELLER_NIP)
LINE_PSM = 7  # a single text line
CROP_SCALES = (2.5, 3.0)  # enlargement of the unscaled page pixels, one reading each
_BLUR = 0.9  # Gaussian sigma, in unscaled pixels: joins the dots of dot-matrix print into strokes
_MAX_TEXT_HEIGHT = 120.0  # px after enlarging: photos with large print are enlarged less
_MARGIN_Y = 0.2  # of the row height, above and below
_MARGIN_X = 0.6  # of the row height, left and right
_PAD = 0.5  # white border around the enlarged crop, of the row height
_DOUBTFUL_DATE = 0.7  # a date read with less confidence than this is re-read
_SAME_ROW = 0.5  # lines whose mid-heights differ by less than this many character heights share a row
_ROW_HEIGHT = 1.25  # a row's height in character heights (ascenders and descenders included)


@dataclass(frozen=True, eq=False)
class PageImage:
    """A page kept for re-reading rows: its pixels, their map to page units, page size, text height (px).

    `enlarged` is how much the image is already enlarged from the photo's own pixels: crops are enlarged
    from the photo's print size, so an image already scaled up is enlarged that much less.
    """

    number: int
    image: np.ndarray
    to_page: Transform
    size: tuple[float, float]
    text_height: float | None = None
    enlarged: float = 1.0


def _centre_in(box: Box, region: Box) -> bool:
    """Tell whether the centre of `box` lies in `region`."""
    x, y = box.x + box.w / 2, box.centre_y
    return region.x <= x <= region.right and region.y <= y <= region.bottom


@dataclass(frozen=True)
class Row:
    """A row of text to re-read: its words' region in page units and its box in the page image's pixels.

    Both are needed because the page image is deskewed and straightened: a row that is level there is
    tilted or bent in page units, so its page box is taller than the row (and would cut neighbours into
    the crop), while the words it replaces are found in page units.
    """

    region: Box
    pixels: Box


def _midpoints(to_image: Transform, line: Line) -> list[tuple[float, float]]:
    """Map the left and right mid-points of a line's words from page units to image pixels."""
    points = []
    for word in line.words:
        points.append(to_image.apply(word.box.x, word.box.centre_y))
        points.append(to_image.apply(word.box.right, word.box.centre_y))
    return points


def _home_line(reading: DocumentReading, field: FieldValue) -> tuple[PageReading, Line] | None:
    """Return the page and line (primary pages first, then alternates) holding a field's boxes."""
    if not field.boxes:
        return None
    number = field.boxes[0].page
    target = Box.union(b.box for b in field.boxes if b.page == number)
    own = {b.box for b in field.boxes if b.page == number}
    pages = [page for page in (*reading.pages, *reading.alternates) if page.number == number]
    # the line holding the field's own word boxes; on a tilted page neighbouring line boxes overlap, so the
    # line box around the field's centre may be the one above
    for page in pages:
        home = max(page.lines, key=lambda line: sum(w.box in own for w in line.words), default=None)
        if home is not None and any(w.box in own for w in home.words):
            return page, home
    for page in pages:
        home = next((line for line in page.lines if _centre_in(target, line.box) and line.words), None)
        if home is not None:
            return page, home
    return None


def find_row(reading: DocumentReading, field: FieldValue, page: PageImage) -> Row | None:
    """Return the whole row a field was read on: its line and the lines level with it in the page image.

    Lines count as level when their words' mid-points lie within half a character height of the field's
    line once mapped into the (deskewed, straightened) page image; a label read as its own line joins.
    """
    found = _home_line(reading, field)
    if found is None:
        return None
    page_reading, home = found
    to_image = page.to_page.inverse()
    home_points = _midpoints(to_image, home)
    home_y = float(np.median([y for _, y in home_points]))
    text_height = page.text_height or min(w.box.h for w in home.words)
    row_lines, points = [], []
    for line in page_reading.lines:
        line_points = _midpoints(to_image, line) if line.words else []
        if line_points and abs(float(np.median([y for _, y in line_points])) - home_y) <= _SAME_ROW * text_height:
            row_lines.append(line)
            points.extend(line_points)
    xs = [x for x, _ in points]
    height = text_height * _ROW_HEIGHT
    pixels = Box(min(xs), home_y - height / 2, max(xs) - min(xs), height)
    return Row(Box.union(line.box for line in row_lines), pixels)


def crop_row(page: PageImage, box: Box, scale: float) -> tuple[np.ndarray, Transform] | None:
    """Cut a row (a box in the page image's pixels) out with a small margin, enlarge, smooth, pad with white.

    Enlarged alone, dot-matrix print falls apart into dots that read as other digits; a blur of about one
    original pixel joins them (on SROIE development scans it turned two wrong corrections into none).

    Returns:
        The crop and the map from its pixels to page units, or None when the row lies off the image.
    """
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


def row_scales(page: PageImage) -> tuple[float, ...]:
    """Return the enlargements to read a row at, lowered for print that is already large."""
    scales = tuple(s / page.enlarged for s in CROP_SCALES)
    if not page.text_height:
        return tuple(dict.fromkeys(max(1.0, s) for s in scales))
    cap = _MAX_TEXT_HEIGHT / page.text_height
    return tuple(dict.fromkeys(max(1.0, min(s, cap * s / scales[-1])) for s in scales))


def read_row(
    page: PageImage, row: Row, scale: float, field: str, config: ReaderConfig, deadline: float
) -> PageReading | None:
    """Read one row of a page on its own at one enlargement.

    Returns:
        A page holding the row as one line (word boxes in page units, the line's box the row region) and
        the step "reread:FIELD", or None when the row could not be cut out or nothing was read.

    Raises:
        ReadTimeoutError: the document's deadline passed.
        EngineError: tesseract failed.
    """
    crop = crop_row(page, row.pixels, scale)
    if crop is None:
        return None
    image, to_page = crop
    words = parse_tsv(run_tesseract(image, config, deadline_left(deadline), LINE_PSM))
    if not words:
        return None
    mapped = [Word(w.text, w.confidence, _rounded(to_page.apply_box(w.box))) for w in words]
    line = replace(Line.from_words(mapped), box=row.region)
    steps = (f"{REREAD_STEP}{field}", f"crop_scale:{scale:.2f}", f"psm:{LINE_PSM}")
    width, height = page.size
    return PageReading(page.number, width, height, PageSource.OCR, (line,), round(line.confidence, 3), steps)


def _rounded(box: Box) -> Box:
    """Round a box to 0.1 so stored readings round-trip exactly."""
    return Box(round(box.x, 1), round(box.y, 1), round(box.w, 1), round(box.h, 1))


def _anchor(extraction: Extraction, name: str) -> FieldValue | None:
    """Return the field whose row is re-read for `name`.

    That is the field itself when it was read but not confirmed (a date: read with low confidence), or,
    for a date that was not found, the time (fiscal printers print both on one line).
    """
    field = extraction.fields.get(name)
    if field is not None:
        # a date is never confirmed by arithmetic: only one read with doubt is worth another look
        doubtful = field.confidence < _DOUBTFUL_DATE if name == FieldName.DATE else not field.sure
        return field if doubtful else None
    if name == FieldName.DATE:
        return extraction.fields.get(FieldName.TIME)
    return None


def _accepted(current: FieldValue | None, name: str, values: list[FieldValue | None]) -> bool:
    """Tell whether the readings of a row correct a field: every enlargement found the same new value.

    A seller NIP is taken only when the row confirms it (label, grouping and checksum).
    """
    if not values or None in values or len({v.value for v in values if v is not None}) != 1:
        return False
    value = values[0]
    if value is None or current is not None and value.value == current.value:
        return False
    return value.sure if name == FieldName.SELLER_NIP else True


def reread_key_fields(
    reading: DocumentReading,
    pages: dict[int, PageImage],
    config: ReaderConfig,
    deadline: float,
    extraction: Extraction | None = None,
) -> DocumentReading:
    """Re-read the rows of the total, the date and the seller NIP when they are not confirmed.

    Each row is read at two enlargements; when both readings, swapped into the document, give the same
    value for the field and it differs from the value read so far, the more confident one is kept in
    `reading.rereads` (extraction then takes the field from it). A missing date is looked for on the row
    of the time; a seller NIP is replaced only by one the row confirms (checksum). At most two crops per
    field; a timeout or an engine failure keeps what was accepted so far.

    Args:
        reading: the document as read by the page passes.
        pages: the OCR'd page images by page number (pages with a text layer are never re-read).
        config: engine command and languages.
        deadline: the document's monotonic deadline.
        extraction: `extract_printed(reading)` when the caller has it already (8–13 ms saved).

    Returns:
        The reading, with `rereads` set when a row corrected a field.
    """
    extraction = extract_printed(reading) if extraction is None else extraction
    accepted: list[PageReading] = []
    for name in KEY_FIELDS:
        anchor = _anchor(extraction, name)
        if anchor is None or not anchor.boxes or anchor.boxes[0].page not in pages:
            continue
        page = pages[anchor.boxes[0].page]
        row = find_row(reading, anchor, page)
        if row is None:
            continue
        try:
            rows = [read_row(page, row, scale, name, config, deadline) for scale in row_scales(page)]
        except (ReadTimeoutError, EngineError):
            break
        values = [reread_value(reading, row) if row is not None else None for row in rows]
        if _accepted(extraction.fields.get(name), name, values):
            accepted.append(max((row for row in rows if row is not None), key=lambda row: row.mean_confidence))
    return replace(reading, rereads=tuple(accepted)) if accepted else reading
