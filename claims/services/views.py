"""Plain, JSON-ready views of claims for the APIs and pages."""

from __future__ import annotations

from claims.db.models import Claim
from claims.reasons import message


def reason_view(record: dict, locale: str) -> dict:
    """A stored reason as the participant sees it: code and a message in their language."""
    code = record.get("code", "")
    view = {"code": code, "message": record.get(f"message_{locale}") or message(code, locale)}
    if record.get("comment"):
        view["comment"] = record["comment"]
    return view


def claim_view(claim: Claim, locale: str = "pl") -> dict:
    """The participant API's claim document."""
    return {
        "id": claim.id,
        "status": claim.status,
        "kind": claim.kind,
        "reasons": [reason_view(r, locale) for r in claim.reasons or []],
        "fields": dict(claim.fields or {}),
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
