"""Build a `DocumentReading` from plain text, laying words out monospace (for tests and replaying text)."""

from __future__ import annotations

import re

from ocr.model import Box, DocumentReading, Line, PageReading, PageSource, Word

_WORD = re.compile(r"\S+")


def _line(text: str, row: int, char_width: float, line_height: float, confidence: float) -> Line:
    """Place each word of a text line at its character column."""
    top = row * line_height
    words = tuple(
        Word(m.group(0), confidence, Box(m.start() * char_width, top, len(m.group(0)) * char_width, line_height * 0.8))
        for m in _WORD.finditer(text)
    )
    return Line(" ".join(w.text for w in words), words, Box.union(w.box for w in words))


def reading_from_text(
    text: str,
    media_type: str = "text/plain",
    confidence: float = 0.95,
    char_width: float = 10.0,
    line_height: float = 20.0,
) -> DocumentReading:
    """Return a one-page-per-form-feed reading whose words sit at monospace positions of `text`.

    Args:
        text: the document text; pages separated by form feeds (\\f); blank lines are kept as gaps.
        media_type: the media type to record.
        confidence: the confidence given to every word.
        char_width: width of one character column in page units.
        line_height: height of one text row in page units.

    Returns:
        A `DocumentReading` with OCR-sourced pages, one `Line` per non-blank text line.
    """
    pages: list[PageReading] = []
    for number, page_text in enumerate(text.split("\f"), start=1):
        rows = page_text.splitlines()
        lines = tuple(_line(row, i, char_width, line_height, confidence) for i, row in enumerate(rows) if row.strip())
        width = max((len(r) for r in rows), default=0) * char_width
        pages.append(PageReading(number, width, len(rows) * line_height, PageSource.OCR, lines, confidence))
    return DocumentReading(media_type, tuple(pages), 0.0)
