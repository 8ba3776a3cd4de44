"""Group positioned words into reading-order lines (rows), shared by the OCR and PDF-text paths."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from ocr.model import Box, Line, Word

_MIN_OVERLAP = 0.5


def _vertical_overlap(a: Box, b: Box) -> float:
    """Return the vertical overlap of two boxes as a fraction of the shorter one's height."""
    overlap = min(a.bottom, b.bottom) - max(a.y, b.y)
    shorter = min(a.h, b.h)
    return overlap / shorter if shorter > 0 else 0.0


def _collides(row: list[Word], box: Box) -> bool:
    """Tell whether `box` horizontally overlaps a word already in `row` (it then belongs elsewhere)."""
    for word in row:
        overlap = min(word.box.right, box.right) - max(word.box.x, box.x)
        if overlap > 0.3 * min(word.box.w, box.w):
            return True
    return False


def _initial_groups(words: Iterable[Word]) -> list[list[Word]]:
    """Group words by the engine's (block, paragraph, line) ids; words without ids stay alone."""
    groups: dict[tuple[int, int, int], list[Word]] = {}
    singles: list[list[Word]] = []
    for word in words:
        if word.line or word.block:
            groups.setdefault((word.block, word.paragraph, word.line), []).append(word)
        else:
            singles.append([word])
    return list(groups.values()) + singles


def group_into_rows(words: Sequence[Word]) -> list[list[Word]]:
    """Return rows of words, top to bottom, each sorted left to right.

    Words that share an engine line stay together; separate groups are merged into one row when they
    overlap vertically by at least half their height and do not collide horizontally.
    """
    groups = sorted(_initial_groups(words), key=lambda g: Box.union(w.box for w in g).centre_y)
    rows: list[tuple[Box, list[Word]]] = []
    for group in groups:
        box = Box.union(w.box for w in group)
        for index in range(len(rows) - 1, max(-1, len(rows) - 4), -1):
            row_box, row_words = rows[index]
            if _vertical_overlap(row_box, box) >= _MIN_OVERLAP and not any(_collides(row_words, w.box) for w in group):
                rows[index] = (Box.union((row_box, box)), row_words + group)
                break
        else:
            rows.append((box, list(group)))
    rows.sort(key=lambda r: r[0].centre_y)
    return [sorted(r[1], key=lambda w: w.box.x) for r in rows]


def build_lines(words: Sequence[Word], to_page: Callable[[Box], Box] | None = None) -> tuple[Line, ...]:
    """Group words into rows and build `Line` values, mapping each word box with `to_page` if given."""
    lines: list[Line] = []
    for row in group_into_rows(words):
        if to_page is not None:
            row = [_with_box(w, to_page(w.box)) for w in row]
        lines.append(Line(" ".join(w.text for w in row), tuple(row), Box.union(w.box for w in row)))
    return tuple(lines)


def _with_box(word: Word, box: Box) -> Word:
    """Return `word` with its box replaced (rounded to 0.1 so stored readings round-trip exactly)."""
    rounded = Box(round(box.x, 1), round(box.y, 1), round(box.w, 1), round(box.h, 1))
    return Word(word.text, word.confidence, rounded, word.block, word.paragraph, word.line)
