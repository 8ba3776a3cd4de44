"""Tables of exact evidence: the identities of KSeF invoices and the partners' own sales records."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, Date, ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from claims.db.models import Base, utcnow


class DocumentKey(Base):
    """An exact identity of the document a claim carries, from KSeF data: the hash of the invoice's XML (from the
    XML itself or its KOD I QR code: "ksef:<hash>"), its KSeF number ("ksefnr:<number>"), and the seller NIP
    with the invoice number ("inv:<nip>|<number>", to compare an XML and a QR code of the same invoice).
    The same key on two claims is the same invoice, whoever claimed it and in whatever form."""

    __tablename__ = "document_keys"
    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[str] = mapped_column(ForeignKey("claims.id"))
    key: Mapped[str] = mapped_column(String(160), index=True)
    __table_args__ = (UniqueConstraint("claim_id", "key", name="uq_document_keys_claim_key"),)


class PartnerSale(Base):
    """An invoice a partner says it issued to a programme participant (its own sales record, from CSV or the
    API): by KSeF number, or seller NIP + number (+ date and total), with the buyer's NIP and optional lines.
    `key` is the exact identity a claim's `DocumentKey` is matched on; one row per partner and key."""

    __tablename__ = "partner_sales"
    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"), index=True)
    key: Mapped[str] = mapped_column(String(160), index=True)
    ksef_number: Mapped[str | None] = mapped_column(String(36))
    seller_nip: Mapped[str] = mapped_column(String(10))
    document_number: Mapped[str] = mapped_column(String(100), default="")
    issue_date: Mapped[date | None] = mapped_column(Date)
    total: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    buyer_nip: Mapped[str | None] = mapped_column(String(10))
    lines: Mapped[list] = mapped_column(JSON, default=list)
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    __table_args__ = (UniqueConstraint("partner_id", "key", name="uq_partner_sales_partner_key"),)
