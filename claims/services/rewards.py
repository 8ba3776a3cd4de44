"""The reward catalogue: what a participant may order (with the points still missing), and the admin's
set-up of rewards, their images and their pools of electronic codes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from claims.audit import record_event
from claims.db.reward_models import Reward, RewardCode
from claims.errors import InvalidInputError, NotFoundError

DELIVERIES = ("physical", "code", "topup")
MAX_PAGE = 100
MAX_CODES = 100_000


@dataclass(frozen=True)
class CatalogueItem:
    reward: Reward
    available: bool  # in stock (or unlimited)
    missing: int  # points the participant still needs (0: affordable)


@dataclass(frozen=True)
class RewardData:
    """An admin's reward, checked by `check_reward`."""

    code: str
    name: str
    points: int
    description: str = ""
    category: str = ""
    value_pln: Decimal = Decimal("0")
    delivery: str = "physical"
    topup_pln: Decimal | None = None
    stock: int | None = None
    limit_per_participant: int | None = None
    available_from: date | None = None
    available_until: date | None = None
    active: bool = True


def catalogue(session: Session, points: int | None = None, category: str = "", affordable: bool = False,
              today: date | None = None, limit: int = 50, offset: int = 0) -> tuple[list[CatalogueItem], int]:
    """One page of the active catalogue (in its window), cheapest first, and how many match in all.

    `points`: the participant's balance (None: staff or the API without one); `affordable` keeps only
    rewards priced at or under it."""
    today = today or datetime.now(UTC).date()
    query = select(Reward).where(
        Reward.active.is_(True), or_(Reward.available_from.is_(None), Reward.available_from <= today),
        or_(Reward.available_until.is_(None), Reward.available_until >= today))
    if category:
        query = query.where(Reward.category == category)
    if affordable and points is not None:
        query = query.where(Reward.points <= points)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    limit = min(max(limit, 1), MAX_PAGE)
    rows = session.scalars(query.order_by(Reward.points, Reward.id).limit(limit).offset(max(offset, 0)))
    items = [CatalogueItem(r, r.stock is None or r.stock > 0, max(0, r.points - points) if points is not None else 0)
             for r in rows]
    return items, total


def categories(session: Session) -> list[str]:
    query = select(Reward.category).where(Reward.active.is_(True), Reward.category != "").distinct()
    return sorted(session.scalars(query))


def get_reward(session: Session, reward_id: int) -> Reward:
    reward = session.get(Reward, reward_id) if 0 < reward_id < 2**31 else None
    if reward is None:
        raise NotFoundError("no such reward", code="unknown_reward")
    return reward


def check_reward(raw: dict) -> RewardData:
    """A reward from form or CSV text; InvalidInputError names the first bad field (`field` in details)."""
    def text(name: str, size: int, required: bool = False) -> str:
        value = str(raw.get(name) or "").strip()[:size]
        if required and not value:
            raise InvalidInputError(f"{name} is required", code="required", field=name)
        return value

    delivery = text("delivery", 16) or "physical"
    if delivery not in DELIVERIES:
        raise InvalidInputError("delivery must be physical, code or topup", code="bad_delivery", field="delivery")
    points = _whole(raw.get("points"), "points", minimum=1)
    topup = _money(raw.get("topup_pln"), "topup_pln") if delivery == "topup" else None
    if delivery == "topup" and not topup:
        raise InvalidInputError("a top-up needs its amount", code="required", field="topup_pln")
    start, end = _day(raw.get("available_from"), "available_from"), _day(raw.get("available_until"), "available_until")
    if start and end and end < start:
        raise InvalidInputError("the window ends before it starts", code="bad_window", field="available_until")
    active = str(raw.get("active", "1")).strip().lower() not in {"0", "false", "no", "nie", "off", ""}
    return RewardData(code=text("code", 64, True), name=text("name", 200, True), points=points,
                      description=text("description", 4000), category=text("category", 100),
                      value_pln=_money(raw.get("value_pln"), "value_pln") or Decimal("0"), delivery=delivery,
                      topup_pln=topup, stock=_whole(raw.get("stock"), "stock", optional=True),
                      limit_per_participant=_whole(raw.get("limit_per_participant"), "limit_per_participant",
                                                   minimum=1, optional=True),
                      available_from=start, available_until=end, active=active)


def _whole(raw: object, name: str, minimum: int = 0, optional: bool = False) -> int | None:
    value = str(raw if raw is not None else "").strip()
    if not value and optional:
        return None
    try:
        number = int(value)
    except ValueError:
        raise InvalidInputError(f"{name} must be a whole number", code="not_whole", field=name) from None
    if number < minimum:
        raise InvalidInputError(f"{name} must be at least {minimum}", code="not_whole", field=name)
    return number


def _money(raw: object, name: str) -> Decimal | None:
    value = str(raw if raw is not None else "").strip().replace(",", ".").replace(" ", "")
    if not value:
        return None
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise InvalidInputError(f"{name} must be an amount", code="not_positive", field=name) from None
    if amount < 0 or amount > Decimal("1000000") or amount != amount.quantize(Decimal("0.01")):
        raise InvalidInputError(f"{name} must be an amount", code="not_positive", field=name)
    return amount


def _day(raw: object, name: str) -> date | None:
    value = str(raw or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInputError(f"{name} must be YYYY-MM-DD", code="bad_date", field=name) from None


def save_reward(session: Session, data: RewardData, actor_user_id: int | None,
                reward_id: int | None = None) -> tuple[Reward, bool]:
    """Create or update a reward (by id, else by code); returns (reward, created). A code reward's stock is
    its pool of unused codes, so a given stock is ignored for it."""
    reward = (session.get(Reward, reward_id) if 0 < reward_id < 2**31 else None) if reward_id else session.scalar(
        select(Reward).where(Reward.code == data.code))
    if reward_id and reward is None:
        raise NotFoundError("no such reward", code="unknown_reward")
    other = session.scalar(select(Reward.id).where(Reward.code == data.code))
    if other is not None and reward is not None and other != reward.id:
        raise InvalidInputError("this code is used by another reward", code="code_taken", field="code")
    created = reward is None
    before = None if created else {"points": reward.points, "active": reward.active, "stock": reward.stock}
    if created:
        reward = Reward(code=data.code, points=data.points)
        session.add(reward)
    for name, value in data.__dict__.items():
        if name == "stock" and data.delivery == "code":
            continue
        setattr(reward, name, value)
    if data.delivery == "code" and created:
        reward.stock = 0
    session.flush()
    record_event(session, "reward_saved", actor_user_id=actor_user_id, before=before,
                 after={"reward": reward.id, "code": reward.code, "points": reward.points, "active": reward.active})
    return reward, created


def import_codes(session: Session, reward: Reward, codes: list[str], actor_user_id: int | None) -> int:
    """Add codes to a code reward's pool (blank and already known codes are skipped); returns how many."""
    if reward.delivery != "code":
        raise InvalidInputError("this reward is not delivered as a code", code="bad_delivery")
    wanted = list(dict.fromkeys(c.strip()[:200] for c in codes if c.strip()))
    if len(wanted) > MAX_CODES:
        raise InvalidInputError(f"at most {MAX_CODES} codes at once", code="too_many_reward_codes")
    known = set(session.scalars(select(RewardCode.code).where(RewardCode.reward_id == reward.id,
                                                                RewardCode.code.in_(wanted)))) if wanted else set()
    fresh = [c for c in wanted if c not in known]
    session.add_all(RewardCode(reward_id=reward.id, code=c) for c in fresh)
    session.execute(update(Reward).where(Reward.id == reward.id)
                    .values(stock=func.coalesce(Reward.stock, 0) + len(fresh))
                    .execution_options(synchronize_session=False))
    session.flush()
    session.refresh(reward)
    record_event(session, "reward_codes_imported", actor_user_id=actor_user_id,
                 after={"reward": reward.id, "added": len(fresh), "skipped": len(wanted) - len(fresh)})
    return len(fresh)


def reveal_codes(session: Session, order_item_ids: list[int]) -> list[tuple[int, str, bool]]:
    """(item id, code, first time) for the codes of these order items; marks them shown. A code is shown in
    full only the first time (later it is masked: it went by e-mail too)."""
    if not order_item_ids:
        return []
    rows = list(session.scalars(select(RewardCode).where(RewardCode.order_item_id.in_(order_item_ids))
                                .order_by(RewardCode.id)))
    now = datetime.now(UTC)
    shown = []
    for row in rows:
        first = row.shown_at is None
        if first:
            row.shown_at = now
        shown.append((row.order_item_id, row.code if first else mask(row.code), first))
    session.flush()
    return shown


def mask(code: str) -> str:
    return "•" * max(0, len(code) - 4) + code[-4:] if len(code) > 4 else "••••"
