"""A claim's points counted again after a reviewer's correction, by the rules verification counts them with.

Points come from the claim's eligible lines (per unit, per złoty of the line, multipliers by SKU and purchase
date, the fixed bonus, the minimum purchase) and are then cut by the caps per day, month and campaign, given
the participant's other counted claims. A reviewer who rematches a line or corrects the purchase date changes
those inputs, so the whole claim is counted again: moving the points by one line's change would skip the
caps, and a rate per złoty of the total would be another programme's rule.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from claims.db.models import Campaign, Claim, Product
from claims.services.rules import campaign_values, points_history
from verification.facts import parse_date, parse_item
from verification.lines import POINTS_REASONS, points_reasons
from verification.points import claim_points, priced_item
from vocabulary.claims import ClaimKind


def recount_claim(session: Session, claim: Claim, fields: dict | None = None) -> dict:
    """Count a claim's points again and return the columns to write, or {} when its points do not come from
    lines (product codes carry their own points) or it has no campaign.

    A line earns points when it is eligible, matched to a product and found among the read items by its
    printed name (verification skips unnamed items, so positions in the two lists may differ).

    Args:
        claim: the claim; its `lines` as they are to be stored.
        fields: the claim's fields as they are to be stored (default: `claim.fields`).

    Returns:
        {"lines", "points_proposed", "reasons"}: each line's points, the claim's points after the caps, and
        its reasons with the minimum-purchase and caps reasons replaced by the recount's.
    """
    campaign_row = session.get(Campaign, claim.campaign_id) if claim.campaign_id else None
    if campaign_row is None or claim.kind == ClaimKind.PRODUCT_CODE:
        return {}
    campaign = campaign_values(campaign_row)
    fields = (claim.fields or {}) if fields is None else fields
    lines = [dict(line) for line in claim.lines or []]
    read = {}
    for raw in fields.get("items") or []:
        item = parse_item(raw)
        read.setdefault(item.name, item)
    ids = {line["product_id"] for line in lines if line.get("eligible") and line.get("product_id") is not None}
    products = {p.id: p for p in session.scalars(select(Product).where(Product.id.in_(ids)))} if ids else {}
    priced, counted = [], []
    for index, line in enumerate(lines):
        product = products.get(line.get("product_id")) if line.get("eligible") else None
        item = read.get(str(line.get("item") or "").strip())
        line["points"] = 0
        if product is not None and item is not None:
            priced.append(priced_item(item, product.sku, product.points_per_unit, claim.kind == ClaimKind.INVOICE,
                                      campaign.rules.basis))
            counted.append(index)
    day = parse_date(fields.get("date"))
    cap_day = day or (claim.submitted_at.date() if claim.submitted_at else None)
    result = claim_points(priced, campaign.rules, day, points_history(session, claim, claim.campaign_id),
                          cap_day=cap_day)
    for index, points in zip(counted, result.line_points, strict=True):
        lines[index]["points"] = points
    kept = [r for r in claim.reasons or [] if r.get("code") not in POINTS_REASONS]
    reasons = kept + [r.to_dict() for r in points_reasons(result, campaign)]
    return {"lines": lines, "points_proposed": result.points, "reasons": reasons}
