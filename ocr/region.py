"""Find the sheet of paper in a photo so the background (table, towel, hand) can be blanked and cropped."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import cv2
import numpy as np

from ocr.components import shrink
from ocr.edges import steps, straight_edges

_MIN_CONTRAST = 50.0
_MIN_SEPARATION = 0.6
_SHARP_SEPARATION = 0.88  # a split this clean is a sheet on a surface even at a small step ...
_SHARP_CONTRAST = 25.0  # ... of at least this many grey levels (scans' text blocks stay below: 15-23)
_CUE_SIDE = 400  # the texture-free paper cue is computed at this resolution (long side) ...
_CUE_MEDIAN = 11  # ... with a median this wide: wider than a surface pattern's period, than print's strokes
_CUE_CLOSE = 5  # ... and a max filter this wide over what is left of bold print
_MIN_AREA, _MAX_AREA = 0.12, 0.9
_MARGIN = 0.03


_QUAD_EPSILON = 0.03  # polygon simplification, as a fraction of the outline's perimeter
_QUAD_COVER = 0.97  # the four-corner polygon must contain this share of the paper's outline
_QUAD_INSET = 0.015  # corners this close to the frame edge mean the sheet runs out of the photo
_GROWN_COVER = 0.6  # the edge-bounded region must hold this share of the bright component to replace it
_GROWN_MORE = 1.15  # ... and be this much larger: a sheet that is bright all over keeps Otsu's outline
_EDGE_GAPS = (3, 11)  # gaps in the paper's edge closed before taking the region inside it (low-res pixels)
_SUPPORT_GAIN = 0.2  # the cue's outline replaces the background estimate's when this much more of it is edge
_SHEET_SUPPORT = 0.8  # ... and this much of it is: the outline of a sheet, not of another partial region
_RUN_ON = 0.08  # a quadrilateral's side is followed this far past its corners (of the long side) ...
_RUN_ON_STEPS = 0.6  # ... and is a line across the photo when this share of that stretch steps too
_FRAME = 3  # outline points this close (low-res pixels) to the frame are the photo's edge, not the paper's


@dataclass(frozen=True, eq=False)
class PaperRegion:
    """The paper's outline as a mask at full resolution, the bounding box to crop to, and its corners.

    `corners` (top-left, top-right, bottom-right, bottom-left; full-resolution pixels) is set when the
    outline is a clean quadrilateral, so the sheet can be rectified.
    """

    mask: np.ndarray
    box: tuple[int, int, int, int]
    corners: np.ndarray | None = None
    hull: np.ndarray | None = None  # the outline's convex hull, in the estimate's (low-resolution) pixels


def _separation(background: np.ndarray, threshold: float) -> tuple[float, float]:
    """Return Otsu's separability (between-class / total variance) and the class-mean difference."""
    values = background.astype(np.float64).ravel()
    high, low = values[values > threshold], values[values <= threshold]
    if len(high) == 0 or len(low) == 0 or values.var() == 0:
        return 0.0, 0.0
    weight = len(high) / len(values)
    between = weight * (1 - weight) * (high.mean() - low.mean()) ** 2
    return float(between / values.var()), float(high.mean() - low.mean())


def _largest_outline(bright: np.ndarray) -> np.ndarray:
    """Return the outline (all contour points) of the largest bright component."""
    largest = _largest_component(bright)
    contours, _ = cv2.findContours(largest.astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    return max(contours, key=cv2.contourArea)


def _side_line(points: np.ndarray, start: np.ndarray, end: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """Fit a line to the outline points along the middle of one side (corners are rounded at low resolution)."""
    direction = end - start
    length = float(np.linalg.norm(direction))
    if length < 10:
        return None
    unit = direction / length
    offsets = points - start
    along = offsets @ unit
    across = np.abs(offsets @ np.float32([-unit[1], unit[0]]))
    near = points[(along > 0.15 * length) & (along < 0.85 * length) & (across < max(3.0, 0.02 * length))]
    if len(near) < 8:
        return None
    vx, vy, x0, y0 = cv2.fitLine(near.astype(np.float32), cv2.DIST_HUBER, 0, 0.01, 0.01).ravel()
    return np.float32([x0, y0]), np.float32([vx, vy])


def _intersect(first: tuple[np.ndarray, np.ndarray], second: tuple[np.ndarray, np.ndarray]) -> np.ndarray | None:
    """Return the intersection of two lines given as (point, direction)."""
    (p, r), (q, s) = first, second
    cross = float(r[0] * s[1] - r[1] * s[0])
    if abs(cross) < 1e-6:
        return None
    t = float((q - p)[0] * s[1] - (q - p)[1] * s[0]) / cross
    return p + t * r


def _refine(quad: np.ndarray, outline: np.ndarray) -> np.ndarray:
    """Move the corners to the intersections of lines fitted along each side; keep the quad if that fails."""
    points = outline.reshape(-1, 2).astype(np.float32)
    sides = [_side_line(points, quad[i], quad[(i + 1) % 4]) for i in range(4)]
    if any(side is None for side in sides):
        return quad
    corners = [_intersect(sides[i - 1], sides[i]) for i in range(4)]  # type: ignore[arg-type]
    if any(c is None for c in corners):
        return quad
    refined = np.float32(corners)
    return refined if float(np.abs(refined - quad).max()) < 0.1 * float(np.ptp(quad)) else quad


def order_corners(points: np.ndarray) -> np.ndarray:
    """Order four points as top-left, top-right, bottom-right, bottom-left."""
    points = points.reshape(4, 2).astype(np.float32)
    total, diff = points.sum(axis=1), np.diff(points, axis=1).ravel()
    ordered = np.float32([points[np.argmin(total)], points[np.argmin(diff)], points[np.argmax(total)],
                          points[np.argmax(diff)]])
    return ordered if len({tuple(p) for p in ordered.tolist()}) == 4 else points


def _quad(hull: np.ndarray, outline: np.ndarray, shape: tuple[int, int]) -> np.ndarray | None:
    """Return the hull's four corners when it is a whole, clean quadrilateral (low-resolution pixels).

    None when the outline is not four-sided, or touches the frame (the sheet runs out of the photo, so
    its outline there is the frame's, not the paper's).
    """
    approx = cv2.approxPolyDP(hull, _QUAD_EPSILON * cv2.arcLength(hull, True), True)
    if len(approx) != 4 or not cv2.isContourConvex(approx):
        return None
    inset = _QUAD_INSET * max(shape)
    xs, ys = approx[:, 0, 0], approx[:, 0, 1]
    if xs.min() < inset or ys.min() < inset or xs.max() > shape[1] - 1 - inset or ys.max() > shape[0] - 1 - inset:
        return None
    quad = _refine(order_corners(approx), outline)
    return quad if _covers(quad, hull, shape) else None


def _covers(quad: np.ndarray, hull: np.ndarray, shape: tuple[int, int]) -> bool:
    """Tell whether the quadrilateral contains (nearly) all of the paper and little else."""
    paper, sheet = np.zeros(shape, np.uint8), np.zeros(shape, np.uint8)
    cv2.fillPoly(paper, [hull.reshape(-1, 2).astype(np.int32)], 1)
    cv2.fillPoly(sheet, [np.round(quad).astype(np.int32)], 1)
    inside, area = int((paper & sheet).sum()), int(paper.sum())
    return area > 0 and inside >= _QUAD_COVER * area and int(sheet.sum()) <= 1.1 * area


def _hull_mask(bright: np.ndarray, hull: np.ndarray, margin: float = _MARGIN) -> np.ndarray:
    """Return the filled convex hull, grown by a small margin (none when `margin` is 0)."""
    mask = np.zeros_like(bright)
    cv2.fillPoly(mask, [hull], 255)
    if not margin:
        return mask
    size = max(3, int(abs(margin) * max(mask.shape)))
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))
    return cv2.dilate(mask, kernel) if margin > 0 else cv2.erode(mask, kernel)


def _edge_bounded(background: np.ndarray, bright: np.ndarray, bridge: bool = True) -> np.ndarray:
    """Return the paper as the region inside its sharp edges, when the bright component is only part of it.

    A shadow or a light falloff darkens part of the sheet below Otsu's threshold, so the bright component
    stops at a soft illumination boundary across the print (a receipt loses its header). Paper edges are
    sharp steps in brightness, illumination changes are gradual, and a shadow darkens paper and surface by
    the same ratio: on the logarithm, the region bounded by sharp steps (`ocr.edges.steps`) that overlaps
    the bright component most is the whole sheet. Where shaded paper meets a lit surface of the same
    brightness its edge has a gap, so the edges are closed over a growing span until the region is a
    plausible sheet: holding most of the bright part, clearly larger than it, and not running out into the
    surroundings (area within the limits). Otherwise the bright pixels stay.
    """
    stepped = steps(background).astype(np.uint8)
    component = _largest_component(bright)
    for closed, bridged in _closed_edges(background, stepped, bridge):
        # thickened by one pixel so a faint stretch of edge does not let the region run out into the surface
        edges = cv2.dilate(closed, np.ones((3, 3), np.uint8)) > 0
        count, labels = cv2.connectedComponents((~edges).astype(np.uint8), connectivity=4)
        overlap = np.bincount(labels[component].ravel(), minlength=count)
        overlap[0] = 0
        best = int(np.argmax(overlap))
        # give back the rim the thickened edge took from the sheet
        region = cv2.dilate((labels == best).astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
        area = float(region.mean())
        held, size = int(overlap[best]), int(component.sum())
        # bridged edges are drawn where the bright part ran out over a lit surface: the sheet is then no
        # larger than the bright part, but leaves a clear part of it outside
        differs = region.sum() >= _GROWN_MORE * size or (bridged and size - held >= (_GROWN_MORE - 1) * size)
        if held >= _GROWN_COVER * size and differs and _MIN_AREA <= area <= _MAX_AREA:
            return np.where(region, np.uint8(255), np.uint8(0))
    return bright


def _closed_edges(estimate: np.ndarray, stepped: np.ndarray, bridge: bool) -> Iterator[tuple[np.ndarray, bool]]:
    """Yield the sharp steps with their gaps closed over a growing span, then with straight stretches bridged
    (the flag tells which).

    Where a lit stretch of paper meets a lit surface (a light falloff or a shadow's edge across a patterned
    cloth or newsprint) the edge's gap is wider than any closing, and the bright part runs out over the
    surface: the paper's edge is then bridged along the straight lines over its visible stretches.
    """
    for span in _EDGE_GAPS:
        yield cv2.morphologyEx(stepped, cv2.MORPH_CLOSE, np.ones((span, span), np.uint8)), False
    if not bridge:
        return
    closed = cv2.morphologyEx(stepped, cv2.MORPH_CLOSE, np.ones((_EDGE_GAPS[0], _EDGE_GAPS[0]), np.uint8))
    yield closed | straight_edges(estimate, stepped), True


def _largest_component(bright: np.ndarray) -> np.ndarray:
    """Return the largest bright component as a boolean mask."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(bright, connectivity=4)
    return labels == 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))


def paper_cue(gray: np.ndarray) -> np.ndarray:
    """Return a low-resolution paper-brightness cue that keeps a patterned surface at its mean level.

    The background estimate (a max filter) takes the brightest parts of a surface's pattern, so newsprint,
    a check cloth or dotted tiles around a receipt come out nearly as bright as the paper and the sheet is
    not found. A median wider than the pattern's period sets such a surface to its middle grey, while the
    receipt's thin strokes vanish into the paper white; a small max filter then removes bold print.
    """
    small, _ = shrink(gray, _CUE_SIDE)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (_CUE_CLOSE, _CUE_CLOSE))
    return cv2.dilate(cv2.medianBlur(small, _CUE_MEDIAN), kernel)


def _two_levels(background: np.ndarray, threshold: float) -> bool:
    """Tell whether the brightness falls into two clearly separate levels (paper and a surface)."""
    separation, contrast = _separation(background, threshold)
    if separation >= _SHARP_SEPARATION:
        return contrast >= _SHARP_CONTRAST
    return separation >= _MIN_SEPARATION and contrast >= _MIN_CONTRAST


def find_paper(
    background: np.ndarray, full_shape: tuple[int, int], margin: float = _MARGIN, bridge: bool = True
) -> PaperRegion | None:
    """Locate bright paper against a clearly darker surrounding, from a low-resolution background estimate.

    Args:
        background: the paper-brightness estimate (text removed) at low resolution.
        full_shape: (height, width) of the full-resolution image.
        margin: how far to grow the outline (fraction of the estimate's size) so print at its edge is kept;
            none for `paper_cue`, whose bright region reaches the paper's edge already (a margin there
            keeps a rim of the patterned surface, which tesseract reads into the rows beside it).
        bridge: bridge gaps in the sheet's edge along its straight stretches (`_straight_edges`); not for
            the background estimate, whose max filter leaves a patterned surface's bright parts as blocks
            with straight edges of their own.

    Returns:
        The paper region, or None when there is no clearly separate background (a scan, a close-up,
        or shading that is a gradient rather than an edge) or the paper already fills the frame.
    """
    threshold, bright = cv2.threshold(background, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    if not bright.any() or not _two_levels(background, threshold):
        return None
    outline = _largest_outline(_edge_bounded(background, bright, bridge))
    hull = cv2.convexHull(outline)
    small = _hull_mask(bright, hull, margin)
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
    quad = _quad(hull, outline, bright.shape[:2])
    corners = quad * np.float32([fx, fy]) if quad is not None else None
    return PaperRegion(mask=mask, box=box, corners=corners, hull=hull)


def edge_support(region: PaperRegion, cue: np.ndarray) -> float:
    """Return the share of the region's outline that runs along a sharp step of the paper cue.

    A sheet's outline is its edge all round; a region that stops at the soft boundary of a shadow or a light
    falloff, or runs out over a patterned surface that the background estimate made as bright as the paper,
    has outline crossing the print or the surface where nothing steps. The cue is used for both estimates'
    outlines: it steps at the paper's edge on plain and patterned surfaces alike.
    """
    return 0.0 if region.hull is None else _outline_support(region.hull, cue)


def _outline_support(hull: np.ndarray, estimate: np.ndarray) -> float:
    """Return the share of the outline `hull` (the estimate's pixels) on a sharp step of the estimate.

    Along the photo's frame the outline is the sheet's where the sheet runs out of the photo, so it counts
    there when the estimate is paper-bright (above Otsu's threshold), and not where the region ran out to
    the frame over the surface.
    """
    outline = np.zeros(estimate.shape, np.uint8)
    cv2.polylines(outline, [hull], True, 1)
    ys, xs = np.nonzero(outline)
    if not len(xs):
        return 0.0
    # the outline is drawn through pixels beside the step: a step within two pixels counts
    near = cv2.dilate(steps(estimate).astype(np.uint8), np.ones((5, 5), np.uint8))
    supported = near[ys, xs] > 0
    frame = (xs < _FRAME) | (ys < _FRAME) | (xs >= estimate.shape[1] - _FRAME) | (ys >= estimate.shape[0] - _FRAME)
    threshold, _ = cv2.threshold(estimate, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    supported[frame] = estimate[ys[frame], xs[frame]] > threshold
    return float(supported.mean())


def sides_run_on(region: PaperRegion, cue: np.ndarray) -> bool:
    """Tell whether a side of the region's quadrilateral runs on past its corners as a step of the cue.

    A paper's edge ends at the sheet's corners; the sharp edge of a hard shadow, or of a table, runs on across
    the photo, and a region bounded by it is part of a sheet however clean its outline. The stretch next to a
    corner, where the neighbouring side steps, is skipped.
    """
    if region.corners is None:
        return False
    height, width = region.mask.shape[:2]
    corners = region.corners * np.float32([cue.shape[1] / width, cue.shape[0] / height])
    stepped = cv2.dilate(steps(cue).astype(np.uint8), np.ones((3, 3), np.uint8))
    reach, skip = _RUN_ON * max(cue.shape), 3.0
    for i in range(4):
        start, end = corners[i], corners[(i + 1) % 4]
        direction = (end - start) / max(1e-6, float(np.linalg.norm(end - start)))
        for corner, outward in ((end, direction), (start, -direction)):
            along = np.arange(skip, reach)
            xs, ys = corner[0] + outward[0] * along, corner[1] + outward[1] * along
            inside = (xs >= 0) & (ys >= 0) & (xs < cue.shape[1] - 1) & (ys < cue.shape[0] - 1)
            if inside.sum() < 0.5 * len(along):
                continue  # the corner is near the frame: nothing to follow
            if float(stepped[ys[inside].round().astype(int), xs[inside].round().astype(int)].mean()) >= _RUN_ON_STEPS:
                return True
    return False


def locate_paper(background: np.ndarray, cue: np.ndarray, full_shape: tuple[int, int]) -> PaperRegion | None:
    """Find the sheet in the background estimate or in the texture-free cue, whichever outlines it better.

    The background estimate (a max filter) keeps the paper's margin of print and is the first choice, but a
    patterned surface's light parts come out as bright as the paper there, so its region may take in the
    surface (dots, newsprint, checks) or the lit part of paper and surface together. The cue's region wins
    when its outline is a sheet's, mostly on sharp edges, and clearly more so than the estimate's
    (`edge_support`); it is used when the estimate shows no sheet at all.

    Args:
        background: the paper-brightness estimate (`ocr.preprocess.estimate_background`).
        cue: the texture-free paper cue (`paper_cue`) of the same photo, at the estimate's resolution.
        full_shape: (height, width) of the full-resolution image.
    """
    first = find_paper(background, full_shape, bridge=False)
    second = find_paper(cue, full_shape, margin=0.0)
    if first is None or second is None:
        return first or second
    return second if _outlines_better(edge_support(first, cue), edge_support(second, cue)) else first


def _outlines_better(support: float, other: float) -> bool:
    """Tell whether an outline with edge support `other` is a sheet's, clearly more so than one with `support`."""
    return other >= max(_SHEET_SUPPORT, support + _SUPPORT_GAIN)
