"""Character-like connected components of a page: where the print is, found once and shared by the steps.

Deskewing, text-height estimation and the straightening of bent rows (`ocr.dewarp`) all measure the page
through these components, so they live below both `ocr.preprocess` and `ocr.dewarp`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np


def shrink(image: np.ndarray, max_side: int, one_step: bool = False) -> tuple[np.ndarray, float]:
    """Downscale so the longer side is at most `max_side`; return the image and the factor used.

    With `one_step` the reduction is OpenCV's own area average instead of `area_reduce`'s cheaper two steps,
    for an image whose grey levels must stay exactly as they were (`ocr.preprocess.estimate_background`).
    """
    side = max(image.shape[:2])
    if side <= max_side:
        return image, 1.0
    factor = max_side / side
    size = (max(1, round(image.shape[1] * factor)), max(1, round(image.shape[0] * factor)))
    if one_step:
        return cv2.resize(image, size, interpolation=cv2.INTER_AREA), factor
    return area_reduce(image, size), factor


def area_reduce(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Reduce `image` to `size` (width, height) by area averaging, in two steps when it is cheaper.

    OpenCV averages areas about ten times faster when both factors are the same whole number (a 12 MP photo
    halves in 3 ms, where a reduction by 2.4 takes 28 ms): the image is first reduced by the largest whole
    factor that keeps it at least `size` (dropping fewer than that many pixels at its right and bottom edges),
    and only the remainder, less than twofold, is averaged the slow way, on the smaller image.
    """
    width, height = size
    whole = min(image.shape[1] // max(1, width), image.shape[0] // max(1, height))
    if whole >= 2:
        rows, cols = image.shape[0] // whole, image.shape[1] // whole
        image = cv2.resize(image[: rows * whole, : cols * whole], (cols, rows), interpolation=cv2.INTER_AREA)
    if (image.shape[1], image.shape[0]) == (width, height):
        return image
    return cv2.resize(image, (width, height), interpolation=cv2.INTER_AREA)


@dataclass(frozen=True, eq=False)
class Components:
    """Character-like connected components: bottom-centre points and heights, in full-image pixels."""

    xs: np.ndarray
    ys: np.ndarray
    heights: np.ndarray


def ink_mask(gray: np.ndarray) -> np.ndarray:
    """Return a binary mask (255 = ink) of locally dark features, robust to shadows and dark surroundings."""
    return cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 41, 12)


def text_components(gray: np.ndarray) -> Components:
    """Find connected components whose size and shape look like printed characters."""
    small, factor = shrink(gray, 2000)
    count, _, stats, _ = cv2.connectedComponentsWithStats(ink_mask(small), connectivity=8)
    xs, ys, widths, heights, areas = (stats[1:, i].astype(np.float64) for i in range(5))
    max_h = max(8, small.shape[0] // 8)
    keep = (heights >= 8) & (heights <= max_h) & (widths <= heights * 2) & (widths * 8 >= heights)
    keep &= areas >= 0.12 * widths * heights
    scale = 1.0 / factor
    comps = Components(
        xs=(xs[keep] + widths[keep] / 2) * scale,
        ys=(ys[keep] + heights[keep]) * scale,
        heights=heights[keep] * scale,
    )
    return _with_neighbours(comps)


def _with_neighbours(comps: Components, limit: int = 3000) -> Components:
    """Keep components that have a similar-sized neighbour on the same baseline (letters come in rows)."""
    if len(comps.xs) > limit:
        pick = np.sort(np.random.default_rng(0).choice(len(comps.xs), limit, replace=False))
        comps = Components(comps.xs[pick], comps.ys[pick], comps.heights[pick])
    if len(comps.xs) < 2:
        return comps
    h = comps.heights
    near_y = np.abs(comps.ys[:, None] - comps.ys[None, :]) <= 0.3 * h[:, None]
    near_x = np.abs(comps.xs[:, None] - comps.xs[None, :]) <= 2.5 * h[:, None]
    same_h = np.abs(h[:, None] - h[None, :]) <= 0.3 * h[:, None]
    related = near_y & near_x & same_h
    np.fill_diagonal(related, False)
    keep = related.any(axis=1)
    return Components(comps.xs[keep], comps.ys[keep], comps.heights[keep])


def row_score(comps: Components, angle: float, bin_size: float) -> float:
    """Return the projection-profile sharpness of the components' baselines rotated by `angle` (degrees): the
    sum of squared counts of baselines per row of `bin_size` pixels (rows of print give few, full rows)."""
    rad = math.radians(angle)
    rows = np.round((comps.ys * math.cos(rad) + comps.xs * math.sin(rad)) / bin_size).astype(np.int64)
    counts = np.bincount(rows - rows.min())
    return float(np.dot(counts, counts))


MIN_COMPONENTS = 15
#: Below this row contrast (`skew_and_rows`) the components are specks, not print: noise 1.15, print >= 1.57.
MIN_ROW_CONTRAST = 1.35
_OTHER_ANGLE = 2.0  # rows running this many degrees off the receipt's are another sheet's print


def skew_and_rows(
    gray: np.ndarray, max_angle: float = 12.0, components: Components | None = None
) -> tuple[float, float]:
    """Estimate the text-line angle in degrees (positive = lines rise to the right) from character baselines,
    and how sharply the baselines line up there: the projection score at that angle over its median across
    the angles tried (0.0 with too few components to tell).

    Print scores 1.6 and more (bent receipts on towels, SROIE scans, dim and blurred photos: 1.57 at the
    lowest); specks of sensor noise on a dark photo, which line up at no angle, about 1.15.
    """
    comps = components if components is not None else text_components(gray)
    if len(comps.xs) < MIN_COMPONENTS:
        return 0.0, 0.0
    bin_size = max(2.0, float(np.median(comps.heights)) / 4)

    def score(angle: float) -> float:
        return row_score(comps, angle, bin_size)

    angles = np.arange(-max_angle, max_angle + 1e-9, 0.5)
    scores = [score(angle) for angle in angles]
    coarse = angles[int(np.argmax(scores))]
    fine = max(np.arange(coarse - 0.5, coarse + 0.5 + 1e-9, 0.1), key=score)
    return float(round(fine, 2)), max(scores) / max(float(np.median(scores)), 1.0)


def estimate_skew(gray: np.ndarray, max_angle: float = 12.0, components: Components | None = None) -> float:
    """Estimate the text-line angle in degrees (positive = lines rise to the right) from character baselines."""
    return skew_and_rows(gray, max_angle, components)[0]


def rows_at_another_angle(comps: Components, skew: float, min_contrast: float, span: float = 25.0) -> bool:
    """Tell whether the components line up in rows at another angle than `skew` (degrees), and not at it.

    The sharpness of the rows at an angle is the projection score there over its median across the angles
    within `span` (as `ocr.preprocess.skew_and_rows` measures it); print is at least `min_contrast` sharp.
    Short fragments of words line up at every angle alike, so they are never taken for another sheet's print.
    """
    bin_size = max(2.0, float(np.median(comps.heights)) / 4)

    def score(at: float) -> float:
        return row_score(comps, at, bin_size)

    angles = np.arange(skew - span, skew + span + 1e-9, 0.5)
    scores = np.array([score(at) for at in angles])
    median = max(float(np.median(scores)), 1.0)
    best = int(np.argmax(scores))
    return (
        abs(float(angles[best]) - skew) >= _OTHER_ANGLE
        and scores[best] / median >= min_contrast
        and score(skew) / median < min_contrast
    )
