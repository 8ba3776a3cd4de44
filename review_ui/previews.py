"""Server-side previews of uploaded documents: a clean, downscaled PNG, or a placeholder — never an error."""

from __future__ import annotations

import io
import logging
import threading
from collections import OrderedDict
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageOps

MAX_SIDE = 1600
PDF_DPI = 110
PDF_MAX_RENDER_SIDE = 2400  # caps memory for absurd page sizes before the final downscale
PLACEHOLDER_FILE = Path(__file__).resolve().parent / "static" / "placeholder.png"

log = logging.getLogger(__name__)
_pdfium_lock = threading.Lock()  # pdfium is not thread-safe
_heif_registered = False


def render_preview(data: bytes, media_type: str | None) -> bytes:
    """A PNG of the document (a PDF's first page), at most MAX_SIDE px, no metadata; else a placeholder."""
    try:
        image = _render_pdf(data) if _is_pdf(data, media_type) else _open_image(data)
        return _to_png(_downscale(image))
    except Exception:  # any undecodable or hostile file: the reviewer still gets a page
        log.info("preview failed for a %s document", media_type, exc_info=True)
        return placeholder_png()


def _is_pdf(data: bytes, media_type: str | None) -> bool:
    return media_type == "application/pdf" or b"%PDF-" in data[:1024]


def _register_heif() -> None:
    global _heif_registered
    if not _heif_registered:
        try:
            from pillow_heif import register_heif_opener

            register_heif_opener()
        except ImportError:  # HEIC previews become placeholders
            log.warning("pillow_heif is not installed: HEIC previews are unavailable")
        _heif_registered = True


def _open_image(data: bytes) -> Image.Image:
    _register_heif()
    image = Image.open(io.BytesIO(data))
    if image.format == "JPEG":
        image.draft("RGB", (MAX_SIDE, MAX_SIDE))  # decode at a reduced scale: far less memory and time
    image = ImageOps.exif_transpose(image) or image
    image.load()
    return image


def _render_pdf(data: bytes) -> Image.Image:
    import pypdfium2 as pdfium

    with _pdfium_lock:
        pdf = pdfium.PdfDocument(data)
        try:
            page = pdf[0]
            width, height = page.get_size()
            scale = min(PDF_DPI / 72, PDF_MAX_RENDER_SIDE / max(width, height, 1))
            bitmap = page.render(scale=scale)
            image = bitmap.to_pil().copy()
            bitmap.close()
            page.close()
        finally:
            pdf.close()
    return image


def _downscale(image: Image.Image) -> Image.Image:
    if image.mode not in ("RGB", "RGBA", "L", "LA"):
        image = image.convert("RGBA" if "A" in image.getbands() or "transparency" in image.info else "RGB")
    image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    return image


def _to_png(image: Image.Image) -> bytes:
    # A fresh image carries no EXIF, ICC, text chunks or GPS: only pixels leave the server.
    clean = Image.new(image.mode, image.size)
    clean.paste(image)
    out = io.BytesIO()
    clean.save(out, format="PNG", optimize=False, compress_level=6)
    return out.getvalue()


@lru_cache(maxsize=1)
def placeholder_png() -> bytes:
    """A grey PNG saying 'podgląd niedostępny' (a shipped file: Pillow's own font lacks ą and ę)."""
    try:
        return PLACEHOLDER_FILE.read_bytes()
    except OSError:
        return _drawn_placeholder()


def _drawn_placeholder() -> bytes:
    image = Image.new("RGB", (480, 320), (236, 238, 241))
    draw = ImageDraw.Draw(image)
    draw.rectangle((8, 8, image.width - 9, image.height - 9), outline=(160, 166, 175), width=2)
    draw.text((150, 150), "podglad niedostepny", fill=(80, 86, 96))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


class PreviewCache:
    """A small in-process LRU of rendered previews keyed by the file's sha256 (previews never change)."""

    def __init__(self, max_items: int = 32) -> None:
        self.max_items = max_items
        self._items: OrderedDict[str, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: str, value: bytes) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.max_items:
                self._items.popitem(last=False)
