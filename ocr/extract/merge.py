"""Cross-checking two readings of the same document: deciding when to re-read, and merging fields."""

from __future__ import annotations

from ocr.extract.values import DocumentKind, Extraction, FieldName, FieldValue

_KEY_SURE = (FieldName.TOTAL, FieldName.SELLER_NIP)
_KEY_PRESENT = (FieldName.DATE,)


def needs_second_reading(extraction: Extraction) -> bool:
    """Tell whether key fields are unconfirmed (total or seller NIP not sure, or no date)."""
    fields = extraction.fields
    if extraction.kind is DocumentKind.UNKNOWN:
        return FieldName.TOTAL not in fields or FieldName.DATE not in fields
    unsure = any(name not in fields or not fields[name].sure for name in _KEY_SURE)
    return unsure or any(name not in fields for name in _KEY_PRESENT)


def _pick(first: FieldValue, second: FieldValue) -> FieldValue:
    """Choose between two readings of one field: agreement, then certainty, then confidence."""
    if first.value == second.value:
        best = first if first.confidence >= second.confidence else second
        return FieldValue(best.value, best.confidence, best.boxes, first.sure or second.sure)
    if first.sure != second.sure:
        return first if first.sure else second
    return first if first.confidence >= second.confidence else second


def merge_extractions(primary: Extraction, secondary: Extraction) -> Extraction:
    """Merge two extractions of the same document, field by field.

    Args:
        primary: fields from the first reading.
        secondary: fields from the alternate reading.

    Returns:
        One extraction: a field found once is kept; conflicting values resolve to the sure one, else
        the more confident; items come from the reading whose total is sure (else the primary).
    """
    kind = primary.kind if primary.kind is not DocumentKind.UNKNOWN else secondary.kind
    fields = dict(secondary.fields)
    for name, value in primary.fields.items():
        fields[name] = _pick(value, fields[name]) if name in fields else value
    primary_total = primary.fields.get(FieldName.TOTAL)
    secondary_total = secondary.fields.get(FieldName.TOTAL)
    use_secondary = bool(secondary_total and secondary_total.sure and not (primary_total and primary_total.sure))
    items = secondary.items if use_secondary or not primary.items else primary.items
    return Extraction(kind=kind, fields=fields, items=items)
