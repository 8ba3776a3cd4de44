"""Finding the sheet of paper in a photo's background estimate (`ocr.region.find_paper`)."""

from __future__ import annotations

import cv2
import numpy as np

from ocr.region import find_paper

_SHAPE = (400, 300)  # the background estimate's resolution
_SHEET = (60, 40, 240, 360)  # x0, y0, x1, y1 of the paper


def _background(shade_top: float | None = None) -> np.ndarray:
    """A light sheet (200) on a grey surface (120), optionally under a soft shadow over its top part.

    The shadow darkens paper and surface alike (a ratio, `shade_top` at the top edge, fading to none
    over 60 pixels around a third of the height), as a hand or a phone held over the receipt does.
    """
    image = np.full(_SHAPE, 120, np.float32)
    x0, y0, x1, y1 = _SHEET
    image[y0:y1, x0:x1] = 200
    if shade_top is not None:
        ys = np.arange(_SHAPE[0], dtype=np.float32)[:, None]
        fade = np.clip((ys - 110) / 60, 0, 1)  # 0 under the shadow, 1 in full light
        image *= shade_top + (1 - shade_top) * fade
    return cv2.medianBlur(image.astype(np.uint8), 5)


def _covered(region, y: int) -> bool:
    """Tell whether the found paper covers the middle of the sheet at row `y` (full resolution)."""
    x = (_SHEET[0] + _SHEET[2]) // 2
    return bool(region.mask[y * 4, x * 4] > 0)


def test_an_evenly_lit_sheet_is_found_whole():
    region = find_paper(_background(), (_SHAPE[0] * 4, _SHAPE[1] * 4))
    assert region is not None and _covered(region, 50) and _covered(region, 350)
    assert not region.mask[20 * 4, 150 * 4]  # the surface above the sheet stays outside


def test_a_shadow_over_the_sheet_does_not_cut_its_top_off():
    shaded = _background(shade_top=0.5)
    # the shaded paper (100) is darker than the lit surface (120): a brightness threshold alone splits the sheet
    assert shaded[60, 150] < shaded[380, 150]
    region = find_paper(shaded, (_SHAPE[0] * 4, _SHAPE[1] * 4))
    assert region is not None
    assert _covered(region, 50) and _covered(region, 200) and _covered(region, 350)
    assert not region.mask[390 * 4, 150 * 4]  # the lit surface below the sheet stays outside


def _on_checks(step: int = 12) -> np.ndarray:
    """A receipt (light paper, rows of print) on a check cloth, at a photo's resolution (1600 x 1200)."""
    from PIL import Image, ImageDraw, ImageFont

    ys, xs = np.mgrid[0:1600, 0:1200]
    photo = np.where(((ys // step) + (xs // step)) % 2 == 0, 235, 70).astype(np.uint8)
    sheet = Image.new("L", (600, 1200), 240)
    draw, font = ImageDraw.Draw(sheet), ImageFont.load_default(size=22)
    for i in range(30):
        draw.text((30, 30 + i * 38), f"TOWAR {i:02d}  1 x 12,50  12,50 A", fill=30, font=font)
    photo[200:1400, 300:900] = np.asarray(sheet)
    return cv2.GaussianBlur(photo, (0, 0), 2.5)  # a phone's focus


def test_a_sheet_on_a_check_cloth_is_found_by_the_texture_free_cue():
    from ocr.preprocess import estimate_background
    from ocr.region import paper_cue

    photo = _on_checks()
    # the max filter of the background estimate takes the light checks: the cloth looks like paper
    assert find_paper(estimate_background(photo), photo.shape) is None
    region = find_paper(paper_cue(photo), photo.shape, margin=0.0)
    assert region is not None
    assert region.mask[800, 600] and region.mask[250, 350] and region.mask[1350, 850]  # the sheet, corners too
    assert not region.mask[100, 600] and not region.mask[800, 100]  # the cloth around it
    # no margin: the cue's bright part reaches the sheet's edge, and a rim of cloth would be read with the rows
    assert not region.mask[800, 300 - 20] and not region.mask[800, 900 + 20]
    grown = find_paper(paper_cue(photo), photo.shape)
    assert grown is not None and grown.mask[800, 300 - 20]


def test_a_clean_split_with_a_small_step_is_a_sheet_but_a_blurred_step_is_not():
    sheet = np.full(_SHAPE, 175, np.uint8)  # a white receipt on a light counter: a step of 30 grey levels
    x0, y0, x1, y1 = _SHEET
    sheet[y0:y1, x0:x1] = 205
    assert find_paper(sheet, (_SHAPE[0] * 4, _SHAPE[1] * 4)) is not None
    ramp = np.tile(np.linspace(175, 205, _SHAPE[1]).astype(np.uint8), (_SHAPE[0], 1))  # a gradient, no edge
    assert find_paper(ramp, (_SHAPE[0] * 4, _SHAPE[1] * 4)) is None
