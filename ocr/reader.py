"""The reader contract: bytes in, a `DocumentReading` (positioned lines per page) out."""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

import numpy as np

from ocr.config import DEFAULT_CONFIG, ReaderConfig
from ocr.errors import CorruptFileError, ReadTimeoutError, UnsupportedFileError
from ocr.extract import (
    extract_fields,
    extract_readings,
    needs_second_reading,
    needs_third_reading,
    only_the_date_unsettled,
)
from ocr.geometry import Affine, Transform
from ocr.images import load_images
from ocr.lines import build_lines
from ocr.model import DocumentReading, PageReading, PageSource, Word
from ocr.pdf import read_pdf
from ocr.preprocess import Prepared, prepare_for_ocr
from ocr.reread import PageImage, reread_key_fields
from ocr.sniff import PDF, sniff_media_type
from ocr.tesseract import deadline_left, parse_tsv, run_tesseract

_NOISE_CONFIDENCE = 0.3
_SPARSE_PSM = 11  # sparse text: words read one by one, robust to curved and keystoned lines
_FEW_WORDS = 8


def _word_count(page: PageReading) -> int:
    """Return the number of words read on a page."""
    return sum(len(line.words) for line in page.lines)


def _keep(word: Word) -> bool:
    """Drop low-confidence words without any letter or digit (specks, borders, background texture)."""
    return word.confidence >= _NOISE_CONFIDENCE or any(ch.isalnum() for ch in word.text)


@dataclass(frozen=True)
class _PageInput:
    """A prepared page kept for a possible second reading."""

    number: int
    prepared: Prepared
    mapping: Transform
    size: tuple[float, float]
    transform: Transform = Affine()  # image pixels -> page units


def _recognise(page: _PageInput, config: ReaderConfig, deadline: float, psm: int) -> PageReading:
    """Run tesseract on a prepared page and return its lines in page coordinates."""
    tsv = run_tesseract(page.prepared.image, config, deadline_left(deadline), psm)
    words = [w for w in parse_tsv(tsv) if _keep(w)]
    lines = build_lines(words, page.mapping.apply_box)
    confidences = [w.confidence for w in words]
    mean = round(sum(confidences) / len(confidences), 3) if confidences else 0.0
    steps = page.prepared.steps + ((f"psm:{psm}",) if psm != config.psm else ())
    return PageReading(page.number, page.size[0], page.size[1], PageSource.OCR, lines, mean, steps)


class _Ocr:
    """Reads page images for one document, remembering the prepared pages for a second reading."""

    def __init__(self, config: ReaderConfig, deadline: float) -> None:
        """Bind the configuration and the document's deadline."""
        self.config = config
        self.deadline = deadline
        self.inputs: list[_PageInput] = []

    def page(
        self, rgb: np.ndarray, number: int, transform: Affine | None = None, size: tuple[float, float] | None = None
    ) -> PageReading:
        """Prepare and read one page; `transform` maps image pixels to page units (default identity).

        A page on which almost nothing was read is prepared again with its contrast stretched (faint print)
        and read once more; the reading with more words is kept.
        """
        size = size or (float(rgb.shape[1]), float(rgb.shape[0]))
        page = self._prepare(rgb, number, transform, size, stretch=False)
        reading = _recognise(page, self.config, self.deadline, self.config.psm)
        if _word_count(reading) < _FEW_WORDS:
            retry = self._prepare(rgb, number, transform, size, stretch=True)
            if "stretch_contrast" in retry.prepared.steps:
                second = _recognise(retry, self.config, self.deadline, self.config.psm)
                if _word_count(second) > _word_count(reading):
                    page, reading = retry, second
        self.inputs.append(page)
        return reading

    def _prepare(
        self, rgb: np.ndarray, number: int, transform: Affine | None, size: tuple[float, float], stretch: bool
    ) -> _PageInput:
        """Prepare one page image and remember how its pixels map to page units."""
        config = self.config
        prepared = prepare_for_ocr(rgb, config.target_text_height_px, config.max_ocr_pixels, stretch, config.dewarp)
        transform = transform or Affine()
        return _PageInput(number, prepared, prepared.to_original.then(transform), size, transform)

    def pdf_page(
        self, rgb: np.ndarray, number: int, points_per_pixel: float, width: float, height: float
    ) -> PageReading:
        """Read a rendered PDF page, expressing boxes in PDF points."""
        return self.page(rgb, number, Affine.scaling(points_per_pixel), (width, height))

    def alternates(self, psm: int) -> tuple[PageReading, ...]:
        """Read every OCR'd page again with another page-segmentation mode.

        A page whose rows were straightened is read as it was before straightening instead (with the
        primary mode): that disagrees with the first reading more usefully than another segmentation.
        """
        readings = []
        for page in self.inputs:
            unbent = page.prepared.unbent
            if unbent is not None and psm != _SPARSE_PSM:
                plain = _PageInput(page.number, unbent, unbent.to_original.then(page.transform), page.size)
                readings.append(_recognise(plain, self.config, self.deadline, self.config.psm))
            else:
                readings.append(_recognise(page, self.config, self.deadline, psm))
        return tuple(readings)

    def page_images(self) -> dict[int, PageImage]:
        """Return the OCR'd pages for re-reading single rows.

        A page's image before the final scaling is used when there is one (crops are then resampled only
        once); a page whose bent rows were straightened after scaling is cropped from the reading image.
        """
        images = {}
        for page in self.inputs:
            prepared = page.prepared
            if prepared.unscaled is not None:
                to_page = Affine.scaling(prepared.scale).then(page.mapping)
                images[page.number] = PageImage(
                    page.number, prepared.unscaled, to_page, page.size, prepared.text_height
                )
            else:
                height = prepared.text_height * prepared.scale if prepared.text_height else None
                images[page.number] = PageImage(
                    page.number, prepared.image, page.mapping, page.size, height, enlarged=prepared.scale
                )
        return images


def read_document(data: bytes, config: ReaderConfig = DEFAULT_CONFIG) -> DocumentReading:
    """Read the text of an uploaded receipt or invoice (photo, scan or PDF).

    OCR'd documents whose key fields are not confirmed by the first reading are read a second time
    with `config.fallback_psm`; that reading is kept in `DocumentReading.alternates`.

    Args:
        data: the raw bytes of the upload; the type is sniffed from magic bytes, never from a name.
        config: engine command, languages, limits and time budget.

    Returns:
        A `DocumentReading` with one `PageReading` per page (positioned words grouped into lines),
        the detected media type and the seconds spent.

    Raises:
        UnsupportedFileError: not an accepted image or PDF.
        CorruptFileError: the file cannot be decoded (empty, truncated, malformed).
        FileTooLargeError: too many pixels, too many pages, or a decompression bomb.
        EncryptedPdfError: the PDF needs a password.
        ReadTimeoutError: reading exceeded `config.timeout_s`.
        EngineError: tesseract is missing or crashed.
    """
    started = time.monotonic()
    ocr = _Ocr(config, started + config.timeout_s)
    if not data:
        raise CorruptFileError("The file is empty.")
    media_type = sniff_media_type(data)
    if media_type is None:
        raise UnsupportedFileError()
    if media_type == PDF:
        pages = read_pdf(data, config, ocr.pdf_page)
    else:
        images = load_images(data, media_type, config)
        pages = [ocr.page(np.asarray(image), i + 1) for i, image in enumerate(images)]
    reading = DocumentReading(media_type, tuple(pages))
    if ocr.inputs and not _hopeless(reading):
        reading = _more_readings(reading, ocr)
    return replace(reading, seconds=round(time.monotonic() - started, 3))


def _hopeless(reading: DocumentReading) -> bool:
    """Tell whether the first reading found next to no text: another pass over noise only costs time."""
    pages = [page for page in reading.pages if page.source is PageSource.OCR]
    words = sum(_word_count(page) for page in pages)
    return bool(pages) and (words < _FEW_WORDS or max(page.mean_confidence for page in pages) < _NOISE_CONFIDENCE)


def _more_readings(reading: DocumentReading, ocr: _Ocr) -> DocumentReading:
    """Read again what the first reading left unconfirmed: rows first when only the date is, else the pages.

    With the total and the seller NIP confirmed, the date's row (or the time's) re-read on its own usually
    settles it for a tenth of a page reading; the whole page is read again only when it did not.
    """
    config = ocr.config
    if config.reread_lines and only_the_date_unsettled(extract_fields(reading)):
        settled = reread_key_fields(reading, ocr.page_images(), config, ocr.deadline)
        if not only_the_date_unsettled(extract_fields(settled)):
            return settled
    if config.fallback_psm is not None:
        reading = _second_opinions(reading, ocr, config.fallback_psm)
    if config.reread_lines:
        reading = reread_key_fields(reading, ocr.page_images(), config, ocr.deadline)
    return reading


def _second_opinions(reading: DocumentReading, ocr: _Ocr, fallback_psm: int) -> DocumentReading:
    """Read OCR'd pages again while the key fields stay unconfirmed: `fallback_psm`, then sparse text.

    The sparse-text pass runs only for Polish documents still unconfirmed after two readings, or whose two
    readings disagree; a timeout keeps the readings made so far (further opinions are optional).
    """
    if _hopeless(reading):
        return reading
    try:
        if not needs_second_reading(extract_fields(reading)):
            return reading
        reading = replace(reading, alternates=ocr.alternates(fallback_psm))
        if fallback_psm != _SPARSE_PSM and needs_third_reading(extract_readings(reading)):
            reading = replace(reading, alternates=reading.alternates + ocr.alternates(_SPARSE_PSM))
    except ReadTimeoutError:
        pass
    return reading
