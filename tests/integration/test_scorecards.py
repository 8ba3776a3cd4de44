"""Partner scorecards on the real databases: SLA (median, p90, share within 48 h), volume, approval and overturn
rates, participants brought in (first approved claim at the partner's outlets, in the period), and the
"fastest fair reviewer" contest that ranks only partners within the fairness bounds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from claims.db.engine import transaction
from claims.db.models import Claim, Partner
from claims.services.reports import ReportFilter
from claims.services.review import decide_claim, reverse_claim
from claims.services.scorecards import FairRules, fair_reviewers, scorecards
from tests.integration.helpers import pending_claim, seed, user

pytestmark = pytest.mark.integration
SECOND = "drugi@example.com"


def decided(rt, outlet: str, action: str, hours: float, email: str = "uczestnik@example.com") -> str:
    """A claim at `outlet` decided by its partner `hours` after it was submitted."""
    claim_id = pending_claim(rt, outlet_code=outlet, points=10, email=email)
    reviewer = user(rt, "partner.a@example.com" if outlet == "PA-1" else "partner.b@example.com")
    with transaction(rt.sessions) as session:
        session.get(Claim, claim_id).submitted_at = datetime.now(UTC) - timedelta(hours=hours)
        decide_claim(session, reviewer, claim_id, action, "" if action == "approve" else "not_our_sale")
    return claim_id


def cards(rt, **extra) -> dict:
    with rt.sessions() as session:
        return {c.code: c for c in scorecards(session, ReportFilter(since=datetime.now(UTC) - timedelta(days=30),
                                                                       **extra))}


def test_the_scorecard_counts_each_partners_sla_rates_and_participants_brought_in(runtime):
    seed(runtime)
    for hours in (1, 2, 3):
        decided(runtime, "PA-1", "approve", hours)
    decided(runtime, "PA-1", "reject", 60)
    overturned = decided(runtime, "PA-1", "approve", 100)
    with transaction(runtime.sessions) as session:
        reverse_claim(session, user(runtime, "admin@example.com"), overturned, "nie ten sklep")
    decided(runtime, "PB-1", "approve", 72, email=SECOND)
    decided(runtime, "PB-1", "approve", 5)  # the first participant's first approval was at A: not B's
    pending_claim(runtime, outlet_code="PB-1", points=10)  # waiting: volume, no decision
    a, b = cards(runtime)["PA"], cards(runtime)["PB"]
    assert (a.claims, a.decided, a.approved, a.overturned) == (5, 5, 4, 1)
    assert (a.approval_rate, a.overturn_rate) == (0.8, 0.25)
    assert (a.median_hours, a.p90_hours, a.sla_share) == (3.0, 100.0, 0.6)
    assert (b.claims, b.decided, b.median_hours, b.sla_share) == (3, 2, 38.5, 0.5)
    assert (a.brought_in, b.brought_in) == (1, 1)
    with runtime.sessions() as session:
        only_b = scorecards(session, ReportFilter(since=datetime.now(UTC) - timedelta(days=30),
                                                 partner_id=session.scalar(select(Partner.id).where(
                                                     Partner.code == "PB"))))
    assert [c.code for c in only_b] == ["PB"]


def test_the_fastest_fair_reviewer_ranks_only_partners_within_the_bounds(runtime):
    seed(runtime)
    for hours in (1, 2, 3, 4):
        decided(runtime, "PA-1", "approve", hours)  # fast, but approves everything
    for hours, action in ((10, "approve"), (20, "approve"), (30, "reject"), (40, "approve")):
        decided(runtime, "PB-1", action, hours)
    everything = cards(runtime)
    strict = fair_reviewers(list(everything.values()), FairRules(min_decided=3, max_approval=0.9))
    assert [(p.place, p.card.code, p.why_not) for p in strict] == [(1, "PB", ""), (None, "PA", "approval_high")]
    lenient = fair_reviewers(list(everything.values()), FairRules(min_decided=3, max_approval=1.0))
    assert [(p.place, p.card.code) for p in lenient] == [(1, "PA"), (2, "PB")]
    too_few = fair_reviewers(list(everything.values()), FairRules(min_decided=10))
    assert {p.why_not for p in too_few} == {"too_few"} and all(p.place is None for p in too_few)
