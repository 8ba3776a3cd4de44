"""What a participant's open page polls: a small fingerprint of everything the page shows, so the browser asks
often and cheaply, and fetches the page again only when something really changed.

A claim's fingerprint moves with its status (every move sets `updated_at`) and with each of its documents read
(the stage goes from reading to checking); the list's also with a new claim and a new ledger entry (the
balance). `pace` tells the browser how soon to ask again: quickly while a worker has the claim, slowly while a
person decides, not at all once nothing can change by itself.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from claims.db.models import Claim, Document, LedgerEntry
from claims.errors import NotFoundError
from claims.services.outcomes import claim_stage
from vocabulary.claims import REVIEW_STATES, WORK_STATES

#: How soon a page asks again, by what it is waiting for.
WORK, REVIEW, IDLE = "work", "review", "idle"


@dataclass(frozen=True)
class LiveState:
    """A fingerprint of what a page shows, and how soon to ask again (`work`, `review` or `idle`)."""

    version: str
    pace: str
    status: str | None = None
    stage: str | None = None

    def to_dict(self) -> dict:
        body = {"version": self.version, "pace": self.pace}
        if self.status is not None:
            body.update(status=self.status, stage=self.stage)
        return body


def _fingerprint(*parts: object) -> str:
    return hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()[:16]


def _pace(working: int, reviewing: int) -> str:
    return WORK if working else REVIEW if reviewing else IDLE


def list_state(session: Session, participant_id: int) -> LiveState:
    """The fingerprint of a participant's claims list and balance (three indexed aggregate queries)."""
    mine = Claim.participant_id == participant_id
    working = func.sum(case((Claim.status.in_([s.value for s in WORK_STATES]), 1), else_=0))
    reviewing = func.sum(case((Claim.status.in_([s.value for s in REVIEW_STATES]), 1), else_=0))
    count, newest, work, review = session.execute(
        select(func.count(), func.max(Claim.updated_at), working, reviewing).where(mine)).one()
    read = session.scalar(select(func.count(Document.id)).join(Claim, Claim.id == Document.claim_id)
                          .where(mine, Claim.status.in_([s.value for s in WORK_STATES]),
                                 Document.read_at.is_not(None)))
    ledger = session.scalar(select(func.max(LedgerEntry.id)).where(LedgerEntry.participant_id == participant_id))
    return LiveState(_fingerprint(count, newest, read, ledger), _pace(work or 0, review or 0))


def claim_state(session: Session, participant_id: int, claim_id: str) -> LiveState:
    """The fingerprint, status and stage of one of the participant's claims.

    Raises:
        NotFoundError: no such claim of this participant.
    """
    row = session.execute(select(Claim.status, Claim.updated_at)
                          .where(Claim.id == claim_id, Claim.participant_id == participant_id)).one_or_none()
    if row is None:
        raise NotFoundError("claim not found")
    status, updated = row
    unread = session.scalar(select(func.count(Document.id))
                            .where(Document.claim_id == claim_id, Document.read_at.is_(None))) or 0
    ledger = session.scalar(select(func.max(LedgerEntry.id)).where(LedgerEntry.claim_id == claim_id))
    working, reviewing = status in WORK_STATES, status in REVIEW_STATES
    return LiveState(_fingerprint(status, updated, unread, ledger), _pace(working, reviewing), str(status),
                     str(claim_stage(status, unread)))
