"""Finding the sheet of paper in a photo's background estimate (`ocr.region.find_paper`, `locate_paper`)."""

from __future__ import annotations

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from ocr.edges import steps, straight_edges
from ocr.preprocess import estimate_background
from ocr.region import (
    PaperRegion,
    _outlines_better,
    edge_support,
    find_paper,
    locate_paper,
    paper_cue,
    sides_run_on,
)

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
    ys, xs = np.mgrid[0:1600, 0:1200]
    photo = np.where(((ys // step) + (xs // step)) % 2 == 0, 235, 70).astype(np.uint8)
    sheet = Image.new("L", (600, 1200), 240)
    draw, font = ImageDraw.Draw(sheet), ImageFont.load_default(size=22)
    for i in range(30):
        draw.text((30, 30 + i * 38), f"TOWAR {i:02d}  1 x 12,50  12,50 A", fill=30, font=font)
    photo[200:1400, 300:900] = np.asarray(sheet)
    return cv2.GaussianBlur(photo, (0, 0), 2.5)  # a phone's focus


def test_a_sheet_on_a_check_cloth_is_found_by_the_texture_free_cue():
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


def _on_dots_in_shadow() -> np.ndarray:
    """A receipt on a dotted cloth (light dots on dark), a shadow over the top of photo and sheet alike."""
    ys, xs = np.mgrid[0:1600, 0:1200]
    photo = np.where((ys % 40 - 20) ** 2 + (xs % 40 - 20) ** 2 < 100, 240, 90).astype(np.float32)
    sheet = Image.new("L", (600, 1200), 240)
    draw, font = ImageDraw.Draw(sheet), ImageFont.load_default(size=22)
    for i in range(30):
        draw.text((30, 30 + i * 38), f"TOWAR {i:02d}  1 x 12,50  12,50 A", fill=30, font=font)
    photo[200:1400, 300:900] = np.asarray(sheet)
    photo *= 0.45 + 0.55 * np.clip((ys - 500) / 200, 0, 1)
    return cv2.GaussianBlur(photo.astype(np.uint8), (0, 0), 2.0)


def test_a_sheet_whose_lit_part_merges_with_a_patterned_surface_is_outlined_by_its_edges():
    photo = _on_dots_in_shadow()
    background, cue = estimate_background(photo), paper_cue(photo)
    # the max filter makes the lit dots as bright as the paper: the estimate's region is the lit part of both
    lit = find_paper(background, photo.shape)
    assert lit is not None and lit.mask[1500, 100] and not lit.mask[250, 350]
    region = locate_paper(background, cue, photo.shape)
    assert region is not None and edge_support(region, cue) > 0.9 > 0.3 > edge_support(lit, cue)
    assert region.mask[250, 350] and region.mask[800, 600] and region.mask[1350, 850]  # the whole sheet ...
    assert not region.mask[1500, 100] and not region.mask[100, 600]  # ... and no cloth


def test_a_sheet_on_a_plain_surface_keeps_the_estimates_outline_and_its_margin():
    image = _background()
    region = locate_paper(image, image, (_SHAPE[0] * 4, _SHAPE[1] * 4))  # a plain surface: the cue is the same
    assert region is not None and region.mask[200 * 4, (_SHEET[0] - 3) * 4]  # grown past the sheet's edge


def test_a_sheet_whose_edge_vanishes_against_a_lit_spot_is_bridged_along_its_straight_sides():
    wide = (400, 360)
    ys, xs = np.mgrid[0 : wide[0], 0 : wide[1]].astype(np.float32)
    # a light falloff over the surface: a spot right of the sheet as bright as the paper, so the middle of
    # the sheet's right edge has no step and the region inside the steps runs out over all of the surface
    image = 110 + 100 * np.exp(-(((ys - 200) / 70) ** 2)) * np.clip((xs - 150) / 90, 0, 1)
    x0, y0, x1, y1 = _SHEET
    image[y0:y1, x0:x1] = 200
    image = cv2.GaussianBlur(image.astype(np.uint8), (0, 0), 1.5)
    full = (wide[0] * 4, wide[1] * 4)
    region = find_paper(image, full, margin=0.0)
    assert region is not None and region.corners is not None
    assert region.mask[200 * 4, 150 * 4] and not region.mask[200 * 4, 300 * 4]  # the sheet, not the spot
    assert abs(region.box[0] + region.box[2] - x1 * 4) <= 12  # its right side where the edge is
    spilled = find_paper(image, full, margin=0.0, bridge=False)  # closing small gaps only
    assert spilled is not None and spilled.mask[200 * 4, 300 * 4]


def test_the_parallel_edges_of_stripes_are_not_taken_for_a_sheets_sides():
    ys, xs = np.mgrid[0:400, 0:360]
    cue = np.where(((xs + ys) // 40) % 2 == 0, 220, 100).astype(np.uint8)  # wide diagonal stripes
    x0, y0, x1, y1 = _SHEET
    cue[y0:y1, x0:x1] = 230
    cue = cv2.GaussianBlur(cue, (0, 0), 1.0)
    lines = straight_edges(cue, steps(cue).astype(np.uint8)) > 0
    assert lines.sum() > 2 * (x1 - x0 + y1 - y0)  # the sheet's four sides ...
    near_sides = (np.abs(xs - x0) <= 8) | (np.abs(xs - x1) <= 8) | (np.abs(ys - y0) <= 8) | (np.abs(ys - y1) <= 8)
    assert not (lines & ~near_sides).any()  # ... and no stripe


def test_outline_along_the_frame_is_the_sheets_only_where_the_paper_runs_out_of_the_photo():
    cue = np.full(_SHAPE, 120, np.uint8)
    x0, _, x1, _ = _SHEET
    cue[:, x0:x1] = 200  # a long receipt running out of the photo at the top and the bottom
    cue = cv2.medianBlur(cue, 5)
    sheet = np.int32([[x0, 0], [x1 - 1, 0], [x1 - 1, _SHAPE[0] - 1], [x0, _SHAPE[0] - 1]])
    spilled = np.int32([[0, 0], [x1 - 1, 0], [x1 - 1, _SHAPE[0] - 1], [0, _SHAPE[0] - 1]])  # out over the surface
    mask = np.zeros(_SHAPE, np.uint8)
    assert edge_support(PaperRegion(mask, (0, 0, 1, 1), hull=sheet.reshape(-1, 1, 2)), cue) > 0.95
    assert edge_support(PaperRegion(mask, (0, 0, 1, 1), hull=spilled.reshape(-1, 1, 2)), cue) < 0.7


def test_the_cues_outline_replaces_the_estimates_only_when_it_is_a_sheets():
    assert _outlines_better(0.3, 1.0)  # the estimate's region took in the surface: the cue's is the sheet
    assert not _outlines_better(0.9, 1.0)  # both outline the sheet: the estimate's keeps its margin of print
    assert not _outlines_better(0.24, 0.59)  # both partial: the cue's is no sheet either


def test_a_side_running_on_past_the_corners_is_a_line_across_the_photo_not_the_sheets_edge():
    cue = np.full((400, 360), 110, np.float32)
    x0, y0, x1, y1 = _SHEET
    cue[y0:y1, x0:x1] = 220
    cue[:, 170:] *= 0.5  # a hard shadow's edge down the photo, across the sheet
    cue = cue.astype(np.uint8)
    mask = np.zeros((1600, 1440), np.uint8)

    def region(right: int) -> PaperRegion:
        corners = np.float32([[x0, y0], [right, y0], [right, y1], [x0, y1]]) * 4
        return PaperRegion(mask, (0, 0, 1, 1), corners=corners)

    assert sides_run_on(region(170), cue)  # the lit part: its right side is the shadow's edge
    assert not sides_run_on(region(x1), cue)  # the whole sheet: its edges end at its corners
