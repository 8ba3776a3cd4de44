"""Detect the media type of an upload from its leading magic bytes only."""

from __future__ import annotations

from typing import Final

JPEG: Final = "image/jpeg"
PNG: Final = "image/png"
WEBP: Final = "image/webp"
HEIC: Final = "image/heic"
AVIF: Final = "image/avif"
TIFF: Final = "image/tiff"
PDF: Final = "application/pdf"

ALLOWED_UPLOAD_TYPES: Final[frozenset[str]] = frozenset({JPEG, PNG, WEBP, HEIC, AVIF, TIFF, PDF})
IMAGE_TYPES: Final[frozenset[str]] = ALLOWED_UPLOAD_TYPES - {PDF}

_HEIC_BRANDS: Final = frozenset({b"heic", b"heix", b"mif1", b"msf1", b"heim", b"heis", b"hevc", b"hevx"})
_AVIF_BRANDS: Final = frozenset({b"avif", b"avis"})
_PDF_SEARCH_WINDOW: Final = 1024


def _isobmff_type(data: bytes) -> str | None:
    """Classify an ISO base media (ftyp) file as AVIF or HEIC by its major and compatible brands."""
    if len(data) < 12 or data[4:8] != b"ftyp":
        return None
    box_size = int.from_bytes(data[0:4], "big")
    end = min(len(data), box_size if 16 <= box_size <= 256 else 16)
    brands = [data[8:12]] + [data[i : i + 4] for i in range(16, end - 3, 4)]
    if brands[0] in _AVIF_BRANDS:
        return AVIF
    if brands[0] in _HEIC_BRANDS - {b"mif1", b"msf1"}:
        return HEIC
    if any(b in _AVIF_BRANDS for b in brands):
        return AVIF
    if any(b in _HEIC_BRANDS for b in brands):
        return HEIC
    return None


def sniff_media_type(data: bytes) -> str | None:
    """Return the media type of `data` judged from magic bytes, or None when it is not an accepted type.

    Args:
        data: the raw bytes of the upload (only the first kilobyte is inspected).

    Returns:
        One of the members of `ALLOWED_UPLOAD_TYPES`, or None for anything else.
    """
    head = data[:_PDF_SEARCH_WINDOW]
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if len(head) >= 12 and head[0:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head.startswith((b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+")):
        return TIFF
    if b"%PDF-" in head:
        return PDF
    return _isobmff_type(head)
