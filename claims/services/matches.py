"""A reviewer's correction of a line's catalogue match; the printed name is learned for that partner."""

from __future__ import annotations

from sqlalchemy.orm import Session

from claims.audit import record_event
from claims.db.models import Campaign, Claim, Product, User
from claims.errors import ConflictError, InvalidInputError, NotFoundError, PermissionDeniedError
from claims.roles import Role
from claims.services.claim_points import recount_claim
from claims.services.imports import remember_partner_name
from claims.services.review import get_visible_claim
from claims.services.rules import campaign_values
from vocabulary.claims import REVIEW_STATES


def correct_line_match(session: Session, user: User, claim_id: str, line_index: int,
                       product_id: int | None) -> dict:
    """Set (or clear, with None) the product of one line, recompute its points and the claim's, and teach
    the partner's printed name so the next receipt with that line matches by itself.

    The claim's points are counted again as verification counts them (`recount_claim`): the corrected line
    may add or remove points, and the caps still cut the claim.
    """
    claim = get_visible_claim(session, user, claim_id)
    if Role(user.role) is Role.PARTICIPANT:
        raise PermissionDeniedError("participants do not correct matches")
    if claim.status not in REVIEW_STATES:
        raise ConflictError(f"claim is {claim.status}; only claims under review can be corrected",
                            code="already_decided")
    lines = [dict(line) for line in claim.lines or []]
    if not 0 <= line_index < len(lines):
        raise InvalidInputError("no such line on this claim", code="bad_line")
    product = session.get(Product, product_id) if product_id is not None else None
    if product_id is not None and product is None:
        raise NotFoundError("no such product")
    before = lines[line_index]
    after = _corrected(session, claim, line_index, before, product)
    lines[line_index] = after
    claim.lines = lines
    for column, value in recount_claim(session, claim).items():
        setattr(claim, column, value)
    after = claim.lines[line_index]
    if product is not None and claim.partner_id is not None:
        remember_partner_name(session, claim.partner_id, product.id, str(before.get("item", "")),
                              created_by=user.id)
        if before.get("seller_index"):  # an e-invoice line's index: the next line with it matches exactly
            remember_partner_name(session, claim.partner_id, product.id, str(before["seller_index"]),
                                  created_by=user.id)
    record_event(session, "line_match_corrected", actor_user_id=user.id, claim_id=claim.id,
                 before={"line": line_index, **before}, after={"line": line_index, **after})
    return after


def _corrected(session: Session, claim: Claim, index: int, before: dict, product: Product | None) -> dict:
    """The line with its new product and eligibility (its points are counted with the whole claim's)."""
    if product is None:
        return {**before, "product_id": None, "product_name": None, "points": 0, "eligible": False,
                "auto": True, "method": "reviewer", "score": 100.0, "reason": "product_not_eligible"}
    campaign_row = session.get(Campaign, claim.campaign_id) if claim.campaign_id else None
    campaign = campaign_values(campaign_row) if campaign_row else None
    eligible = campaign is not None and campaign.is_eligible(product.sku)
    return {**before, "product_id": product.id, "product_name": product.name, "points": 0,
            "eligible": eligible, "auto": True, "method": "reviewer", "score": 100.0,
            "reason": None if eligible else "product_not_eligible"}
