"""Getting rewards to people: the staff's list of orders with filters, bulk status changes, the CSV for the
logistics house and the CSV of tracking numbers it sends back (row by row: each row sends one order), an
order's history, and staff point adjustments by participant e-mail."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from claims.db.models import Participant, User
from claims.db.reward_models import RewardOrder, RewardOrderEvent, RewardOrderItem
from claims.errors import ClaimsError, InvalidInputError, NotFoundError
from claims.services.orders import STATUSES, move_order

MAX_BULK = 500
MAX_TRACKING_ROWS = 20_000


@dataclass(frozen=True)
class OrderFilter:
    status: str = ""
    email: str = ""
    reward_id: int | None = None


def order_query(filters: OrderFilter):
    query = select(RewardOrder).join(Participant, Participant.id == RewardOrder.participant_id).join(
        User, User.id == Participant.user_id)
    if filters.status in STATUSES:
        query = query.where(RewardOrder.status == filters.status)
    if filters.email:
        query = query.where(User.email == filters.email.strip().lower())
    if filters.reward_id and 0 < filters.reward_id < 2**31:
        query = query.where(RewardOrder.id.in_(select(RewardOrderItem.order_id).where(
            RewardOrderItem.reward_id == filters.reward_id)))
    return query


def order_page(session: Session, filters: OrderFilter, limit: int, offset: int) -> tuple[list[RewardOrder], int]:
    query = order_query(filters)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.options(selectinload(RewardOrder.items).selectinload(RewardOrderItem.reward))
                           .order_by(RewardOrder.id).limit(limit).offset(offset))
    return list(rows), total


def emails_of(session: Session, participant_ids: set[int]) -> dict[int, tuple[str, str]]:
    if not participant_ids:
        return {}
    rows = session.execute(select(Participant.id, User.email, User.name).join(User)
                           .where(Participant.id.in_(participant_ids)))
    return {pid: (email, name) for pid, email, name in rows}


def orders_csv(session: Session, filters: OrderFilter) -> str:
    """The orders for the logistics house: one row per item, with the address and where to put tracking."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["order_id", "status", "name", "email", "address", "reward_code", "reward", "quantity",
                     "delivery", "tracking"])
    orders = list(session.scalars(order_query(filters).options(
        selectinload(RewardOrder.items).selectinload(RewardOrderItem.reward)).order_by(RewardOrder.id)))
    people = emails_of(session, {o.participant_id for o in orders})
    for order in orders:
        email, name = people.get(order.participant_id, ("", ""))
        for item in order.items:
            writer.writerow([order.id, order.status, _safe(name), email, _safe(order.delivery_address),
                             item.reward.code, _safe(item.reward.name), item.quantity, item.reward.delivery,
                             order.tracking])
    return out.getvalue()


def _safe(value: str) -> str:
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


@dataclass
class BulkResult:
    moved: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)  # (order id or CSV line, reason code)


def bulk_move(session: Session, actor: User, order_ids: list[int], to: str, tracking: str = "") -> BulkResult:
    """Move each order in its own savepoint: one that cannot move is reported and the others still move."""
    if len(order_ids) > MAX_BULK:
        raise InvalidInputError(f"at most {MAX_BULK} orders at once", code="too_many_orders")
    result = BulkResult()
    for order_id in dict.fromkeys(order_ids):
        try:
            with session.begin_nested():
                move_order(session, order_id, actor, to, tracking=tracking)
            result.moved += 1
        except ClaimsError as error:
            result.errors.append((order_id, error.code))
    return result


def import_tracking(session: Session, actor: User, text: str) -> BulkResult:
    """A CSV of `order_id,tracking` (header row; comma or semicolon): each approved order becomes sent."""
    text = text.lstrip("\ufeff")
    first = text.split("\n", 1)[0]
    reader = csv.DictReader(io.StringIO(text), delimiter=";" if first.count(";") > first.count(",") else ",")
    header = [h.strip().lower() for h in reader.fieldnames or []]
    if "order_id" not in header or "tracking" not in header:
        raise InvalidInputError("the file needs order_id and tracking columns", code="missing_columns")
    reader.fieldnames = header
    result = BulkResult()
    for row in reader:
        if reader.line_num > MAX_TRACKING_ROWS + 1:
            result.errors.append((reader.line_num, "too_many_rows"))
            break
        raw_id, tracking = (row.get("order_id") or "").strip(), (row.get("tracking") or "").strip()
        if not raw_id.isdigit() or len(raw_id) > 9 or not tracking:
            result.errors.append((reader.line_num, "bad_row"))
            continue
        try:
            with session.begin_nested():
                move_order(session, int(raw_id), actor, "sent", tracking=tracking)
            result.moved += 1
        except ClaimsError as error:
            result.errors.append((reader.line_num, error.code))
    return result


def order_history(session: Session, order_id: int) -> tuple[RewardOrder, list[RewardOrderEvent]]:
    order = session.get(RewardOrder, order_id) if 0 < order_id < 2**31 else None
    if order is None:
        raise NotFoundError("no such order", code="order_not_found")
    events = list(session.scalars(select(RewardOrderEvent).where(RewardOrderEvent.order_id == order_id)
                                  .options(selectinload(RewardOrderEvent.actor)).order_by(RewardOrderEvent.id)))
    return order, events


def participant_by_email(session: Session, email: str) -> Participant:
    found = session.scalar(select(Participant).join(User).where(User.email == email.strip().lower()))
    if found is None:
        raise NotFoundError("no participant with this e-mail", code="unknown_participant")
    return found


def adjust_by_email(session: Session, actor: User, email: str, points: int, reason: str, key: str):
    """A staff bonus or penalty with a reason, audited; `key` (the form's one-time key) counts it once."""
    from claims.audit import record_event
    from claims.ledger import adjust_points
    from claims.roles import STAFF_ROLES, Role

    if Role(actor.role) not in STAFF_ROLES:
        raise NotFoundError("no such participant", code="unknown_participant")
    participant = participant_by_email(session, email)
    entry = adjust_points(session, participant.id, points, reason, actor, key)
    record_event(session, "points_adjusted", actor_user_id=actor.id,
                 after={"participant": participant.id, "points": points, "reason": entry.reason})
    return entry
