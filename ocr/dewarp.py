"""Straighten curved text lines (a receipt bent in the hand, curled thermal paper, a crumpled sheet).

Deskewing turns the whole page by one angle; a bent receipt has lines that rise on the left and fall on the
right, or bow in the middle, and tesseract reads such lines as fragments. Here the baselines of the printed
rows are found from character-like components, one smooth vertical displacement field is fitted to all of
them at once (each row keeps its own height, the field bends them straight), and the image is remapped.

The field is a low-order polynomial in x and y, fitted only where rows were found and held constant beyond
them, so it never extrapolates wildly into margins. It is applied only when it moves the baselines by a
visible fraction of a character and makes them clearly straighter.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from ocr.components import Components

_MIN_ROW_COMPONENTS = 5
_MIN_ROW_SPAN = 0.15  # of the image width
_MIN_ROWS = 6
_MAX_SHIFT = 3.0  # a field moving print by more than this many character heights is a misfit
_NEIGHBOUR_DX = 2.5  # centre-to-centre distance to the next character, in character heights
_NEIGHBOUR_DY = 0.35  # baseline difference allowed between neighbours, in character heights
_MIN_SHIFT = 1.0  # apply only when the field moves some baseline by this many character heights
_MIN_GAIN = 0.75  # ... and the baseline scatter drops below this share of what it was
_GRID = 32  # the field is evaluated on a coarse grid of this many pixels and interpolated


@dataclass(frozen=True)
class Warp:
    """A vertical displacement field: the source row of output pixel (x, y) is y + shift(x, y).

    `coefficients` weigh the polynomial terms of `_terms` in normalised coordinates; `bounds` is the
    (x0, y0, x1, y1) rectangle the field was fitted in (coordinates beyond it are clamped to it).
    """

    coefficients: tuple[float, ...]
    bounds: tuple[float, float, float, float]
    size: tuple[int, int]  # width, height of the image the field was fitted on

    def shift(self, x: np.ndarray | float, y: np.ndarray | float) -> np.ndarray:
        """Return the vertical displacement at output coordinates (x, y)."""
        x0, y0, x1, y1 = self.bounds
        width, height = self.size
        nx = (np.clip(x, x0, x1) - width / 2) / (width / 2)
        ny = (np.clip(y, y0, y1) - height / 2) / (height / 2)
        return sum(c * t for c, t in zip(self.coefficients, _terms(nx, ny), strict=True))  # type: ignore[return-value]


def _terms(x: np.ndarray | float, y: np.ndarray | float) -> tuple[np.ndarray | float, ...]:
    """Return the polynomial terms of the field: bends along x (up to cubic) that vary smoothly with y.

    No term depends on y alone: a pure vertical shift of a whole row changes nothing about its shape.
    """
    return (x, x * x, x * x * x, x * y, x * x * y, x * x * x * y, x * y * y, x * x * y * y)


def _rows(comps: Components) -> list[np.ndarray]:
    """Chain components into rows: each links to its nearest right-hand neighbour on the same baseline."""
    count = len(comps.xs)
    if count < 2:
        return []
    xs, ys, hs = comps.xs, comps.ys, comps.heights
    dx = xs[None, :] - xs[:, None]
    dy = np.abs(ys[None, :] - ys[:, None])
    ok = (dx > 0) & (dx <= _NEIGHBOUR_DX * hs[:, None]) & (dy <= _NEIGHBOUR_DY * hs[:, None])
    ok &= np.abs(hs[None, :] - hs[:, None]) <= 0.35 * hs[:, None]
    cost = np.where(ok, dx + 3 * dy, np.inf)
    nearest = np.argmin(cost, axis=1)
    linked = np.isfinite(cost[np.arange(count), nearest])
    parent = np.arange(count)

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = int(parent[i])
        return i

    for i in np.flatnonzero(linked):
        parent[root(int(i))] = root(int(nearest[i]))
    roots = np.array([root(i) for i in range(count)])
    return [np.flatnonzero(roots == r) for r in np.unique(roots)]


def chained_share(comps: Components) -> float:
    """Return the share of the components that chain into rows of at least `_MIN_ROW_COMPONENTS` letters.

    Chains follow a row letter by letter, so a curled or bent row counts as fully as a straight one, where a
    projection at one angle (`ocr.preprocess.skew_and_rows`) smears it. Specks of sensor noise seldom chain
    that far (about a seventh of them on a dark photo; print: more than half).
    """
    if not len(comps.xs):
        return 0.0
    chained = sum(len(row) for row in _rows(comps) if len(row) >= _MIN_ROW_COMPONENTS)
    return chained / len(comps.xs)


def fit_warp(comps: Components, size: tuple[int, int]) -> Warp | None:
    """Fit the displacement field that makes the rows' baselines straight, or None when none is worth it.

    Args:
        comps: character-like components (bottom-centre points and heights) of the image.
        size: (width, height) of the image.

    Returns:
        The field, or None when too few rows were found, the bend is below `_MIN_SHIFT` character heights
        or straightening would not reduce the scatter of the baselines enough.
    """
    width, height = size
    rows = [r for r in _rows(comps) if len(r) >= _MIN_ROW_COMPONENTS and np.ptp(comps.xs[r]) >= _MIN_ROW_SPAN * width]
    if len(rows) < _MIN_ROWS:
        return None
    index = np.concatenate(rows)
    xs, ys = comps.xs[index], comps.ys[index]
    text_height = float(np.median(comps.heights[index]))
    row_of = np.concatenate([np.full(len(r), i) for i, r in enumerate(rows)])
    nx, ny = (xs - width / 2) / (width / 2), (ys - height / 2) / (height / 2)
    design = np.hstack([np.eye(len(rows))[row_of], np.column_stack(_terms(nx, ny))])
    keep = np.ones(len(ys), bool)
    for _ in range(3):  # refit without outliers (descenders, specks chained into a row)
        solution, *_ = np.linalg.lstsq(design[keep], ys[keep], rcond=None)
        residual = design @ solution - ys
        keep = np.abs(residual) <= max(0.25 * text_height, 2.5 * float(np.std(residual[keep])))
    before = np.sqrt(np.mean([np.var(ys[row_of == i]) for i in range(len(rows))]))
    after = float(np.std(residual[keep]))
    warp = Warp(tuple(float(c) for c in solution[len(rows) :]), (xs.min(), ys.min(), xs.max(), ys.max()), size)
    shifts = warp.shift(xs, ys)
    if np.ptp(shifts) < _MIN_SHIFT * text_height or after > _MIN_GAIN * before:
        return None
    if np.abs(shifts - np.median(shifts)).max() > _MAX_SHIFT * text_height:
        return None
    return warp


def apply_warp(gray: np.ndarray, warp: Warp) -> np.ndarray:
    """Remap the image so the fitted rows become straight (white where the source lies off the image)."""
    height, width = gray.shape[:2]
    # coarse sample k sits where cv2.resize puts it: at (k + 0.5) * _GRID - 0.5
    gx = (np.arange(-(-width // _GRID), dtype=np.float32) + 0.5) * _GRID - 0.5
    gy = (np.arange(-(-height // _GRID), dtype=np.float32) + 0.5) * _GRID - 0.5
    coarse = warp.shift(gx[None, :], gy[:, None]).astype(np.float32)
    field = cv2.resize(coarse, (len(gx) * _GRID, len(gy) * _GRID), interpolation=cv2.INTER_LINEAR)
    field = field[:height, :width]
    map_x = np.broadcast_to(np.arange(width, dtype=np.float32)[None, :], (height, width))
    map_y = np.arange(height, dtype=np.float32)[:, None] + field
    return cv2.remap(gray, np.ascontiguousarray(map_x), map_y, cv2.INTER_CUBIC, borderValue=255)
