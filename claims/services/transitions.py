"""Status changes as compare-and-set updates: two racing writers can never both move a claim."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from claims.db.models import Claim
from claims.errors import ConflictError
from claims.lifecycle import check_transition
from claims.services.notifications import notify_status_change
from vocabulary.claims import ClaimStatus


def move_claim(session: Session, claim: Claim, target: ClaimStatus, **values: object) -> None:
    """Move `claim` from the status it was loaded with to `target`, with extra column `values`.

    Raises IllegalTransitionError when the lifecycle forbids the move and ConflictError when another
    transaction changed the claim's status first.
    """
    current = ClaimStatus(claim.status)
    check_transition(current, target)
    now = datetime.now(UTC)
    result = session.execute(
        update(Claim)
        .where(Claim.id == claim.id, Claim.status == current.value)
        .values(status=target.value, updated_at=now, **values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise ConflictError(f"claim {claim.id} is no longer {current}", code="status_changed")
    notify_status_change(session, claim, current, target)  # sent only if this transaction commits
    session.expire(claim)
