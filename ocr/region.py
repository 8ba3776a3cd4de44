"""Find the sheet of paper in a photo so the background (table, towel, hand) can be blanked and cropped."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

_MIN_CONTRAST = 50.0
_MIN_SEPARATION = 0.6
_MIN_AREA, _MAX_AREA = 0.12, 0.9
_MARGIN = 0.03


@dataclass(frozen=True, eq=False)
class PaperRegion:
    """The paper's outline as a mask at full resolution and the bounding box to crop to."""

    mask: np.ndarray
    box: tuple[int, int, int, int]


def _separation(background: np.ndarray, threshold: float) -> tuple[float, float]:
    """Return Otsu's separability (between-class / total variance) and the class-mean difference."""
    values = background.astype(np.float64).ravel()
    high, low = values[values > threshold], values[values <= threshold]
    if len(high) == 0 or len(low) == 0 or values.var() == 0:
        return 0.0, 0.0
    weight = len(high) / len(values)
    between = weight * (1 - weight) * (high.mean() - low.mean()) ** 2
    return float(between / values.var()), float(high.mean() - low.mean())


def _hull_mask(bright: np.ndarray) -> np.ndarray:
    """Return the filled convex hull of the largest bright component, grown by a small margin."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(bright, connectivity=4)
    largest = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    contours, _ = cv2.findContours((labels == largest).astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    hull = cv2.convexHull(max(contours, key=cv2.contourArea))
    mask = np.zeros_like(bright)
    cv2.fillPoly(mask, [hull], 255)
    size = max(3, int(abs(_MARGIN) * max(mask.shape)))
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))
    return cv2.dilate(mask, kernel) if _MARGIN > 0 else cv2.erode(mask, kernel)


def find_paper(background: np.ndarray, full_shape: tuple[int, int]) -> PaperRegion | None:
    """Locate bright paper against a clearly darker surrounding, from a low-resolution background estimate.

    Args:
        background: the paper-brightness estimate (text removed) at low resolution.
        full_shape: (height, width) of the full-resolution image.

    Returns:
        The paper region, or None when there is no clearly separate background (a scan, a close-up,
        or shading that is a gradient rather than an edge) or the paper already fills the frame.
    """
    threshold, bright = cv2.threshold(background, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    separation, contrast = _separation(background, threshold)
    if separation < _MIN_SEPARATION or contrast < _MIN_CONTRAST or not bright.any():
        return None
    small = _hull_mask(bright)
    area = float((small > 0).mean())
    if not _MIN_AREA <= area <= _MAX_AREA:
        return None
    height, width = full_shape
    mask = cv2.resize(small, (width, height), interpolation=cv2.INTER_NEAREST)
    x, y, w, h = cv2.boundingRect(small)
    fx, fy = width / small.shape[1], height / small.shape[0]
    box = (
        int(x * fx),
        int(y * fy),
        min(width, int(np.ceil((x + w) * fx))) - int(x * fx),
        min(height, int(np.ceil((y + h) * fy))) - int(y * fy),
    )
    return PaperRegion(mask=mask, box=box)
