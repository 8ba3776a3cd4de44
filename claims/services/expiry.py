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
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from claims.db.after_commit import after_commit
from claims.db.models import LedgerEntry
from claims.db.reward_models import ExpiryNotice
from claims.errors import ConfigurationError
from claims.ledger import expire_many, lock_balances

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


CHUNK = 2000


def run_expiry(session: Session, rule: ExpiryRule, today: date | None = None) -> ExpiryRun:
    """Write today's expiry entries and the 30-day warnings for the whole ledger, in the caller's transaction.

    A first pass over the ledger's sums finds who has points due; then, a chunk of participants at a time,
    their balance rows are locked (in id order), their sums read again under the lock and the due entries
    written at once. A concurrent run waits for the lock and then finds nothing left to expire; an order
    placed meanwhile is counted before the expiry, so no balance goes below zero."""
    run = ExpiryRun()
    if not rule.active:
        return run
    today = today or datetime.now(UTC).date()
    earned, spent = _earned_and_spent(session, None)
    due_ids, warn = [], []
    for pid, years in earned.items():
        buckets = _buckets(rule, years, spent.get(pid, 0))
        if any(b.on <= today for b in buckets):
            due_ids.append(pid)
        warn += [(pid, b) for b in buckets if today < b.on <= today + timedelta(days=WARN_DAYS)]
    for start in range(0, len(due_ids), CHUNK):
        chunk = sorted(due_ids[start:start + CHUNK])
        lock_balances(session, chunk)
        earned, spent = _earned_and_spent(session, chunk)
        due = [(pid, b.points, b.on) for pid in chunk for b in _buckets(rule, earned.get(pid, {}), spent.get(pid, 0))
               if b.on <= today]
        written = expire_many(session, due)
        run.participants += len({pid for pid, _ in written})
        run.points += sum(points for _, points in written)
    run.warned = _warn_once(session, warn)
    return run


def _warn_once(session: Session, warn: list[tuple[int, Expiring]]) -> int:
    """Record each (participant, day) warning once and hand the new ones over for e-mailing after commit."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    if not warn:
        return 0
    notices, now = ExpiryNotice.__table__, datetime.now(UTC)
    rows = [{"participant_id": pid, "expires_on": b.on, "points": b.points, "created_at": now} for pid, b in warn]
    statement = insert(notices).on_conflict_do_nothing().returning(
        notices.c.participant_id, notices.c.expires_on, notices.c.points)
    sent = 0
    for pid, on, points in session.connection().execute(statement, rows).all():
        after_commit(session, WARNING_TOPIC, pid, on.isoformat(), points)
        sent += 1
    return sent
