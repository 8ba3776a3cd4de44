"""Lists of claims for people at work: the filtered review queue, the auditors' flagged queue by risk, the full
search and the daily re-check sample. Read-only; visibility always starts from `visible_claims(user)`."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import Select, String, cast, func, or_, select
from sqlalchemy.orm import Session, selectinload

from claims.db.models import Claim, Decision, Outlet, Participant, User
from claims.roles import STAFF_ROLES, Role
from claims.services.review import visible_claims
from vocabulary.claims import REVIEW_STATES, ClaimStatus
from vocabulary.nip import normalise_nip
from vocabulary.reasons import ReasonCode

#: Hours a claim may wait for a partner's decision (a programme setting later; a constant for now).
REVIEW_SLA_HOURS = 48
#: Reason severities that make a claim worth a second look (verification's Severity values).
WARNING_SEVERITIES = frozenset({"warning", "blocking"})
#: Risk signals recorded without a severity (older claims, the worker's failures).
SIGNAL_CODES = frozenset({
    ReasonCode.NEAR_DUPLICATE, ReasonCode.NEEDS_AUDIT, ReasonCode.EDITED_IMAGE, ReasonCode.SCREENSHOT,
    ReasonCode.SCREEN_PHOTO, ReasonCode.TOTALS_MISMATCH, ReasonCode.DATE_IN_FUTURE,
    ReasonCode.VELOCITY_PARTICIPANT, ReasonCode.VELOCITY_DEVICE, ReasonCode.VELOCITY_IP,
    ReasonCode.UNUSUAL_AMOUNT, ReasonCode.PROCESSING_FAILED, ReasonCode.DUPLICATE,
})
MAX_FLAGGED = 20_000
MAX_SAMPLE_CANDIDATES = 50_000


def is_warning(record: dict) -> bool:
    """Whether a stored reason is a warning or a risk signal (not plain information)."""
    severity = record.get("severity")
    if severity:
        return severity in WARNING_SEVERITIES
    return record.get("code") in SIGNAL_CODES or bool(record.get("evidence"))


def claim_notes(claim: Claim) -> list[tuple[str, bool]]:
    """(reason code, whether it is a warning) of each note a claim carries, once each, in order."""
    seen: dict[str, bool] = {}
    for record in claim.reasons or []:
        code = str(record.get("code", ""))
        if code:
            seen[code] = seen.get(code, False) or is_warning(record)
    return list(seen.items())


def warning_count(claim: Claim) -> int:
    """How many warning or blocking reasons a claim carries (the risk order until a risk score is stored)."""
    return _warnings(claim.reasons)


def waiting_states(user: User) -> list[str]:
    """The states waiting for `user`'s decision: partners decide pending claims, staff flagged ones too."""
    states = REVIEW_STATES if Role(user.role) in STAFF_ROLES else {ClaimStatus.PENDING_REVIEW}
    return sorted(s.value for s in states)


@dataclass(frozen=True)
class QueueFilter:
    """What a reviewer narrowed the queue to; empty values filter nothing."""

    status: str = ""
    outlet_id: int | None = None
    min_age_hours: int | None = None
    min_total: Decimal | None = None
    max_total: Decimal | None = None
    note: str = ""  # a reason code the claims must carry (their notes)

    @property
    def waiting(self) -> bool:
        return not self.status or ClaimStatus(self.status) in REVIEW_STATES


def queue_query(user: User, wanted: QueueFilter, now: datetime | None = None,
                statuses: list[str] | None = None) -> Select[tuple[Claim]]:
    """Visible claims matching `wanted`: waiting ones oldest first, decided ones newest first."""
    query = visible_claims(user)
    statuses = statuses or ([wanted.status] if wanted.status else waiting_states(user))
    query = query.where(Claim.status.in_(statuses))
    if wanted.outlet_id is not None:
        query = query.where(Claim.outlet_id == wanted.outlet_id)
    if wanted.min_age_hours:
        cutoff = (now or datetime.now(UTC)) - timedelta(hours=wanted.min_age_hours)
        query = query.where(Claim.submitted_at <= cutoff)
    if wanted.min_total is not None:
        query = query.where(Claim.total >= wanted.min_total)
    if wanted.max_total is not None:
        query = query.where(Claim.total <= wanted.max_total)
    if wanted.note:  # reasons are stored as JSON text written by json.dumps, on SQLite and PostgreSQL alike
        query = query.where(cast(Claim.reasons, String).like(f'%"code": "{wanted.note}"%'))
    if wanted.waiting:
        return query.order_by(Claim.submitted_at, Claim.id)
    return query.order_by(Claim.submitted_at.desc(), Claim.id.desc())


def _page_ids(session: Session, user: User, wanted: QueueFilter, limit: int, offset: int) -> list[str]:
    """The ids of one page, oldest first. Several waiting states (staff) are read one state at a time and
    merged, so each read walks an index on (status, submitted_at) instead of sorting every waiting claim."""
    statuses = [wanted.status] if wanted.status else waiting_states(user)
    keys: list[tuple] = []
    for status in statuses:
        query = queue_query(user, wanted, statuses=[status]).with_only_columns(Claim.submitted_at, Claim.id)
        keys += [(_aware(at), claim_id) for at, claim_id in session.execute(query.limit(offset + limit))]
    keys.sort(reverse=not wanted.waiting)
    return [claim_id for _, claim_id in keys[offset: offset + limit]]


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def queue_page(session: Session, user: User, wanted: QueueFilter, limit: int, offset: int = 0) -> list[Claim]:
    """One page of the filtered queue, with each claim's outlet loaded."""
    ids = _page_ids(session, user, wanted, limit, offset)
    if not ids:
        return []
    rows = session.scalars(select(Claim).where(Claim.id.in_(ids)).options(selectinload(Claim.outlet)))
    by_id = {claim.id: claim for claim in rows}
    return [by_id[claim_id] for claim_id in ids if claim_id in by_id]


def queue_count(session: Session, user: User, wanted: QueueFilter, cap: int = 1000) -> int:
    """How many claims match, counted up to `cap` + 1 (the page says "1000+"; a full count costs a scan)."""
    matching = queue_query(user, wanted).order_by(None).with_only_columns(Claim.id).limit(cap + 1).subquery()
    return int(session.scalar(select(func.count()).select_from(matching)) or 0)


def waiting_ids(session: Session, user: User, limit: int) -> list[str]:
    """The ids of the claims waiting for `user`, oldest first (for next/previous without loading rows)."""
    return _page_ids(session, user, QueueFilter(), limit, 0)


def visible_outlets(session: Session, user: User) -> list[Outlet]:
    """Outlets a reviewer can filter by: their partner's, or every outlet for staff."""
    query = select(Outlet).order_by(Outlet.code)
    if Role(user.role) is Role.PARTNER_REVIEWER:
        query = query.where(Outlet.partner_id == user.partner_id)
    elif Role(user.role) not in STAFF_ROLES:
        return []
    return list(session.scalars(query))


def clean_waiting_claims(session: Session, user: User, ids: list[str]) -> list[Claim]:
    """Those of `ids` that wait for `user`'s decision in pending review and carry no warning at all."""
    if not ids:
        return []
    query = visible_claims(user).where(Claim.id.in_(ids), Claim.status == ClaimStatus.PENDING_REVIEW)
    return [c for c in session.scalars(query.order_by(Claim.submitted_at, Claim.id)) if warning_count(c) == 0]


def flagged_by_risk(session: Session, limit: int = 100) -> list[tuple[Claim, int]]:
    """Flagged claims riskiest first (the rules' risk score), then oldest, with their warning counts.

    The order comes from the (status, risk_score, submitted_at) index: only `limit` rows are read.
    """
    query = (select(Claim).where(Claim.status == ClaimStatus.FLAGGED)
             .order_by(Claim.risk_score.desc(), Claim.submitted_at, Claim.id).limit(limit)
             .options(selectinload(Claim.outlet), selectinload(Claim.participant)))
    return [(claim, _warnings(claim.reasons)) for claim in session.scalars(query)]


def _warnings(reasons: list | None) -> int:
    return sum(1 for r in reasons or [] if isinstance(r, dict) and is_warning(r))


@dataclass(frozen=True)
class ClaimSearch:
    """The auditor's search form; every given field must match."""

    claim_id: str = ""
    email: str = ""
    nip: str = ""
    document_number: str = ""
    status: str = ""
    date_from: date | None = None
    date_to: date | None = None

    @property
    def empty(self) -> bool:
        return not any([self.claim_id, self.email, self.nip, self.document_number, self.status,
                        self.date_from, self.date_to])


def search_claims(session: Session, user: User, wanted: ClaimSearch, limit: int, offset: int = 0) -> list[Claim]:
    """Claims visible to `user` matching the search, newest first."""
    query = visible_claims(user).options(selectinload(Claim.outlet), selectinload(Claim.participant))
    for condition in _search_conditions(wanted):
        query = query.where(condition)
    if wanted.email:
        email = wanted.email.strip().lower()
        owner = select(Participant.id).join(User, User.id == Participant.user_id)
        # a whole address finds that person; a part of one finds everyone whose address contains it
        owner = owner.where(User.email == email if "@" in email else User.email.contains(email, autoescape=True))
        query = query.where(Claim.participant_id.in_(owner))
    query = query.order_by(Claim.submitted_at.desc(), Claim.id.desc())
    return list(session.scalars(query.limit(limit).offset(offset)))


def _search_conditions(wanted: ClaimSearch) -> list:
    conditions = []
    if wanted.claim_id:
        conditions.append(Claim.id.startswith(wanted.claim_id.strip().lower(), autoescape=True))
    if wanted.nip:
        nip = normalise_nip(wanted.nip)
        companies = select(Participant.id).where(Participant.company_nip == nip)
        outlets = select(Outlet.id).where(Outlet.nip == nip)
        conditions.append(or_(Claim.participant_id.in_(companies), Claim.outlet_id.in_(outlets),
                              Claim.fields["seller_nip"].as_string() == nip))
    if wanted.document_number:
        conditions.append(Claim.fields["document_number"].as_string() == wanted.document_number.strip())
    if wanted.status:
        conditions.append(Claim.status == wanted.status)
    if wanted.date_from:
        conditions.append(Claim.submitted_at >= datetime.combine(wanted.date_from, time.min, UTC))
    if wanted.date_to:
        conditions.append(Claim.submitted_at < datetime.combine(wanted.date_to + timedelta(days=1), time.min, UTC))
    return conditions


def daily_sample(session: Session, day: date, size: int = 20, window_days: int = 30) -> list[Claim]:
    """Partner-approved claims to re-check: approvals in the `window_days` before that day and on the day itself,
    ranked by a hash of the day and the claim id (the ranking of the claims already there never changes; an
    approval made later that day can take a place in the sample)."""
    start = datetime.combine(day - timedelta(days=window_days), time.min, UTC)
    end = datetime.combine(day + timedelta(days=1), time.min, UTC)
    query = (
        select(Decision.claim_id)
        .join(User, User.id == Decision.actor_user_id)
        .join(Claim, Claim.id == Decision.claim_id)
        .where(Decision.action == "approve", User.role == Role.PARTNER_REVIEWER.value,
               Decision.created_at >= start, Decision.created_at < end, Claim.status == ClaimStatus.APPROVED)
        .limit(MAX_SAMPLE_CANDIDATES)
    )
    candidates = set(session.scalars(query))
    chosen = sorted(candidates, key=lambda claim_id: _sample_rank(day, claim_id))[:size]
    if not chosen:
        return []
    rows = {c.id: c for c in session.scalars(select(Claim).where(Claim.id.in_(chosen))
                                             .options(selectinload(Claim.partner)))}
    return [rows[claim_id] for claim_id in chosen if claim_id in rows]


def _sample_rank(day: date, claim_id: str) -> str:
    return hashlib.sha256(f"paragon-sample:{day.isoformat()}:{claim_id}".encode()).hexdigest()
