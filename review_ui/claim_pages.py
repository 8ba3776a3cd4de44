"""What the claim pages show of a claim's fields (as the field table, `vocabulary.fields`, says), shared by the
reviewer's and the participant's pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from review_ui.formatting import format_money
from review_ui.i18n import has_key, t
from review_ui.previews import COUNT_LIMIT, MAX_PAGES
from vocabulary.fields import EDITABLE_FIELDS, MONEY_FIELDS, REVIEWER_FIELDS

MAX_CLAIM_ID = 36  # claim ids are UUIDs


_NAME_KEYS = ("name", "description", "text", "product")
_QUANTITY_KEYS = ("quantity", "qty", "count")
_AMOUNT_KEYS = ("amount", "total", "value", "price")


def read_fields(fields: dict | None, names: tuple[str, ...] = REVIEWER_FIELDS) -> list[tuple[str, str]]:
    """(field name, display value) for each field that was read, in the field table's order."""
    fields = fields or {}
    shown = []
    for name in names:
        value = fields.get(name)
        if value in (None, ""):
            continue
        shown.append((name, format_money(value) if name in MONEY_FIELDS else code_label(name, value)))
    return shown


def code_label(name: str, value: object) -> str:
    """A coded value (payment method, currency) in the reader's words: `value.<field>.<code>` when the
    catalogue has it, else the value as read."""
    key = f"value.{name}.{value}"
    return t(key) if has_key(key) else str(value)


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
    """(field name, current value) for the correction form, every editable field in the field table's order."""
    fields = fields or {}
    return [(name, "" if fields.get(name) is None else str(fields[name])) for name in EDITABLE_FIELDS]


def document_views(documents: list, page_count: Callable[[Any], int]) -> list[dict]:
    """Each document with its pages (MAX_PAGES at most): each page's size and the boxes of the fields read on it.

    Boxes are in the page's own units (pixels of the original image, or PDF points), so each page's width and
    height become its SVG overlay's viewBox and the boxes land on the preview whatever its scale. `page_count`
    tells how many pages a document has (`review_ui.documents.document_page_count`).
    """
    return [_document_view(document, page_count(document)) for document in documents]


def _document_view(document, count: int) -> dict:
    boxes = _field_boxes(document.extraction)
    pages = [_page_view(document.reading, number, boxes) for number in range(1, min(count, MAX_PAGES) + 1)]
    return {
        "id": document.id,
        "filename": document.filename,
        "pages": pages,
        "page_count": count,
        "count_label": f"{count}+" if count >= COUNT_LIMIT else str(count),
        "capped": count > MAX_PAGES,
        "has_boxes": any(page["boxes"] for page in pages),
    }


def _page_view(reading: dict | None, number: int, boxes: dict[int, list[dict]]) -> dict:
    """One page: its number, size (None when there is no reading) and its boxes (only when the size is known)."""
    width, height = _page_size(reading, number)
    shown = boxes.get(number, []) if width and height else []
    return {"number": number, "width": width, "height": height, "boxes": shown}


def pages_in_reading(reading: dict | None) -> int:
    """How many pages the stored reading has (the reader reads every page or refuses the file); 0 without one."""
    pages = reading.get("pages") if isinstance(reading, dict) else None
    return sum(1 for page in pages if isinstance(page, dict)) if isinstance(pages, list) else 0


def _page_size(reading: dict | None, number: int) -> tuple[float | None, float | None]:
    for page in (reading or {}).get("pages") or []:
        if isinstance(page, dict) and _int(page.get("number")) == number:
            try:
                width, height = float(page["width"]), float(page["height"])
            except (KeyError, TypeError, ValueError):
                return None, None
            return (width, height) if width > 0 and height > 0 else (None, None)
    return None, None


def _int(value: object) -> int | None:
    try:
        return int(value or 0)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None


def _field_boxes(extraction: dict | None) -> dict[int, list[dict]]:
    """{page: [{field, x, y, w, h}]} for every box of every extracted field (shape of FieldValue.to_dict)."""
    found: dict[int, list[dict]] = {}
    for name, detail in ((extraction or {}).get("fields") or {}).items():
        if not isinstance(detail, dict):
            continue
        for located in detail.get("boxes") or []:
            try:
                page = int(located.get("page", 1))
                x, y, w, h = _box(located["box"])
            except (AttributeError, KeyError, TypeError, ValueError):
                continue
            found.setdefault(page, []).append({"field": str(name), "x": x, "y": y, "w": w, "h": h})
    return found


def _box(raw: object) -> tuple[float, float, float, float]:
    """[x, y, w, h] as ocr's Box.to_list stores it (a {x, y, w, h} mapping is read too)."""
    values = [raw[k] for k in ("x", "y", "w", "h")] if isinstance(raw, dict) else list(raw)  # type: ignore[index]
    x, y, w, h = (float(v) for v in values)
    if w <= 0 or h <= 0:
        raise ValueError("empty box")
    return x, y, w, h
