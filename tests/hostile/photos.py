"""Receipt photos with one known defect each, for the upload quality gate's tests and benchmark.

Every photo starts as a generated receipt (`fixtures.render`) photographed on a table by
`degrade_photo`; the defect is then applied to that photo. `scale` is the receipt's print scale
(1.0: characters ~22 px tall in the photo).
"""

from __future__ import annotations

import random
from collections.abc import Callable

import cv2
import numpy as np

from fixtures.camera import degrade_photo
from fixtures.documents import make_receipt
from fixtures.render import render_receipt_png

TEXT_PX = 22  # character height of a receipt rendered at scale 1.0


def _decode(data: bytes) -> np.ndarray:
    """JPEG/PNG bytes to a BGR float32 image in 0..1."""
    return cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR).astype(np.float32) / 255.0


def _encode(photo: np.ndarray, quality: int = 88) -> bytes:
    """A BGR float image in 0..1 to JPEG bytes."""
    ok, buffer = cv2.imencode(
        ".jpg", np.clip(photo * 255 + 0.5, 0, 255).astype(np.uint8), [cv2.IMWRITE_JPEG_QUALITY, quality]
    )
    assert ok
    return buffer.tobytes()


def readable_photo(seed: int, scale: float = 1.0, **damage: float) -> bytes:
    """An ordinary, readable phone photo: slight rotation, keystone, blur, shadow, noise and wrinkles."""
    rng = random.Random(seed)
    params: dict[str, float] = {
        "rotation_deg": rng.uniform(-6, 6),
        "perspective": rng.uniform(0, 0.06),
        "blur": 0.5 * scale,
        "shadow": rng.uniform(0, 0.35),
        "noise": rng.uniform(0.003, 0.015),
        "crumple": rng.uniform(0, 0.3),
    }
    params.update(damage)
    png = render_receipt_png(make_receipt(seed), dpi_scale=scale)
    return degrade_photo(png, seed, jpeg_quality=85, **params)  # type: ignore[arg-type]


def blurry_photo(seed: int, scale: float = 1.0, strength: float = 0.2) -> bytes:
    """Out of focus: Gaussian blur with sigma = `strength` x the character height."""
    return readable_photo(seed, scale, blur=strength * TEXT_PX * scale)


def shaken_photo(seed: int, scale: float = 1.0, strength: float = 0.5) -> bytes:
    """Motion blur along a random direction, `strength` x the character height long."""
    photo = _decode(readable_photo(seed, scale))
    length = max(3, int(strength * TEXT_PX * scale)) | 1
    kernel = np.zeros((length, length), np.float32)
    kernel[length // 2, :] = 1.0
    turn = cv2.getRotationMatrix2D((length / 2 - 0.5, length / 2 - 0.5), random.Random(seed).uniform(0, 180), 1)
    kernel = cv2.warpAffine(kernel, turn, (length, length))
    return _encode(cv2.filter2D(photo, -1, kernel / kernel.sum()))


def dark_photo(seed: int, scale: float = 1.0, gain: float = 0.12) -> bytes:
    """Shot in the dark: everything scaled by `gain`, with the sensor noise of a high ISO."""
    photo = _decode(readable_photo(seed, scale)) * gain
    noise = np.random.default_rng(seed).normal(0, 0.012, photo.shape[:2]).astype(np.float32)
    return _encode(photo + noise[..., None])


def overexposed_photo(seed: int, scale: float = 1.0, gain: float = 3.0, lift: float = 0.25) -> bytes:
    """Blown out: brightness multiplied by `gain` and lifted by `lift` (veiling flare), so paper and print
    wash out together."""
    photo = _decode(readable_photo(seed, scale))
    return _encode(np.clip(photo * gain + lift, 0, 1))


def glare_photo(seed: int, scale: float = 1.0, size: float = 0.5) -> bytes:
    """A reflection of a lamp: a washed-out blob `size` x the receipt width across, over the printed text.

    The blob has a flat, saturated core and a short soft edge; the rest of the paper keeps its exposure.
    """
    photo = _decode(readable_photo(seed, scale, shadow=0.0))
    h, w = photo.shape[:2]
    rng = random.Random(seed)
    centre = (w * rng.uniform(0.35, 0.5), h * rng.uniform(0.3, 0.6))
    radius = size * w / 1.35 / 2
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    dist = np.hypot(xs - centre[0], (ys - centre[1]) * 0.8) / radius
    light = 1.6 * np.exp(-(dist**4))
    return _encode(np.clip(photo + light[..., None], 0, 1))


def small_photo(seed: int, fraction: float = 0.12, frame: tuple[int, int] = (1600, 1200)) -> bytes:
    """Taken from far away: the receipt photo shrunk to `fraction` of the frame height on a wide table."""
    photo = _decode(readable_photo(seed, 1.0, shadow=0.0))
    height = max(8, int(frame[0] * fraction))
    width = max(4, int(photo.shape[1] * height / photo.shape[0]))
    small = cv2.resize(photo, (width, height), interpolation=cv2.INTER_AREA)
    table = cv2.resize(photo[:8, :8], (frame[1], frame[0]), interpolation=cv2.INTER_LINEAR)
    y, x = (frame[0] - height) // 2, (frame[1] - width) // 2
    table[y : y + height, x : x + width] = small
    return _encode(table)


def low_resolution_photo(seed: int, text_px: float = 5.0) -> bytes:
    """A whole-receipt photo so small that characters are `text_px` pixels tall."""
    photo = _decode(readable_photo(seed, 1.0))
    factor = text_px / TEXT_PX
    size = (max(8, int(photo.shape[1] * factor)), max(8, int(photo.shape[0] * factor)))
    return _encode(cv2.resize(photo, size, interpolation=cv2.INTER_AREA), 92)


def cut_off_photo(seed: int, scale: float = 1.0, keep: float = 0.6) -> bytes:
    """Too close: only the middle `keep` of the receipt's width and the top half of its length in frame."""
    photo = _decode(readable_photo(seed, scale, rotation_deg=random.Random(seed).uniform(-2, 2)))
    h, w = photo.shape[:2]
    paper_w = w / 1.35
    x0 = int(w / 2 - keep * paper_w / 2)
    return _encode(photo[int(h * 0.08) : int(h * 0.55), x0 : int(x0 + keep * paper_w)])


def _blank_sheet_png(width: int = 576, height: int = 800) -> bytes:
    """A white sheet with nothing printed on it."""
    ok, buffer = cv2.imencode(".png", np.full((height, width), 255, np.uint8))
    assert ok
    return buffer.tobytes()


def no_document_photo(seed: int, kind: str = "table") -> bytes:
    """Something that is not a document: a bare `table`, a drawn `cat`, or a `blank` sheet of paper."""
    if kind == "cat":
        return _encode(_cat(np.random.default_rng(seed)))
    photo = _decode(degrade_photo(_blank_sheet_png(), seed, shadow=0.2, noise=0.01))
    if kind == "table":  # a corner of the table, enlarged to a full frame
        photo = cv2.resize(photo[:60, :80], (1200, 900), interpolation=cv2.INTER_CUBIC)
    return _encode(photo)


def _cat(rng: np.random.Generator) -> np.ndarray:
    """A cartoon cat (head, ears, eyes, whiskers) on a carpet."""
    image = np.full((900, 1200, 3), (0.35, 0.45, 0.55), np.float32)
    image += rng.normal(0, 0.02, image.shape[:2]).astype(np.float32)[..., None]
    fur = (0.25, 0.55, 0.85)
    cv2.circle(image, (600, 480), 230, fur, -1)
    for ear in ([[420, 350], [470, 130], [560, 270]], [[780, 350], [730, 130], [640, 270]]):
        cv2.fillPoly(image, [np.array(ear, np.int32)], fur)
    for x in (520, 680):
        cv2.ellipse(image, (x, 440), (35, 50), 0, 0, 360, (0.2, 0.7, 0.3), -1)
        cv2.ellipse(image, (x, 440), (10, 40), 0, 0, 360, (0, 0, 0), -1)
    for dy in (-20, 0, 20):
        cv2.line(image, (420, 560 + dy), (560, 570), (0.1, 0.1, 0.1), 3)
        cv2.line(image, (780, 560 + dy), (640, 570), (0.1, 0.1, 0.1), 3)
    return image


def gate_cases() -> dict[str, tuple[str | None, Callable[[int, float], bytes]]]:
    """Gate cases: name -> (the problem expected, or None for a readable photo; maker(seed, scale))."""
    h = TEXT_PX
    return {
        "ordinary photo": (None, lambda s, c: readable_photo(s, c)),
        "slight blur, sigma 0.07 h": (None, lambda s, c: readable_photo(s, c, blur=0.07 * h * c)),
        "hard shadow and wrinkles": (None, lambda s, c: readable_photo(s, c, blur=0.0, crumple=0.6, shadow=0.6)),
        "dim, gain 0.3": (None, lambda s, c: dark_photo(s, c, gain=0.3)),
        "bright, gain 2": (None, lambda s, c: overexposed_photo(s, c, gain=2.0)),
        "small glare, 0.3 w": (None, lambda s, c: glare_photo(s, c, size=0.3)),
        "far, 35% of frame": (None, lambda s, c: small_photo(s, fraction=0.35)),
        "low resolution, 11 px text": (None, lambda s, c: low_resolution_photo(s, text_px=11)),
        "blur, sigma 0.15 h": ("too_blurry", lambda s, c: blurry_photo(s, c, strength=0.15)),
        "blur, sigma 0.25 h": ("too_blurry", lambda s, c: blurry_photo(s, c, strength=0.25)),
        "motion blur, 0.8 h": ("too_blurry", lambda s, c: shaken_photo(s, c, strength=0.8)),
        "motion blur, 0.4 h (borderline)": ("too_blurry", lambda s, c: shaken_photo(s, c, strength=0.4)),
        "dark, gain 0.12": ("too_dark", lambda s, c: dark_photo(s, c, gain=0.12)),
        "washed out, gain 3 + flare 0.6": ("overexposed", lambda s, c: overexposed_photo(s, c, 3.0, 0.6)),
        "overexposed, gain 6 (borderline)": ("overexposed", lambda s, c: overexposed_photo(s, c, gain=6.0)),
        "glare, 0.8 w": ("glare", lambda s, c: glare_photo(s, c, size=0.8)),
        "far, 10% of frame": ("too_small", lambda s, c: small_photo(s, fraction=0.1)),
        "low resolution, 5 px text": ("too_small", lambda s, c: low_resolution_photo(s, text_px=5)),
        "cut off": ("cut_off", lambda s, c: cut_off_photo(s, c)),
        "no document": ("no_document", lambda s, c: no_document_photo(s, ("table", "cat", "blank")[s % 3])),
    }
