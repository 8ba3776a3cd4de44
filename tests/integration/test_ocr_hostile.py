"""Hostile and broken uploads end in a clear error code (or an empty reading), bounded by the sandbox.

No test here measures time: each read is bounded by the sandbox's wall clock, so a regression shows
up as a `read_timeout` code instead of a hung test run.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ocr import OcrError, ReaderConfig, extract_file_result
from ocr.formats import sniff_media_type
from ocr.quality import check_photo
from ocr.sandbox import read_document_forked
from tests.hostile.make_corpus import CASES, make_corpus

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract is not installed"),
]
CONFIG = ReaderConfig(timeout_s=20)
WALL_CLOCK_S = 40
#: Safe to read in the test process too: every one is refused before any heavy work. Not the PDF bomb, and not
#: the 20-page G4 TIFF: its 40 MP pages are within the pixel limit, so it is read until the reader's own timeout
#: (20 s of CPU and ~1 GB here for the same `read_timeout` the sandboxed test above already checks).
IN_PROCESS = sorted(set(CASES) - {"compression-bomb.pdf", "g4-20-pages-6320.tiff"})


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> dict[str, Path]:
    return make_corpus(tmp_path_factory.mktemp("hostile"))


@pytest.mark.parametrize("name", sorted(CASES))
def test_isolated_read_ends_in_a_clear_outcome(corpus, name):
    allowed = CASES[name][1]
    data = corpus[name].read_bytes()
    try:
        reading = read_document_forked(data, CONFIG, timeout_s=WALL_CLOCK_S)  # as the worker reads
    except OcrError as exc:
        assert exc.code in allowed, f"{name}: {exc.code} ({exc.__cause__})"
        assert exc.message
    else:
        assert not allowed, f"{name} was read, expected one of {sorted(allowed)}"
        assert reading.media_type == sniff_media_type(data)


@pytest.mark.parametrize("name", IN_PROCESS)
def test_extract_file_result_reports_the_error_code(corpus, name):
    allowed = CASES[name][1]
    result = extract_file_result(corpus[name].read_bytes(), name, CONFIG)
    if allowed:
        assert result["error"]["code"] in allowed and result["error"]["message"]
    else:
        assert result["error"] is None


def test_png_named_jpg_is_read_as_png(corpus):
    result = extract_file_result(corpus["receipt-png-named.jpg"].read_bytes(), "receipt.jpg", CONFIG)
    assert result["error"] is None and result["kind"] == "receipt" and result["fields"]["total"]


def test_pdf_of_a_cat_is_unreadable_not_an_error(corpus):
    result = extract_file_result(corpus["cat.pdf"].read_bytes(), "cat.pdf", CONFIG)
    assert result["error"] is None and not result["quality"]["ok"]
    assert all(value is None for value in result["fields"].values())


@pytest.mark.parametrize("name", sorted(CASES))
def test_upload_gate_never_raises(corpus, name):
    data = corpus[name].read_bytes()
    quality = check_photo(data, sniff_media_type(data) or "")
    assert quality.ok or quality.problems
