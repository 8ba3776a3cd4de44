"""Tiers from the ledger: points earned in the last 12 months decide the level (spending does not lower it,
points older than a year do), the ladder is checked when saved, and the API tells the caller their level."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from claims.db.engine import transaction
from claims.db.models import LedgerEntry
from claims.errors import InvalidInputError
from claims.ledger import adjust_points, post
from claims.services.tiers import parse_ladder, save_ladder, tier_status
from tests.integration.helpers import seed, user
from tests.integration.rewards_helpers import participant_id

pytestmark = pytest.mark.integration
EMAIL = "uczestnik@example.com"
LADDER = "Brązowy; 0; 1\nZłoty; 3000; 1,5\nSrebrny; 1000; 1.2"


def earn(rt, pid: int, points: int, days_ago: int, kind: str = "training") -> None:
    when = datetime.now(UTC) - timedelta(days=days_ago)
    with transaction(rt.sessions) as session:
        post(session, LedgerEntry(participant_id=pid, kind=kind, points=points, created_at=when,
                                  cause=f"test:{pid}:{kind}:{points}:{days_ago}"))


def test_the_level_counts_points_of_the_last_twelve_months_only(runtime):
    seed(runtime)
    pid = participant_id(runtime, EMAIL)
    with transaction(runtime.sessions) as session:
        names = [t.name for t in save_ladder(session, parse_ladder(LADDER))]
        assert names == ["Brązowy", "Srebrny", "Złoty"]
    earn(runtime, pid, 5000, days_ago=400)  # a year and more ago: counts no more
    earn(runtime, pid, 800, days_ago=200)
    earn(runtime, pid, 300, days_ago=1, kind="credit")
    admin = user(runtime, "admin@example.com")
    with transaction(runtime.sessions) as session:
        adjust_points(session, pid, -600, "spent at a fair", admin, "spend-1")  # spending never lowers a level
        status = tier_status(session, pid)
    assert (status.earned, status.tier.name, status.next_tier.name, status.missing) == (1100, "Srebrny", "Złoty",
                                                                                          1900)
    assert status.multiplier == Decimal("1.20")
    with runtime.sessions() as session:
        later = tier_status(session, pid, now=datetime.now(UTC) + timedelta(days=170))
    assert (later.earned, later.tier.name, later.missing) == (300, "Brązowy", 700)  # demoted: 800 left the window


@pytest.mark.parametrize("ladder", ["Brązowy; 10; 1", "A; 0; 1\nB; 0; 2", "A; 0; 2\nB; 100; 1", "A; 0; 0,5",
                                    "A; x; 1", "A; 0; 1\nA; 10; 2", ""])
def test_a_bad_ladder_is_refused(ladder):
    with pytest.raises(InvalidInputError) as refused:
        parse_ladder(ladder)
    assert refused.value.code == "bad_tier"
