"""Concurrent campaigns: a claim goes through every campaign that applies to it, and its points are the sum.

A base programme and bonus promotions run side by side. A campaign applies to a claim when
1. it runs at the seller's outlet (its partners and outlets, or all),
2. the purchase date lies in its period (an unread date is in every period), and
3. it has products on the claim: it covers every product, or at least one line is eligible under it.

Each applicable campaign gives its own verdict (verify_claim). The claim's verdict is then:
- the campaigns that accept it (any route but auto_rejected and needs_retake) add up their points, each
  campaign's part is kept (CampaignPart), and the most cautious of their routes wins (flagged over
  pending_review over auto_approved): a promotion that would auto-approve never skips the base programme's
  review, and one that does not apply is left out entirely, so it can neither reject nor delay a claim;
- when none accepts, the first applicable campaign's verdict stands (a fixable needs_retake before a rejection);
- when none applies, the claim is outside every campaign: the base programme's (the first campaign's) verdict
  says why (outside_campaign_period, product_not_eligible), and when the base programme does not run at the
  seller's outlet either, the claim goes to an auditor without points (no_campaign).
The choice never depends on a campaign that does not apply, so adding one changes no claim's route or points.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date

from verification.catalogue import CatalogueIndex
from verification.facts import ClaimFacts
from verification.programme import Campaign, History, Outlet, PriorClaim
from verification.sellers import resolve_seller
from verification.signals import DEFAULT_POLICY, RiskPolicy
from verification.verdict import Route, Severity, Verdict, VerdictLine, make_reason
from verification.verify import verify_claim
from vocabulary.reasons import ReasonCode

#: Routes of a campaign that accepts the claim, most cautious first.
CAUTION = (Route.FLAGGED, Route.PENDING_REVIEW, Route.AUTO_APPROVED)


@dataclass(frozen=True)
class CampaignPart:
    """One campaign's share of a claim: its code and the points it gives."""

    code: str
    points: int


@dataclass(frozen=True)
class CampaignsVerdict:
    """The claim's verdict over every applicable campaign, with each accepting campaign's part (in order)."""

    verdict: Verdict
    parts: tuple[CampaignPart, ...] = ()

    @property
    def primary(self) -> str | None:
        """The code of the campaign the claim belongs to first (the first part), if any accepted it."""
        return self.parts[0].code if self.parts else None


def verify_campaigns(claim: ClaimFacts, campaigns: Sequence[Campaign], outlets_by_nip: Mapping[str, Outlet],
                     catalogue: CatalogueIndex, histories: Mapping[str, History], priors: Sequence[PriorClaim], *,
                     today: date, identity_secret: bytes, policy: RiskPolicy = DEFAULT_POLICY) -> CampaignsVerdict:
    """Decide a claim against every campaign that applies to it.

    Args:
        claim, outlets_by_nip, catalogue, priors, today, identity_secret, policy: as verify_claim takes them.
        campaigns: every active campaign, the base programme first (order decides ties and the primary part).
        histories: the participant's history per campaign code (caps count per campaign); a missing code
            counts as no history.
    """
    if not campaigns:
        raise ValueError("verify_campaigns needs at least one campaign")

    def run(campaign: Campaign) -> Verdict:
        return verify_claim(claim, campaign, outlets_by_nip, catalogue, histories.get(campaign.code, History()),
                            priors, today=today, identity_secret=identity_secret, policy=policy)

    outlet = resolve_seller(claim.seller_nip, claim.seller_name, claim.seller_address, outlets_by_nip).outlet
    dated = [c for c in campaigns if c.covers_outlet(outlet) and c.covers_date(claim.date)]
    verdicts = [(c, run(c)) for c in dated]
    applicable = [(c, v) for c, v in verdicts if _has_products(c, v)]
    if not applicable:
        return CampaignsVerdict(_outside_every_campaign(campaigns[0], outlet, run))
    accepting = [(c, v) for c, v in applicable if v.route in CAUTION]
    if not accepting:
        return CampaignsVerdict(_first_refusal([v for _, v in applicable]))
    return _combine(accepting)


def _outside_every_campaign(base: Campaign, outlet: Outlet | None, run) -> Verdict:
    """No campaign applies: the base programme (the first campaign) says why (outside its period, no product
    of it), or, when it does not run at the seller's outlet either, an auditor decides."""
    verdict = run(base)
    return verdict if base.covers_outlet(outlet) else _no_campaign(verdict)


def _no_campaign(verdict: Verdict) -> Verdict:
    """No campaign runs at the seller's outlet: an auditor decides (a duplicate or unreadable photo still says so)."""
    if verdict.route not in CAUTION:
        return verdict
    head = make_reason(ReasonCode.NO_CAMPAIGN, Severity.WARNING)
    return replace(verdict, route=Route.FLAGGED, points=0, reasons=(head, *verdict.reasons),
                   lines=tuple(replace(line, points=0) for line in verdict.lines))


def _has_products(campaign: Campaign, verdict: Verdict) -> bool:
    """A campaign limited to some products applies only when one of them is on the claim."""
    return campaign.eligible_skus is None or any(line.eligible for line in verdict.lines)


def _first_refusal(verdicts: Sequence[Verdict]) -> Verdict:
    """A fixable refusal (needs_retake) before a rejection; otherwise the first campaign's."""
    return next((v for v in verdicts if v.route is Route.NEEDS_RETAKE), verdicts[0])


def _combine(accepting: Sequence[tuple[Campaign, Verdict]]) -> CampaignsVerdict:
    """The accepting campaigns' verdicts as one: the most cautious route, the summed points and lines."""
    parts = tuple(CampaignPart(c.code, v.points) for c, v in accepting)
    if len(accepting) == 1:
        return CampaignsVerdict(accepting[0][1], parts)
    primary = min((v for _, v in accepting), key=lambda v: CAUTION.index(v.route))
    reasons, seen = [], set()
    for verdict in [primary, *(v for _, v in accepting if v is not primary)]:
        for reason in verdict.reasons:
            if reason.code == ReasonCode.AUTO_APPROVED and primary.route is not Route.AUTO_APPROVED:
                continue
            if reason.code not in seen:
                seen.add(reason.code)
                reasons.append(reason)
    lines = _summed_lines([v for _, v in accepting], primary)
    risk = max(v.risk_score for _, v in accepting)
    combined = replace(primary, points=sum(p.points for p in parts), reasons=tuple(reasons), lines=lines,
                       risk_score=risk)
    return CampaignsVerdict(combined, parts)


def _summed_lines(verdicts: Sequence[Verdict], primary: Verdict) -> tuple[VerdictLine, ...]:
    """The primary verdict's lines with each line's points summed over the campaigns (same items, same order)."""
    if any(len(v.lines) != len(primary.lines) for v in verdicts):
        return primary.lines
    summed = []
    for index, line in enumerate(primary.lines):
        others = [v.lines[index] for v in verdicts]
        best = next((x for x in others if x.eligible), line)
        summed.append(replace(best, points=sum(x.points for x in others)))
    return tuple(summed)
