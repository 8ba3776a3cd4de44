"""The demo's reward catalogue (fixtures/demo_rewards.json: physical items, electronic codes with their pools,
prepaid top-ups) and the order that ends `paragon demo`: a participant spends the points the approved samples
earned, over the HTTP API, and the order is printed."""

from __future__ import annotations

import json
from pathlib import Path

import requests
from sqlalchemy import select

from claims.db.engine import transaction
from claims.db.reward_models import Reward
from claims.runtime import Runtime
from claims.services.rewards import check_reward, import_codes, save_reward

REWARDS = Path(__file__).resolve().parent.parent / "fixtures" / "demo_rewards.json"
DEMO_ADDRESS = "ul. Przykładowa 1, 00-001 Warszawa"


def load_demo_rewards(runtime: Runtime) -> int:
    """Put the demo catalogue in (idempotent: rewards by code, codes skipped when known)."""
    rows = json.loads(REWARDS.read_text(encoding="utf-8"))
    with transaction(runtime.sessions) as session:
        for row in rows:
            reward, _ = save_reward(session, check_reward({k: v for k, v in row.items() if k != "codes"}), None)
            if row.get("codes"):
                import_codes(session, reward, row["codes"], None)
        return len(session.scalars(select(Reward.id)).all())


def place_demo_order(base_url: str, tokens: dict[str, str]) -> dict | None:
    """The participant with the most points orders the dearest reward they can afford; returns the order."""
    best = None
    for email, token in tokens.items():
        headers = {"Authorization": f"Bearer {token}"}
        answer = requests.get(f"{base_url}/api/v1/participants/me/balance", headers=headers, timeout=30)
        if answer.status_code == 200 and (best is None or answer.json()["balance"] > best[1]):
            best = (email, answer.json()["balance"], headers)
    if best is None or best[1] <= 0:
        print("\nno participant has points yet: no reward order placed")
        return None
    email, points, headers = best
    catalogue = requests.get(f"{base_url}/api/v1/rewards?affordable=1&limit=100", headers=headers, timeout=30).json()
    choices = [r for r in catalogue["rewards"] if r["available"]]
    if not choices:
        print(f"\n{email} has {points} points: not enough for any reward yet")
        return None
    reward = max(choices, key=lambda r: (r["points"], -r["id"]))
    placed = requests.post(f"{base_url}/api/v1/orders", headers={**headers, "Idempotency-Key": "demo-order"},
                           json={"items": [{"reward_id": reward["id"], "quantity": 1}],
                                 "delivery": {"address": DEMO_ADDRESS}}, timeout=30)
    if placed.status_code != 201:
        print(f"\nthe demo order was refused: {placed.text[:200]}")
        return None
    order = placed.json()
    print(f"\nReward order: {email} had {points} points and ordered 1 × {reward['name']} "
          f"({reward['delivery']}) for {order['points']} points -> order {order['id']} is {order['status']}, "
          f"balance now {order['balance']}. See it at {base_url}/me/orders/{order['id']}; staff ship it at "
          f"{base_url}/staff/orders")
    return order
