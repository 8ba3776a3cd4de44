"""Plain, JSON-ready views of claims for the APIs and pages."""

from __future__ import annotations

from sqlalchemy.orm import object_session

from claims.db.models import Claim, User
from claims.reasons import reason_text
from claims.roles import Role
from claims.services.participant_claims import (
    LIST_FIELDS,
    appealed_claims,
    credited_by_claim,
    participant_claim_view,
)
from vocabulary.fields import CLAIM_FIELDS


def reason_view(record: dict, locale: str) -> dict:
    """A stored reason as the participant sees it: code and a message in their language (from the catalogue)."""
    code = record.get("code", "")
    view = {"code": code, "message": reason_text(code, locale)}
    if record.get("comment"):
        view["comment"] = record["comment"]
    return view


def claim_fields(fields: dict | None) -> dict:
    """The claim's fields for the API: those of the field table that were read, then its lines and codes."""
    fields = fields or {}
    shown = {name: fields[name] for name in CLAIM_FIELDS if fields.get(name) not in (None, "")}
    shown.update({name: fields[name] for name in LIST_FIELDS if name in fields})
    return shown


def claim_view(claim: Claim, locale: str = "pl", viewer: User | None = None) -> dict:
    """The API's claim document for `viewer`: reviewers and staff get every reason as stored; a participant (and
    any caller that does not say who is asking) gets only what a participant may see
    (`claims.services.participant_claims.participant_claim_view`)."""
    if viewer is None or Role(viewer.role) is Role.PARTICIPANT:
        session = object_session(claim)
        credited = credited_by_claim(session, [claim.id]).get(claim.id) if session is not None else None
        appealed = session is not None and claim.id in appealed_claims(session, [claim.id])
        return participant_claim_view(claim, locale, credited, appealed)
    return {
        "id": claim.id,
        "status": claim.status,
        "kind": claim.kind,
        "reasons": [reason_view(r, locale) for r in claim.reasons or []],
        "fields": claim_fields(claim.fields),
        "points": claim.points_proposed,
        "submitted_at": claim.submitted_at.isoformat() if claim.submitted_at else None,
    }


def queue_item_view(claim: Claim) -> dict:
    """One line of the partner queue."""
    fields = claim.fields or {}
    return {
        "id": claim.id,
        "status": claim.status,
        "kind": claim.kind,
        "outlet": claim.outlet.code if claim.outlet else None,
        "seller_nip": fields.get("seller_nip"),
        "date": fields.get("date"),
        "total": fields.get("total"),
        "points": claim.points_proposed,
        "submitted_at": claim.submitted_at.isoformat() if claim.submitted_at else None,
    }
