"""verify_claim: one read document claim through the programme's rules, to a routed Verdict.

The pipeline, in order (the first step that decides ends it):
1. exact duplicate (same file, the same KSeF invoice by its hash or KSeF number, or same document identity
   across any participants) -> auto_rejected; flagged instead when the KSeF hashes of the two disagree
2. nothing readable -> needs_retake
3. seller: a valid NIP of no partner -> auto_rejected (unknown_seller); no NIP and no outlet by name and
   address -> needs_retake (no_seller_nip)
4. purchase outside the campaign, or submitted too late -> auto_rejected
5. campaign requires the buyer's NIP and the document shows none -> needs_retake (buyer_nip_required)
6. lines -> products -> eligibility -> points; every line settled (matched automatically, or resembling no
   product), none eligible, and the items add up to the total (none was missed) -> auto_rejected
7. near duplicate, risk score >= policy.flag_at, or a blocking signal (buyer NIP not the participant's
   company when required, an e-invoice XML whose hash is not its QR code's) -> flagged (the auditor)
8. the campaign auto-approves and nothing is uncertain -> auto_approved; otherwise pending_review (the partner)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from verification.catalogue import CatalogueIndex
from verification.duplicates import IGNORED_STATUSES, DuplicateKind, exact_duplicates, identity_key, near_duplicates
from verification.facts import KEY_FIELDS, ClaimFacts
from verification.ksef import exact_document_duplicate, ksef_signals
from verification.lines import LinesAssessment, assess_lines
from verification.programme import Campaign, History, Outlet, PriorClaim
from verification.sellers import SellerMatch, SellerMethod, resolve_seller
from verification.signals import DEFAULT_POLICY, RiskPolicy, Signal, collect_signals, risk_score
from verification.verdict import Reason, Route, Severity, Verdict, make_reason
from vocabulary.reasons import ReasonCode

REJECTING_SIGNALS = (ReasonCode.OUTSIDE_CAMPAIGN_PERIOD, ReasonCode.SUBMITTED_TOO_LATE)


@dataclass(frozen=True)
class _Context:
    claim: ClaimFacts
    campaign: Campaign
    key: str | None
    seller: SellerMatch

    def verdict(self, route: Route, reasons: Sequence[Reason], points: int = 0, **extra) -> Verdict:
        outlet = self.seller.outlet
        return Verdict(route, points, tuple(reasons), outlet.id if outlet else None,
                       outlet.partner_id if outlet else None, identity_key=self.key, **extra)


def verify_claim(claim: ClaimFacts, campaign: Campaign, outlets_by_nip: Mapping[str, Outlet],
                 catalogue: CatalogueIndex, history: History, priors: Sequence[PriorClaim], *, today: date,
                 identity_secret: bytes, policy: RiskPolicy = DEFAULT_POLICY) -> Verdict:
    """Decide what a receipt or invoice claim is worth and who must look at it.

    Args:
        claim: the read fields, items, files (sha256, perceptual hashes, EXIF), submitter and device.
        campaign: the campaign the claim was submitted to (period, eligible SKUs, points rules, flags).
        outlets_by_nip: every active partner outlet keyed by its NIP (all of them: without a readable NIP the
            seller is looked for by name and address among these).
        catalogue: the catalogue index (CatalogueIndex.build over products, partners' learned names included).
        history: the participant's earlier points, claim totals, submission times; device/IP submissions.
        priors: earlier claims that share a file, the identity key, a perceptual-hash band or the seller NIP
            and date; this claim itself may be among them (it is skipped, so re-running gives the same verdict).
        today: the programme's current date (no clock is read here).
        identity_secret: the HMAC key of document identity keys (the same for every claim, kept secret).
        policy: thresholds and weights of the risk signals.

    Returns:
        The Verdict: route, proposed points (after caps), reasons with Polish and English messages and
        evidence, outlet and partner, risk score, one VerdictLine per item, and the identity key to store.
    """
    key = identity_key(claim.identity_fields(), identity_secret)
    context = _Context(claim, campaign, key, SellerMatch(None, SellerMethod.NONE))
    early = _duplicate(context, priors, policy) or _unreadable(context)
    if early:
        return early
    seller = resolve_seller(claim.seller_nip, claim.seller_name, claim.seller_address, outlets_by_nip)
    context = _Context(claim, campaign, key, seller)
    signals = collect_signals(claim, campaign, history, seller.outlet.id if seller.outlet else None,
                              today=today, policy=policy)
    signals += ksef_signals(claim, priors, policy)
    early = _seller_problem(context) or _rule_rejection(context, signals) or _buyer_nip_missing(context)
    if early:
        return early
    lines = assess_lines(claim, campaign, catalogue, seller.outlet.partner_id, history)
    if lines.clearly_nothing_eligible and _all_items_read(claim, signals):
        reason = make_reason(ReasonCode.PRODUCT_NOT_ELIGIBLE, Severity.BLOCKING, items=[x.item for x in lines.lines])
        return context.verdict(Route.AUTO_REJECTED, [reason], lines=lines.lines)
    signals += _near_signals(claim, priors, policy)
    return _decide(context, lines, signals, policy)


def _duplicate(context: _Context, priors: Sequence[PriorClaim], policy: RiskPolicy) -> Verdict | None:
    """An earlier claim of the same file or document: rejected, unless the two e-invoice hashes disagree (then
    one of them was altered: an auditor sees both)."""
    reason = _duplicate_reason(context, priors)
    if reason is None:
        return None
    mismatches = [make_reason(s.code, s.severity, weight=s.weight, **s.evidence)
                  for s in ksef_signals(context.claim, priors, policy) if s.code is ReasonCode.KSEF_HASH_MISMATCH]
    if mismatches:
        head = make_reason(ReasonCode.NEEDS_AUDIT, Severity.WARNING)
        return context.verdict(Route.FLAGGED, [head, *mismatches, reason])
    return context.verdict(Route.AUTO_REJECTED, [reason])


def _duplicate_reason(context: _Context, priors: Sequence[PriorClaim]) -> Reason | None:
    claim = context.claim
    found = exact_duplicates(claim.claim_id, claim.sha256s, context.key, priors)
    if found:
        first = found[0]
        return make_reason(ReasonCode.DUPLICATE, Severity.BLOCKING, by=str(first.kind),
                           other_participant=first.participant_id != claim.participant_id, **first.evidence)
    exact = exact_document_duplicate(claim, priors, IGNORED_STATUSES)
    if exact is None:
        return None
    return make_reason(ReasonCode.DUPLICATE, Severity.BLOCKING, by=exact.by, prior_claim=exact.prior.id,
                       other_participant=exact.prior.participant_id != claim.participant_id, **{exact.by: exact.value})


def _unreadable(context: _Context) -> Verdict | None:
    if context.claim.readable:
        return None
    return context.verdict(Route.NEEDS_RETAKE, [make_reason(ReasonCode.UNREADABLE, Severity.BLOCKING)])


def _seller_problem(context: _Context) -> Verdict | None:
    seller = context.seller
    if seller.method is SellerMethod.UNKNOWN_NIP:
        reason = make_reason(ReasonCode.UNKNOWN_SELLER, Severity.BLOCKING, seller_nip=seller.nip)
        return context.verdict(Route.AUTO_REJECTED, [reason])
    if seller.outlet is None:
        reason = make_reason(ReasonCode.NO_SELLER_NIP, Severity.BLOCKING, seller_name=context.claim.seller_name)
        return context.verdict(Route.NEEDS_RETAKE, [reason])
    return None


def _rule_rejection(context: _Context, signals: Sequence[Signal]) -> Verdict | None:
    broken = [s for s in signals if s.code in REJECTING_SIGNALS]
    if not broken:
        return None
    return context.verdict(Route.AUTO_REJECTED, [make_reason(s.code, s.severity, **s.evidence) for s in broken])


def _buyer_nip_missing(context: _Context) -> Verdict | None:
    if not context.campaign.require_buyer_nip or context.claim.buyer_nip:
        return None
    return context.verdict(Route.NEEDS_RETAKE, [make_reason(ReasonCode.BUYER_NIP_REQUIRED, Severity.BLOCKING)])


def _all_items_read(claim: ClaimFacts, signals: Sequence[Signal]) -> bool:
    """The items carry amounts that add up to the total, so no line was missed by the reader."""
    return (claim.total is not None and all(item.amount is not None for item in claim.items)
            and not any(s.code is ReasonCode.TOTALS_MISMATCH for s in signals))


def _near_signals(claim: ClaimFacts, priors: Sequence[PriorClaim], policy: RiskPolicy) -> list[Signal]:
    found = near_duplicates(claim.claim_id, claim.phashes, priors, seller_nip=claim.seller_nip, day=claim.date,
                            total=claim.total)
    weight = float(policy.weights.get(ReasonCode.NEAR_DUPLICATE, 0.7))
    return [Signal(ReasonCode.NEAR_DUPLICATE, Severity.WARNING, weight, dict(m.evidence))
            for m in found if m.kind is DuplicateKind.NEAR]


def _decide(context: _Context, lines: LinesAssessment, signals: Sequence[Signal], policy: RiskPolicy) -> Verdict:
    risk = risk_score(signals)
    notes = _notes(context, lines)
    signal_reasons = [make_reason(s.code, s.severity, weight=s.weight, **s.evidence) for s in signals]
    audit = (risk >= policy.flag_at or any(s.code is ReasonCode.NEAR_DUPLICATE for s in signals)
             or any(s.severity is Severity.BLOCKING for s in signals))
    if audit:
        head = make_reason(ReasonCode.NEEDS_AUDIT, Severity.WARNING, risk_score=risk)
        return context.verdict(Route.FLAGGED, [head, *signal_reasons, *notes, *lines.reasons],
                               lines.points.points, risk_score=risk, lines=lines.lines)
    reasons = [*notes, *lines.reasons, *signal_reasons]
    if context.campaign.auto_approve and _certain(context, lines, signals, notes):
        reasons.append(make_reason(ReasonCode.AUTO_APPROVED, Severity.INFO))
        return context.verdict(Route.AUTO_APPROVED, reasons, lines.points.points, risk_score=risk, lines=lines.lines)
    return context.verdict(Route.PENDING_REVIEW, reasons, lines.points.points, risk_score=risk, lines=lines.lines)


def _notes(context: _Context, lines: LinesAssessment) -> list[Reason]:
    """Warnings about what was not read or not read surely (they keep a claim from auto-approval)."""
    claim, notes = context.claim, []
    if context.seller.method is SellerMethod.NAME:
        notes.append(make_reason(ReasonCode.SELLER_MATCHED_BY_NAME, Severity.WARNING, score=context.seller.score,
                                 seller_name=claim.seller_name, outlet_id=context.seller.outlet.id))
    if claim.date is None:
        notes.append(make_reason(ReasonCode.NO_DATE, Severity.WARNING))
    if claim.total is None:
        notes.append(make_reason(ReasonCode.NO_TOTAL, Severity.WARNING))
    if not lines.lines:
        notes.append(make_reason(ReasonCode.NO_ITEMS, Severity.WARNING))
    unsure = [name for name in KEY_FIELDS if name not in claim.sure_fields]
    if unsure:
        notes.append(make_reason(ReasonCode.UNCERTAIN_FIELDS, Severity.INFO, fields=unsure))
    return notes


def _certain(context: _Context, lines: LinesAssessment, signals: Sequence[Signal], notes: Sequence[Reason]) -> bool:
    """Nothing a human should look at: seller by NIP, sure fields, every line settled, no signal, points."""
    return (context.seller.method is SellerMethod.NIP and context.key is not None and not notes
            and not signals and not lines.uncertain and lines.points.points > 0
            and not any(r.severity is Severity.WARNING for r in lines.reasons))
