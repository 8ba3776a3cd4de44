"""The points moment: when a claim's points reach the ledger, the participant's next page view says so once —
how many points, what for (the shop and the purchase date) and the balance now."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from claims.db.models import LedgerEntry, Participant
from claims.ledger import balance
from claims.services.participant_claims import entry_sources

#: At most this many notices at once; older unseen entries are in the points history.
MAX_NOTICES = 3
#: The entries a notice is about: a claim's points. Orders, adjustments and expiry are the participant's own
#: doing or in the history and its e-mails; they are marked seen with the rest.
NOTICED_KINDS = ("credit", "reversal")


@dataclass(frozen=True)
class PointsNotice:
    """One ledger movement the participant has not been told about on a page yet."""

    entry_id: int
    kind: str  # credit | reversal (and the kinds the ledger may gain)
    points: int
    claim_id: str | None
    shop: str
    purchased_on: str


@dataclass(frozen=True)
class PointsMoment:
    notices: tuple[PointsNotice, ...]
    balance: int


def has_unseen_points(session: Session, participant: Participant) -> bool:
    """Whether a ledger entry was added since the participant last saw a notice (a read, no lock)."""
    query = select(LedgerEntry.id).where(LedgerEntry.participant_id == participant.id,
                                         LedgerEntry.id > (participant.points_seen_entry_id or 0),
                                         LedgerEntry.kind.in_(NOTICED_KINDS)).limit(1)
    return session.scalar(query) is not None


def take_points_moment(session: Session, participant: Participant) -> PointsMoment | None:
    """The notices of entries added since the participant last saw one, marked seen in the caller's
    transaction (commit it to show them once); None when there is nothing new."""
    seen = participant.points_seen_entry_id or 0
    entries = list(session.scalars(select(LedgerEntry).where(LedgerEntry.participant_id == participant.id,
                                                             LedgerEntry.id > seen,
                                                             LedgerEntry.kind.in_(NOTICED_KINDS))
                                   .order_by(LedgerEntry.id.desc()).limit(MAX_NOTICES)))
    if not entries:
        return None
    participant.points_seen_entry_id = entries[0].id
    sources = entry_sources(session, entries)
    notices = []
    for entry in entries:
        source = sources.get(entry.claim_id)
        notices.append(PointsNotice(entry.id, entry.kind, entry.points, entry.claim_id,
                                    source.shop if source else "", source.purchased_on if source else ""))
    return PointsMoment(tuple(notices), balance(session, participant.id))
