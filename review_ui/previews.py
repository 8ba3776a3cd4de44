"""Server-side previews of uploaded documents: a clean, downscaled PNG of one page, or a placeholder — never an
error; and how many pages a document has, found without rendering any."""

from __future__ import annotations

import io
import logging
import threading
from collections import OrderedDict
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Generic, TypeVar

from PIL import Image, ImageDraw, ImageOps

if TYPE_CHECKING:
    import pypdfium2 as pdfium

MAX_SIDE = 1600
PDF_DPI = 110
PDF_MAX_RENDER_SIDE = 2400  # caps memory for absurd page sizes before the final downscale
PLACEHOLDER_FILE = Path(__file__).resolve().parent / "static" / "placeholder.png"
#: Pages shown at most: the reader's cap (ocr's ReaderConfig.max_pdf_pages; review_ui imports claims only, so the
#: number is repeated here and a test keeps the two equal). The reader refuses longer files.
MAX_PAGES = 20
#: Frames counted at most: a hostile TIFF can chain hundreds of thousands of tiny frames, and each costs a seek.
COUNT_LIMIT = 1000
#: Pixels of a TIFF frame after the first (the reader's max_pixels): Pillow checks only the first when opening.
MAX_FRAME_PIXELS = 40_000_000
#: Largest picture decoded for a preview at full size (all but JPEG, which decodes at a reduced scale): the
#: web process must not spend hundreds of MB on one page (a 40 MP 1-bit fax page took 245 MB to decode;
#: libtiff widens it on the way). Larger pages get the placeholder; the reader still reads them in its child.
MAX_DECODED_PIXELS = 16_000_000
_TIFF_MAGIC = (b"II*\x00", b"MM\x00*")  # little- and big-endian TIFF

log = logging.getLogger(__name__)
_pdfium_lock = threading.Lock()  # pdfium is not thread-safe
_heif_registered = False
V = TypeVar("V")


def render_preview(data: bytes, media_type: str | None, page: int = 1) -> bytes:
    """A PNG of page `page` (1-based: a PDF's page, a TIFF's frame), at most MAX_SIDE px, no metadata; else a
    placeholder."""
    try:
        image = _render_pdf(data, page) if _is_pdf(data, media_type) else _open_image(data, page)
        return _to_png(_downscale(image))
    except Exception:  # any undecodable or hostile file: the reviewer still gets a page
        log.info("preview failed for page %d of a %s document", page, media_type, exc_info=True)
        return placeholder_png()


def count_pages(data: bytes, media_type: str | None) -> int:
    """The pages of a file without rendering any: a PDF's page count, a TIFF's frames (up to COUNT_LIMIT), 1 for
    other images and for files that cannot be opened (their one page is the placeholder)."""
    try:
        count = _pdf_page_count(data) if _is_pdf(data, media_type) else _frame_count(data)
    except Exception:  # an undecodable or hostile file: one placeholder page
        log.info("page count failed for a %s document", media_type, exc_info=True)
        return 1
    return max(1, count)


def _pdf_page_count(data: bytes) -> int:
    import pypdfium2 as pdfium

    with _pdfium_lock:
        pdf = pdfium.PdfDocument(data)
        try:
            return len(pdf)
        finally:
            pdf.close()


def _frame_count(data: bytes) -> int:
    """Frames of a TIFF, seeking one by one up to COUNT_LIMIT; other images (a phone's MPO too) have one page."""
    if data[:4] not in _TIFF_MAGIC:
        return 1
    image = Image.open(io.BytesIO(data))
    if image.format != "TIFF":
        return 1
    count = 1
    try:
        while count < COUNT_LIMIT:
            image.seek(count)
            count += 1
    except EOFError:
        pass
    return count


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


def _open_image(data: bytes, page: int = 1) -> Image.Image:
    _register_heif()
    image = Image.open(io.BytesIO(data))
    if page > 1:
        _seek_frame(image, page)
    if image.format == "JPEG":
        image.draft("RGB", (MAX_SIDE, MAX_SIDE))  # decode at a reduced scale: far less memory and time
    elif image.size[0] * image.size[1] > MAX_DECODED_PIXELS:
        raise Image.DecompressionBombError(f"a {image.size[0]}x{image.size[1]} page is not decoded for a preview")
    image.load()
    image = _reduce(image)  # before any copy or conversion: a 40 MP fax page is 40 MB as decoded
    ImageOps.exif_transpose(image, in_place=True)
    return image


def _reduce(image: Image.Image) -> Image.Image:
    """Shrink by a whole factor to at most twice MAX_SIDE, in the image's own bands (1-bit goes to grey first,
    a byte a pixel, as Pillow holds it anyway), so no full-size RGB copy is ever made."""
    factor = max(image.size) // (2 * MAX_SIDE)
    if factor < 2:
        return image
    if image.mode in ("1", "P"):
        image = image.convert("L" if image.mode == "1" else "RGBA")
    return image.reduce(factor) if image.mode in ("L", "LA", "RGB", "RGBA") else image


def _seek_frame(image: Image.Image, page: int) -> None:
    """Move a TIFF to frame `page` (1-based) and check its size before anything is decoded."""
    if image.format != "TIFF":
        raise ValueError(f"a {image.format} image has one page")
    image.seek(page - 1)
    width, height = image.size
    if width * height > MAX_FRAME_PIXELS:
        raise Image.DecompressionBombError(f"frame {page} has {width}x{height} pixels")


def _render_pdf(data: bytes, page: int = 1) -> Image.Image:
    import pypdfium2 as pdfium

    with _pdfium_lock:
        pdf = pdfium.PdfDocument(data)
        try:
            if not 1 <= page <= len(pdf):
                raise IndexError(f"the PDF has no page {page}")
            return _render_pdf_page(pdf[page - 1])
        finally:
            pdf.close()


def _render_pdf_page(page: pdfium.PdfPage) -> Image.Image:
    """One page at PDF_DPI, its longer side at most PDF_MAX_RENDER_SIDE px (caller holds the pdfium lock)."""
    try:
        width, height = page.get_size()
        scale = min(PDF_DPI / 72, PDF_MAX_RENDER_SIDE / max(width, height, 1))
        bitmap = page.render(scale=scale)
        try:
            return bitmap.to_pil().copy()
        finally:
            bitmap.close()
    finally:
        page.close()


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


class LruCache(Generic[V]):
    """A small in-process, thread-safe LRU (what it keeps is derived from a file and never changes)."""

    def __init__(self, max_items: int = 32) -> None:
        self.max_items = max_items
        self._items: OrderedDict[str, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> V | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: str, value: V) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.max_items:
                self._items.popitem(last=False)


class PreviewCache(LruCache[bytes]):
    """Rendered previews keyed by the file's sha256 and the page (`preview_key`)."""


class PageCountCache(LruCache[int]):
    """Page counts of files that have no stored reading, keyed by the file's sha256."""

    def __init__(self, max_items: int = 1024) -> None:
        super().__init__(max_items)


def preview_key(sha256: str, page: int) -> str:
    """The cache key of one page's preview."""
    return f"{sha256}:{page}"
