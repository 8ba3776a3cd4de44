"""The reader contract: bytes in, a `DocumentReading` (positioned lines per page, or exact content) out.

The format registry (`ocr.formats`) picks the reader for the sniffed type; what was read by OCR and left
unconfirmed is then read again here (second opinions, row re-reads).
"""

from __future__ import annotations

import time
from dataclasses import replace

from ocr.config import DEFAULT_CONFIG, ReaderConfig
from ocr.confirm import confirm_rows
from ocr.errors import CorruptFileError, EngineError, ReadTimeoutError, UnsupportedFileError
from ocr.extract import (
    extract_printed,
    extract_readings,
    needs_second_reading,
    needs_third_reading,
    only_the_date_unsettled,
)
from ocr.extract.values import DocumentKind, Extraction
from ocr.formats import sniff_format
from ocr.ksef.evidence import product_codes
from ocr.model import DocumentReading, PageSource
from ocr.preprocess import NO_ROWS_STEP
from ocr.reread import reread_key_fields
from ocr.session import FEW_WORDS, NOISE_CONFIDENCE, SPARSE_PSM, OcrSession, word_count
from vocabulary.fields import FIELDS, FieldName

#: Fields only a sales document prints: the key fields (total, seller NIP, date, number) and their companions.
_SALES_FIELDS = frozenset(
    {spec.name for spec in FIELDS if spec.key} | {FieldName.BUYER_NIP, FieldName.VAT_TOTAL, FieldName.TIME}
)


def read_document(data: bytes, config: ReaderConfig = DEFAULT_CONFIG) -> DocumentReading:
    """Read the text of an uploaded receipt or invoice (photo, scan or PDF), or a structured document.

    OCR'd documents whose key fields are not confirmed by the first reading are read a second time
    with `config.fallback_psm`; that reading is kept in `DocumentReading.alternates`. Image uploads also
    get their traits (perceptual hash, EXIF tags, hints) from the first page, unless `config.image_traits`
    is off.

    Args:
        data: the raw bytes of the upload; the type is sniffed from magic bytes, never from a name.
        config: engine command, languages, limits and time budget.

    Returns:
        A `DocumentReading` with one `PageReading` per page (positioned words grouped into lines) or the
        structured content of an exact format, the detected media type, the traits and the seconds spent.

    Raises:
        UnsupportedFileError: not an accepted format (`ocr.formats`).
        CorruptFileError: the file cannot be decoded (empty, truncated, malformed).
        FileTooLargeError: too many pixels, too many pages, or a decompression bomb.
        EncryptedPdfError: the PDF needs a password.
        ReadTimeoutError: reading exceeded `config.timeout_s`.
        EngineError: tesseract is missing or crashed.
    """
    started = time.monotonic()
    if not data:
        raise CorruptFileError("The file is empty.")
    entry = sniff_format(data)
    if entry is None:
        raise UnsupportedFileError()
    session = OcrSession(config, started + config.timeout_s)
    reading = entry.read(data, entry.media_type, session)
    printed = _Printed()
    if session.inputs and not _hopeless(reading, printed) and not _only_a_product_code(reading, printed):
        reading = _more_readings(reading, session, printed)
        if config.second_engine:
            pages = session.page_images()
            reading = confirm_rows(reading, pages, config, session.deadline, printed(reading))
    return replace(reading, seconds=round(time.monotonic() - started, 3))


def _hopeless(reading: DocumentReading, printed: _Printed) -> bool:
    """Tell whether the first reading found next to no text, or its pages no rows of print (`NO_ROWS_STEP`) and
    it no document: another pass over noise only costs time.

    The page preparation's verdict of no rows is a guess from how the specks line up; a curled or bent photo
    can line up no better than noise and still read as a receipt (118 words, its sales, PTU and total lines).
    The reading showing a receipt's or an invoice's cues overrules the guess: such a page gets its further
    readings (the noise photo the verdict was made for reads as no kind of document).
    """
    pages = [page for page in reading.pages if page.source is PageSource.OCR]
    words = sum(word_count(page) for page in pages)
    if pages and all(NO_ROWS_STEP in page.steps for page in pages):
        return printed(reading).kind is DocumentKind.UNKNOWN
    return bool(pages) and (words < FEW_WORDS or max(page.mean_confidence for page in pages) < NOISE_CONFIDENCE)


class _Printed:
    """`extract_printed` of one document's readings, each reading extracted once.

    The decisions on further readings ask for the same reading's fields several times (is only the date
    unsettled, is a second reading needed, which rows to confirm): each extraction costs 8–13 ms.
    Readings are immutable, so a reading seen before (the same object) has the same fields.
    """

    def __init__(self) -> None:
        self._seen: list[tuple[DocumentReading, Extraction]] = []

    def __call__(self, reading: DocumentReading) -> Extraction:
        for seen, extraction in self._seen:
            if seen is reading:
                return extraction
        extraction = extract_printed(reading)
        self._seen.append((reading, extraction))
        return extraction


def _only_a_product_code(reading: DocumentReading, printed: _Printed) -> bool:
    """Tell whether the pages carry a product code and the first reading shows no sign of a sales document:
    no receipt or invoice cue (the kind is unknown) and none of the fields only such a document prints.

    A photo of packaging is then read for its code, which is exact (`ocr.ksef.evidence`): second readings
    (another segmentation, the second engine, sparse text) looked for receipt fields that are not there, for
    twice the first reading's time. A receipt photographed with a barcode on it shows its cues or its total
    in the first reading and still gets them.
    """
    if not product_codes(reading):
        return False
    extraction = printed(reading)
    return extraction.kind is DocumentKind.UNKNOWN and not _SALES_FIELDS & set(extraction.fields)


def _more_readings(reading: DocumentReading, session: OcrSession, printed: _Printed) -> DocumentReading:
    """Read again what the first reading left unconfirmed: rows first when only the date is, else the pages.

    With the total and the seller NIP confirmed, the date's row (or the time's) re-read on its own usually
    settles it for a tenth of a page reading; the whole page is read again only when it did not.
    """
    config = session.config
    if config.reread_lines and only_the_date_unsettled(printed(reading)):
        settled = reread_key_fields(reading, session.page_images(), config, session.deadline, printed(reading))
        if not only_the_date_unsettled(printed(settled)):
            return settled
    if config.fallback_psm is not None:
        reading = _second_opinions(reading, session, config.fallback_psm, printed)
    if config.reread_lines:
        reading = reread_key_fields(reading, session.page_images(), config, session.deadline, printed(reading))
    return reading


def _second_opinions(
    reading: DocumentReading, session: OcrSession, fallback_psm: int, printed: _Printed
) -> DocumentReading:
    """Read OCR'd pages again while the key fields stay unconfirmed: `fallback_psm`, the second engine, then
    sparse text.

    The sparse-text pass runs only for Polish documents still unconfirmed after the other readings and missing
    a key field or read differently by them; a timeout keeps the readings made so far (further opinions are
    optional).
    """
    if _hopeless(reading, printed):
        return reading
    try:
        if not needs_second_reading(printed(reading)):
            return reading
        reading = replace(reading, alternates=session.alternates(fallback_psm))
        if session.config.second_engine:
            reading = _second_engine(reading, session, printed)
        # the document's own checks passing (total and seller NIP confirmed, a confident date) end the
        # re-reading: a sparse-text pass then only broke ties between dates, for another page reading's time
        if (
            fallback_psm != SPARSE_PSM
            and needs_second_reading(printed(reading))
            and needs_third_reading(extract_readings(reading))
        ):
            reading = replace(reading, alternates=reading.alternates + session.alternates(SPARSE_PSM))
    except ReadTimeoutError:
        pass
    return reading


def _second_engine(reading: DocumentReading, session: OcrSession, printed: _Printed) -> DocumentReading:
    """Read the pages with rapidocr when tesseract's readings still leave key fields unconfirmed.

    Its reading joins the alternates; the merge then lets the document's arithmetic and check digits
    choose between the engines' values. A missing engine, a failure or a timeout keeps what tesseract read.
    """
    if _hopeless(reading, printed) or not needs_second_reading(printed(reading)):
        return reading
    try:
        return replace(reading, alternates=reading.alternates + session.second_engine())
    except (ReadTimeoutError, EngineError):
        return reading
