"""Straightening bent rows (ocr.dewarp) and the transforms that keep word boxes in original pixels."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from ocr.components import text_components
from ocr.dewarp import apply_warp, fit_warp
from ocr.geometry import Affine, Bend, Chain, Unbend
from ocr.model import Box
from ocr.preprocess import prepare_for_ocr

_ROWS = 14


def _page(bend: float) -> np.ndarray:
    """A receipt-like page of 14 rows of text whose rows sag by `bend` pixels at the sides."""
    height, width = 900, 700
    flat = np.full((height, width), 255, np.uint8)
    for row in range(_ROWS):
        text = f"POZYCJA {row:02d} ILOSC 1 x 12,{row:02d} = 12,{row:02d} A"
        cv2.putText(flat, text, (20, 60 + row * 58), cv2.FONT_HERSHEY_SIMPLEX, 0.8, 0, 2, cv2.LINE_AA)
    xs, ys = np.meshgrid(np.arange(width, dtype=np.float32), np.arange(height, dtype=np.float32))
    sag = bend * ((xs - width / 2) / (width / 2)) ** 2
    return cv2.remap(flat, xs, ys - sag, cv2.INTER_LINEAR, borderValue=255)


def _baseline_spread(gray: np.ndarray) -> float:
    """Median over rows of the spread (max - min) of character bottoms, in pixels."""
    comps = text_components(gray)
    rows = np.round((comps.ys - 60) / 58).astype(int)
    return float(np.median([np.ptp(comps.ys[rows == r]) for r in np.unique(rows) if (rows == r).sum() > 5]))


def test_flat_page_is_left_alone():
    page = _page(0.0)
    assert fit_warp(text_components(page), (page.shape[1], page.shape[0])) is None


def test_bent_rows_become_straight():
    page = _page(40.0)
    warp = fit_warp(text_components(page), (page.shape[1], page.shape[0]))
    assert warp is not None
    straight = apply_warp(page, warp)
    assert _baseline_spread(page) > 30 and _baseline_spread(straight) < 8


def test_prepared_bent_page_maps_word_boxes_back_to_the_photo():
    page = _page(40.0)
    prepared = prepare_for_ocr(cv2.cvtColor(page, cv2.COLOR_GRAY2RGB), target_text_height=20)
    assert "dewarp" in prepared.steps and prepared.unscaled is None
    forward = prepared.to_original.inverse()
    for x, y in ((40.0, 60.0), (350.0, 400.0), (660.0, 800.0)):
        assert prepared.to_original.apply(*forward.apply(x, y)) == pytest.approx((x, y), abs=0.05)
    # the left end of a row sags ~35 px in the photo: its straightened position is level with the middle
    left = forward.apply(25.0, 60.0 + 3 * 58 + 40.0 * ((25 - 350) / 350) ** 2)
    middle = forward.apply(350.0, 60.0 + 3 * 58)
    assert abs(left[1] - middle[1]) < 3


def test_dewarp_can_be_switched_off():
    page = cv2.cvtColor(_page(40.0), cv2.COLOR_GRAY2RGB)
    assert "dewarp" not in prepare_for_ocr(page, target_text_height=20, dewarp=False).steps


def test_bend_and_unbend_are_inverse_and_chain_with_affine_steps():
    def shift(x: float, y: float) -> float:
        return 0.0004 * (x - 300) ** 2 + 0.01 * y

    chain = Affine.translation(5, -7).then(Unbend(shift)).then(Affine.scaling(2.0))
    assert isinstance(chain, Chain) and len(chain.steps) == 3
    back = chain.inverse()
    for point in ((0.0, 0.0), (123.0, 456.0), (600.0, 30.0)):
        assert back.apply(*chain.apply(*point)) == pytest.approx(point, abs=1e-6)
    assert Bend(shift).inverse().apply(*Bend(shift).apply(50.0, 60.0)) == pytest.approx((50.0, 60.0), abs=1e-6)
    box = back.apply_box(Box(10, 10, 100, 20))
    assert box.w > 0 and box.h > 0
    assert Affine.scaling(2.0).then(Affine.translation(1, 1)) == Affine(a=2.0, c=1.0, e=2.0, f=1.0)
