"""Figures for auditors and admins: claims per day, partners' speed and approval rates, products, participants,
points issued and reversed. Plain rows of plain values; the pages draw them and export them as CSV and XLSX.

Every figure takes a ReportFilter (period, partner, campaign) or, as before, the moment its period starts."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from claims.db.models import Claim, ClaimCampaignPart, Decision, LedgerEntry, Participant, Partner, User
from claims.roles import Role
from vocabulary.claims import ClaimStatus
from vocabulary.numbers import parse_decimal

APPROVED = (ClaimStatus.APPROVED.value, ClaimStatus.REVERSED.value)  # approved at some point
DECIDED = (*APPROVED, ClaimStatus.REJECTED.value)
MAX_ROWS_SCANNED = 50_000  # per-claim figures (items, decision times) read at most this many claims


def since_days(days: int, now: datetime | None = None) -> datetime:
    return (now or datetime.now(UTC)) - timedelta(days=days)


@dataclass(frozen=True)
class ReportFilter:
    """Which claims a report counts: submitted from `since` (until `until`), of one partner, in one campaign
    (a claim is in every campaign it earns a part in)."""

    since: datetime
    until: datetime | None = None
    partner_id: int | None = None
    campaign_id: int | None = None

    def claim_conditions(self, submitted: bool = True) -> list:
        found = [Claim.submitted_at >= self.since] if submitted else []
        if submitted and self.until is not None:
            found.append(Claim.submitted_at < self.until)
        if self.partner_id is not None:
            found.append(Claim.partner_id == self.partner_id)
        if self.campaign_id is not None:
            parts = select(ClaimCampaignPart.claim_id).where(ClaimCampaignPart.campaign_id == self.campaign_id)
            found.append(or_(Claim.campaign_id == self.campaign_id, Claim.id.in_(parts)))
        return found

    @property
    def narrowed(self) -> bool:
        return self.partner_id is not None or self.campaign_id is not None

    def ledger_conditions(self) -> list:
        """Ledger entries made in the period, of the filter's claims when it names a partner or campaign."""
        found = [LedgerEntry.created_at >= self.since]
        if self.until is not None:
            found.append(LedgerEntry.created_at < self.until)
        if self.narrowed:
            found.append(LedgerEntry.claim_id.in_(select(Claim.id).where(*self.claim_conditions(submitted=False))))
        return found


def as_filter(value: datetime | ReportFilter) -> ReportFilter:
    return value if isinstance(value, ReportFilter) else ReportFilter(since=value)


def _day(value: object) -> str:
    """SQLite returns date() as text, PostgreSQL as a date."""
    return value.isoformat() if isinstance(value, date) else str(value)


def claims_per_day(session: Session, since: datetime | ReportFilter) -> list[dict]:
    """[{day, status, claims}] for claims submitted since `since`."""
    day = func.date(Claim.submitted_at)
    query = (select(day, Claim.status, func.count(Claim.id)).where(*as_filter(since).claim_conditions())
             .group_by(day, Claim.status).order_by(day, Claim.status))
    return [{"day": _day(d), "status": s, "claims": int(n)} for d, s, n in session.execute(query)]


def points_per_day(session: Session, since: datetime | ReportFilter) -> list[dict]:
    """[{day, issued, reversed, redeemed}] from the ledger: credits, reversals and any other debit (rewards
    redeemed) per day, each as a positive number."""
    day = func.date(LedgerEntry.created_at)
    query = (select(day, LedgerEntry.kind, func.sum(LedgerEntry.points))
             .where(*as_filter(since).ledger_conditions()).group_by(day, LedgerEntry.kind).order_by(day))
    days: dict[str, dict] = {}
    for d, kind, points in session.execute(query):
        row = days.setdefault(_day(d), {"day": _day(d), "issued": 0, "reversed": 0, "redeemed": 0})
        if share := ledger_share(kind, int(points or 0)):
            row[share[0]] += share[1]
    return list(days.values())


#: How each kind of ledger entry counts in the reports: claim credits are issued, reversals reversed, orders
#: redeemed net of their refunds; adjustments and expiry show only in the outstanding balance.
_COLUMNS = {"credit": "issued", "reversal": "reversed", "order_debit": "redeemed", "order_refund": "redeemed"}


def ledger_share(kind: str, points: int) -> tuple[str, int] | None:
    """(column, amount to add) for a ledger entry, or None when it counts in no column."""
    column = _COLUMNS.get(kind)
    if column is None:
        return None
    return column, points if column == "issued" else -points


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


def partner_figures(session: Session, since: datetime | ReportFilter) -> list[PartnerFigures]:
    """Per partner: claims, approval rate, median time to decision, overturned decisions."""
    wanted = as_filter(since)
    counts = _status_counts_by_partner(session, wanted)
    hours = decision_hours_by_partner(session, wanted)
    overturned = _overturned_by_partner(session, wanted)
    figures = []
    partners = select(Partner).order_by(Partner.name)
    if wanted.partner_id is not None:
        partners = partners.where(Partner.id == wanted.partner_id)
    for partner in session.scalars(partners):
        by_status = counts.get(partner.id, {})
        decided = sum(by_status.get(s, 0) for s in DECIDED)
        approved = sum(by_status.get(s, 0) for s in APPROVED)
        times = hours.get(partner.id, [])
        figures.append(PartnerFigures(
            partner.name, partner.code, sum(by_status.values()), decided, approved,
            approved / decided if decided else None,
            round(statistics.median(times), 1) if times else None, overturned.get(partner.id, 0)))
    return figures


def _status_counts_by_partner(session: Session, wanted: ReportFilter) -> dict[int, dict[str, int]]:
    query = (select(Claim.partner_id, Claim.status, func.count(Claim.id))
             .where(Claim.partner_id.is_not(None), *wanted.claim_conditions())
             .group_by(Claim.partner_id, Claim.status))
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for partner_id, status, n in session.execute(query):
        counts[partner_id][status] = int(n)
    return counts


def decision_hours_by_partner(session: Session, wanted: ReportFilter) -> dict[int, list[float]]:
    """Hours from submission to decision of each decided claim, per partner."""
    query = (select(Claim.partner_id, Claim.submitted_at, Claim.decided_at)
             .where(Claim.partner_id.is_not(None), Claim.decided_at.is_not(None), *wanted.claim_conditions())
             .limit(MAX_ROWS_SCANNED))
    hours: dict[int, list[float]] = defaultdict(list)
    for partner_id, submitted, decided in session.execute(query):
        hours[partner_id].append(max(0.0, (_aware(decided) - _aware(submitted)).total_seconds() / 3600))
    return hours


def _overturned_by_partner(session: Session, wanted: ReportFilter) -> dict[int, int]:
    approval, reversal = aliased(Decision), aliased(Decision)
    query = (
        select(Claim.partner_id, func.count(func.distinct(Claim.id)))
        .join(approval, and_(approval.claim_id == Claim.id, approval.action == "approve"))
        .join(User, and_(User.id == approval.actor_user_id, User.role == Role.PARTNER_REVIEWER.value))
        .join(reversal, and_(reversal.claim_id == Claim.id, reversal.action == "reverse"))
        .where(*wanted.claim_conditions()).group_by(Claim.partner_id)
    )
    return {partner_id: int(n) for partner_id, n in session.execute(query)}


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def top_products(session: Session, since: datetime | ReportFilter, limit: int = 10) -> list[dict]:
    """[{product, claims, quantity}]: line-item names on approved claims, most frequent first."""
    query = (select(Claim.fields).where(Claim.status == ClaimStatus.APPROVED, *as_filter(since).claim_conditions())
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


def active_participants(session: Session, since: datetime | ReportFilter, limit: int = 10) -> list[dict]:
    """[{participant, company, email, claims, points}]: most claims first, with points credited net."""
    claims_n = func.count(Claim.id).label("claims")
    query = (select(Claim.participant_id, claims_n).where(*as_filter(since).claim_conditions())
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
