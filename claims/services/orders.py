"""Reward orders: placing one (points debited and stock taken in the same transaction), its lifecycle
placed -> approved -> sent -> delivered, or cancelled with the points refunded exactly once.

Races: placing an order locks the participant's balance row first (`claims.ledger.lock_balance`), so one
participant's orders go one after another and the balance never goes below zero; stock is taken with a
conditional UPDATE (`stock >= quantity`), so two people never get the last item; an electronic code is taken
with SKIP LOCKED and marked with the order item; cancelling locks the order row and the refund's cause key
refuses a second refund.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from claims.audit import record_event
from claims.db.after_commit import after_commit
from claims.db.models import Participant, User
from claims.db.reward_models import Reward, RewardCode, RewardOrder, RewardOrderEvent, RewardOrderItem
from claims.errors import ConflictError, IllegalTransitionError, InvalidInputError, NotFoundError
from claims.ledger import InsufficientPointsError, debit_order, lock_balance, refund_order
from claims.roles import STAFF_ROLES, Role

ORDER_TOPIC = "order_status_changed"
STATUSES = ("placed", "approved", "sent", "delivered", "cancelled")
#: Where staff may move an order from each status.
MOVES = {"placed": {"approved", "cancelled"}, "approved": {"sent", "cancelled"}, "sent": {"delivered"}}
MAX_QUANTITY = 100
MAX_LINES = 30
MAX_ADDRESS = 500
MAX_ID = 2**31 - 1  # database integers: a larger id names nothing


@dataclass(frozen=True)
class OrderLine:
    reward_id: int
    quantity: int


@dataclass(frozen=True)
class OrderRules:
    """The programme's order settings: above `approval_points` an auditor approves first (0: never);
    orders taking the year's reward value above `tax_threshold_pln` need the participant's tax details."""

    approval_points: int = 0
    tax_threshold_pln: Decimal = Decimal("2000")


def parse_lines(raw: object) -> list[OrderLine]:
    """Order lines from JSON-ish input; the same reward twice is one line. InvalidInputError on bad input."""
    if not isinstance(raw, list) or not raw or len(raw) > MAX_LINES:
        raise InvalidInputError(f"send 1 to {MAX_LINES} items", code="bad_items")
    merged: dict[int, int] = {}
    for item in raw:
        reward_id = item.get("reward_id") if isinstance(item, dict) else None
        quantity = item.get("quantity", 1) if isinstance(item, dict) else None
        if isinstance(reward_id, bool) or not isinstance(reward_id, int):
            raise InvalidInputError("each item needs a reward_id", code="unknown_reward")
        if isinstance(quantity, bool) or not isinstance(quantity, int) or not 1 <= quantity <= MAX_QUANTITY:
            raise InvalidInputError(f"quantity must be 1 to {MAX_QUANTITY}", code="bad_quantity")
        merged[reward_id] = merged.get(reward_id, 0) + quantity
    if any(q > MAX_QUANTITY for q in merged.values()):
        raise InvalidInputError(f"quantity must be 1 to {MAX_QUANTITY}", code="bad_quantity")
    return [OrderLine(r, q) for r, q in merged.items()]


def is_available(reward: Reward, today: date) -> bool:
    """Active and inside its availability window (stock is checked when taken)."""
    return bool(reward.active and (reward.available_from is None or reward.available_from <= today)
                and (reward.available_until is None or today <= reward.available_until))


def place_order(session: Session, participant: Participant, lines: list[OrderLine], address: str,
                rules: OrderRules, tax_details: dict | None = None, today: date | None = None) -> RewardOrder:
    """Place an order and debit its points, all in the caller's transaction.

    Raises InvalidInputError (unknown_reward, address_required, tax_details_required), ConflictError
    (limit_reached, out_of_stock) or InsufficientPointsError (insufficient_points); nothing is kept then.
    """
    today = today or datetime.now(UTC).date()
    lines = _merged(lines)
    rewards = _orderable(session, lines, today)
    address = (address or "").strip()[:MAX_ADDRESS]
    if not address and any(rewards[line.reward_id].delivery == "physical" for line in lines):
        raise InvalidInputError("a physical reward needs a delivery address", code="address_required")
    points = sum(rewards[line.reward_id].points * line.quantity for line in lines)
    value = sum((rewards[line.reward_id].value_pln * line.quantity for line in lines), Decimal("0"))
    if lock_balance(session, participant.id) < points:
        raise InsufficientPointsError("not enough points for this order", needed=points)
    _check_limits(session, participant.id, lines, rewards)
    tax = _clean_tax_details(tax_details)
    if tax is None and year_value(session, participant.id, today.year) + value > rules.tax_threshold_pln:
        raise InvalidInputError("this order needs your tax details", code="tax_details_required")
    order = RewardOrder(participant_id=participant.id, status="placed", points=points, value_pln=value,
                        needs_approval=bool(rules.approval_points and points > rules.approval_points),
                        delivery_address=address, tax_details=tax)
    session.add(order)
    session.flush()
    for line in lines:
        _take(session, order, rewards[line.reward_id], line.quantity)
    debit_order(session, participant.id, order.id, points)
    if not order.needs_approval and all(rewards[line.reward_id].delivery == "code" for line in lines):
        order.status = "delivered"  # every item is a code, given at once
    _event(session, order, None, "", order.status)
    return order


def place_prize_order(session: Session, participant_id: int, reward: Reward, cause: str) -> RewardOrder:
    """An order of one `reward` won as a prize (claims.services.contest_prizes): the stock and codes are taken
    as for any order, to the winner's delivery address; `cause` (unique) makes it once per prize. The caller
    credits the prize's points and debits the order. ConflictError (out_of_stock) when none is left."""
    participant = session.get(Participant, participant_id)
    order = RewardOrder(participant_id=participant_id, status="placed", points=reward.points,
                        value_pln=reward.value_pln, delivery_address=participant.delivery_address if participant
                        else "", cause=cause)
    session.add(order)
    session.flush()
    _take(session, order, reward, 1)
    if reward.delivery == "code":
        order.status = "delivered"
    _event(session, order, None, "", order.status)
    return order


def _merged(lines: list[OrderLine]) -> list[OrderLine]:
    """One line per reward (quantities added up), each quantity 1-100 and at most 30 rewards."""
    if not lines or len(lines) > MAX_LINES:
        raise InvalidInputError(f"send 1 to {MAX_LINES} items", code="bad_items")
    merged: dict[int, int] = {}
    for line in lines:
        if not 1 <= line.quantity <= MAX_QUANTITY:
            raise InvalidInputError(f"quantity must be 1 to {MAX_QUANTITY}", code="bad_quantity")
        if not 0 < line.reward_id <= MAX_ID:
            raise InvalidInputError(f"reward {line.reward_id} is unknown", code="unknown_reward")
        merged[line.reward_id] = merged.get(line.reward_id, 0) + line.quantity
    if any(quantity > MAX_QUANTITY for quantity in merged.values()):
        raise InvalidInputError(f"quantity must be 1 to {MAX_QUANTITY}", code="bad_quantity")
    return [OrderLine(reward_id, quantity) for reward_id, quantity in merged.items()]


def _orderable(session: Session, lines: list[OrderLine], today: date) -> dict[int, Reward]:
    ids = [line.reward_id for line in lines]
    rewards = {r.id: r for r in session.scalars(select(Reward).where(Reward.id.in_(ids)))}
    for reward_id in ids:
        reward = rewards.get(reward_id)
        if reward is None or not is_available(reward, today):
            raise InvalidInputError(f"reward {reward_id} is unknown or not available", code="unknown_reward")
    return rewards


def _check_limits(session: Session, participant_id: int, lines: list[OrderLine], rewards: dict[int, Reward]):
    for line in lines:
        limit = rewards[line.reward_id].limit_per_participant
        if limit is None:
            continue
        taken = session.scalar(
            select(func.coalesce(func.sum(RewardOrderItem.quantity), 0)).join(RewardOrder)
            .where(RewardOrder.participant_id == participant_id, RewardOrder.status != "cancelled",
                   RewardOrderItem.reward_id == line.reward_id))
        if int(taken or 0) + line.quantity > limit:
            raise ConflictError(f"at most {limit} of this reward per participant", code="limit_reached")


def _clean_tax_details(raw: dict | None) -> dict | None:
    if not isinstance(raw, dict):
        return None
    clean = {k: str(raw.get(k) or "").strip()[:200] for k in ("name", "tax_id", "address", "tax_office")}
    return clean if clean["name"] and clean["tax_id"] else None


def year_value(session: Session, participant_id: int, year: int) -> Decimal:
    """The PLN market value of the rewards the participant ordered (and did not cancel) in `year`."""
    start, end = datetime(year, 1, 1, tzinfo=UTC), datetime(year + 1, 1, 1, tzinfo=UTC)
    total = session.scalar(select(func.coalesce(func.sum(RewardOrder.value_pln), 0)).where(
        RewardOrder.participant_id == participant_id, RewardOrder.status != "cancelled",
        RewardOrder.created_at >= start, RewardOrder.created_at < end))
    return Decimal(str(total or 0))


def _take(session: Session, order: RewardOrder, reward: Reward, quantity: int) -> None:
    """Take `quantity` from the reward's stock (atomically) and, for codes, that many codes of the pool."""
    taken = session.execute(
        update(Reward).where(Reward.id == reward.id, (Reward.stock.is_(None)) | (Reward.stock >= quantity))
        .values(stock=Reward.stock - quantity).execution_options(synchronize_session=False))
    if taken.rowcount != 1:
        raise ConflictError(f"{reward.name}: not enough left", code="out_of_stock")
    item = RewardOrderItem(order=order, reward_id=reward.id, quantity=quantity, points=reward.points,
                           value_pln=reward.value_pln)
    session.add(item)
    session.flush()
    if reward.delivery != "code":
        return
    free = list(session.scalars(
        select(RewardCode.id).where(RewardCode.reward_id == reward.id, RewardCode.order_item_id.is_(None))
        .order_by(RewardCode.id).limit(quantity).with_for_update(skip_locked=True)))
    if len(free) < quantity:
        raise ConflictError(f"{reward.name}: no codes left", code="out_of_stock")
    session.execute(update(RewardCode).where(RewardCode.id.in_(free)).values(order_item_id=item.id)
                    .execution_options(synchronize_session=False))


# ---- after placing -----------------------------------------------------------------------------------


def cancel_order(session: Session, order_id: int, actor: User, participant_id: int | None = None,
                 note: str = "") -> RewardOrder:
    """Cancel an order and refund its points once; a participant only their own order, only while placed.

    The order row is locked first, so of two cancels at once the second sees the first's result."""
    order = _locked(session, order_id, participant_id)
    if order.status == "cancelled":
        raise ConflictError("this order is already cancelled", code="already_cancelled")
    allowed = {"placed"} if participant_id is not None else {"placed", "approved"}
    if order.status not in allowed:
        raise IllegalTransitionError(f"an order that is {order.status} cannot be cancelled", code="not_cancellable")
    if participant_id is not None and codes_given(session, order):
        raise ConflictError("an electronic code was already given", code="code_given")
    for item in order.items:
        back = item.quantity
        if item.reward.delivery == "code":  # a code already shown is spent; only the others go back to the pool
            back = session.execute(update(RewardCode).where(RewardCode.order_item_id == item.id,
                                                            RewardCode.shown_at.is_(None))
                                   .values(order_item_id=None).execution_options(synchronize_session=False)).rowcount
        session.execute(update(Reward).where(Reward.id == item.reward_id, Reward.stock.is_not(None))
                        .values(stock=Reward.stock + back).execution_options(synchronize_session=False))
    refund_order(session, order.participant_id, order.id, order.points, actor)
    old, order.status = order.status, "cancelled"
    _event(session, order, actor, old, "cancelled", note)
    return order


def move_order(session: Session, order_id: int, actor: User, to: str, tracking: str = "",
               note: str = "") -> RewardOrder:
    """Staff move an order along: approve (an auditor when it needs approval), send (tracking), deliver."""
    if Role(actor.role) not in STAFF_ROLES:
        raise NotFoundError("no such order", code="order_not_found")
    if to == "cancelled":
        return cancel_order(session, order_id, actor, note=note)
    order = _locked(session, order_id, None)
    if to not in MOVES.get(order.status, set()):
        raise IllegalTransitionError(f"an order that is {order.status} cannot become {to}", code="illegal_move")
    if to == "approved" and order.needs_approval and Role(actor.role) is not Role.AUDITOR:
        raise ConflictError("an auditor approves this order", code="auditor_approval_needed")
    if to == "sent":
        tracking = (tracking or order.tracking or "").strip()[:100]
        if not tracking:
            raise InvalidInputError("sending needs a tracking number", code="tracking_required")
        order.tracking = tracking
    old, order.status = order.status, to
    _event(session, order, actor, old, to, note)
    return order


def _locked(session: Session, order_id: int, participant_id: int | None) -> RewardOrder:
    if not 0 < order_id <= MAX_ID:
        raise NotFoundError("no such order", code="order_not_found")
    query = select(RewardOrder).where(RewardOrder.id == order_id).with_for_update()
    order = session.scalars(query.execution_options(populate_existing=True)).first()
    if order is None or (participant_id is not None and order.participant_id != participant_id):
        raise NotFoundError("no such order", code="order_not_found")
    return order


def codes_given(session: Session, order: RewardOrder) -> bool:
    """Whether the order holds electronic codes the participant can already see (not awaiting approval)."""
    if order.needs_approval and order.status == "placed":
        return False
    ids = [item.id for item in order.items]
    return bool(ids) and session.scalar(
        select(func.count()).select_from(RewardCode).where(RewardCode.order_item_id.in_(ids))) > 0


def _event(session: Session, order: RewardOrder, actor: User | None, old: str, new: str, note: str = "") -> None:
    actor_id = actor.id if actor else None
    session.add(RewardOrderEvent(order_id=order.id, actor_user_id=actor_id, from_status=old, to_status=new,
                                 note=(note or "")[:500]))
    record_event(session, "order_status", actor_user_id=actor_id, after={"order": order.id, "from": old, "to": new})
    session.flush()
    after_commit(session, ORDER_TOPIC, order.id, old or "new", new)


def own_order(session: Session, participant_id: int, order_id: int) -> RewardOrder:
    order = session.get(RewardOrder, order_id) if 0 < order_id <= MAX_ID else None
    if order is None or order.participant_id != participant_id:
        raise NotFoundError("no such order", code="order_not_found")
    return order


def own_orders(session: Session, participant_id: int, limit: int = 100) -> list[RewardOrder]:
    return list(session.scalars(select(RewardOrder).where(RewardOrder.participant_id == participant_id)
                                .order_by(RewardOrder.id.desc()).limit(limit)))


def order_names(session: Session, order_ids: set[int]) -> dict[int, str]:
    """What each order was for, in words ("2 × Czajnik, 1 × Kubek"), for the points history."""
    if not order_ids:
        return {}
    names: dict[int, list[str]] = {}
    rows = session.execute(select(RewardOrderItem.order_id, RewardOrderItem.quantity, Reward.name)
                           .join(Reward, Reward.id == RewardOrderItem.reward_id)
                           .where(RewardOrderItem.order_id.in_(order_ids)).order_by(RewardOrderItem.id))
    for order_id, quantity, name in rows:
        names.setdefault(order_id, []).append(f"{quantity} × {name}")
    return {order_id: ", ".join(parts) for order_id, parts in names.items()}
