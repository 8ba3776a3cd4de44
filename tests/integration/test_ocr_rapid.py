"""The second engine (rapidocr): bundled models only, boxes grouped into rows, used when tesseract's reading
leaves the key fields unconfirmed."""

from __future__ import annotations

import sysconfig
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from ocr import rapid
from ocr.geometry import Affine

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not rapid.available(), reason="rapidocr and onnxruntime are not installed"),
]
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"


def _rows_image(rows: list[tuple[str, str]]) -> np.ndarray:
    """A white page with a label on the left and an amount on the right of each row (separate boxes)."""
    font = ImageFont.truetype(FONT, 30)
    image = Image.new("L", (900, 80 + 70 * len(rows)), 255)
    draw = ImageDraw.Draw(image)
    for index, (left, right) in enumerate(rows):
        draw.text((40, 40 + 70 * index), left, font=font, fill=0)
        draw.text((650, 40 + 70 * index), right, font=font, fill=0)
    return np.asarray(image)


def test_models_are_the_ones_inside_the_installed_wheel() -> None:
    paths = rapid.model_paths()
    site = Path(sysconfig.get_paths()["purelib"]).resolve()
    for path in paths.values():
        assert path.is_file()
        assert site in path.resolve().parents


def test_loading_the_engine_downloads_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    from rapidocr.utils import download_file

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("rapidocr tried to download a file")

    monkeypatch.setattr(download_file.DownloadFile, "run", refuse)
    rapid._engine.cache_clear()
    try:
        lines = rapid.read_lines(_rows_image([("SUMA PLN", "52,83")]), Affine())
    finally:
        rapid._engine.cache_clear()
    assert any("52,83" in line.text for line in lines)


def test_boxes_on_one_level_become_one_row_in_page_units() -> None:
    image = _rows_image([("SUMA PLN", "52,83"), ("Razem PTU", "0,24"), ("NIP 8550004295", "")])
    lines = rapid.read_lines(image, Affine.scaling(0.5))
    texts = [line.text for line in lines]
    assert texts[0].replace(" ", "") == "SUMAPLN52,83"
    assert texts[1].replace(" ", "") == "RazemPTU0,24"
    assert "8550004295" in texts[2]
    first = lines[0]
    assert [w.text for w in first.words][-1] == "52,83"
    # boxes are mapped to page units: the amount starts at about half of its 650 px
    assert 300 <= first.words[-1].box.x <= 340


def test_a_box_is_split_into_words_along_its_width() -> None:
    quad = np.array([[100, 10], [300, 10], [300, 40], [100, 40]], dtype=float)
    words = rapid.box_words("SUMA PLN 12,50", 0.9, quad)
    assert [w.text for w in words] == ["SUMA", "PLN", "12,50"]
    assert words[0].box.x == 100 and words[-1].box.right == pytest.approx(300)
    assert words[0].box.right < words[1].box.x < words[2].box.x


def test_a_recognised_line_without_detection() -> None:
    crop = _rows_image([("SUMA PLN", "")])[20:110, :400]
    text, score = rapid.read_line(crop)
    assert text.replace(" ", "") == "SUMAPLN"
    assert score > 0.5


def test_the_reader_asks_the_second_engine_only_when_tesseract_leaves_fields_unconfirmed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import ocr.reader
    from fixtures.documents import make_receipt
    from fixtures.render import render_receipt_png
    from ocr import ReaderConfig, read_document
    from ocr.session import SECOND_ENGINE_STEP

    clean = render_receipt_png(make_receipt(21))
    config = ReaderConfig(image_traits=False, reread_lines=False)
    reading = read_document(clean, config)
    assert not any(SECOND_ENGINE_STEP in page.steps for page in reading.alternates)  # tesseract confirmed it

    monkeypatch.setattr(ocr.reader, "needs_second_reading", lambda _extraction: True)
    reading = read_document(clean, config)
    second = [page for page in reading.alternates if SECOND_ENGINE_STEP in page.steps]
    assert len(second) == len(reading.pages)
    assert any("NIP" in line.text for line in second[0].lines)
    off = read_document(clean, replace(config, second_engine=False))
    assert not any(SECOND_ENGINE_STEP in page.steps for page in off.alternates)


def test_the_row_of_a_sure_total_is_read_by_the_second_engine_and_agrees() -> None:
    from fixtures.documents import expected_fields, make_receipt
    from fixtures.render import render_receipt_png
    from ocr import ReaderConfig, extract_fields, read_document
    from ocr.extract.confirm import confirmations

    spec = make_receipt(21)
    reading = read_document(render_receipt_png(spec), ReaderConfig(image_traits=False))
    rows = confirmations(reading)
    total = extract_fields(reading).fields["total"]
    assert "total" in rows
    assert total.value == expected_fields(spec)["total"] and total.sure
