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


def test_the_leaderboard_answer_has_the_callers_place_and_a_pseudonymised_top_ten(client, sqlite_runtime):  # noqa: F811
    from tests.integration.activity_helpers import participants
    from tests.integration.test_contests import contest

    rt = sqlite_runtime
    me = participant_id(rt, EMAIL)
    others = participants(rt, 11, prefix="hurt")
    for i, pid in enumerate(others):
        earn(rt, pid, 1000 + 10 * i, days_ago=2)
    earn(rt, me, 50, days_ago=1)
    cid = contest(rt, prizes="100")
    listed = client.get("/api/v1/contests", headers=bearer(rt)).get_json()["contests"]
    assert [(c["id"], c["metric"], c["prizes"], c["closed"]) for c in listed] == [(cid, "points", [100], False)]
    board = client.get(f"/api/v1/contests/{cid}/leaderboard", headers=bearer(rt)).get_json()
    assert board["me"] == {"place": 12, "name": "", "value": "50", "prize": 0, "reward": "", "me": True}
    assert [p["place"] for p in board["top"]] == list(range(1, 11))
    assert board["top"][0]["value"] == "1100" and board["top"][0]["prize"] == 100
    assert all(p["name"].startswith("H*** #") and "Hurt" not in p["name"] for p in board["top"])
    missing = client.get("/api/v1/contests/999/leaderboard", headers=bearer(rt))
    assert missing.status_code == 404 and missing.get_json()["error"]["code"]
    assert client.get("/api/v1/contests", headers=bearer(rt, "partner.a@example.com")).status_code == 403


def test_a_contest_id_out_of_range_is_a_json_404(client, sqlite_runtime):  # noqa: F811
    answer = client.get("/api/v1/contests/99999999999999/leaderboard", headers=bearer(sqlite_runtime))
    assert answer.status_code == 404 and answer.get_json()["error"]["code"] == "unknown_contest"


def test_a_contest_for_another_region_is_neither_listed_nor_shown(client, sqlite_runtime):  # noqa: F811
    from claims.db.models import Participant
    from claims.services.contests import save_contest
    from tests.integration.rewards_helpers import reward
    from tests.integration.test_contests import contest

    rt = sqlite_runtime
    me = participant_id(rt, EMAIL)
    everyone = contest(rt, prizes="100")
    code = "ROWER-1"
    reward(rt, 900, stock=1, code=code, name="Rower")
    with transaction(rt.sessions) as session:
        region = save_contest(session, {"code": "K-POM", "title": "Pomorze", "metric": "points",
                                        "starts_on": "2026-01-01", "ends_on": "2027-12-31", "audience": "region",
                                        "audience_region": "pomorskie", "prizes": f"@{code}, 50"}).id
    listed = [c["id"] for c in client.get("/api/v1/contests", headers=bearer(rt)).get_json()["contests"]]
    assert everyone in listed and region not in listed
    hidden = client.get(f"/api/v1/contests/{region}/leaderboard", headers=bearer(rt))
    assert hidden.status_code == 404 and hidden.get_json()["error"]["code"] == "unknown_contest"
    with transaction(rt.sessions) as session:
        session.get(Participant, me).region = "pomorskie"
    shown = {c["id"]: c for c in client.get("/api/v1/contests", headers=bearer(rt)).get_json()["contests"]}
    assert (shown[region]["prizes"], shown[region]["rewards"]) == ([0, 50], ["Rower", ""])
    assert client.get(f"/api/v1/contests/{region}/leaderboard", headers=bearer(rt)).status_code == 200
