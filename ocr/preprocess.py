"""Image preparation steps for OCR; each works on numpy arrays and the pipeline tracks the geometry."""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from ocr.components import (
    MIN_COMPONENTS,
    MIN_ROW_CONTRAST,
    Components,
    area_reduce,
    estimate_skew,
    ink_mask,
    shrink,
    skew_and_rows,
    text_components,
)
from ocr.dewarp import apply_warp, chained_share, fit_warp
from ocr.geometry import Affine, Transform, Unbend
from ocr.sheet import isolate_paper

#: Components below `MIN_ROW_CONTRAST` are print still when this share chains into rows (`ocr.dewarp.chained_share`):
#: noise 0.14, curled print 0.77 and more.
MIN_CHAINED = 0.5
_RECTIFIED_SKEW = 1.0  # the most a rectified sheet's rows can lean: what its low-resolution corners miss
INVERT_STEP = "invert"  # the step of a page whose light print on a dark ground was turned dark on light
POLARITY_WIDTH = 900  # the width (pixels) the print's polarity is judged at
POLARITY_TILE = 24  # the side (pixels at that width) of a tile judged on its own: about a line of print
POLARITY_CONTRAST = 80  # the grey levels between a tile's darkest and lightest pixel for it to hold print
POLARITY_MIN_TILES = 30  # the fewest tiles of light print on a dark ground that turn a page
LIGHT_ON_DARK = 4.0  # how many times the tiles with a light ground those with a dark one must outnumber
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


def light_print_on_dark(gray: np.ndarray) -> bool:
    """Tell whether the page's print is light on a dark ground (an app's dark theme, screenshotted).

    The page is cut into tiles of about a line's height; in a tile with clear contrast, print is the
    minority of its pixels and the ground the majority. The page is light on dark when tiles with a dark
    ground outnumber those with a light one `LIGHT_ON_DARK` times over. Paper lying on a dark table has its
    print on a light ground, and the table's tiles have no contrast; a white receipt card in a dark app's
    frame keeps its polarity too, its print outnumbering the frame's.
    """
    height, width = gray.shape[:2]
    small = gray
    if width > POLARITY_WIDTH:
        small = area_reduce(gray, (POLARITY_WIDTH, round(height * POLARITY_WIDTH / width)))
    rows, cols = small.shape[0] // POLARITY_TILE, small.shape[1] // POLARITY_TILE
    if not rows or not cols:
        return False
    tiles = small[: rows * POLARITY_TILE, : cols * POLARITY_TILE].reshape(rows, POLARITY_TILE, cols, POLARITY_TILE)
    tiles = tiles.swapaxes(1, 2).reshape(rows * cols, -1).astype(np.int16)
    low, high = tiles.min(axis=1), tiles.max(axis=1)
    clear = high - low > POLARITY_CONTRAST
    light_share = (tiles[clear] > ((low + high) // 2)[clear, None]).mean(axis=1)
    light_grounds, dark_grounds = int((light_share > 0.65).sum()), int((light_share < 0.35).sum())
    return dark_grounds >= POLARITY_MIN_TILES and dark_grounds > LIGHT_ON_DARK * light_grounds


def estimate_background(gray: np.ndarray) -> np.ndarray:
    """Estimate the paper brightness at low resolution by removing dark text with a max filter.

    The reduction is OpenCV's one-step area average, not `shrink`'s cheaper two steps: the estimate divides
    the whole page, and its grey levels moved by the two-step reduction turned one real photo's deskew by
    0.1 degrees and a digit of its receipt number with it (pl-receipts-dev, paragon_ze_zniżką_orlen).
    """
    small, _ = shrink(gray, 400, one_step=True)
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
    if len(comps.heights) < MIN_COMPONENTS:
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


def _paper(original: np.ndarray, stretch: bool) -> tuple[np.ndarray, np.ndarray, Transform, list[str]]:
    """Turn light print on a dark ground dark on light, flatten the light, isolate the paper and (when asked and
    needed) darken faint print; return the original as turned, the image, the map from the original to it and
    the steps applied."""
    steps: list[str] = []
    if light_print_on_dark(original):
        original = cv2.bitwise_not(original)
        steps.append(INVERT_STEP)
    forward: Transform = Affine()
    gray = original
    background = estimate_background(gray)
    if needs_illumination_fix(background):
        gray = normalise_illumination(gray, background)
        steps.append("normalise_illumination")
    gray, crop, step = isolate_paper(gray, background, original)
    if crop is not None:
        forward = forward.then(crop)
        steps.append(step)
    stretched = stretch_contrast(gray) if stretch else None
    if stretched is not None:
        gray = stretched
        steps.append("stretch_contrast")
    return original, gray, forward, steps


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
    original, gray, forward, steps = _paper(to_grayscale(rgb), stretch)
    components = text_components(gray)
    angle, rows = skew_and_rows(gray, components=components)
    if 0 < rows < MIN_ROW_CONTRAST and chained_share(components) < MIN_CHAINED:
        # specks lining up in no rows (a dark, noisy photo with no print to see): flattening the light,
        # enlarging and straightening fit print, and turned the noise into seconds of tesseract; the photo is
        # read as it is, as the command line would read it. Rows curled or bent along their length line up at
        # no single angle either, but chain letter by letter (`chained_share`)
        return Prepared(original, Affine(), (NO_ROWS_STEP,), None, original, 1.0)
    if "rectify" in steps and abs(angle) > _RECTIFIED_SKEW:
        # the rectified sheet is upright: rows of print run square to its edges, and a larger angle is that of
        # something else lining up (the shadow of a fold across an invoice turned it by 2 degrees)
        angle = estimate_skew(gray, _RECTIFIED_SKEW, components)
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
