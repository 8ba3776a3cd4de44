"""A KSeF e-invoice as a reviewer reads it: its lines as a table, its KSeF number, type and the verification
link (a KSeF page the reviewer opens; paragon itself never calls KSeF)."""

from __future__ import annotations

from dataclasses import dataclass, field

from ocr.ksef.links import parse_certificate_link, parse_invoice_link
from review_ui.formatting import format_money

#: The line columns shown, in the order of the printed invoice (`ocr.ksef.invoice_xml` item keys).
LINE_COLUMNS = ("line_no", "name", "index", "gtin", "unit", "qty", "unit_price", "amount", "vat_rate_text")
_MONEY_COLUMNS = frozenset({"unit_price", "amount"})
MAX_LINES = 1000


@dataclass(frozen=True)
class KsefView:
    """What the e-invoice card shows; `link` only when it is a KSeF host's KOD I link."""

    exact: bool
    ksef_number: str = ""
    invoice_type: str = ""
    link: str = ""
    certificate: str = ""
    corrected: str = ""
    lines: list[dict[str, str]] = field(default_factory=list)


def ksef_view(fields: dict | None) -> KsefView | None:
    """The e-invoice card of a claim, or None when nothing on it came from KSeF data."""
    fields = fields or {}
    exact = bool(fields.get("xml_hash"))
    link = str(fields.get("ksef_link") or "")
    certificate = str(fields.get("ksef_certificate") or "")
    if not (exact or fields.get("ksef_number") or link or certificate):
        return None
    return KsefView(
        exact=exact, ksef_number=str(fields.get("ksef_number") or ""),
        invoice_type=str(fields.get("invoice_type") or ""),
        link=link if parse_invoice_link(link) else "",
        certificate=certificate if parse_certificate_link(certificate) else "",
        corrected=str(fields.get("corrected_ksef_number") or fields.get("corrected_document_number") or ""),
        lines=_lines(fields.get("items")) if exact else [],
    )


def _lines(items: object) -> list[dict[str, str]]:
    if not isinstance(items, list):
        return []
    rows = []
    for item in items[:MAX_LINES]:
        if isinstance(item, dict):
            row = {key: _cell(key, item.get(key)) for key in LINE_COLUMNS}
            rows.append(row | {"before": str(item.get("before", ""))})
    return rows


def _cell(key: str, value: object) -> str:
    if value in (None, ""):
        return ""
    return format_money(value) if key in _MONEY_COLUMNS else str(value)
