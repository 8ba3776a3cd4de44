"""Who may see a claim, the partner queue, and the decisions that move points."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from claims.audit import record_event
from claims.db.models import Claim, Decision, Participant, User
from claims.errors import ConflictError, InvalidInputError, NotFoundError, PermissionDeniedError
from claims.ledger import credit_points, reverse_points
from claims.roles import STAFF_ROLES, Role
from claims.services.display_review import credit_display, release_display_slot
from claims.services.ksef_corrections import apply_correction
from claims.services.transitions import move_claim
from vocabulary.claims import REVIEW_STATES, ClaimKind, ClaimStatus
from vocabulary.reasons import REJECTION_CODES, ReasonCode


def visible_claims(user: User) -> Select[tuple[Claim]]:
    """A query over every claim `user` may see: their own, their partner's outlets', or all for staff."""
    query = select(Claim)
    role = Role(user.role)
    if role in STAFF_ROLES:
        return query
    if role is Role.PARTNER_REVIEWER:
        return query.where(Claim.partner_id == user.partner_id)
    return query.join(Participant, Participant.id == Claim.participant_id).where(Participant.user_id == user.id)


def get_visible_claim(session: Session, user: User, claim_id: str) -> Claim:
    """The claim, or NotFoundError when it does not exist or `user` may not see it (no existence leak)."""
    claim = session.scalar(visible_claims(user).where(Claim.id == claim_id))
    if claim is None:
        raise NotFoundError("claim not found")
    return claim


def review_queue(session: Session, user: User, limit: int = 100, offset: int = 0) -> list[Claim]:
    """Claims waiting for `user`'s decision, oldest first."""
    if Role(user.role) is Role.PARTICIPANT:
        raise PermissionDeniedError("participants do not review claims")
    states = [ClaimStatus.PENDING_REVIEW.value]
    if Role(user.role) in STAFF_ROLES:
        states.append(ClaimStatus.FLAGGED.value)
    query = visible_claims(user).where(Claim.status.in_(states)).order_by(Claim.submitted_at, Claim.id)
    return list(session.scalars(query.limit(limit).offset(offset)))


#: The audit event of each decision.
DECIDED_EVENTS = {"approve": "claim_approved", "reject": "claim_rejected"}


def decide_claim(
    session: Session, user: User, claim_id: str, action: str, reason_code: str, comment: str = "",
    checked: Sequence[str] = (),
) -> Decision:
    """Approve or reject a claim under review; approval credits the points in this same transaction (a display
    claim's approval needs the checklist items ticked in `checked`, `claims.services.display_review`)."""
    claim = get_visible_claim(session, user, claim_id)
    if Role(user.role) is Role.PARTICIPANT:
        raise PermissionDeniedError("participants do not decide claims")
    if claim.status not in REVIEW_STATES:
        raise ConflictError(f"claim is {claim.status}, not waiting for a decision", code="already_decided")
    if claim.status == ClaimStatus.FLAGGED and Role(user.role) not in STAFF_ROLES:
        raise PermissionDeniedError("flagged claims are decided by auditors")
    target, code = _decision_target(action, reason_code)
    before = claim.status
    move_claim(session, claim, target, decided_at=datetime.now(UTC))
    decision = Decision(claim_id=claim.id, actor_user_id=user.id, action=action, from_status=before,
                        to_status=target, reason_code=code, comment=comment[:2000])
    session.add(decision)
    if target is ClaimStatus.APPROVED and claim.kind == ClaimKind.DISPLAY:
        credit_display(session, claim, decision, checked)
    elif target is ClaimStatus.APPROVED:
        apply_correction(session, claim, decision)  # a KSeF correction invoice: the original's credit reversed
        credit_points(session, claim, decision, claim.points_proposed)
    else:
        claim.reasons = list(claim.reasons or []) + [{"code": code, "comment": comment[:2000]}]
    record_event(session, DECIDED_EVENTS[action], actor_user_id=user.id, claim_id=claim.id,
                 before={"status": before}, after={"status": str(target), "reason_code": code})
    return decision


def _decision_target(action: str, reason_code: str) -> tuple[ClaimStatus, str]:
    if action == "approve":
        if reason_code not in ("", ReasonCode.CONFIRMED):
            raise InvalidInputError(f"an approval's reason_code is {ReasonCode.CONFIRMED} or none",
                                    code="bad_reason_code")
        return ClaimStatus.APPROVED, ReasonCode.CONFIRMED
    if action == "reject":
        if reason_code not in REJECTION_CODES:
            allowed = ", ".join(sorted(REJECTION_CODES))
            raise InvalidInputError(f"reason_code must be one of: {allowed}", code="bad_reason_code")
        return ClaimStatus.REJECTED, reason_code
    raise InvalidInputError("action must be approve or reject", code="bad_action")


def reverse_claim(session: Session, user: User, claim_id: str, comment: str = "") -> Decision:
    """An auditor's override of an approval: the claim becomes reversed and a reversal entry cancels its points."""
    if Role(user.role) not in STAFF_ROLES:
        raise PermissionDeniedError("only auditors can reverse an approved claim")
    claim = get_visible_claim(session, user, claim_id)
    if claim.status != ClaimStatus.APPROVED:
        raise ConflictError(f"claim is {claim.status}, only approved claims can be reversed", code="not_approved")
    move_claim(session, claim, ClaimStatus.REVERSED, decided_at=datetime.now(UTC))
    decision = Decision(claim_id=claim.id, actor_user_id=user.id, action="reverse", from_status="approved",
                        to_status="reversed", reason_code=ReasonCode.AUDIT_OVERRIDE, comment=comment[:2000])
    session.add(decision)
    reverse_points(session, claim, decision)
    if claim.kind == ClaimKind.DISPLAY:
        release_display_slot(session, claim)
    claim.reasons = list(claim.reasons or []) + [{"code": ReasonCode.AUDIT_OVERRIDE, "comment": comment[:2000]}]
    record_event(session, "claim_reversed", actor_user_id=user.id, claim_id=claim.id,
                 before={"status": "approved"}, after={"status": "reversed"})
    return decision


def appeal_claim(session: Session, user: User, claim_id: str, comment: str) -> Decision:
    """The participant's one appeal of a rejection: the claim goes to the auditors' flagged queue."""
    if Role(user.role) is not Role.PARTICIPANT:
        raise PermissionDeniedError("only the participant who submitted a claim can appeal it")
    claim = get_visible_claim(session, user, claim_id)
    if claim.status != ClaimStatus.REJECTED:
        raise ConflictError(f"claim is {claim.status}, only rejected claims can be appealed", code="not_rejected")
    if any(d.action == "appeal" for d in decisions_of(session, claim.id)):
        raise ConflictError("this claim has already been appealed once", code="already_appealed")
    if not comment.strip():
        raise InvalidInputError("say why the decision is wrong", code="appeal_comment_required")
    move_claim(session, claim, ClaimStatus.FLAGGED)
    decision = Decision(claim_id=claim.id, actor_user_id=user.id, action="appeal", from_status="rejected",
                        to_status="flagged", reason_code=ReasonCode.APPEAL, comment=comment[:2000])
    session.add(decision)
    record_event(session, "claim_appealed", actor_user_id=user.id, claim_id=claim.id,
                 before={"status": "rejected"}, after={"status": "flagged"})
    return decision


def decisions_of(session: Session, claim_id: str) -> list[Decision]:
    return list(session.scalars(select(Decision).where(Decision.claim_id == claim_id).order_by(Decision.id)))
