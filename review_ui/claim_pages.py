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
