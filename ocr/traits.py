"""What an image document says besides its text: perceptual hash, EXIF tags, screenshot hints.

Computed where the upload is decoded: `read_document` takes them from the first page it has already
decoded for reading (so inside the worker's limited child, `ocr.sandbox`), and `document_traits` decodes
the first page on its own, cheaply (one page only, grey pages kept grey), for callers that need no text.
Both give the same values for the same file.
"""

from __future__ import annotations

import io

import numpy as np
from PIL import ExifTags, Image

from ocr.config import ReaderConfig
from ocr.errors import OcrError
from ocr.images import load_first_page
from ocr.model import DocumentTraits
from ocr.phash import perceptual_hash

#: The EXIF tags the fraud signals read: editing software, camera, times.
EXIF_TAGS = ("Software", "Make", "Model", "DateTime", "DateTimeOriginal", "ProcessingSoftware")
#: The key under which `exif_tags` gives the GPS position ("52.229770, 21.011780"), when the photo has one.
GPS_TAG = "GPSPosition"
_GPS_IFD = 0x8825
#: Widths (px) of common phone screens: a PNG of that width without camera tags is almost surely a screenshot.
SCREEN_WIDTHS = frozenset({640, 720, 750, 828, 1080, 1125, 1170, 1179, 1242, 1284, 1290, 1440})
#: The page is shrunk to this side before hashing (the hash itself works on 512 px).
HASH_SIDE = 1024
_SCREENSHOT_TYPES = frozenset({"image/png", "image/webp"})
_SCREEN_ASPECT = 1.6


def document_traits(data: bytes, media_type: str, config: ReaderConfig) -> DocumentTraits:
    """Return the traits of an upload, decoding its first page only (nothing for PDFs or unreadable files).

    Args:
        data: the raw bytes of the upload.
        media_type: its sniffed media type (`ocr.formats.sniff_media_type`).
        config: the pixel and page limits (`max_pixels`, `max_pdf_pages`) checked before decoding.

    Returns:
        `DocumentTraits`: empty when the file is not an image or cannot be decoded within the limits.
    """
    try:
        page = load_first_page(data, media_type, config)
    except OcrError:
        return DocumentTraits()
    return page_traits(page, media_type, data)


def page_traits(page: Image.Image, media_type: str, data: bytes) -> DocumentTraits:
    """Return the traits of an upload from its first page, decoded upright (RGB, or L when grey).

    The page is shrunk in place to be hashed: pass one nothing reads afterwards.
    """
    exif = exif_tags(data)
    hints = frozenset({"screenshot"}) if _looks_like_screenshot(media_type, page.size, exif) else frozenset()
    page.thumbnail((HASH_SIDE, HASH_SIDE))
    try:
        phash: int | None = perceptual_hash(np.asarray(page.convert("L")))
    except ValueError:  # smaller than the hash's 8 x 8 grid
        phash = None
    return DocumentTraits(phash=phash, exif=exif, hints=hints)


def exif_tags(data: bytes) -> dict[str, str]:
    """Return the EXIF tags of `EXIF_TAGS` the file carries, as text (at most 200 characters each)."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            raw = image.getexif()
    except Exception:  # noqa: BLE001 - any decoding problem: no tags
        return {}
    names = {ExifTags.TAGS.get(tag, str(tag)): value for tag, value in raw.items()}
    tags = {name: str(names[name])[:200] for name in EXIF_TAGS if name in names}
    place = gps_position(raw)
    if place:
        tags[GPS_TAG] = place
    return tags


def gps_position(raw: Image.Exif) -> str | None:
    """The photo's GPS latitude and longitude in degrees ("52.229770, 21.011780"), or None without a usable one."""
    try:
        gps = raw.get_ifd(_GPS_IFD)
        lat = _degrees(gps[2], gps.get(1, "N"), "S")
        lon = _degrees(gps[4], gps.get(3, "E"), "W")
    except Exception:  # noqa: BLE001 - no GPS block, or a malformed one: no place
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return f"{lat:.6f}, {lon:.6f}"


def _degrees(value: object, ref: object, negative: str) -> float:
    """(degrees, minutes, seconds) rationals as signed decimal degrees."""
    d, m, s = (float(part) for part in value)  # type: ignore[union-attr]
    sign = -1 if str(ref).strip().upper().startswith(negative) else 1
    return sign * (d + m / 60 + s / 3600)


def _looks_like_screenshot(media_type: str, size: tuple[int, int], exif: dict[str, str]) -> bool:
    """Tell whether a PNG or WebP without camera tags has a phone screen's width and a screen's tall shape."""
    if media_type not in _SCREENSHOT_TYPES or "Make" in exif:
        return False
    width, height = size
    return width in SCREEN_WIDTHS and height / width >= _SCREEN_ASPECT
