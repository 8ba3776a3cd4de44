"""Image preparation steps for OCR; each works on numpy arrays and the pipeline tracks the geometry."""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from ocr.components import Components, area_reduce, ink_mask, row_score, rows_at_another_angle, shrink, text_components
from ocr.dewarp import apply_warp, chained_share, fit_warp
from ocr.geometry import Affine, Transform, Unbend
from ocr.region import locate_paper, paper_cue

_MIN_COMPONENTS = 15
#: Below this row contrast (`skew_and_rows`) the components are specks, not print: noise 1.15, print >= 1.57.
MIN_ROW_CONTRAST = 1.35
#: ... unless this share of them chains into rows (`ocr.dewarp.chained_share`): noise 0.14, curled print >= 0.77.
MIN_CHAINED = 0.5
NO_ROWS_STEP = "no_rows"  # the step of a page prepared without deskewing, scaling or straightening


@dataclass(frozen=True, eq=False)
class Prepared:
    """An image ready for OCR, the map from its pixels back to the original, and the steps applied.

    `unscaled` is the image before the final scaling to the target text height (`scale` maps its pixels to
    `image` pixels): line crops are enlarged from it so they are resampled only once. It is None when bent
    rows were straightened after scaling (crops then come from `image`, where the rows are straight).
    `unbent` is then the same page before straightening, for a second opinion: the straightening that
    fixes bent rows can turn a sharp digit of a level one into another.
    """

    image: np.ndarray
    to_original: Transform
    steps: tuple[str, ...]
    text_height: float | None = None
    unscaled: np.ndarray | None = None
    scale: float = 1.0
    unbent: Prepared | None = None


def to_grayscale(image: np.ndarray) -> np.ndarray:
    """Return a single-channel uint8 image (RGB input is converted, grey input returned as is)."""
    if image.ndim == 2:
        return image
    return cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)


def estimate_background(gray: np.ndarray) -> np.ndarray:
    """Estimate the paper brightness at low resolution by removing dark text with a max filter.

    The reduction is OpenCV's one-step area average, not `shrink`'s cheaper two steps: the estimate divides
    the whole page, and its grey levels moved by the two-step reduction turned one real photo's deskew by
    0.1 degrees and a digit of its receipt number with it (pl-receipts-dev, paragon_ze_zniżką_orlen).
    """
    side = max(gray.shape[:2])
    factor = min(1.0, 400 / side)
    size = (max(1, round(gray.shape[1] * factor)), max(1, round(gray.shape[0] * factor)))
    small = gray if factor == 1.0 else cv2.resize(gray, size, interpolation=cv2.INTER_AREA)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (9, 9))
    background = cv2.dilate(small, kernel)
    return cv2.medianBlur(background, 15)


def needs_illumination_fix(background: np.ndarray, spread_threshold: int = 40) -> bool:
    """Tell whether the paper brightness varies enough (shadows, vignetting) to be worth flattening."""
    low, high = np.percentile(background, (5, 95))
    return bool(high - low >= spread_threshold)


def normalise_illumination(gray: np.ndarray, background: np.ndarray | None = None) -> np.ndarray:
    """Divide the image by its estimated background so shadows and gradients become white paper."""
    background = estimate_background(gray) if background is None else background
    # bilinear enlargement averages its neighbours, so it is never darker than the darkest of them: a background
    # without black needs no floor at 1 (a pass over 12 MP less)
    floor = int(background.min()) < 1
    background = cv2.resize(background, (gray.shape[1], gray.shape[0]), interpolation=cv2.INTER_LINEAR)
    flat = cv2.divide(gray, np.maximum(background, 1) if floor else background, scale=255)
    low = float(np.percentile(flat[::4, ::4], 1))
    if low >= 200:
        return flat
    return cv2.convertScaleAbs(flat, alpha=255.0 / (255.0 - low), beta=-low * 255.0 / (255.0 - low))


def stretch_contrast(gray: np.ndarray, min_range: float = 110.0) -> np.ndarray | None:
    """Darken faint print (faded thermal paper, light scans): map the ink level to near black, paper to white.

    The ink level is the median of locally dark pixels, so wide margins or a few specks do not fool it.

    Returns:
        The stretched image, or None when the ink is already dark enough against the paper.
    """
    small, _ = shrink(gray, 1200)
    inked = ink_mask(small) > 0
    if inked.mean() < 0.002:
        return None
    ink = float(np.median(small[inked]))
    paper = float(np.percentile(small[~inked], 60))
    if paper - ink >= min_range or paper < 100:
        return None
    alpha = 225.0 / max(1.0, paper - ink)
    return cv2.convertScaleAbs(gray, alpha=alpha, beta=30.0 - ink * alpha)


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
    if len(comps.xs) < _MIN_COMPONENTS:
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


def rotate(gray: np.ndarray, angle: float) -> tuple[np.ndarray, Affine]:
    """Rotate by `angle` degrees (counter-clockwise) on an enlarged white canvas; return image and map."""
    height, width = gray.shape[:2]
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), angle, 1.0)
    cos, sin = abs(matrix[0, 0]), abs(matrix[0, 1])
    new_w, new_h = int(math.ceil(height * sin + width * cos)), int(math.ceil(height * cos + width * sin))
    matrix[0, 2] += new_w / 2 - width / 2
    matrix[1, 2] += new_h / 2 - height / 2
    rotated = cv2.warpAffine(
        gray, matrix, (new_w, new_h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=255
    )
    return rotated, Affine.from_matrix(matrix)


def deskew(
    gray: np.ndarray, min_angle: float = 0.3, components: Components | None = None, angle: float | None = None
) -> tuple[np.ndarray, Affine, float]:
    """Straighten small rotations; return the image, the original-to-new map and the angle corrected.

    `angle`, when already estimated (`skew_and_rows`), is used as it is.
    """
    angle = estimate_skew(gray, components=components) if angle is None else angle
    if abs(angle) < min_angle:
        return gray, Affine(), 0.0
    rotated, matrix = rotate(gray, -angle)
    return rotated, matrix, angle


def _moved(comps: Components, transform: Affine) -> Components:
    """Return the components with their points mapped by `transform` (heights kept)."""
    xs, ys = transform.apply(comps.xs, comps.ys)
    return Components(np.asarray(xs, np.float64), np.asarray(ys, np.float64), comps.heights)


def estimate_text_height(gray: np.ndarray, components: Components | None = None) -> float | None:
    """Estimate the typical character height in pixels from character-like connected components."""
    comps = components if components is not None else text_components(gray)
    if len(comps.heights) < _MIN_COMPONENTS:
        return None
    return float(np.median(comps.heights))


def scale_to_text_height(
    gray: np.ndarray, text_height: float | None, target: int, max_pixels: int
) -> tuple[np.ndarray, float]:
    """Resize so characters are about `target` pixels tall, within `max_pixels`; return image and factor."""
    factor = 1.0 if not text_height else min(4.0, max(0.25, target / text_height))
    pixels = gray.shape[0] * gray.shape[1]
    factor = min(factor, math.sqrt(max_pixels / pixels))
    if 0.9 <= factor <= 1.12:
        return gray, 1.0
    size = (max(1, round(gray.shape[1] * factor)), max(1, round(gray.shape[0] * factor)))
    if factor > 1:
        return cv2.resize(gray, size, interpolation=cv2.INTER_CUBIC), factor
    return area_reduce(gray, size), factor


def binarise(gray: np.ndarray, text_height: float | None = None) -> np.ndarray:
    """Return a black-on-white image using a local (adaptive) threshold sized to the text."""
    block = int(max(15, round((text_height or 30) * 1.5))) | 1
    return cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_GAUSSIAN_C, cv2.THRESH_BINARY, block, 15)


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
    its labels). And the words outside must line up in rows at the receipt's own skew (that of the print
    inside): newsprint or a leaflet under a rotated receipt is print too, but its rows run at the other
    sheet's angle, and some of its letters always sit on a receipt row's baseline by chance.
    """
    comps = text_components(gray)
    if len(comps.xs) < _MIN_COMPONENTS:
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
    if int((in_words & beside(in_y, in_x, in_h, reach).any(axis=1)).sum()) < enough:
        return False
    words = Components(out_x[in_words], out_y[in_words], out_h[in_words])
    skew = estimate_skew(gray, components=Components(in_x, in_y, in_h))
    return not rows_at_another_angle(words, skew, MIN_ROW_CONTRAST)


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


def _isolate_paper(
    gray: np.ndarray, background: np.ndarray, original: np.ndarray
) -> tuple[np.ndarray, Affine | None, str]:
    """Blank everything outside the paper and crop (or rectify) to it; return image, map and step name.

    Print outside the paper is looked for in the `original` photo: flattening the light first would turn
    the texture of a towel or a carpet around the receipt into crisp character-like specks. A patterned
    surface (newsprint, checks, dots) may come out of the background estimate as bright as the paper, so
    the sheet is also looked for in the texture-free cue (`paper_cue`, chosen by `locate_paper`).
    """
    paper = locate_paper(background, paper_cue(original), gray.shape[:2])
    if paper is None or _text_outside(original, paper.mask):
        return gray, None, ""
    gray = _lift_paper(gray, paper.mask)
    if paper.corners is not None and needs_rectifying(paper.corners):
        image, matrix = rectify(gray, paper.corners, paper.mask)
        return image, matrix, "rectify"
    x, y, w, h = paper.box
    blanked = np.where(paper.mask > 0, gray, np.uint8(255)).astype(np.uint8)
    return blanked[y : y + h, x : x + w], Affine.translation(-x, -y), "crop"


def _paper(original: np.ndarray, stretch: bool) -> tuple[np.ndarray, Transform, list[str]]:
    """Flatten the light, isolate the paper and (when asked and needed) darken faint print; return the image,
    the map from `original` to it and the steps applied."""
    steps: list[str] = []
    forward: Transform = Affine()
    gray = original
    background = estimate_background(gray)
    if needs_illumination_fix(background):
        gray = normalise_illumination(gray, background)
        steps.append("normalise_illumination")
    gray, crop, step = _isolate_paper(gray, background, original)
    if crop is not None:
        forward = forward.then(crop)
        steps.append(step)
    stretched = stretch_contrast(gray) if stretch else None
    if stretched is not None:
        gray = stretched
        steps.append("stretch_contrast")
    return gray, forward, steps


def prepare_for_ocr(
    rgb: np.ndarray,
    target_text_height: int = 30,
    max_pixels: int = 10_000_000,
    stretch: bool = False,
    dewarp: bool = True,
) -> Prepared:
    """Run the preparation pipeline, choosing each step by what the image needs.

    Args:
        rgb: the decoded page as an RGB (or greyscale) uint8 array.
        target_text_height: the character height, in pixels, the OCR engine reads best.
        max_pixels: upper bound on the prepared image's pixel count.
        stretch: darken faint print (used when a first reading found almost no text).
        dewarp: straighten bent rows of print (`ocr.dewarp`).

    Returns:
        A `Prepared` value: the greyscale image for OCR, the map back to `rgb` pixel coordinates
        and the names of the steps that were applied.
    """
    original = to_grayscale(rgb)
    gray, forward, steps = _paper(original, stretch)
    components = text_components(gray)
    angle, rows = skew_and_rows(gray, components=components)
    if 0 < rows < MIN_ROW_CONTRAST and chained_share(components) < MIN_CHAINED:
        # specks lining up in no rows (a dark, noisy photo with no print to see): flattening the light,
        # enlarging and straightening fit print, and turned the noise into seconds of tesseract; the photo is
        # read as it is, as the command line would read it. Rows curled or bent along their length line up at
        # no single angle either, but chain letter by letter (`chained_share`)
        return Prepared(original, Affine(), (NO_ROWS_STEP,), None, original, 1.0)
    if 0 < rows < MIN_ROW_CONTRAST:
        # rows chained but curled or bowed: the best single angle fits none of them (a bowed receipt's left
        # halves tilted it by 8 degrees), so the page is left unturned and `fit_warp` straightens each row
        angle = 0.0
    gray, rotation, angle = deskew(gray, components=components, angle=angle)
    if angle:
        forward = forward.then(rotation)
        steps.append(f"deskew:{angle:+.1f}")
        components = _moved(components, rotation)
    text_height = estimate_text_height(gray, components)
    unscaled: np.ndarray | None = gray
    gray, factor = scale_to_text_height(gray, text_height, target_text_height, max_pixels)
    if factor != 1.0:
        forward = forward.then(Affine.scaling(factor))
        steps.append(f"scale:{factor:.2f}")
        components = Components(components.xs * factor, components.ys * factor, components.heights * factor)
    # straightened at the reading resolution, so the small print of a photo is resampled from sharp pixels
    warp = fit_warp(components, (gray.shape[1], gray.shape[0])) if dewarp else None
    unbent = None
    if warp is not None:
        unbent = Prepared(gray, forward.inverse(), tuple(steps), text_height, unscaled, factor)
        gray = apply_warp(gray, warp)
        forward = forward.then(Unbend(warp.shift))
        steps.append("dewarp")
        unscaled = None
    return Prepared(gray, forward.inverse(), tuple(steps), text_height, unscaled, factor, unbent)
