"""Decode uploaded images safely: format whitelist, pixel cap before decoding, EXIF orientation."""

from __future__ import annotations

import io
import math
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

import cv2
import numpy as np
from PIL import ExifTags, Image, ImageOps, ImageSequence, UnidentifiedImageError

from ocr.config import ReaderConfig
from ocr.errors import CorruptFileError, FileTooLargeError, UnsupportedFileError
from ocr.preprocess import to_grayscale
from ocr.sniff import AVIF, HEIC, JPEG, PNG, TIFF, WEBP

_PIL_FORMATS: dict[str, tuple[str, ...]] = {
    JPEG: ("JPEG", "MPO"),
    PNG: ("PNG",),
    WEBP: ("WEBP",),
    HEIC: ("HEIF",),
    AVIF: ("AVIF", "HEIF"),
    TIFF: ("TIFF",),
}
#: EXIF orientations that turn or mirror the image (1 and unknown values leave it as it is).
_TRANSPOSED = frozenset(range(2, 9))
_heif_lock = threading.Lock()
_heif_registered = False


def _ensure_heif_opener() -> None:
    """Register the pillow-heif opener once, on first need (never at import time)."""
    global _heif_registered
    with _heif_lock:
        if _heif_registered:
            return
        from pillow_heif import register_heif_opener

        register_heif_opener()
        _heif_registered = True


def _open_lazily(data: bytes, media_type: str) -> Image.Image:
    """Open the image header without decoding pixels, restricted to the formats the media type allows."""
    formats = _PIL_FORMATS.get(media_type)
    if formats is None:
        raise UnsupportedFileError()
    if media_type in (HEIC, AVIF):
        _ensure_heif_opener()
    Image.init()
    # Only formats this Pillow registers: Pillow 13 reads MPO through its JPEG plugin and has no MPO opener.
    known = [name for name in formats if name in Image.OPEN]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            return Image.open(io.BytesIO(data), formats=known)
    except Image.DecompressionBombError as exc:
        raise FileTooLargeError() from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
        raise CorruptFileError() from exc


def _check_size(image: Image.Image, config: ReaderConfig) -> None:
    """Reject images whose declared size is empty or above the pixel cap, before any decoding."""
    width, height = image.size
    if width <= 0 or height <= 0:
        raise CorruptFileError()
    if width * height > config.max_pixels:
        raise FileTooLargeError(
            f"The image is too large ({width}x{height} pixels). Please upload a photo under "
            f"{config.max_pixels // 1_000_000} megapixels."
        )


def _to_rgb(image: Image.Image) -> Image.Image:
    """Convert any decoded mode to 8-bit RGB, putting transparent areas on white paper."""
    if image.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        array = np.asarray(image, dtype=np.float32)
        top = float(array.max()) or 1.0
        return Image.fromarray((array * (255.0 / top)).clip(0, 255).astype(np.uint8)).convert("RGB")
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        canvas = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(canvas, rgba).convert("RGB")
    return image.convert("RGB")


@contextmanager
def _decoding() -> Iterator[None]:
    """Map decoding failures to the reader's errors (Pillow's bomb guard to too large, the rest to corrupt)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            yield
    except Image.DecompressionBombError as exc:
        raise FileTooLargeError() from exc
    except (OSError, SyntaxError, ValueError, EOFError, IndexError) as exc:
        raise CorruptFileError() from exc


def _decode_frame(image: Image.Image, copy: bool = True, keep_grey: bool = False) -> Image.Image:
    """Decode the current frame fully, honour EXIF orientation and return it as RGB (or L, with `keep_grey`).

    With `copy` the result is always a new image (a TIFF's frames are decoded into one object in turn);
    without it, an upright RGB image is returned as decoded: each copy of a 12 MP photo cost 40 ms.
    """
    with _decoding():
        image.load()
        if copy or _turned(image):
            try:
                image = ImageOps.exif_transpose(image) or image
            except (ValueError, TypeError, KeyError, SyntaxError):
                pass
        if not copy and (image.mode == "RGB" or (keep_grey and image.mode == "L")):
            return image
        return _to_rgb(image)


#: Modes whose raw bytes are one uint8 per band, as `numpy.asarray` lays them out.
_BYTE_MODES = frozenset({"RGB", "RGBA", "L"})


def image_array(image: Image.Image) -> np.ndarray:
    """Return a decoded image's pixels as a read-only uint8 array, the same as `numpy.asarray(image)`.

    `numpy.asarray` goes through `Image.tobytes`, which packs the pixels in 64 KB pieces and joins them: a second
    copy of a 12 MP photo's 45 MB (~20 ms). Asking the raw encoder for the whole image at once packs it straight
    into one buffer; any other mode, or an encoder that still answers in pieces, takes the ordinary way.
    """
    width, height = image.size
    if image.mode not in _BYTE_MODES or not width or not height:
        return np.asarray(image)
    bands = len(image.getbands())
    encoder = Image._getencoder(image.mode, "raw", image.mode)
    try:
        encoder.setimage(image.im, (0, 0, width, height))
        _, status, data = encoder.encode(max(width * height * bands, width * 4))
    finally:
        encoder.cleanup()
    if status != 1 or len(data) != width * height * bands:
        return np.asarray(image)
    shape = (height, width, bands) if bands > 1 else (height, width)
    return np.frombuffer(data, np.uint8).reshape(shape)


#: Bytes of RGB rows packed at a time by `page_grey` (small enough to stay in the processor's cache).
_GREY_CHUNK = 1 << 20


def page_grey(image: Image.Image) -> np.ndarray:
    """Return a decoded page's grey, the same as `ocr.preprocess.to_grayscale(numpy.asarray(image))`.

    An RGB image's rows are packed and greyed a megabyte at a time into the grey array: its whole RGB copy
    (45 MB of a 12 MP photo, most of its 40 ms spent touching new memory) is never made, and the grey of each
    pixel is the same `cv2.COLOR_RGB2GRAY` of its own three values. Other modes take the ordinary way.
    """
    width, height = image.size
    if image.mode != "RGB" or not width or not height:
        return to_grayscale(image_array(image))
    grey = np.empty((height, width), np.uint8)
    encoder = Image._getencoder("RGB", "raw", "RGB")
    row = 0
    try:
        encoder.setimage(image.im, (0, 0, width, height))
        status = 0
        while status == 0:
            _, status, data = encoder.encode(max(1, _GREY_CHUNK // (width * 3)) * width * 3)
            rows = len(data) // (width * 3)
            if status < 0 or row + rows > height:
                break
            chunk = np.frombuffer(data, np.uint8, rows * width * 3).reshape(rows, width, 3)
            cv2.cvtColor(chunk, cv2.COLOR_RGB2GRAY, dst=grey[row : row + rows])
            row += rows
    finally:
        encoder.cleanup()
    if status != 1 or row != height:
        return to_grayscale(np.asarray(image))
    return grey


def _grey_from_decoder(image: Image.Image) -> bool:
    """Ask a colour JPEG's decoder for its luma plane alone; tell whether it will give one (mode L).

    A JPEG stores grey (Y) beside colour (Cb, Cr): decoding Y alone skips the colour planes' upsampling and
    conversion, 20 ms for a 12 MP photo where RGB took 61 ms and its grey 9 ms more. Y is the same weighted
    sum `cv2.COLOR_RGB2GRAY` takes of the decoded colours (ITU-R 601), made before rounding them, so a pixel
    differs by at most one grey level (on a 12 MP photo: one pixel in 15,000).
    """
    if image.format not in ("JPEG", "MPO") or image.mode != "RGB":
        return False
    image.draft("L", image.size)
    return image.mode == "L"


def load_image(data: bytes, media_type: str, config: ReaderConfig, grey: bool = False) -> Image.Image:
    """Decode the first frame of an uploaded image as upright RGB.

    Args:
        data: the raw file bytes.
        media_type: the sniffed media type (one of the image types in `ocr.sniff`).
        config: limits to apply (`max_pixels`).
        grey: for callers that read only the grey: a grey image stays L, and a colour JPEG comes as its
            grey (`_grey_from_decoder`).

    Returns:
        An RGB `PIL.Image.Image` (or L, see `grey`), rotated according to its EXIF orientation.

    Raises:
        UnsupportedFileError: the media type is not a supported image type.
        FileTooLargeError: the declared size exceeds `config.max_pixels` or Pillow's bomb limit.
        CorruptFileError: the data cannot be decoded (truncated, malformed).
    """
    image = _open_lazily(data, media_type)
    _check_size(image, config)
    return _decode_frame(image, copy=False, keep_grey=grey and (image.mode == "L" or _grey_from_decoder(image)))


def _check_frames(image: Image.Image, config: ReaderConfig) -> None:
    """Reject multi-page images with more pages than `config.max_pdf_pages`."""
    frames = int(getattr(image, "n_frames", 1))
    if frames > config.max_pdf_pages:
        raise FileTooLargeError(f"The file has {frames} pages; at most {config.max_pdf_pages} are accepted.")


def load_images(data: bytes, media_type: str, config: ReaderConfig, grey: bool = False) -> list[Image.Image]:
    """Decode every frame of a multi-page TIFF (other formats: just the first frame).

    Args:
        data: the raw file bytes.
        media_type: the sniffed media type.
        config: limits to apply (`max_pixels` per frame, `max_pdf_pages` frames).
        grey: as `load_image`'s (a colour JPEG may come as its grey).

    Returns:
        A non-empty list of upright RGB images (or L, see `grey`), one per page.

    Raises:
        UnsupportedFileError: the media type is not a supported image type.
        FileTooLargeError: a frame is too large or there are more than `max_pdf_pages` frames.
        CorruptFileError: the data cannot be decoded.
    """
    if media_type != TIFF:
        return [load_image(data, media_type, config, grey)]
    image = _open_lazily(data, media_type)
    _check_frames(image, config)
    pages: list[Image.Image] = []
    try:
        for frame in ImageSequence.Iterator(image):
            _check_size(frame, config)
            pages.append(_decode_frame(frame))
    except (OSError, EOFError, ValueError) as exc:
        raise CorruptFileError() from exc
    return pages


def load_first_page(data: bytes, media_type: str, config: ReaderConfig) -> Image.Image:
    """Decode only the first page of an uploaded image, upright: L when it is grey or 1-bit, else RGB.

    The other pages of a multi-page TIFF are never decoded (their number is still checked), a grey or 1-bit
    page takes one byte a pixel instead of RGB's three (a 6320x6320 fax page: 40 MB, not 120 MB), and no
    copy is made that leaves the pixels as they are. The pixels are those `load_images` gives, or their grey.

    Raises:
        UnsupportedFileError, FileTooLargeError, CorruptFileError: as `load_images`.
    """
    image = _open_lazily(data, media_type)
    _check_size(image, config)
    if media_type == TIFF:
        _check_frames(image, config)
    with _decoding():
        image.load()
        if _turned(image):
            try:
                image = ImageOps.exif_transpose(image) or image
            except (ValueError, TypeError, KeyError, SyntaxError):
                pass
        if image.mode in ("1", "L"):
            return image.convert("L") if image.mode == "1" else image
        return image if image.mode == "RGB" else _to_rgb(image)


def _turned(image: Image.Image) -> bool:
    """Tell whether the EXIF orientation turns or mirrors the image (a malformed EXIF block does not)."""
    try:
        return image.getexif().get(ExifTags.Base.Orientation, 1) in _TRANSPOSED
    except (ValueError, TypeError, KeyError, SyntaxError):
        return False


def _draft_size(size: tuple[int, int], max_side: int) -> tuple[int, int]:
    """Return the smallest size a JPEG draft may decode to: long side >= 0.7 x `max_side`."""
    factor = 0.7 * max_side / max(size)
    return max(1, math.ceil(size[0] * factor)), max(1, math.ceil(size[1] * factor))


#: The least reduction factor the last resize of a preview does without a pre-filter (see `_shrink_preview`).
LINEAR_ENOUGH = 0.8


def _shrink_preview(image: Image.Image, max_side: int) -> Image.Image:
    """Bring the long side down to `max_side`: integer `reduce` first (cheap), then one area resize."""
    step = max(image.size) // max_side
    if step >= 2:
        image = image.reduce(step)
    if max(image.size) > max_side:
        factor = max_side / max(image.size)
        size = (max(1, round(image.width * factor)), max(1, round(image.height * factor)))
        if factor >= LINEAR_ENOUGH and image.mode in ("RGB", "L"):
            # OpenCV's bilinear without a pre-filter: a few times faster than Pillow's, and at this little
            # reduction there is next to nothing to alias (the upload request pays for this)
            return Image.fromarray(cv2.resize(np.asarray(image), size, interpolation=cv2.INTER_LINEAR))
        image = image.resize(size, Image.Resampling.BILINEAR, reducing_gap=2.0)
    return image


def load_preview(data: bytes, media_type: str, config: ReaderConfig, max_side: int = 1000) -> tuple[Image.Image, float]:
    """Decode the first frame at reduced size, cheaply, for the upload quality gate.

    JPEGs are decoded with DCT scaling (`draft`: 1/2, 1/4 or 1/8 size almost for free); other formats
    are decoded fully and reduced.

    Args:
        data: the raw file bytes.
        media_type: the sniffed media type (an image type).
        config: limits to apply (`max_pixels`, checked on the header before decoding).
        max_side: the preview's longest side in pixels (smaller images are returned as they are).

    Returns:
        (upright RGB preview, factor from preview pixels to original pixels (>= 1)).

    Raises:
        UnsupportedFileError, FileTooLargeError, CorruptFileError: as `load_image`.
    """
    image = _open_lazily(data, media_type)
    _check_size(image, config)
    _check_frames(image, config)
    full_side = max(image.size)
    if image.format in ("JPEG", "MPO") and full_side > max_side:
        image.draft("RGB", _draft_size(image.size, max_side))
    preview = _shrink_preview(_decode_frame(image), max_side)
    return preview, full_side / max(preview.size)
