"""Referrals on the real databases: an invitation is credited at the invited participant's first approved
claim (not at registration, not again at the second), never past the referrer's cap, and a stranger's or
one's own code records nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from claims.db.activity_models import Referral
from claims.db.engine import transaction
from claims.db.models import LedgerEntry, Participant, User
from claims.ledger import balance
from claims.services.referrals import invitation_code, invitations, record_invitation
from claims.services.review import decide_claim
from tests.integration.helpers import pending_claim, seed, user
from tests.integration.rewards_helpers import participant_id

pytestmark = pytest.mark.integration
REFERRER, INVITED = "drugi@example.com", "uczestnik@example.com"


def invite(rt, referrer: int, email: str, points: int = 100, cap: int = 10) -> bool:
    with transaction(rt.sessions) as session:
        code = invitation_code(session, referrer)
        invited = session.scalar(select(Participant).join(User).where(User.email == email))
        return record_invitation(session, code, invited, points, cap) is not None


def approve(rt, email: str) -> None:
    claim_id = pending_claim(rt, email=email)
    with transaction(rt.sessions) as session:
        decide_claim(session, user(rt, "partner.a@example.com"), claim_id, "approve", "")


def test_the_referrer_is_credited_at_the_first_approved_claim_once(runtime):
    seed(runtime)
    referrer, invited = participant_id(runtime, REFERRER), participant_id(runtime, INVITED)
    assert invite(runtime, referrer, INVITED)
    with runtime.sessions() as session:
        assert balance(session, referrer) == 0  # registration alone earns nothing
    pending_claim(runtime, email=INVITED)  # submitted, not approved: still nothing
    with runtime.sessions() as session:
        assert balance(session, referrer) == 0
    approve(runtime, INVITED)
    approve(runtime, INVITED)
    with runtime.sessions() as session:
        assert balance(session, referrer) == 100
        causes = session.scalars(select(LedgerEntry.cause).where(LedgerEntry.kind == "referral")).all()
        assert causes == [f"referral:{invited}"]
        assert invitations(session, referrer) == {"waiting": 0, "credited": 1, "capped": 0}


def test_the_cap_stops_credits_and_bad_codes_record_nothing(sqlite_runtime):
    from tests.integration.activity_helpers import participants

    rt = sqlite_runtime
    seed(rt)
    referrer = participant_id(rt, REFERRER)
    (third,) = participants(rt, 1)
    with rt.sessions() as session:
        third_email = session.scalar(select(User.email).join(Participant).where(Participant.id == third))
    assert invite(rt, referrer, INVITED, cap=1) and invite(rt, referrer, third_email, cap=1)
    assert not invite(rt, referrer, REFERRER)  # one's own code
    with transaction(rt.sessions) as session:
        me = session.get(Participant, participant_id(rt, INVITED))
        assert record_invitation(session, "no-such-code", me, 100, 10) is None
    approve(rt, INVITED)
    approve(rt, third_email)
    with rt.sessions() as session:
        assert balance(session, referrer) == 100
        statuses = sorted(session.scalars(select(Referral.status)).all())
        assert statuses == ["capped", "credited"]
