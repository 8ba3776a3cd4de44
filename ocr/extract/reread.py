"""Fields from a line read again on its own: the row is swapped into every reading and extracted as usual.

A re-read line (`DocumentReading.rereads`) is a page holding one line whose box is the row it replaces. The
words of each reading whose centre lies in that row give way to the re-read words, the extractors run on the
patched readings, and the field counts only when its value was read inside the row: the same extractors,
labels and arithmetic decide, so a corrected total is sure only when the document's own sums confirm it.
"""

from __future__ import annotations

from dataclasses import replace

from ocr.extract.values import Extraction, FieldValue
from ocr.model import Box, DocumentReading, Line, PageReading

REREAD_STEP = "reread:"


def reread_field_name(page: PageReading) -> str | None:
    """Return the field a re-read line was made for (its "reread:FIELD" step), or None."""
    step = next((s for s in page.steps if s.startswith(REREAD_STEP)), None)
    return step[len(REREAD_STEP) :] if step else None


def _inside(box: Box, region: Box) -> bool:
    """Tell whether the centre of `box` lies in `region`."""
    x, y = box.x + box.w / 2, box.centre_y
    return region.x <= x <= region.right and region.y <= y <= region.bottom


def _patched_page(page: PageReading, new: Line) -> PageReading:
    """Return `page` with the words inside `new.box` removed and `new` inserted in reading order."""
    lines: list[Line] = []
    for line in page.lines:
        kept = [w for w in line.words if not _inside(w.box, new.box)]
        if len(kept) == len(line.words):
            lines.append(line)
        elif kept:
            lines.append(Line.from_words(kept))
    lines.append(new)
    lines.sort(key=lambda line: line.box.centre_y)
    return replace(page, lines=tuple(lines))


def with_reread(reading: DocumentReading, reread: PageReading) -> DocumentReading:
    """Return the reading (primary and alternate pages) with the re-read row swapped in; rereads dropped."""
    new = reread.lines[0]

    def patch(pages: tuple[PageReading, ...]) -> tuple[PageReading, ...]:
        return tuple(_patched_page(p, new) if p.number == reread.number else p for p in pages)

    return replace(reading, pages=patch(reading.pages), alternates=patch(reading.alternates), rereads=())


def field_from_reread(merged: Extraction, reread: PageReading, name: str) -> FieldValue | None:
    """Return field `name` of an extraction of the patched reading when it was read inside the re-read row."""
    found = merged.fields.get(name)
    region = reread.lines[0].box if reread.lines else None
    if found is None or region is None or not found.boxes:
        return None
    if all(b.page == reread.number and _inside(b.box, region) for b in found.boxes):
        return found
    return None
