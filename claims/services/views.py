"""Plain, JSON-ready views of claims for the APIs and pages."""

from __future__ import annotations

from claims.db.models import Claim
from claims.reasons import reason_text
from vocabulary.fields import CLAIM_FIELDS


def reason_view(record: dict, locale: str) -> dict:
    """A stored reason as the participant sees it: code and a message in their language (from the catalogue)."""
    code = record.get("code", "")
    view = {"code": code, "message": reason_text(code, locale)}
    if record.get("comment"):
        view["comment"] = record["comment"]
    return view


#: What a claim's fields carry besides the field table's fields: the read lines and a code claim's codes.
LIST_FIELDS = ("items", "product_codes")


def claim_fields(fields: dict | None) -> dict:
    """The claim's fields for the API: those of the field table that were read, then its lines and codes."""
    fields = fields or {}
    shown = {name: fields[name] for name in CLAIM_FIELDS if fields.get(name) not in (None, "")}
    shown.update({name: fields[name] for name in LIST_FIELDS if name in fields})
    return shown


def claim_view(claim: Claim, locale: str = "pl") -> dict:
    """The participant API's claim document."""
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
