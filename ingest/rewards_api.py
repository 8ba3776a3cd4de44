"""The rewards side of /api/v1: the catalogue, a participant's orders, cancelling one.

Request and response bodies are pydantic models; `openapi_paths()` and `openapi_schemas()` describe them for
the OpenAPI document (ingest.openapi adds them). Errors keep the API's `{"error": {"code", "message"}}` form.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask import Blueprint, jsonify, request
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy.exc import IntegrityError

from claims.db.engine import transaction
from claims.db.reward_models import RewardOrder
from claims.errors import ConflictError, InvalidInputError, PermissionDeniedError
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

blueprint = Blueprint("rewards_api", __name__, url_prefix="/api/v1")
install_error_handlers(blueprint)
REF = "#/components/schemas/{model}"


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
    reward_id: int = Field(ge=1, le=2**31 - 1)
    quantity: int = Field(1, ge=1, le=100)


class DeliveryIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    address: str = Field("", max_length=500, description="for physical rewards; default: the profile's address")


class TaxDetailsIn(BaseModel):
    name: str = Field(max_length=200)
    tax_id: str = Field(max_length=200, description="PESEL or NIP")
    address: str = Field("", max_length=200)
    tax_office: str = Field("", max_length=200)


class OrderIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
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


class OrdersPage(BaseModel):
    orders: list[OrderOut]


class ExpiringOut(BaseModel):
    points: int
    on: date


def _participant(session) -> int:
    user = bearer_user(session)
    if Role(user.role) is not Role.PARTICIPANT:
        raise PermissionDeniedError("only participants order rewards", code="not_participant")
    return participant_of(session, user).id


def order_view(order: RewardOrder, codes: list[str] | None = None) -> dict:
    items = [OrderItemOut(reward_id=i.reward_id, name=i.reward.name, quantity=i.quantity, points=i.points)
             for i in order.items]
    return OrderOut(id=order.id, status=order.status, points=order.points, tracking=order.tracking, items=items,
                    created_at=order.created_at.isoformat(), codes=codes or []).model_dump(mode="json")


def expiring_view(session, participant_id: int) -> list[dict]:
    """The balance answer's `expiring`: what will expire and when."""
    rule = ExpiryRule.parse(runtime().settings.points_expiry)
    return [ExpiringOut(points=e.points, on=e.on).model_dump(mode="json")
            for e in expiring(session, rule, participant_id)]


@blueprint.get("/rewards")
def rewards():
    """The active catalogue; with a participant's token each reward says how many points are missing."""
    limit, offset = request.args.get("limit", 50, type=int), request.args.get("offset", 0, type=int)
    with transaction(runtime().sessions) as session:
        user = bearer_user(session)
        points = balance(session, participant_of(session, user).id) if Role(user.role) is Role.PARTICIPANT else None
        items, total = catalogue(session, points, request.args.get("category", ""),
                                 request.args.get("affordable") == "1", limit=limit, offset=offset)
        rows = [RewardOut(id=i.reward.id, name=i.reward.name, points=i.reward.points, available=i.available,
                          category=i.reward.category, delivery=i.reward.delivery,
                          value_pln=str(i.reward.value_pln), missing=i.missing) for i in items]
    page = RewardsPage(rewards=rows, total=total, limit=min(max(limit, 1), 100), offset=max(offset, 0))
    return jsonify(page.model_dump(mode="json"))


def _order_body() -> OrderIn:
    raw = request.get_json(silent=True)
    try:
        return OrderIn.model_validate(raw)
    except ValidationError as exc:
        fields = {str(part) for error in exc.errors() for part in error["loc"]}
        code = "bad_quantity" if "quantity" in fields else "unknown_reward" if "reward_id" in fields else "bad_json"
        raise InvalidInputError('send {"items": [{"reward_id": 1, "quantity": 1}], "delivery": {"address": ""}}',
                                code=code) from None


@blueprint.post("/orders")
def create_order():
    """Place an order; the points leave the balance in the same transaction. Idempotency-Key like decisions."""
    body = _order_body()
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
        if Role(user.role) is not Role.PARTICIPANT:
            raise PermissionDeniedError("only participants order rewards", code="not_participant")
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
def list_orders():
    with transaction(runtime().sessions) as session:
        orders = own_orders(session, _participant(session))
        return jsonify(OrdersPage.model_validate({"orders": [order_view(o) for o in orders]}).model_dump(mode="json"))


@blueprint.get("/orders/<int:order_id>")
def get_order(order_id: int):
    with transaction(runtime().sessions) as session:
        order = own_order(session, _participant(session), order_id)
        codes = [code for _, code, _ in reveal_codes(session, [i.id for i in order.items])] \
            if codes_given(session, order) else []
        return jsonify(order_view(order, codes))


@blueprint.post("/orders/<int:order_id>/cancel")
def cancel(order_id: int):
    """Cancel one's own order while it is still placed; the points come back once."""
    with transaction(runtime().sessions) as session:
        participant_id = _participant(session)
        order = cancel_order(session, order_id, bearer_user(session), participant_id=participant_id)
        return jsonify({**order_view(order), "balance": balance(session, participant_id)})


# ---- the OpenAPI description ----------------------------------------------------------------------------

MODELS = (RewardOut, RewardsPage, OrderItemIn, DeliveryIn, TaxDetailsIn, OrderIn, OrderCreated, OrderItemOut,
          OrderOut, OrdersPage, ExpiringOut)


def openapi_schemas() -> dict:
    schemas: dict = {}
    for model in MODELS:
        schema = model.model_json_schema(ref_template=REF)
        schemas.update(schema.pop("$defs", {}))
        schemas[model.__name__] = schema
    return schemas


def _json(description: str, model: type[BaseModel]) -> dict:
    return {"description": description, "content": {"application/json": {"schema": {
        "$ref": REF.format(model=model.__name__)}}}}


def _errors(*codes: int) -> dict:
    error = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    texts = {401: "Missing or bad API token", 403: "Not a participant", 404: "No such order, or not yours",
             409: "insufficient_points, out_of_stock, limit_reached, already_cancelled, not_cancellable, "
                  "code_given or idempotency_conflict",
             422: "bad_json, bad_quantity, unknown_reward, address_required, tax_details_required"}
    return {str(code): {"description": texts[code], **error} for code in codes}


def openapi_paths() -> dict:
    order_id = [{"name": "order_id", "in": "path", "required": True, "schema": {"type": "integer"}}]
    key = {"name": "Idempotency-Key", "in": "header", "schema": {"type": "string", "maxLength": 200},
           "description": "Same key and body give the same answer; same key with another body gives 409."}
    query = [{"name": n, "in": "query", "schema": {"type": t}} for n, t in
             (("category", "string"), ("affordable", "string"), ("limit", "integer"), ("offset", "integer"))]
    return {
        "/api/v1/rewards": {"get": {"summary": "The active reward catalogue (affordable=1: only what the caller "
                                               "can afford)", "parameters": query,
                                    "responses": {"200": _json("A page of rewards", RewardsPage), **_errors(401)}}},
        "/api/v1/orders": {
            "post": {"summary": "Order rewards with points (debited at once)", "parameters": [key],
                     "requestBody": {"required": True, "content": {"application/json": {"schema": {
                         "$ref": REF.format(model="OrderIn")}}}},
                     "responses": {"201": _json("Placed", OrderCreated), **_errors(401, 403, 409, 422)}},
            "get": {"summary": "The participant's own orders, newest first",
                    "responses": {"200": _json("Orders", OrdersPage), **_errors(401, 403)}}},
        "/api/v1/orders/{order_id}": {"get": {"summary": "One of the participant's orders", "parameters": order_id,
                                              "responses": {"200": _json("The order", OrderOut),
                                                            **_errors(401, 403, 404)}}},
        "/api/v1/orders/{order_id}/cancel": {"post": {
            "summary": "Cancel an order that is still placed; its points come back once", "parameters": order_id,
            "responses": {"200": _json("Cancelled", OrderOut), **_errors(401, 403, 404, 409)}}},
    }
