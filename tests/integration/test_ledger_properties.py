"""Property: whatever reviewers, auditors and participants do, in any order, points stay exact."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from claims.db.engine import transaction
from claims.db.models import Claim, LedgerEntry
from claims.errors import ClaimsError
from claims.ledger import balance
from claims.services.accounts import participant_of
from claims.services.review import appeal_claim, decide_claim, reverse_claim
from tests.integration.helpers import pending_claim, seed, user

pytestmark = pytest.mark.integration

ACTIONS = st.lists(st.tuples(st.sampled_from(["approve", "reject", "reverse", "appeal", "auditor_approve"]),
                             st.integers(min_value=0, max_value=2)), min_size=1, max_size=12)


def _act(rt, action: str, claim_id: str) -> None:
    partner, auditor = user(rt, "partner.a@example.com"), user(rt, "audytor@example.com")
    with transaction(rt.sessions) as session:
        if action == "approve":
            decide_claim(session, partner, claim_id, "approve", "")
        elif action == "reject":
            decide_claim(session, partner, claim_id, "reject", "not_our_sale")
        elif action == "reverse":
            reverse_claim(session, auditor, claim_id, "kontrola")
        elif action == "appeal":
            appeal_claim(session, user(rt, "uczestnik@example.com"), claim_id, "to był nasz zakup")
        else:
            decide_claim(session, auditor, claim_id, "approve", "")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(actions=ACTIONS)
def test_balance_is_the_sum_of_entries_and_no_claim_counts_twice(sqlite_runtime, actions):
    rt = sqlite_runtime
    if user(rt, "uczestnik@example.com") is None:
        seed(rt)
    claims = [pending_claim(rt, points=points) for points in (10, 20, 40)]
    for action, index in actions:
        try:
            _act(rt, action, claims[index])
        except ClaimsError:
            pass  # an illegal move for the claim's state: refused, nothing changes
    with rt.sessions() as session:
        participant = participant_of(session, user(rt, "uczestnik@example.com")).id
        entries = session.execute(select(LedgerEntry.claim_id, LedgerEntry.kind, LedgerEntry.points)).all()
        assert balance(session, participant) == sum(p for _, _, p in entries)
        for claim_id in claims:
            mine = [(kind, points) for cid, kind, points in entries if cid == claim_id]
            status = session.get(Claim, claim_id).status
            credits = [p for kind, p in mine if kind == "credit"]
            reversals = [p for kind, p in mine if kind == "reversal"]
            assert len(credits) <= 1 and len(reversals) <= 1
            expected = {"approved": (1, 0), "reversed": (1, 1)}.get(status, (0, 0))
            assert (len(credits), len(reversals)) == expected
            assert sum(points for _, points in mine) == (credits[0] if status == "approved" else 0)
        assert session.scalar(select(func.count()).select_from(LedgerEntry)) == len(entries)
