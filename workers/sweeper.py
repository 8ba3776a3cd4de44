"""The sweeper: finds claims whose job was lost (Redis down, worker killed) and queues them again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, sessionmaker

from claims.db.models import Claim
from claims.lifecycle import ClaimStatus
from workers.queues import ClaimQueue


def stuck_claim_ids(session: Session, received_for: timedelta, processing_for: timedelta) -> list[str]:
    """Claims received but not started for `received_for`, or processing for longer than `processing_for`."""
    now = datetime.now(UTC)
    query = select(Claim.id).where(
        or_(
            (Claim.status == ClaimStatus.RECEIVED) & (Claim.updated_at < now - received_for),
            (Claim.status == ClaimStatus.PROCESSING) & (Claim.updated_at < now - processing_for),
        )
    )
    return list(session.scalars(query.order_by(Claim.submitted_at).limit(10_000)))


def sweep(
    sessions: sessionmaker[Session],
    queue: ClaimQueue,
    *,
    received_for: timedelta = timedelta(seconds=60),
    processing_for: timedelta = timedelta(minutes=15),
) -> int:
    """Queue every stuck claim again (unique job ids make this harmless); returns how many were queued."""
    with sessions() as session:
        ids = stuck_claim_ids(session, received_for, processing_for)
    return sum(1 for claim_id in ids if queue.enqueue_processing(claim_id) is not None)
