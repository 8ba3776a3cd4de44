"""Running contests' scores kept current: each counted ledger entry (points metric) and each approved or
reversed claim (purchase value, approved claims) moves the participant's row of every running contest whose
period holds it, with one upsert; a contest's live leaderboard then reads its top rows off an index instead of
aggregating the period on every view. A contest created or changed mid-period is filled from the aggregate
(`refill`); the end run still freezes the ranking from the ledger and the claims themselves."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import case, delete, literal, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from claims.db.activity_models import Contest, ContestScore
from claims.db.models import Claim, LedgerEntry

POINT_KINDS = ("credit", "reversal", "training", "survey", "display")  # contest prizes do not feed other contests


def on_entry(session: Session, entry: LedgerEntry) -> None:
    """Move the points contests that hold this ledger entry's time."""
    if entry.kind not in POINT_KINDS or not entry.points:
        return
    when = entry.created_at or datetime.now(UTC)
    for contest_id in _running(session, ("points",), when):
        _add(session, contest_id, entry.participant_id, Decimal(entry.points), when)


def on_claim(session: Session, claim: Claim, sign: int) -> None:
    """An approved (sign 1) or reversed (sign -1) claim moves the claim-based contests of its decision time."""
    when = claim.decided_at or datetime.now(UTC)
    for contest_id, metric in _running(session, ("purchase_value", "approved_claims"), when, with_metric=True):
        amount = Decimal(claim.total or 0) if metric == "purchase_value" else Decimal(1)
        if amount:
            _add(session, contest_id, claim.participant_id, sign * amount, when)


def _running(session: Session, metrics: tuple[str, ...], when: datetime, with_metric: bool = False) -> list:
    day = when.astimezone(UTC).date() if when.tzinfo else when.date()
    query = select(Contest.id, Contest.metric) if with_metric else select(Contest.id)
    query = query.where(Contest.metric.in_(metrics), Contest.closed_at.is_(None), Contest.starts_on <= day,
                        Contest.ends_on >= day)
    return list(session.execute(query).all() if with_metric else session.scalars(query))


def _add(session: Session, contest_id: int, participant_id: int, amount: Decimal, when: datetime) -> None:
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(ContestScore).values(contest_id=contest_id, participant_id=participant_id, value=amount,
                                            reached=when)
    table = ContestScore.__table__
    session.execute(statement.on_conflict_do_update(
        index_elements=["contest_id", "participant_id"],
        set_={"value": table.c.value + statement.excluded.value,
              "reached": case((table.c.reached > statement.excluded.reached, table.c.reached),
                              else_=statement.excluded.reached)}))


def refill(session: Session, contest: Contest) -> None:
    """Compute the contest's scores afresh from the ledger and the claims (one INSERT … SELECT)."""
    from claims.services.contests import scores

    session.execute(delete(ContestScore).where(ContestScore.contest_id == contest.id))
    inner = scores(contest).subquery()
    session.execute(ContestScore.__table__.insert().from_select(
        ["contest_id", "participant_id", "value", "reached"],
        select(literal(contest.id), inner.c.participant_id, inner.c.value, inner.c.reached)))
