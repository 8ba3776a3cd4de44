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

import base64

import numpy as np

#: Stored hashes are comparable only within one version; bump it when the algorithm changes.
PHASH_VERSION = 1
SIDE = 512
SAMPLE = 384
GRID = 16
INK_THRESHOLD = 0.3


#: The first 2048 bytes of SHA-256(b"paragon-phash-v1:0") + SHA-256(b"paragon-phash-v1:1") + ...: fixed signs
#: for the projections (not an RNG, whose stream may change between releases). Written out rather than
#: computed so that reading an image does not load OpenSSL (5 MB more of the limited child's address space);
#: tests/unit/test_ocr_traits.py derives them again.
_SIGN_BITS = base64.b64decode(
    "GPOHn4tQh3Iae4YKHsWsJyNqdQrDYWCUSXoJyom6FCuAfre36v5sH67U8OgQXGM3jBu5V2thlRsE1E4+Y5lh80Yed35POfyMmEwQS06pEEPnzWmS"
    "vuBpyHR6dl7f2Eqn7v964arEBxBVjdWshVjOL9oul2BWaqQXgsFZkul7DBGhB02zwovIgpf8FQWGd17jC5ftfgym3kdOB3EwtUmdY7amqSRal+ai"
    "a6xPs519/b2db3QUJuaZwiFjnX2qL1bQIErXYZskq+Px7hWc9Lpp4+1/g6vTnBjzd864XbYb0l6v9WUB7wUswu/RWOIfUfzQrIkJj1F7+sSjwcnz"
    "jktHInbrJ0LaGCWbSaqRQj9F1CmqAr2Y26/n7hj1NVP4GxhxpW0YxYtSed2Mfix+xA8adfA7YRY7NyRrMtDiCVA/VMdooWVPZHF+RXyVw33AB5Pl"
    "eXDVkKd2EuJMNZ8YqBfTPyidK51FsSGt2kPg6ozXoJy07NyZ1CRIDPCdD1+p9p4uN6hy6Nf/ru4AWikKPzoGUj7Etqo9z7lIqobKUimrhUy5FjTd"
    "xILfNE5SKGKwgHG+9SeAN16HipwAPIHaR7jReDZYbNDlI5AfYWdXVxglM1NN7Fr3aA8vYs3LA+0ZyC4L9U9LpF22nUGao8JcbbXdGglOePvjhC4w"
    "vH2wNdR1BdYtWTWwnIGX0xfe1Fbt1EhDQ4bLBnn/FohW79rq4M9B2OVZboftkMKOcRFK3N1kPXVkaIgd5w5W0eCfu8LQIHjyg6bemrSTKkv3LxC4"
    "3gqjxqcKbODHvgqOpywhbvkvMRRLT3/YXeq4m5xFyiL58EgEy6O1Sy0izqPjCKfGxF4nqX/FAT1W38KxYvfUPg4fYFy0wyp67FxE9PaDAYoYYG60"
    "2Di5mp2WacdpjTh8fIy1wk8TjRtp5dTzMbjU0le9LHCOFChXhTUgqJ3Lfr6KKz9qh0ZLhTjZUfcC9a9hlS0mw2jc1Dg0a53B/bfnWR2xbHXcUbym"
    "Y2qLSLfxlW+1jwkhmjbq52RPF5bH+kSthDMhAuL5/Car4U8rqwraAacnWGrtA+Rr9hKmBHDIoX9QCXMNXpAGuJyIfxmju/9RGJYO4A4Qm/50rEze"
    "JciYwD05IoHgWK7OoHlc6xdbWl0C+GZbYHRMepty8vAdoqJZg7+JNFaYCicaOi5lAwNPb2DjdeRJ//l7H7Vdu+No3VBU0HsJNJHWVNafAvP08tVY"
    "lYl1CFzvh4rjiVQYoMRAyO69dM2ql/53HQVd1foasAGK1UufvJPXeM+4QADWeZmaal6tebx5qcFNkQfEJYvEACZPNMmzPi3zW40eZf/ytmK2Q6r1"
    "Pn+1GbzvhpDm/4cMycN81g0e1aP9YouZoLpIonkvLhiyA0JT4jS/d+mlIfyF+dOPtpjBfqNAd0RMOt5lnB2fe2SKZLx8tGZhOPnU5kHgxldgiafV"
    "rEKO1OuJZOC2WXyJYcnxgP2/juhQY6DtE9r6U1kgy0mQTh9Otr5jBL/tM0ErzAnyFFl+6raMDXn3zycCiNvgXNWKBx+b/9WbjplDvFKYmqnVBg0q"
    "zgSVCF6OFJ5/Ct9BWgYZmuY2fJ2Mmj+BczeD4TdtYNG+4qBomfxDuaGVOyn1wmrNbo+uoP9J29vLUw/kfsz36ONAXWAWI5jO/qfgHjaTaOR+rIUI"
    "xbnvZyZkOzJyLYyh4vOqMCsnJf+ZaFAwXNSP+pSsXQ1PkmSGPQ2a2Eubl53JM/qkfeJMLC8T1fCyu7d11Hn/DTaRr3EKShADIYiHzZI7Rzl9wfvM"
    "YpMK2g2qVTLg1rZmX2it/lC3ET5YjoaoD6xknZJ8GuvB3hV0wtUoXoPUq7EgSe5qjhljQBDF5aSC4nBaj8/uhLxIXjRSsOz8zO1Nbyn2BM7eX7Sd"
    "g/UEUz4ES1T1hNonE8RBEkAhOcdyZQgB/qmupXUinttdkm6f3elXrrMkfXvVJNgIv4jExZ9wlfTL0KGPXBDWFEVw4WanC5TTQV4zohZLLEOShXZ1"
    "02HuFHWyOV3uCcPepMhDxMiFkpMp6VVPdr+d1tPEpTjaDzS4bsIUxoja7SA+PAh88bbfTpIAiVohFBKixAqx1flMWuUy4ydz7lkcC6Zz5M8KYj7D"
    "JlO4DASipIFKQO9dfksPmJEOBtCOFK/Xlj1chAqI2U+yRIOblJWn7RJJ0alg6xtjtIp4DK69aJJFFUfRaIX53o985GFeThKu9Ct1qIQthOaWYmcO"
    "Arh2oNIMOZxlxrJRvoUqOIcmsqMZSx53WVybxdPlqeptHl4VqgSUlAB4/zyWQjuviSwKrIF3McodYaHnnS2wmcgpm/zQf+D7mDzJK86PL8+ORRv9"
    "O2b5mtXv1o1lhnDo0B5eDuEm4N87IqrLfADZKVbvaZsaSEjY27Myf8xwUk7YGqmZDX+t/sd9DB1WnpvRoc92MOgyg6oVAxsWAf7DSQHRYJokKG3t"
    "e1f5+PWTk+FiufMofhL1Wb0k0wILLWdNTlvybcwjj8Rn2flA04xeKPPqSdzt9a21H9XEF4V2HZM8tL23Xa2X2oef7Sh97CX1kIIXZJ1qdbMtrQtG"
    "hPefJmNtV6qSR3VpdgdAUN3VPZAMTyfYII4UUDVmMm/iUPYY35FDrn82yrFMlQWZmT+s+b8kApkWqRJvVXm/KvDJZjYJbAoI0XmZT887ypgzBceb"
    "65ryxpCmNXKu0UMuVxbT5O7a1/rbtx3mMhTK1MwEmsg="
)
_PROJECTIONS = np.unpackbits(np.frombuffer(_SIGN_BITS, dtype=np.uint8)).reshape(64, GRID * GRID) * 2.0 - 1.0


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
