"""Job functions. Thin: each is a short list of named steps over claims services, ocr and verification."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from claims.db.engine import transaction
from claims.db.models import Campaign, Claim
from claims.errors import NotFoundError
from claims.reasons import reason
from claims.services import rules
from claims.services.processing import (
    ClaimWork,
    Outcome,
    approve_automatically,
    claim_extractions,
    fail_claim,
    finish_code_claim,
    finish_processing,
    save_reading,
    start_processing,
)
from ocr import OcrError, extract_fields
from ocr.sandbox import read_document_forked
from verification import Route, Verdict, facts_from_fields, verify_claim
from verification.duplicates import identity_key
from vocabulary.claims import ClaimKind, ClaimStatus
from vocabulary.reasons import ReasonCode
from workers.merge import MergedFields, merge_extractions
from workers.runtime import WorkerRuntime, current
from workers.traits import document_traits

log = logging.getLogger(__name__)

ROUTE_STATUS = {
    Route.NEEDS_RETAKE: ClaimStatus.NEEDS_RETAKE,
    Route.AUTO_REJECTED: ClaimStatus.REJECTED,
    Route.PENDING_REVIEW: ClaimStatus.PENDING_REVIEW,
    Route.FLAGGED: ClaimStatus.FLAGGED,
    Route.AUTO_APPROVED: ClaimStatus.APPROVED,
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
    """Read every document not read yet and store each reading (and its image traits) in its own transaction."""
    for document in work.documents:
        if document.has_reading:
            continue
        data = rt.claims.blobs.get(document.sha256)
        try:
            reading = read_document_forked(data, rt.reader)  # a limited child: one bad file never kills the worker
            extraction = extract_fields(reading)
            stored = (reading.to_dict(), extraction.to_dict(), None)
        except OcrError as exc:
            log.info("document %s unreadable: %s", document.id, exc.code)
            stored = (None, None, exc.code)
        traits = document_traits(data, document.media_type, rt.reader)
        with transaction(rt.claims.sessions) as session:
            save_reading(session, document.id, *stored, exif=traits.exif | _hints(traits.hints))
            if traits.phash is not None:
                rules.save_document_hash(session, document.id, work.claim_id, traits.phash)


def _hints(hints: frozenset[str]) -> dict[str, str]:
    return {"_capture_hints": ",".join(sorted(hints))} if hints else {}


def route_claim(rt: WorkerRuntime, claim_id: str) -> None:
    """Verify the claim against the programme's rules and move it where the verdict sends it."""
    with transaction(rt.claims.sessions) as session:
        claim = session.get(Claim, claim_id)
        merged = merge_extractions(claim_extractions(session, claim_id))
        campaign = session.get(Campaign, claim.campaign_id) if claim.campaign_id else None
        if campaign is None:
            outcome = Outcome(status=ClaimStatus.FLAGGED, kind=merged.kind, fields=merged.fields,
                              reasons=[reason(ReasonCode.NO_CAMPAIGN)])
        else:
            outcome = _outcome(merged, _verdict(session, rt, claim, campaign, merged))
        finish_processing(session, claim_id, outcome)
        if outcome.status is ClaimStatus.APPROVED:
            approve_automatically(session, claim_id)


def _verdict(session: Session, rt: WorkerRuntime, claim: Claim, campaign: Campaign, merged: MergedFields) -> Verdict:
    documents = claim.documents
    exifs = [{k: v for k, v in (d.exif or {}).items() if not k.startswith("_")} for d in documents]
    hints = {h for d in documents for h in (d.exif or {}).get("_capture_hints", "").split(",") if h}
    phashes = [rules.to_unsigned(d.phash) for d in documents if d.phash is not None]
    facts = facts_from_fields(
        merged.fields, claim_id=claim.id, participant_id=claim.participant_id,
        submitted_at=claim.submitted_at, kind=merged.kind, readable=merged.readable, sure=merged.sure,
        sha256s=tuple(d.sha256 for d in documents), phashes=tuple(phashes), exif=tuple(exifs),
        capture_hints=frozenset(hints), participant_company_nip=claim.participant.company_nip,
        device_id=claim.device_id, ip=claim.submitted_ip,
    )
    secret = rules.identity_secret(rt.claims.settings.secret_key)
    outlets = rules.outlet_values(session)
    key = identity_key(facts.identity_fields(), secret)
    priors = rules.priors_for(session, claim, list(facts.sha256s), phashes, key)
    seller_outlets = [o.id for nip, o in outlets.items() if nip == facts.seller_nip]
    now = datetime.now(UTC)
    history = rules.history_for(session, claim, campaign.id, seller_outlets, now)
    return verify_claim(facts, rules.campaign_values(campaign), outlets, rules.catalogue_index(session), history,
                        priors, today=now.date(), identity_secret=secret)


def _outcome(merged: MergedFields, verdict: Verdict) -> Outcome:
    total = merged.fields.get("total")
    return Outcome(
        status=ROUTE_STATUS[verdict.route], kind=merged.kind, reasons=[r.to_dict() for r in verdict.reasons],
        fields=merged.fields, points=verdict.points, outlet_id=verdict.outlet_id, partner_id=verdict.partner_id,
        total=rules.parse_decimal(total) if total else None, lines=[line.to_dict() for line in verdict.lines],
        risk_score=verdict.risk_score, identity_key=verdict.identity_key,
    )

