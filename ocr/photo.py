"""Cheap measures of a photo preview for the upload quality gate (`ocr.quality.check_photo`).

All work happens on a ~1000-px preview: the paper region (bright, unsaturated), exposure, character-like
shapes and their height, edge width (blur), clipped ink-free blobs among the text (glare) and text running
into the frame's edges. Lengths are in preview pixels unless said otherwise; `scale` converts to originals.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

MIN_CHARS = 15  # fewer character-like shapes than this: no text found
CLIPPED = 248
WASHED_GREY = 160  # a character whose darkest pixel is lighter than this has lost its print
SHARP_EDGE_PX = 2.0  # edge width of a sharp preview (sampling and JPEG), subtracted before comparing
CUT_ROWS = 0.15  # share of text rows starting (ending) within 0.4 character of the left (right) edge
CUT_GAP = 0.3  # text closer than this many character heights to the top or bottom edge


@dataclass(frozen=True)
class PhotoMeasures:
    """Cheap measures of a photo preview; lengths in preview pixels unless said otherwise."""

    scale: float  # original pixels per preview pixel
    paper_fraction: float
    paper_level: float
    ink_level: float
    washed_share: float  # share of characters whose darkest pixel is lighter than WASHED_GREY
    chars: int
    char_height: float  # preview pixels; 0 when no text was found
    edge_width: float
    glare_disc: float  # in character heights
    glare_fade: float  # share of faded characters around that disc minus the share elsewhere
    cut_sides: tuple[str, ...]

    @property
    def text_height(self) -> float:
        """Return the character height in original pixels (0 when unknown)."""
        return self.char_height * self.scale

    @property
    def blur(self) -> float:
        """Return the edge width net of the sharp floor, per character height (0 when unknown)."""
        net = float(np.sqrt(max(0.0, self.edge_width**2 - SHARP_EDGE_PX**2)))
        return net / self.char_height if self.char_height else 0.0


def _disc(size: int) -> np.ndarray:
    """Return an elliptic structuring element of odd `size`."""
    return cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size | 1, size | 1))


def grey_percentiles(values: np.ndarray, percents: tuple[float, ...]) -> tuple[float, ...]:
    """`np.percentile(values, percents)` (linear interpolation) for uint8 grey levels, from a histogram: the
    same numbers, without sorting a million pixels for each percentile (the upload request pays for this)."""
    flat = values.ravel()
    cumulative = np.cumsum(np.bincount(flat, minlength=256))
    last = len(flat) - 1
    result = []
    for percent in percents:
        position = percent / 100 * last
        below = int(np.floor(position))
        low, high = np.searchsorted(cumulative, [below, min(below + 1, last)], side="right")
        result.append(float(low + (position - below) * (float(high) - float(low))))
    return tuple(result)


def paper_mask(rgb: np.ndarray, gray: np.ndarray) -> np.ndarray:
    """Return the largest bright, unsaturated region (holes filled), found at 256 px; 255 = paper."""
    factor = 256 / max(gray.shape)
    size = (max(1, round(gray.shape[1] * factor)), max(1, round(gray.shape[0] * factor)))
    small = cv2.medianBlur(cv2.dilate(cv2.resize(gray, size, interpolation=cv2.INTER_AREA), _disc(5)), 5)
    hsv = cv2.cvtColor(cv2.resize(rgb, size, interpolation=cv2.INTER_AREA), cv2.COLOR_RGB2HSV)
    saturation = cv2.medianBlur(hsv[..., 1], 5)
    threshold, _ = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    high, low = small[small > threshold], small[small <= threshold]
    if not len(high) or not len(low) or float(high.mean()) - float(low.mean()) < 40:
        threshold = min(threshold, float(np.median(small)) * 0.7)  # no clear background: all of it is paper
    candidate = ((small > threshold) & (saturation < 110)).astype(np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(candidate, connectivity=4)
    mask = np.zeros_like(small)
    if count > 1:
        largest = (labels == 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))).astype(np.uint8)
        contours, _ = cv2.findContours(largest, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        cv2.drawContours(mask, contours, -1, 255, -1)
    return cv2.resize(mask, (gray.shape[1], gray.shape[0]), interpolation=cv2.INTER_NEAREST)


def _ink(gray: np.ndarray) -> np.ndarray:
    """Return the mask (255) of locally dark strokes."""
    return cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 25, 10)


def _characters(ink: np.ndarray, limit: int = 1500) -> np.ndarray:
    """Return (x, y, w, h) rows of character-like components that have a similar neighbour on their line."""
    _, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    x, y, w, h, area = (stats[1:, i].astype(np.float64) for i in range(5))
    keep = (h >= 4) & (h <= ink.shape[0] / 10) & (w <= h * 2.5) & (w * 10 >= h) & (area >= 0.15 * w * h)
    boxes = np.stack([x, y, w, h], axis=1)[keep]
    if len(boxes) > limit:
        boxes = boxes[np.random.default_rng(0).choice(len(boxes), limit, replace=False)]
    cx, base, hh = boxes[:, 0] + boxes[:, 2] / 2, boxes[:, 1] + boxes[:, 3], boxes[:, 3]
    related = (np.abs(base[:, None] - base[None, :]) <= 0.3 * hh[:, None]) & (
        np.abs(cx[:, None] - cx[None, :]) <= 3 * hh[:, None]
    )
    related &= np.abs(hh[:, None] - hh[None, :]) <= 0.35 * hh[:, None]
    np.fill_diagonal(related, False)
    return boxes[related.any(axis=1)]


def _char_height(chars: np.ndarray) -> float:
    """Return the median height of the letters, ignoring dots and commas (0 with too few characters)."""
    if len(chars) < MIN_CHARS:
        return 0.0
    heights = chars[:, 3]
    return float(np.median(heights[heights >= 0.4 * np.percentile(heights, 90)]))


def _edge_width(gray: np.ndarray, paper: np.ndarray) -> float:
    """Return the blur as the print contrast over the steepest gradients, per direction, worst direction."""
    gx = cv2.Sobel(gray, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(gray, cv2.CV_32F, 0, 1, ksize=3)
    magnitude = cv2.magnitude(gx, gy) / 8.0  # grey levels per pixel
    inside = cv2.erode(paper, _disc(5)) > 0
    if inside.sum() < 100:
        return 0.0
    low, high = grey_percentiles(gray[inside], (1, 95))
    steep = inside & (magnitude >= max(2.0, float(np.percentile(magnitude[inside], 98))))
    widths = float(high - low) / magnitude[steep]
    direction = (np.degrees(np.arctan2(gy[steep], gx[steep])) + 202.5) % 180 // 45
    per_direction = [float(np.median(widths[direction == d])) for d in range(4) if (direction == d).sum() >= 30]
    return max(per_direction, default=0.0)


def _darkest(gray: np.ndarray, chars: np.ndarray) -> np.ndarray:
    """Return the darkest grey level inside each character box."""
    return np.array([gray[int(y) : int(y + h), int(x) : int(x + w)].min() for x, y, w, h in chars], np.float64)


def _faded(gray: np.ndarray, darkest: np.ndarray) -> np.ndarray:
    """Return, per character, whether its darkest pixel is much lighter than the typical character's."""
    contrast = grey_percentiles(gray, (99,))[0] - darkest
    return contrast < 0.6 * float(np.median(contrast))


def _glare(
    gray: np.ndarray, ink: np.ndarray, chars: np.ndarray, darkest: np.ndarray, height: float
) -> tuple[float, float]:
    """Return the largest clipped, ink-free disc among the text (in character heights) and how much more
    often the characters around it are faded than elsewhere (glare washes print out; blank paper does not).
    """
    if not height:
        return 0.0, 0.0
    centres = np.stack([chars[:, 0] + chars[:, 2] / 2, chars[:, 1] + chars[:, 3] / 2], axis=1).astype(np.int32)
    hull = np.zeros_like(gray)
    cv2.fillPoly(hull, [cv2.convexHull(centres)], 255)
    washed = ((cv2.dilate(ink, _disc(3)) == 0) & (gray >= CLIPPED) & (hull > 0)).astype(np.uint8)
    distance = cv2.distanceTransform(washed, cv2.DIST_L2, 5)
    core = distance >= 3 * height
    if not core.any():
        return float(distance.max()) / height, 0.0
    to_core = cv2.distanceTransform((~core).astype(np.uint8), cv2.DIST_L2, 3)
    around = to_core[centres[:, 1], centres[:, 0]] <= 3.5 * height
    faded = _faded(gray, darkest)
    near = float(faded[around].mean()) if around.any() else 1.0
    return float(distance.max()) / height, near - float(faded.mean())


def _cut_sides(paper: np.ndarray, chars: np.ndarray, height: float) -> tuple[str, ...]:
    """Return the frame sides the paper touches and the text runs into (rows for left/right, a line for top/bottom)."""
    if not height:
        return ()
    rows_h, cols_w = paper.shape
    border = {"top": paper[:3], "bottom": paper[-3:], "left": paper[:, :3], "right": paper[:, -3:]}
    x, y, w, h = chars.T
    rows = np.round((y + h) / (0.8 * height)).astype(int)
    lines = np.unique(rows)
    left = np.array([x[rows == r].min() for r in lines])
    right = np.array([(x + w)[rows == r].max() for r in lines])
    runs = {
        "left": float((left <= 0.4 * height).mean()) >= CUT_ROWS,
        "right": float((right >= cols_w - 0.4 * height).mean()) >= CUT_ROWS,
        "top": float(y.min()) < CUT_GAP * height,
        "bottom": float(rows_h - (y + h).max()) < CUT_GAP * height,
    }
    return tuple(side for side, run in runs.items() if run and (border[side] > 0).mean() > 0.15)


def measure_photo(rgb: np.ndarray, scale: float = 1.0) -> PhotoMeasures:
    """Measure paper, exposure, print, blur, glare and framing on an RGB preview of ~1000 px.

    Args:
        rgb: the preview as an RGB uint8 array.
        scale: original pixels per preview pixel (from `images.load_preview`).

    Returns:
        The `PhotoMeasures` that `ocr.quality.judge_photo` turns into problems.
    """
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    paper = paper_mask(rgb, gray)
    inner = cv2.erode(paper, _disc(max(3, max(gray.shape) // 60)))  # away from the paper's shadowed rim
    on_paper = gray[inner > 0] if inner.any() else gray.ravel()
    ink = _ink(gray) & paper
    chars = _characters(ink)
    height = _char_height(chars)
    darkest = _darkest(gray, chars)
    disc, fade = _glare(gray, ink, chars, darkest, height)
    paper_level, ink_level = grey_percentiles(on_paper, (90, 2))
    return PhotoMeasures(
        scale=scale,
        paper_fraction=float((paper > 0).mean()),
        paper_level=paper_level,
        ink_level=ink_level,
        washed_share=float((darkest >= WASHED_GREY).mean()) if len(chars) else 0.0,
        chars=len(chars),
        char_height=height,
        edge_width=_edge_width(gray, paper),
        glare_disc=disc,
        glare_fade=fade,
        cut_sides=_cut_sides(paper, chars, height),
    )
