"""The points ledger: append-only entries; a balance is always the sum of a participant's entries."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from claims.db.models import Claim, Decision, LedgerEntry
from claims.errors import ConflictError


def credit_points(session: Session, claim: Claim, decision: Decision | None, points: int) -> LedgerEntry:
    """Add the one credit a claim may ever get; the unique (claim_id, kind) constraint backs 'exactly once'."""
    if points < 0:
        raise ValueError("a credit cannot be negative")
    entry = LedgerEntry(
        participant_id=claim.participant_id, claim_id=claim.id, kind="credit", points=points, decision=decision
    )
    return _append(session, entry)


def reverse_points(session: Session, claim: Claim, decision: Decision | None) -> LedgerEntry:
    """Cancel a claim's credit with a reversal entry of the opposite sign (never an edit)."""
    credited = session.scalar(
        select(LedgerEntry.points).where(LedgerEntry.claim_id == claim.id, LedgerEntry.kind == "credit")
    )
    if credited is None:
        raise ConflictError("this claim has no credit to reverse")
    entry = LedgerEntry(
        participant_id=claim.participant_id, claim_id=claim.id, kind="reversal", points=-credited, decision=decision
    )
    return _append(session, entry)


def _append(session: Session, entry: LedgerEntry) -> LedgerEntry:
    session.add(entry)
    session.flush()  # surface a unique-constraint violation here, inside the caller's transaction
    return entry


def balance(session: Session, participant_id: int) -> int:
    """The participant's points: the sum of all their ledger entries."""
    total = session.scalar(
        select(func.coalesce(func.sum(LedgerEntry.points), 0)).where(LedgerEntry.participant_id == participant_id)
    )
    return int(total or 0)


def history(session: Session, participant_id: int, limit: int = 200) -> list[LedgerEntry]:
    """The participant's entries, newest first."""
    query = (
        select(LedgerEntry)
        .where(LedgerEntry.participant_id == participant_id)
        .order_by(LedgerEntry.id.desc())
        .limit(limit)
    )
    return list(session.scalars(query))
