"""The demo's activities: a training with a quiz, a survey, the tier ladder and this month's contest, loaded
twice without doubling; an approved claim of the demo moves the contest's leaderboard."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from claims.db.activity_models import Contest
from claims.db.engine import transaction
from claims.services.contests import get_contest, leaderboard
from claims.services.review import decide_claim
from claims.services.tiers import ladder
from claims.services.trainings import trainings
from paragon.demo_activities import load_demo_activities
from tests.integration.helpers import pending_claim, seed, user
from tests.integration.rewards_helpers import participant_id

pytestmark = pytest.mark.integration


def test_the_demo_activities_load_once_and_the_contest_is_moved_by_claims(sqlite_runtime):
    rt = sqlite_runtime
    seed(rt)
    assert load_demo_activities(rt) == load_demo_activities(rt) == {"trainings": 1, "surveys": 1, "contests": 1,
                                                                      "displays": 1}
    with rt.sessions() as session:
        assert [t.name for t in ladder(session)] == ["Brązowy", "Srebrny", "Złoty"]
        [training] = trainings(session)
        assert len(training.questions) == 2 and training.questions[1].multiple
        contest_id = session.scalar(select(Contest.id))
    claim_id = pending_claim(rt, points=150)
    with transaction(rt.sessions) as session:
        decide_claim(session, user(rt, "partner.a@example.com"), claim_id, "approve", "")
    with rt.sessions() as session:
        [first] = leaderboard(session, get_contest(session, contest_id))
    assert (first.place, first.participant_id, int(first.value), first.prize) == (
        1, participant_id(rt, "uczestnik@example.com"), 150, 500)
