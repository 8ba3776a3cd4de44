"""Product codes photographed instead of typed: a claim whose files show a product code and no receipt or
invoice becomes a product-code claim, and its codes go through the same single-use check as typed ones."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from claims.audit import record_event
from claims.db.models import Claim, Document
from claims.services.intake import MAX_CODES
from verification.identifiers import code_is_well_formed, normalise_code
from vocabulary.claims import ClaimKind


def scanned_codes(session: Session, claim_id: str) -> list[str]:
    """The programme codes decoded on a claim's documents (well-formed ones, in page order, without repeats)."""
    extractions = session.scalars(select(Document.extraction).where(Document.claim_id == claim_id)
                                  .order_by(Document.position))
    codes: list[str] = []
    for extraction in extractions:
        raw = ((extraction or {}).get("fields") or {}).get("product_codes") or {}
        for token in str(raw.get("value", "")).split():
            code = normalise_code(token)
            if code_is_well_formed(code) and code not in codes:
                codes.append(code)
    return codes[:MAX_CODES]


def become_code_claim(session: Session, claim: Claim, codes: list[str]) -> None:
    """Turn a claim whose photos show only product codes into a product-code claim carrying those codes."""
    claim.kind = ClaimKind.PRODUCT_CODE
    claim.product_codes = list(codes)
    record_event(session, "codes_scanned", claim_id=claim.id, after={"product_codes": list(codes)})
