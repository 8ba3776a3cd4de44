"""Idempotency-Key handling: the same key and body get the same answer; another body gets a conflict."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from sqlalchemy.orm import Session

from claims.db.models import IdempotencyRecord
from claims.errors import ConflictError


@dataclass(frozen=True)
class StoredAnswer:
    status_code: int
    body: dict


def request_fingerprint(method: str, path: str, body: object) -> str:
    """A stable hash of what was asked."""
    canonical = json.dumps([method, path, body], sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def stored_answer(session: Session, user_id: int, key: str, fingerprint: str) -> StoredAnswer | None:
    """The answer given earlier to this key, None if it is new; ConflictError if the key came with another body."""
    record = session.get(IdempotencyRecord, (user_id, key))
    if record is None:
        return None
    if record.request_hash != fingerprint:
        raise ConflictError("this Idempotency-Key was used with a different request", code="idempotency_conflict")
    return StoredAnswer(record.status_code, record.body)


def remember_answer(
    session: Session, user_id: int, key: str, fingerprint: str, status_code: int, body: dict
) -> None:
    """Keep the answer in the caller's transaction; a racing duplicate fails on the primary key."""
    session.add(
        IdempotencyRecord(user_id=user_id, key=key, request_hash=fingerprint, status_code=status_code, body=body)
    )
    session.flush()
