"""Job functions. Thin: each is a short list of named steps over claims services, ocr and verification."""

from __future__ import annotations

import logging
from decimal import Decimal

from sqlalchemy.exc import OperationalError

from claims.db.engine import transaction
from claims.db.models import Campaign, Claim
from claims.errors import NotFoundError
from claims.lifecycle import ClaimKind, ClaimStatus
from claims.services.processing import (
    ClaimWork,
    Outcome,
    claim_extractions,
    fail_claim,
    finish_code_claim,
    finish_processing,
    outlets_by_nip,
    save_reading,
    start_processing,
)
from ocr import OcrError, extract_fields, read_document
from verification import CampaignRules, OutletRef, Route, route_document_claim
from workers.merge import merge_extractions
from workers.runtime import WorkerRuntime, current

log = logging.getLogger(__name__)

ROUTE_STATUS = {
    Route.NEEDS_RETAKE: ClaimStatus.NEEDS_RETAKE,
    Route.AUTO_REJECTED: ClaimStatus.REJECTED,
    Route.PENDING_REVIEW: ClaimStatus.PENDING_REVIEW,
    Route.FLAGGED: ClaimStatus.FLAGGED,
    Route.AUTO_APPROVED: ClaimStatus.PENDING_REVIEW,  # auto-approval arrives with the campaign rules
}
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
        else:
            read_documents(rt, work)
            route_claim(rt, claim_id)
    except TRANSIENT_ERRORS:
        raise  # rq retries with backoff; the claim stays in processing, the sweeper is the last resort
    except Exception as exc:
        log.exception("claim %s failed permanently", claim_id)
        with transaction(rt.claims.sessions) as session:
            fail_claim(session, claim_id, f"{type(exc).__name__}: {exc}")
        raise
    return "processed"


def read_documents(rt: WorkerRuntime, work: ClaimWork) -> None:
    """Read every document not read yet and store each reading in its own transaction."""
    for document in work.documents:
        if document.has_reading:
            continue
        data = rt.claims.blobs.get(document.sha256)
        try:
            reading = read_document(data, rt.reader)
            extraction = extract_fields(reading)
            stored = (reading.to_dict(), extraction.to_dict(), None)
        except OcrError as exc:
            log.info("document %s unreadable: %s", document.id, exc.code)
            stored = (None, None, exc.code)
        with transaction(rt.claims.sessions) as session:
            save_reading(session, document.id, *stored)


def route_claim(rt: WorkerRuntime, claim_id: str) -> None:
    """Verify the claim's merged fields and move it to where the verdict sends it."""
    with transaction(rt.claims.sessions) as session:
        merged = merge_extractions(claim_extractions(session, claim_id))
        outlets = {
            nip: OutletRef(o.id, o.partner_id, o.nip, o.name)
            for nip, o in outlets_by_nip(session, [merged.fields.get("seller_nip") or ""]).items()
        }
        verdict = route_document_claim(merged.read_fields(), outlets, _campaign_rules(session, claim_id))
        total = merged.fields.get("total")
        outcome = Outcome(
            status=ROUTE_STATUS[verdict.route],
            kind=merged.kind,
            reasons=[r.to_dict() for r in verdict.reasons],
            fields=merged.fields,
            points=verdict.points,
            outlet_id=verdict.outlet_id,
            partner_id=verdict.partner_id,
            total=Decimal(total) if total else None,
        )
        finish_processing(session, claim_id, outcome)


def _campaign_rules(session, claim_id: str) -> CampaignRules:
    claim = session.get(Claim, claim_id)
    campaign = session.get(Campaign, claim.campaign_id) if claim.campaign_id else None
    if campaign is None:
        return CampaignRules(points_per_pln=Decimal("0"))
    return CampaignRules(campaign.points_per_pln, campaign.starts_on, campaign.ends_on)
