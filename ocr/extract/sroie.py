"""SROIE receipts: English-language till receipts as printed in Malaysia and Singapore (the SROIE data set).

Company, address, date, time and total (with the receipt's own arithmetic as evidence); also run on every
document no other layout claims, and for the date and time of Polish ones when their own extractor found none.
"""

from __future__ import annotations

from ocr.extract.common import find_currency, find_date_time
from ocr.extract.nip import best_nip, find_nips, nip_field
from ocr.extract.sroie_header import find_address, find_company
from ocr.extract.sroie_total import find_total
from ocr.extract.text import TextLine
from ocr.extract.values import FieldValue
from vocabulary.fields import FieldName


def extract_sroie(lines: list[TextLine]) -> dict[str, FieldValue]:
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
