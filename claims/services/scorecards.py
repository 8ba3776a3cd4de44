"""Partners compete too: a scorecard per partner over a report period, and the partner contest "the fastest
fair reviewer" ranked from it.

The scorecard builds on the reports' figures (claims.services.reports.partner_figures: volume, decisions,
approval rate, median hours, approvals overturned by an auditor) and adds the 90th percentile of the hours from
submission to decision, the share decided within the SLA (claims.services.worklists.REVIEW_SLA_HOURS), the
overturn rate (overturned / approved) and the participants a partner brought in: those whose first approved
claim (ever) was at its outlets and was decided in the period.

The fastest fair reviewer: among partners with at least `min_decided` decisions, an approval rate within
[`min_approval`, `max_approval`] (neither rubber-stamping nor refusing everything) and an overturn rate of at
most `max_overturn`, the best share within the SLA wins, then the lower median hours, then the lower p90,
then the name. The others are listed with why they do not qualify.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from claims.db.models import Claim, Partner
from claims.services.reports import ReportFilter, decision_hours_by_partner, partner_figures
from claims.services.worklists import REVIEW_SLA_HOURS

APPROVED_EVER = ("approved", "reversed")


@dataclass(frozen=True)
class Scorecard:
    partner_id: int
    partner: str
    code: str
    claims: int
    decided: int
    approved: int
    approval_rate: float | None
    median_hours: float | None
    p90_hours: float | None
    sla_share: float | None
    overturned: int
    overturn_rate: float | None
    brought_in: int


@dataclass(frozen=True)
class FairRules:
    """The partner contest's fairness condition."""

    min_decided: int = 10
    min_approval: float = 0.5
    max_approval: float = 0.98
    max_overturn: float = 0.05


@dataclass(frozen=True)
class ContestPlace:
    place: int | None  # None: not qualified
    card: Scorecard
    why_not: str = ""  # too_few | approval_low | approval_high | overturns


def scorecards(session: Session, wanted: ReportFilter) -> list[Scorecard]:
    """One scorecard per partner (or the filter's one), by name."""
    ids = dict(session.execute(select(Partner.code, Partner.id)).all())
    hours = decision_hours_by_partner(session, wanted)
    brought = brought_in(session, wanted)
    cards = []
    for figures in partner_figures(session, wanted):
        pid = ids[figures.code]
        times = sorted(hours.get(pid, []))
        within = sum(1 for h in times if h <= REVIEW_SLA_HOURS)
        cards.append(Scorecard(
            pid, figures.partner, figures.code, figures.claims, figures.decided, figures.approved,
            figures.approval_rate, figures.median_hours_to_decision, _percentile(times, 0.9),
            within / len(times) if times else None, figures.overturned,
            figures.overturned / figures.approved if figures.approved else None, brought.get(pid, 0)))
    return cards


def _percentile(values: list[float], share: float) -> float | None:
    """The nearest-rank percentile of sorted values."""
    if not values:
        return None
    return round(values[max(0, math.ceil(share * len(values)) - 1)], 1)


def brought_in(session: Session, wanted: ReportFilter) -> dict[int, int]:
    """Per partner: participants whose first approved claim was at its outlets, decided in the period."""
    first = (select(Claim.participant_id, func.min(Claim.decided_at).label("first"))
             .where(Claim.status.in_(APPROVED_EVER), Claim.decided_at.is_not(None))
             .group_by(Claim.participant_id).subquery())
    query = (select(Claim.partner_id, func.count(func.distinct(Claim.participant_id)))
             .join(first, and_(first.c.participant_id == Claim.participant_id, first.c.first == Claim.decided_at))
             .where(Claim.status.in_(APPROVED_EVER), Claim.partner_id.is_not(None), first.c.first >= wanted.since,
                    first.c.first < (wanted.until or datetime.now(UTC)))
             .group_by(Claim.partner_id))
    if wanted.partner_id is not None:
        query = query.where(Claim.partner_id == wanted.partner_id)
    return {partner_id: int(n) for partner_id, n in session.execute(query)}


def fair_reviewers(cards: list[Scorecard], rules: FairRules = FairRules()) -> list[ContestPlace]:
    """The partner contest: qualified partners ranked, then the others with the reason."""
    qualified, others = [], []
    for card in cards:
        why = _why_not(card, rules)
        (others if why else qualified).append((card, why))
    qualified.sort(key=lambda pair: (-(pair[0].sla_share or 0), _or_inf(pair[0].median_hours),
                                     _or_inf(pair[0].p90_hours), pair[0].partner))
    ranked = [ContestPlace(place, card) for place, (card, _) in enumerate(qualified, start=1)]
    return ranked + [ContestPlace(None, card, why) for card, why in sorted(others, key=lambda p: p[0].partner)]


def _why_not(card: Scorecard, rules: FairRules) -> str:
    if card.decided < rules.min_decided or card.approval_rate is None:
        return "too_few"
    if card.approval_rate < rules.min_approval:
        return "approval_low"
    if card.approval_rate > rules.max_approval:
        return "approval_high"
    if (card.overturn_rate or 0) > rules.max_overturn:
        return "overturns"
    return ""


def _or_inf(value: float | None) -> float:
    return value if value is not None else float("inf")
