"""A 64-bit perceptual hash of a photographed document, robust to re-photographing (numpy only).

Plain dHash/pHash of the whole photo mostly hashes the table, the shadow and the paper's outline, so two
photos of one receipt differ as much as photos of two receipts (measured: see bench/verification_duplicates).
This hash first puts the paper in a fixed frame, then hashes the ink:
1. downscale (area mean) to <= 512 px; Otsu threshold separates bright paper from the background;
2. the paper's principal axes give its orientation, the extreme points along the diagonals its four corners;
   a homography maps the corners to a square (rotation, scale and keystone removed) -> 384 x 384 sample;
3. ink = how much darker each pixel is than the paper around it (local max background), so shadows and
   uneven light drop out; binarised at 0.3;
4. ink density on a 16 x 16 grid, centred, projected on 64 fixed +-1 directions (SimHash): bit i is the
   sign of the i-th projection. Hamming distance then tracks the angle between the two ink layouts.
Tried and measured worse on the same photos: dHash and DCT pHash of the whole photo, and of the rectified
ink map, and median-thresholded ink grids (16x4, 8x8, 32x2).

The reader computes it (`ocr.traits`, inside the sandboxed child that decodes the upload); the rules compare
hashes as plain integers (`verification.duplicates`: Hamming distance, bands).
"""

from __future__ import annotations

import hashlib

import numpy as np

#: Stored hashes are comparable only within one version; bump it when the algorithm changes.
PHASH_VERSION = 1
SIDE = 512
SAMPLE = 384
GRID = 16
INK_THRESHOLD = 0.3


def _sign_matrix(rows: int, cols: int) -> np.ndarray:
    """Fixed +-1 projections from SHA-256 (not an RNG: its stream must never change between releases)."""
    needed = rows * cols // 8
    stream = b"".join(hashlib.sha256(b"paragon-phash-v1:%d" % n).digest() for n in range(needed // 32 + 1))
    bits = np.unpackbits(np.frombuffer(stream[:needed], dtype=np.uint8))
    return (bits.reshape(rows, cols).astype(np.float64) * 2.0) - 1.0


_PROJECTIONS = _sign_matrix(64, GRID * GRID)


def perceptual_hash(gray: np.ndarray) -> int:
    """64-bit hash of a greyscale photo or scan (2-D array, 0..255 or 0..1)."""
    image = _as_float(gray)
    ink = _ink(_rectify(_downscale(image, SIDE)))
    cells = _area_resize((ink > INK_THRESHOLD).astype(np.float64), GRID, GRID).ravel()
    bits = _PROJECTIONS @ (cells - cells.mean()) > 0
    return int(sum(1 << i for i, bit in enumerate(bits) if bit))


def _as_float(gray: np.ndarray) -> np.ndarray:
    image = np.asarray(gray, dtype=np.float64)
    if image.ndim == 3:
        image = image.mean(axis=2)
    if image.ndim != 2 or min(image.shape) < 8:
        raise ValueError("perceptual_hash needs a 2-D greyscale image of at least 8 x 8 pixels")
    return image * 255.0 if image.max() <= 1.0 else image


def _downscale(image: np.ndarray, side: int) -> np.ndarray:
    factor = max(1, int(np.ceil(max(image.shape) / side)))
    h, w = image.shape[0] // factor, image.shape[1] // factor
    return image[: h * factor, : w * factor].reshape(h, factor, w, factor).mean(axis=(1, 3))


def _otsu(image: np.ndarray) -> float:
    hist, edges = np.histogram(image, bins=64, range=(0, 256))
    p = hist / max(hist.sum(), 1)
    centres = (edges[:-1] + edges[1:]) / 2
    w0, mu = np.cumsum(p), np.cumsum(p * centres)
    with np.errstate(divide="ignore", invalid="ignore"):
        between = np.nan_to_num((mu[-1] * w0 - mu) ** 2 / (w0 * (1 - w0)))
    return float(centres[int(np.argmax(between))])


def _corners(image: np.ndarray) -> np.ndarray:
    """Paper corners (top-left, top-right, bottom-right, bottom-left) in image coordinates."""
    ys, xs = np.nonzero(image > _otsu(image))
    h, w = image.shape
    if len(xs) < 0.05 * image.size:
        return np.array([[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]], dtype=np.float64)
    points = np.stack([xs, ys], axis=1).astype(np.float64)
    centre = points.mean(axis=0)
    values, vectors = np.linalg.eigh(np.cov((points - centre).T))
    down = vectors[:, 1] if values[1] > 1.15 * values[0] else np.array([0.0, 1.0])
    if abs(down[1]) < abs(down[0]):
        down = np.array([-down[1], down[0]])
    down = down if down[1] >= 0 else -down
    right = np.array([down[1], -down[0]])
    right = right if right[0] >= 0 else -right
    u, v = (points - centre) @ right, (points - centre) @ down
    k = max(1, len(points) // 2000)
    corners = []
    for su, sv in ((-1, -1), (1, -1), (1, 1), (-1, 1)):
        extreme = np.argpartition(su * u + sv * v, -k)[-k:]
        corners.append(points[extreme].mean(axis=0))
    return np.array(corners)


def _homography(src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    rows, rhs = [], []
    for (x, y), (px, py) in zip(src, dst, strict=True):
        rows += [[x, y, 1, 0, 0, 0, -px * x, -px * y], [0, 0, 0, x, y, 1, -py * x, -py * y]]
        rhs += [px, py]
    solution = np.linalg.lstsq(np.array(rows), np.array(rhs), rcond=None)[0]
    return np.append(solution, 1.0).reshape(3, 3)


def _rectify(image: np.ndarray) -> np.ndarray:
    """The paper resampled (bilinear) onto a SAMPLE x SAMPLE square."""
    unit = np.array([[0, 0], [1, 0], [1, 1], [0, 1]], dtype=np.float64)
    matrix = _homography(unit, _corners(image))
    t = np.linspace(0.01, 0.99, SAMPLE)
    u, v = np.meshgrid(t, t)
    projected = matrix @ np.stack([u.ravel(), v.ravel(), np.ones(u.size)])
    x = np.clip(projected[0] / projected[2], 0, image.shape[1] - 1.001).reshape(SAMPLE, SAMPLE)
    y = np.clip(projected[1] / projected[2], 0, image.shape[0] - 1.001).reshape(SAMPLE, SAMPLE)
    x0, y0 = x.astype(int), y.astype(int)
    fx, fy = x - x0, y - y0
    return (image[y0, x0] * (1 - fx) * (1 - fy) + image[y0, x0 + 1] * fx * (1 - fy)
            + image[y0 + 1, x0] * (1 - fx) * fy + image[y0 + 1, x0 + 1] * fx * fy)


def _ink(sample: np.ndarray, cell: int = 16) -> np.ndarray:
    """0..1: how much darker than the local paper (block maximum) each pixel is."""
    n = sample.shape[0] // cell
    background = sample[: n * cell, : n * cell].reshape(n, cell, n, cell).max(axis=(1, 3))
    background = np.repeat(np.repeat(background, cell, axis=0), cell, axis=1)
    return np.clip((background - sample[: n * cell, : n * cell]) / np.maximum(background, 1.0), 0.0, 1.0)


def _area_resize(image: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """Exact area-average resize (integral image), no aliasing from point sampling."""
    integral = np.zeros((image.shape[0] + 1, image.shape[1] + 1))
    integral[1:, 1:] = image.cumsum(axis=0).cumsum(axis=1)
    ys = np.linspace(0, image.shape[0], rows + 1).round().astype(int)
    xs = np.linspace(0, image.shape[1], cols + 1).round().astype(int)
    total = (integral[np.ix_(ys[1:], xs[1:])] - integral[np.ix_(ys[:-1], xs[1:])]
             - integral[np.ix_(ys[1:], xs[:-1])] + integral[np.ix_(ys[:-1], xs[:-1])])
    return total / np.maximum(np.outer(np.diff(ys), np.diff(xs)), 1)
