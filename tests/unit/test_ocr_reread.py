"""Re-reading the row of an unconfirmed total or date on its own (ocr.reread, ocr.extract.reread)."""

from __future__ import annotations

import shutil
import time

import cv2
import numpy as np
import pytest

from ocr import ReaderConfig, extract_fields
from ocr.extract import reread_value
from ocr.geometry import Affine
from ocr.model import Box, DocumentReading, Line, PageReading, PageSource, Word
from ocr.reread import PageImage, Row, crop_row, find_row, read_row, reread_key_fields
from ocr.textreading import reading_from_text

needs_tesseract = pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract is not installed")

_ORIGIN_X, _BASELINE, _FONT_SCALE = 40, 100, 1.2


def _line(words: list[tuple[str, Box]], confidence: float = 0.9) -> Line:
    return Line.from_words(Word(text, confidence, box) for text, box in words)


def _reread(text: str, region: Box, field: str = "total", page: int = 1) -> PageReading:
    """A re-read row: one line with words spread over `region`, its box the region."""
    width = region.w / max(1, len(text.split()))
    words = [
        (w, Box(region.x + i * width, region.y + 2, width * 0.8, region.h - 4)) for i, w in enumerate(text.split())
    ]
    line = Line(text, _line(words).words, region)
    return PageReading(page, 800, 600, PageSource.OCR, (line,), 0.9, (f"reread:{field}", "psm:7"))


def _row(reading: DocumentReading, field: str) -> Row | None:
    """The row of a field of a text reading (page units are the pixels of a blank page image)."""
    page = reading.pages[0]
    pixels = np.full((int(page.height), int(page.width)), 255, np.uint8)
    image = PageImage(1, pixels, Affine(), (page.width, page.height), 16.0)
    return find_row(reading, extract_fields(reading).fields[field], image)


def _receipt() -> DocumentReading:
    return reading_from_text("SHOP SDN BHD\nDate: 11/03/2018\nCOFFEE 5.00\nTOTAL 20.15\nTHANK YOU")


def test_reread_row_replaces_the_field_and_stays_unconfirmed():
    reading = _receipt()
    total = extract_fields(reading).fields["total"]
    row = _row(reading, "total")
    assert total.value == "20.15" and row is not None and row.region.y == 60.0
    region = row.region
    patched = DocumentReading(reading.media_type, reading.pages, rereads=(_reread("TOTAL 25.15", region),))
    fields = extract_fields(patched).fields
    assert fields["total"].value == "25.15" and not fields["total"].sure
    assert all(region.y <= b.box.centre_y <= region.bottom for b in fields["total"].boxes)
    assert fields["date"].value == "2018-03-11"  # other fields keep the page reading
    assert extract_fields(DocumentReading.from_dict(patched.to_dict())).fields["total"].value == "25.15"


def test_reread_row_is_confirmed_only_by_the_documents_arithmetic():
    # two digits misread: too far from what the other lines imply for the extractor to repair it alone
    reading = reading_from_text("SUBTOTAL 23.00\nGST 6% 2.15\nTOTAL 28.75\nCASH 30.00\nCHANGE 4.85")
    assert extract_fields(reading).fields["total"].value == "28.75"
    row = _row(reading, "total")
    assert row is not None
    value = reread_value(reading, _reread("TOTAL 25.15", row.region))
    assert value is not None and value.value == "25.15" and value.sure  # cash - change and subtotal + tax agree


def test_reread_row_without_the_label_gives_nothing():
    reading = _receipt()
    row = _row(reading, "total")
    assert row is not None
    assert reread_value(reading, _reread("me 2515.", row.region)) is None
    patched = DocumentReading(reading.media_type, reading.pages, rereads=(_reread("me 2515.", row.region),))
    assert extract_fields(patched).fields["total"].value == "20.15"


def test_crop_maps_back_to_page_units():
    image = np.full((200, 400), 255, np.uint8)
    page = PageImage(1, image, Affine.scaling(2.0), (800.0, 400.0))  # page units are twice the pixels
    crop = crop_row(page, Box(50, 50, 200, 20), 2.5)  # the row's pixels: page units halved
    assert crop is not None
    pixels, to_page = crop
    # the row (20 px) with 4 px margins, enlarged 2.5x, padded by half an enlarged row on each side
    assert pixels.shape[1] > 400 * 2.5 / 2 and pixels.shape[0] == round((20 + 2 * 4) * 2.5) + 2 * 25
    # the crop's pixels sit inside the row's page region once mapped back
    x, y = to_page.apply(pixels.shape[1] / 2, pixels.shape[0] / 2)
    assert 100 < x < 500 and 100 < y < 140


def _rendered_page(text: str) -> tuple[PageImage, list[tuple[str, Box]]]:
    """Render one line of text with OpenCV; return the page and each word's box in pixels."""
    image = np.full((200, 900), 255, np.uint8)
    cv2.putText(image, text, (_ORIGIN_X, _BASELINE), cv2.FONT_HERSHEY_SIMPLEX, _FONT_SCALE, 0, 2, cv2.LINE_AA)
    words, x = [], _ORIGIN_X
    for word in text.split():
        (w, h), _ = cv2.getTextSize(word, cv2.FONT_HERSHEY_SIMPLEX, _FONT_SCALE, 2)
        words.append((word, Box(x, _BASELINE - h, w, h)))
        x += w + cv2.getTextSize(" ", cv2.FONT_HERSHEY_SIMPLEX, _FONT_SCALE, 2)[0][0]
    return PageImage(1, image, Affine(), (900.0, 200.0), 26.0), words


def _page_reading(words: list[tuple[str, Box]]) -> DocumentReading:
    line = _line(words)
    page = PageReading(1, 900, 200, PageSource.OCR, (line,), 0.9)
    return DocumentReading("image/png", (page,))


@needs_tesseract
def test_misread_total_is_corrected_from_the_enlarged_row():
    page, words = _rendered_page("TOTAL 25.15")
    misread = [(text.replace("25.15", "20.15"), box) for text, box in words]
    reading = reread_key_fields(_page_reading(misread), {1: page}, ReaderConfig(), time.monotonic() + 30)
    total = extract_fields(reading).fields["total"]
    assert [p.steps[0] for p in reading.rereads] == ["reread:total"]
    assert total.value == "25.15" and not total.sure
    amount = words[1][1]
    assert all(abs(b.box.x - amount.x) < 15 and abs(b.box.centre_y - amount.centre_y) < 10 for b in total.boxes)


@needs_tesseract
def test_row_read_right_by_the_page_is_left_alone():
    page, words = _rendered_page("TOTAL 25.15")
    reading = reread_key_fields(_page_reading(words), {1: page}, ReaderConfig(), time.monotonic() + 30)
    assert reading.rereads == () and extract_fields(reading).fields["total"].value == "25.15"


@needs_tesseract
def test_row_read_at_one_scale_has_page_boxes():
    page, words = _rendered_page("TOTAL 25.15")
    region = Box.union(box for _, box in words)
    row = read_row(page, Row(region, region), 2.5, "total", ReaderConfig(), time.monotonic() + 30)
    assert row is not None and row.lines[0].box == region and "25.15" in row.lines[0].text


def test_deadline_passed_keeps_the_reading():
    page, words = _rendered_page("TOTAL 25.15")
    misread = _page_reading([(text.replace("25.15", "20.15"), box) for text, box in words])
    assert reread_key_fields(misread, {1: page}, ReaderConfig(), time.monotonic() - 1) is misread


def test_row_of_a_tilted_page_is_level_in_the_page_image():
    """Page units of a photo turned by 10 degrees: the row's page box is tall, its image box one row high."""
    turn = Affine.from_matrix(cv2.getRotationMatrix2D((400, 300), 10, 1.0))  # image pixels -> page units
    words = [("SUMA", Box(100, 200, 80, 20)), ("PLN", Box(200, 200, 60, 20)), ("25,15", Box(400, 200, 90, 20))]
    below = [("KARTA", Box(100, 230, 90, 20)), ("25,15", Box(400, 230, 90, 20))]
    lines = [Line.from_words(Word(t, 0.9, turn.apply_box(b)) for t, b in row) for row in (words, below)]
    reading = DocumentReading("image/png", (PageReading(1, 800, 600, PageSource.OCR, tuple(lines), 0.9),))
    page = PageImage(1, np.full((600, 800), 255, np.uint8), turn, (800.0, 600.0), 20.0)
    total = extract_fields(reading).fields["total"]
    row = find_row(reading, total, page)
    assert row is not None and lines[0].box.h > 60  # tilted in page units
    assert row.pixels.centre_y == pytest.approx(210, abs=2) and row.pixels.h == 25  # the row's middle, 1.25 rows
    assert row.pixels.x < 110 and row.pixels.right > 480  # from SUMA to the amount, KARTA below left out
    assert row.region == lines[0].box


def test_reread_row_does_not_replace_a_confirmed_value_without_confirming_its_own():
    # the readings confirm 774.86 (the card payment); a re-read of its row reading 774.60 does not
    reading = reading_from_text("PARAGON FISKALNY\nSUMA PLN 774,86\nNIP nabywcy: -\nKarta 774,86\n")
    assert extract_fields(reading).fields["total"].sure
    row = _row(reading, "total")
    assert row is not None
    patched = DocumentReading(reading.media_type, reading.pages, rereads=(_reread("SUMA PLN 774,60", row.region),))
    total = extract_fields(patched).fields["total"]
    assert (total.value, total.sure) == ("774.86", True)


@needs_tesseract
def test_the_callers_extraction_is_used_rather_than_extracting_again(monkeypatch):
    from ocr import reread
    from ocr.extract import extract_printed

    page, words = _rendered_page("TOTAL 25.15")
    misread = _page_reading([(text.replace("25.15", "20.15"), box) for text, box in words])
    extraction = extract_printed(misread)
    monkeypatch.setattr(reread, "extract_printed", lambda reading: pytest.fail("extracted again"))
    reading = reread_key_fields(misread, {1: page}, ReaderConfig(), time.monotonic() + 30, extraction)
    assert [p.steps[0] for p in reading.rereads] == ["reread:total"]
