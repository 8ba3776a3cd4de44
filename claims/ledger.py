"""The points ledger: append-only entries; a balance is always the sum of a participant's entries.

Every entry has a unique `cause` (what caused it: a claim's credit or reversal, an order's debit or refund, a
staff adjustment, an expiry day), so each movement happens exactly once: a second attempt fails on the unique
index inside the caller's transaction. Next to the ledger, `point_balances` keeps each participant's sum in
one row: every entry locks that row and moves it, and its CHECK (points >= 0) with the conditional UPDATE
below means no sequence of entries, however concurrent, takes a balance below zero.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import bindparam, event, func, literal, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from claims.db.models import Claim, Decision, LedgerEntry, User
from claims.db.reward_models import PointBalance
from claims.errors import ConflictError, InvalidInputError

KINDS = ("credit", "reversal", "order_debit", "order_refund", "adjustment", "expiry")
#: The kinds of a claim's one credit (a reversal cancels either).
CLAIM_CREDITS = ("credit", "display")
MAX_REASON = 500
ENSURED = "paragon.balance_rows"


class InsufficientPointsError(ConflictError):
    """The entry would take the participant's balance below zero."""

    code = "insufficient_points"


def credit_points(session: Session, claim: Claim, decision: Decision | None, points: int) -> LedgerEntry:
    """Add the one credit a claim may ever get; the unique (claim_id, kind) constraint backs 'exactly once'.

    The claim's points are multiplied by the participant's tier multiplier at this moment (rounded half up),
    and the entry keeps the multiplier and the level's name, so the history can say "x1.2 (Srebrny)" and a
    reversal takes back exactly what was credited."""
    if points < 0:
        raise ValueError("a credit cannot be negative")
    from claims.services.tiers import tier_status

    status = tier_status(session, claim.participant_id)
    tier = status.tier if status else None
    if tier is not None:
        points = int((Decimal(points) * tier.multiplier).to_integral_value(ROUND_HALF_UP))
    entry = LedgerEntry(participant_id=claim.participant_id, claim_id=claim.id, kind="credit", points=points,
                        decision=decision, cause=f"claim:{claim.id}:credit",
                        tier_multiplier=tier.multiplier if tier else None, tier_name=tier.name if tier else None)
    post(session, entry)
    from claims.services.contest_scores import on_claim
    from claims.services.referrals import reward_referrer  # the first approved claim settles an invitation

    reward_referrer(session, claim.participant_id)
    on_claim(session, claim, 1)
    return entry


def reverse_points(session: Session, claim: Claim, decision: Decision | None) -> LedgerEntry:
    """Cancel a claim's credit with a reversal entry of the opposite sign (never an edit).

    Refused (`points_already_spent`) when the participant has already spent the points: the balance never
    goes below zero, so staff settle such a case with an adjustment once points come in again.
    """
    credited = session.scalar(  # a purchase claim's credit, or a display claim's (kind display)
        select(LedgerEntry.points).where(LedgerEntry.claim_id == claim.id, LedgerEntry.kind.in_(CLAIM_CREDITS))
    )
    if credited is None:
        raise ConflictError("this claim has no credit to reverse")
    entry = LedgerEntry(participant_id=claim.participant_id, claim_id=claim.id, kind="reversal", points=-credited,
                        decision=decision, cause=f"claim:{claim.id}:reversal")
    try:
        post(session, entry)
    except InsufficientPointsError as exc:
        raise ConflictError("the participant has already spent these points", code="points_already_spent") from exc
    from claims.services.contest_scores import on_claim

    on_claim(session, claim, -1)
    return entry


def debit_order(session: Session, participant_id: int, order_id: int, points: int) -> LedgerEntry:
    """Take an order's points; InsufficientPointsError when the balance is smaller."""
    return post(session, LedgerEntry(participant_id=participant_id, order_id=order_id, kind="order_debit",
                                     points=-points, cause=f"order:{order_id}:debit"))


def refund_order(session: Session, participant_id: int, order_id: int, points: int,
                 actor: User | None = None) -> LedgerEntry:
    """Give a cancelled order's points back, once (the cause key refuses a second refund)."""
    return post(session, LedgerEntry(participant_id=participant_id, order_id=order_id, kind="order_refund",
                                     points=points, actor_user_id=actor.id if actor else None,
                                     cause=f"order:{order_id}:refund"))


def adjust_points(session: Session, participant_id: int, points: int, reason: str, actor: User,
                  key: str) -> LedgerEntry:
    """A bonus (points > 0) or penalty (< 0) by staff, with a reason; `key` makes a retried form count once."""
    reason = (reason or "").strip()[:MAX_REASON]
    if not reason:
        raise InvalidInputError("an adjustment needs a reason", code="reason_required")
    if points == 0:
        raise InvalidInputError("an adjustment moves at least one point", code="bad_points")
    return post(session, LedgerEntry(participant_id=participant_id, kind="adjustment", points=points,
                                     reason=reason, actor_user_id=actor.id, cause=f"adjust:{key[:100]}"))


def expire(session: Session, participant_id: int, points: int, on: date) -> LedgerEntry:
    """The points that expire on `on`; one entry per participant and day at most."""
    return post(session, LedgerEntry(participant_id=participant_id, kind="expiry", points=-points,
                                     cause=f"expiry:{participant_id}:{on.isoformat()}"))


def expire_many(session: Session, due: list[tuple[int, int, date]]) -> list[tuple[int, int]]:
    """Write many expiry entries at once, each (participant, points, day) at most once; the caller holds the
    participants' balance rows locked (`lock_balances`) and computed `due` under that lock, so every amount is
    covered by its balance. Returns the (participant, points) actually written (a day done before is skipped).
    """
    if not due:
        return []
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    entries, balances = LedgerEntry.__table__, PointBalance.__table__
    now = datetime.now(UTC)
    rows = [{"participant_id": pid, "kind": "expiry", "points": -points, "cause": f"expiry:{pid}:{on.isoformat()}",
             "reason": "", "created_at": now} for pid, points, on in due]
    # Core statements, executed many: compiled once, sent in batches (an ORM multi-VALUES insert of
    # thousands of rows spends its time compiling)
    connection = session.connection()
    statement = insert(entries).on_conflict_do_nothing(index_elements=["cause"]).returning(
        entries.c.participant_id, entries.c.points)
    written = [(pid, -points) for pid, points in connection.execute(statement, rows)]
    if written:
        connection.execute(update(balances).where(balances.c.participant_id == bindparam("pid"))
                           .values(points=balances.c.points - bindparam("taken")),
                           [{"pid": pid, "taken": points} for pid, points in written])
    return written


def lock_balances(session: Session, participant_ids: list[int]) -> None:
    """Lock these participants' balance rows, in id order (two runs never deadlock), creating missing ones."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    sums = (select(LedgerEntry.participant_id, func.sum(LedgerEntry.points))
            .where(LedgerEntry.participant_id.in_(participant_ids)).group_by(LedgerEntry.participant_id))
    session.execute(insert(PointBalance).from_select(["participant_id", "points"], sums).on_conflict_do_nothing())
    session.execute(select(PointBalance.participant_id).where(PointBalance.participant_id.in_(participant_ids))
                    .order_by(PointBalance.participant_id).with_for_update()).all()


def lock_balance(session: Session, participant_id: int) -> int:
    """Lock the participant's balance row (SELECT ... FOR UPDATE on PostgreSQL) and return the points.

    Orders call this first, so one participant's orders are placed one after another."""
    _ensure_balance_row(session, participant_id)
    query = select(PointBalance.points).where(PointBalance.participant_id == participant_id).with_for_update()
    return int(session.scalar(query) or 0)


def post(session: Session, entry: LedgerEntry) -> LedgerEntry:
    """Append one entry and move the balance row with it, in the caller's transaction.

    The conditional UPDATE locks the row and refuses a move below zero; the entry's unique cause refuses a
    second entry for the same cause (IntegrityError, which rolls the balance move back with it).
    """
    _ensure_balance_row(session, entry.participant_id)
    moved = session.execute(
        update(PointBalance)
        .where(PointBalance.participant_id == entry.participant_id, PointBalance.points + entry.points >= 0)
        .values(points=PointBalance.points + entry.points)
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:
        raise InsufficientPointsError("not enough points for this", needed=-entry.points)
    session.add(entry)
    session.flush()  # surface a unique-constraint violation here, inside the caller's transaction
    from claims.services.contest_scores import on_entry  # running contests' scores move with a counted entry

    on_entry(session, entry)
    return entry


def _ensure_balance_row(session: Session, participant_id: int) -> None:
    """Create the participant's balance row (from the ledger's sum) if it is missing; races insert nothing."""
    ensured = _ensured(session)
    if participant_id in ensured:
        return
    ensured.add(participant_id)
    present = select(PointBalance.participant_id).where(PointBalance.participant_id == participant_id)
    if session.scalar(present) is not None:
        return
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    total = select(literal(participant_id), func.coalesce(func.sum(LedgerEntry.points), 0)).where(
        LedgerEntry.participant_id == participant_id)
    session.execute(insert(PointBalance).from_select(["participant_id", "points"], total).on_conflict_do_nothing())


def _ensured(session: Session) -> set[int]:
    """Participants whose balance row this session has seen; forgotten on any rollback (a rolled-back
    transaction may have been the one that created the row)."""
    if ENSURED not in session.info:
        session.info[ENSURED] = set()
        event.listen(session, "after_soft_rollback", lambda s, _previous: s.info[ENSURED].clear())
    return session.info[ENSURED]


def balance_row(session: Session, participant_id: int) -> int:
    """The participant's balance row (equal to the ledger's sum; cheaper to read right after an entry)."""
    points = session.scalar(select(PointBalance.points).where(PointBalance.participant_id == participant_id))
    return int(points) if points is not None else balance(session, participant_id)


def balance(session: Session, participant_id: int) -> int:
    """The participant's points: the sum of all their ledger entries."""
    total = session.scalar(
        select(func.coalesce(func.sum(LedgerEntry.points), 0)).where(LedgerEntry.participant_id == participant_id)
    )
    return int(total or 0)


def history(session: Session, participant_id: int, limit: int = 200) -> list[LedgerEntry]:
    """The participant's entries, newest first."""
    query = (
        select(LedgerEntry)
        .where(LedgerEntry.participant_id == participant_id)
        .order_by(LedgerEntry.id.desc())
        .limit(limit)
    )
    return list(session.scalars(query))
