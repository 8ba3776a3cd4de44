"""What the claim pages show of a claim's fields, shared by the reviewer's and the participant's pages."""

from __future__ import annotations

from review_ui.formatting import format_money

MAX_CLAIM_ID = 36  # claim ids are UUIDs

#: Fields shown under "what was read", in reading order; money fields are formatted.
FIELD_ORDER = (
    "seller_name", "seller_nip", "seller_address", "buyer_nip", "date", "time", "document_number",
    "total", "vat_total", "payment_method",
)
MONEY_FIELDS = frozenset({"total", "vat_total"})
PARTICIPANT_FIELDS = ("seller_name", "seller_nip", "date", "document_number", "total")

_NAME_KEYS = ("name", "description", "text", "product")
_QUANTITY_KEYS = ("quantity", "qty", "count")
_AMOUNT_KEYS = ("amount", "total", "value", "price")


def read_fields(fields: dict | None, names: tuple[str, ...] = FIELD_ORDER) -> list[tuple[str, str]]:
    """(field name, display value) for each field that was read, in a fixed order."""
    fields = fields or {}
    shown = []
    for name in names:
        value = fields.get(name)
        if value in (None, ""):
            continue
        shown.append((name, format_money(value) if name in MONEY_FIELDS else str(value)))
    return shown


def claim_items(fields: dict | None) -> list[dict[str, str]]:
    """Line items as name / quantity / amount strings, whatever keys the extractor used."""
    items = (fields or {}).get("items") or []
    if not isinstance(items, list):
        return []
    rows = []
    for item in items[:200]:
        if not isinstance(item, dict):
            rows.append({"name": str(item), "quantity": "", "amount": ""})
            continue
        amount = _first(item, _AMOUNT_KEYS)
        rows.append(
            {
                "name": _first(item, _NAME_KEYS),
                "quantity": _first(item, _QUANTITY_KEYS),
                "amount": format_money(amount) if amount else "",
            }
        )
    return rows


def _first(item: dict, keys: tuple[str, ...]) -> str:
    for key in keys:
        if item.get(key) not in (None, ""):
            return str(item[key])
    return ""


def editable_values(fields: dict | None) -> list[tuple[str, str]]:
    """(field name, current value) for the correction form, every editable field in reading order."""
    from claims.services.corrections import EDITABLE_FIELDS

    fields = fields or {}
    names = [n for n in FIELD_ORDER if n in EDITABLE_FIELDS] + [n for n in EDITABLE_FIELDS if n not in FIELD_ORDER]
    return [(name, "" if fields.get(name) is None else str(fields[name])) for name in names]


def document_views(documents: list) -> list[dict]:
    """Each document with the size of its first page and the boxes of the fields read on it.

    Boxes are in the page's own units (pixels of the original image, or PDF points), so the page's width and
    height become the SVG overlay's viewBox and the boxes land on the preview whatever its scale.
    """
    return [_document_view(document) for document in documents]


def _document_view(document) -> dict:
    width, height = _page_size(document.reading, 1)
    boxes = _field_boxes(document.extraction, page=1) if width and height else []
    return {"id": document.id, "filename": document.filename, "width": width, "height": height, "boxes": boxes}


def _page_size(reading: dict | None, number: int) -> tuple[float | None, float | None]:
    for page in (reading or {}).get("pages") or []:
        if isinstance(page, dict) and int(page.get("number", 0) or 0) == number:
            try:
                width, height = float(page["width"]), float(page["height"])
            except (KeyError, TypeError, ValueError):
                return None, None
            return (width, height) if width > 0 and height > 0 else (None, None)
    return None, None


def _field_boxes(extraction: dict | None, page: int) -> list[dict]:
    """[{field, x, y, w, h}] for every box of every extracted field on `page` (shape of FieldValue.to_dict)."""
    found = []
    for name, detail in ((extraction or {}).get("fields") or {}).items():
        if not isinstance(detail, dict):
            continue
        for located in detail.get("boxes") or []:
            try:
                if int(located.get("page", 1)) != page:
                    continue
                x, y, w, h = _box(located["box"])
            except (AttributeError, KeyError, TypeError, ValueError):
                continue
            found.append({"field": str(name), "x": x, "y": y, "w": w, "h": h})
    return found


def _box(raw: object) -> tuple[float, float, float, float]:
    """[x, y, w, h] as ocr's Box.to_list stores it (a {x, y, w, h} mapping is read too)."""
    values = [raw[k] for k in ("x", "y", "w", "h")] if isinstance(raw, dict) else list(raw)  # type: ignore[index]
    x, y, w, h = (float(v) for v in values)
    if w <= 0 or h <= 0:
        raise ValueError("empty box")
    return x, y, w, h
