"""One set of fields for a whole claim, merged from the extractions of its documents (pages) in order."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ocr.extract.values import DocumentKind, Extraction, FieldValue
from vocabulary.fields import CLAIM_FIELDS, KEY_FIELDS, FieldName


@dataclass(frozen=True)
class ClaimExtraction:
    """The fields of a claim: its documents' fields merged, typed as they were extracted.

    `fields` holds only claim fields (`vocabulary.fields.CLAIM_FIELDS`); `sure` names those whose chosen
    value was confirmed; `readable` tells whether any document was really read (see `merge_documents`).
    """

    kind: DocumentKind = DocumentKind.UNKNOWN
    fields: dict[str, FieldValue] = field(default_factory=dict)
    items: list[dict[str, Any]] = field(default_factory=list)
    sure: tuple[str, ...] = ()
    readable: bool = False

    def value(self, name: str) -> str | None:
        """Return the value of field `name`, or None when no document gave one."""
        found = self.fields.get(name)
        return found.value if found else None


def merge_documents(extractions: Sequence[Extraction | None]) -> ClaimExtraction:
    """Merge the extractions of a claim's documents, in page order, into the claim's fields.

    Args:
        extractions: one per document in page order; None for a document that could not be read.

    Returns:
        A `ClaimExtraction`: each claim field's first exact value (a KSeF XML's, a verification QR code's),
        else its first non-empty value in page order (with its confidence, boxes and sureness), the first
        known kind, the items of the documents read exactly when one has items (an e-invoice's lines are
        the lines; its OCR'd print would only repeat them less surely), else every document's items in
        order, and `readable` when a
        document was recognised as a receipt or an invoice or gave a key field (`vocabulary.fields.KEY_FIELDS`;
        a seller name alone can be noise read off a blurred photo).
    """
    read = [extraction for extraction in extractions if extraction is not None]
    kind = next((e.kind for e in read if e.kind is not DocumentKind.UNKNOWN), DocumentKind.UNKNOWN)
    fields: dict[str, FieldValue] = {}
    for extraction in read:
        for name, value in extraction.fields.items():
            if name in CLAIM_FIELDS and value.value != "" and (name not in fields or _outranks(value, fields[name])):
                fields[name] = value
    sure = tuple(name for name, value in fields.items() if value.sure)
    exact = [e for e in read if e.items and e.value(FieldName.XML_HASH)]  # an e-invoice's own lines
    items = [dict(item) for extraction in (exact or read) for item in extraction.items]
    readable = kind is not DocumentKind.UNKNOWN or any(name in fields for name in KEY_FIELDS)
    return ClaimExtraction(kind=kind, fields=fields, items=items, sure=sure, readable=readable)


def _outranks(value: FieldValue, kept: FieldValue) -> bool:
    """An exact value replaces one read from print; otherwise the first value found stays."""
    return value.exact and not kept.exact
