"""RODO/GDPR: a participant's data export, erasure that keeps pseudonymised points, document retention."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from claims.audit import record_event
from claims.blobs import BlobStore
from claims.db.models import ApiToken, Claim, Decision, Document, LedgerEntry, Participant, User
from claims.db.reach_models import MailCampaign, MailDelivery
from claims.db.reward_models import RewardOrder
from claims.errors import AuthenticationError
from claims.security import hash_password, new_api_token, verify_password
from claims.services.accounts import participant_of
from claims.services.outcomes import participant_points, participant_reasons
from claims.services.participant_claims import credited_by_claim
from vocabulary.claims import FINAL_STATES
from vocabulary.reasons import participant_reason

ERASED = "retention_deleted"


def export_participant(session: Session, blobs: BlobStore, user: User) -> bytes:
    """A zip with data.json (profile, consents, claims with decisions, orders, campaign e-mails, points) and every
    uploaded document."""
    participant = _participant(session, user)
    claims = session.scalars(select(Claim).where(Claim.participant_id == participant.id)
                             .order_by(Claim.submitted_at)).all()
    credited = credited_by_claim(session, [c.id for c in claims])
    data = {
        "exported_at": datetime.now(UTC).isoformat(),
        "account": {"email": user.email, "name": user.name, "created_at": user.created_at.isoformat(),
                    "locale": user.locale},
        "company": {"name": participant.company_name, "nip": participant.company_nip},
        "contact": {"phone": participant.phone, "delivery_address": participant.delivery_address,
                    "region": participant.region},
        "consents": [{"kind": c.kind, "text_version": c.text_version, "given_at": c.given_at.isoformat(),
                      "withdrawn_at": c.withdrawn_at.isoformat() if c.withdrawn_at else None}
                     for c in participant.consents],
        "claims": [_claim_record(session, c, credited.get(c.id)) for c in claims],
        "orders": [{"id": o.id, "status": o.status, "points": o.points, "delivery_address": o.delivery_address,
                    "tracking": o.tracking, "tax_details": o.tax_details, "at": o.created_at.isoformat(),
                    "items": [{"reward": i.reward.name, "quantity": i.quantity} for i in o.items]}
                   for o in session.scalars(select(RewardOrder).where(RewardOrder.participant_id == participant.id)
                                            .order_by(RewardOrder.id))],
        "campaign_emails": _campaign_emails(session, participant.id),
        "points": [{"claim_id": e.claim_id, "order_id": e.order_id, "kind": e.kind, "points": e.points,
                    "reason": e.reason, "at": e.created_at.isoformat(),
                    **({"tier": f"x{e.tier_multiplier.normalize():g} ({e.tier_name})"} if e.tier_multiplier else {})}
                   for e in session.scalars(select(LedgerEntry).where(LedgerEntry.participant_id == participant.id)
                                            .order_by(LedgerEntry.id))],
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", json.dumps(data, ensure_ascii=False, indent=2, default=str))
        for claim in claims:
            for document in claim.documents:
                if document.error_code != ERASED and blobs.exists(document.sha256):
                    archive.writestr(f"documents/{claim.id}/{document.position + 1}-{document.sha256[:12]}",
                                     blobs.get(document.sha256))
    return buffer.getvalue()


def _claim_record(session: Session, claim: Claim, credited: int | None) -> dict:
    """A claim as its participant may see it: their document's fields, the reasons and decisions shown to them
    (never a risk signal, a risk score or a staff note), and the points it brought."""
    decisions = list(session.scalars(select(Decision).where(Decision.claim_id == claim.id).order_by(Decision.id)))
    appealed = any(d.action == "appeal" for d in decisions)
    reasons = participant_reasons(claim.reasons, claim.status, "pl", appealed)
    points = participant_points(claim.status, claim.points_proposed, credited)
    return {"id": claim.id, "submitted_at": claim.submitted_at.isoformat(), "kind": claim.kind,
            "status": claim.status, "fields": claim.fields,
            "reasons": [{"code": r.code, "comment": r.comment} if r.comment else {"code": r.code} for r in reasons],
            "points": points.points, "points_kind": points.kind, "product_codes": claim.product_codes,
            "documents": [{"filename": d.filename, "media_type": d.media_type, "size": d.size}
                          for d in claim.documents],
            "decisions": [_decision_record(d) for d in decisions]}


def _decision_record(decision: Decision) -> dict:
    """A decision as the participant may read it: their own appeal with its words, else the outcome and the
    reason as they see it, with the reviewer's comment only where it is addressed to them."""
    record = {"action": decision.action, "at": decision.created_at.isoformat()}
    if decision.action == "appeal":
        return {**record, "comment": decision.comment}
    seen = participant_reason(decision.reason_code)
    if seen is not None:
        record["reason_code"] = str(seen.shown_as)
        if seen.with_comment and decision.comment:
            record["comment"] = decision.comment
    return record


def _participant(session: Session, user: User) -> Participant:
    return participant_of(session, user)


def _campaign_emails(session: Session, participant_id: int) -> list[dict]:
    """The campaign e-mails sent to the participant: subject, status, when sent, first opened, unsubscribed."""
    rows = session.execute(select(MailCampaign.subject, MailDelivery).join(
        MailCampaign, MailCampaign.id == MailDelivery.campaign_id).where(
        MailDelivery.participant_id == participant_id).order_by(MailDelivery.id))
    return [{"subject": subject, "status": d.status, "sent_at": d.sent_at, "opened_at": d.opened_at,
             "unsubscribed_at": d.unsubscribed_at} for subject, d in rows]


def erase_participant(session: Session, blobs: BlobStore, user: User, actor_user_id: int | None) -> None:
    """Remove the participant's personal data and documents; the ledger keeps its entries under the
    participant's number only, so points totals and reports stay right."""
    participant = _participant(session, user)
    user.email = f"erased-{user.id}@erased.invalid"
    user.name = ""
    user.password_hash = hash_password(new_api_token())  # nobody knows it: the account cannot log in
    user.active = False
    for token in session.scalars(select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))):
        token.revoked_at = datetime.now(UTC)
    participant.company_name, participant.company_nip = "", None
    participant.phone = participant.delivery_address = participant.region = ""
    for claim in session.scalars(select(Claim).where(Claim.participant_id == participant.id)):
        claim.fields = {k: v for k, v in (claim.fields or {}).items() if k in ("total", "date", "currency")}
        claim.submitted_ip = claim.device_id = None
        for document in claim.documents:
            _erase_document(session, blobs, document)
    for order in session.scalars(select(RewardOrder).where(RewardOrder.participant_id == participant.id)):
        order.delivery_address, order.tax_details = "", None  # the order and its points stay, unnamed
    record_event(session, "participant_erased", actor_user_id=actor_user_id,
                 after={"user_id": user.id, "participant_id": participant.id})


def erase_own_account(session: Session, blobs: BlobStore, user: User, password: str) -> None:
    """The participant's own deletion of their account, confirmed with their password: erasure as
    `erase_participant` does it (the ledger keeps its entries under the participant's number only).

    Raises:
        AuthenticationError: `wrong_password`.
        PermissionDeniedError: `not_participant` for any other role.
    """
    if not verify_password(password, user.password_hash):
        raise AuthenticationError("the password is not right", code="wrong_password")
    erase_participant(session, blobs, user, actor_user_id=user.id)


def _erase_document(session: Session, blobs: BlobStore, document: Document) -> None:
    """Drop a document's file and reading; the file stays only while another live document uses it."""
    if document.error_code == ERASED:
        return
    document.reading = document.extraction = document.exif = None
    document.filename, document.error_code = "", ERASED
    session.flush()
    shared = session.scalar(select(Document.id).where(Document.sha256 == document.sha256,
                                                      Document.error_code.is_distinct_from(ERASED)))
    if shared is None:
        blobs.delete(document.sha256)


def apply_retention(session: Session, blobs: BlobStore, days: int, now: datetime | None = None) -> int:
    """Delete the documents of claims that reached a final state more than `days` ago; returns how many."""
    cutoff = (now or datetime.now(UTC)) - timedelta(days=days)
    documents = session.scalars(
        select(Document).join(Claim).where(Claim.status.in_([s.value for s in FINAL_STATES]),
                                           Claim.updated_at < cutoff,
                                           Document.error_code.is_distinct_from(ERASED)).limit(10_000))
    count = 0
    for document in documents:
        _erase_document(session, blobs, document)
        count += 1
    if count:
        record_event(session, "retention_applied", after={"documents": count, "days": days})
    return count
