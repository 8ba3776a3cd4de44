"""Referrals: a participant's invitation link carries their code; a participant who registers through it is
recorded with the rule in force (points, cap). The referrer is credited when the invited participant's first
claim is approved, not at registration (sign-ups alone are a fraud magnet), at most `cap` times: the
referrer's balance row is locked while their credited invitations are counted, so concurrent approvals never
pass the cap. Ledger kind `referral`, cause `referral:<invited participant>`: once per invited participant."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from claims.db.activity_models import Referral, ReferralCode
from claims.db.models import LedgerEntry, Participant

MAX_CODE = 32


def invitation_code(session: Session, participant_id: int) -> str:
    """The participant's code, made on first use."""
    code = session.scalar(select(ReferralCode.code).where(ReferralCode.participant_id == participant_id))
    if code is None:
        code = secrets.token_urlsafe(9)
        session.add(ReferralCode(participant_id=participant_id, code=code))
        session.flush()
    return code


def record_invitation(session: Session, code: str, invited: Participant, points: int, cap: int) -> Referral | None:
    """Remember who invited `invited` (a new participant); an unknown code, a self-invitation or referrals
    switched off (points 0) record nothing."""
    if not code or points <= 0 or len(code) > MAX_CODE:
        return None
    referrer = session.scalar(select(ReferralCode.participant_id).where(ReferralCode.code == code))
    if referrer is None or referrer == invited.id:
        return None
    referral = Referral(referrer_id=referrer, invited_id=invited.id, points=points, cap=cap)
    session.add(referral)
    session.flush()
    return referral


def reward_referrer(session: Session, invited_id: int) -> int:
    """Called with every approved claim's credit: on the invited participant's first, credit the referrer
    (unless their cap is reached). Returns the points credited."""
    from claims.ledger import lock_balance, post

    referral = session.scalar(select(Referral).where(Referral.invited_id == invited_id,
                                                     Referral.status == "waiting").with_for_update())
    if referral is None:
        return 0
    lock_balance(session, referral.referrer_id)  # one referrer's invitations are settled one after another
    credited = session.scalar(select(func.count()).select_from(Referral).where(
        Referral.referrer_id == referral.referrer_id, Referral.status == "credited")) or 0
    referral.settled_at = datetime.now(UTC)
    if credited >= referral.cap:
        referral.status = "capped"
        session.flush()
        return 0
    referral.status = "credited"
    post(session, LedgerEntry(participant_id=referral.referrer_id, kind="referral", points=referral.points,
                              cause=f"referral:{invited_id}"))
    return referral.points


def invitations(session: Session, referrer_id: int) -> dict[str, int]:
    """How many of the participant's invitations wait, were credited, or passed the cap."""
    rows = session.execute(select(Referral.status, func.count()).where(Referral.referrer_id == referrer_id)
                           .group_by(Referral.status))
    return {"waiting": 0, "credited": 0, "capped": 0, **dict(rows.all())}
