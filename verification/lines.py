"""A claim's printed lines -> catalogue products -> eligibility -> points (one step of verify_claim)."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from verification.catalogue import CatalogueIndex
from verification.facts import ClaimFacts, LineItem
from verification.matching import DEFAULT_THRESHOLDS, LineMatch, match_line
from verification.points import PointsResult, PricedLine, claim_points, priced_item
from verification.programme import Campaign, History, Product
from verification.verdict import Reason, Severity, VerdictLine, make_reason
from vocabulary.reasons import ReasonCode


@dataclass(frozen=True)
class LinesAssessment:
    lines: tuple[VerdictLine, ...]
    points: PointsResult
    reasons: tuple[Reason, ...]

    @property
    def uncertain(self) -> bool:
        """Some line needs a human: a suggested product that was not matched automatically."""
        return any(line.product_id is not None and not line.auto for line in self.lines)

    @property
    def clearly_nothing_eligible(self) -> bool:
        """Lines were read and every one is settled: matched automatically to a product outside the campaign,
        or resembling no catalogue product at all (a competitor's product that looks like ours is not settled:
        a human decides). Whether every line was read at all is the caller's check (the total adds up)."""
        settled = all(line.auto or (line.product_id is None and line.score < DEFAULT_THRESHOLDS.suggest_score)
                      for line in self.lines)
        return bool(self.lines) and settled and not any(line.eligible for line in self.lines)


def assess_lines(claim: ClaimFacts, campaign: Campaign, catalogue: CatalogueIndex, partner_id: int | None,
                 history: History) -> LinesAssessment:
    """Match every item (the partner's own names first), decide eligibility, count points."""
    items = [item for item in claim.items if item.name]
    matches = [match_line(catalogue, item.name, partner_id, gtin=item.gtin, seller_index=item.seller_index)
               for item in items]
    products = [_product(catalogue, m) for m in matches]
    eligible = [p is not None and campaign.is_eligible(p.sku) for p in products]
    priced = [_priced(item, product, claim, campaign)
              for item, product, ok in zip(items, products, eligible, strict=True) if ok]
    result = claim_points(priced, campaign.rules, claim.date, history, cap_day=claim.date or claim.submitted_on)
    per_line = iter(result.line_points)
    lines = tuple(_verdict_line(item, match, product, ok, next(per_line) if ok else 0)
                  for item, match, product, ok in zip(items, matches, products, eligible, strict=True))
    return LinesAssessment(lines, result, _line_reasons(lines, result, campaign))


def _product(catalogue: CatalogueIndex, match: LineMatch) -> Product | None:
    if match.product_id is None:
        return None
    return catalogue.products[catalogue.position[match.product_id]]


def _priced(item: LineItem, product: Product, claim: ClaimFacts, campaign: Campaign) -> PricedLine:
    return priced_item(item, product.sku, product.points_per_unit, claim.net_amounts, campaign.rules.basis)


def _verdict_line(item: LineItem, match: LineMatch, product: Product | None, eligible: bool,
                  points: int) -> VerdictLine:
    if product is None:
        reason = ReasonCode.PRODUCT_NOT_RECOGNISED
    elif not match.auto:
        reason = ReasonCode.PRODUCT_MATCH_UNCERTAIN
    elif not eligible:
        reason = ReasonCode.PRODUCT_NOT_ELIGIBLE
    else:
        reason = None
    return VerdictLine(item.name, match.product_id, product.name if product else None, match.score, points,
                       eligible, str(reason) if reason else None, match.auto, str(match.method), match.alternatives,
                       item.seller_index)


def _line_reasons(lines: tuple[VerdictLine, ...], result: PointsResult, campaign: Campaign) -> tuple[Reason, ...]:
    reasons = []
    by_code = {code: [line.item for line in lines if line.reason == code] for code in (
        ReasonCode.PRODUCT_MATCH_UNCERTAIN, ReasonCode.PRODUCT_NOT_RECOGNISED, ReasonCode.PRODUCT_NOT_ELIGIBLE)}
    if by_code[ReasonCode.PRODUCT_MATCH_UNCERTAIN]:
        reasons.append(make_reason(ReasonCode.PRODUCT_MATCH_UNCERTAIN, Severity.WARNING,
                                   items=by_code[ReasonCode.PRODUCT_MATCH_UNCERTAIN]))
    nothing_counts = not any(line.eligible for line in lines)
    for code in (ReasonCode.PRODUCT_NOT_RECOGNISED, ReasonCode.PRODUCT_NOT_ELIGIBLE):
        if by_code[code]:
            severity = Severity.WARNING if nothing_counts else Severity.INFO
            reasons.append(make_reason(code, severity, items=by_code[code]))
    return (*reasons, *points_reasons(result, campaign))


#: The reasons `points_reasons` gives: what a recount of the points replaces.
POINTS_REASONS = frozenset({ReasonCode.BELOW_MINIMUM_PURCHASE, ReasonCode.POINTS_CAPPED})


def points_reasons(result: PointsResult, campaign: Campaign) -> tuple[Reason, ...]:
    """Why a claim earns fewer points than its lines: below the minimum purchase, or cut by caps."""
    reasons = []
    if result.below_minimum:
        reasons.append(make_reason(ReasonCode.BELOW_MINIMUM_PURCHASE, Severity.WARNING,
                                   eligible_amount=str(result.eligible_amount),
                                   minimum_purchase=str(campaign.rules.minimum_purchase)))
    if result.cuts:
        reasons.append(make_reason(ReasonCode.POINTS_CAPPED, Severity.INFO, points_before_caps=result.before_caps,
                                   points_granted=result.points, caps=[asdict(c) for c in result.cuts]))
    return tuple(reasons)

