"""The sweeper: finds claims whose job was lost (Redis down, worker killed) and queues them again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, sessionmaker

from claims.db.models import Claim
from vocabulary.claims import ClaimStatus
from workers.queues import ClaimQueue


def stuck_claims(session: Session, received_for: timedelta, processing_for: timedelta) -> list[tuple[str, str]]:
    """(id, status) of claims received but not started for `received_for`, or processing for longer than
    `processing_for`."""
    now = datetime.now(UTC)
    query = select(Claim.id, Claim.status).where(
        or_(
            (Claim.status == ClaimStatus.RECEIVED) & (Claim.updated_at < now - received_for),
            (Claim.status == ClaimStatus.PROCESSING) & (Claim.updated_at < now - processing_for),
        )
    )
    return [tuple(row) for row in session.execute(query.order_by(Claim.submitted_at).limit(10_000))]


def sweep(
    sessions: sessionmaker[Session],
    queue: ClaimQueue,
    *,
    received_for: timedelta = timedelta(seconds=60),
    processing_for: timedelta | None = None,
) -> int:
    """Queue every stuck claim again (unique job ids make this harmless); returns how many were queued.

    `processing_for` defaults to the job timeout plus a minute: after that no live job can still hold the
    claim (rq kills a job at its timeout), so a job still marked started died with its worker.
    """
    if processing_for is None:
        processing_for = timedelta(seconds=queue.job_timeout + 60)
    with sessions() as session:
        stuck = stuck_claims(session, received_for, processing_for)
    return sum(
        1 for claim_id, status in stuck
        if queue.enqueue_processing(claim_id, replace_started=status == ClaimStatus.PROCESSING) is not None
    )
