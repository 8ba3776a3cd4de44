"""One document's OCR: page images prepared and read within the document's deadline, kept for re-reading.

A format's reader (`ocr.formats`) hands each page image it decodes or renders to `OcrSession.page`; the
reader (`ocr.reader`) then asks the same session for second opinions (`alternates`) and for the page
images rows are re-read from (`page_images`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ocr.config import ReaderConfig
from ocr.errors import ReadTimeoutError
from ocr.geometry import Affine, Transform
from ocr.lines import build_lines
from ocr.model import PageReading, PageSource, Word
from ocr.preprocess import Prepared, prepare_for_ocr
from ocr.reread import PageImage
from ocr.tesseract import deadline_left, parse_tsv, run_tesseract

NOISE_CONFIDENCE = 0.3
SPARSE_PSM = 11  # sparse text: words read one by one, robust to curved and keystoned lines
FEW_WORDS = 8
SECOND_ENGINE_STEP = "engine:rapidocr"  # the step naming a page read by the second engine


def word_count(page: PageReading) -> int:
    """Return the number of words read on a page."""
    return sum(len(line.words) for line in page.lines)


def _keep(word: Word) -> bool:
    """Drop low-confidence words without any letter or digit (specks, borders, background texture)."""
    return word.confidence >= NOISE_CONFIDENCE or any(ch.isalnum() for ch in word.text)


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


class OcrSession:
    """Reads page images for one document, remembering the prepared pages for a second reading."""

    def __init__(self, config: ReaderConfig, deadline: float) -> None:
        """Bind the configuration and the document's deadline (a `time.monotonic()` value)."""
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
        if word_count(reading) < FEW_WORDS:
            retry = self._prepare(rgb, number, transform, size, stretch=True)
            if "stretch_contrast" in retry.prepared.steps:
                second = _recognise(retry, self.config, self.deadline, self.config.psm)
                if word_count(second) > word_count(reading):
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
            if unbent is not None and psm != SPARSE_PSM:
                plain = _PageInput(page.number, unbent, unbent.to_original.then(page.transform), page.size)
                readings.append(_recognise(plain, self.config, self.deadline, self.config.psm))
            else:
                readings.append(_recognise(page, self.config, self.deadline, psm))
        return tuple(readings)

    def second_engine(self) -> tuple[PageReading, ...]:
        """Read every OCR'd page again with the second engine (`ocr.rapid`), as prepared for the first.

        Raises:
            ReadTimeoutError: the document's deadline passed before a page was read.
            EngineError: rapidocr is missing or failed.
        """
        from ocr import rapid

        readings = []
        for page in self.inputs:
            if deadline_left(self.deadline) <= 0:
                raise ReadTimeoutError()
            lines = rapid.read_lines(page.prepared.image, page.mapping)
            words = [w.confidence for line in lines for w in line.words]
            mean = round(sum(words) / len(words), 3) if words else 0.0
            steps = (*page.prepared.steps, SECOND_ENGINE_STEP)
            readings.append(PageReading(page.number, page.size[0], page.size[1], PageSource.OCR, lines, mean, steps))
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
