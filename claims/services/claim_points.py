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
from claims.services.campaigns import part_campaigns, save_parts
from claims.services.rules import campaign_values, points_history
from verification.facts import parse_date, parse_item
from verification.lines import POINTS_REASONS, points_reasons
from verification.points import PointsResult, claim_points, priced_item
from verification.programme import Campaign as Campaign_
from vocabulary.claims import ClaimKind


def recount_claim(session: Session, claim: Claim, fields: dict | None = None, store: bool = True) -> dict:
    """Count a claim's points again and return the columns to write, or {} when its points do not come from
    lines (product codes carry their own points) or it has no campaign.

    A claim that earns in several campaigns is counted in each of them that covers its (corrected) purchase
    date, and each campaign's part is stored again; the claim's points are their sum.

    A line earns points when it is eligible, matched to a product and found among the read items by its
    printed name (verification skips unnamed items, so positions in the two lists may differ).

    Args:
        claim: the claim; its `lines` as they are to be stored.
        fields: the claim's fields as they are to be stored (default: `claim.fields`).
        store: keep each campaign's new part (False: only count, for a preview).

    Returns:
        {"lines", "points_proposed", "reasons"}: each line's points, the claim's points after the caps, and
        its reasons with the minimum-purchase and caps reasons replaced by the recount's.
    """
    rows = part_campaigns(session, claim)
    if not rows or claim.kind == ClaimKind.PRODUCT_CODE:
        return {}
    fields = (claim.fields or {}) if fields is None else fields
    lines = [dict(line) for line in claim.lines or []]
    day = parse_date(fields.get("date"))
    counted = [(row, campaign_values(row)) for row in rows]
    counted = [(row, c) for row, c in counted if c.covers_date(day)] or counted[:1]
    totals = [0] * len(lines)
    points, reasons, parts = 0, [], []
    for row, campaign in counted:
        result, per_line = _campaign_points(session, claim, fields, lines, row, campaign)
        points += result.points
        parts.append((row.id, result.points))
        seen = {x["code"] for x in reasons}
        reasons.extend(r.to_dict() for r in points_reasons(result, campaign) if r.code not in seen)
        for index, value in per_line.items():
            totals[index] += value
    for index, line in enumerate(lines):
        line["points"] = totals[index]
    kept = [r for r in claim.reasons or [] if r.get("code") not in POINTS_REASONS]
    if store:
        save_parts(session, claim.id, parts)
    return {"lines": lines, "points_proposed": points, "reasons": kept + reasons}


def _campaign_points(session: Session, claim: Claim, fields: dict, lines: list[dict], row: Campaign,
                     campaign: Campaign_) -> tuple[PointsResult, dict[int, int]]:
    """One campaign's points of the claim, and each counted line's points under it (by line index)."""
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
        if product is not None and item is not None and campaign.is_eligible(product.sku):
            priced.append(priced_item(item, product.sku, product.points_per_unit, claim.kind == ClaimKind.INVOICE,
                                      campaign.rules.basis))
            counted.append(index)
    day = parse_date(fields.get("date"))
    cap_day = day or (claim.submitted_at.date() if claim.submitted_at else None)
    result = claim_points(priced, campaign.rules, day, points_history(session, claim, row.id), cap_day=cap_day)
    return result, dict(zip(counted, result.line_points, strict=True))
