"""Generic receipt extraction (English-language till receipts such as SROIE): company, address, date, total."""

from __future__ import annotations

from decimal import Decimal

from ocr.extract.common import find_currency, find_date_time
from ocr.extract.generic_header import find_address, find_company
from ocr.extract.generic_total import find_total
from ocr.extract.nip import best_nip, find_nips, nip_field
from ocr.extract.text import TextLine
from ocr.extract.values import FieldName, FieldValue


def extract_generic(lines: list[TextLine]) -> dict[str, FieldValue]:
    """Extract company, address, date, time, total, currency (and a labelled Polish NIP) from any receipt.

    Args:
        lines: the document lines.

    Returns:
        A mapping with whichever of seller_name, seller_address, seller_nip, date, time, total, currency
        were found. The total is sure only when the receipt's arithmetic confirms it.
    """
    fields: dict[str, FieldValue | None] = {}
    fields[FieldName.DATE], fields[FieldName.TIME] = find_date_time(lines)
    fields[FieldName.TOTAL] = find_total(lines)
    company = find_company(lines)
    if company is not None:
        fields[FieldName.SELLER_NAME] = company[0]
    fields[FieldName.SELLER_ADDRESS] = find_address(lines, company[1] if company else [])
    fields[FieldName.CURRENCY] = find_currency(lines, default=None)
    fields[FieldName.SELLER_NIP] = nip_field(best_nip([c for c in find_nips(lines) if not c.buyer and c.labelled]))
    return {str(k): v for k, v in fields.items() if v is not None}


def total_value(fields: dict[str, FieldValue]) -> Decimal | None:
    """Return the total as a Decimal, when present."""
    found = fields.get(FieldName.TOTAL)
    return Decimal(found.value) if found else None
