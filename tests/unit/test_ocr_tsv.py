"""Tesseract TSV parsing, line grouping and mapping boxes back to the original page."""

from __future__ import annotations

import math

import pytest

from ocr.config import ReaderConfig
from ocr.geometry import Affine
from ocr.lines import build_lines, group_into_rows
from ocr.model import Box, Word
from ocr.tesseract import build_command, parse_tsv

HEADER = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext"
TSV = "\n".join(
    [
        HEADER,
        "1\t1\t0\t0\t0\t0\t0\t0\t600\t400\t-1\t",
        "4\t1\t1\t1\t1\t0\t10\t10\t300\t20\t-1\t",
        "5\t1\t1\t1\t1\t1\t10\t10\t80\t20\t96.5\tSUMA",
        "5\t1\t1\t1\t1\t2\t100\t10\t60\t20\t91\tPLN",
        "5\t1\t1\t1\t1\t3\t200\t12\t90\t20\t45.25\t52,83",
        "5\t1\t1\t1\t2\t1\t10\t50\t80\t20\t-1\t ",
        "5\t1\t2\t1\t1\t1\t10\t50\t70\t20\t88\tKarta",
        "5\t1\t3\t1\t1\t1\t400\t52\t70\t18\t90\t52,83",
        "garbage line",
    ]
)


def test_parse_words_with_confidence_scaled():
    words = parse_tsv(TSV)
    assert [w.text for w in words] == ["SUMA", "PLN", "52,83", "Karta", "52,83"]
    assert words[0].confidence == 0.965 and words[2].confidence == 0.453
    assert words[0].box == Box(10, 10, 80, 20)
    assert (words[3].block, words[3].paragraph, words[3].line) == (2, 1, 1)


def test_words_in_separate_blocks_on_one_row_are_merged():
    rows = group_into_rows(parse_tsv(TSV))
    assert [[w.text for w in row] for row in rows] == [["SUMA", "PLN", "52,83"], ["Karta", "52,83"]]


def test_build_lines_maps_boxes_to_original_pixels():
    to_original = Affine.scaling(2.0).inverse()
    lines = build_lines(parse_tsv(TSV), to_original.apply_box)
    assert lines[0].text == "SUMA PLN 52,83"
    assert lines[0].words[0].box == Box(5, 5, 40, 10)
    assert lines[0].box == Box(5, 5, 140, 11)


def test_words_without_engine_ids_are_grouped_by_position():
    words = [
        Word("b", 1.0, Box(50, 101, 10, 10)),
        Word("a", 1.0, Box(0, 100, 10, 10)),
        Word("c", 1.0, Box(0, 130, 10, 10)),
    ]
    assert [line.text for line in build_lines(words)] == ["a b", "c"]


def test_affine_round_trip_and_rotation():
    forward = Affine.translation(-10, -20).then(Affine.scaling(1.5))
    x, y = forward.inverse().apply(*forward.apply(33, 44))
    assert math.isclose(x, 33) and math.isclose(y, 44)
    rotation = Affine(a=0.0, b=-1.0, c=0.0, d=1.0, e=0.0, f=0.0)
    assert rotation.apply_box(Box(0, 0, 10, 2)) == Box(-2, 0, 2, 10)


def test_command_limits_threads_and_reads_stdin():
    command = build_command(ReaderConfig(tesseract_cmd="/opt/tess", languages="pol", psm=4))
    assert command[:5] == ["env", "OMP_THREAD_LIMIT=1", "/opt/tess", "stdin", "stdout"]
    assert command[-1] == "tsv" and "--psm" in command and command[command.index("--psm") + 1] == "4"
    assert command[command.index("-l") + 1] == "pol"


def test_projective_map_composes_and_inverts():
    import cv2
    import numpy as np

    src = np.float32([[10, 20], [410, 35], [430, 620], [0, 600]])
    dst = np.float32([[0, 0], [400, 0], [400, 600], [0, 600]])
    warp = Affine.from_matrix(cv2.getPerspectiveTransform(src, dst))
    assert not warp.is_affine
    for (x, y), (u, v) in zip(src.tolist(), dst.tolist(), strict=True):
        assert warp.apply(x, y) == pytest.approx((u, v), abs=1e-3)
    chain = warp.then(Affine.scaling(0.5))
    back = chain.inverse()
    assert back.apply(*chain.apply(123.0, 456.0)) == pytest.approx((123.0, 456.0), abs=1e-6)
