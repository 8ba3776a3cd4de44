"""KSeF evidence in verification: exact document identities (the same invoice in any form, by anyone, is a
duplicate), the XML-versus-QR hash check, and the KSeF number's fit to the invoice.

An uploaded XML's identity is base64url(SHA-256 of its bytes); its print's KOD I QR code carries the same hash.
So `ksef:<hash>` is one key whether the claim carried the XML, a PDF of its print or a photo of that print.
A KSeF number (`ksefnr:`) is a second exact key. `inv:<NIP>|<number>` (KSeF's own uniqueness rule: seller and
invoice number) finds the other claims of the same invoice whose hashes are then compared: an XML whose hash is
not the one its print's QR code says was altered (or the print was), a strong fraud signal.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from verification.facts import ClaimFacts
from verification.programme import PriorClaim
from verification.signals import RiskPolicy, Signal
from verification.verdict import Severity
from vocabulary.reasons import ReasonCode

_NUMBER = re.compile(r"(\d{10})-(\d{8})-[0-9A-F]{12,13}-[0-9A-F]{2}")
#: How strongly each KSeF signal weighs (a hash mismatch is evidence of an altered document).
WEIGHTS = {ReasonCode.KSEF_HASH_MISMATCH: 0.95, ReasonCode.KSEF_NUMBER_MISMATCH: 0.6}
#: A prior's exact key that makes this claim a duplicate, with the name the evidence gives it.
DUPLICATE_KEYS = {"ksef": "ksef_hash", "ksefnr": "ksef_number"}


def invoice_key(seller_nip: str | None, document_number: str | None) -> str | None:
    """KSeF's own uniqueness rule for an invoice: its seller's NIP and its number (normalised)."""
    number = re.sub(r"\s+", "", (document_number or "").upper())
    return f"inv:{seller_nip}|{number}"[:160] if seller_nip and number else None


def document_keys(claim: ClaimFacts) -> frozenset[str]:
    """Every exact identity of the claim's invoice (empty when it carried no KSeF data)."""
    ksef = claim.ksef
    if not ksef:
        return frozenset()
    keys = {f"ksef:{h}" for h in (ksef.xml_hash, ksef.qr_hash) if h}
    if ksef.ksef_number:
        keys.add(f"ksefnr:{ksef.ksef_number}")
    if (found := invoice_key(claim.seller_nip, claim.document_number)) is not None:
        keys.add(found)
    return frozenset(keys)


@dataclass(frozen=True)
class ExactDuplicate:
    prior: PriorClaim
    by: str  # "ksef_hash" or "ksef_number"
    value: str


def exact_document_duplicate(claim: ClaimFacts, priors: Sequence[PriorClaim],
                             ignored: frozenset[str]) -> ExactDuplicate | None:
    """The first earlier claim carrying the same invoice by an exact key (hash or KSeF number), or None."""
    keys = document_keys(claim)
    for prior in priors:
        if prior.id == claim.claim_id or prior.status in ignored:
            continue
        for key in sorted(keys & prior.document_keys):
            kind, _, value = key.partition(":")
            if kind in DUPLICATE_KEYS:
                return ExactDuplicate(prior, DUPLICATE_KEYS[kind], value)
    return None


def ksef_signals(claim: ClaimFacts, priors: Sequence[PriorClaim], policy: RiskPolicy) -> list[Signal]:
    """The hash check (within the claim and against other claims of the same invoice) and the number's fit."""
    return [*_hash_signals(claim, priors, policy), *_number_signals(claim, policy)]


def _weight(code: ReasonCode, policy: RiskPolicy) -> float:
    return float(policy.weights.get(code, WEIGHTS[code]))


def _hash_signals(claim: ClaimFacts, priors: Sequence[PriorClaim], policy: RiskPolicy) -> list[Signal]:
    ksef = claim.ksef
    if not ksef or not (ksef.xml_hash or ksef.qr_hash):
        return []
    pairs = []
    if ksef.xml_hash and ksef.qr_hash and ksef.xml_hash != ksef.qr_hash:
        pairs.append({"xml_hash": ksef.xml_hash, "qr_hash": ksef.qr_hash, "in": "this_claim"})
    invoice = invoice_key(claim.seller_nip, claim.document_number)
    for prior in priors:
        if prior.id == claim.claim_id or invoice is None or invoice not in prior.document_keys:
            continue
        if ksef.qr_hash and prior.xml_hash and prior.xml_hash != ksef.qr_hash:
            pairs.append({"xml_hash": prior.xml_hash, "qr_hash": ksef.qr_hash, "in": "other_claim",
                          "prior_claim": prior.id})
        if ksef.xml_hash and prior.qr_hash and prior.qr_hash != ksef.xml_hash:
            pairs.append({"xml_hash": ksef.xml_hash, "qr_hash": prior.qr_hash, "in": "other_claim",
                          "prior_claim": prior.id})
    weight = _weight(ReasonCode.KSEF_HASH_MISMATCH, policy)
    return [Signal(ReasonCode.KSEF_HASH_MISMATCH, Severity.BLOCKING, weight, pair) for pair in pairs[:3]]


def _number_signals(claim: ClaimFacts, policy: RiskPolicy) -> list[Signal]:
    """A KSeF number of another seller, or accepted by KSeF before the invoice was issued, is not this one's."""
    ksef = claim.ksef
    match = _NUMBER.fullmatch(ksef.ksef_number or "") if ksef else None
    if match is None:
        return []
    nip, day = match.group(1), match.group(2)
    issued = ksef.issue_date or claim.date
    problem = None
    if claim.seller_nip and nip != claim.seller_nip:
        problem = "nip"
    elif issued is not None and day < issued.strftime("%Y%m%d"):
        problem = "date"
    if problem is None:
        return []
    return [Signal(ReasonCode.KSEF_NUMBER_MISMATCH, Severity.WARNING, _weight(ReasonCode.KSEF_NUMBER_MISMATCH, policy),
                   {"ksef_number": ksef.ksef_number, "problem": problem, "seller_nip": claim.seller_nip})]
