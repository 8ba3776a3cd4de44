"""Exact evidence on a printed document: its KSeF verification QR codes and its KSeF number.

A KOD I code says the seller's NIP, the issue date and the hash of the invoice's XML: they are `exact` and
outrank whatever OCR read. A KOD II code (CERTYFIKAT, offline invoices) is kept to be shown, not verified. A
KSeF number printed on the page (under the QR code, usually) is kept when its CRC-8 checks out and its NIP is
the seller's. Codes that are not KSeF links are product codes (`product_codes`).
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from ocr.extract.values import DocumentKind, Extraction, FieldValue
from ocr.ksef.links import parse_certificate_link, parse_invoice_link
from ocr.ksef.number import find_ksef_numbers
from ocr.model import DocumentReading
from vocabulary.fields import FieldName
from vocabulary.nip import nip_is_valid

#: A GS1 element string's serial number (AI 21), as zxing-cpp writes GS1 in human-readable form.
_GS1_SERIAL = re.compile(r"\(21\)([^()]+)")


def with_exact_evidence(reading: DocumentReading, printed: Extraction) -> Extraction:
    """`printed` (the fields read from the print) with what the page's codes and KSeF number say exactly."""
    fields = dict(printed.fields)
    kind = printed.kind
    for code in reading.codes:
        text = str(code.get("text", ""))
        link = parse_invoice_link(text)
        if link is not None and FieldName.QR_HASH not in fields:
            _take_kod_i(fields, link.nip, link.issued_on.isoformat(), link.hash, link.url)
            kind = DocumentKind.INVOICE
        certificate = parse_certificate_link(text)
        if certificate is not None:
            fields.setdefault(FieldName.KSEF_CERTIFICATE, FieldValue.exactly(certificate.url))
    number = _ksef_number(reading.text, fields)
    if number:
        fields[FieldName.KSEF_NUMBER] = FieldValue.exactly(number)
        kind = DocumentKind.INVOICE if kind is DocumentKind.UNKNOWN else kind
    candidates = product_code_candidates(reading)
    if candidates:
        fields[FieldName.PRODUCT_CODES] = FieldValue.exactly(" ".join(candidates)[:500])
    return replace(printed, kind=kind, fields=fields)


def _take_kod_i(fields: dict[str, FieldValue], nip: str, issued: str, hash_: str, url: str) -> None:
    """A KOD I's NIP and date replace the OCR'd ones; the date read as the sale date stays when it differs."""
    if nip_is_valid(nip):
        fields[FieldName.SELLER_NIP] = FieldValue.exactly(nip)
        buyer = fields.get(FieldName.BUYER_NIP)
        if buyer is not None and buyer.value == nip and not buyer.exact:
            del fields[FieldName.BUYER_NIP]  # OCR took the seller's NIP for the buyer's
    printed_issue, printed_date = fields.get(FieldName.ISSUE_DATE), fields.get(FieldName.DATE)
    if printed_date is None or printed_issue is None or printed_date.value == printed_issue.value:
        fields[FieldName.DATE] = FieldValue.exactly(issued)
    fields[FieldName.ISSUE_DATE] = FieldValue.exactly(issued)
    fields[FieldName.QR_HASH] = FieldValue.exactly(hash_)
    fields[FieldName.KSEF_LINK] = FieldValue.exactly(url)


def _ksef_number(text: str, fields: dict[str, FieldValue]) -> str | None:
    """The KSeF number printed on the page: the seller's when the seller is known, else the only one."""
    numbers = find_ksef_numbers(text)
    seller = fields.get(FieldName.SELLER_NIP)
    if seller is not None:
        numbers = [n for n in numbers if n.nip == seller.value]
    return numbers[0].text if len(numbers) == 1 else None


def product_codes(reading: DocumentReading) -> list[dict[str, Any]]:
    """The decoded codes that are not KSeF links: product codes on packaging (format, text, page)."""
    return [code for code in reading.codes
            if parse_invoice_link(str(code.get("text", ""))) is None
            and parse_certificate_link(str(code.get("text", ""))) is None]


def product_code_candidates(reading: DocumentReading) -> list[str]:
    """What each product code on the page says, as a participant would type it: a GS1 DataMatrix's serial
    (AI 21), an EAN-13's digits, a QR code's or Code 128's text (a link's last path segment). Whether one is a
    programme code is the single-use check's business, as for a typed code."""
    found: list[str] = []
    for code in product_codes(reading):
        text = str(code.get("text", "")).strip()
        serial = _GS1_SERIAL.search(text)
        if serial:
            text = serial.group(1)
        elif text.lower().startswith(("http://", "https://")):
            text = text.rstrip("/").rsplit("/", 1)[-1].rsplit("=", 1)[-1]
        text = re.sub(r"\s+", "", text)[:40]
        if text and text not in found:
            found.append(text)
    return found
