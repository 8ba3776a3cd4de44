"""What a worker does to a claim, in small transactional steps; every step is safe to run twice."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from claims.audit import record_event
from claims.db.models import Claim, Decision, Document, Outlet, ProductCode
from claims.errors import NotFoundError
from claims.ledger import credit_points
from claims.reasons import reason
from claims.services.transitions import move_claim
from vocabulary.claims import ClaimKind, ClaimStatus
from vocabulary.reasons import ReasonCode


@dataclass(frozen=True)
class DocumentWork:
    id: int
    sha256: str
    media_type: str
    has_reading: bool


@dataclass(frozen=True)
class ClaimWork:
    """What a worker needs to know to process a claim."""

    claim_id: str
    kind: str
    documents: tuple[DocumentWork, ...]
    product_codes: tuple[str, ...]


@dataclass(frozen=True)
class Outcome:
    """The end of processing: where the claim goes and what it carries there."""

    status: ClaimStatus
    kind: str
    reasons: list[dict] = field(default_factory=list)
    fields: dict = field(default_factory=dict)
    points: int = 0
    outlet_id: int | None = None
    partner_id: int | None = None
    total: Decimal | None = None
    lines: list[dict] = field(default_factory=list)
    risk_score: float = 0.0
    identity_key: str | None = None


def start_processing(session: Session, claim_id: str) -> ClaimWork | None:
    """Mark the claim processing and describe the work; None when it is already past processing."""
    claim = session.get(Claim, claim_id)
    if claim is None:
        raise NotFoundError(f"claim {claim_id} does not exist")
    if claim.status == ClaimStatus.RECEIVED:
        move_claim(session, claim, ClaimStatus.PROCESSING, attempts=claim.attempts + 1,
                   processing_started_at=datetime.now(UTC))
    elif claim.status != ClaimStatus.PROCESSING:  # a second run of a finished job: nothing to do
        return None
    docs = tuple(
        DocumentWork(d.id, d.sha256, d.media_type, d.reading is not None or d.error_code is not None)
        for d in claim.documents
    )
    return ClaimWork(claim.id, claim.kind, docs, tuple(claim.product_codes or ()))


def save_reading(
    session: Session, document_id: int, reading: dict | None, extraction: dict | None, error_code: str | None,
    exif: dict | None = None,
) -> None:
    """Store what was read from one document (or why it could not be read)."""
    document = session.get(Document, document_id)
    if document is None:
        raise NotFoundError(f"document {document_id} does not exist")
    document.reading, document.extraction, document.error_code = reading, extraction, error_code
    document.exif = exif
    document.read_at = datetime.now(UTC)


def approve_automatically(session: Session, claim_id: str) -> None:
    """Credit a claim the campaign let through without review (recorded as a system decision)."""
    claim = session.get(Claim, claim_id, populate_existing=True)
    if claim is None or claim.status != ClaimStatus.APPROVED:
        return
    decision = Decision(claim_id=claim.id, action="approve", from_status=ClaimStatus.PROCESSING,
                        to_status=ClaimStatus.APPROVED, reason_code=ReasonCode.AUTO_APPROVED, comment="")
    session.add(decision)
    credit_points(session, claim, decision, claim.points_proposed)


def claim_extractions(session: Session, claim_id: str) -> list[dict]:
    """The stored extraction of each document of a claim, in page order (an error reading gives {})."""
    rows = session.scalars(select(Document).where(Document.claim_id == claim_id).order_by(Document.position))
    return [dict(d.extraction or {}, error_code=d.error_code) for d in rows]


def outlets_by_nip(session: Session, nips: list[str]) -> dict[str, Outlet]:
    """Active outlets whose NIP is among `nips`."""
    if not nips:
        return {}
    rows = session.scalars(select(Outlet).where(Outlet.nip.in_(nips), Outlet.active.is_(True)))
    return {o.nip: o for o in rows}


def finish_processing(session: Session, claim_id: str, outcome: Outcome) -> bool:
    """Move a processing claim to its outcome; False when another run already finished it."""
    claim = session.get(Claim, claim_id)
    if claim is None or claim.status != ClaimStatus.PROCESSING:
        return False
    move_claim(
        session, claim, outcome.status, kind=outcome.kind, reasons=outcome.reasons, fields=outcome.fields,
        points_proposed=outcome.points, outlet_id=outcome.outlet_id, partner_id=outcome.partner_id,
        total=outcome.total, lines=outcome.lines, risk_score=outcome.risk_score,
        identity_key=outcome.identity_key,
    )
    record_event(session, "claim_processed", claim_id=claim_id,
                 after={"status": str(outcome.status), "reasons": [r["code"] for r in outcome.reasons]})
    return True


def release_claim(session: Session, claim_id: str) -> None:
    """Give a processing claim back (processing -> received) so a retry or the sweeper picks it up."""
    claim = session.get(Claim, claim_id)
    if claim is not None and claim.status == ClaimStatus.PROCESSING:
        move_claim(session, claim, ClaimStatus.RECEIVED)


def fail_claim(session: Session, claim_id: str, detail: str) -> None:
    """A permanent failure: the claim goes to the auditors' flagged queue with a visible reason."""
    claim = session.get(Claim, claim_id)
    if claim is None or claim.status != ClaimStatus.PROCESSING:
        return
    reasons = [reason(ReasonCode.PROCESSING_FAILED, detail=detail[:500])]
    move_claim(session, claim, ClaimStatus.FLAGGED, reasons=reasons)
    record_event(session, "claim_failed", claim_id=claim_id, after={"detail": detail[:500]})


def finish_code_claim(session: Session, claim_id: str) -> bool:
    """Consume a product-code claim's codes atomically and approve it with their points (or reject it)."""
    claim = session.get(Claim, claim_id)
    if claim is None or claim.status != ClaimStatus.PROCESSING:
        return False
    points, reasons, accepted = 0, [], []
    for code in claim.product_codes:
        value = _consume_code(session, code, claim.id)
        if isinstance(value, int):
            points += value
            accepted.append(code)
        else:
            reasons.append(reason(value, product_code=code))
    status = ClaimStatus.APPROVED if accepted else ClaimStatus.REJECTED
    outcome = Outcome(status=status, kind=ClaimKind.PRODUCT_CODE, reasons=reasons,
                      fields={"product_codes": accepted}, points=points)
    finish_processing(session, claim_id, outcome)
    if status is ClaimStatus.APPROVED:
        decision = Decision(claim_id=claim.id, action="approve", from_status=ClaimStatus.PROCESSING,
                            to_status=status, reason_code="valid_product_codes", comment="")
        session.add(decision)
        credit_points(session, claim, decision, points)
    return True


def _consume_code(session: Session, code: str, claim_id: str) -> int | ReasonCode:
    """Points of `code` when this claim may use it (now or on an earlier run), else why not."""
    taken = session.execute(
        update(ProductCode)
        .where(ProductCode.code == code, ProductCode.claim_id.is_(None))
        .values(claim_id=claim_id, used_at=datetime.now(UTC))
        .execution_options(synchronize_session=False)
    )
    row = session.get(ProductCode, code, populate_existing=True)
    if row is None:
        return ReasonCode.INVALID_CODE
    if taken.rowcount == 1 or row.claim_id == claim_id:
        return row.points
    return ReasonCode.CODE_ALREADY_USED
