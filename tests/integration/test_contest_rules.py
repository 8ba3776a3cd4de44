"""Contest rules beyond points, on the real databases: the quantity of given products, audiences (a region, a
partner's customers: only they are ranked and see the contest), the admin's tie-breaks (who reached the score
first, then more approved claims, then the lower id; or claims first), and reward prizes given once per place
as an order, even with two end runs at once on PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from claims.db.activity_models import ContestResult
from claims.db.engine import transaction
from claims.db.models import Claim, LedgerEntry, Participant, Product
from claims.db.reward_models import Reward, RewardOrder
from claims.errors import InvalidInputError
from claims.ledger import balance, post
from claims.services.contest_audience import contests_for
from claims.services.contests import close_contest, get_contest, leaderboard, own_standing, ranked, save_contest
from claims.services.review import decide_claim
from tests.conftest import make_runtime
from tests.integration.activity_helpers import participants, race
from tests.integration.helpers import pending_claim, seed, user
from tests.integration.rewards_helpers import participant_id, reward

pytestmark = pytest.mark.integration
TODAY = datetime.now(UTC).date()
ME = "uczestnik@example.com"


def contest(rt, **extra) -> int:
    raw = {"code": f"K-{uuid.uuid4().hex[:6]}", "title": "Konkurs", "metric": "points",
           "starts_on": (TODAY - timedelta(days=20)).isoformat(), "ends_on": (TODAY + timedelta(days=5)).isoformat(),
           "prizes": "500, 200", **extra}
    with transaction(rt.sessions) as session:
        return save_contest(session, raw).id


def board(rt, contest_id: int) -> list[tuple[int, int, Decimal]]:
    with rt.sessions() as session:
        return [(s.place, s.participant_id, s.value) for s in leaderboard(session, get_contest(session, contest_id))]


def aggregate(rt, contest_id: int) -> list[tuple[int, int, Decimal]]:
    with rt.sessions() as session:
        return [(int(p), pid, Decimal(v)) for p, pid, v, _ in session.execute(ranked(get_contest(session, contest_id)))]


def earn_at(rt, pid: int, points: int, when: datetime) -> None:
    with transaction(rt.sessions) as session:
        post(session, LedgerEntry(participant_id=pid, kind="training", points=points, created_at=when,
                                  cause=f"test:{uuid.uuid4().hex}"))


def approve(rt, points: int = 0, outlet: str = "PA-1", items: list | None = None) -> str:
    """An approved claim of uczestnik@ (its lines matched to the given (sku, quantity) items)."""
    claim_id = pending_claim(rt, outlet_code=outlet, points=points)
    with transaction(rt.sessions) as session:
        claim = session.get(Claim, claim_id)
        if items:
            ids = dict(session.execute(select(Product.sku, Product.id)).all())
            claim.fields = {**claim.fields, "items": [{"name": f"Towar {sku}", "qty": str(q)} for sku, q in items]}
            claim.lines = [{"item": f"Towar {sku}", "product_id": ids[sku], "eligible": True, "points": 0}
                           for sku, _ in items]
        reviewer = user(rt, "partner.a@example.com" if outlet == "PA-1" else "partner.b@example.com")
        decide_claim(session, reviewer, claim_id, "approve", "")
    return claim_id


def skus(rt) -> list[str]:
    with rt.sessions() as session:
        return list(session.scalars(select(Product.sku).order_by(Product.id).limit(3)))


def test_the_quantity_of_given_products_counts_units_on_approved_matched_lines(runtime):
    seed(runtime)
    first, second, other = skus(runtime)
    cid = contest(runtime, metric="product_quantity", skus=f"{first}, {second}")
    me = participant_id(runtime, ME)
    approve(runtime, items=[(first, 3), (other, 50)])
    approve(runtime, items=[(second, 2)])
    pending_claim(runtime, points=10)  # not approved: not counted
    assert board(runtime, cid) == [(1, me, Decimal(5))]
    assert aggregate(runtime, cid) == [(1, me, Decimal(5))]
    with transaction(runtime.sessions) as session:
        assert close_contest(session, cid, force=True) == 1
    assert board(runtime, cid) == [(1, me, Decimal(5))]
    with pytest.raises(InvalidInputError) as refused:
        contest(runtime, metric="product_quantity", skus="NIE-MA-TAKIEGO")
    assert refused.value.code == "bad_skus"


def test_a_region_contest_ranks_and_shows_only_its_region(runtime):
    seed(runtime)
    north, south = participants(runtime, 2)
    with transaction(runtime.sessions) as session:
        session.get(Participant, north).region = "pomorskie"
        session.get(Participant, south).region = "małopolskie"
    cid = contest(runtime, audience="region", audience_region="pomorskie")
    everyone = contest(runtime)
    now = datetime.now(UTC)
    earn_at(runtime, north, 100, now)
    earn_at(runtime, south, 900, now)
    assert board(runtime, cid) == [(1, north, Decimal(100))] == aggregate(runtime, cid)
    assert [pid for _, pid, _ in board(runtime, everyone)] == [south, north]
    with runtime.sessions() as session:
        assert {c.id for c in contests_for(session, north)} >= {cid, everyone}
        assert cid not in {c.id for c in contests_for(session, south)}


def test_a_partner_contest_ranks_only_its_customers_with_their_whole_period(runtime):
    seed(runtime)
    me = participant_id(runtime, ME)
    (stranger,) = participants(runtime, 1)
    cid = contest(runtime, audience="partner", audience_partner="PA")
    earn_at(runtime, me, 300, datetime.now(UTC) - timedelta(days=2))  # before being PA's customer
    earn_at(runtime, stranger, 900, datetime.now(UTC))
    assert board(runtime, cid) == []
    with runtime.sessions() as session:
        assert cid not in {c.id for c in contests_for(session, me)}
    approve(runtime, points=50, outlet="PB-1")  # a customer of B: still not in A's contest
    assert board(runtime, cid) == []
    approve(runtime, points=40, outlet="PA-1")  # now A's customer: the whole period counts
    assert board(runtime, cid) == [(1, me, Decimal(390))] == aggregate(runtime, cid)
    with runtime.sessions() as session:
        assert cid in {c.id for c in contests_for(session, me)}
    with pytest.raises(InvalidInputError) as refused:
        contest(runtime, audience="partner", audience_partner="NIEZNANY")
    assert refused.value.code == "bad_audience"


@pytest.mark.parametrize("tie_break, expected", [("reached", "abcd"), ("claims", "bacd")])
def test_ties_go_by_the_admins_tie_break_then_the_lower_id(runtime, tie_break, expected):
    """All four score 300. a reached it first; b, c and d at the same moment, b with one approved claim;
    c's id is lower than d's. "reached": a, b (more claims), c, d (lower id first). "claims": b, a, c, d."""
    seed(runtime)
    a, c, d = participants(runtime, 3)
    b = participant_id(runtime, ME)
    cid = contest(runtime, tie_break=tie_break)
    first, later = datetime.now(UTC) - timedelta(days=3), datetime.now(UTC) - timedelta(days=1)
    earn_at(runtime, a, 300, first)
    for pid in (b, c, d):
        earn_at(runtime, pid, 300, later)
    approve(runtime, points=0)  # b's approved claim: no points, one more claim
    names = {a: "a", b: "b", c: "c", d: "d"}
    live = board(runtime, cid)
    assert "".join(names[pid] for _, pid, _ in live) == expected
    assert live == aggregate(runtime, cid)
    with runtime.sessions() as session:
        assert [own_standing(session, get_contest(session, cid), pid).place for _, pid, _ in live] == [1, 2, 3, 4]
    with transaction(runtime.sessions) as session:
        close_contest(session, cid, force=True)
    assert board(runtime, cid) == live


def test_a_reward_out_of_stock_gives_its_points_instead(sqlite_runtime):
    rt = sqlite_runtime
    seed(rt)
    (winner,) = participants(rt, 1)
    code = f"R-{uuid.uuid4().hex[:6]}"
    reward(rt, 250, stock=0, code=code)
    earn_at(rt, winner, 10, datetime.now(UTC))
    cid = contest(rt, prizes=f"@{code}")
    with transaction(rt.sessions) as session:
        close_contest(session, cid, force=True)
    with rt.sessions() as session:
        assert balance(session, winner) == 260
        result = session.scalar(select(ContestResult).where(ContestResult.contest_id == cid))
        assert (result.prize_points, result.prize_order_id) == (250, None)


def test_two_end_runs_at_once_give_a_reward_prize_once_on_postgresql(postgres_url, tmp_path):
    rt = make_runtime(tmp_path, postgres_url, "db://")
    try:
        seed(rt)
        first, second = participants(rt, 2)
        code = f"R-{uuid.uuid4().hex[:6]}"
        reward_id = reward(rt, 400, stock=5, code=code)
        earn_at(rt, first, 90, datetime.now(UTC) - timedelta(days=2))
        earn_at(rt, second, 50, datetime.now(UTC) - timedelta(days=2))
        cid = contest(rt, prizes=f"@{code}, 100")

        def close(_: int) -> int:
            with transaction(rt.sessions) as session:
                return close_contest(session, cid, force=True)
        assert sorted(race(4, close)) == [0, 0, 0, 2]
        assert sorted(close(0) for _ in range(2)) == [0, 0]
        with rt.sessions() as session:
            orders = session.scalars(select(RewardOrder).where(RewardOrder.participant_id == first)).all()
            assert [(o.cause, o.points, o.status) for o in orders] == [(f"contest:{cid}:place:1", 400, "placed")]
            assert session.get(Reward, reward_id).stock == 4
            kinds = session.execute(select(LedgerEntry.kind, LedgerEntry.points).where(
                LedgerEntry.participant_id == first).order_by(LedgerEntry.id)).all()
            assert kinds == [("training", 90), ("contest_prize", 400), ("order_debit", -400)]
            assert balance(session, first) == 90 and balance(session, second) == 150
            results = dict(session.execute(select(ContestResult.place, ContestResult.prize_order_id)
                                           .where(ContestResult.contest_id == cid)).all())
            assert results == {1: orders[0].id, 2: None}
            assert session.scalar(select(func.count()).select_from(LedgerEntry).where(
                LedgerEntry.kind == "contest_prize")) == 2
            standing = own_standing(session, get_contest(session, cid), first)
            assert (standing.place, standing.reward) == (1, session.get(Reward, reward_id).name)
    finally:
        rt.close()


def test_a_cancelled_prize_order_refunds_the_prizes_points(sqlite_runtime):
    from claims.services.orders import cancel_order

    rt = sqlite_runtime
    seed(rt)
    (winner,) = participants(rt, 1)
    code = f"R-{uuid.uuid4().hex[:6]}"
    reward(rt, 300, stock=1, code=code)
    earn_at(rt, winner, 20, datetime.now(UTC))
    cid = contest(rt, prizes=f"@{code}")
    with transaction(rt.sessions) as session:
        close_contest(session, cid, force=True)
        order_id = session.scalar(select(ContestResult.prize_order_id).where(ContestResult.contest_id == cid))
    with rt.sessions() as session:
        assert balance(session, winner) == 20 and order_id is not None
    with transaction(rt.sessions) as session:
        cancel_order(session, order_id, user(rt, "admin@example.com"), note="brak w magazynie")
    with rt.sessions() as session:
        assert balance(session, winner) == 320  # the prize's worth in points, once
        assert session.get(Reward, session.get(RewardOrder, order_id).items[0].reward_id).stock == 1
