"""Values produced by field extraction: located field values and the whole extraction."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from ocr.model import Box


class DocumentKind(StrEnum):
    """What sort of document the text looks like."""

    RECEIPT = "receipt"
    INVOICE = "invoice"
    UNKNOWN = "unknown"


class FieldName(StrEnum):
    """Names of the extracted fields (the schema shared with the CLI and the database)."""

    SELLER_NAME = "seller_name"
    SELLER_ADDRESS = "seller_address"
    SELLER_NIP = "seller_nip"
    BUYER_NIP = "buyer_nip"
    DATE = "date"
    ISSUE_DATE = "issue_date"
    TIME = "time"
    DOCUMENT_NUMBER = "document_number"
    TOTAL = "total"
    VAT_TOTAL = "vat_total"
    CURRENCY = "currency"
    PAYMENT_METHOD = "payment_method"


FIELD_NAMES: tuple[str, ...] = tuple(str(name) for name in FieldName)


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


@dataclass(frozen=True)
class FieldValue:
    """One extracted field: normalised text value, confidence 0..1, where it was read, and certainty.

    `sure` is set only when the value is backed by more than its own reading (a checksum together
    with a label, or the document's arithmetic). `support` counts the separate lines of the document
    that print the same value (a receipt's date in its header and again by the fiscal stamp); readings
    are merged by their summed support. It is not part of the stored shape.
    """

    value: str
    confidence: float
    boxes: tuple[PageBox, ...] = ()
    sure: bool = False
    support: int = 1

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping."""
        return {
            "value": self.value,
            "confidence": round(self.confidence, 3),
            "sure": self.sure,
            "boxes": [b.to_dict() for b in self.boxes],
        }


@dataclass(frozen=True)
class Extraction:
    """The fields (and receipt items) extracted from one document reading."""

    kind: DocumentKind
    fields: dict[str, FieldValue] = field(default_factory=dict)
    items: list[dict[str, str]] = field(default_factory=list)
    route: str = ""  # which extractor read it (see `ocr.extract.kind.Route`); not part of the stored shape

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
