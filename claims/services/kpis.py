"""The reports' headline figures: claims today, this week and this month; approval rate; median decision time;
the share decided within the SLA (48 h) overall and per partner (the league table); points issued, reversed,
redeemed and outstanding. Plain values; the page shows them as tiles and the exports as rows.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, replace
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from claims.db.models import Claim, LedgerEntry, Partner
from claims.services.reports import DECIDED, ReportFilter, decision_hours_by_partner, ledger_share
from claims.services.worklists import REVIEW_SLA_HOURS

APPROVED_EVER = ("approved", "reversed")


@dataclass(frozen=True)
class Kpis:
    claims_today: int
    claims_week: int
    claims_month: int
    approval_rate: float | None  # approved (ever) / decided, in the period
    median_hours: float | None  # submission to decision, in the period
    sla_share: float | None  # decided within REVIEW_SLA_HOURS / decided, in the period
    points_issued: int
    points_reversed: int
    points_redeemed: int
    points_outstanding: int  # every participant's balance now (of the filter's claims when narrowed)


@dataclass(frozen=True)
class SlaRow:
    """One partner in the league table: best share decided within the SLA first."""

    rank: int
    partner: str
    code: str
    decided: int
    within_sla: int
    sla_share: float | None
    median_hours: float | None


def _count(session: Session, wanted: ReportFilter, since: datetime) -> int:
    return int(session.scalar(select(func.count(Claim.id)).where(
        *replace(wanted, since=since, until=None).claim_conditions())) or 0)


def kpis(session: Session, wanted: ReportFilter, now: datetime | None = None) -> Kpis:
    """The tiles for the filter's partner and campaign: counts by calendar day, week and month to `now`; the
    rest over the filter's period."""
    now = now or datetime.now(UTC)
    midnight = datetime.combine(now.date(), time.min, UTC)
    week = midnight - timedelta(days=now.weekday())
    month = midnight.replace(day=1)
    decided, approved = _decided(session, wanted)
    hours = [h for values in decision_hours_by_partner(session, wanted).values() for h in values]
    points = _points(session, wanted)
    return Kpis(
        _count(session, wanted, midnight), _count(session, wanted, week), _count(session, wanted, month),
        approved / decided if decided else None,
        round(statistics.median(hours), 1) if hours else None,
        sum(1 for h in hours if h <= REVIEW_SLA_HOURS) / len(hours) if hours else None,
        points["issued"], points["reversed"], points["redeemed"], _outstanding(session, wanted),
    )


def _decided(session: Session, wanted: ReportFilter) -> tuple[int, int]:
    rows = session.execute(select(Claim.status, func.count(Claim.id)).where(
        *wanted.claim_conditions(), Claim.status.in_(DECIDED)).group_by(Claim.status)).all()
    return sum(int(n) for _, n in rows), sum(int(n) for s, n in rows if s in APPROVED_EVER)


def _points(session: Session, wanted: ReportFilter) -> dict[str, int]:
    totals = {"issued": 0, "reversed": 0, "redeemed": 0}
    rows = session.execute(select(LedgerEntry.kind, LedgerEntry.points).where(*wanted.ledger_conditions()))
    for kind, points in rows:
        if share := ledger_share(kind, int(points)):
            totals[share[0]] += share[1]
    return totals


def _outstanding(session: Session, wanted: ReportFilter) -> int:
    query = select(func.coalesce(func.sum(LedgerEntry.points), 0))
    if wanted.narrowed:
        query = query.where(LedgerEntry.claim_id.in_(select(Claim.id).where(*wanted.claim_conditions(False))))
    return int(session.scalar(query) or 0)


def sla_league(session: Session, wanted: ReportFilter) -> list[SlaRow]:
    """Every partner (or the filter's one) by share decided within the SLA, then by median hours, then name."""
    hours = decision_hours_by_partner(session, wanted)
    partners = select(Partner).order_by(Partner.name)
    if wanted.partner_id is not None:
        partners = partners.where(Partner.id == wanted.partner_id)
    rows = []
    for partner in session.scalars(partners):
        times = hours.get(partner.id, [])
        within = sum(1 for h in times if h <= REVIEW_SLA_HOURS)
        rows.append((partner.name, partner.code, len(times), within, within / len(times) if times else None,
                     round(statistics.median(times), 1) if times else None))
    rows.sort(key=lambda r: (r[4] is None, -(r[4] or 0), r[5] if r[5] is not None else float("inf"), r[0]))
    return [SlaRow(rank, *row) for rank, row in enumerate(rows, start=1)]
