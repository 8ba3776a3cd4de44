"""Immutable values describing what was read from a document: words, lines, pages."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class PageSource(StrEnum):
    """Where the text of a page came from."""

    PDF_TEXT = "pdf_text"
    OCR = "ocr"


@dataclass(frozen=True)
class Box:
    """Axis-aligned rectangle in page coordinates (pixels of the original image, or PDF points)."""

    x: float
    y: float
    w: float
    h: float

    @property
    def right(self) -> float:
        """Return the x coordinate of the right edge."""
        return self.x + self.w

    @property
    def bottom(self) -> float:
        """Return the y coordinate of the bottom edge."""
        return self.y + self.h

    @property
    def centre_y(self) -> float:
        """Return the vertical centre."""
        return self.y + self.h / 2

    def to_list(self) -> list[float]:
        """Return [x, y, w, h] rounded for storage."""
        return [round(self.x, 1), round(self.y, 1), round(self.w, 1), round(self.h, 1)]

    @classmethod
    def from_list(cls, values: Iterable[float]) -> Box:
        """Build a box from [x, y, w, h]."""
        x, y, w, h = (float(v) for v in values)
        return cls(x, y, w, h)

    @classmethod
    def union(cls, boxes: Iterable[Box]) -> Box:
        """Return the smallest box containing all `boxes` (a zero box when empty)."""
        items = list(boxes)
        if not items:
            return cls(0.0, 0.0, 0.0, 0.0)
        x0 = min(b.x for b in items)
        y0 = min(b.y for b in items)
        x1 = max(b.right for b in items)
        y1 = max(b.bottom for b in items)
        return cls(x0, y0, x1 - x0, y1 - y0)


@dataclass(frozen=True)
class Word:
    """One recognised word with its confidence (0..1) and position on the page."""

    text: str
    confidence: float
    box: Box
    block: int = 0
    paragraph: int = 0
    line: int = 0

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping."""
        return {
            "text": self.text,
            "confidence": round(self.confidence, 3),
            "box": self.box.to_list(),
            "block": self.block,
            "paragraph": self.paragraph,
            "line": self.line,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Word:
        """Rebuild a word from `to_dict` output."""
        return cls(
            text=str(data["text"]),
            confidence=float(data["confidence"]),
            box=Box.from_list(data["box"]),
            block=int(data.get("block", 0)),
            paragraph=int(data.get("paragraph", 0)),
            line=int(data.get("line", 0)),
        )


@dataclass(frozen=True)
class Line:
    """One text line: its words in reading order, the joined text and the enclosing box."""

    text: str
    words: tuple[Word, ...]
    box: Box

    @classmethod
    def from_words(cls, words: Iterable[Word]) -> Line:
        """Build a line from words, sorted left to right and joined by single spaces."""
        ordered = tuple(sorted(words, key=lambda w: w.box.x))
        return cls(" ".join(w.text for w in ordered), ordered, Box.union(w.box for w in ordered))

    @property
    def confidence(self) -> float:
        """Return the mean word confidence (1.0 for a line without words)."""
        if not self.words:
            return 1.0
        return sum(w.confidence for w in self.words) / len(self.words)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping."""
        return {"text": self.text, "box": self.box.to_list(), "words": [w.to_dict() for w in self.words]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Line:
        """Rebuild a line from `to_dict` output."""
        words = tuple(Word.from_dict(w) for w in data.get("words", []))
        return cls(text=str(data["text"]), words=words, box=Box.from_list(data["box"]))


@dataclass(frozen=True)
class PageReading:
    """Everything read from one page, with the page size in the same units as the boxes."""

    number: int
    width: float
    height: float
    source: PageSource
    lines: tuple[Line, ...]
    mean_confidence: float
    steps: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        """Return the page text, one line per row."""
        return "\n".join(line.text for line in self.lines)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping."""
        return {
            "number": self.number,
            "width": round(self.width, 1),
            "height": round(self.height, 1),
            "source": str(self.source),
            "mean_confidence": round(self.mean_confidence, 3),
            "steps": list(self.steps),
            "lines": [line.to_dict() for line in self.lines],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PageReading:
        """Rebuild a page from `to_dict` output."""
        return cls(
            number=int(data["number"]),
            width=float(data["width"]),
            height=float(data["height"]),
            source=PageSource(data["source"]),
            lines=tuple(Line.from_dict(line) for line in data.get("lines", [])),
            mean_confidence=float(data["mean_confidence"]),
            steps=tuple(str(s) for s in data.get("steps", [])),
        )


@dataclass(frozen=True)
class DocumentTraits:
    """What an image says besides its text: its perceptual hash, a few EXIF tags and capture hints.

    `phash` is the 64-bit `ocr.phash.perceptual_hash` of the first page (None for PDFs and structured
    documents, or when the page is too small to hash); `exif` holds the tags the fraud signals read
    (`ocr.traits.EXIF_TAGS`); `hints` names how it was probably made ("screenshot").
    """

    phash: int | None = None
    exif: dict[str, str] = field(default_factory=dict)
    hints: frozenset[str] = frozenset()

    def __bool__(self) -> bool:
        """Tell whether anything is known."""
        return self.phash is not None or bool(self.exif) or bool(self.hints)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping (hints sorted)."""
        return {"phash": self.phash, "exif": dict(self.exif), "hints": sorted(self.hints)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DocumentTraits:
        """Rebuild traits from `to_dict` output."""
        phash = data.get("phash")
        exif = {str(k): str(v) for k, v in (data.get("exif") or {}).items()}
        return cls(None if phash is None else int(phash), exif, frozenset(str(h) for h in data.get("hints") or ()))


@dataclass(frozen=True)
class DocumentReading:
    """The full reading of an upload: its detected media type, pages and the time spent reading.

    `alternates` holds second readings of OCR'd pages made with another page-segmentation mode when the
    first reading left key fields unconfirmed; extraction cross-checks the two.

    `rereads` holds lines read again on their own (a crop of the page, enlarged): each is a page with one
    line whose box is the row it replaces and a step "reread:FIELD" naming the field it corrects.

    `traits` describe the image (first page) the text was read from. `structured` holds what a structured
    document (one whose fields are exact, with no page to read) says, as its format's reader parsed it:
    JSON-ready data that the format's extractor turns into fields (`ocr.formats`); None for printed pages.

    `codes` holds the barcodes decoded on the pages (QR, DataMatrix, EAN-13, Code 128), each
    {"format", "text", "page"}: a KSeF verification QR code, a product code on packaging (`ocr.ksef.barcodes`).
    """

    media_type: str
    pages: tuple[PageReading, ...]
    seconds: float = 0.0
    alternates: tuple[PageReading, ...] = ()
    rereads: tuple[PageReading, ...] = ()
    traits: DocumentTraits = field(default_factory=DocumentTraits)
    structured: dict[str, Any] | None = None
    codes: tuple[dict[str, Any], ...] = ()

    def alternate_reading(self) -> DocumentReading | None:
        """Return the alternate pages as a reading of their own (pages without one keep the primary)."""
        if not self.alternates:
            return None
        by_number = {page.number: page for page in self.alternates}
        pages = tuple(by_number.get(page.number, page) for page in self.pages)
        return DocumentReading(self.media_type, pages, self.seconds)

    @property
    def text(self) -> str:
        """Return all lines of all pages joined with newlines."""
        return "\n".join(line.text for page in self.pages for line in page.lines)

    @property
    def mean_confidence(self) -> float:
        """Return the word-weighted mean confidence over all pages (0.0 when nothing was read)."""
        confidences = [w.confidence for p in self.pages for line in p.lines for w in line.words]
        return sum(confidences) / len(confidences) if confidences else 0.0

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-serialisable mapping that `from_dict` turns back into an equal reading."""
        data: dict[str, Any] = {
            "media_type": self.media_type,
            "seconds": round(self.seconds, 3),
            "pages": [page.to_dict() for page in self.pages],
        }
        if self.alternates:
            data["alternates"] = [page.to_dict() for page in self.alternates]
        if self.rereads:
            data["rereads"] = [page.to_dict() for page in self.rereads]
        if self.traits:
            data["traits"] = self.traits.to_dict()
        if self.structured is not None:
            data["structured"] = self.structured
        if self.codes:
            data["codes"] = [dict(code) for code in self.codes]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DocumentReading:
        """Rebuild a reading from `to_dict` output."""
        return cls(
            media_type=str(data["media_type"]),
            pages=tuple(PageReading.from_dict(p) for p in data.get("pages", [])),
            seconds=float(data.get("seconds", 0.0)),
            alternates=tuple(PageReading.from_dict(p) for p in data.get("alternates", [])),
            rereads=tuple(PageReading.from_dict(p) for p in data.get("rereads", [])),
            traits=DocumentTraits.from_dict(data.get("traits") or {}),
            structured=data.get("structured"),
            codes=tuple(dict(code) for code in data.get("codes") or ()),
        )
