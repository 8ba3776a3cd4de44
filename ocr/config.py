"""Reader configuration passed explicitly by the caller (the ocr package never reads the environment)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ReaderConfig:
    """Settings for one document read; immutable and cheap to share between threads."""

    tesseract_cmd: str = "tesseract"
    engine: str = "auto"  # "api": tesseract in this process (ocr.engine); "cli": the command; "auto": api if it loads
    tessdata_dir: str | None = None  # traineddata folder for the api engine (None: ask tesseract_cmd, then look)
    languages: str = "pol+eng"
    timeout_s: float = 60.0
    max_pixels: int = 40_000_000
    max_pdf_pages: int = 20
    target_text_height_px: int = 30
    psm: int = 6
    fallback_psm: int | None = 4
    dewarp: bool = True  # straighten bent rows before reading (ocr.dewarp)
    second_engine: bool = True  # read pages tesseract leaves unconfirmed with rapidocr too (ocr.rapid)
    reread_lines: bool = True  # re-read the rows of an unconfirmed total and date on their own (ocr.reread)
    image_traits: bool = True  # hash the first page and read its EXIF while reading (ocr.traits)
    pdf_render_dpi: int = 250
    max_ocr_pixels: int = 10_000_000
    min_pdf_text_chars: int = 20


DEFAULT_CONFIG = ReaderConfig()
