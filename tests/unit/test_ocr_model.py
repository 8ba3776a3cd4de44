"""Reading values: JSON round trip and convenience properties."""

from __future__ import annotations

import json

from ocr.model import Box, DocumentReading, Line, PageReading, PageSource, Word
from ocr.textreading import reading_from_text


def _reading() -> DocumentReading:
    words = (Word("SUMA", 0.97, Box(1.5, 2.0, 30.0, 10.0), 1, 1, 1), Word("12,30", 0.5, Box(40.0, 2.0, 20.0, 10.0)))
    page = PageReading(1, 600.0, 800.0, PageSource.OCR, (Line.from_words(words),), 0.735, ("deskew:+1.2",))
    pdf_page = PageReading(2, 595.3, 841.9, PageSource.PDF_TEXT, (), 1.0)
    return DocumentReading("application/pdf", (page, pdf_page), 1.25)


def test_round_trip_through_json():
    reading = _reading()
    data = json.loads(json.dumps(reading.to_dict()))
    assert DocumentReading.from_dict(data) == reading
    assert data["pages"][0]["source"] == "ocr" and data["pages"][1]["source"] == "pdf_text"


def test_text_and_confidence():
    reading = _reading()
    assert reading.text == "SUMA 12,30"
    assert abs(reading.mean_confidence - 0.735) < 1e-9
    assert reading.pages[0].lines[0].box == Box(1.5, 2.0, 58.5, 10.0)


def test_reading_from_text_places_words_by_column():
    reading = reading_from_text("ab  cd\n\nef")
    lines = reading.pages[0].lines
    assert [line.text for line in lines] == ["ab cd", "ef"]
    assert lines[0].words[1].box.x == 40.0 and lines[1].box.y == 40.0
    assert DocumentReading.from_dict(reading.to_dict()) == reading
