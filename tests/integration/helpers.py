"""Small builders shared by integration tests."""

from __future__ import annotations

from sqlalchemy import select

from claims.db.engine import transaction
from claims.db.models import Outlet, User
from claims.runtime import Runtime
from claims.services.accounts import participant_of
from claims.services.intake import Upload, submit_claim
from claims.services.processing import Outcome, finish_processing, start_processing
from claims.services.programme import load_programme
from tests.conftest import small_programme
from vocabulary.claims import ClaimStatus

PNG_1PX = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082"
)


def seed(rt: Runtime, programme: dict | None = None) -> None:
    with transaction(rt.sessions) as session:
        load_programme(session, programme or small_programme())


def user(rt: Runtime, email: str) -> User:
    with rt.sessions() as session:
        return session.scalar(select(User).where(User.email == email))


def pending_claim(rt: Runtime, outlet_code: str = "PA-1", points: int = 120,
                  email: str = "uczestnik@example.com", data: bytes = PNG_1PX) -> str:
    """A claim submitted by `email` and processed to pending_review for `outlet_code`."""
    with transaction(rt.sessions) as session:
        participant = participant_of(session, session.scalar(select(User).where(User.email == email)))
        claim = submit_claim(session, rt.blobs, participant, [Upload("r.png", "image/png", data)], [])
        claim_id = claim.id
    with transaction(rt.sessions) as session:
        start_processing(session, claim_id)
        outlet = session.scalar(select(Outlet).where(Outlet.code == outlet_code))
        finish_processing(session, claim_id, Outcome(
            status=ClaimStatus.PENDING_REVIEW, kind="receipt", points=points, outlet_id=outlet.id,
            partner_id=outlet.partner_id, fields={"seller_nip": outlet.nip, "total": f"{points}.00"}))
    return claim_id
