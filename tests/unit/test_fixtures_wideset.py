"""The widened generator: deterministic per seed, every form and damage kind drawn, splits kept apart."""

from __future__ import annotations

import io
import random
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from fixtures import fonts
from fixtures.app_screens import APP_LOOKS
from fixtures.backgrounds import SURFACES
from fixtures.damage import DAMAGE_KINDS, PhotoDamage, curl, fold, photograph
from fixtures.fonts import RECEIPT_FONTS, FontMissingError, missing_fonts, receipt_font, require_file
from fixtures.invoice_print import render_styled_invoice_pdf
from fixtures.invoice_styles import COLUMN_LAYOUTS, DUE_LABELS, Summary, TitleForm, make_styled_invoice
from fixtures.receipt_print import render_styled_receipt_png, styled_receipt_image
from fixtures.receipt_styles import TOTAL_LABELS, DateForm, NumberForm, Place, VatForm, make_styled_receipt
from fixtures.wideset import (
    PRIMARY_DAMAGE,
    SPLITS,
    SURFACE_NAMES,
    BalancedPick,
    SetSize,
    build_one,
    build_split,
    invoice_photo_plan,
    receipt_photo_plan,
    seed_of,
    split_invoices,
    split_receipts,
)

ONE_EACH = SetSize.scaled(0.01)


# --------------------------------------------------------------------------- determinism


def test_a_styled_receipt_and_its_print_depend_only_on_the_seed() -> None:
    assert make_styled_receipt(17) == make_styled_receipt(17)
    assert make_styled_receipt(17) != make_styled_receipt(18)
    assert render_styled_receipt_png(make_styled_receipt(17)) == render_styled_receipt_png(make_styled_receipt(17))


def test_a_styled_invoice_pdf_depends_only_on_the_seed() -> None:
    first = render_styled_invoice_pdf(make_styled_invoice(5, pages=2))
    assert first == render_styled_invoice_pdf(make_styled_invoice(5, pages=2))
    assert first != render_styled_invoice_pdf(make_styled_invoice(6, pages=2))


def test_a_photo_depends_only_on_its_seed_and_damage() -> None:
    page = styled_receipt_image(make_styled_receipt(3), dpi_scale=0.8)
    damage = PhotoDamage(scale=0.8, folds=2, fold_strength=0.7, curl=0.5, background="checks", low_light=0.5,
                         motion=3.0, falloff=0.5, ink=0.6, jpeg_quality=60)
    assert photograph(page, 9, damage) == photograph(page, 9, damage)
    assert photograph(page, 9, damage) != photograph(page, 10, damage)


def test_a_small_split_is_the_same_bytes_every_time_and_with_any_number_of_jobs() -> None:
    first = [(s.name, s.data) for s in build_split("dev", ONE_EACH)]
    assert first == [(s.name, s.data) for s in build_split("dev", ONE_EACH, jobs=2)]
    assert [name.split("_0")[0] for name, _ in first] == [
        "receipt_photo", "receipt_print", "receipt_pdf", "invoice_pdf", "invoice_scan", "invoice_photo",
        "receipt_screen"]
    assert next(build_split("heldout", ONE_EACH)).data != first[0][1]


def test_dev_and_held_out_seeds_never_meet() -> None:
    dev = {seed_of("dev", kind, i) for kind, _ in SetSize().counts for i in range(1000)}
    held_out = {seed_of("heldout", kind, i) for kind, _ in SetSize().counts for i in range(1000)}
    assert not dev & held_out and min(held_out) == SPLITS["heldout"]
    with pytest.raises(KeyError, match="unknown split"):
        next(build_split("test"))


def test_balanced_pick_gives_every_option_once_in_each_run() -> None:
    options = ("a", "b", "c", "d", "e")
    for cycle in range(3):
        drawn = [BalancedPick("dev", "x", cycle * 5 + i)("dim", options) for i in range(5)]
        assert sorted(drawn) == list(options)


# --------------------------------------------------------------------------- coverage of a split


@pytest.mark.parametrize("split", SPLITS)
def test_every_receipt_font_and_form_is_printed_in_a_split(split: str) -> None:
    styles = [r.style for r in split_receipts(split)]
    assert {s.font for s in styles} == {f.name for f in RECEIPT_FONTS}
    assert {s.date_form for s in styles} == set(DateForm)
    assert {s.number_form for s in styles} == set(NumberForm)
    assert {s.number_place for s in styles} == set(Place)
    bare = [s for s in styles if s.bare_number]  # a quarter print the number with no label
    assert {s.number_place for s in bare} == set(Place) and len(styles) / 6 < len(bare) < len(styles) / 3
    assert {s.vat_form for s in styles} == set(VatForm)
    assert {s.total_label for s in styles} == set(TOTAL_LABELS)
    assert {s.chain for s in styles} == {True, False} and {s.paper_dots for s in styles} == {384, 576}


@pytest.mark.parametrize("split", SPLITS)
def test_every_invoice_layout_is_printed_in_a_split(split: str) -> None:
    invoices = split_invoices(split)
    styles = [invoice.style for invoice, _ in invoices]
    assert {s.title for s in styles} == set(TitleForm)
    assert {s.due_label for s in styles} == set(DUE_LABELS)
    assert {s.columns for s in styles} == set(COLUMN_LAYOUTS)
    assert {s.summary for s in styles} == set(Summary)
    assert {pages for _, pages in invoices} == {1, 2, 3}


@pytest.mark.parametrize("split", SPLITS)
def test_every_damage_kind_and_surface_is_photographed_in_a_split(split: str) -> None:
    damages = [receipt_photo_plan(split, i)[1] for i in range(dict(SetSize().counts)["receipt_photo"])]
    kinds = {kind for damage in damages for kind in damage.kinds()}
    assert kinds == set(DAMAGE_KINDS)
    assert {d.background for d in damages} == set(SURFACE_NAMES)
    assert {d.jpeg_quality for d in damages} <= set(range(50, 91)) and min(d.jpeg_quality for d in damages) < 60
    assert {d.curl_axis for d in damages if d.curl} == {"x", "y"}
    assert sum(d.scale > 3 for d in damages) == len(damages) // 4  # every fourth photo is a ~12 MP frame
    invoice_kinds = {kind for i in range(8) for kind in invoice_photo_plan(split, i)[1].kinds()}
    assert {"folds", "patterned_background", "jpeg"} <= invoice_kinds


def test_each_main_damage_kind_comes_in_three_strengths() -> None:
    plans = [receipt_photo_plan("dev", i)[1] for i in range(48)]
    strengths = {kind: set() for kind in PRIMARY_DAMAGE}
    for i, damage in enumerate(plans):
        pick = BalancedPick("dev", "receipt_photo", i)
        strengths[pick("damage", PRIMARY_DAMAGE)].add(pick("strength", ("light", "medium", "heavy")))
        assert pick("damage", PRIMARY_DAMAGE).replace("_blur", "") in " ".join(damage.kinds())
    assert sum(len(levels) for levels in strengths.values()) >= 2 * len(PRIMARY_DAMAGE)


# --------------------------------------------------------------------------- damage does what it says


def _paper() -> np.ndarray:
    return styled_receipt_image(make_styled_receipt(4), dpi_scale=1.0).astype(np.float32) / 255


def test_curl_narrows_the_paper_and_keeps_it_whole() -> None:
    paper = _paper()
    seen, alpha = curl(paper, np.random.default_rng(1), 0.8, "x")
    width = alpha[alpha.shape[0] // 2].sum()
    assert 0.6 * paper.shape[1] < width < 0.97 * paper.shape[1]
    lengthwise, alpha_y = curl(paper, np.random.default_rng(1), 0.8, "y")
    assert alpha_y[:, paper.shape[1] // 2].sum() < 0.97 * paper.shape[0]
    assert seen.shape == lengthwise.shape == paper.shape


def test_a_fold_leaves_a_crease_darker_than_the_paper_around_it() -> None:
    blank = np.ones((400, 300), np.float32)
    folded = fold(blank, np.random.default_rng(2), 1, 1.0)
    rows = folded.min(axis=1)
    assert rows.min() < 0.8 and np.median(rows) > 0.9


def test_low_light_and_motion_blur_change_the_photo_as_named() -> None:
    page = styled_receipt_image(make_styled_receipt(8), dpi_scale=0.8)
    plain = PhotoDamage(scale=0.8, jpeg_quality=90)

    def decode(damage: PhotoDamage) -> np.ndarray:
        return cv2.imdecode(np.frombuffer(photograph(page, 1, damage), np.uint8), cv2.IMREAD_GRAYSCALE).astype(float)

    base = decode(plain)
    sharp = np.abs(np.diff(base, axis=1)).mean()
    assert np.abs(np.diff(decode(PhotoDamage(scale=0.8, motion=9, motion_angle=0)), axis=1)).mean() < 0.8 * sharp
    dark = decode(PhotoDamage(scale=0.8, low_light=0.9))
    assert dark.shape == base.shape and not np.array_equal(dark, base)


@pytest.mark.parametrize("surface", sorted(SURFACES))
def test_every_surface_is_an_image_in_range(surface: str) -> None:
    image = SURFACES[surface](np.random.default_rng(3), (120, 90))
    assert image.shape == (120, 90, 3) and 0 <= image.min() and image.max() <= 1 and image.std() > 0.005


# --------------------------------------------------------------------------- fonts


def test_every_font_the_generator_prints_with_is_installed() -> None:
    assert missing_fonts() == []


def test_a_missing_font_is_an_error_naming_its_package(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(FontMissingError, match="fonts-example"):
        require_file(Path("/nonexistent/Example.ttf"), "fonts-example")
    ghost = fonts.ReceiptFont("ghost", Path("/nonexistent/Ghost.ttf"), Path("/nonexistent/Ghost.ttf"), "fonts-ghost")
    monkeypatch.setitem(fonts.FONTS_BY_NAME, "ghost", ghost)
    with pytest.raises(FontMissingError, match="fonts-ghost"):
        receipt_font("ghost")
    receipt = make_styled_receipt(2, fonts=["ghost"])
    with pytest.raises(FontMissingError, match="install the Debian package fonts-ghost"):
        styled_receipt_image(receipt)


@pytest.mark.parametrize("font", [f.name for f in RECEIPT_FONTS])
def test_every_font_prints_a_receipt_of_the_paper_width(font: str) -> None:
    receipt = make_styled_receipt(random.Random(font).randrange(1000), fonts=[font])
    image = styled_receipt_image(receipt, dpi_scale=1.5)
    assert image.shape[1] == round(receipt.style.paper_dots * 1.5) and image.shape[0] > image.shape[1]
    ink = image < 128
    assert 0.02 < ink.mean() < 0.35  # printed, not blank and not black


# --------------------------------------------------------------------------- shop apps' screenshots


def test_a_split_screenshots_every_app_look_width_font_and_summary() -> None:
    samples = [build_one(("dev", "receipt_screen", i)) for i in range(10)]
    screens = [s.labels["screen"] for s in samples]
    assert {s["look"] for s in screens} == {look.name for look in APP_LOOKS}
    assert {s["width"] for s in screens} == {720, 1080, 1170}
    assert {s["receipt_font"] for s in screens} == {"mono", "sans"} and {s["summary"] for s in screens} == {True, False}
    assert {s.name.rsplit(".", 1)[1] for s in samples} == {"png", "jpg"}
    for sample in samples:  # a screen is as wide as the phone's, and holds the whole receipt
        image = Image.open(io.BytesIO(sample.data))
        assert image.width == sample.labels["screen"]["width"] and image.height > image.width


def test_a_screenshot_shows_the_receipt_the_labels_describe() -> None:
    sample = build_one(("dev", "receipt_screen", 0))
    receipt = make_styled_receipt(seed_of("dev", "receipt_screen", 0), BalancedPick("dev", "receipt_screen", 0),
                                  [f.name for f in RECEIPT_FONTS if f.pdf])  # fmt: skip
    assert sample.labels["total"] == str(receipt.spec.total) and sample.labels["seller_nip"] == receipt.spec.seller_nip
    assert sample.data == build_one(("dev", "receipt_screen", 0)).data
