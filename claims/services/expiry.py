"""Points expiry, by the programme's rule (POINTS_EXPIRY): never, N months after the end of the year the
points were earned (`12m`), or on the programme's end (`2027-12-31`).

Spending takes the oldest points first: every point that left the balance (an order, a reversal, a penalty,
an earlier expiry) is counted against the earliest-expiring points. What is left of a year's points on its
expiry day expires with one ledger entry whose cause is `expiry:<participant>:<day>`, so `paragon expire` may
run any number of times (and twice at once): each day's points expire once. Thirty days before, the
participant gets one warning e-mail (an `expiry_notices` row per participant and day).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import extract, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from claims.db.after_commit import after_commit
from claims.db.models import LedgerEntry
from claims.db.reward_models import ExpiryNotice
from claims.errors import ConfigurationError
from claims.ledger import InsufficientPointsError, expire

WARNING_TOPIC = "points_expiry_warning"
WARN_DAYS = 30
_MONTHS = re.compile(r"^(\d{1,3})m$")


@dataclass(frozen=True)
class ExpiryRule:
    months: int | None = None  # N months after the end of the earning year
    on: date | None = None  # everything on this day (the programme's end)

    @classmethod
    def parse(cls, text: str) -> ExpiryRule:
        text = (text or "never").strip().lower()
        if text in ("", "never", "0"):
            return cls()
        if match := _MONTHS.match(text):
            return cls(months=int(match.group(1)))
        try:
            return cls(on=date.fromisoformat(text))
        except ValueError:
            raise ConfigurationError(f"POINTS_EXPIRY must be never, <N>m or YYYY-MM-DD, not {text!r}") from None

    @property
    def active(self) -> bool:
        return self.months is not None or self.on is not None

    def expires_on(self, year: int) -> date | None:
        """The first day points earned in `year` are gone."""
        if self.on is not None:
            return self.on
        if self.months is None:
            return None
        months = 12 + self.months  # counted from January 1 of the earning year
        return date(year + months // 12, months % 12 + 1, 1)


@dataclass(frozen=True)
class Expiring:
    points: int
    on: date


def _buckets(rule: ExpiryRule, earned: dict[int, int], spent: int) -> list[Expiring]:
    """What is left of each expiry day's points once `spent` took the earliest first."""
    by_day: dict[date, int] = defaultdict(int)
    for year, points in earned.items():
        day = rule.expires_on(int(year))
        if day is not None:
            by_day[day] += points
    left = []
    for day in sorted(by_day):
        take = min(by_day[day], spent)
        spent -= take
        if by_day[day] - take > 0:
            left.append(Expiring(by_day[day] - take, day))
    return left


def _earned_and_spent(session: Session, participant_ids: list[int] | None) -> tuple[dict, dict]:
    """{participant: {year: points earned}} and {participant: points that left} from the ledger."""
    year = extract("year", LedgerEntry.created_at)
    earned_q = select(LedgerEntry.participant_id, year, func.sum(LedgerEntry.points)).where(
        LedgerEntry.points > 0).group_by(LedgerEntry.participant_id, year)
    spent_q = select(LedgerEntry.participant_id, func.sum(LedgerEntry.points)).where(
        LedgerEntry.points < 0).group_by(LedgerEntry.participant_id)
    if participant_ids is not None:
        earned_q = earned_q.where(LedgerEntry.participant_id.in_(participant_ids))
        spent_q = spent_q.where(LedgerEntry.participant_id.in_(participant_ids))
    earned: dict[int, dict[int, int]] = defaultdict(dict)
    for pid, yr, points in session.execute(earned_q):
        earned[pid][int(yr)] = int(points)
    spent = {pid: -int(points) for pid, points in session.execute(spent_q)}
    return earned, spent


def expiring(session: Session, rule: ExpiryRule, participant_id: int, today: date | None = None) -> list[Expiring]:
    """The participant's points still to expire, soonest first (what the portal and the API show)."""
    if not rule.active:
        return []
    today = today or datetime.now(UTC).date()
    earned, spent = _earned_and_spent(session, [participant_id])
    return [b for b in _buckets(rule, earned.get(participant_id, {}), spent.get(participant_id, 0)) if b.on > today]


@dataclass
class ExpiryRun:
    participants: int = 0
    points: int = 0
    warned: int = 0


def run_expiry(session: Session, rule: ExpiryRule, today: date | None = None) -> ExpiryRun:
    """Write today's expiry entries and the 30-day warnings for the whole ledger, in the caller's transaction.

    Each entry is written in a savepoint: an entry a concurrent run wrote first is skipped, not doubled."""
    run = ExpiryRun()
    if not rule.active:
        return run
    today = today or datetime.now(UTC).date()
    earned, spent = _earned_and_spent(session, None)
    for pid, years in earned.items():
        for bucket in _buckets(rule, years, spent.get(pid, 0)):
            if bucket.on <= today:
                if _expire_once(session, pid, bucket):
                    run.participants += 1
                    run.points += bucket.points
            elif bucket.on <= today + timedelta(days=WARN_DAYS) and _warn_once(session, pid, bucket):
                run.warned += 1
    return run


def _expire_once(session: Session, participant_id: int, bucket: Expiring) -> bool:
    try:
        with session.begin_nested():
            expire(session, participant_id, bucket.points, bucket.on)
    except (IntegrityError, InsufficientPointsError):  # a concurrent run expired these first
        return False
    return True


def _warn_once(session: Session, participant_id: int, bucket: Expiring) -> bool:
    try:
        with session.begin_nested():
            session.add(ExpiryNotice(participant_id=participant_id, expires_on=bucket.on, points=bucket.points))
            session.flush()
    except IntegrityError:
        return False
    after_commit(session, WARNING_TOPIC, participant_id, bucket.on.isoformat(), bucket.points)
    return True
