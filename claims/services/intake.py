"""Taking a claim in: the one way an upload becomes a claim, for the API and the web form alike.

Two steps, both called by every entry point:
1. `check_submission` before any database write: the number of files, each file's size, its real type (sniffed
   from the bytes) and a camera photo's quality; product codes' form. Nothing is stored for a refused upload, and
   it does not count against the hourly limits. With `alongside=True` (the API and the phone's form) the photo
   quality gate, two thirds of an upload's CPU, runs in a small thread pool while `take_claim` writes the files
   into the database, and its verdict is awaited before the commit: the participant waits for the longer of the
   two instead of their sum, and a refused photo still leaves nothing stored and counts against no limit.
2. `take_claim` inside the caller's transaction: the participant's attempt limits, the files stored, the
   `received` claim row added, and its processing handed to the queue once the transaction commits
   (`claims.db.after_commit`, topic `CLAIM_RECEIVED`), so no entry point can enqueue before the commit or forget to.
   `add_documents` is its twin for a claim that needs a better photo: the new files join the same claim, which
   goes back to `received` and is queued the same way.
"""

from __future__ import annotations

import threading
import unicodedata
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from claims.audit import record_event
from claims.blobs import BlobStore
from claims.db.after_commit import after_commit
from claims.db.models import Claim, Document, Participant
from claims.errors import ConflictError, InvalidInputError, NotFoundError
from claims.i18n import translate
from claims.ratelimit import RateLimiter, check_claim_attempts
from claims.services.programme import active_campaign
from claims.services.transitions import move_claim
from claims.settings import Settings
from ocr.errors import OcrError
from ocr.formats import ALLOWED_UPLOAD_TYPES, sniff_media_type
from ocr.ksef.invoice_xml import parse_invoice_xml
from ocr.quality import Quality, check_photo
from ocr.sniff import KSEF_XML
from verification.identifiers import code_is_well_formed, normalise_code
from vocabulary.claims import ClaimKind, ClaimStatus

MAX_CODES = 20
#: The after-commit topic whose handler queues a received claim's processing (installed by the composition root).
CLAIM_RECEIVED = "claim_received"


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


def check_upload(filename: str | None, data: bytes, max_bytes: int, judge_photo: bool = True) -> Upload:
    """An Upload whose type is sniffed from the bytes (never the name), or an error with a reason code; a camera
    photo is judged by the document quality gate unless `judge_photo` is False (a display photo is no document).

    Raises:
        InvalidInputError: code `empty_file`; FileTooLargeError (`file_too_large`); UnsupportedMediaError
            (`unsupported_type`); `photo_quality` (details `problems`). `details` carry `name` and `max_mb` for
            the entry point's message.
    """
    upload = _sniffed_upload(filename, data, max_bytes)
    if upload.media_type in CAMERA_TYPES and judge_photo:
        _refuse_bad_photo(upload.filename, check_photo(upload.data, upload.media_type))
    return upload


def _sniffed_upload(filename: str | None, data: bytes, max_bytes: int) -> Upload:
    """`check_upload` without the photo quality gate: name, size, sniffed type, a KSeF XML's parse."""
    name = safe_filename(filename)
    if not data:
        raise InvalidInputError(f"file {name!r} is empty", code="empty_file", name=name)
    if len(data) > max_bytes:
        max_mb = max_bytes // (1024 * 1024)
        raise FileTooLargeError(f"file {name!r} is larger than {max_mb} MB", name=name, max_mb=max_mb)
    media_type = sniff_media_type(data)
    if media_type not in ALLOWED_UPLOAD_TYPES:
        raise UnsupportedMediaError(
            f"file {name!r} is not a photo (JPEG, PNG, WebP, HEIC, AVIF, TIFF), a PDF or a KSeF invoice XML", name=name
        )
    if media_type == KSEF_XML:
        _check_ksef_xml(name, data)
    return Upload(filename=name, media_type=media_type, data=data)


def _check_ksef_xml(name: str, data: bytes) -> None:
    """Refuse an XML that is no readable e-invoice (a DTD, not well-formed, too large, another schema) at upload,
    with the reader's own code; the parse is bounded (`ocr.ksef.invoice_xml`) and repeated by the reader."""
    try:
        parse_invoice_xml(data)
    except OcrError as exc:
        raise InvalidInputError(f"file {name!r}: {exc.message}", code=exc.code, name=name) from None


#: What phones save photos as; the quality gate judges these at upload. Screenshots and e-receipts (PNG),
#: scans (TIFF) and PDFs have no camera problems to retake, so they go straight to the reader.
CAMERA_TYPES = frozenset({"image/jpeg", "image/heic", "image/avif", "image/webp"})


def _refuse_bad_photo(name: str, quality: Quality) -> None:
    """Refuse a photo the reader could not use, with advice on how to retake it (before anything is committed)."""
    if quality.ok:
        return
    problems = [{"code": str(p)} for p in quality.problems]
    advice = " ".join(translate(f"quality.{p}", "en") for p in quality.problems)
    raise InvalidInputError(f"photo {name!r} cannot be read: {advice}", code="photo_quality", name=name,
                            problems=problems)


def code_tokens(raw_codes: Sequence[str]) -> list[str]:
    """Product codes as typed: one per field, or separated by spaces, commas, semicolons or new lines."""
    return [part for raw in raw_codes for part in raw.replace(",", " ").replace(";", " ").split()]


def check_codes(raw_codes: Sequence[str]) -> list[str]:
    """Product codes as typed (see `code_tokens`): trimmed, upper-cased, de-duplicated, in the order given."""
    codes: list[str] = []
    for part in code_tokens(raw_codes):
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


@dataclass(frozen=True)
class CodeLine:
    """One line of a product-code box: its number (from 1), what was typed, and the codes on it that are not
    product codes (empty when the line is right)."""

    number: int
    text: str
    bad: tuple[str, ...] = ()


def code_lines(raw: str) -> list[CodeLine]:
    """Each non-empty line of a codes box with its malformed codes, so a form can keep the good lines and mark
    the bad ones (`check_codes` refuses the whole box at the first bad code)."""
    lines = []
    for number, text in enumerate(raw.splitlines()[:MAX_CODES * 5], start=1):
        tokens = code_tokens([text])
        if tokens:
            bad = tuple(t[:40] for t in tokens if not code_is_well_formed(normalise_code(t)))
            lines.append(CodeLine(number, text.strip()[:200], bad))
    return lines


@dataclass(frozen=True)
class IncomingFile:
    """A file as it arrives: the name the sender gave it and a stream of its bytes."""

    name: str | None
    stream: BinaryIO


@dataclass(frozen=True)
class IntakeLimits:
    """How much one claim may carry (from the settings)."""

    max_bytes: int
    max_files: int = 10
    uploads_per_hour: int = 0


@dataclass(frozen=True)
class PhotoCheck:
    """A camera photo's quality gate, running in the gate's thread pool (see `check_submission`)."""

    name: str
    verdict: Future[Quality]


@dataclass(frozen=True)
class Submission:
    """An upload that passed every check that needs no database: stored next by `take_claim`."""

    uploads: tuple[Upload, ...]
    codes: tuple[str, ...]
    codes_typed: int = 0  # every code typed counts as an attempt against guessing, repeats included
    photo_checks: tuple[PhotoCheck, ...] = ()  # gates still running (`alongside=True`); see `confirm_photos`

    def confirm_photos(self) -> None:
        """Wait for the photos' quality gates still running; refuse the first bad photo (`photo_quality`)."""
        for check in self.photo_checks:
            _refuse_bad_photo(check.name, check.verdict.result())


#: Threads per process that run photo quality gates beside the request's own work (`alongside=True`): the gate is
#: CPU (decoding and OpenCV release the GIL), so more threads than cores would only queue inside the pool.
GATE_THREADS = 2
_gate_pool: ThreadPoolExecutor | None = None
_gate_pool_lock = threading.Lock()


def warm_up_gate(photo: bytes) -> int:
    """Start every thread of the gate's pool and run the gate once on each, on `photo` (a JPEG), before a web
    worker takes its first upload (`paragon.serve.warm_up`); returns the threads warmed."""
    verdicts = [_gate().submit(check_photo, photo, "image/jpeg") for _ in range(GATE_THREADS)]
    for verdict in verdicts:
        verdict.result()
    return sum(thread.name.startswith("photo-gate") for thread in threading.enumerate())


def _gate() -> ThreadPoolExecutor:
    """This process's gate pool, made on first use (after gunicorn's fork: threads do not survive a fork)."""
    global _gate_pool
    with _gate_pool_lock:
        if _gate_pool is None:
            _gate_pool = ThreadPoolExecutor(GATE_THREADS, thread_name_prefix="photo-gate")
        return _gate_pool


def intake_limits(settings: Settings) -> IntakeLimits:
    """The limits the settings set (MAX_UPLOAD_MB, MAX_FILES_PER_CLAIM, UPLOADS_PER_HOUR)."""
    return IntakeLimits(settings.max_upload_bytes, settings.max_files_per_claim, settings.uploads_per_hour)


def check_submission(files: Sequence[IncomingFile], raw_codes: Sequence[str], limits: IntakeLimits,
                     judge_photos: bool = True, alongside: bool = False) -> Submission:
    """Check what was sent before anything is stored (see the module docstring); `judge_photos` False skips the
    document quality gate (a display photo: a shop's shelf, not a receipt). With `alongside`, camera photos are
    judged in the gate's thread pool and the verdict is awaited by `take_claim` (or `confirm_photos`).

    Raises:
        InvalidInputError: `too_many_files` (details `max`), `empty_file`, `file_too_large`, `unsupported_type`,
            `photo_quality` (details `problems`: [{"code"}]), `bad_code_format`, `too_many_codes`.
    """
    if len(files) > limits.max_files:
        raise InvalidInputError(f"at most {limits.max_files} files per claim", code="too_many_files",
                                max=limits.max_files)
    # read at most one byte past the limit: enough to know a file is too large
    uploads = tuple(_sniffed_upload(f.name, f.stream.read(limits.max_bytes + 1), limits.max_bytes) for f in files)
    photos = [u for u in uploads if u.media_type in CAMERA_TYPES] if judge_photos else []
    if not alongside:
        for photo in photos:
            _refuse_bad_photo(photo.filename, check_photo(photo.data, photo.media_type))
    codes = tuple(check_codes(raw_codes))
    checks = tuple(PhotoCheck(p.filename, _gate().submit(check_photo, p.data, p.media_type))
                   for p in photos) if alongside else ()
    return Submission(uploads=uploads, codes=codes, codes_typed=len(code_tokens(raw_codes)), photo_checks=checks)


def take_claim(
    session: Session,
    blobs: BlobStore,
    participant: Participant,
    submission: Submission,
    limits: IntakeLimits,
    *,
    limiter: RateLimiter | None = None,
    ip: str | None = None,
    device_id: str | None = None,
) -> Claim:
    """Count the attempt against the participant's limits, then store the claim (see `submit_claim`).

    Raises:
        TooManyAttemptsError: over the hourly upload or product-code limits (nothing is stored).
        InvalidInputError: `empty_claim`, `mixed_claim`, `too_many_files`.
    """
    def counted() -> None:
        check_claim_attempts(limiter, participant.id, ip, files=len(submission.uploads),
                             codes=submission.codes_typed, uploads_per_hour=limits.uploads_per_hour)

    def stored() -> Claim:
        return submit_claim(session, blobs, participant, list(submission.uploads), list(submission.codes),
                            max_files=limits.max_files, submitted_ip=ip, device_id=device_id)

    if not (submission.photo_checks and blobs.transactional):
        submission.confirm_photos()
        counted()
        return stored()
    claim = stored()  # the files go into the database while the photos' gates finish in their threads
    submission.confirm_photos()  # a refused photo (or a limit, next) rolls the caller's transaction back
    counted()
    return claim


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
    kind: ClaimKind | None = None,
) -> Claim:
    """Store the files and add a `received` claim to the session; its processing is queued after the commit.

    `submitted_ip` and `device_id` feed the velocity checks (several accounts on one phone or address); `kind`
    is known up front for a display photo (`claims.services.displays`), else found by reading."""
    if not uploads and not product_codes:
        raise InvalidInputError("send at least one file or product code", code="empty_claim")
    if uploads and product_codes:
        raise InvalidInputError("send either files or product codes, not both", code="mixed_claim")
    if len(uploads) > max_files:
        raise InvalidInputError(f"at most {max_files} files per claim", code="too_many_files", max=max_files)
    campaign = None if kind is ClaimKind.DISPLAY else active_campaign(session)
    claim = Claim(
        participant_id=participant.id,
        campaign_id=campaign.id if campaign else None,
        kind=kind or (ClaimKind.PRODUCT_CODE if product_codes else ClaimKind.UNKNOWN),
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
    after_commit(session, CLAIM_RECEIVED, claim.id)
    return claim


def add_documents(
    session: Session,
    blobs: BlobStore,
    participant: Participant,
    claim_id: str,
    submission: Submission,
    limits: IntakeLimits,
    *,
    limiter: RateLimiter | None = None,
    ip: str | None = None,
) -> Claim:
    """Attach better photos to the participant's own `needs_retake` claim, after the pages it has, and send it
    back to `received`: it is read again, whole, once the transaction commits (as `submit_claim` queues).

    Raises:
        NotFoundError: no such claim of this participant (another's claim is not found either).
        ConflictError: `not_needs_retake` when the claim is not waiting for a better photo.
        InvalidInputError: `empty_claim` without a file, `too_many_files` over the limit with the pages it has.
        TooManyAttemptsError: over the hourly upload limit (nothing is stored).
    """
    claim = session.scalar(select(Claim).where(Claim.id == claim_id, Claim.participant_id == participant.id))
    if claim is None:
        raise NotFoundError("claim not found")
    if claim.status != ClaimStatus.NEEDS_RETAKE:
        raise ConflictError(f"claim is {claim.status}, not waiting for a better photo", code="not_needs_retake")
    submission.confirm_photos()
    if not submission.uploads:
        raise InvalidInputError("send at least one photo or PDF", code="empty_claim")
    pages = len(claim.documents)
    if pages + len(submission.uploads) > limits.max_files:
        raise InvalidInputError(f"at most {limits.max_files} files per claim", code="too_many_files",
                                max=limits.max_files)
    check_claim_attempts(limiter, participant.id, ip, files=len(submission.uploads), codes=0,
                         uploads_per_hour=limits.uploads_per_hour)
    for offset, upload in enumerate(submission.uploads):
        key = blobs.put(upload.data, session)
        session.add(Document(claim_id=claim.id, position=pages + offset, sha256=key,
                             filename=upload.filename[:255], media_type=upload.media_type, size=len(upload.data)))
    # the old reading's reasons and fields go: the claim is read again from all its pages
    move_claim(session, claim, ClaimStatus.RECEIVED, reasons=[], fields={})
    record_event(session, "claim_documents_added", actor_user_id=participant.user_id, claim_id=claim.id,
                 after={"files": len(submission.uploads), "pages": pages + len(submission.uploads)})
    after_commit(session, CLAIM_RECEIVED, claim.id)
    return claim
