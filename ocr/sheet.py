"""The sheet of a photo isolated for reading: its surroundings blanked, cropped to it or rectified.

The sheet is found by `ocr.region`; here it is checked against print running on outside it (a shadow cut
it), its paper lifted to white and the photo cropped, or warped upright when its outline is a skewed
quadrilateral.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from ocr.components import (
    MIN_COMPONENTS,
    MIN_ROW_CONTRAST,
    Components,
    estimate_skew,
    rows_at_another_angle,
    text_components,
)
from ocr.geometry import Affine
from ocr.region import edge_support, locate_paper, paper_cue, sides_run_on

_WHOLE_SHEET = 0.95  # a quadrilateral outline this much on sharp edges is a whole sheet's (`_isolate_paper`)
_COLUMN_WORDS = 12  # characters outside in the print's column that mean the paper found is part of the sheet
_COLUMN_REACH = 8.0  # ... within this many character heights above its first row or below its last


def _corner_angles(corners: np.ndarray) -> list[float]:
    """Return the interior angles (degrees) of a quadrilateral given in order."""
    angles = []
    for i in range(4):
        prev, here, nxt = corners[i - 1], corners[i], corners[(i + 1) % 4]
        u, v = prev - here, nxt - here
        cos = float(np.dot(u, v) / (np.linalg.norm(u) * np.linalg.norm(v) + 1e-9))
        angles.append(math.degrees(math.acos(max(-1.0, min(1.0, cos)))))
    return angles


def needs_rectifying(corners: np.ndarray, min_degrees: float = 1.5) -> bool:
    """Tell whether a sheet's outline is visibly skewed or keystoned (not an upright rectangle)."""
    top = corners[1] - corners[0]
    tilt = abs(math.degrees(math.atan2(float(top[1]), float(top[0]))))
    return tilt > min_degrees or max(abs(a - 90.0) for a in _corner_angles(corners)) > min_degrees


def rectify(
    gray: np.ndarray, corners: np.ndarray, mask: np.ndarray, margin: float = 0.015
) -> tuple[np.ndarray, Affine]:
    """Warp the quadrilateral sheet to an upright rectangle, blanking what lies outside the paper.

    Args:
        gray: the greyscale photo.
        corners: the sheet's corners (top-left, top-right, bottom-right, bottom-left), photo pixels.
        mask: the paper mask at the photo's resolution (255 = paper).
        margin: how far to grow the outline (fraction of its size) so print at the edge is kept.

    Returns:
        The rectified image and the (projective) map from photo pixels to it.
    """
    centre = corners.mean(axis=0)
    grown = (centre + (corners - centre) * (1 + 2 * margin)).astype(np.float32)
    tl, tr, br, bl = grown
    width = int(round(max(np.linalg.norm(tr - tl), np.linalg.norm(br - bl))))
    height = int(round(max(np.linalg.norm(bl - tl), np.linalg.norm(br - tr))))
    target = np.float32([[0, 0], [width, 0], [width, height], [0, height]])
    matrix = cv2.getPerspectiveTransform(grown, target)
    warped = cv2.warpPerspective(gray, matrix, (width, height), flags=cv2.INTER_LINEAR, borderValue=255)
    inside = cv2.warpPerspective(mask, matrix, (width, height), flags=cv2.INTER_NEAREST, borderValue=0)
    warped[inside == 0] = 255
    return warped, Affine.from_matrix(matrix)


def _text_outside(gray: np.ndarray, mask: np.ndarray, enough: int = 5, reach: float = 40.0) -> bool:
    """Tell whether lines of print continue outside the found paper (a shadow or a light counter cut it).

    Specks of a towel, a carpet or wood grain lie outside too, so a component outside counts only when it
    is part of a word (two neighbours of its size on its baseline) and sits on the baseline of print
    inside the paper, within `reach` character heights (the amounts column of a receipt is far from
    its labels), or stands in the print's columns a few rows above or below it (a fold's band ended the paper
    found under the header: `_above_or_below`). And the words outside must line up in rows at the receipt's
    own skew (that of the print
    inside): newsprint or a leaflet under a rotated receipt is print too, but its rows run at the other
    sheet's angle, and some of its letters always sit on a receipt row's baseline by chance.
    """
    comps = text_components(gray)
    if len(comps.xs) < MIN_COMPONENTS:
        return False
    xs = np.clip(comps.xs.astype(np.int64), 0, mask.shape[1] - 1)
    ys = np.clip((comps.ys - comps.heights / 2).astype(np.int64), 0, mask.shape[0] - 1)
    inside = mask[ys, xs] > 0
    if inside.all() or not inside.any():
        return False
    out_y, out_x, out_h = comps.ys[~inside], comps.xs[~inside], comps.heights[~inside]
    in_y, in_x, in_h = comps.ys[inside], comps.xs[inside], comps.heights[inside]

    def beside(ys: np.ndarray, xs: np.ndarray, hs: np.ndarray, distance: float) -> np.ndarray:
        """Pairs (outside, other) on one baseline, of one size, within `distance` heights."""
        size = out_h[:, None]
        return (
            (np.abs(out_y[:, None] - ys[None, :]) <= 0.25 * size)
            & (np.abs(out_h[:, None] - hs[None, :]) <= 0.25 * size)
            & (np.abs(out_x[:, None] - xs[None, :]) <= distance * size)
        )

    word = beside(out_y, out_x, out_h, 1.6)
    np.fill_diagonal(word, False)
    in_words = word.sum(axis=1) >= 2
    printed = Components(in_x, in_y, in_h)
    on_rows = in_words & beside(in_y, in_x, in_h, reach).any(axis=1)
    in_column = in_words & _above_or_below(Components(out_x, out_y, out_h), printed)
    if int(on_rows.sum()) < enough and int(in_column.sum()) < _COLUMN_WORDS:
        return False
    words = Components(out_x[in_words], out_y[in_words], out_h[in_words])
    skew = estimate_skew(gray, components=printed)
    return not rows_at_another_angle(words, skew, MIN_ROW_CONTRAST)


def _above_or_below(outside: Components, inside: Components) -> np.ndarray:
    """Tell which components outside the paper continue its print above or below it: within the span of its
    print's columns and a few rows from its first or last row. A fold's or a shadow's band across a receipt
    can end the paper found there, and the header (seller, NIP, date) above it is then blanked away."""
    if len(inside.xs) < MIN_COMPONENTS:
        return np.zeros(len(outside.xs), dtype=bool)
    left, right = np.percentile(inside.xs, [2, 98])
    top, bottom = np.percentile(inside.ys, [1, 99])
    reach = _COLUMN_REACH * float(np.median(inside.heights))
    above = (outside.ys < top) & (outside.ys >= top - reach)
    below = (outside.ys > bottom) & (outside.ys <= bottom + reach)
    return (outside.xs >= left) & (outside.xs <= right) & (above | below)


_WHITE_PAPER = 235  # paper darker than this (a dim photo, evenly lit, so not flattened) is lifted to white


def _lift_paper(gray: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Scale the grey levels so the paper is white, when it is not (a dim photo the light was not flattened in).

    What lies outside the paper is blanked to white, and so are the corners a rotation adds: grey paper
    between white margins is then the darker class of tesseract's global threshold, and the whole receipt
    turns into one black blob (nothing is read at all).
    """
    level = float(np.percentile(gray[mask > 0][::7], 90))
    if level >= _WHITE_PAPER or level < 60:
        return gray
    return cv2.convertScaleAbs(gray, alpha=255.0 / level)


def isolate_paper(
    gray: np.ndarray, background: np.ndarray, original: np.ndarray
) -> tuple[np.ndarray, Affine | None, str]:
    """Blank everything outside the paper and crop (or rectify) to it; return image, map and step name.

    Print outside the paper is looked for in the `original` photo: flattening the light first would turn
    the texture of a towel or a carpet around the receipt into crisp character-like specks. A patterned
    surface (newsprint, checks, dots) may come out of the background estimate as bright as the paper, so
    the sheet is also looked for in the texture-free cue (`paper_cue`, chosen by `locate_paper`).

    A sheet outlined as a clean quadrilateral on sharp edges all round (`edge_support`), edges that end at
    its corners (`sides_run_on`: a hard shadow's runs on), is not cut by a shadow or a light falloff, so
    print outside it is another sheet's (newsprint under the receipt) and is not looked for: that search,
    and reading the newsprint with the receipt, cost a patterned photo 25 s.
    """
    cue = paper_cue(original)
    paper = locate_paper(background, cue, gray.shape[:2])
    if paper is None:
        return gray, None, ""
    whole = paper.corners is not None and edge_support(paper, cue) >= _WHOLE_SHEET and not sides_run_on(paper, cue)
    if not whole and _text_outside(original, paper.mask):
        return gray, None, ""
    gray = _lift_paper(gray, paper.mask)
    if paper.corners is not None and needs_rectifying(paper.corners):
        image, matrix = rectify(gray, paper.corners, paper.mask)
        return image, matrix, "rectify"
    x, y, w, h = paper.box
    blanked = np.where(paper.mask > 0, gray, np.uint8(255)).astype(np.uint8)
    return blanked[y : y + h, x : x + w], Affine.translation(-x, -y), "crop"
