"""Figures for auditors and admins: claims per day, partners' speed and approval rates, products, participants,
points issued and reversed. Plain rows of plain values; the pages draw them and export them as CSV."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, aliased

from claims.db.models import Claim, Decision, LedgerEntry, Participant, Partner, User
from claims.roles import Role
from vocabulary.claims import ClaimStatus
from vocabulary.numbers import parse_decimal

APPROVED = (ClaimStatus.APPROVED.value, ClaimStatus.REVERSED.value)  # approved at some point
DECIDED = (*APPROVED, ClaimStatus.REJECTED.value)
MAX_ROWS_SCANNED = 50_000  # per-claim figures (items, decision times) read at most this many claims


def since_days(days: int, now: datetime | None = None) -> datetime:
    return (now or datetime.now(UTC)) - timedelta(days=days)


def _day(value: object) -> str:
    """SQLite returns date() as text, PostgreSQL as a date."""
    return value.isoformat() if isinstance(value, date) else str(value)


def claims_per_day(session: Session, since: datetime) -> list[dict]:
    """[{day, status, claims}] for claims submitted since `since`."""
    day = func.date(Claim.submitted_at)
    query = (select(day, Claim.status, func.count(Claim.id)).where(Claim.submitted_at >= since)
             .group_by(day, Claim.status).order_by(day, Claim.status))
    return [{"day": _day(d), "status": s, "claims": int(n)} for d, s, n in session.execute(query)]


def points_per_day(session: Session, since: datetime) -> list[dict]:
    """[{day, issued, reversed}] from the ledger: credits and (positive) reversals per day."""
    day = func.date(LedgerEntry.created_at)
    query = (select(day, LedgerEntry.kind, func.sum(LedgerEntry.points)).where(LedgerEntry.created_at >= since)
             .where(LedgerEntry.kind.in_(("credit", "reversal")))  # claims' points; orders are the rewards report's
             .group_by(day, LedgerEntry.kind).order_by(day))
    days: dict[str, dict] = {}
    for d, kind, points in session.execute(query):
        row = days.setdefault(_day(d), {"day": _day(d), "issued": 0, "reversed": 0})
        row["issued" if kind == "credit" else "reversed"] += abs(int(points or 0))
    return list(days.values())


@dataclass(frozen=True)
class PartnerFigures:
    partner: str
    code: str
    claims: int
    decided: int
    approved: int
    approval_rate: float | None  # approved / decided, 0..1
    median_hours_to_decision: float | None
    overturned: int  # approvals by the partner later reversed by an auditor


def partner_figures(session: Session, since: datetime) -> list[PartnerFigures]:
    """Per partner: claims, approval rate, median time to decision, overturned decisions."""
    counts = _status_counts_by_partner(session, since)
    hours = _decision_hours_by_partner(session, since)
    overturned = _overturned_by_partner(session, since)
    figures = []
    for partner in session.scalars(select(Partner).order_by(Partner.name)):
        by_status = counts.get(partner.id, {})
        decided = sum(by_status.get(s, 0) for s in DECIDED)
        approved = sum(by_status.get(s, 0) for s in APPROVED)
        times = hours.get(partner.id, [])
        figures.append(PartnerFigures(
            partner.name, partner.code, sum(by_status.values()), decided, approved,
            approved / decided if decided else None,
            round(statistics.median(times), 1) if times else None, overturned.get(partner.id, 0)))
    return figures


def _status_counts_by_partner(session: Session, since: datetime) -> dict[int, dict[str, int]]:
    query = (select(Claim.partner_id, Claim.status, func.count(Claim.id))
             .where(Claim.partner_id.is_not(None), Claim.submitted_at >= since)
             .group_by(Claim.partner_id, Claim.status))
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for partner_id, status, n in session.execute(query):
        counts[partner_id][status] = int(n)
    return counts


def _decision_hours_by_partner(session: Session, since: datetime) -> dict[int, list[float]]:
    query = (select(Claim.partner_id, Claim.submitted_at, Claim.decided_at)
             .where(Claim.partner_id.is_not(None), Claim.decided_at.is_not(None), Claim.submitted_at >= since)
             .limit(MAX_ROWS_SCANNED))
    hours: dict[int, list[float]] = defaultdict(list)
    for partner_id, submitted, decided in session.execute(query):
        hours[partner_id].append(max(0.0, (_aware(decided) - _aware(submitted)).total_seconds() / 3600))
    return hours


def _overturned_by_partner(session: Session, since: datetime) -> dict[int, int]:
    approval, reversal = aliased(Decision), aliased(Decision)
    query = (
        select(Claim.partner_id, func.count(func.distinct(Claim.id)))
        .join(approval, and_(approval.claim_id == Claim.id, approval.action == "approve"))
        .join(User, and_(User.id == approval.actor_user_id, User.role == Role.PARTNER_REVIEWER.value))
        .join(reversal, and_(reversal.claim_id == Claim.id, reversal.action == "reverse"))
        .where(Claim.submitted_at >= since).group_by(Claim.partner_id)
    )
    return {partner_id: int(n) for partner_id, n in session.execute(query)}


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def top_products(session: Session, since: datetime, limit: int = 10) -> list[dict]:
    """[{product, claims, quantity}]: line-item names on approved claims, most frequent first."""
    query = (select(Claim.fields).where(Claim.status == ClaimStatus.APPROVED, Claim.submitted_at >= since)
             .limit(MAX_ROWS_SCANNED))
    seen: Counter[str] = Counter()
    quantity: Counter[str] = Counter()
    for fields in session.scalars(query):
        for item in (fields or {}).get("items") or []:
            name = _item_name(item)
            if name:
                seen[name] += 1
                quantity[name] += _quantity(item)
    return [{"product": name, "claims": n, "quantity": float(quantity[name])} for name, n in seen.most_common(limit)]


def _item_name(item: object) -> str:
    if isinstance(item, dict):
        for key in ("name", "description", "text", "product"):
            if item.get(key):
                return " ".join(str(item[key]).split())[:120]
        return ""
    return " ".join(str(item).split())[:120]


def _quantity(item: object) -> Decimal:
    raw = item.get("quantity", 1) if isinstance(item, dict) else 1
    value = parse_decimal(raw)
    return Decimal(1) if value is None else value


def active_participants(session: Session, since: datetime, limit: int = 10) -> list[dict]:
    """[{participant, company, email, claims, points}]: most claims first, with points credited net."""
    claims_n = func.count(Claim.id).label("claims")
    query = (select(Claim.participant_id, claims_n).where(Claim.submitted_at >= since)
             .group_by(Claim.participant_id).order_by(claims_n.desc(), Claim.participant_id).limit(limit))
    ranked = session.execute(query).all()
    if not ranked:
        return []
    ids = [participant_id for participant_id, _ in ranked]
    people = {p.id: (p, u) for p, u in session.execute(
        select(Participant, User).join(User, User.id == Participant.user_id).where(Participant.id.in_(ids)))}
    points = {pid: total for pid, total in session.execute(
        select(LedgerEntry.participant_id, func.sum(LedgerEntry.points))
        .where(LedgerEntry.participant_id.in_(ids)).group_by(LedgerEntry.participant_id))}
    return [{"participant": people[pid][1].name, "company": people[pid][0].company_name,
             "email": people[pid][1].email, "claims": int(n), "points": int(points.get(pid) or 0)}
            for pid, n in ranked if pid in people]
