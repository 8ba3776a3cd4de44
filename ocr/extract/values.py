"""Values produced by field extraction: located field values and the whole extraction."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from ocr.model import Box


class DocumentKind(StrEnum):
    """What sort of document the text looks like."""

    RECEIPT = "receipt"
    INVOICE = "invoice"
    UNKNOWN = "unknown"


class PaymentMethod(StrEnum):
    """Normalised payment methods."""

    CARD = "card"
    CASH = "cash"
    BLIK = "blik"
    TRANSFER = "transfer"
    VOUCHER = "voucher"


@dataclass(frozen=True)
class PageBox:
    """A box on a numbered page (1-based)."""

    page: int
    box: Box

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping."""
        return {"page": self.page, "box": self.box.to_list()}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PageBox:
        """Rebuild a page box from `to_dict` output."""
        return cls(int(data["page"]), Box.from_list(data["box"]))


@dataclass(frozen=True)
class FieldValue:
    """One extracted field: normalised text value, confidence 0..1, where it was read, and certainty.

    `sure` is set only when the value is backed by more than its own reading (a checksum together
    with a label, or the document's arithmetic). `support` counts the separate lines of the document
    that print the same value (a receipt's date in its header and again by the fiscal stamp); readings
    are merged by their summed support. It is not part of the stored shape.

    `exact` marks a value read from structured data (a KSeF XML, a verification QR code) rather than from
    printed text: it is sure, has no boxes, and outranks any OCR'd value when a claim's documents are merged.
    """

    value: str
    confidence: float
    boxes: tuple[PageBox, ...] = ()
    sure: bool = False
    support: int = 1
    exact: bool = False

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping (`exact` only when set)."""
        data: dict[str, Any] = {
            "value": self.value,
            "confidence": round(self.confidence, 3),
            "sure": self.sure,
            "boxes": [b.to_dict() for b in self.boxes],
        }
        if self.exact:
            data["exact"] = True
        return data

    @classmethod
    def exactly(cls, value: str) -> FieldValue:
        """A value read from structured data: sure, fully confident, without boxes."""
        return cls(value, 1.0, (), sure=True, exact=True)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FieldValue:
        """Rebuild a field from `to_dict` output (`support` is not stored: it comes back as 1)."""
        return cls(
            value=str(data["value"]),
            confidence=float(data.get("confidence", 0.0)),
            boxes=tuple(PageBox.from_dict(b) for b in data.get("boxes") or ()),
            sure=bool(data.get("sure", False)),
            exact=bool(data.get("exact", False)),
        )


@dataclass(frozen=True)
class Extraction:
    """The fields (and receipt items) extracted from one document reading."""

    kind: DocumentKind
    fields: dict[str, FieldValue] = field(default_factory=dict)
    items: list[dict[str, str]] = field(default_factory=list)
    layout: str = ""  # the text layout that chose the extractor (`ocr.extract.kind.Layout`); not stored
    engine: str = ""  # the second engine whose reading this is ("rapidocr"), "" for tesseract's; not stored

    def value(self, name: str) -> str | None:
        """Return the value of field `name`, or None when it was not found."""
        found = self.fields.get(name)
        return found.value if found else None

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping with every extracted field and item."""
        return {
            "kind": str(self.kind),
            "fields": {name: value.to_dict() for name, value in self.fields.items()},
            "items": [dict(item) for item in self.items],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Extraction:
        """Rebuild an extraction from `to_dict` output (a stored extraction becomes typed again).

        Args:
            data: {"kind", "fields": {name: {"value", "confidence", "sure", "boxes"}}, "items": [...]}.

        Returns:
            An `Extraction` equal to the one `to_dict` was called on, but for what is not stored (`layout`,
            each field's `support`).

        Raises:
            KeyError, ValueError: `data` is not the shape `to_dict` returns.
        """
        fields = {str(name): FieldValue.from_dict(value) for name, value in (data.get("fields") or {}).items()}
        items = [dict(item) for item in data.get("items") or ()]
        return cls(kind=DocumentKind(data.get("kind") or DocumentKind.UNKNOWN), fields=fields, items=items)
