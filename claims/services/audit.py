"""Reading the audit trail: every decision, correction, appeal and consent change with who, when, before, after."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from claims.db.models import AuditEvent, User

#: The events auditors usually want first: decisions and corrections.
#: "claim_rejectd": rejections recorded before the event's name was corrected.
DECISION_ACTIONS = ("claim_approved", "claim_rejected", "claim_reversed", "claim_appealed",
                    "claim_fields_corrected", "claim_rejectd")


@dataclass(frozen=True)
class AuditRow:
    id: int
    created_at: datetime
    actor: str | None  # None: the system (a worker)
    actor_role: str | None
    claim_id: str | None
    action: str
    before: dict | None
    after: dict | None


def audit_log(session: Session, *, claim_id: str | None = None, actions: tuple[str, ...] = (),
              limit: int = 100, offset: int = 0, newest_first: bool = True) -> list[AuditRow]:
    """Audit events, optionally of one claim and of some actions, with the actor's name."""
    query = select(AuditEvent, User.name, User.email, User.role).outerjoin(User, User.id == AuditEvent.actor_user_id)
    if claim_id is not None:
        query = query.where(AuditEvent.claim_id == claim_id)
    if actions:
        query = query.where(AuditEvent.action.in_(actions))
    order = (AuditEvent.id.desc(),) if newest_first else (AuditEvent.id,)
    rows = session.execute(query.order_by(*order).limit(limit).offset(offset))
    return [
        AuditRow(event.id, event.created_at, (name or email) if email else None, role, event.claim_id,
                 event.action, event.before, event.after)
        for event, name, email, role in rows
    ]


def audit_actions(session: Session) -> list[str]:
    """Every kind of event recorded so far (for the filter)."""
    return sorted(set(session.scalars(select(AuditEvent.action).distinct())))
