"""Partners' own sales records: the invoices a partner says it issued to programme participants.

A record is a KSeF number, or seller NIP + number + date + total, with the buyer's NIP and optional lines. It is
matched to claims by the same exact keys a claim's invoice has (`verification.ksef.document_keys`). A claim the
record agrees with (same total, same buyer) is confirmed without manual review: approved as the partner's
decision through its record, unless risk signals flagged it (then an auditor still decides, the record noted).
A claim the record contradicts (another total, another buyer) goes to an auditor with both side by side.
Matching runs both ways: when a record arrives (`record_sales`) and when a claim is routed (`match_claim`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from claims.audit import record_event
from claims.db.ksef_models import DocumentKey, PartnerSale
from claims.db.models import Claim, Decision, Outlet, User
from claims.errors import InvalidInputError, PermissionDeniedError
from claims.ledger import credit_points
from claims.roles import Role
from claims.services.ksef_corrections import apply_correction
from claims.services.transitions import move_claim
from ocr.ksef.number import parse_ksef_number
from verification.ksef import invoice_key
from verification.verdict import Severity, make_reason
from vocabulary.claims import ClaimStatus
from vocabulary.nip import nip_is_valid, normalise_nip
from vocabulary.numbers import parse_decimal
from vocabulary.reasons import ReasonCode

MAX_RECORDS = 5000
_OPEN = (ClaimStatus.PENDING_REVIEW, ClaimStatus.FLAGGED)


@dataclass(frozen=True)
class SaleRecord:
    """One checked record (what `check_record` made of a CSV row or an API item)."""

    seller_nip: str
    document_number: str = ""
    ksef_number: str | None = None
    issue_date: date | None = None
    total: Decimal | None = None
    buyer_nip: str | None = None
    lines: tuple[dict, ...] = ()

    @property
    def key(self) -> str:
        return f"ksefnr:{self.ksef_number}" if self.ksef_number else invoice_key(self.seller_nip, self.document_number)


@dataclass
class SalesReport:
    stored: int = 0
    confirmed: list[str] = field(default_factory=list)
    contradicted: list[str] = field(default_factory=list)
    noted: list[str] = field(default_factory=list)


def check_record(raw: dict[str, Any], row: int) -> SaleRecord:
    """A record from its fields (ksef_number | seller_nip + document_number + issue_date + total; buyer_nip;
    lines), or InvalidInputError `bad_sale_record` naming the row and the field."""
    def bad(name: str) -> InvalidInputError:
        return InvalidInputError(f"row {row}: {name} is missing or wrong", code="bad_sale_record", row=row, field=name)

    number_text = str(raw.get("ksef_number") or "").strip()
    number = parse_ksef_number(number_text) if number_text else None
    if number_text and number is None:
        raise bad("ksef_number")
    seller = normalise_nip(str(raw.get("seller_nip") or (number.nip if number else "")))
    if not nip_is_valid(seller) or (number is not None and number.nip != seller):
        raise bad("seller_nip")
    buyer = normalise_nip(str(raw.get("buyer_nip") or ""))
    if not nip_is_valid(buyer):
        raise bad("buyer_nip")
    document_number = str(raw.get("document_number") or "").strip()[:100]
    issued, total = _date(raw.get("issue_date")), parse_decimal(raw.get("total"))
    if number is None and not (document_number and issued and total is not None):
        raise bad("document_number" if not document_number else "issue_date" if not issued else "total")
    lines = raw.get("lines") or []
    return SaleRecord(seller, document_number, number.text if number else None, issued, total, buyer,
                      tuple(dict(line) for line in lines[:1000] if isinstance(line, dict)))


def _date(raw: object) -> date | None:
    try:
        return date.fromisoformat(str(raw).strip()) if raw else None
    except ValueError:
        return None


def record_sales(session: Session, user: User, records: list[SaleRecord]) -> SalesReport:
    """Store a partner's records (a record already stored is replaced) and settle the claims they match.

    Raises:
        PermissionDeniedError: the user is no partner's reviewer (or admin), or a seller NIP is not one of the
            partner's outlets (`not_your_outlet`).
    """
    if len(records) > MAX_RECORDS:
        raise InvalidInputError(f"at most {MAX_RECORDS} records at once", code="too_many_records", max=MAX_RECORDS)
    outlets = _outlets_of(session, user)
    report = SalesReport()
    for record in records:
        if record.seller_nip not in outlets:
            raise PermissionDeniedError(f"{record.seller_nip} is not an outlet of yours", code="not_your_outlet")
        sale = _upsert(session, outlets[record.seller_nip], record, user.id)
        report.stored += 1
        for claim in _claims_for(session, sale):
            _settle(session, claim, sale, report)
    record_event(session, "partner_sales_recorded", actor_user_id=user.id,
                 after={"stored": report.stored, "confirmed": len(report.confirmed),
                        "contradicted": len(report.contradicted)})
    return report


def partner_user(user: User) -> User:
    """`user` when it may record sales (a partner's reviewer, for its own outlets; an admin), else 403."""
    if Role(user.role) not in (Role.PARTNER_REVIEWER, Role.ADMIN):
        raise PermissionDeniedError("only partners record their sales", code="not_partner")
    return user


def _outlets_of(session: Session, user: User) -> dict[str, int]:
    """NIP -> partner id of the outlets whose sales `user` may record."""
    if Role(partner_user(user).role) is Role.PARTNER_REVIEWER:
        rows = session.scalars(select(Outlet).where(Outlet.partner_id == user.partner_id))
    else:
        rows = session.scalars(select(Outlet))
    return {outlet.nip: outlet.partner_id for outlet in rows}


def _upsert(session: Session, partner_id: int, record: SaleRecord, user_id: int) -> PartnerSale:
    mine = (PartnerSale.partner_id == partner_id) & (PartnerSale.key == record.key)
    sale = session.scalar(select(PartnerSale).where(mine))
    if sale is None:
        sale = PartnerSale(partner_id=partner_id, key=record.key)
        session.add(sale)
    sale.ksef_number, sale.seller_nip = record.ksef_number, record.seller_nip
    sale.document_number = record.document_number
    sale.issue_date, sale.total, sale.buyer_nip = record.issue_date, record.total, record.buyer_nip
    sale.lines, sale.uploaded_by = list(record.lines), user_id
    session.flush()
    return sale


def _claims_for(session: Session, sale: PartnerSale) -> list[Claim]:
    keyed = select(DocumentKey.claim_id).where(DocumentKey.key == sale.key)
    return list(session.scalars(select(Claim).where(Claim.id.in_(keyed), Claim.partner_id == sale.partner_id,
                                                    Claim.status.in_(_OPEN)).order_by(Claim.submitted_at)))


def match_claim(session: Session, claim_id: str) -> None:
    """Settle a just-routed claim by the sales records of its partner that name its invoice (if any)."""
    claim = session.get(Claim, claim_id)
    if claim is None or claim.partner_id is None or claim.status not in _OPEN:
        return
    keys = select(DocumentKey.key).where(DocumentKey.claim_id == claim_id)
    sale = session.scalar(select(PartnerSale).where(PartnerSale.partner_id == claim.partner_id,
                                                    PartnerSale.key.in_(keys)).order_by(PartnerSale.id))
    if sale is not None:
        _settle(session, claim, sale, SalesReport())


def _differences(claim: Claim, sale: PartnerSale) -> dict[str, dict[str, str | None]]:
    """Where the claim and the record disagree: {field: {"claim": ..., "record": ...}} (side by side)."""
    fields = claim.fields or {}
    found = {}
    claimed_total = parse_decimal(fields.get("total"))
    if sale.total is not None and claimed_total is not None and claimed_total != sale.total:
        found["total"] = {"claim": f"{claimed_total:.2f}", "record": f"{sale.total:.2f}"}
    buyer = fields.get("buyer_nip")
    if sale.buyer_nip and buyer and buyer != sale.buyer_nip:
        found["buyer_nip"] = {"claim": buyer, "record": sale.buyer_nip}
    return found


def _settle(session: Session, claim: Claim, sale: PartnerSale, report: SalesReport) -> None:
    differences = _differences(claim, sale)
    if differences:
        reason = make_reason(ReasonCode.PARTNER_SALE_CONTRADICTS, Severity.BLOCKING, sale_id=sale.id,
                             **{name: values for name, values in differences.items()}).to_dict()
        claim.reasons = [reason, *(claim.reasons or [])]
        if claim.status != ClaimStatus.FLAGGED:
            move_claim(session, claim, ClaimStatus.FLAGGED)
        report.contradicted.append(claim.id)
        return
    note = make_reason(ReasonCode.PARTNER_SALE_CONFIRMS, Severity.INFO, sale_id=sale.id).to_dict()
    claim.reasons = [*(claim.reasons or []), note]
    if claim.status == ClaimStatus.FLAGGED:  # risk signals fired: an auditor still decides
        report.noted.append(claim.id)
        return
    before = claim.status
    move_claim(session, claim, ClaimStatus.APPROVED, decided_at=datetime.now(UTC))
    decision = Decision(claim_id=claim.id, actor_user_id=sale.uploaded_by, action="approve", from_status=before,
                        to_status=ClaimStatus.APPROVED, reason_code=ReasonCode.PARTNER_SALE_CONFIRMS,
                        comment=f"partner sales record {sale.id}")
    session.add(decision)
    apply_correction(session, claim, decision)
    credit_points(session, claim, decision, claim.points_proposed)
    report.confirmed.append(claim.id)
