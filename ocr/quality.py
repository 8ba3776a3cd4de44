"""A first quality gate: is there enough confidently read text to trust the extraction at all?"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from ocr.extract.values import DocumentKind, Extraction, FieldName
from ocr.model import DocumentReading, PageSource

MIN_WORDS = 8
MIN_CONFIDENCE = 0.55


class QualityProblem(StrEnum):
    """Codes for reasons a reading should not be trusted without a person looking at it."""

    NO_TEXT = "no_text"
    LITTLE_TEXT = "little_text"
    LOW_CONFIDENCE = "low_confidence"
    NOT_A_PURCHASE_DOCUMENT = "not_a_purchase_document"
    NO_TOTAL = "no_total"


@dataclass(frozen=True)
class Quality:
    """The verdict of the quality gate."""

    ok: bool
    problems: tuple[QualityProblem, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON shape {"ok": bool, "problems": [codes]}."""
        return {"ok": self.ok, "problems": [str(p) for p in self.problems]}


def assess_quality(reading: DocumentReading, extraction: Extraction | None = None) -> Quality:
    """Judge whether a reading is good enough to rely on.

    Args:
        reading: the document reading.
        extraction: the fields extracted from it, when available (enables document-level checks).

    Returns:
        `Quality` with ok=False and the problems found, or ok=True with no problems.
    """
    problems: list[QualityProblem] = []
    words = [w for p in reading.pages for line in p.lines for w in line.words]
    ocr_words = [w for p in reading.pages if p.source is PageSource.OCR for line in p.lines for w in line.words]
    if not words and not reading.text.strip():
        problems.append(QualityProblem.NO_TEXT)
    elif len(words) < MIN_WORDS:
        problems.append(QualityProblem.LITTLE_TEXT)
    if ocr_words and sum(w.confidence for w in ocr_words) / len(ocr_words) < MIN_CONFIDENCE:
        problems.append(QualityProblem.LOW_CONFIDENCE)
    if extraction is not None and words:
        if extraction.kind is DocumentKind.UNKNOWN and FieldName.TOTAL not in extraction.fields:
            problems.append(QualityProblem.NOT_A_PURCHASE_DOCUMENT)
        elif FieldName.TOTAL not in extraction.fields:
            problems.append(QualityProblem.NO_TOTAL)
    return Quality(ok=not problems, problems=tuple(problems))
