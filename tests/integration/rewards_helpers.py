"""Builders for the rewards tests: rewards in the catalogue, points given by an admin's adjustment."""

from __future__ import annotations

import uuid
from decimal import Decimal

from sqlalchemy import select

from claims.db.engine import transaction
from claims.db.models import Participant, User
from claims.ledger import adjust_points
from claims.runtime import Runtime
from claims.services.accounts import participant_of
from claims.services.rewards import check_reward, import_codes, save_reward
from tests.integration.helpers import user


def reward(rt: Runtime, points: int, stock: int | None = None, delivery: str = "physical", **extra) -> int:
    raw = {"code": extra.pop("code", f"R-{uuid.uuid4().hex[:8]}"), "name": extra.pop("name", f"Nagroda {points}"),
           "points": str(points), "stock": "" if stock is None else str(stock), "delivery": delivery,
           "value_pln": extra.pop("value_pln", str(Decimal(points) / 10)), **extra}
    if delivery == "topup":
        raw.setdefault("topup_pln", "50")
    with transaction(rt.sessions) as session:
        row, _ = save_reward(session, check_reward(raw), None)
        return row.id


def add_codes(rt: Runtime, reward_id: int, codes: list[str]) -> int:
    from claims.db.reward_models import Reward

    with transaction(rt.sessions) as session:
        return import_codes(session, session.get(Reward, reward_id), codes, None)


def give_points(rt: Runtime, email: str, points: int) -> int:
    """Credit `points` to the participant with `email` (an admin's bonus); returns the participant id."""
    admin = user(rt, "admin@example.com")
    with transaction(rt.sessions) as session:
        participant = participant_of(session, session.scalar(select(User).where(User.email == email)))
        adjust_points(session, participant.id, points, "bonus startowy", admin, uuid.uuid4().hex)
        return participant.id


def participant_id(rt: Runtime, email: str) -> int:
    with rt.sessions() as session:
        return session.scalar(select(Participant.id).join(User).where(User.email == email))
