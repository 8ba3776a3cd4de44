"""The rewards side of /api/v1: the catalogue, a participant's orders, cancelling one.

Each route declares its request and answer models with `ingest.openapi.operation`, which validates the request
and puts the route in the OpenAPI document. Quantities and reward ids are checked by the order use case, so a
bad one gets its own reason code (`bad_quantity`, `unknown_reward`); errors keep `{"error": {"code", "message"}}`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from flask import Blueprint, jsonify, request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import IntegrityError

from claims.db.engine import transaction
from claims.db.reward_models import RewardOrder
from claims.errors import ConflictError, InvalidInputError
from claims.ledger import balance, balance_row
from claims.roles import Role
from claims.services.accounts import participant_of
from claims.services.expiry import ExpiryRule, expiring
from claims.services.idempotency import remember_answer, request_fingerprint, stored_answer
from claims.services.orders import (
    OrderLine,
    OrderRules,
    cancel_order,
    codes_given,
    own_order,
    own_orders,
    place_order,
)
from claims.services.rewards import catalogue, reveal_codes
from ingest.http import bearer_user, install_error_handlers, runtime
from ingest.openapi import ApiModel, operation
from ingest.schemas import Expiring, IdempotencyHeaders

blueprint = Blueprint("rewards_api", __name__, url_prefix="/api/v1")
install_error_handlers(blueprint)
PARTICIPANT = (Role.PARTICIPANT,)
ANYONE: tuple[Role, ...] = ()


class RewardsQuery(ApiModel):
    category: str = Field("", max_length=100)
    affordable: str = Field("", max_length=1, description="1: only what the caller can afford")
    limit: int = Field(50, ge=1, le=100)
    offset: int = Field(0, ge=0, le=2**31 - 1)


class RewardOut(BaseModel):
    id: int
    name: str
    points: int
    available: bool
    category: str = ""
    delivery: str = Field(description="physical, code (an electronic code) or topup (a prepaid card top-up)")
    value_pln: str
    missing: int = Field(0, description="points the caller still needs for it (0: affordable)")


class RewardsPage(BaseModel):
    rewards: list[RewardOut]
    total: int
    limit: int
    offset: int


class OrderItemIn(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")
    reward_id: int
    quantity: int = Field(1, json_schema_extra={"minimum": 1, "maximum": 100},
                          description="1-100 (bad_quantity otherwise)")


class DeliveryIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    address: str = Field("", max_length=500, description="for physical rewards; default: the profile's address")


class TaxDetailsIn(BaseModel):
    name: str = Field(max_length=200)
    tax_id: str = Field(max_length=200, description="PESEL or NIP")
    address: str = Field("", max_length=200)
    tax_office: str = Field("", max_length=200)


class OrderIn(ApiModel):
    model_config = ConfigDict(extra="forbid")
    error_codes: ClassVar[dict[str, str]] = {"items": "bad_items"}
    items: list[OrderItemIn] = Field(min_length=1, max_length=30)
    delivery: DeliveryIn = DeliveryIn()
    tax_details: TaxDetailsIn | None = Field(None, description="needed when the year's rewards pass the "
                                                                "programme's threshold (tax_details_required)")


class OrderCreated(BaseModel):
    id: int
    status: str
    points: int
    balance: int


class OrderItemOut(BaseModel):
    reward_id: int
    name: str
    quantity: int
    points: int


class OrderOut(BaseModel):
    id: int
    status: str = Field(description="placed, approved, sent, delivered or cancelled")
    points: int
    tracking: str
    items: list[OrderItemOut]
    created_at: str
    codes: list[str] = Field([], description="electronic codes: in full the first time they are shown, then "
                                            "masked (they are e-mailed too)")


class CancelledOrder(OrderOut):
    balance: int


class OrdersPage(BaseModel):
    orders: list[OrderOut]


def order_view(order: RewardOrder, codes: list[str] | None = None) -> dict:
    items = [OrderItemOut(reward_id=i.reward_id, name=i.reward.name, quantity=i.quantity, points=i.points)
             for i in order.items]
    return OrderOut(id=order.id, status=order.status, points=order.points, tracking=order.tracking, items=items,
                    created_at=order.created_at.isoformat(), codes=codes or []).model_dump(mode="json")


def expiring_view(session, participant_id: int) -> list[dict]:
    """The balance answer's `expiring`: what will expire and when."""
    rule = ExpiryRule.parse(runtime().settings.points_expiry)
    return [Expiring(points=e.points, on=e.on).model_dump(mode="json")
            for e in expiring(session, rule, participant_id)]


def _participant_id(session) -> int:
    return participant_of(session, bearer_user(session)).id


@blueprint.get("/rewards")
@operation(roles=ANYONE, query=RewardsQuery, answers={200: RewardsPage})
def rewards():
    """The active reward catalogue; with a participant's token each reward says how many points are missing"""
    query = request.context.query
    with transaction(runtime().sessions) as session:
        user = bearer_user(session)
        points = balance(session, participant_of(session, user).id) if Role(user.role) is Role.PARTICIPANT else None
        items, total = catalogue(session, points, query.category, query.affordable == "1", limit=query.limit,
                                 offset=query.offset)
        rows = [RewardOut(id=i.reward.id, name=i.reward.name, points=i.reward.points, available=i.available,
                          category=i.reward.category, delivery=i.reward.delivery,
                          value_pln=str(i.reward.value_pln), missing=i.missing) for i in items]
    page = RewardsPage(rewards=rows, total=total, limit=query.limit, offset=query.offset)
    return jsonify(page.model_dump(mode="json"))


@blueprint.post("/orders")
@operation(roles=PARTICIPANT, json=OrderIn, headers=IdempotencyHeaders, answers={201: (OrderCreated, "Placed")},
           errors=(403, 409, 422))
def create_order():
    """Order rewards with points: the points leave the balance in the same transaction

    An Idempotency-Key makes retries safe, as for decisions. 409: insufficient_points, out_of_stock,
    limit_reached, idempotency_conflict; 422: bad_quantity, unknown_reward, address_required,
    tax_details_required.
    """
    body = request.context.json
    if body is None:
        raise InvalidInputError('send {"items": [{"reward_id": 1, "quantity": 1}]}', code="bad_json")
    key = (request.headers.get("Idempotency-Key") or "").strip()[:200]
    fingerprint = request_fingerprint("POST", request.path, body.model_dump(mode="json"))
    try:
        return _place_once(body, key, fingerprint)
    except (ConflictError, IntegrityError):
        if key:  # a concurrent request with the same key may have answered first
            with transaction(runtime().sessions) as session:
                stored = stored_answer(session, bearer_user(session).id, key, fingerprint)
            if stored is not None:
                return jsonify(stored.body), stored.status_code
        raise


def _place_once(body: OrderIn, key: str, fingerprint: str):
    settings = runtime().settings
    rules = OrderRules(settings.order_approval_points, Decimal(settings.tax_threshold_pln))
    with transaction(runtime().sessions) as session:
        user = bearer_user(session)
        if key and (stored := stored_answer(session, user.id, key, fingerprint)) is not None:
            return jsonify(stored.body), stored.status_code
        participant = participant_of(session, user)
        address = body.delivery.address or participant.delivery_address
        tax = body.tax_details.model_dump() if body.tax_details else None
        order = place_order(session, participant, [OrderLine(i.reward_id, i.quantity) for i in body.items],
                            address, rules, tax)
        answer = OrderCreated(id=order.id, status=order.status, points=order.points,
                              balance=balance_row(session, participant.id)).model_dump(mode="json")
        if key:
            remember_answer(session, user.id, key, fingerprint, 201, answer)
    return jsonify(answer), 201, {"Location": f"/api/v1/orders/{answer['id']}"}


@blueprint.get("/orders")
@operation(roles=PARTICIPANT, answers={200: OrdersPage}, errors=(403,))
def list_orders():
    """The participant's own orders, newest first"""
    with transaction(runtime().sessions) as session:
        orders = own_orders(session, _participant_id(session))
        return jsonify({"orders": [order_view(o) for o in orders]})


@blueprint.get("/orders/<int:order_id>")
@operation(roles=PARTICIPANT, answers={200: OrderOut}, errors=(403, 404))
def get_order(order_id: int):
    """One of the participant's orders; an electronic code in full the first time"""
    with transaction(runtime().sessions) as session:
        order = own_order(session, _participant_id(session), order_id)
        codes = [code for _, code, _ in reveal_codes(session, [i.id for i in order.items])] \
            if codes_given(session, order) else []
        return jsonify(order_view(order, codes))


@blueprint.post("/orders/<int:order_id>/cancel")
@operation(roles=PARTICIPANT, answers={200: (CancelledOrder, "Cancelled")}, errors=(403, 404, 409))
def cancel(order_id: int):
    """Cancel an order that is still placed; its points come back once"""
    with transaction(runtime().sessions) as session:
        user = bearer_user(session)
        participant_id = participant_of(session, user).id
        order = cancel_order(session, order_id, user, participant_id=participant_id)
        return jsonify({**order_view(order), "balance": balance(session, participant_id)})
