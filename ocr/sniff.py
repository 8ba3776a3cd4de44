"""Recognise an upload's format from its leading magic bytes only (never from its name).

Each accepted format has a recogniser here; `ocr.formats` lists them in the order they are tried.
"""

from __future__ import annotations

from typing import Final

JPEG: Final = "image/jpeg"
PNG: Final = "image/png"
WEBP: Final = "image/webp"
HEIC: Final = "image/heic"
AVIF: Final = "image/avif"
TIFF: Final = "image/tiff"
PDF: Final = "application/pdf"
KSEF_XML: Final = "application/xml"

#: How much of the upload the recognisers look at.
HEAD_BYTES: Final = 1024

#: The FA e-invoice schemas' namespaces all live here (crd.gov.pl publishes the tax forms' schemas).
_FA_NAMESPACE_ROOT: Final = b"crd.gov.pl/wzor/"

_HEIC_BRANDS: Final = frozenset({b"heic", b"heix", b"mif1", b"msf1", b"heim", b"heis", b"hevc", b"hevx"})
_AVIF_BRANDS: Final = frozenset({b"avif", b"avis"})


def is_jpeg(head: bytes) -> bool:
    """Tell whether the bytes start like a JPEG (SOI marker and the next marker's FF)."""
    return head.startswith(b"\xff\xd8\xff")


def is_png(head: bytes) -> bool:
    """Tell whether the bytes start with the PNG signature."""
    return head.startswith(b"\x89PNG\r\n\x1a\n")


def is_webp(head: bytes) -> bool:
    """Tell whether the bytes are a RIFF container of WebP."""
    return len(head) >= 12 and head[0:4] == b"RIFF" and head[8:12] == b"WEBP"


def is_tiff(head: bytes) -> bool:
    """Tell whether the bytes start like a TIFF or BigTIFF, either byte order."""
    return head.startswith((b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"))


def is_pdf(head: bytes) -> bool:
    """Tell whether a PDF header appears in the first kilobyte (readers tolerate junk before it)."""
    return b"%PDF-" in head[:HEAD_BYTES]


def is_avif(head: bytes) -> bool:
    """Tell whether the bytes are an ISO base media file branded AVIF."""
    return isobmff_type(head) == AVIF


def is_heic(head: bytes) -> bool:
    """Tell whether the bytes are an ISO base media file branded HEIC/HEIF."""
    return isobmff_type(head) == HEIC


def isobmff_type(data: bytes) -> str | None:
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


def is_ksef_xml(head: bytes) -> bool:
    """Tell whether the bytes are XML that may be a KSeF e-invoice: an FA schema's namespace in the head, or a
    DTD (which no e-invoice has: the reader refuses it with its own code, never expanding it)."""
    text = head.removeprefix(b"\xef\xbb\xbf").lstrip(b" \t\r\n")
    if not text.startswith(b"<"):
        return False
    return _FA_NAMESPACE_ROOT in text or b"<!DOCTYPE" in text or b"<!ENTITY" in text
