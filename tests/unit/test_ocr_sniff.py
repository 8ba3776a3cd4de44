"""Media-type sniffing from magic bytes."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from ocr.formats import ALLOWED_UPLOAD_TYPES, sniff_media_type


def _image_bytes(fmt: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, format=fmt)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [
        ("JPEG", "image/jpeg"),
        ("PNG", "image/png"),
        ("WEBP", "image/webp"),
        ("TIFF", "image/tiff"),
        ("AVIF", "image/avif"),
        ("PDF", "application/pdf"),
    ],
)
def test_real_files_are_recognised(fmt, expected):
    assert sniff_media_type(_image_bytes(fmt)) == expected


@pytest.mark.parametrize("brand", [b"heic", b"heix", b"mif1", b"msf1", b"heim", b"heis", b"hevc"])
def test_heic_brands(brand):
    data = b"\x00\x00\x00\x18ftyp" + brand + b"\x00\x00\x00\x00" + b"mif1heic" + b"\x00" * 16
    assert sniff_media_type(data) == "image/heic"


@pytest.mark.parametrize("brand", [b"avif", b"avis"])
def test_avif_brands(brand):
    data = b"\x00\x00\x00\x1cftyp" + brand + b"\x00\x00\x00\x00" + b"mif1miaf" + b"\x00" * 16
    assert sniff_media_type(data) == "image/avif"


def test_mif1_major_brand_with_avif_compatible_brand_is_avif():
    data = b"\x00\x00\x00\x1cftypmif1\x00\x00\x00\x00avifmiaf" + b"\x00" * 8
    assert sniff_media_type(data) == "image/avif"


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"hello world",
        b"GIF89a" + b"\x00" * 20,
        b"PK\x03\x04zipfile",
        b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 12,
        b"<html><body>%PDF</body></html>"[:4],
    ],
)
def test_unknown_types_are_none(data):
    assert sniff_media_type(data) is None


def test_pdf_header_after_junk_is_still_pdf():
    assert sniff_media_type(b"\r\n%PDF-1.7\n...") == "application/pdf"


def test_allowed_types():
    assert ALLOWED_UPLOAD_TYPES == {
        "image/jpeg",
        "image/png",
        "image/webp",
        "image/heic",
        "image/avif",
        "image/tiff",
        "application/pdf",
        "application/xml",
    }
