"""Contests: over a period, participants are ranked by a metric (points earned, approved purchase value, number
of approved claims); ties go to whoever reached the value earlier (the time of their last counted movement),
then to the lower participant id. The ranking is one indexed aggregate query (ledger_entries by kind and time,
claims by status and decision time), never a loop over entries; running contests' live boards read the
scores kept current by claims.services.contest_scores. The end run freezes the whole ranking into
contest_results and credits the prizes of places 1..N through the ledger (`contest:<id>:place:<n>`), once:
the contest row is locked and closed in the same transaction, so a second run finds it closed."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import Select, delete, func, insert, literal, select, update
from sqlalchemy.orm import Session

from claims.db.activity_models import Contest, ContestResult, ContestScore
from claims.db.models import Claim, LedgerEntry, Participant, User
from claims.errors import ConflictError, InvalidInputError, NotFoundError
from claims.ledger import post
from claims.services import activity_forms as forms
from claims.services.contest_scores import POINT_KINDS, refill
from vocabulary.claims import ClaimStatus

METRICS = ("points", "purchase_value", "approved_claims")
MAX_PRIZES = 100
TOP = 10


@dataclass(frozen=True)
class Standing:
    place: int
    participant_id: int
    value: Decimal
    name: str = ""
    prize: int = 0


def save_contest(session: Session, raw: dict, contest_id: int | None = None) -> Contest:
    values = {"code": forms.text(raw, "code", 64, required=True), "title": forms.text(raw, "title", 200, True),
              "metric": forms.text(raw, "metric", 24), "starts_on": _day(raw, "starts_on"),
              "ends_on": _day(raw, "ends_on"), "prizes": parse_prizes(raw.get("prizes"))}
    if values["metric"] not in METRICS:
        raise InvalidInputError("unknown metric", code="bad_metric", field="metric")
    if values["ends_on"] < values["starts_on"]:
        raise InvalidInputError("the contest ends before it starts", code="bad_period", field="ends_on")
    contest = get_contest(session, contest_id) if contest_id else None
    if contest is None:
        if session.scalar(select(Contest.id).where(Contest.code == values["code"])):
            raise ConflictError("a contest with this code exists", code="duplicate_code")
        contest = Contest(**values)
        session.add(contest)
    elif contest.closed_at is not None:
        raise ConflictError("a closed contest cannot change", code="contest_closed")
    else:
        for name, value in values.items():
            setattr(contest, name, value)
    session.flush()
    refill(session, contest)  # scores so far (a contest may start in the past or change its metric)
    return contest


def most_active_of_the_month(today: date, title: str) -> dict:
    """The ready template: points earned over the current month, prizes 500, 300 and 100."""
    last = (today.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    return {"code": f"NAJAKTYWNIEJSZY-{today:%Y-%m}", "title": title, "metric": "points",
            "starts_on": today.replace(day=1).isoformat(), "ends_on": last.isoformat(), "prizes": "500, 300, 100"}


def _day(raw: dict, name: str) -> date:
    try:
        return date.fromisoformat(str(raw.get(name) or "").strip())
    except ValueError as exc:
        raise InvalidInputError(f"{name} must be a date", code="bad_date", field=name) from exc


def parse_prizes(raw: object) -> list[int]:
    """Points for places 1..N, from "500, 300, 100" or a list."""
    parts = raw if isinstance(raw, list) else [p for p in re.split(r"[,;\s]+", str(raw or "")) if p]
    try:
        prizes = [int(str(p)) for p in parts]
    except ValueError as exc:
        raise InvalidInputError("prizes are whole points", code="bad_prizes", field="prizes") from exc
    if len(prizes) > MAX_PRIZES or any(not 0 <= p <= 1_000_000 for p in prizes):
        raise InvalidInputError("prizes are whole points", code="bad_prizes", field="prizes")
    return prizes


def get_contest(session: Session, contest_id: int) -> Contest:
    contest = session.get(Contest, contest_id) if 0 < contest_id < 2**31 else None  # an id out of range: none
    if contest is None:
        raise NotFoundError("no such contest", code="unknown_contest")
    return contest


def contests(session: Session, limit: int = 200) -> list[Contest]:
    return list(session.scalars(select(Contest).order_by(Contest.ends_on.desc(), Contest.id.desc()).limit(limit)))


def _bounds(contest: Contest) -> tuple[datetime, datetime]:
    return (datetime.combine(contest.starts_on, time.min, UTC),
            datetime.combine(contest.ends_on + timedelta(days=1), time.min, UTC))


def scores(contest: Contest) -> Select:
    """(participant_id, value, reached) per participant with a positive value in the contest's period."""
    start, end = _bounds(contest)
    if contest.metric == "points":
        value = func.sum(LedgerEntry.points)
        return (select(LedgerEntry.participant_id.label("participant_id"), value.label("value"),
                       func.max(LedgerEntry.created_at).label("reached"))
                .where(LedgerEntry.kind.in_(POINT_KINDS), LedgerEntry.created_at >= start,
                       LedgerEntry.created_at < end)
                .group_by(LedgerEntry.participant_id).having(value > 0))
    value = func.sum(func.coalesce(Claim.total, 0)) if contest.metric == "purchase_value" else func.count()
    return (select(Claim.participant_id.label("participant_id"), value.label("value"),
                   func.max(Claim.decided_at).label("reached"))
            .where(Claim.status == ClaimStatus.APPROVED, Claim.decided_at >= start, Claim.decided_at < end)
            .group_by(Claim.participant_id).having(value > 0))


def ranked(contest: Contest) -> Select:
    """The scores with their place (row_number over value, then who reached it first)."""
    inner = scores(contest).subquery()
    place = func.row_number().over(order_by=(inner.c.value.desc(), inner.c.reached.asc(),
                                             inner.c.participant_id.asc()))
    return select(place.label("place"), inner.c.participant_id, inner.c.value, inner.c.reached)


def leaderboard(session: Session, contest: Contest, limit: int = TOP, offset: int = 0) -> list[Standing]:
    """Places offset+1.. of the contest (frozen results once closed), with the participants' names."""
    if contest.closed_at is not None:
        query = (select(ContestResult.place, ContestResult.participant_id, ContestResult.value,
                        ContestResult.prize_points).where(ContestResult.contest_id == contest.id)
                 .order_by(ContestResult.place).offset(offset).limit(limit))
        rows = [(p, pid, v, prize) for p, pid, v, prize in session.execute(query)]
    else:
        query = (select(ContestScore.participant_id, ContestScore.value)
                 .where(ContestScore.contest_id == contest.id, ContestScore.value > 0)
                 .order_by(ContestScore.value.desc(), ContestScore.reached, ContestScore.participant_id)
                 .offset(offset).limit(limit))
        rows = [(offset + i + 1, pid, v, _prize(contest, offset + i + 1))
                for i, (pid, v) in enumerate(session.execute(query))]
    names = _names(session, [pid for _, pid, _, _ in rows])
    return [Standing(int(p), pid, Decimal(v), names.get(pid, ""), prize) for p, pid, v, prize in rows]


def own_standing(session: Session, contest: Contest, participant_id: int) -> Standing | None:
    if contest.closed_at is not None:
        row = session.execute(select(ContestResult.place, ContestResult.value, ContestResult.prize_points).where(
            ContestResult.contest_id == contest.id, ContestResult.participant_id == participant_id)).first()
        return Standing(row[0], participant_id, Decimal(row[1]), prize=row[2]) if row else None
    mine = session.execute(select(ContestScore.value, ContestScore.reached).where(
        ContestScore.contest_id == contest.id, ContestScore.participant_id == participant_id,
        ContestScore.value > 0)).first()
    if mine is None:
        return None
    value, reached = mine
    ahead = session.scalar(select(func.count()).select_from(ContestScore).where(
        ContestScore.contest_id == contest.id, ContestScore.value > 0,
        (ContestScore.value > value) | ((ContestScore.value == value) & (
            (ContestScore.reached < reached) | ((ContestScore.reached == reached)
                                                & (ContestScore.participant_id < participant_id)))))) or 0
    place = int(ahead) + 1
    return Standing(place, participant_id, Decimal(value), prize=_prize(contest, place))


def _prize(contest: Contest, place: int) -> int:
    return int(contest.prizes[place - 1]) if place <= len(contest.prizes) else 0


def _names(session: Session, participant_ids: list[int]) -> dict[int, str]:
    rows = session.execute(select(Participant.id, Participant.company_name, User.email).join(User)
                           .where(Participant.id.in_(participant_ids)))
    return {pid: company or email for pid, company, email in rows}


def shown_value(contest: Contest, value: Decimal) -> str:
    """A result as words show it: money with two decimals, points and claims as whole numbers."""
    return f"{value:.2f}" if contest.metric == "purchase_value" else str(int(value))


def pseudonym(name: str, participant_id: int) -> str:
    """What other participants see of a name on the leaderboard: its first letter and a short number."""
    return f"{(name.strip()[:1] or '?').upper()}*** #{participant_id % 1000:03d}"


def close_contest(session: Session, contest_id: int, now: datetime | None = None, force: bool = False) -> int:
    """Freeze the ranking and credit the prizes, once; returns the places frozen (0: it was closed before).

    Refused (`contest_running`) before the contest's last day is over, unless `force`."""
    now = now or datetime.now(UTC)
    contest = session.scalar(select(Contest).where(Contest.id == contest_id).with_for_update()) \
        if 0 < contest_id < 2**31 else None
    if contest is None:
        raise NotFoundError("no such contest", code="unknown_contest")
    if contest.closed_at is not None:
        return 0
    if not force and now < _bounds(contest)[1]:
        raise ConflictError("the contest is still running", code="contest_running")
    board = ranked(contest).subquery()
    frozen = select(literal(contest.id), board.c.participant_id, board.c.place, board.c.value, literal(0))
    columns = ["contest_id", "participant_id", "place", "value", "prize_points"]
    session.execute(insert(ContestResult).from_select(columns, frozen))
    for place, points in enumerate(contest.prizes, start=1):
        winner = session.scalar(select(ContestResult.participant_id).where(
            ContestResult.contest_id == contest.id, ContestResult.place == place))
        if winner is None or points == 0:
            continue
        session.execute(update(ContestResult).where(ContestResult.contest_id == contest.id,
                                                    ContestResult.place == place).values(prize_points=points))
        post(session, LedgerEntry(participant_id=winner, kind="contest_prize", points=points,
                                  cause=f"contest:{contest.id}:place:{place}",
                                  reason=f"{contest.title} — {place}."[:500]))
    contest.closed_at = now
    session.execute(delete(ContestScore).where(ContestScore.contest_id == contest.id))  # the results replace them
    session.flush()
    return int(session.scalar(select(func.count()).select_from(ContestResult)
                              .where(ContestResult.contest_id == contest.id)) or 0)


def close_due(sessions, now: datetime | None = None) -> list[tuple[int, int]]:
    """The end run (`paragon contests close`, or a sweep): close every contest that is due, each in its own
    transaction; returns (contest id, places frozen) for those this run closed."""
    from claims.db.engine import transaction

    with sessions() as session:
        due = due_contests(session, now)
    closed = []
    for contest_id in due:
        with transaction(sessions) as session:
            frozen = close_contest(session, contest_id, now)
        if frozen:
            closed.append((contest_id, frozen))
    return closed


def due_contests(session: Session, now: datetime | None = None) -> list[int]:
    """Contests whose last day is over and that are not closed yet (for `paragon contests close`)."""
    today = (now or datetime.now(UTC)).date()
    return list(session.scalars(select(Contest.id).where(Contest.closed_at.is_(None), Contest.ends_on < today)
                                .order_by(Contest.id)))
