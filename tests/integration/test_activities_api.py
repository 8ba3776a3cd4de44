"""The activities API through Flask's test client: the caller's tier (and its role check)."""

from __future__ import annotations

import pytest

from claims.db.engine import transaction
from claims.services.tiers import parse_ladder, save_ladder
from tests.integration.rewards_helpers import participant_id
from tests.integration.test_rewards_api import EMAIL, bearer, client  # noqa: F401 — the shared fixture
from tests.integration.test_tiers import earn

pytestmark = pytest.mark.integration


def test_the_tier_answer_says_the_level_and_what_is_missing(client, sqlite_runtime):  # noqa: F811
    rt = sqlite_runtime
    assert client.get("/api/v1/participants/me/tier", headers=bearer(rt)).get_json() == {
        "tier": None, "multiplier": "1", "earned_12m": 0, "next_tier": None, "missing": 0}
    with transaction(rt.sessions) as session:
        save_ladder(session, parse_ladder("Brązowy; 0; 1\nSrebrny; 1000; 1.25\nZłoty; 3000; 1.5"))
    earn(rt, participant_id(rt, EMAIL), 1200, days_ago=3)
    answer = client.get("/api/v1/participants/me/tier", headers=bearer(rt)).get_json()
    assert answer == {"tier": "Srebrny", "multiplier": "1.25", "earned_12m": 1200, "next_tier": "Złoty",
                      "missing": 1800}
    assert client.get("/api/v1/participants/me/tier").status_code == 401
    staff = client.get("/api/v1/participants/me/tier", headers=bearer(rt, "admin@example.com"))
    assert staff.status_code == 403 and staff.get_json()["error"]["code"]
