"""Who a contest is for, and the quantity a claim brings to a product-quantity contest.

A contest's audience is everyone, the participants of one region (`participants.region`), or a partner's
customers: participants with an approved claim at that partner's outlets (at any time). Only the audience is
ranked and sees the contest. Membership is read when a score moves and again by the end run, which ranks
from the aggregate: a participant who changes region counts where they are when the contest ends; a new
customer's score is filled from the period's aggregate by the decision that made them one.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import Select, exists, or_, select
from sqlalchemy.orm import Session, aliased

from claims.db.activity_models import Contest
from claims.db.models import Claim, Participant, Product
from verification.facts import parse_item
from vocabulary.claims import ClaimStatus

AUDIENCES = ("all", "region", "partner")


def members(contest: Contest) -> Select | None:
    """The ids of the contest's audience as a subquery to filter by; None: everyone."""
    if contest.audience == "region":
        return select(Participant.id).where(Participant.region == contest.audience_region)
    if contest.audience == "partner":
        bought = aliased(Claim)  # its own name: a subquery over claims inside a query over claims
        return select(bought.participant_id).where(bought.status == ClaimStatus.APPROVED,
                                                   bought.partner_id == contest.audience_partner_id)
    return None


def is_member(session: Session, contest: Contest, participant_id: int) -> bool:
    audience = members(contest)
    if audience is None:
        return True
    if contest.audience == "region":
        return session.get(Participant, participant_id).region == contest.audience_region
    return bool(session.scalar(select(exists(audience.where(audience.selected_columns[0] == participant_id)))))


def contests_for(session: Session, participant_id: int, limit: int = 20) -> list[Contest]:
    """The contests the participant is in the audience of, latest ending first."""
    region = select(Participant.region).where(Participant.id == participant_id).scalar_subquery()
    customer = exists(select(Claim.id).where(Claim.participant_id == participant_id,
                                             Claim.status == ClaimStatus.APPROVED,
                                             Claim.partner_id == Contest.audience_partner_id))
    query = (select(Contest).where(or_(Contest.audience == "all",
                                       (Contest.audience == "region") & (Contest.audience_region == region),
                                       (Contest.audience == "partner") & customer))
             .order_by(Contest.ends_on.desc(), Contest.id.desc()).limit(limit))
    return list(session.scalars(query))


def product_ids(session: Session, skus: list[str]) -> set[int]:
    return set(session.scalars(select(Product.id).where(Product.sku.in_(skus)))) if skus else set()


def claim_quantity(claim: Claim, counted: set[int]) -> Decimal:
    """The units of the counted products on the claim's matched lines (the quantity read on each line's item,
    found by its printed name as the points are)."""
    read: dict[str, Decimal] = {}
    for raw in (claim.fields or {}).get("items") or []:
        if isinstance(raw, dict):
            item = parse_item(raw)
            read.setdefault(item.name, item.qty)
    total = Decimal(0)
    for line in claim.lines or []:
        if isinstance(line, dict) and line.get("product_id") in counted:
            total += read.get(str(line.get("item") or "").strip(), Decimal(1))
    return total
