"""The demo's catalogue (12+ rewards of all three kinds, loaded twice without doubling) and the order that ends
`paragon demo`: placed over the real HTTP API with the points a participant has, and printed."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select
from werkzeug.serving import make_server

from claims.db.engine import transaction
from claims.db.reward_models import Reward, RewardCode, RewardOrder
from claims.services.accounts import issue_api_token
from paragon.demo_rewards import load_demo_rewards, place_demo_order
from paragon.web import create_app
from tests.integration.helpers import seed, user
from tests.integration.rewards_helpers import give_points

pytestmark = pytest.mark.integration


class NoQueue:
    def enqueue_processing(self, claim_id: str):
        return object()


def test_the_demo_catalogue_and_its_closing_order(sqlite_runtime, capsys):
    rt = sqlite_runtime
    seed(rt)
    assert load_demo_rewards(rt) == load_demo_rewards(rt) >= 12
    with rt.sessions() as session:
        kinds = set(session.scalars(select(Reward.delivery)))
        codes = session.scalar(select(func.count()).select_from(RewardCode))
    assert kinds == {"physical", "code", "topup"} and codes >= 10
    give_points(rt, "drugi@example.com", 100)
    with transaction(rt.sessions) as session:
        tokens = {email: issue_api_token(session, user(rt, email))
                  for email in ("uczestnik@example.com", "drugi@example.com", "admin@example.com")}
    server = make_server("127.0.0.1", 0, create_app(rt, NoQueue()), threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        order = place_demo_order(f"http://127.0.0.1:{server.server_port}", tokens)
    finally:
        server.shutdown()
    assert order is not None and order["points"] == 90 and order["balance"] == 10  # the 90-point mug
    assert "Reward order: drugi@example.com had 100 points" in capsys.readouterr().out
    with rt.sessions() as session:
        assert session.scalar(select(func.count()).select_from(RewardOrder)) == 1
