"""Merge the per-document extractions of a multi-page claim into one set of fields."""

from __future__ import annotations

from dataclasses import dataclass, field

#: Fields that show a page was really read: a seller name alone can be noise read off a blurred photo.
KEY_FIELDS = ("seller_nip", "date", "total", "document_number")
#: Fields copied onto the claim (flat values) for reviewers and the participant API.
CLAIM_FIELDS = (
    "seller_name", "seller_address", "seller_nip", "buyer_nip", "date", "time", "document_number",
    "total", "vat_total", "currency", "payment_method",
)


@dataclass(frozen=True)
class MergedFields:
    kind: str
    fields: dict = field(default_factory=dict)
    sure: tuple[str, ...] = ()
    readable: bool = False


def merge_extractions(extractions: list[dict]) -> MergedFields:
    """First value of each field in page order.

    A claim is readable when a page was recognised as a receipt or an invoice or gave a key field.
    """
    kind, values, sure = "unknown", {}, []
    for extraction in extractions:
        if extraction.get("kind") and kind == "unknown":
            kind = extraction["kind"]
        for name, detail in (extraction.get("fields") or {}).items():
            if name in CLAIM_FIELDS and name not in values and detail and detail.get("value") not in (None, ""):
                values[name] = detail["value"]
                if detail.get("sure"):
                    sure.append(name)
    items = [item for e in extractions for item in (e.get("items") or [])]
    if items:
        values["items"] = items
    readable = kind != "unknown" or any(name in values for name in KEY_FIELDS)
    return MergedFields(kind=kind, fields=values, sure=tuple(sure), readable=readable)
