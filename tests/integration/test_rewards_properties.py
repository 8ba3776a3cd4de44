"""Property: whatever mix of claim credits, reversals, orders, cancels, adjustments and expiry runs happens,
the balance is the ledger's sum, the locked balance row agrees with it, and it is never negative."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from claims.db.engine import transaction
from claims.db.models import LedgerEntry, Participant
from claims.db.reward_models import PointBalance, RewardOrder
from claims.errors import ClaimsError
from claims.ledger import adjust_points, balance
from claims.services.expiry import ExpiryRule, run_expiry
from claims.services.orders import OrderLine, OrderRules, cancel_order, place_order
from claims.services.review import decide_claim, reverse_claim
from tests.integration.helpers import pending_claim, seed, user
from tests.integration.rewards_helpers import participant_id, reward

pytestmark = pytest.mark.integration
EMAIL = "uczestnik@example.com"
STEPS = st.lists(st.tuples(st.sampled_from(["credit", "reverse", "order", "cancel", "adjust", "expire"]),
                           st.integers(min_value=0, max_value=2), st.integers(min_value=-150, max_value=150)),
                 min_size=1, max_size=14)


def _step(rt, kind: str, index: int, amount: int, claims: list[str], rewards: list[int]) -> None:
    admin, auditor = user(rt, "admin@example.com"), user(rt, "audytor@example.com")
    pid = participant_id(rt, EMAIL)
    with transaction(rt.sessions) as session:
        if kind == "credit":
            decide_claim(session, user(rt, "partner.a@example.com"), claims[index], "approve", "")
        elif kind == "reverse":
            reverse_claim(session, auditor, claims[index], "kontrola")
        elif kind == "order":
            place_order(session, session.get(Participant, pid), [OrderLine(rewards[index], 1)], "ul. Polna 1",
                        OrderRules())
        elif kind == "cancel":
            last = session.scalar(select(RewardOrder.id).order_by(RewardOrder.id.desc()).offset(index).limit(1))
            if last is not None:
                cancel_order(session, last, admin)
        elif kind == "adjust":
            adjust_points(session, pid, amount, "korekta", admin, uuid.uuid4().hex)
        else:
            run_expiry(session, ExpiryRule(on=datetime.now(UTC).date()))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=STEPS)
def test_balance_is_the_ledger_sum_and_never_negative(sqlite_runtime, steps):
    rt = sqlite_runtime
    if user(rt, EMAIL) is None:
        seed(rt)
    claims = [pending_claim(rt, points=points) for points in (60, 120, 200)]
    rewards = [reward(rt, points, stock=2) for points in (40, 90, 150)]
    for kind, index, amount in steps:
        try:
            _step(rt, kind, index, amount, claims, rewards)
        except ClaimsError:
            pass  # refused (not enough points, nothing to reverse, already cancelled...): nothing changed
    pid = participant_id(rt, EMAIL)
    with rt.sessions() as session:
        total = session.scalar(select(func.coalesce(func.sum(LedgerEntry.points), 0))
                               .where(LedgerEntry.participant_id == pid))
        row = session.get(PointBalance, pid)
        assert balance(session, pid) == total >= 0
        assert row is None or row.points == total
        refunds = session.scalars(select(LedgerEntry.order_id).where(LedgerEntry.kind == "order_refund")).all()
        assert len(refunds) == len(set(refunds))
