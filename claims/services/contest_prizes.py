"""A contest's prizes for places 1..N: points (an int) or a reward from the catalogue ({"reward_id": id}),
written by the admin as "500, 300, @KOD-NAGRODY" (a reward by its code after "@").

Giving a prize happens once per (contest, place), inside the end run's transaction (the contest row locked):
- points: one `contest_prize` ledger entry, cause `contest:<id>:place:<n>`;
- a reward: an order for the winner made through the orders' own stock and code path, with the cause
  `contest:<id>:place:<n>` (unique on reward_orders), then a `contest_prize` credit of the reward's points
  and the order's usual debit: the ledger shows the prize and what it was spent on, the balance does not
  move, and cancelling the order refunds the points like any order. A reward out of stock (or out of codes)
  gives its points instead, so the end run never fails on stock.
"""

from __future__ import annotations

import re

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from claims.db.activity_models import Contest, ContestResult
from claims.db.models import LedgerEntry
from claims.db.reward_models import Reward
from claims.errors import ConflictError, InvalidInputError
from claims.ledger import debit_order, post
from claims.services.orders import place_prize_order

MAX_PRIZES = 100
MAX_PRIZE_POINTS = 1_000_000


def parse_prizes(raw: object, session: Session | None = None) -> list:
    """Points for places 1..N from "500, 300, 100" or a list; "@CODE" names a catalogue reward (needs a
    session to find it)."""
    parts = raw if isinstance(raw, list) else [p for p in re.split(r"[,;\s]+", str(raw or "")) if p]
    if len(parts) > MAX_PRIZES:
        raise InvalidInputError("prizes are whole points", code="bad_prizes", field="prizes")
    return [_prize(part, session) for part in parts]


def _prize(part: object, session: Session | None) -> int | dict:
    if isinstance(part, dict) and isinstance(part.get("reward_id"), int):
        return {"reward_id": part["reward_id"]}
    text = str(part).strip()
    if text.startswith("@") and session is not None:
        reward_id = session.scalar(select(Reward.id).where(Reward.code == text[1:64]))
        if reward_id is None:
            raise InvalidInputError(f"no reward {text[1:64]} in the catalogue", code="unknown_reward",
                                    field="prizes")
        return {"reward_id": reward_id}
    try:
        points = int(text)
    except ValueError as exc:
        raise InvalidInputError("prizes are whole points", code="bad_prizes", field="prizes") from exc
    if not 0 <= points <= MAX_PRIZE_POINTS:
        raise InvalidInputError("prizes are whole points", code="bad_prizes", field="prizes")
    return points


def prize_points(contest: Contest, place: int) -> int:
    """The points prize of a place (0: none, or a reward)."""
    prize = contest.prizes[place - 1] if 0 < place <= len(contest.prizes or []) else 0
    return prize if isinstance(prize, int) else 0


def reward_names(session: Session, contest: Contest) -> dict[int, str]:
    """The reward prizes' names by place."""
    ids = {place: p["reward_id"] for place, p in enumerate(contest.prizes or [], start=1) if isinstance(p, dict)}
    if not ids:
        return {}
    names = dict(session.execute(select(Reward.id, Reward.name).where(Reward.id.in_(ids.values()))).all())
    return {place: names.get(reward_id, "") for place, reward_id in ids.items()}


def prizes_text(session: Session, prizes: list) -> str:
    """The prizes as the admin writes them."""
    ids = [p["reward_id"] for p in prizes if isinstance(p, dict)]
    codes = dict(session.execute(select(Reward.id, Reward.code).where(Reward.id.in_(ids))).all()) if ids else {}
    return ", ".join(f"@{codes.get(p['reward_id'], '?')}" if isinstance(p, dict) else str(p) for p in prizes)


def give_prizes(session: Session, contest: Contest) -> None:
    """Give each place's prize to its frozen winner (the caller froze the results and holds the contest)."""
    for place, prize in enumerate(contest.prizes or [], start=1):
        winner = session.scalar(select(ContestResult.participant_id).where(
            ContestResult.contest_id == contest.id, ContestResult.place == place))
        if winner is None or prize in (0, None):
            continue
        cause = f"contest:{contest.id}:place:{place}"
        reason = f"{contest.title} — {place}."[:500]
        order_id = None
        if isinstance(prize, dict):
            points, order_id = _reward_prize(session, winner, prize["reward_id"], cause, reason)
        else:
            points = prize
            post(session, LedgerEntry(participant_id=winner, kind="contest_prize", points=points, cause=cause,
                                      reason=reason))
        session.execute(update(ContestResult).where(ContestResult.contest_id == contest.id,
                                                    ContestResult.place == place)
                        .values(prize_points=points, prize_order_id=order_id))


def _reward_prize(session: Session, winner: int, reward_id: int, cause: str, reason: str) -> tuple[int, int | None]:
    reward = session.get(Reward, reward_id)
    if reward is None:
        return 0, None
    try:
        with session.begin_nested():
            order = place_prize_order(session, winner, reward, cause)
    except ConflictError:  # out of stock or codes: the reward's points instead
        order = None
    post(session, LedgerEntry(participant_id=winner, kind="contest_prize", points=reward.points, cause=cause,
                              reason=f"{reason} {reward.name}"[:500]))
    if order is not None:
        debit_order(session, winner, order.id, reward.points)
    return reward.points, order.id if order is not None else None
