"""Orders on the real databases: points and stock move together, refunds happen once, bad input changes
nothing, and the races of the issue (on PostgreSQL) end exactly as many orders as there is room for."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from claims.db.engine import transaction
from claims.db.models import LedgerEntry, Participant, User
from claims.db.reward_models import PointBalance, Reward, RewardOrder
from claims.errors import ClaimsError, ConflictError, InvalidInputError, NotFoundError
from claims.ledger import InsufficientPointsError, balance
from claims.services.orders import OrderLine, OrderRules, cancel_order, move_order, place_order
from claims.services.rewards import reveal_codes
from tests.conftest import make_runtime
from tests.integration.helpers import seed, user
from tests.integration.rewards_helpers import add_codes, give_points, participant_id, reward

pytestmark = pytest.mark.integration
RULES = OrderRules(approval_points=0, tax_threshold_pln=Decimal("2000"))
EMAIL = "uczestnik@example.com"


def order(rt, email: str, lines: list[tuple[int, int]], address: str = "ul. Polna 1, Kraków",
          rules: OrderRules = RULES) -> int:
    pid = participant_id(rt, email)  # before the transaction: one pooled connection per thread
    with transaction(rt.sessions) as session:
        participant = session.get(Participant, pid)
        return place_order(session, participant, [OrderLine(r, q) for r, q in lines], address, rules).id


def stock(rt, reward_id: int) -> int | None:
    with rt.sessions() as session:
        return session.get(Reward, reward_id).stock


def test_an_order_takes_points_and_stock_and_a_cancel_gives_both_back_once(runtime):
    seed(runtime)
    pid = give_points(runtime, EMAIL, 500)
    kettle = reward(runtime, 200, stock=3)
    order_id = order(runtime, EMAIL, [(kettle, 2)])
    with runtime.sessions() as session:
        assert balance(session, pid) == 100 and session.get(PointBalance, pid).points == 100
        placed = session.get(RewardOrder, order_id)
        assert (placed.status, placed.points) == ("placed", 400)
    assert stock(runtime, kettle) == 1
    participant = user(runtime, EMAIL)
    with transaction(runtime.sessions) as session:
        cancel_order(session, order_id, participant, participant_id=pid)
    with pytest.raises(ConflictError) as again, transaction(runtime.sessions) as session:
        cancel_order(session, order_id, participant, participant_id=pid)
    assert again.value.code == "already_cancelled"
    with runtime.sessions() as session:
        assert balance(session, pid) == 500 and session.get(PointBalance, pid).points == 500
        kinds = session.scalars(select(LedgerEntry.kind).where(LedgerEntry.order_id == order_id)).all()
        assert sorted(kinds) == ["order_debit", "order_refund"]
    assert stock(runtime, kettle) == 3


@pytest.mark.parametrize("lines, code", [([(0, 1)], "unknown_reward"), ([("kettle", 0)], "bad_quantity"),
                                         ([("kettle", -2)], "bad_quantity"), ([("hidden", 1)], "unknown_reward")])
def test_bad_orders_are_refused_and_change_nothing(sqlite_runtime, lines, code):
    from claims.services.orders import parse_lines

    rt = sqlite_runtime
    seed(rt)
    pid = give_points(rt, EMAIL, 300)
    ids = {"kettle": reward(rt, 100, stock=5), "hidden": reward(rt, 100, stock=5, active="0")}
    raw = [{"reward_id": ids.get(r, r), "quantity": q} for r, q in lines]
    with pytest.raises(InvalidInputError) as refused, transaction(rt.sessions) as session:
        place_order(session, session.get(Participant, pid), parse_lines(raw), "ul. Polna 1", RULES)
    assert refused.value.code == code
    with rt.sessions() as session:
        assert balance(session, pid) == 300
        assert session.scalar(select(func.count()).select_from(RewardOrder)) == 0
    assert stock(rt, ids["kettle"]) == 5


def test_more_points_than_the_balance_is_insufficient_points_and_keeps_the_stock(sqlite_runtime):
    rt = sqlite_runtime
    seed(rt)
    give_points(rt, EMAIL, 150)
    drill = reward(rt, 100, stock=4)
    with pytest.raises(InsufficientPointsError):
        order(rt, EMAIL, [(drill, 2)])
    assert stock(rt, drill) == 4


def test_another_participants_order_is_not_found_and_a_physical_reward_needs_an_address(sqlite_runtime):
    rt = sqlite_runtime
    seed(rt)
    give_points(rt, EMAIL, 300)
    give_points(rt, "drugi@example.com", 300)
    lamp = reward(rt, 100)
    order_id = order(rt, EMAIL, [(lamp, 1)])
    with pytest.raises(NotFoundError), transaction(rt.sessions) as session:
        cancel_order(session, order_id, user(rt, "drugi@example.com"),
                     participant_id=participant_id(rt, "drugi@example.com"))
    with pytest.raises(InvalidInputError) as refused:
        order(rt, "drugi@example.com", [(lamp, 1)], address="  ")
    assert refused.value.code == "address_required"


def test_a_code_is_taken_from_the_pool_shown_once_and_the_order_is_delivered(sqlite_runtime):
    rt = sqlite_runtime
    seed(rt)
    give_points(rt, EMAIL, 300)
    voucher = reward(rt, 100, delivery="code")
    assert add_codes(rt, voucher, ["KOD-AAAA-1111", "KOD-BBBB-2222", "KOD-AAAA-1111"]) == 2
    assert stock(rt, voucher) == 2
    order_id = order(rt, EMAIL, [(voucher, 1)], address="")
    with transaction(rt.sessions) as session:
        placed = session.get(RewardOrder, order_id)
        assert placed.status == "delivered"
        first = reveal_codes(session, [i.id for i in placed.items])
    with transaction(rt.sessions) as session:
        second = reveal_codes(session, [i.id for i in session.get(RewardOrder, order_id).items])
    assert first[0][1] == "KOD-AAAA-1111" and first[0][2] is True
    assert second[0][1].endswith("1111") and "KOD" not in second[0][1] and second[0][2] is False
    assert stock(rt, voucher) == 1


def test_big_orders_wait_for_an_auditor_and_sending_needs_tracking(sqlite_runtime):
    rt = sqlite_runtime
    seed(rt)
    give_points(rt, EMAIL, 1000)
    tv = reward(rt, 800)
    order_id = order(rt, EMAIL, [(tv, 1)], rules=OrderRules(approval_points=500))
    admin, auditor = user(rt, "admin@example.com"), user(rt, "audytor@example.com")
    with pytest.raises(ConflictError) as refused, transaction(rt.sessions) as session:
        move_order(session, order_id, admin, "approved")
    assert refused.value.code == "auditor_approval_needed"
    with transaction(rt.sessions) as session:
        move_order(session, order_id, auditor, "approved")
    with pytest.raises(InvalidInputError), transaction(rt.sessions) as session:
        move_order(session, order_id, admin, "sent")
    with transaction(rt.sessions) as session:
        move_order(session, order_id, admin, "sent", tracking="INPOST123")
        move_order(session, order_id, admin, "delivered")
    with pytest.raises(ClaimsError), transaction(rt.sessions) as session:
        cancel_order(session, order_id, admin)
    with rt.sessions() as session:
        assert session.get(RewardOrder, order_id).status == "delivered"


def test_a_limit_per_participant_counts_earlier_orders(sqlite_runtime):
    rt = sqlite_runtime
    seed(rt)
    give_points(rt, EMAIL, 1000)
    mug = reward(rt, 50, limit_per_participant="2")
    order(rt, EMAIL, [(mug, 2)])
    with pytest.raises(ConflictError) as refused:
        order(rt, EMAIL, [(mug, 1)])
    assert refused.value.code == "limit_reached"


# ---- races on PostgreSQL ------------------------------------------------------------------------------


@pytest.fixture
def pg(postgres_url, tmp_path):
    rt = make_runtime(tmp_path, postgres_url, "db://")
    seed(rt)
    yield rt
    rt.close()


def race(count: int, work) -> list[object]:
    """Run `work(i)` in `count` threads released together; returns each result or exception."""
    results: list[object] = [None] * count
    gate = threading.Barrier(count)

    def run(i: int) -> None:
        gate.wait()
        try:
            results[i] = work(i)
        except Exception as exc:  # noqa: BLE001 — the test counts outcomes
            results[i] = exc
    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_fifty_concurrent_orders_over_the_balance_only_the_affordable_ones_pass(pg):
    pid = give_points(pg, EMAIL, 1000)
    pen = reward(pg, 70)
    results = race(50, lambda i: order(pg, EMAIL, [(pen, 1)]))
    placed = [r for r in results if isinstance(r, int)]
    assert len(placed) == 1000 // 70
    assert all(isinstance(r, InsufficientPointsError) for r in results if not isinstance(r, int))
    with pg.sessions() as session:
        assert balance(session, pid) == 1000 - 70 * len(placed) >= 0
        assert session.get(PointBalance, pid).points == balance(session, pid)


def test_thirty_participants_race_for_the_last_five_items(pg):
    emails = [f"racer{i}@example.com" for i in range(30)]
    with transaction(pg.sessions) as session:
        for email in emails:
            person = User(email=email, name=email, password_hash="x", role="participant")
            session.add(Participant(user=person, company_name="Firma"))
    for email in emails:
        give_points(pg, email, 500)
    last = reward(pg, 100, stock=5)
    results = race(30, lambda i: order(pg, emails[i], [(last, 1)]))
    assert len([r for r in results if isinstance(r, int)]) == 5
    assert {getattr(r, "code", None) for r in results if not isinstance(r, int)} == {"out_of_stock"}
    assert stock(pg, last) == 0
    with pg.sessions() as session:
        assert session.scalar(select(func.count()).select_from(RewardOrder)) == 5
        debited = session.scalar(select(func.count()).where(LedgerEntry.kind == "order_debit"))
        assert debited == 5


def test_an_order_cancelled_twice_at_once_is_refunded_once(pg):
    pid = give_points(pg, EMAIL, 300)
    chair = reward(pg, 250, stock=1)
    order_id = order(pg, EMAIL, [(chair, 1)])
    participant = user(pg, EMAIL)

    def cancel(_):
        with transaction(pg.sessions) as session:
            return cancel_order(session, order_id, participant, participant_id=pid).status
    results = race(2, cancel)
    assert results.count("cancelled") == 1
    with pg.sessions() as session:
        assert balance(session, pid) == 300 and session.get(PointBalance, pid).points == 300
        refunds = session.scalar(select(func.count()).where(LedgerEntry.kind == "order_refund"))
        assert refunds == 1
    assert stock(pg, chair) == 1


def test_staff_cancelling_a_shown_code_keeps_it_spent_and_the_stock_true(sqlite_runtime):
    rt = sqlite_runtime
    seed(rt)
    pid = give_points(rt, EMAIL, 1000)
    voucher = reward(rt, 100, delivery="code")
    add_codes(rt, voucher, ["K-1", "K-2", "K-3"])
    order_id = order(rt, EMAIL, [(voucher, 2)], address="", rules=OrderRules(approval_points=150))
    auditor = user(rt, "audytor@example.com")
    with transaction(rt.sessions) as session:
        move_order(session, order_id, auditor, "approved")
        items = [i.id for i in session.get(RewardOrder, order_id).items]
        shown = reveal_codes(session, items)
    assert len(shown) == 2 and stock(rt, voucher) == 1
    with transaction(rt.sessions) as session:
        cancel_order(session, order_id, auditor)
    assert stock(rt, voucher) == 1  # both codes were shown: none goes back to the pool
    with rt.sessions() as session:
        assert balance(session, pid) == 1000


def test_ten_retries_with_one_idempotency_key_at_once_place_one_order(pg):
    from claims.services.accounts import issue_api_token
    from paragon.web import create_app

    class NoQueue:
        def enqueue_processing(self, claim_id: str):
            return object()

    pid = give_points(pg, EMAIL, 1000)
    lamp = reward(pg, 100)
    with transaction(pg.sessions) as session:
        headers = {"Authorization": f"Bearer {issue_api_token(session, user(pg, EMAIL))}", "Idempotency-Key": "raz"}
    app = create_app(pg, NoQueue())
    body = {"items": [{"reward_id": lamp, "quantity": 1}], "delivery": {"address": "ul. Polna 1"}}
    answers = race(10, lambda i: app.test_client().post("/api/v1/orders", headers=headers, json=body))
    assert {a.status_code for a in answers} == {201}
    assert len({a.get_json()["id"] for a in answers}) == 1
    with pg.sessions() as session:
        assert session.scalar(select(func.count()).select_from(RewardOrder)) == 1
        assert balance(session, pid) == 900
