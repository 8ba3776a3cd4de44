"""Running contests' scores kept current: each counted ledger entry (points metric) and each approved or
reversed claim (purchase value, approved claims, quantity of given products, and every contest's approved
claims count, a tie-break) moves the participant's row of every running contest whose period holds it and
whose audience they are in, with one upsert; a contest's live leaderboard then reads its top rows off an index
instead of aggregating the period on every view. A contest created or changed mid-period is filled from the
aggregate (`refill`), and so is a partner contest's row when a decision makes the participant that partner's
customer; the end run still freezes the ranking from the ledger and the claims themselves."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import case, delete, literal, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from claims.db.activity_models import Contest, ContestScore
from claims.db.models import Claim, LedgerEntry
from claims.services.contest_audience import claim_quantity, is_member, product_ids

POINT_KINDS = ("credit", "reversal", "training", "survey", "display")  # contest prizes do not feed other contests
SCORE_COLUMNS = ["contest_id", "participant_id", "value", "reached", "claims"]


def on_entry(session: Session, entry: LedgerEntry) -> None:
    """Move the points contests that hold this ledger entry's time."""
    if entry.kind not in POINT_KINDS or not entry.points:
        return
    when = entry.created_at or datetime.now(UTC)
    for contest in _running(session, when, "points"):
        if is_member(session, contest, entry.participant_id):
            _add(session, contest.id, entry.participant_id, Decimal(entry.points), when)


def on_claim(session: Session, claim: Claim, sign: int) -> None:
    """An approved (sign 1) or reversed (sign -1) claim moves the contests of its decision time: the value of
    the claim-based metrics and every contest's count of approved claims."""
    when = claim.decided_at or datetime.now(UTC)
    for contest in _running(session, when):
        if contest.audience == "partner" and sign > 0 and claim.partner_id == contest.audience_partner_id:
            refill_one(session, contest, claim.participant_id)  # perhaps a new customer: the period so far
            continue
        if is_member(session, contest, claim.participant_id):
            _add(session, contest.id, claim.participant_id, sign * _amount(session, contest, claim), when, sign)


def _amount(session: Session, contest: Contest, claim: Claim) -> Decimal:
    if contest.metric == "purchase_value":
        return Decimal(claim.total or 0)
    if contest.metric == "approved_claims":
        return Decimal(1)
    if contest.metric == "product_quantity":
        return claim_quantity(claim, product_ids(session, contest.skus or []))
    return Decimal(0)  # points move with the ledger entry


def _running(session: Session, when: datetime, metric: str | None = None) -> list[Contest]:
    day = when.astimezone(UTC).date() if when.tzinfo else when.date()
    query = select(Contest).where(Contest.closed_at.is_(None), Contest.starts_on <= day, Contest.ends_on >= day)
    return list(session.scalars(query.where(Contest.metric == metric) if metric else query))


def _add(session: Session, contest_id: int, participant_id: int, amount: Decimal, when: datetime,
         claims: int = 0) -> None:
    """Add to the row (created when missing); `reached` moves only with the value."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(ContestScore).values(contest_id=contest_id, participant_id=participant_id, value=amount,
                                            reached=when, claims=claims)
    table = ContestScore.__table__
    later = case((table.c.reached > statement.excluded.reached, table.c.reached), else_=statement.excluded.reached)
    session.execute(statement.on_conflict_do_update(
        index_elements=["contest_id", "participant_id"],
        set_={"value": table.c.value + statement.excluded.value,
              "claims": table.c.claims + statement.excluded.claims,
              "reached": later if amount else table.c.reached}))


def refill(session: Session, contest: Contest) -> None:
    """Compute the contest's scores afresh from the ledger and the claims (one INSERT … SELECT)."""
    session.execute(delete(ContestScore).where(ContestScore.contest_id == contest.id))
    _fill(session, contest, None)


def refill_one(session: Session, contest: Contest, participant_id: int) -> None:
    """The participant's row of the contest afresh from the aggregate of the period."""
    session.execute(delete(ContestScore).where(ContestScore.contest_id == contest.id,
                                               ContestScore.participant_id == participant_id))
    _fill(session, contest, participant_id)


def _fill(session: Session, contest: Contest, participant_id: int | None) -> None:
    from claims.services.contests import quantity_scores, scores

    if contest.metric == "product_quantity":
        rows = [{"contest_id": contest.id, "participant_id": pid, "value": value, "reached": reached,
                 "claims": claims} for pid, value, reached, claims in quantity_scores(session, contest, participant_id)]
        if rows:
            session.execute(ContestScore.__table__.insert(), rows)
        return
    inner = scores(contest, participant_id).subquery()
    session.execute(ContestScore.__table__.insert().from_select(SCORE_COLUMNS, select(
        literal(contest.id), inner.c.participant_id, inner.c.value, inner.c.reached, inner.c.claims)))
