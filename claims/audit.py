"""Audit trail: every decision and edit recorded with who, when, what and why."""

from __future__ import annotations

from sqlalchemy.orm import Session

from claims.db.models import AuditEvent


def record_event(
    session: Session,
    action: str,
    *,
    actor_user_id: int | None = None,
    claim_id: str | None = None,
    before: dict | None = None,
    after: dict | None = None,
) -> AuditEvent:
    """Add an audit event to the session's transaction."""
    event = AuditEvent(actor_user_id=actor_user_id, claim_id=claim_id, action=action, before=before, after=after)
    session.add(event)
    return event
