"""The rewards API through Flask's test client: catalogue, orders, errors as reason codes, idempotency,
cancel, the balance with what expires, and the OpenAPI document describing every new route."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from claims.db.engine import transaction
from claims.db.models import LedgerEntry
from claims.db.reward_models import RewardOrder
from claims.services.accounts import issue_api_token
from paragon.web import create_app
from tests.integration.helpers import seed, user
from tests.integration.rewards_helpers import give_points, reward

pytestmark = pytest.mark.integration
EMAIL = "uczestnik@example.com"


class NoQueue:
    def enqueue_processing(self, claim_id: str):
        return object()


@pytest.fixture
def client(sqlite_runtime):
    seed(sqlite_runtime)
    return create_app(sqlite_runtime, NoQueue()).test_client()


def bearer(rt, email: str = EMAIL) -> dict:
    with transaction(rt.sessions) as session:
        return {"Authorization": f"Bearer {issue_api_token(session, user(rt, email))}"}


def test_catalogue_order_and_cancel_through_the_api(client, sqlite_runtime):
    rt = sqlite_runtime
    give_points(rt, EMAIL, 500)
    cheap, dear = reward(rt, 100, stock=2), reward(rt, 900)
    reward(rt, 50, active="0")
    headers = bearer(rt)
    page = client.get("/api/v1/rewards", headers=headers).get_json()
    assert [(r["id"], r["points"], r["available"], r["missing"]) for r in page["rewards"]] == [
        (cheap, 100, True, 0), (dear, 900, True, 400)]
    affordable = client.get("/api/v1/rewards?affordable=1", headers=headers).get_json()
    assert [r["id"] for r in affordable["rewards"]] == [cheap]
    placed = client.post("/api/v1/orders", headers=headers, json={
        "items": [{"reward_id": cheap, "quantity": 2}], "delivery": {"address": "ul. Polna 1, Kraków"}})
    assert placed.status_code == 201
    body = placed.get_json()
    assert (body["status"], body["points"], body["balance"]) == ("placed", 200, 300)
    listed = client.get("/api/v1/orders", headers=headers).get_json()["orders"]
    assert [o["id"] for o in listed] == [body["id"]] and listed[0]["items"][0]["quantity"] == 2
    assert client.get(f"/api/v1/orders/{body['id']}", headers=bearer(rt, "drugi@example.com")).status_code == 404
    gone = client.post("/api/v1/orders", headers=headers, json={"items": [{"reward_id": cheap, "quantity": 1}],
                                                                 "delivery": {"address": "ul. Polna 1"}})
    assert gone.status_code == 409 and gone.get_json()["error"]["code"] == "out_of_stock"
    cancelled = client.post(f"/api/v1/orders/{body['id']}/cancel", headers=headers)
    assert cancelled.status_code == 200 and cancelled.get_json()["balance"] == 500
    again = client.post(f"/api/v1/orders/{body['id']}/cancel", headers=headers)
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "already_cancelled"


@pytest.mark.parametrize("payload, status, code", [
    ({"items": [{"reward_id": "R", "quantity": 1}]}, 422, "bad_json"),
    ({"items": [{"reward_id": 999, "quantity": 1}]}, 422, "unknown_reward"),
    ({"items": [{"reward_id": "cheap", "quantity": 0}]}, 422, "bad_quantity"),
    ({"items": [{"reward_id": "cheap", "quantity": -3}]}, 422, "bad_quantity"),
    ({"items": []}, 422, "bad_items"),
    ({"items": [{"reward_id": "dear", "quantity": 1}], "delivery": {"address": "x"}}, 409, "insufficient_points"),
    ({"items": [{"reward_id": "hidden", "quantity": 1}], "delivery": {"address": "x"}}, 422, "unknown_reward"),
])
def test_bad_orders_get_a_reason_code_and_change_nothing(client, sqlite_runtime, payload, status, code):
    rt = sqlite_runtime
    give_points(rt, EMAIL, 300)
    ids = {"cheap": reward(rt, 100), "dear": reward(rt, 900), "hidden": reward(rt, 10, active="0")}
    for item in payload["items"]:
        item["reward_id"] = ids.get(item["reward_id"], item["reward_id"]) if item["reward_id"] != "R" else "R"
    answer = client.post("/api/v1/orders", headers=bearer(rt), json=payload)
    assert answer.status_code == status and answer.get_json()["error"]["code"] == code
    with rt.sessions() as session:
        assert session.scalar(select(func.count()).select_from(RewardOrder)) == 0
        assert session.scalar(select(func.count()).where(LedgerEntry.kind == "order_debit")) == 0


def test_an_idempotency_key_places_one_order_and_another_body_conflicts(client, sqlite_runtime):
    rt = sqlite_runtime
    give_points(rt, EMAIL, 1000)
    lamp = reward(rt, 100)
    headers = {**bearer(rt), "Idempotency-Key": "zamowienie-1"}
    body = {"items": [{"reward_id": lamp, "quantity": 1}], "delivery": {"address": "ul. Polna 1"}}
    first, second = (client.post("/api/v1/orders", headers=headers, json=body) for _ in range(2))
    assert first.status_code == second.status_code == 201 and first.get_json() == second.get_json()
    body["items"][0]["quantity"] = 2
    other = client.post("/api/v1/orders", headers=headers, json=body)
    assert other.status_code == 409 and other.get_json()["error"]["code"] == "idempotency_conflict"
    with rt.sessions() as session:
        assert session.scalar(select(func.count()).select_from(RewardOrder)) == 1


def test_staff_cannot_order_and_the_balance_lists_what_expires(client, sqlite_runtime):
    rt = sqlite_runtime
    lamp = reward(rt, 100)
    refused = client.post("/api/v1/orders", headers=bearer(rt, "admin@example.com"),
                          json={"items": [{"reward_id": lamp, "quantity": 1}]})
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "not_participant"
    give_points(rt, EMAIL, 40)
    answer = client.get("/api/v1/participants/me/balance", headers=bearer(rt)).get_json()
    assert answer["balance"] == 40 and answer["expiring"] == []  # the default rule: points never expire


def test_the_openapi_document_describes_the_rewards_routes(client):
    document = client.get("/api/v1/openapi.json").get_json()
    for path in ("/api/v1/rewards", "/api/v1/orders", "/api/v1/orders/{order_id}", "/api/v1/orders/{order_id}/cancel"):
        assert path in document["paths"]
    order_in = document["components"]["schemas"]["OrderIn"]
    assert order_in["properties"]["items"]["items"]["$ref"] == "#/components/schemas/OrderItemIn"
    assert "expiring" in document["components"]["schemas"]["Balance"]["properties"]


def test_ids_beyond_the_database_integers_are_not_found_not_errors(client, sqlite_runtime):
    rt = sqlite_runtime
    give_points(rt, EMAIL, 300)
    headers = bearer(rt)
    huge = 10**20
    assert client.get(f"/api/v1/orders/{huge}", headers=headers).status_code == 404
    assert client.post(f"/api/v1/orders/{huge}/cancel", headers=headers).status_code == 404
    answer = client.post("/api/v1/orders", headers=headers, json={"items": [{"reward_id": huge, "quantity": 1}]})
    assert answer.status_code == 422 and answer.get_json()["error"]["code"] == "unknown_reward"
    lamp = reward(rt, 100)
    twice = client.post("/api/v1/orders", headers=headers, json={
        "items": [{"reward_id": lamp, "quantity": 60}, {"reward_id": lamp, "quantity": 60}],
        "delivery": {"address": "ul. Polna 1"}})
    assert twice.status_code == 422 and twice.get_json()["error"]["code"] == "bad_quantity"


def test_an_electronic_code_comes_in_full_once_over_the_api(client, sqlite_runtime):
    from tests.integration.rewards_helpers import add_codes

    rt = sqlite_runtime
    give_points(rt, EMAIL, 300)
    voucher = reward(rt, 100, delivery="code")
    add_codes(rt, voucher, ["API-CODE-7777"])
    headers = bearer(rt)
    placed = client.post("/api/v1/orders", headers=headers, json={"items": [{"reward_id": voucher, "quantity": 1}]})
    assert placed.status_code == 201 and placed.get_json()["status"] == "delivered"
    first = client.get(f"/api/v1/orders/{placed.get_json()['id']}", headers=headers).get_json()
    again = client.get(f"/api/v1/orders/{placed.get_json()['id']}", headers=headers).get_json()
    assert first["codes"] == ["API-CODE-7777"]
    assert again["codes"][0].endswith("7777") and again["codes"][0] != "API-CODE-7777"
