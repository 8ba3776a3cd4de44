"""Points expiry: the rule, oldest points spent first, `paragon expire` twice (and twice at once) expires
once, the 30-day warning is recorded once; tax data and the rewards report from real orders."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from claims.db.engine import transaction
from claims.db.models import LedgerEntry, Participant
from claims.db.reward_models import ExpiryNotice, PointBalance
from claims.ledger import balance, debit_order, post
from claims.services.expiry import ExpiryRule, expiring, run_expiry
from claims.services.orders import OrderLine, OrderRules, place_order
from claims.services.reward_reports import rewards_report, tax_csv, tax_rows
from tests.conftest import make_runtime
from tests.integration.helpers import seed
from tests.integration.rewards_helpers import give_points, participant_id, reward

pytestmark = pytest.mark.integration
EMAIL = "uczestnik@example.com"
RULE = ExpiryRule.parse("12m")


def earned_in(rt, pid: int, year: int, points: int) -> None:
    """A bonus dated in `year` (the ledger is append-only, so the date is set as the entry is written)."""
    with transaction(rt.sessions) as session:
        post(session, LedgerEntry(participant_id=pid, kind="adjustment", points=points, reason="test",
                                  cause=f"test:{pid}:{year}:{points}",
                                  created_at=datetime(year, 6, 1, tzinfo=UTC)))


def test_the_rule_reads_months_a_date_or_never():
    assert RULE.expires_on(2025) == date(2027, 1, 1)
    assert ExpiryRule.parse("3m").expires_on(2025) == date(2026, 4, 1)
    assert ExpiryRule.parse("2027-06-30").expires_on(2025) == date(2027, 6, 30)
    assert not ExpiryRule.parse("never").active


def test_spending_takes_the_oldest_points_and_expire_twice_expires_once(runtime):
    seed(runtime)
    pid = participant_id(runtime, EMAIL)
    earned_in(runtime, pid, 2024, 300)
    earned_in(runtime, pid, 2025, 200)
    with transaction(runtime.sessions) as session:
        debit_order_stub(session, pid, 120)
    with runtime.sessions() as session:
        upcoming = expiring(session, RULE, pid, today=date(2025, 12, 10))
    assert [(e.points, e.on) for e in upcoming] == [(180, date(2026, 1, 1)), (200, date(2027, 1, 1))]
    for _ in range(2):
        with transaction(runtime.sessions) as session:
            run_expiry(session, RULE, today=date(2026, 1, 2))
    with runtime.sessions() as session:
        expiries = session.scalars(select(LedgerEntry.points).where(LedgerEntry.kind == "expiry")).all()
        assert expiries == [-180]
        assert balance(session, pid) == 200 == session.get(PointBalance, pid).points
        assert [(e.points, e.on) for e in expiring(session, RULE, pid, today=date(2026, 1, 2))] == [
            (200, date(2027, 1, 1))]


def debit_order_stub(session, pid: int, points: int) -> None:
    """Points that left the balance by an order (the order row itself is not what this test is about)."""
    from claims.db.reward_models import RewardOrder

    order = RewardOrder(participant_id=pid, points=points)
    session.add(order)
    session.flush()
    debit_order(session, pid, order.id, points)


def test_the_warning_goes_once_thirty_days_before(sqlite_runtime):
    rt = sqlite_runtime
    seed(rt)
    pid = participant_id(rt, EMAIL)
    earned_in(rt, pid, 2024, 90)
    for day in (date(2025, 12, 1), date(2025, 12, 5), date(2025, 12, 20)):
        with transaction(rt.sessions) as session:
            run_expiry(session, RULE, today=day)
    with rt.sessions() as session:
        notices = session.execute(select(ExpiryNotice.expires_on, ExpiryNotice.points)).all()
    assert notices == [(date(2026, 1, 1), 90)]  # none on Dec 1 (31 days before), one afterwards


def test_expire_run_twice_at_once_on_postgresql_expires_once(postgres_url, tmp_path):
    rt = make_runtime(tmp_path, postgres_url, "db://")
    try:
        seed(rt)
        pid = participant_id(rt, EMAIL)
        earned_in(rt, pid, 2024, 500)
        gate, errors = threading.Barrier(2), []

        def run():
            gate.wait()
            try:
                with transaction(rt.sessions) as session:
                    run_expiry(session, RULE, today=date(2026, 2, 1))
            except Exception as exc:  # noqa: BLE001
                errors.append(exc)
        threads = [threading.Thread(target=run) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        with rt.sessions() as session:
            assert session.scalar(select(func.count()).where(LedgerEntry.kind == "expiry")) == 1
            assert balance(session, pid) == 0 == session.get(PointBalance, pid).points
    finally:
        rt.close()


def test_tax_data_and_the_rewards_report_come_from_the_orders(sqlite_runtime):
    rt = sqlite_runtime
    seed(rt)
    pid = give_points(rt, EMAIL, 5000)
    give_points(rt, "drugi@example.com", 100)
    tv = reward(rt, 2500, stock=6, value_pln="1500.00", name="Telewizor")
    with transaction(rt.sessions) as session:
        participant = session.get(Participant, pid)
        place_order(session, participant, [OrderLine(tv, 1)], "ul. Polna 1", OrderRules())
    year = datetime.now(UTC).year
    with rt.sessions() as session:
        rows = tax_rows(session, year, Decimal("1000"))
        report = rewards_report(session)
        text = tax_csv(session, year)
    assert [(r.participant_id, r.value_pln, r.over_threshold) for r in rows] == [(pid, Decimal("1500.00"), True)]
    assert "1500.00" in text.splitlines()[1]
    assert report.most_ordered == [("Telewizor", 1)] and report.redeemed == 2500
    assert report.outstanding == 5100 - 2500 and report.low_stock == [("Telewizor", 5)]
    assert report.outstanding_pln == Decimal("1560.00")  # 1500 PLN / 2500 points = 0.60 PLN a point
