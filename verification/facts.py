"""What is known about one claim when it is verified: the read fields, its files, who sent it, from where."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from vocabulary.claims import ClaimKind
from vocabulary.numbers import parse_decimal

#: Header fields whose certainty matters for auto-approval.
KEY_FIELDS = ("seller_nip", "date", "total")


@dataclass(frozen=True)
class LineItem:
    """One purchased line as read: amounts gross on receipts, net on invoices (see ClaimFacts.amounts_are_net)."""

    name: str
    qty: Decimal = Decimal(1)
    unit_price: Decimal | None = None
    amount: Decimal | None = None
    vat_rate: int | None = None
    gtin: str = ""  # an e-invoice line's GTIN (FA `GTIN`)
    seller_index: str = ""  # the seller's own product index (FA `Indeks`)


@dataclass(frozen=True)
class KsefFacts:
    """A KSeF e-invoice's exact identities and type: the hash of its XML (as uploaded, and as its KOD I QR code
    says), its KSeF number, its issue date `P_1`, its type (`RodzajFaktury`) and what it corrects."""

    xml_hash: str | None = None
    qr_hash: str | None = None
    ksef_number: str | None = None
    issue_date: date | None = None
    invoice_type: str | None = None
    corrected_ksef_number: str | None = None
    corrected_document_number: str | None = None
    certificate: str | None = None

    def __bool__(self) -> bool:
        return any((self.xml_hash, self.qr_hash, self.ksef_number, self.certificate))


@dataclass(frozen=True)
class ClaimFacts:
    """A claim as verification sees it; the caller builds it from the claim's merged fields
    (`claims.services.processing.facts_from_extraction`).

    submitted_at: aware, in the programme's time zone (its date() is the submission day).
    sure_fields: names of fields the reader was sure of (ocr's FieldValue.sure).
    exif: one mapping of EXIF tag name -> text per uploaded image (Software, DateTimeOriginal, Make, ...).
    capture_hints: what ingest noticed about the files: "screenshot", "screen_photo".
    """

    claim_id: str
    participant_id: int
    submitted_at: datetime
    kind: str = ClaimKind.RECEIPT
    readable: bool = True
    seller_nip: str | None = None
    seller_name: str | None = None
    seller_address: str | None = None
    buyer_nip: str | None = None
    date: date | None = None
    document_number: str | None = None
    total: Decimal | None = None
    items: tuple[LineItem, ...] = ()
    sure_fields: frozenset[str] = frozenset()
    amounts_are_net: bool | None = None  # None: invoices net, everything else gross
    sha256s: tuple[str, ...] = ()
    phashes: tuple[int, ...] = ()
    exif: tuple[Mapping[str, str], ...] = ()
    capture_hints: frozenset[str] = frozenset()
    participant_company_nip: str | None = None
    device_id: str | None = None
    ip: str | None = None
    ksef: KsefFacts | None = None  # what KSeF data (an e-invoice's XML, its QR codes, its number) said exactly

    @property
    def net_amounts(self) -> bool:
        return self.kind == ClaimKind.INVOICE if self.amounts_are_net is None else self.amounts_are_net

    @property
    def submitted_on(self) -> date:
        return self.submitted_at.date()

    def identity_fields(self) -> dict[str, object]:
        return {"seller_nip": self.seller_nip, "document_number": self.document_number, "date": self.date,
                "total": self.total}


def parse_date(raw: object) -> date | None:
    """ISO "2026-11-03" or Polish "03.11.2026" -> date; None when unreadable."""
    if isinstance(raw, date):
        return raw
    text = str(raw or "").strip()
    for pattern, order in ((r"(\d{4})-(\d{2})-(\d{2})", (0, 1, 2)), (r"(\d{2})[.\-/](\d{2})[.\-/](\d{4})", (2, 1, 0))):
        match = re.fullmatch(pattern, text)
        if match:
            parts = [int(p) for p in match.groups()]
            try:
                return date(parts[order[0]], parts[order[1]], parts[order[2]])
            except ValueError:
                return None
    return None


def parse_item(raw: Mapping[str, object]) -> LineItem:
    """An extracted item dict ({name, qty, unit_price, amount, vat_rate}, strings or numbers)."""
    rate = parse_decimal(raw.get("vat_rate"))
    return LineItem(
        name=str(raw.get("name") or "").strip(),
        qty=parse_decimal(raw.get("qty")) or Decimal(1),
        unit_price=parse_decimal(raw.get("unit_price")),
        amount=parse_decimal(raw.get("amount")),
        vat_rate=int(rate) if rate is not None else None,
        gtin=re.sub(r"\D", "", str(raw.get("gtin") or ""))[:14],
        seller_index=str(raw.get("index") or "").strip()[:100],
    )
