"""Image traits (perceptual hash, EXIF tags, screenshot hint): computed where the upload is decoded.

The values must stay those the worker computed before the traits moved into the reader (workers/traits.py,
reproduced below as `_worker_traits`): stored hashes are compared with new ones for near duplicates.
"""

from __future__ import annotations

import functools
import hashlib
import io
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from PIL import ExifTags, Image, ImageDraw

from ocr import DocumentReading, DocumentTraits, OcrError, ReaderConfig, phash, read_document
from ocr.formats import sniff_media_type
from ocr.images import load_images
from ocr.phash import perceptual_hash
from ocr.sandbox import read_document_forked
from ocr.traits import EXIF_TAGS, SCREEN_WIDTHS, document_traits

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ReaderConfig()
SOFTWARE, MAKE, ORIENTATION = 0x0131, 0x010F, 0x0112
EMPTY_TSV = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n"


def _worker_traits(data: bytes, media_type: str, config: ReaderConfig) -> DocumentTraits:
    """What workers/traits.py computed in the worker: every page decoded, the first one hashed."""
    if not media_type.startswith("image/"):
        return DocumentTraits()
    try:
        image = load_images(data, media_type, config)[0]
    except OcrError:
        return DocumentTraits()
    try:
        with Image.open(io.BytesIO(data)) as opened:
            raw = opened.getexif()
        names = {ExifTags.TAGS.get(tag, str(tag)): value for tag, value in raw.items()}
        exif = {name: str(names[name])[:200] for name in EXIF_TAGS if name in names}
    except Exception:  # noqa: BLE001 - as the worker did
        exif = {}
    width, height = image.size
    screenshot = media_type in ("image/png", "image/webp") and "Make" not in exif
    screenshot = screenshot and width in SCREEN_WIDTHS and height / width >= 1.6
    image.thumbnail((1024, 1024))
    try:
        phash = perceptual_hash(np.asarray(image.convert("L")))
    except ValueError:
        phash = None
    return DocumentTraits(phash, exif, frozenset({"screenshot"}) if screenshot else frozenset())


def _page(size: tuple[int, int], seed: int) -> Image.Image:
    """A grey receipt-like page: rows of dark print of varying length on light paper."""
    rng = np.random.default_rng(seed)
    pixels = np.full((size[1], size[0]), 235, np.uint8)
    for y in range(40, size[1] - 40, max(20, size[1] // 30)):
        end = int(rng.integers(size[0] // 3, size[0] - 20))
        pixels[y : y + 12, 30:end] = rng.integers(0, 90, (12, end - 30))
    return Image.fromarray(pixels, "L")


def _encode(image: Image.Image, fmt: str, **params: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **params)
    return buffer.getvalue()


def _exif(**tags: object) -> Image.Exif:
    exif = Image.Exif()
    for tag, value in tags.items():
        exif[{"software": SOFTWARE, "make": MAKE, "orientation": ORIENTATION}[tag]] = value
    return exif


def _two_page_fax() -> bytes:
    page = _page((1700, 2200), 7).point(lambda v: 255 if v > 128 else 0).convert("1")
    return _encode(page, "TIFF", compression="group4", save_all=True, append_images=[page])


def _heic() -> bytes:
    from pillow_heif import from_pillow

    buffer = io.BytesIO()
    from_pillow(_page((900, 1300), 8).convert("RGB")).save(buffer, format="HEIF", quality=90)
    return buffer.getvalue()


SAMPLES = {
    "jpeg photo edited in Photoshop, turned by EXIF": lambda: _encode(
        _page((1200, 1700), 1).convert("RGB"), "JPEG", quality=85,
        exif=_exif(software="Adobe Photoshop 25.0", orientation=6)),
    "jpeg from a phone camera": lambda: _encode(_page((1600, 2400), 2).convert("RGB"), "JPEG",
                                                exif=_exif(make="Samsung")),
    "grey jpeg": lambda: _encode(_page((1500, 2100), 3), "JPEG"),
    "png screenshot 1080 wide": lambda: _encode(_page((1080, 2340), 4).convert("RGB"), "PNG"),
    "png screenshot 1170 wide, with alpha": lambda: _encode(_page((1170, 2532), 5).convert("RGBA"), "PNG"),
    "png screenshot 720 wide, palette": lambda: _encode(_page((720, 1600), 6).convert("RGB").convert("P"), "PNG"),
    "png of a phone's width but not a screen's shape": lambda: _encode(_page((1080, 1400), 9), "PNG"),
    "png scan 576 wide": lambda: _encode(_page((576, 1054), 10).convert("RGB"), "PNG"),
    "webp screenshot 1242 wide": lambda: _encode(_page((1242, 2688), 11).convert("RGB"), "WEBP"),
    "two-page 1-bit fax tiff": _two_page_fax,
    "heic": _heic,
    "png too small to hash": lambda: _encode(Image.new("RGB", (5, 5), "white"), "PNG"),
    "pdf": lambda: _encode(_page((300, 400), 12).convert("RGB"), "PDF"),
}


@functools.cache
def _sample(name: str) -> tuple[bytes, str]:
    data = SAMPLES[name]()
    return data, sniff_media_type(data) or ""


@functools.cache
def _traits(name: str) -> DocumentTraits:
    return document_traits(*_sample(name), CONFIG)


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_traits_are_exactly_what_the_worker_computed(name):
    assert _traits(name) == _worker_traits(*_sample(name), CONFIG)


def test_samples_cover_hashes_screenshots_and_editing_software():
    traits = {name: _traits(name) for name in SAMPLES}
    assert traits["png screenshot 1080 wide"].hints == {"screenshot"}
    assert traits["png screenshot 1170 wide, with alpha"].hints == {"screenshot"}
    assert traits["webp screenshot 1242 wide"].hints == {"screenshot"}
    assert not traits["png of a phone's width but not a screen's shape"].hints
    assert traits["jpeg photo edited in Photoshop, turned by EXIF"].exif == {"Software": "Adobe Photoshop 25.0"}
    assert traits["jpeg from a phone camera"].exif == {"Make": "Samsung"}
    assert traits["png too small to hash"].phash is None and traits["pdf"] == DocumentTraits()
    assert all(t.phash is not None for name, t in traits.items() if not name.startswith(("png too", "pdf")))


def _fake_engine(tmp_path: Path) -> ReaderConfig:
    """An engine that reads no words: the reader runs every step but costs nothing."""
    script = tmp_path / "tesseract"
    script.write_text(f"#!{sys.executable}\nimport sys\nsys.stdin.buffer.read()\nsys.stdout.write({EMPTY_TSV!r})\n")
    script.chmod(0o755)
    return ReaderConfig(tesseract_cmd=str(script), engine="cli", fallback_psm=None)


@pytest.mark.parametrize("name", ["jpeg photo edited in Photoshop, turned by EXIF", "png screenshot 1080 wide",
                                  "two-page 1-bit fax tiff", "grey jpeg"])
def test_a_reading_carries_the_traits_of_its_first_page(tmp_path, name):
    reading = read_document(_sample(name)[0], _fake_engine(tmp_path))
    assert reading.traits == _traits(name) and reading.traits.phash is not None
    assert DocumentReading.from_dict(reading.to_dict()).traits == reading.traits


def test_traits_come_back_from_the_sandboxed_reader_child(tmp_path):
    name = "png screenshot 1080 wide"
    assert read_document_forked(_sample(name)[0], _fake_engine(tmp_path)).traits == _traits(name)


def test_a_reader_that_needs_no_traits_can_skip_them(tmp_path):
    config = _fake_engine(tmp_path)
    reading = read_document(_sample("grey jpeg")[0], replace(config, image_traits=False))
    assert reading.traits == DocumentTraits() and "traits" not in reading.to_dict()


#: Peak RSS (VmHWM: unlike ru_maxrss it starts afresh at exec, not at the parent's peak) around the traits.
_MEASURE = """
import re, sys
from ocr import ReaderConfig
from ocr.traits import document_traits
peak = lambda: int(re.search(r"VmHWM:\\s+(\\d+)", open("/proc/self/status").read()).group(1)) // 1024
data = open(sys.argv[1], "rb").read()
before = peak()
traits = document_traits(data, "image/tiff", ReaderConfig())
print(peak() - before, traits.phash is not None)
"""


def test_traits_of_a_hostile_fax_tiff_decode_one_page_in_little_memory(tmp_path):
    """20 pages of 6320x6320 1-bit G4 (80 kB): decoding every page to RGB drove a worker to 3.2 GB."""
    page = Image.new("1", (6320, 6320), 1)
    draw = ImageDraw.Draw(page)
    for y in range(300, 6000, 180):
        draw.rectangle((400, y, 400 + (y * 7) % 5000, y + 60), fill=0)
    path = tmp_path / "fax.tiff"
    path.write_bytes(_encode(page, "TIFF", compression="group4", save_all=True, append_images=[page] * 19))
    del page, draw
    result = subprocess.run([sys.executable, "-c", _MEASURE, str(path)], cwd=ROOT, capture_output=True, text=True,
                            check=True, timeout=120, env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)})
    peak_mb, hashed = result.stdout.split()
    assert hashed == "True"
    assert 40 <= int(peak_mb) < 200, peak_mb  # one page is decoded (40 MB at a byte a pixel), not twenty in RGB


def test_the_hash_projections_are_the_sha256_stream_they_were_derived_from():
    stream = b"".join(hashlib.sha256(b"paragon-phash-v1:%d" % n).digest() for n in range(65))[:2048]
    signs = np.unpackbits(np.frombuffer(stream, dtype=np.uint8)).reshape(64, 256) * 2.0 - 1.0
    assert np.array_equal(phash._PROJECTIONS, signs)


def _jpeg_with_gps(gps: dict) -> bytes:
    exif = Image.Exif()
    exif[MAKE] = "Phone"
    exif[0x8825] = gps
    out = io.BytesIO()
    Image.new("RGB", (64, 48), "white").save(out, "JPEG", exif=exif)
    return out.getvalue()


@pytest.mark.parametrize("gps, place", [
    ({1: "N", 2: (52.0, 13.0, 47.2), 3: "E", 4: (21.0, 0.0, 42.4)}, "52.229778, 21.011778"),
    ({1: "S", 2: (33.0, 51.0, 0.0), 3: "W", 4: (70.0, 39.0, 0.0)}, "-33.850000, -70.650000"),
    ({1: "N", 2: (95.0, 0.0, 0.0), 3: "E", 4: (21.0, 0.0, 0.0)}, None),  # no such latitude
    ({1: "N", 3: "E", 4: (21.0, 0.0, 0.0)}, None),  # half a position
])
def test_a_photos_gps_position_is_a_trait_when_it_is_whole_and_possible(gps, place):
    from ocr.traits import GPS_TAG

    traits = document_traits(_jpeg_with_gps(gps), "image/jpeg", CONFIG)
    assert traits.exif.get(GPS_TAG) == place and traits.exif["Make"] == "Phone"
