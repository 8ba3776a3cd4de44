"""The reward catalogue as CSV, for `claims.services.imports` (same row-by-row report, all rows or none)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from claims.db.reward_models import Reward
from claims.errors import InvalidInputError
from claims.services.rewards import check_reward, save_reward

COLUMNS = ("code", "name", "description", "category", "points", "value_pln", "delivery", "topup_pln", "stock",
           "limit_per_participant", "available_from", "available_until", "active")
REQUIRED = ("code", "name", "points")
#: check_reward's reason codes -> the import's row messages (translated by the admin CSV page).
MESSAGES = {"not_whole": "must be a whole number ≥ 0", "not_positive": "must be a positive number",
            "required": "required"}


def check_row(session: Session, row: dict) -> Iterable[tuple[str, str]]:
    try:
        check_reward({**row, "active": row.get("active") or "1"})
    except InvalidInputError as error:
        yield str(error.details.get("field") or ""), MESSAGES.get(error.code, error.message)


def write_row(session: Session, row: dict) -> bool:
    data = check_reward({**row, "active": row.get("active") or "1"})
    return save_reward(session, data, None)[1]


def export_rows(session: Session) -> Iterable[dict]:
    for r in session.scalars(select(Reward).order_by(Reward.code)):
        yield {"code": r.code, "name": r.name, "description": r.description, "category": r.category,
               "points": r.points, "value_pln": r.value_pln, "delivery": r.delivery, "topup_pln": r.topup_pln or "",
               "stock": "" if r.stock is None else r.stock, "limit_per_participant": r.limit_per_participant or "",
               "available_from": r.available_from or "", "available_until": r.available_until or "",
               "active": int(r.active)}
