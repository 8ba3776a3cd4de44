"""Preprocessing steps on synthetic images: skew, text height, illumination, paper crop, speed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from ocr.model import Box
from ocr.preprocess import (
    INVERT_STEP,
    MIN_ROW_CONTRAST,
    estimate_background,
    estimate_skew,
    estimate_text_height,
    light_print_on_dark,
    needs_illumination_fix,
    normalise_illumination,
    prepare_for_ocr,
    rotate,
    skew_and_rows,
    stretch_contrast,
    to_grayscale,
)
from ocr.sheet import _text_outside

SAMPLES = Path(__file__).resolve().parents[2] / "fixtures" / "samples"


def _row(i: int) -> str:
    return f"SPRZEDAZ OPODATKOWANA A {i:03d},99 PLN"


def _text_page(
    width: int = 1200, height: int = 1600, size: int = 30, lines: int = 30, texts: Callable[[int], str] = _row
) -> np.ndarray:
    image = Image.new("L", (width, height), 240)
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=size)
    for i in range(lines):
        draw.text((60, 60 + i * int(size * 1.6)), texts(i), fill=20, font=font)
    return np.asarray(image)


@pytest.mark.parametrize("angle", [-4.0, -1.5, 2.0, 5.0, 10.0])
def test_skew_is_estimated(angle):
    rotated, _ = rotate(_text_page(), angle)
    assert abs(estimate_skew(rotated) - angle) <= 0.3


def test_a_dark_photo_of_sensor_noise_is_read_as_it_is():
    photo = np.asarray(Image.open(SAMPLES / "photo-unreadable.jpg").convert("L"))  # a dark photo, no print
    prepared = prepare_for_ocr(photo)
    assert prepared.steps == ("no_rows",) and prepared.image is photo and prepared.scale == 1.0
    _, rows = skew_and_rows(_text_page())
    assert rows >= 1.6  # print lines up


def _bowed(page: np.ndarray, sag: float) -> np.ndarray:
    """The page with its rows bowed: they sag by `sag` pixels towards the middle, as on a receipt held curled."""
    height, width = page.shape
    xs = np.arange(width, dtype=np.float32)
    bow = sag * ((xs - width / 2) / (width / 2)) ** 2
    rows = np.arange(height, dtype=np.float32)[:, None] - bow[None, :] + sag
    return cv2.remap(page, np.tile(xs, (height, 1)), rows, cv2.INTER_LINEAR, borderValue=240)


def test_bowed_rows_are_print_and_are_straightened_without_turning_the_page():
    page = _text_page(texts=lambda i: f"SPRZEDAZ OPODATKOWANA A {i:03d},99 PLN 12,50")  # rows across the width
    bowed = _bowed(page, 150)
    angle, rows = skew_and_rows(bowed)
    assert rows < MIN_ROW_CONTRAST and abs(angle) > 3  # no angle lines the rows up: the best one is of no row
    prepared = prepare_for_ocr(bowed)
    assert "dewarp" in prepared.steps and not any(step.startswith("deskew") for step in prepared.steps)
    assert skew_and_rows(prepared.image)[1] >= 3  # straight rows again


def test_text_height_follows_font_size():
    small, large = estimate_text_height(_text_page(size=20)), estimate_text_height(_text_page(size=40))
    assert small is not None and large is not None
    assert 1.6 < large / small < 2.4


def test_blank_page_has_no_text_height():
    assert estimate_text_height(np.full((500, 500), 255, np.uint8)) is None


def test_shadow_is_flattened():
    page = _text_page().astype(np.float32)
    shade = np.linspace(1.0, 0.45, page.shape[1], dtype=np.float32)[None, :]
    shadowed = (page * shade).astype(np.uint8)
    assert needs_illumination_fix(estimate_background(shadowed))
    flat = normalise_illumination(shadowed)
    left, right = flat[:, 20:40], flat[:, -40:-20]
    assert abs(float(np.median(left)) - float(np.median(right))) < 15


def _photo(width: int = 4000, height: int = 3000, page: np.ndarray | None = None) -> np.ndarray:
    """A 12-megapixel 'photo': a receipt (or `page`) on a dark brown table, slightly rotated."""
    page = cv2.cvtColor(_text_page(1400, 2400, size=36, lines=40) if page is None else page, cv2.COLOR_GRAY2RGB)
    photo = np.zeros((height, width, 3), np.uint8)
    photo[:] = (90, 60, 40)
    y, x = (height - page.shape[0]) // 2, (width - page.shape[1]) // 2
    photo[y : y + page.shape[0], x : x + page.shape[1]] = page
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), 3.0, 1.0)
    return cv2.warpAffine(photo, matrix, (width, height), borderValue=(90, 60, 40))


def test_photo_pipeline_rectifies_a_whole_sheet_and_maps_back():
    photo = _photo()
    prepared = prepare_for_ocr(photo)
    assert "rectify" in prepared.steps
    residual = [abs(float(s.split(":")[1])) for s in prepared.steps if s.startswith("deskew")]
    assert all(angle < 1.0 for angle in residual)  # the sheet is upright already
    height, width = prepared.image.shape
    corner = prepared.to_original.apply_box(Box(0, 0, width, height))
    assert corner.x > 1000 and corner.right < 3000


def test_a_rectified_sheet_is_not_turned_by_the_shadows_of_its_folds():
    page = _text_page(1400, 2400, size=36, lines=8).copy()  # an invoice: few rows of print
    for y0 in (900, 1300, 1700):
        for x in range(0, 1400, 28):  # a crease's mottled shadow, 2 degrees off the rows
            y = int(y0 - 50 * x / 1400)
            cv2.rectangle(page, (x, y - 22), (x + 16, y), 90, -1)
    prepared = prepare_for_ocr(_photo(page=page))
    assert "rectify" in prepared.steps
    assert all(abs(float(s.split(":")[1])) <= 1.0 for s in prepared.steps if s.startswith("deskew"))


def test_a_whole_sheet_on_newsprint_is_cropped_though_the_newsprint_lines_up_with_it():
    rng = np.random.default_rng(3)
    news = Image.new("L", (1400, 1800), 150)  # a grey newspaper: rows of small print, level with the receipt
    draw, small = ImageDraw.Draw(news), ImageFont.load_default(size=24)
    letters = np.array(list("abcdefghijklmnoprstuwyz0123456789"))
    for y in range(10, 1780, 34):
        draw.text((10, y), " ".join("".join(rng.choice(letters, 5)) for _ in range(14)), fill=30, font=small)
    photo = np.asarray(news).copy()
    photo[300:1500, 350:1050] = _text_page(700, 1200, size=28, lines=24)
    photo = cv2.GaussianBlur(photo, (0, 0), 1.2)
    sheet = np.zeros(photo.shape, np.uint8)
    sheet[300:1500, 350:1050] = 255
    assert _text_outside(photo, sheet)  # the newsprint's rows run on beside the receipt's
    # but the sheet's outline is a sharp edge all round: no shadow cut it, so that print is another sheet's
    assert "crop" in prepare_for_ocr(photo).steps


def test_sheet_running_out_of_the_frame_is_cropped_and_deskewed():
    photo = _photo()[600:2400]  # the receipt's ends are cut off: its outline there is the frame's
    prepared = prepare_for_ocr(photo)
    assert "crop" in prepared.steps and any(s.startswith("deskew") for s in prepared.steps)


def test_faint_print_is_stretched_only_when_asked_and_needed():
    faint = (255 - (255 - _text_page()) * 0.3).astype(np.uint8)
    assert stretch_contrast(_text_page()) is None
    stretched = stretch_contrast(faint)
    assert stretched is not None and np.percentile(stretched, 1) < np.percentile(faint, 1) - 80
    assert "stretch_contrast" in prepare_for_ocr(faint, stretch=True).steps
    assert "stretch_contrast" not in prepare_for_ocr(faint).steps


def test_print_continuing_outside_the_found_paper_is_noticed():
    page = _text_page()
    whole = np.full(page.shape, 255, np.uint8)
    left_half = whole.copy()
    left_half[:, page.shape[1] // 2 :] = 0  # a shadow made the right half look like table
    assert not _text_outside(page, whole)
    assert _text_outside(page, left_half)
    specks = np.full(page.shape, 240, np.uint8)
    rng = np.random.default_rng(1)
    for x, y in rng.integers(0, 1100, size=(300, 2)):
        cv2.circle(specks, (int(x) + 50, int(y) + 250), 6, 30, -1)
    assert not _text_outside(specks, left_half)  # random texture outside is not print


def test_print_continuing_above_the_found_paper_in_its_column_is_noticed():
    # a fold's shaded band across the receipt ended the paper found below it: the header above is blanked
    page = _text_page()
    lower = np.full(page.shape, 255, np.uint8)
    lower[: page.shape[0] // 3] = 0
    assert _text_outside(page, lower)
    specks = page.copy()
    specks[: page.shape[0] // 3] = 240
    rng = np.random.default_rng(1)
    for x, y in rng.integers(0, page.shape[0] // 3 - 20, size=(300, 2)):
        cv2.circle(specks, (int(x) % page.shape[1], int(y)), 6, 30, -1)
    assert not _text_outside(specks, lower)  # random texture above is not print


def test_newsprint_under_a_rotated_receipt_is_not_print_cut_off_the_receipt():
    rng = np.random.default_rng(3)
    news = Image.new("L", (1400, 1800), 225)  # a newspaper: rows of small print, level
    draw, small = ImageDraw.Draw(news), ImageFont.load_default(size=24)
    letters = np.array(list("abcdefghijklmnoprstuwyz0123456789"))
    for y in range(10, 1780, 34):
        draw.text((10, y), " ".join("".join(rng.choice(letters, 5)) for _ in range(14)), fill=40, font=small)
    photo = np.asarray(news).copy()
    receipt, _ = rotate(_text_page(700, 1200, size=28, lines=24), 8.0)  # turned 8 degrees on the paper
    sheet = np.zeros(photo.shape, np.uint8)
    outline, _ = rotate(np.zeros((1200, 700), np.uint8), 8.0)  # the rotated sheet: 0 inside, 255 around
    y, x = 200, 300
    region = (slice(y, y + receipt.shape[0]), slice(x, x + receipt.shape[1]))
    sheet[region] = np.where(outline == 0, 255, 0)
    photo[region] = np.where(outline == 0, receipt, photo[region])
    assert not _text_outside(photo, sheet)
    # the same receipt cut by a shadow across its rows: its own print runs on outside the found part
    cut = sheet.copy()
    cut[:, x + receipt.shape[1] // 2 :] = 0
    assert _text_outside(photo, cut)


def test_the_paper_of_a_dim_photo_is_made_white_before_its_surroundings_are_blanked():
    ys, xs = np.mgrid[0:1600, 0:1200]
    photo = np.where(((ys // 12) + (xs // 12)) % 2 == 0, 235, 70).astype(np.uint8)  # a check cloth
    photo[200:1400, 300:900] = _text_page(600, 1200, size=22, lines=28)
    dim = (cv2.GaussianBlur(photo, (0, 0), 2.5) * 0.8).astype(np.uint8)  # evenly dim: no light to flatten
    assert not needs_illumination_fix(estimate_background(dim))
    prepared = prepare_for_ocr(dim)
    assert "crop" in prepared.steps or "rectify" in prepared.steps
    # grey paper between white blanked margins is the dark class of tesseract's global threshold
    assert np.percentile(prepared.image, 50) >= 230


@pytest.mark.parametrize("seed", range(6))
def test_normalise_illumination_is_the_division_by_the_floored_background(seed):
    """Skipping the floor at 1 when the background has no black changes no pixel: the bilinear enlargement of a
    background is never darker than its darkest pixel."""
    rng = np.random.default_rng(seed)
    gray = rng.integers(0, 256, (173, 251), dtype=np.uint8)
    background = rng.integers(1 if seed % 2 else 0, 4 if seed < 2 else 256, (19, 29), dtype=np.uint8)
    enlarged = cv2.resize(background, (251, 173), interpolation=cv2.INTER_LINEAR)
    flat = cv2.divide(gray, np.maximum(enlarged, 1), scale=255)
    low = float(np.percentile(flat[::4, ::4], 1))
    expected = flat if low >= 200 else cv2.convertScaleAbs(
        flat, alpha=255.0 / (255.0 - low), beta=-low * 255.0 / (255.0 - low))
    assert np.array_equal(normalise_illumination(gray, background), expected)


def test_area_reduce_halves_by_whole_pixels_and_averages_the_rest_like_a_direct_reduction():
    from ocr.components import area_reduce, shrink

    rng = np.random.default_rng(3)
    smooth = cv2.GaussianBlur((rng.random((1201, 803)) * 255).astype(np.uint8), (0, 0), 4)
    # a whole factor: exactly the 2x2 averages of the image without its odd last row and column
    halved = area_reduce(smooth, (401, 600))
    expected = smooth[:1200, :802].reshape(600, 2, 401, 2).mean(axis=(1, 3))
    assert halved.shape == (600, 401)
    assert np.abs(halved.astype(float) - expected).max() <= 0.5 + 1e-9
    # any other factor: the size asked for, within a grey level of OpenCV's one-step area reduction
    reduced, factor = shrink(smooth, 500)
    direct = cv2.resize(smooth, (reduced.shape[1], reduced.shape[0]), interpolation=cv2.INTER_AREA)
    assert max(reduced.shape) == 500 and factor == pytest.approx(500 / 1201)
    assert np.abs(reduced.astype(int) - direct.astype(int)).mean() < 1.0
    # never enlarged
    assert area_reduce(smooth, (803, 1201)) is smooth


def test_light_print_on_a_dark_ground_is_turned_dark_on_light():
    page = _text_page()
    dark_theme = 255 - page  # an app's dark theme: light print on a near-black screen
    assert light_print_on_dark(dark_theme) and not light_print_on_dark(page)
    prepared = prepare_for_ocr(np.dstack([dark_theme] * 3))
    assert prepared.steps[0] == INVERT_STEP
    assert np.median(prepared.image) > 200  # the ground is light again, as the engines read best


def test_a_receipt_on_a_dark_table_keeps_its_polarity():
    photo = _photo()  # a light sheet of dark print on a dark brown table
    assert not light_print_on_dark(to_grayscale(photo))
    assert INVERT_STEP not in prepare_for_ocr(photo).steps
    # a white receipt card in a dark app's frame: the frame's light titles are fewer than the card's print
    screen = np.zeros((2400, 1300), np.uint8)
    screen[:200] = 255 - _text_page(1300, 200, lines=2)
    screen[300:1900, 50:1250] = _text_page(1200, 1600)
    assert not light_print_on_dark(screen)
