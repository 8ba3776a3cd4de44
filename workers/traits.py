"""What a document's image says besides its text: perceptual hash, EXIF tags, screenshot hints."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np
from PIL import ExifTags, Image

from ocr import OcrError, ReaderConfig
from ocr.images import load_images
from ocr.phash import perceptual_hash

log = logging.getLogger(__name__)
EXIF_TAGS = ("Software", "Make", "Model", "DateTime", "DateTimeOriginal", "ProcessingSoftware")
#: Widths (px) of common phone screens: a PNG of that width without camera tags is almost surely a screenshot.
SCREEN_WIDTHS = frozenset({640, 720, 750, 828, 1080, 1125, 1170, 1179, 1242, 1284, 1290, 1440})
HASH_SIDE = 1024


@dataclass(frozen=True)
class DocumentTraits:
    phash: int | None = None
    exif: dict[str, str] = field(default_factory=dict)
    hints: frozenset[str] = frozenset()


def document_traits(data: bytes, media_type: str, config: ReaderConfig) -> DocumentTraits:
    """Traits of an image document (PDFs have none: their identity comes from their text)."""
    if not media_type.startswith("image/"):
        return DocumentTraits()
    try:
        image = load_images(data, media_type, config)[0]
    except OcrError:
        return DocumentTraits()
    exif = exif_tags(data)
    hints = frozenset({"screenshot"}) if _looks_like_screenshot(media_type, image, exif) else frozenset()
    image.thumbnail((HASH_SIDE, HASH_SIDE))
    try:
        phash = perceptual_hash(np.asarray(image.convert("L")))
    except ValueError:
        phash = None
    return DocumentTraits(phash=phash, exif=exif, hints=hints)


def exif_tags(data: bytes) -> dict[str, str]:
    """The few EXIF tags the fraud signals read (editing software, camera, times), as text."""
    import io

    try:
        with Image.open(io.BytesIO(data)) as image:
            raw = image.getexif()
    except Exception:  # any decoding problem: no tags
        return {}
    names = {ExifTags.TAGS.get(tag, str(tag)): value for tag, value in raw.items()}
    return {name: str(names[name])[:200] for name in EXIF_TAGS if name in names}


def _looks_like_screenshot(media_type: str, image: Image.Image, exif: dict[str, str]) -> bool:
    if media_type not in ("image/png", "image/webp") or "Make" in exif:
        return False
    width, height = image.size
    return width in SCREEN_WIDTHS and height / width >= 1.6
