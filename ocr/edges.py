"""Sharp brightness steps of a low-resolution paper estimate, and the straight lines through them.

A paper's edge is a step in brightness over a few pixels (an illumination change is gradual, a shadow a
ratio); where a lit surface hides part of the edge, the straight lines over its visible stretches carry it
across the gap (`ocr.region` bounds the sheet by both).
"""

from __future__ import annotations

import cv2
import numpy as np

_EDGE_WINDOW = 5  # low-resolution pixels across which a paper edge steps (the background estimate keeps steps)
_EDGE_STEP = 0.12  # natural-log brightness range within that window that makes an edge (a ratio of ~1.13)
_LINE_LENGTH, _LINE_GAP = 0.2, 0.25  # a straight stretch of edge, and the gap it bridges (of the long side)
_LINE_VOTES = 0.1  # ... found by a Hough transform with this many votes (of the long side)
_LINE_COVER = 0.6  # ... kept when this share of it lies on steps
_LINE_SIDES = 0.03  # ... and the brightness on its two sides differs by this much (natural log, median)
_LINE_PARALLEL, _LINE_APART = 3.0, 8.0  # lines within this many degrees are parallel, this many pixels apart separate


def steps(estimate: np.ndarray) -> np.ndarray:
    """Return where the brightness steps sharply: a natural-log range of at least `_EDGE_STEP` within
    `_EDGE_WINDOW` pixels (a paper's edge; an illumination change is too gradual, a shadow a ratio)."""
    log = np.log1p(estimate.astype(np.float32))
    window = cv2.getStructuringElement(cv2.MORPH_RECT, (_EDGE_WINDOW, _EDGE_WINDOW))
    return (cv2.dilate(log, window) - cv2.erode(log, window)) >= _EDGE_STEP


def straight_edges(estimate: np.ndarray, stepped: np.ndarray) -> np.ndarray:
    """Return long straight lines through the steps, drawn across their gaps, where they are a paper's edge.

    A line is kept when most of it lies on steps (`_LINE_COVER`) and the brightness differs from one side of
    it to the other (`_LINE_SIDES`): a row of bold print left in the cue lines up too, but has paper on both
    of its sides. Stripes, checks and tiles have straight edges too, but many parallel ones: a direction
    with more than two separate lines (a sheet has two sides each way) is the surface's, and none is drawn.
    """
    side = max(stepped.shape)
    votes, length, gap = (int(fraction * side) for fraction in (_LINE_VOTES, _LINE_LENGTH, _LINE_GAP))
    found = cv2.HoughLinesP(stepped * 255, 1, np.pi / 180, votes, minLineLength=length, maxLineGap=gap)
    lines = np.zeros_like(stepped)
    if found is None:
        return lines
    near = cv2.dilate(stepped, np.ones((5, 5), np.uint8))
    log = np.log1p(estimate.astype(np.float32))
    kept = []
    for x1, y1, x2, y2 in found.reshape(-1, 4).astype(np.float32):
        count = int(max(abs(x2 - x1), abs(y2 - y1))) + 1
        xs, ys = np.linspace(x1, x2, count), np.linspace(y1, y2, count)
        normal = np.float32([y1 - y2, x2 - x1]) / max(1e-6, float(np.hypot(x2 - x1, y2 - y1)))
        if near[ys.round().astype(int), xs.round().astype(int)].mean() < _LINE_COVER:
            continue
        if float(np.median(np.abs(_sample(log, xs, ys, normal * 4) - _sample(log, xs, ys, normal * -4)))) < _LINE_SIDES:
            continue
        kept.append((x1, y1, x2, y2, normal))
    for x1, y1, x2, y2, normal in kept:
        if _parallel_lines(normal, float(normal @ np.float32([x1, y1])), kept) <= 2:
            cv2.line(lines, (int(x1), int(y1)), (int(x2), int(y2)), 1, 1)
    return lines


def _parallel_lines(normal: np.ndarray, offset: float, lines: list) -> int:
    """Return how many separate lines (offsets `_LINE_APART` apart or more) run in the direction `normal`
    is square to, among `lines` (x1, y1, x2, y2, unit normal); the Hough transform finds one edge several
    times over the width of its step."""
    offsets = []
    for x1, y1, _, _, other in lines:
        if abs(float(normal @ other)) >= np.cos(np.radians(_LINE_PARALLEL)):
            offsets.append(float(normal @ np.float32([x1, y1])) - offset)
    ordered = np.sort(np.float32(offsets))
    return 1 + int((np.diff(ordered) >= _LINE_APART).sum())


def _sample(image: np.ndarray, xs: np.ndarray, ys: np.ndarray, offset: np.ndarray) -> np.ndarray:
    """Return the image's pixels at the points moved by `offset` (clipped to the image)."""
    columns = np.clip((xs + offset[0]).round().astype(int), 0, image.shape[1] - 1)
    rows = np.clip((ys + offset[1]).round().astype(int), 0, image.shape[0] - 1)
    return image[rows, columns]
