"""Text lines prepared for pattern matching: folded text, and spans mapped back to words and boxes."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from ocr.extract.values import FieldValue, PageBox
from ocr.model import Box, DocumentReading, Line, Word

_SPECIAL_FOLDS = {"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ß": "s"}


def fold_char(ch: str) -> str:
    """Return one lower-case ASCII-ish character for `ch` (accents removed, length preserved)."""
    if ch in _SPECIAL_FOLDS:
        return _SPECIAL_FOLDS[ch].lower()
    base = unicodedata.normalize("NFKD", ch)[:1] or ch
    lower = base.lower()
    return lower if len(lower) == 1 else base


class _FoldTable(dict[int, str]):
    """`fold_char` of each code point, computed the first time `str.translate` meets it: folding a document's
    lines one character at a time in Python cost ~13 ms on a 12 MP photo, twice per document."""

    def __missing__(self, code: int) -> str:
        folded = self[code] = fold_char(chr(code))
        return folded


_FOLDS = _FoldTable()


def fold_lower(text: str) -> str:
    """Fold text for label matching: lower case, no diacritics, same length as the input."""
    return text.translate(_FOLDS)


@dataclass(frozen=True)
class TextLine:
    """One line of the document with its page, running index, original and folded text."""

    index: int
    page: int
    line: Line
    folded: str

    @property
    def text(self) -> str:
        """Return the original line text."""
        return self.line.text

    def span_words(self, start: int, end: int) -> list[tuple[float, Box]]:
        """Return (confidence, box) of the words overlapping characters [start, end) of the text."""
        words = self.line.words
        if not words or " ".join(w.text for w in words) != self.line.text:
            return [(self.line.confidence, self.line.box)]
        found: list[tuple[float, Box]] = []
        offset = 0
        for word in words:
            word_end = offset + len(word.text)
            if offset < end and word_end > start:
                found.append((word.confidence, word.box))
            offset = word_end + 1
        return found or [(self.line.confidence, self.line.box)]

    def span_confidence(self, start: int, end: int) -> float:
        """Return the lowest word confidence over a character span (OCR is as weak as its weakest word)."""
        return min(conf for conf, _ in self.span_words(start, end))

    def span_boxes(self, start: int, end: int) -> tuple[PageBox, ...]:
        """Return the page boxes of the words covering a character span."""
        return tuple(PageBox(self.page, box) for _, box in self.span_words(start, end))


def document_lines(reading: DocumentReading) -> list[TextLine]:
    """Flatten a reading into `TextLine`s numbered across pages."""
    lines: list[TextLine] = []
    for page in reading.pages:
        for line in page.lines:
            lines.append(TextLine(len(lines), page.number, line, fold_lower(line.text)))
    return lines


@dataclass(frozen=True)
class Hit:
    """A pattern match on a line: the normalised value, its span and how strongly the pattern implies it."""

    value: str
    line: TextLine
    start: int
    end: int
    strength: float

    def field(self, sure: bool = False, strength: float | None = None) -> FieldValue:
        """Turn the hit into a `FieldValue` with confidence = OCR confidence × pattern strength."""
        weight = self.strength if strength is None else strength
        confidence = round(max(0.0, min(1.0, self.line.span_confidence(self.start, self.end) * weight)), 3)
        return FieldValue(self.value, confidence, self.line.span_boxes(self.start, self.end), sure)


def find_label(lines: list[TextLine], pattern: re.Pattern[str], start: int = 0) -> TextLine | None:
    """Return the first line at or after `start` whose folded text matches `pattern`."""
    for line in lines[start:]:
        if pattern.search(line.folded):
            return line
    return None


_TOKEN = re.compile(r"[a-z0-9]+")


@lru_cache(maxsize=1 << 16)
def edit_distance(a: str, b: str, limit: int = 3) -> int:
    """Return the Levenshtein distance between short strings (capped at `limit` + 1).

    Label matching compares every token of a document with the same few label words, once per extraction:
    the results are remembered, equal strings cost nothing and a row of the table that is past `limit`
    everywhere ends the count (no later row can come back under it).
    """
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    if a == b:
        return 0
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return min(previous[-1], limit + 1)


def fuzzy_token(folded: str, word: str, max_distance: int = 1, start: int = 0) -> tuple[int, int] | None:
    """Return the span of the first token at or after `start` within `max_distance` edits of `word`."""
    for match in _TOKEN.finditer(folded, start):
        if edit_distance(match.group(0), word, max_distance) <= max_distance:
            return match.start(), match.end()
    return None


def sub_line(line: TextLine, words: list[Word]) -> TextLine | None:
    """Build a TextLine from some of a line's words (same index and page), or None when empty."""
    if not words:
        return None
    sub = Line.from_words(words)
    return TextLine(line.index, line.page, sub, fold_lower(sub.text))


def _edge_noise(word: Word, min_confidence: float) -> bool:
    """Tell whether a word at a line's edge looks like noise (low confidence, or a lone non-digit mark)."""
    core = [ch for ch in word.text if ch.isalnum()]
    return word.confidence < min_confidence or (len(core) <= 1 and not word.text.isdigit())


def trim_noise(line: TextLine, min_confidence: float = 0.6) -> TextLine | None:
    """Drop noise words from both ends of a line (background texture read as letters)."""
    words = list(line.line.words)
    if not words:
        return line
    while words and _edge_noise(words[0], min_confidence):
        words.pop(0)
    while words and _edge_noise(words[-1], min_confidence) and not _form_letter(words):
        words.pop()
    return sub_line(line, words)


_LEGAL_FORM_TAIL = re.compile(r"^sp[.,]?\s?(?:[jk][.,]?|[z2]{1,2}\s?[o0][.,]\s?[o0][.,]?)$")


def _form_letter(words: list[Word]) -> bool:
    """Tell whether the last words are a legal form ("Sp. j.", "Sp. z o.o."), not specks to trim."""
    for size in (2, 3, 4):
        if len(words) > size - 1 and all(w.confidence >= 0.3 for w in words[-size + 1 :]):
            tail = " ".join(fold_lower(w.text) for w in words[-size:])
            if _LEGAL_FORM_TAIL.match(tail):
                return True
    return False


_PUNCTUATION_ONLY = re.compile(r"^[^A-Za-z0-9&À-ž]+$")


def _stray(word: Word, neighbour: Word, height: float) -> bool:
    """Tell whether an edge word is a speck or margin mark: far from the text, short or unsure."""
    gap = max(neighbour.box.x - word.box.right, word.box.x - neighbour.box.right)
    core = sum(ch.isalnum() for ch in word.text)
    return gap > 2.5 * height and (core <= 3 or word.confidence < 0.7)


def drop_stray_words(line: TextLine) -> TextLine | None:
    """Remove lone punctuation tokens and specks at either end that sit far from the line's text.

    Scanner edges, torn paper and background texture are read as "|", "i" or "SE" at the margins of a
    centred header line; they are separated from the text by a gap much wider than a space.
    """
    words = [w for w in line.line.words if not _PUNCTUATION_ONLY.match(w.text)]
    if not words:
        return None
    height = sorted(w.box.h for w in words)[len(words) // 2] or 1.0
    while len(words) > 1 and _stray(words[0], words[1], height):
        words.pop(0)
    while len(words) > 1 and _stray(words[-1], words[-2], height):
        words.pop()
    return sub_line(line, words)


# Digits OCR reads for a word's letters ("parag0nu", "5UMA", "KW0TA"): inside a word, or opening one
_LETTER_OF = str.maketrans({"0": "o", "1": "l", "5": "s", "8": "b", "2": "z", "6": "b", "4": "a"})
_DIGIT_IN_WORD = re.compile(r"(?<=[a-z])\d(?=[a-z])|\b\d(?=[a-z]{2})")


def lettered(folded: str) -> str:
    """Return folded text with the digits read for a word's letters turned back into letters, length kept: labels
    are matched on it, values are taken from the line's text at the same positions."""
    return _DIGIT_IN_WORD.sub(lambda m: m.group(0).translate(_LETTER_OF), folded)
