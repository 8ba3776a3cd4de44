"""Taking a claim in: files stored, claim row committed; the caller queues the work after commit."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from claims.audit import record_event
from claims.blobs import BlobStore
from claims.db.models import Claim, Document, Participant
from claims.errors import InvalidInputError
from claims.lifecycle import ClaimKind, ClaimStatus
from claims.services.programme import active_campaign


@dataclass(frozen=True)
class Upload:
    """One accepted file: its bytes, the name the participant gave it and the sniffed media type."""

    filename: str
    media_type: str
    data: bytes


def submit_claim(
    session: Session,
    blobs: BlobStore,
    participant: Participant,
    uploads: list[Upload],
    product_codes: list[str],
    *,
    max_files: int = 10,
) -> Claim:
    """Store the files and add a `received` claim to the session; commit, then enqueue its processing."""
    if not uploads and not product_codes:
        raise InvalidInputError("send at least one file or product code", code="empty_claim")
    if uploads and product_codes:
        raise InvalidInputError("send either files or product codes, not both", code="mixed_claim")
    if len(uploads) > max_files:
        raise InvalidInputError(f"at most {max_files} files per claim", code="too_many_files")
    campaign = active_campaign(session)
    claim = Claim(
        participant_id=participant.id,
        campaign_id=campaign.id if campaign else None,
        kind=ClaimKind.PRODUCT_CODE if product_codes else ClaimKind.UNKNOWN,
        status=ClaimStatus.RECEIVED,
        product_codes=[code.strip().upper() for code in product_codes],
        fields={},
        reasons=[],
    )
    session.add(claim)
    for position, upload in enumerate(uploads):
        key = blobs.put(upload.data)  # durable before the row that points at it commits
        claim.documents.append(
            Document(
                position=position,
                sha256=key,
                filename=upload.filename[:255],
                media_type=upload.media_type,
                size=len(upload.data),
            )
        )
    session.flush()
    record_event(
        session,
        "claim_submitted",
        actor_user_id=participant.user_id,
        claim_id=claim.id,
        after={"files": len(uploads), "product_codes": len(product_codes)},
    )
    return claim
