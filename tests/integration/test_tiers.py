"""Tiers from the ledger: points earned in the last 12 months decide the level (spending does not lower it,
points older than a year do), the ladder is checked when saved, and the API tells the caller their level."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from claims.db.engine import transaction
from claims.db.models import LedgerEntry
from claims.errors import ConflictError, InvalidInputError
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


def test_a_claim_credit_is_multiplied_by_the_tier_at_approval_and_its_reversal_takes_back_as_much(runtime):
    from claims.db.models import Claim
    from claims.ledger import balance
    from claims.services.review import decide_claim, reverse_claim
    from tests.integration.helpers import pending_claim

    seed(runtime)
    pid = participant_id(runtime, EMAIL)
    first = pending_claim(runtime, points=100)
    with transaction(runtime.sessions) as session:
        save_ladder(session, parse_ladder(LADDER))
    earn(runtime, pid, 1000, days_ago=30)  # Srebrny, x1.2
    partner, admin = user(runtime, "partner.a@example.com"), user(runtime, "admin@example.com")
    with transaction(runtime.sessions) as session:
        decide_claim(session, partner, first, "approve", "")
    with runtime.sessions() as session:
        credit = session.query(LedgerEntry).filter_by(claim_id=first, kind="credit").one()
        assert (credit.points, credit.tier_multiplier, credit.tier_name) == (120, Decimal("1.20"), "Srebrny")
        assert session.get(Claim, first).points_proposed == 100  # the claim keeps its own points
    with pytest.raises(ConflictError), transaction(runtime.sessions) as session:  # approved once only
        decide_claim(session, partner, first, "approve", "")
    with transaction(runtime.sessions) as session:
        reverse_claim(session, admin, first, "zwrot")
    with runtime.sessions() as session:
        reversal = session.query(LedgerEntry).filter_by(claim_id=first, kind="reversal").one()
        assert reversal.points == -120 and balance(session, pid) == 1000


def test_without_a_ladder_a_claim_credit_is_not_multiplied(runtime):
    from claims.services.review import decide_claim
    from tests.integration.helpers import pending_claim

    seed(runtime)
    claim_id = pending_claim(runtime, points=77)
    with transaction(runtime.sessions) as session:
        decide_claim(session, user(runtime, "partner.a@example.com"), claim_id, "approve", "")
    with runtime.sessions() as session:
        credit = session.query(LedgerEntry).filter_by(claim_id=claim_id, kind="credit").one()
        assert (credit.points, credit.tier_multiplier, credit.tier_name) == (77, None, None)
