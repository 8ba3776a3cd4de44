"""Job functions: rq glue only. Where a claim goes after upload, in the order it happens:

1. `start_processing`: the claim moves `received -> processing` (a second run of a finished job stops here);
2. a product-code claim consumes its codes (`finish_code_claim`); a display photo is not read, its traits
   (EXIF date and place, capture hints, perceptual hash) are kept and it goes to the outlet's partner with that
   evidence (`finish_display_claim`); any other claim has each document read in a
   limited child process (`ocr.read_document_forked`), its fields extracted and stored (`store_reading`);
3. `verify_and_route`: the documents' fields are merged, checked against the programme's rules and the claim
   moves to `needs_retake`, `rejected`, `pending_review` (its partner), `flagged` (the auditors) or `approved`.
Every step is its own transaction and safe to run twice; transient errors are retried by rq, anything else
flags the claim for an auditor (`fail_claim`) with the error as its reason.
"""

from __future__ import annotations

import logging

from sqlalchemy.exc import OperationalError

from claims.db.engine import transaction
from claims.errors import NotFoundError
from claims.services.display_review import finish_display_claim
from claims.services.processing import (
    DocumentWork,
    fail_claim,
    finish_code_claim,
    start_processing,
    store_reading,
    store_traits,
    verify_and_route,
)
from ocr import OcrError, extract_fields
from ocr.sandbox import read_document_forked
from ocr.traits import document_traits
from vocabulary.claims import ClaimKind
from workers.runtime import WorkerRuntime, current

log = logging.getLogger(__name__)

#: Errors worth a retry: the database or Redis went away for a moment.
TRANSIENT_ERRORS = (OperationalError, ConnectionError, TimeoutError)


def process_claim(claim_id: str) -> str:
    """Read, extract, verify and route one claim; safe to run any number of times, ends in one state."""
    rt = current()
    try:
        with transaction(rt.claims.sessions) as session:
            work = start_processing(session, claim_id)
    except NotFoundError:  # the database is the record of truth: no claim, no work
        log.warning("claim %s does not exist; job dropped", claim_id)
        return "no such claim"
    if work is None:
        return "nothing to do"
    try:
        if work.kind == ClaimKind.PRODUCT_CODE:
            with transaction(rt.claims.sessions) as session:
                finish_code_claim(session, claim_id)
        elif work.kind == ClaimKind.DISPLAY:
            for document in work.documents:
                if not document.has_reading:
                    keep_traits(rt, claim_id, document)
            with transaction(rt.claims.sessions) as session:
                finish_display_claim(session, claim_id)
        else:
            for document in work.documents:
                if not document.has_reading:
                    read_document(rt, claim_id, document)
            with transaction(rt.claims.sessions) as session:
                verify_and_route(session, claim_id, rt.claims.settings.secret_key)
    except TRANSIENT_ERRORS:
        raise  # rq retries with backoff; the claim stays in processing, the sweeper is the last resort
    except Exception as exc:
        log.exception("claim %s failed permanently", claim_id)
        with transaction(rt.claims.sessions) as session:
            fail_claim(session, claim_id, f"{type(exc).__name__}: {exc}")
        raise
    return "processed"


def read_document(rt: WorkerRuntime, claim_id: str, document: DocumentWork) -> None:
    """Read one document in a limited child (one bad file never harms the worker) and store what it gave."""
    data = rt.claims.blobs.get(document.sha256)
    try:
        reading = read_document_forked(data, rt.reader)
        extraction, error = extract_fields(reading), None
    except OcrError as exc:
        log.info("document %s unreadable: %s", document.id, exc.code)
        reading, extraction, error = None, None, exc.code
    with transaction(rt.claims.sessions) as session:
        store_reading(session, document.id, claim_id, reading, extraction, error)


def keep_traits(rt: WorkerRuntime, claim_id: str, document: DocumentWork) -> None:
    """A display photo's traits only (no OCR): its first page decoded within the reader's pixel limits."""
    traits = document_traits(rt.claims.blobs.get(document.sha256), document.media_type, rt.reader)
    with transaction(rt.claims.sessions) as session:
        store_traits(session, document.id, claim_id, traits)
