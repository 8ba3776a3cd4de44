"""`sure` from two engines: the row of a confirmed amount read again by the second engine (`ocr.rapid`).

A total confirmed by the document's arithmetic can still be a coincidence of misreadings (a subtotal equal to
the items' sum, two digits misread alike on two lines). Evidence that does not depend on any data set is
another engine reading the same value in the same row: the row of every `sure` amount on an OCR'd page is cut
out (as `ocr.reread` does) and recognised by rapidocr as one line, without detection (a tenth of a second).
The line is kept in `DocumentReading.rereads` with the step "confirm:FIELD"; extraction
(`ocr.extract.confirm.second_engine_agreement`) keeps the field sure only when that line prints its value.
"""

from __future__ import annotations

from dataclasses import replace

from ocr.config import ReaderConfig
from ocr.errors import EngineError, ReadTimeoutError
from ocr.extract import Extraction, extract_printed
from ocr.extract.confirm import (
    CONFIRM_STEP,
    CONFIRMED_FIELDS,
    CORRECTED_FIELDS,
    TIEBREAK_STEP,
    corrected_code,
    settled_code,
)
from ocr.model import DocumentReading, Line, PageReading, PageSource, Word
from ocr.reread import PageImage, Row, crop_row, find_row, read_row, row_scales
from ocr.session import SECOND_ENGINE_STEP

_TEXT_HEIGHT = 36.0  # px: the recogniser's input is 48 px high; characters about this tall read best


def confirm_rows(
    reading: DocumentReading,
    pages: dict[int, PageImage],
    config: ReaderConfig | None = None,
    deadline: float = 0.0,
    extraction: Extraction | None = None,
) -> DocumentReading:
    """Read the row of every sure amount (and of the document number) again with rapidocr and keep it in
    `reading.rereads`.

    When rapidocr reads the document number otherwise, tesseract reads its row on its own too (with `config`,
    before `deadline`): a third opinion kept with the step "tiebreak:document_number".
    A missing or failing engine leaves the reading as it was (the fields then keep their first verdict).
    `extraction` is `extract_printed(reading)` when the caller has it already.
    """
    extraction = extract_printed(reading) if extraction is None else extraction
    found: list[PageReading] = []
    for name in (*CONFIRMED_FIELDS, *CORRECTED_FIELDS):
        field = extraction.fields.get(name)
        if field is None or not (field.sure or name in CORRECTED_FIELDS):
            continue
        if not field.boxes or field.boxes[0].page not in pages:
            continue
        page = pages[field.boxes[0].page]
        row = find_row(reading, field, page)
        if row is None:
            continue
        try:
            confirmed = _second_engine_row(page, row, name)
        except EngineError:
            return reading
        if confirmed is None:
            continue
        found.append(confirmed)
        corrected = corrected_code(field.value, confirmed.text)
        # a 0 against an 8, or a "#" read as 4, is settled without a third opinion (`settled_code`)
        disputed = name in CORRECTED_FIELDS and corrected != field.value and not settled_code(field.value, corrected)
        if disputed and config is not None:
            found.extend(_tiebreak(page, row, name, config, deadline))
    return replace(reading, rereads=reading.rereads + tuple(found)) if found else reading


def _second_engine_row(page: PageImage, row: Row, name: str) -> PageReading | None:
    """Return rapidocr's reading of a row as one line (None when the row lies off the image).

    Raises:
        EngineError: rapidocr is missing or failed.
    """
    height = page.text_height or row.pixels.h
    crop = crop_row(page, row.pixels, max(0.5, min(3.0, _TEXT_HEIGHT / max(height, 1.0))))
    if crop is None:
        return None
    from ocr import rapid

    text, score = rapid.read_line(crop[0])
    line = Line(text, (Word(text, score, row.region),), row.region)
    steps = (f"{CONFIRM_STEP}{name}", SECOND_ENGINE_STEP)
    return PageReading(page.number, page.size[0], page.size[1], PageSource.OCR, (line,), score, steps)


def _tiebreak(page: PageImage, row: Row, name: str, config: ReaderConfig, deadline: float) -> list[PageReading]:
    """Return tesseract's reading of a row on its own (enlarged, psm 7) with the step "tiebreak:NAME"."""
    try:
        read = read_row(page, row, row_scales(page)[0], name, config, deadline)
    except (ReadTimeoutError, EngineError):
        return []
    return [replace(read, steps=(f"{TIEBREAK_STEP}{name}", *read.steps[1:]))] if read is not None else []
