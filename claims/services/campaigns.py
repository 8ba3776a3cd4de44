"""Concurrent campaigns in the database: which are active, each one's part of a claim, overlaps between them.

verification.campaigns decides; this module loads the campaigns and the per-campaign history it needs, keeps
each campaign's part of a claim (ClaimCampaignPart) and tells an admin which campaigns a new one overlaps.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from claims.db.models import Campaign, Claim, ClaimCampaignPart, Partner
from claims.services import rules
from verification import programme as v
from verification.campaigns import CampaignPart


def active_campaigns(session: Session, claim: Claim | None = None) -> list[Campaign]:
    """Every active campaign, oldest first (the base programme before its promotions); a claim whose own
    campaign was since switched off is still decided by it when nothing else is active."""
    rows = list(session.scalars(select(Campaign).where(Campaign.active.is_(True)).order_by(Campaign.id)))
    if not rows and claim is not None and claim.campaign_id is not None:
        own = session.get(Campaign, claim.campaign_id)
        rows = [own] if own is not None else []
    return rows


def campaign_histories(session: Session, claim: Claim, rows: Sequence[Campaign], outlet_ids: list[int],
                       now: datetime) -> dict[str, v.History]:
    """The participant's history per campaign code: the same activity, the points that each campaign's caps
    count."""
    if not rows:
        return {}
    base = rules.history_for(session, claim, rows[0].id, outlet_ids, now)
    histories = {rows[0].code: base}
    for row in rows[1:]:
        counted = rules.points_history(session, claim, row.id)
        histories[row.code] = replace(base, points_by_day=counted.points_by_day,
                                      points_by_month=counted.points_by_month,
                                      points_in_campaign=counted.points_in_campaign)
    return histories


def store_parts(session: Session, claim_id: str, parts: Sequence[CampaignPart]) -> None:
    """Keep each campaign's part of the claim (replacing earlier ones); the claim belongs to the first part's
    campaign."""
    session.execute(delete(ClaimCampaignPart).where(ClaimCampaignPart.claim_id == claim_id))
    if not parts:
        return
    ids = dict(session.execute(select(Campaign.code, Campaign.id).where(
        Campaign.code.in_([p.code for p in parts]))).all())
    for part in parts:
        session.add(ClaimCampaignPart(claim_id=claim_id, campaign_id=ids[part.code], points=part.points))
    claim = session.get(Claim, claim_id)
    if claim is not None:
        claim.campaign_id = ids[parts[0].code]
    session.flush()


def save_parts(session: Session, claim_id: str, parts: Sequence[tuple[int, int]]) -> None:
    """Store a recount's parts: (campaign id, points) for each campaign counted; the others are dropped."""
    session.execute(delete(ClaimCampaignPart).where(ClaimCampaignPart.claim_id == claim_id))
    for campaign_id, points in parts:
        session.add(ClaimCampaignPart(claim_id=claim_id, campaign_id=campaign_id, points=points))
    session.flush()


@dataclass(frozen=True)
class PartView:
    """A campaign's part of a claim as staff and the participant see it."""

    campaign_id: int
    code: str
    name: str
    points: int


def claim_parts(session: Session, claim_id: str) -> list[PartView]:
    """The campaigns a claim earns in, with each one's points (in the order they were decided)."""
    rows = session.execute(
        select(Campaign.id, Campaign.code, Campaign.name, ClaimCampaignPart.points)
        .join(ClaimCampaignPart, ClaimCampaignPart.campaign_id == Campaign.id)
        .where(ClaimCampaignPart.claim_id == claim_id).order_by(ClaimCampaignPart.id)).all()
    return [PartView(*row) for row in rows]


def part_campaigns(session: Session, claim: Claim) -> list[Campaign]:
    """The campaigns a claim's points come from: its parts, or its own campaign when it has none."""
    rows = list(session.scalars(
        select(Campaign).join(ClaimCampaignPart, ClaimCampaignPart.campaign_id == Campaign.id)
        .where(ClaimCampaignPart.claim_id == claim.id).order_by(ClaimCampaignPart.id)))
    if not rows and claim.campaign_id is not None:
        own = session.get(Campaign, claim.campaign_id)
        rows = [own] if own is not None else []
    return rows


@dataclass(frozen=True)
class Overlap:
    """Another active campaign that runs on some of the same days at some of the same partners."""

    code: str
    name: str
    starts_on: date
    ends_on: date
    partners: tuple[str, ...]  # the partners both run at (empty: every partner)


def overlaps(session: Session, starts_on: date, ends_on: date, partner_ids: Sequence[int] | None,
             own_id: int | None = None) -> list[Overlap]:
    """Active campaigns whose period and partners overlap the given ones (the overlap's own dates)."""
    found = []
    for row in session.scalars(select(Campaign).where(Campaign.active.is_(True)).order_by(Campaign.starts_on)):
        if row.id == own_id or row.starts_on > ends_on or row.ends_on < starts_on:
            continue
        shared = _shared_partners(partner_ids, row.partner_ids)
        if shared == ():
            continue
        names = () if shared is None else tuple(session.scalars(
            select(Partner.name).where(Partner.id.in_(shared)).order_by(Partner.name)))
        found.append(Overlap(row.code, row.name, max(starts_on, row.starts_on), min(ends_on, row.ends_on), names))
    return found


def _shared_partners(mine: Sequence[int] | None, theirs: Sequence[int] | None) -> tuple[int, ...] | None:
    """The partners both reach (None: every partner)."""
    if mine is None and theirs is None:
        return None
    if mine is None or theirs is None:
        return tuple(sorted(theirs if mine is None else mine))
    return tuple(sorted(set(mine) & set(theirs)))
