"""Safe image decoding: formats, EXIF orientation, pixel caps, truncation, transparency."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image

from ocr.config import ReaderConfig
from ocr.errors import CorruptFileError, FileTooLargeError, UnsupportedFileError
from ocr.images import image_array, load_image, load_images, page_grey

CONFIG = ReaderConfig()


def _encode(image: Image.Image, fmt: str, **params: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **params)
    return buffer.getvalue()


def _png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header declares a huge size (a decompression bomb)."""
    data = bytearray(_encode(Image.new("L", (4, 4), 255), "PNG"))
    ihdr = bytearray(data[16:29])
    ihdr[0:8] = struct.pack(">II", width, height)
    data[16:29] = ihdr
    data[29:33] = struct.pack(">I", zlib.crc32(b"IHDR" + bytes(ihdr)))
    return bytes(data)


def test_exif_orientation_is_applied():
    image = Image.new("RGB", (40, 20), "white")
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    loaded = load_image(_encode(image, "JPEG", exif=exif), "image/jpeg", CONFIG)
    assert loaded.size == (20, 40) and loaded.mode == "RGB"


@pytest.mark.parametrize(
    ("fmt", "media_type"),
    [("PNG", "image/png"), ("WEBP", "image/webp"), ("AVIF", "image/avif"), ("TIFF", "image/tiff")],
)
def test_formats_decode(fmt, media_type):
    assert load_image(_encode(Image.new("RGB", (32, 24), "white"), fmt), media_type, CONFIG).size == (32, 24)


def test_heic_decodes_through_lazily_registered_opener():
    from pillow_heif import from_pillow

    buffer = io.BytesIO()
    from_pillow(Image.new("RGB", (64, 48), "white")).save(buffer, format="HEIF")
    assert load_image(buffer.getvalue(), "image/heic", CONFIG).size == (64, 48)


def test_transparent_png_is_put_on_white():
    image = Image.new("RGBA", (10, 10), (0, 0, 0, 0))
    loaded = load_image(_encode(image, "PNG"), "image/png", CONFIG)
    assert loaded.getpixel((5, 5)) == (255, 255, 255)


def test_sixteen_bit_greyscale():
    image = Image.new("I;16", (10, 10), 40000)
    assert load_image(_encode(image, "PNG"), "image/png", CONFIG).mode == "RGB"


def test_pixel_cap_is_checked_before_decoding():
    with pytest.raises(FileTooLargeError):
        load_image(_png_claiming(8000, 6000), "image/png", CONFIG)


def test_pillow_bomb_guard_maps_to_too_large():
    with pytest.raises(FileTooLargeError):
        load_image(_png_claiming(30000, 30000), "image/png", ReaderConfig(max_pixels=10**12))


def test_truncated_file_is_corrupt():
    data = _encode(Image.effect_noise((200, 200), 50).convert("RGB"), "JPEG")
    with pytest.raises(CorruptFileError):
        load_image(data[: len(data) // 2], "image/jpeg", CONFIG)


def test_mislabelled_bytes_are_corrupt():
    with pytest.raises(CorruptFileError):
        load_image(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "image/png", CONFIG)


def test_unknown_media_type_is_unsupported():
    with pytest.raises(UnsupportedFileError):
        load_image(b"GIF89a", "image/gif", CONFIG)


def test_multipage_tiff():
    frames = [Image.new("RGB", (20, 10), c) for c in ("white", "black", "red")]
    buffer = io.BytesIO()
    frames[0].save(buffer, format="TIFF", save_all=True, append_images=frames[1:])
    assert [im.getpixel((0, 0)) for im in load_images(buffer.getvalue(), "image/tiff", CONFIG)] == [
        (255, 255, 255),
        (0, 0, 0),
        (255, 0, 0),
    ]
    with pytest.raises(FileTooLargeError):
        load_images(buffer.getvalue(), "image/tiff", ReaderConfig(max_pdf_pages=2))


def test_preview_of_a_large_jpeg_is_decoded_at_reduced_size():
    from ocr.images import load_preview

    photo = _encode(Image.effect_noise((4000, 3000), 40).convert("RGB"), "JPEG", quality=80)
    preview, scale = load_preview(photo, "image/jpeg", CONFIG, max_side=1000)
    assert max(preview.size) <= 1000 and preview.mode == "RGB"
    assert abs(scale - 4000 / max(preview.size)) < 1e-9 and scale >= 4


def test_preview_of_other_formats_is_reduced_and_small_images_are_kept():
    from ocr.images import load_preview

    preview, scale = load_preview(_encode(Image.new("L", (2500, 1200), 200), "PNG"), "image/png", CONFIG, 1000)
    assert preview.size == (1000, 480) and scale == 2.5
    small, one = load_preview(_encode(Image.new("RGB", (300, 200), "white"), "WEBP"), "image/webp", CONFIG, 1000)
    assert small.size == (300, 200) and one == 1.0


def test_preview_honours_exif_orientation_and_limits():
    from ocr.images import load_preview

    exif = Image.Exif()
    exif[0x0112] = 6
    rotated = _encode(Image.new("RGB", (2000, 1000), "white"), "JPEG", exif=exif)
    assert (
        load_preview(rotated, "image/jpeg", CONFIG, 1000)[0].size[1]
        > load_preview(rotated, "image/jpeg", CONFIG, 1000)[0].size[0]
    )
    with pytest.raises(FileTooLargeError):
        load_preview(_png_claiming(30000, 30000), "image/png", CONFIG)
    frames = [Image.new("1", (8, 8), 1) for _ in range(25)]
    buffer = io.BytesIO()
    frames[0].save(buffer, format="TIFF", save_all=True, append_images=frames[1:])
    with pytest.raises(FileTooLargeError):
        load_preview(buffer.getvalue(), "image/tiff", CONFIG)


@pytest.mark.parametrize("mode", ["RGB", "L", "RGBA", "P", "1", "I;16"])
def test_image_array_is_numpy_asarray(mode: str) -> None:
    """The one-buffer copy of a decoded image gives the very array `numpy.asarray` gives, read-only like it."""
    import numpy as np

    rng = np.random.default_rng(3)
    image = Image.fromarray(rng.integers(0, 256, (37, 53, 3), dtype=np.uint8)).convert(mode)
    array = image_array(image)
    expected = np.asarray(image)
    assert array.dtype == expected.dtype and array.shape == expected.shape
    assert np.array_equal(array, expected)
    assert not array.flags.writeable


def test_image_array_of_a_decoded_photo() -> None:
    import numpy as np

    rng = np.random.default_rng(4)
    photo = Image.fromarray(rng.integers(0, 256, (301, 203, 3), dtype=np.uint8))
    image = load_image(_encode(photo, "JPEG", quality=80), "image/jpeg", CONFIG)
    assert np.array_equal(image_array(image), np.asarray(image))


@pytest.mark.parametrize("size", [(1, 1), (7, 3), (53, 37), (1200, 5)])
@pytest.mark.parametrize("chunk", [1, 1000, 1 << 20])
def test_page_grey_is_the_grey_of_the_whole_rgb_copy(monkeypatch, size: tuple[int, int], chunk: int) -> None:
    """Greying an RGB page a few rows at a time gives the grey of its whole RGB copy, pixel for pixel."""
    import cv2
    import numpy as np

    import ocr.images

    monkeypatch.setattr(ocr.images, "_GREY_CHUNK", chunk)
    rng = np.random.default_rng(size[0] * 7 + chunk)
    image = Image.fromarray(rng.integers(0, 256, (size[1], size[0], 3), dtype=np.uint8))
    grey = page_grey(image)
    assert grey.dtype == np.uint8 and grey.shape == (size[1], size[0])
    assert np.array_equal(grey, cv2.cvtColor(np.asarray(image), cv2.COLOR_RGB2GRAY))


@pytest.mark.parametrize("mode", ["L", "RGBA", "P"])
def test_page_grey_of_other_modes(mode: str) -> None:
    import numpy as np

    from ocr.preprocess import to_grayscale

    rng = np.random.default_rng(9)
    image = Image.fromarray(rng.integers(0, 256, (31, 45, 3), dtype=np.uint8)).convert(mode)
    expected = to_grayscale(np.asarray(image)) if mode != "RGBA" else to_grayscale(np.asarray(image)[..., :3])
    assert np.array_equal(page_grey(image), expected)


def _colour_photo(size: tuple[int, int] = (96, 64)) -> Image.Image:
    import numpy as np
    from PIL import ImageFilter

    # a photo's colours: smooth and unsaturated (saturated noise clips in RGB, where its grey does not)
    rng = np.random.default_rng(5)
    noise = Image.fromarray((40 + rng.random((size[1], size[0], 3)) * 175).astype("uint8"), "RGB")
    return noise.filter(ImageFilter.GaussianBlur(2))


def test_a_colour_jpeg_read_for_its_grey_comes_from_the_decoder_within_a_grey_level():
    import numpy as np

    data = _encode(_colour_photo(), "JPEG", quality=90)
    grey = load_image(data, "image/jpeg", CONFIG, grey=True)
    colour = load_image(data, "image/jpeg", CONFIG)
    assert grey.mode == "L" and colour.mode == "RGB" and grey.size == colour.size
    difference = np.abs(page_grey(grey).astype(int) - page_grey(colour).astype(int))
    assert difference.max() <= 1 and difference.mean() < 0.5


def test_a_grey_read_keeps_exif_orientation_and_leaves_other_formats_alone():
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    turned = load_image(_encode(_colour_photo((40, 20)), "JPEG", exif=exif), "image/jpeg", CONFIG, grey=True)
    assert turned.size == (20, 40) and turned.mode == "L"
    png = load_images(_encode(_colour_photo(), "PNG"), "image/png", CONFIG, grey=True)
    assert [page.mode for page in png] == ["RGB"]
    grey_png = load_image(_encode(Image.new("L", (8, 8), 200), "PNG"), "image/png", CONFIG, grey=True)
    assert grey_png.mode == "L"
