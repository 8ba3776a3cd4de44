"""Correction invoices (KSeF `RodzajFaktury` KOR, KOR_ZAL, KOR_ROZ): points move through the ledger, never by edit.

A correction names the invoice it corrects (`NrKSeFFaKorygowanej`, or the seller NIP and `NrFaKorygowanej`).
When that invoice was credited in the programme, the correction claim carries `corrects_claim`: on its
approval the original's credit is reversed and the correction is credited with the points of the corrected
lines (a reversal and a new credit). A correction that does not raise the points (quantities returned) is
applied at once; one that raises them waits for the partner's decision, always so when the participant issued
the invoice itself. A correction with no original in the programme goes to an auditor.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from claims.db.ksef_models import DocumentKey
from claims.db.models import Claim, Decision, LedgerEntry
from claims.ledger import reverse_points
from verification.facts import ClaimFacts
from verification.ksef import invoice_key
from verification.verdict import Severity, make_reason
from vocabulary.claims import ClaimStatus
from vocabulary.reasons import ReasonCode

if TYPE_CHECKING:
    from claims.services.processing import Outcome

#: The invoice types that correct another invoice.
CORRECTION_TYPES = frozenset({"KOR", "KOR_ZAL", "KOR_ROZ"})
#: Where a correction may not go by itself.
_SETTLED = (ClaimStatus.REJECTED, ClaimStatus.NEEDS_RETAKE, ClaimStatus.FLAGGED)


def is_correction(facts: ClaimFacts) -> bool:
    return bool(facts.ksef) and (facts.ksef.invoice_type or "") in CORRECTION_TYPES


def corrected_claim(session: Session, claim_id: str, facts: ClaimFacts) -> Claim | None:
    """The approved (credited) claim of the invoice `facts` corrects, or None."""
    ksef = facts.ksef
    keys = [key for key in (f"ksefnr:{ksef.corrected_ksef_number}" if ksef.corrected_ksef_number else None,
                            invoice_key(facts.seller_nip, ksef.corrected_document_number)) if key]
    if not keys:
        return None
    found = select(DocumentKey.claim_id).where(DocumentKey.key.in_(keys))
    original = session.scalars(select(Claim).where(Claim.id.in_(found), Claim.id != claim_id,
                                                   Claim.status == ClaimStatus.APPROVED)
                               .order_by(Claim.submitted_at).limit(1)).first()
    return _latest_correction(session, original, claim_id) if original is not None else None


def _latest_correction(session: Session, claim: Claim, excluded: str) -> Claim:
    """The approved correction that replaced `claim`'s credit last (a second correction of one invoice
    replaces the first correction's points, not the original's again); `claim` itself when there is none."""
    seen = {claim.id}
    while True:
        corrections = select(DocumentKey.claim_id).where(DocumentKey.key == f"corrects:{claim.id}")
        newer = session.scalars(select(Claim).where(Claim.id.in_(corrections), Claim.id != excluded,
                                                    Claim.status == ClaimStatus.APPROVED)
                                .order_by(Claim.submitted_at.desc()).limit(1)).first()
        if newer is None or newer.id in seen:
            return claim
        seen.add(newer.id)
        claim = newer


def credited_points(session: Session, claim_id: str) -> int:
    """What a claim holds in the ledger now (its credit less any reversal)."""
    points = func.coalesce(func.sum(LedgerEntry.points), 0)
    total = session.scalar(select(points).where(LedgerEntry.claim_id == claim_id))
    return int(total or 0)


def correction_outcome(session: Session, claim: Claim, facts: ClaimFacts, outcome: Outcome) -> Outcome:
    """A correction claim's outcome: linked to its original, applied at once only when it takes points back."""
    original = corrected_claim(session, claim.id, facts)
    if original is None:
        missing = make_reason(ReasonCode.CORRECTION_WITHOUT_ORIGINAL, Severity.WARNING,
                              corrected_ksef_number=facts.ksef.corrected_ksef_number,
                              corrected_document_number=facts.ksef.corrected_document_number).to_dict()
        status = outcome.status if outcome.status in _SETTLED[:2] else ClaimStatus.FLAGGED
        return replace(outcome, status=status, reasons=[missing, *outcome.reasons])
    before = credited_points(session, original.id)
    session.add(DocumentKey(claim_id=claim.id, key=f"corrects:{original.id}"))  # the chain of corrections
    note = make_reason(ReasonCode.CORRECTION_OF_INVOICE, Severity.INFO, original_claim=original.id,
                       points_before=before, points_after=outcome.points).to_dict()
    fields = {**outcome.fields, "corrects_claim": original.id}
    reasons = [note, *outcome.reasons]
    status = outcome.status
    own = bool(facts.participant_company_nip) and facts.participant_company_nip == facts.seller_nip
    if outcome.points > before:
        if own:
            reasons.append(make_reason(ReasonCode.CORRECTION_OF_OWN_INVOICE, Severity.WARNING).to_dict())
        if status is ClaimStatus.APPROVED:
            status = ClaimStatus.PENDING_REVIEW  # raising points is the partner's decision
    elif status not in _SETTLED:
        status = ClaimStatus.APPROVED  # it only takes points back: applied at once
    return replace(outcome, status=status, fields=fields, reasons=reasons)


def apply_correction(session: Session, claim: Claim, decision: Decision | None) -> None:
    """On a correction's approval, reverse the credit of the claim it corrects (once; its own credit is the new
    one)."""
    original_id = (claim.fields or {}).get("corrects_claim")
    original = session.get(Claim, original_id) if original_id else None
    if original is None:
        return
    reversed_ = session.scalar(select(LedgerEntry.id).where(LedgerEntry.claim_id == original.id,
                                                            LedgerEntry.kind == "reversal"))
    if reversed_ is None and credited_points(session, original.id) != 0:
        reverse_points(session, original, decision)
