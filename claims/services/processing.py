"""What a worker does to a claim, in small transactional steps; every step is safe to run twice."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from claims.audit import record_event
from claims.db.models import Campaign, Claim, Decision, Document, Outlet, ProductCode
from claims.errors import NotFoundError
from claims.ledger import credit_points
from claims.reasons import reason
from claims.services import rules
from claims.services.campaigns import active_campaigns, campaign_histories, store_parts
from claims.services.ksef_corrections import apply_correction, correction_outcome, is_correction
from claims.services.partner_sales import match_claim
from claims.services.scanned_codes import become_code_claim, scanned_codes
from claims.services.transitions import move_claim
from ocr import ClaimExtraction, DocumentReading, DocumentTraits, Extraction, merge_documents
from verification import ClaimFacts, Route, Verdict
from verification.campaigns import CampaignPart, CampaignsVerdict, verify_campaigns
from verification.duplicates import identity_key
from verification.facts import KsefFacts, parse_date, parse_item
from verification.ksef import document_keys
from vocabulary.claims import ClaimKind, ClaimStatus
from vocabulary.numbers import parse_decimal
from vocabulary.reasons import ReasonCode

#: The key under a document's EXIF record that keeps how the upload was probably made ("screenshot").
CAPTURE_HINTS = "_capture_hints"


@dataclass(frozen=True)
class DocumentWork:
    id: int
    sha256: str
    media_type: str
    has_reading: bool


@dataclass(frozen=True)
class ClaimWork:
    """What a worker needs to know to process a claim."""

    claim_id: str
    kind: str
    documents: tuple[DocumentWork, ...]
    product_codes: tuple[str, ...]


@dataclass(frozen=True)
class Outcome:
    """The end of processing: where the claim goes and what it carries there."""

    status: ClaimStatus
    kind: str
    reasons: list[dict] = field(default_factory=list)
    fields: dict = field(default_factory=dict)
    points: int = 0
    outlet_id: int | None = None
    partner_id: int | None = None
    total: Decimal | None = None
    lines: list[dict] = field(default_factory=list)
    risk_score: float = 0.0
    identity_key: str | None = None
    parts: tuple[CampaignPart, ...] = ()  # each applicable campaign's points


def start_processing(session: Session, claim_id: str) -> ClaimWork | None:
    """Mark the claim processing and describe the work; None when it is already past processing."""
    claim = session.get(Claim, claim_id)
    if claim is None:
        raise NotFoundError(f"claim {claim_id} does not exist")
    if claim.status == ClaimStatus.RECEIVED:
        move_claim(session, claim, ClaimStatus.PROCESSING, attempts=claim.attempts + 1,
                   processing_started_at=datetime.now(UTC))
    elif claim.status != ClaimStatus.PROCESSING:  # a second run of a finished job: nothing to do
        return None
    docs = tuple(
        DocumentWork(d.id, d.sha256, d.media_type, d.reading is not None or d.error_code is not None)
        for d in claim.documents
    )
    return ClaimWork(claim.id, claim.kind, docs, tuple(claim.product_codes or ()))


def save_reading(
    session: Session, document_id: int, reading: dict | None, extraction: dict | None, error_code: str | None,
    exif: dict | None = None,
) -> None:
    """Store what was read from one document (or why it could not be read)."""
    document = session.get(Document, document_id)
    if document is None:
        raise NotFoundError(f"document {document_id} does not exist")
    document.reading, document.extraction, document.error_code = reading, extraction, error_code
    document.exif = exif
    document.read_at = datetime.now(UTC)


def approve_automatically(session: Session, claim_id: str) -> None:
    """Credit a claim the campaign let through without review (recorded as a system decision)."""
    claim = session.get(Claim, claim_id, populate_existing=True)
    if claim is None or claim.status != ClaimStatus.APPROVED:
        return
    decision = Decision(claim_id=claim.id, action="approve", from_status=ClaimStatus.PROCESSING,
                        to_status=ClaimStatus.APPROVED, reason_code=ReasonCode.AUTO_APPROVED, comment="")
    session.add(decision)
    apply_correction(session, claim, decision)  # a KSeF correction: the original's credit reversed first
    credit_points(session, claim, decision, claim.points_proposed)


def store_reading(session: Session, document_id: int, claim_id: str, reading: DocumentReading | None,
                  extraction: Extraction | None, error_code: str | None = None) -> None:
    """Store one document's reading and extraction (or why it could not be read), with its image traits: the
    EXIF tags and capture hints the fraud signals read, and the perceptual hash the duplicate search keys on."""
    traits = reading.traits if reading is not None else DocumentTraits()
    store_traits(session, document_id, claim_id, traits, reading.to_dict() if reading else None,
                 extraction.to_dict() if extraction else None, error_code)


def store_traits(session: Session, document_id: int, claim_id: str, traits: DocumentTraits,
                 reading: dict | None = None, extraction: dict | None = None, error_code: str | None = None) -> None:
    """Store a document's image traits (EXIF tags with the capture hints, the perceptual hash and its bands),
    with its reading when there is one; a display photo is stored with its traits only (it is not OCR'd)."""
    hints = {CAPTURE_HINTS: ",".join(sorted(traits.hints))} if traits.hints else {}
    save_reading(session, document_id, reading, extraction, error_code, exif=dict(traits.exif) | hints)
    if traits.phash is not None:
        rules.save_document_hash(session, document_id, claim_id, traits.phash)


def claim_extraction(session: Session, claim_id: str) -> ClaimExtraction:
    """The claim's fields: its documents' stored extractions, typed again and merged in page order."""
    rows = session.scalars(select(Document).where(Document.claim_id == claim_id).order_by(Document.position))
    return merge_documents([Extraction.from_dict(d.extraction) if d.extraction else None for d in rows])


def outlets_by_nip(session: Session, nips: list[str]) -> dict[str, Outlet]:
    """Active outlets whose NIP is among `nips`."""
    if not nips:
        return {}
    rows = session.scalars(select(Outlet).where(Outlet.nip.in_(nips), Outlet.active.is_(True)))
    return {o.nip: o for o in rows}


def finish_processing(session: Session, claim_id: str, outcome: Outcome) -> bool:
    """Move a processing claim to its outcome; False when another run already finished it."""
    claim = session.get(Claim, claim_id)
    if claim is None or claim.status != ClaimStatus.PROCESSING:
        return False
    move_claim(
        session, claim, outcome.status, kind=outcome.kind, reasons=outcome.reasons, fields=outcome.fields,
        points_proposed=outcome.points, outlet_id=outcome.outlet_id, partner_id=outcome.partner_id,
        total=outcome.total, lines=outcome.lines, risk_score=outcome.risk_score,
        identity_key=outcome.identity_key,
    )
    record_event(session, "claim_processed", claim_id=claim_id,
                 after={"status": str(outcome.status), "reasons": [r["code"] for r in outcome.reasons]})
    return True


def release_claim(session: Session, claim_id: str) -> None:
    """Give a processing claim back (processing -> received) so a retry or the sweeper picks it up."""
    claim = session.get(Claim, claim_id)
    if claim is not None and claim.status == ClaimStatus.PROCESSING:
        move_claim(session, claim, ClaimStatus.RECEIVED)


def fail_claim(session: Session, claim_id: str, detail: str) -> None:
    """A permanent failure: the claim goes to the auditors' flagged queue with a visible reason."""
    claim = session.get(Claim, claim_id)
    if claim is None or claim.status != ClaimStatus.PROCESSING:
        return
    reasons = [reason(ReasonCode.PROCESSING_FAILED, detail=detail[:500])]
    move_claim(session, claim, ClaimStatus.FLAGGED, reasons=reasons)
    record_event(session, "claim_failed", claim_id=claim_id, after={"detail": detail[:500]})


def finish_code_claim(session: Session, claim_id: str) -> bool:
    """Consume a product-code claim's codes atomically and approve it with their points (or reject it)."""
    claim = session.get(Claim, claim_id)
    if claim is None or claim.status != ClaimStatus.PROCESSING:
        return False
    points, reasons, accepted = 0, [], []
    for code in claim.product_codes:
        value = _consume_code(session, code, claim.id)
        if isinstance(value, int):
            points += value
            accepted.append(code)
        else:
            reasons.append(reason(value, product_code=code))
    status = ClaimStatus.APPROVED if accepted else ClaimStatus.REJECTED
    outcome = Outcome(status=status, kind=ClaimKind.PRODUCT_CODE, reasons=reasons,
                      fields={"product_codes": accepted}, points=points)
    finish_processing(session, claim_id, outcome)
    if status is ClaimStatus.APPROVED:
        decision = Decision(claim_id=claim.id, action="approve", from_status=ClaimStatus.PROCESSING,
                            to_status=status, reason_code="valid_product_codes", comment="")
        session.add(decision)
        credit_points(session, claim, decision, points)
    return True


def _consume_code(session: Session, code: str, claim_id: str) -> int | ReasonCode:
    """Points of `code` when this claim may use it (now or on an earlier run), else why not."""
    taken = session.execute(
        update(ProductCode)
        .where(ProductCode.code == code, ProductCode.claim_id.is_(None))
        .values(claim_id=claim_id, used_at=datetime.now(UTC))
        .execution_options(synchronize_session=False)
    )
    row = session.get(ProductCode, code, populate_existing=True)
    if row is None:
        return ReasonCode.INVALID_CODE
    if taken.rowcount == 1 or row.claim_id == claim_id:
        return row.points
    return ReasonCode.CODE_ALREADY_USED


# ---- verifying and routing ---------------------------------------------------------------------------------

#: Where each verdict sends a claim.
ROUTE_STATUS = {
    Route.NEEDS_RETAKE: ClaimStatus.NEEDS_RETAKE,
    Route.AUTO_REJECTED: ClaimStatus.REJECTED,
    Route.PENDING_REVIEW: ClaimStatus.PENDING_REVIEW,
    Route.FLAGGED: ClaimStatus.FLAGGED,
    Route.AUTO_APPROVED: ClaimStatus.APPROVED,
}


def verify_and_route(session: Session, claim_id: str, secret_key: str, now: datetime | None = None
                     ) -> ClaimStatus | None:
    """Verify a processing claim's fields against the programme and move it where the verdict sends it.

    Args:
        session: the transaction the claim moves in (with its lines, reasons, points and identity key).
        claim_id: a claim in `processing` whose documents have all been read.
        secret_key: SECRET_KEY, from which the keyed document-identity hashes are derived.
        now: the moment of the decision (default: the current time).

    Returns:
        The status the claim went to, or None when another run already moved it on.
    """
    claim = session.get(Claim, claim_id)
    if claim is None or claim.status != ClaimStatus.PROCESSING:
        return None
    merged = claim_extraction(session, claim_id)
    if not merged.readable and (codes := scanned_codes(session, claim_id)):  # a photo of packaging, not a receipt
        become_code_claim(session, claim, codes)
        finish_code_claim(session, claim_id)
        return ClaimStatus(claim.status)
    campaigns = active_campaigns(session, claim)
    if not campaigns:
        outcome = Outcome(status=ClaimStatus.FLAGGED, kind=str(merged.kind), fields=claim_fields(merged),
                          reasons=[reason(ReasonCode.NO_CAMPAIGN)])
    else:
        decided = _verdict(session, claim, campaigns, merged, rules.identity_secret(secret_key),
                           now or datetime.now(UTC))
        outcome = replace(_outcome(merged, decided.verdict), parts=decided.parts)
        facts = claim_facts(claim, merged)
        if is_correction(facts):
            outcome = correction_outcome(session, claim, facts, outcome)
    if finish_processing(session, claim_id, outcome):
        store_parts(session, claim_id, outcome.parts)
    if outcome.status is ClaimStatus.APPROVED:
        approve_automatically(session, claim_id)
    match_claim(session, claim_id)  # the partner's own sales record of this invoice, if it sent one
    return ClaimStatus(session.get(Claim, claim_id).status)


def claim_fields(merged: ClaimExtraction) -> dict:
    """The claim's fields as the claim row keeps them: each read value, and the read lines."""
    values: dict = {name: value.value for name, value in merged.fields.items()}
    if merged.items:
        values["items"] = [dict(item) for item in merged.items]
    return values


def claim_facts(claim: Claim, merged: ClaimExtraction) -> ClaimFacts:
    """The claim as verification sees it: the merged fields, its files, who sent it and from where."""
    documents = claim.documents
    exifs = [{k: v for k, v in (d.exif or {}).items() if not k.startswith("_")} for d in documents]
    hints = {h for d in documents for h in (d.exif or {}).get(CAPTURE_HINTS, "").split(",") if h}
    return facts_from_extraction(
        merged, claim_id=claim.id, participant_id=claim.participant_id, submitted_at=claim.submitted_at,
        sha256s=tuple(d.sha256 for d in documents),
        phashes=tuple(rules.to_unsigned(d.phash) for d in documents if d.phash is not None),
        exif=tuple(exifs), capture_hints=frozenset(hints), participant_company_nip=claim.participant.company_nip,
        device_id=claim.device_id, ip=claim.submitted_ip,
    )


def facts_from_extraction(merged: ClaimExtraction, **known: object) -> ClaimFacts:
    """ClaimFacts from a claim's typed fields; `known` gives the rest (claim_id, participant_id, submitted_at,
    sha256s, phashes, exif, capture_hints, participant_company_nip, device_id, ip)."""
    return ClaimFacts(
        kind=str(merged.kind), readable=merged.readable, seller_nip=merged.value("seller_nip"),
        seller_name=merged.value("seller_name"), seller_address=merged.value("seller_address"),
        buyer_nip=merged.value("buyer_nip"), date=parse_date(merged.value("date")),
        document_number=merged.value("document_number"), total=parse_decimal(merged.value("total")),
        items=tuple(parse_item(item) for item in merged.items if not item.get("before")),  # a correction's old state
        sure_fields=frozenset(merged.sure), ksef=ksef_facts(merged), **known,  # type: ignore[arg-type]
    )


def ksef_facts(merged: ClaimExtraction) -> KsefFacts:
    """What the claim's KSeF data said exactly (an e-invoice's XML, its QR codes, its KSeF number)."""
    return KsefFacts(
        xml_hash=merged.value("xml_hash"), qr_hash=merged.value("qr_hash"), ksef_number=merged.value("ksef_number"),
        issue_date=parse_date(merged.value("issue_date")), invoice_type=merged.value("invoice_type"),
        corrected_ksef_number=merged.value("corrected_ksef_number"),
        corrected_document_number=merged.value("corrected_document_number"),
        certificate=merged.value("ksef_certificate"),
    )


def _verdict(session: Session, claim: Claim, campaigns: list[Campaign], merged: ClaimExtraction, secret: bytes,
             now: datetime) -> CampaignsVerdict:
    """Load what the rules need (outlets, catalogue, earlier claims, the participant's history per campaign)
    and ask them, over every active campaign."""
    facts = claim_facts(claim, merged)
    outlets = rules.outlet_values(session)
    key = identity_key(facts.identity_fields(), secret)
    keys = rules.save_document_keys(session, claim.id, document_keys(facts))
    priors = rules.priors_for(session, claim, list(facts.sha256s), list(facts.phashes), key, keys)
    seller_outlets = [o.id for nip, o in outlets.items() if nip == facts.seller_nip]
    histories = campaign_histories(session, claim, campaigns, seller_outlets, now)
    return verify_campaigns(facts, [rules.campaign_values(c) for c in campaigns], outlets,
                            rules.catalogue_index(session), histories, priors, today=now.date(),
                            identity_secret=secret)


def _outcome(merged: ClaimExtraction, verdict: Verdict) -> Outcome:
    return Outcome(
        status=ROUTE_STATUS[verdict.route], kind=str(merged.kind), reasons=[r.to_dict() for r in verdict.reasons],
        fields=claim_fields(merged), points=verdict.points, outlet_id=verdict.outlet_id,
        partner_id=verdict.partner_id, total=parse_decimal(merged.value("total")),
        lines=[line.to_dict() for line in verdict.lines], risk_score=verdict.risk_score,
        identity_key=verdict.identity_key,
    )
