"""Taking a claim in: uploads checked (size, real type), files stored, claim row added; enqueue after commit."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from sqlalchemy.orm import Session

from claims.audit import record_event
from claims.blobs import BlobStore
from claims.db.models import Claim, Document, Participant
from claims.errors import InvalidInputError
from claims.lifecycle import ClaimKind, ClaimStatus
from claims.services.programme import active_campaign
from ocr.formats import ALLOWED_UPLOAD_TYPES, sniff_media_type
from ocr.quality import check_photo, problem_message
from verification.identifiers import code_is_well_formed, normalise_code

MAX_CODES = 20


class UnsupportedMediaError(InvalidInputError):
    code = "unsupported_type"


class FileTooLargeError(InvalidInputError):
    code = "file_too_large"


@dataclass(frozen=True)
class Upload:
    """One accepted file: its bytes, the name the participant gave it and the sniffed media type."""

    filename: str
    media_type: str
    data: bytes


def safe_filename(name: str | None) -> str:
    """A display name with no folders, control or direction characters; shown only, never used as a path."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(ch for ch in unicodedata.normalize("NFC", base) if unicodedata.category(ch)[0] != "C")
    return cleaned.strip()[:120] or "upload"


def check_upload(filename: str | None, data: bytes, max_bytes: int) -> Upload:
    """An Upload whose type is sniffed from the bytes (never the name), or an error with a reason code.

    Raises:
        InvalidInputError: code `empty_file`; FileTooLargeError (`file_too_large`); UnsupportedMediaError
            (`unsupported_type`). `details` carry `name` and `max_mb` for the entry point's message.
    """
    name = safe_filename(filename)
    if not data:
        raise InvalidInputError(f"file {name!r} is empty", code="empty_file", name=name)
    if len(data) > max_bytes:
        max_mb = max_bytes // (1024 * 1024)
        raise FileTooLargeError(f"file {name!r} is larger than {max_mb} MB", name=name, max_mb=max_mb)
    media_type = sniff_media_type(data)
    if media_type not in ALLOWED_UPLOAD_TYPES:
        raise UnsupportedMediaError(
            f"file {name!r} is not a photo (JPEG, PNG, WebP, HEIC, AVIF, TIFF) or a PDF", name=name
        )
    if media_type in CAMERA_TYPES:
        _check_photo_quality(name, data, media_type)
    return Upload(filename=name, media_type=media_type, data=data)


#: What phones save photos as; the quality gate judges these at upload. Screenshots and e-receipts (PNG),
#: scans (TIFF) and PDFs have no camera problems to retake, so they go straight to the reader.
CAMERA_TYPES = frozenset({"image/jpeg", "image/heic", "image/avif", "image/webp"})


def _check_photo_quality(name: str, data: bytes, media_type: str) -> None:
    """Refuse a photo the reader could not use, with advice on how to retake it (before anything is stored)."""
    quality = check_photo(data, media_type)
    if quality.ok:
        return
    problems = [{"code": str(p), "message_pl": problem_message(p, "pl"), "message_en": problem_message(p, "en")}
                for p in quality.problems]
    advice = " ".join(p["message_en"] for p in problems)
    raise InvalidInputError(f"photo {name!r} cannot be read: {advice}", code="photo_quality", name=name,
                            problems=problems)


def check_codes(raw_codes: list[str]) -> list[str]:
    """Product codes as typed (one per field, or separated by spaces, commas or new lines): trimmed,
    upper-cased, de-duplicated, in the order given."""
    codes: list[str] = []
    for raw in raw_codes:
        for part in raw.replace(",", " ").replace(";", " ").split():
            code = normalise_code(part)
            if not code_is_well_formed(code):
                raise InvalidInputError(f"{part[:40]!r} is not a product code: check it character by character",
                                        code="bad_code_format", product_code=part[:40])
            if code not in codes:
                codes.append(code)
    if len(codes) > MAX_CODES:
        raise InvalidInputError(f"at most {MAX_CODES} product codes per claim", code="too_many_codes",
                                max=MAX_CODES)
    return codes


def submit_claim(
    session: Session,
    blobs: BlobStore,
    participant: Participant,
    uploads: list[Upload],
    product_codes: list[str],
    *,
    max_files: int = 10,
    submitted_ip: str | None = None,
    device_id: str | None = None,
) -> Claim:
    """Store the files and add a `received` claim to the session; commit, then enqueue its processing.

    `submitted_ip` and `device_id` feed the velocity checks (several accounts on one phone or address)."""
    if not uploads and not product_codes:
        raise InvalidInputError("send at least one file or product code", code="empty_claim")
    if uploads and product_codes:
        raise InvalidInputError("send either files or product codes, not both", code="mixed_claim")
    if len(uploads) > max_files:
        raise InvalidInputError(f"at most {max_files} files per claim", code="too_many_files", max=max_files)
    campaign = active_campaign(session)
    claim = Claim(
        participant_id=participant.id,
        campaign_id=campaign.id if campaign else None,
        kind=ClaimKind.PRODUCT_CODE if product_codes else ClaimKind.UNKNOWN,
        status=ClaimStatus.RECEIVED,
        product_codes=list(product_codes),
        fields={},
        reasons=[],
        submitted_ip=(submitted_ip or None) and submitted_ip[:45],
        device_id=(device_id or None) and device_id[:64],
    )
    session.add(claim)
    for position, upload in enumerate(uploads):
        key = blobs.put(upload.data, session)  # durable no later than the row that points at it
        claim.documents.append(
            Document(position=position, sha256=key, filename=upload.filename[:255],
                     media_type=upload.media_type, size=len(upload.data))
        )
    session.flush()
    record_event(session, "claim_submitted", actor_user_id=participant.user_id, claim_id=claim.id,
                 after={"files": len(uploads), "product_codes": len(product_codes)})
    return claim
