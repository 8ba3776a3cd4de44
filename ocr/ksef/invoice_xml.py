"""A KSeF e-invoice (FA(3), or FA(2)) as uploaded XML: parsed hardened, mapped into the claim's fields exactly.

The parser is defusedxml's: no DTD, no entity expansion, no external references, no network; the file is at
most `MAX_XML_BYTES`. Each failure has its reader error and code: a DTD or entity -> `xml_forbidden`, not
well-formed -> `corrupt_file`, larger than the limit -> `too_large`, a root that is not an FA(2)/FA(3)
`Faktura` -> `unsupported_type`. Every field read is `exact` (sure, no boxes). Element paths follow the
FA(3) schema (`schemat_FA(3)_v1-0E.xsd`): seller `Podmiot1/DaneIdentyfikacyjne/NIP`, buyer
`Podmiot2/DaneIdentyfikacyjne` (a NIP or another identifier), `Fa/P_1` issue date, `Fa/P_2` number,
`Fa/KodWaluty`, `Fa/P_15` total due, `Fa/RodzajFaktury`, the lines `Fa/FaWiersz`, and a correction's
`Fa/DaneFaKorygowanej`.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any
from xml.etree.ElementTree import Element, ParseError

import defusedxml
import defusedxml.ElementTree as safe_xml

from ocr.errors import CorruptFileError, FileTooLargeError, ForbiddenXmlError, UnsupportedFileError
from ocr.extract.values import DocumentKind, Extraction, FieldValue
from ocr.ksef.links import document_hash, invoice_link
from vocabulary.nip import nip_is_valid

#: The largest XML invoice read (KSeF's own limit for an invoice without attachments is 1 MB).
MAX_XML_BYTES = 3 * 1024 * 1024
#: The FA schemas' namespaces, by the name the review page shows.
NAMESPACES = {
    "http://crd.gov.pl/wzor/2025/06/25/13775/": "FA(3)",
    "http://crd.gov.pl/wzor/2023/06/29/12648/": "FA(2)",
}
#: `Fa/RodzajFaktury` values: a VAT invoice, its correction, advance (ZAL), settlement (ROZ), simplified (UPR).
INVOICE_TYPES = frozenset({"VAT", "KOR", "ZAL", "ROZ", "UPR", "KOR_ZAL", "KOR_ROZ"})
#: `Fa/Platnosc/FormaPlatnosci` -> the programme's payment methods (others are left unread).
_PAYMENT = {"1": "cash", "2": "card", "3": "voucher", "6": "transfer", "7": "blik"}
#: A line's elements -> the item keys (`name`, `qty`, `unit_price`, `amount`, `vat_rate` are what
#: verification reads; the rest are shown and used for exact matching).
_LINE = {"NrWierszaFa": "line_no", "P_7": "name", "Indeks": "index", "GTIN": "gtin", "P_8A": "unit",
         "P_8B": "qty", "P_9A": "unit_price_net", "P_9B": "unit_price_gross", "P_11": "amount_net",
         "P_11A": "amount_gross", "P_12": "vat_rate_text", "StanPrzed": "before"}
_VAT_AMOUNTS = ("P_14_1", "P_14_2", "P_14_3", "P_14_4", "P_14_5")


def parse_invoice_xml(data: bytes) -> dict[str, Any]:
    """Parse an uploaded FA(3)/FA(2) invoice into `Extraction.to_dict()` form (JSON-ready, for the sandbox pipe).

    Raises:
        FileTooLargeError, ForbiddenXmlError, CorruptFileError, UnsupportedFileError: see the module doc.
    """
    if len(data) > MAX_XML_BYTES:
        raise FileTooLargeError(f"An XML invoice may be at most {MAX_XML_BYTES // (1024 * 1024)} MB.")
    try:
        root = safe_xml.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except defusedxml.DefusedXmlException as exc:
        raise ForbiddenXmlError() from exc
    except (ParseError, ValueError) as exc:
        raise CorruptFileError("The XML file is not well-formed.") from exc
    namespace, _, name = root.tag[1:].partition("}") if root.tag.startswith("{") else ("", "", root.tag)
    if name != "Faktura" or namespace not in NAMESPACES:
        raise UnsupportedFileError("This XML file is not a KSeF e-invoice (FA(3) or FA(2)).")
    reader = _Reader(root, namespace)
    fields = reader.fields()
    fields["xml_hash"] = document_hash(data)
    if "seller_nip" in fields and "issue_date" in fields:
        try:
            issued = date.fromisoformat(fields["issue_date"])
        except ValueError:
            raise CorruptFileError("The invoice's issue date (P_1) is not a date.") from None
        fields["ksef_link"] = invoice_link(fields["seller_nip"], issued, fields["xml_hash"])
    extraction = Extraction(DocumentKind.INVOICE, {k: FieldValue.exactly(v) for k, v in fields.items() if v},
                            reader.lines())
    return extraction.to_dict() | {"schema": NAMESPACES[namespace]}


class _Reader:
    """Text at FA paths under one root, in its namespace."""

    def __init__(self, root: Element, namespace: str) -> None:
        self.root, self.ns = root, "{" + namespace + "}"

    def _path(self, path: str) -> str:
        return "/".join(self.ns + part for part in path.split("/"))

    def text(self, path: str, under: Element | None = None) -> str:
        found = (self.root if under is None else under).find(self._path(path))
        return (found.text or "").strip() if found is not None else ""

    def fields(self) -> dict[str, str]:
        """The header fields (empty strings for what the invoice does not say)."""
        issued = self.text("Fa/P_1")
        kind = self.text("Fa/RodzajFaktury")
        vat = [self.text(f"Fa/{name}") for name in _VAT_AMOUNTS]
        seller = self.text("Podmiot1/DaneIdentyfikacyjne/NIP")
        buyer = self.text("Podmiot2/DaneIdentyfikacyjne/NIP")
        return {
            "seller_nip": seller if nip_is_valid(seller) else "",
            "seller_name": self.text("Podmiot1/DaneIdentyfikacyjne/Nazwa")[:300],
            "seller_address": " ".join(filter(None, (self.text("Podmiot1/Adres/AdresL1"),
                                                     self.text("Podmiot1/Adres/AdresL2"))))[:300],
            "buyer_nip": buyer if nip_is_valid(buyer) else "",
            "buyer_id": "" if buyer else self._other_buyer_id(),
            "issue_date": issued,
            "date": self.text("Fa/P_6") or issued,
            "document_number": self.text("Fa/P_2")[:100],
            "currency": self.text("Fa/KodWaluty").lower()[:3],
            "total": _money(self.text("Fa/P_15")),
            "vat_total": _money(str(sum(_decimal(v) for v in vat))) if any(vat) else "",
            "payment_method": _PAYMENT.get(self.text("Fa/Platnosc/FormaPlatnosci"), ""),
            "invoice_type": kind if kind in INVOICE_TYPES else "",
            "corrected_ksef_number": self.text("Fa/DaneFaKorygowanej/NrKSeFFaKorygowanej")[:36],
            "corrected_document_number": self.text("Fa/DaneFaKorygowanej/NrFaKorygowanej")[:100],
        }

    def _other_buyer_id(self) -> str:
        """A buyer without a Polish NIP: an EU VAT number, another country's id, or nothing."""
        eu = self.text("Podmiot2/DaneIdentyfikacyjne/KodUE") + self.text("Podmiot2/DaneIdentyfikacyjne/NrVatUE")
        other = self.text("Podmiot2/DaneIdentyfikacyjne/KodKraju") + self.text("Podmiot2/DaneIdentyfikacyjne/NrID")
        return (eu or other)[:50]

    def lines(self) -> list[dict[str, str]]:
        """One item per `Fa/FaWiersz`, with the amounts verification reads (net first, gross when only that)."""
        items = []
        width = len(self.ns)
        for row in self.root.iterfind(self._path("Fa/FaWiersz")):
            texts = {child.tag[width:]: (child.text or "").strip() for child in row}  # one pass over the row
            item = {key: texts[tag] for tag, key in _LINE.items() if texts.get(tag)}
            item["unit_price"] = item.get("unit_price_net") or item.get("unit_price_gross", "")
            item["amount"] = item.get("amount_net") or item.get("amount_gross", "")
            rate = item.get("vat_rate_text", "")
            if rate.isdigit():
                item["vat_rate"] = rate
            items.append({key: value for key, value in item.items() if value})
        return items


def _decimal(text: str) -> Decimal:
    try:
        return Decimal(text) if text else Decimal(0)
    except InvalidOperation:
        return Decimal(0)


def _money(text: str) -> str:
    """An XML amount as the field's money text ("123.45"), or "" when it is not a number."""
    try:
        return f"{Decimal(text).quantize(Decimal('0.01'))}" if text else ""
    except InvalidOperation:
        return ""
