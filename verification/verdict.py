"""The verdict: where a claim goes, what it is worth and why — the contract between rules and workers."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from vocabulary.reasons import ReasonCode, Severity

__all__ = ["Reason", "Route", "Severity", "Verdict", "VerdictLine", "make_reason"]


class Route(StrEnum):
    NEEDS_RETAKE = "needs_retake"
    AUTO_REJECTED = "auto_rejected"
    PENDING_REVIEW = "pending_review"
    FLAGGED = "flagged"
    AUTO_APPROVED = "auto_approved"


@dataclass(frozen=True)
class Reason:
    """Why: a code, how much it weighs and what backs it. Its text is rendered where it is read."""

    code: str
    severity: Severity
    evidence: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        record = {"code": self.code, "severity": str(self.severity)}
        if self.evidence:
            record["evidence"] = dict(self.evidence)
        return record


def make_reason(code: ReasonCode, severity: Severity, **evidence: object) -> Reason:
    """A reason with its evidence."""
    return Reason(str(code), severity, dict(evidence))


@dataclass(frozen=True)
class VerdictLine:
    """One printed line and what the rules made of it.

    product_id is a suggestion for the reviewer when auto is False; points are the line's points before
    caps (the claim's points may be lower, see the points_capped reason); reason is a ReasonCode value
    (product_not_recognised, product_match_uncertain, product_not_eligible) or None when all is clear.
    """

    item: str
    product_id: int | None
    product_name: str | None
    score: float
    points: int
    eligible: bool
    reason: str | None = None
    auto: bool = False
    method: str = "none"
    alternatives: tuple[tuple[int, float], ...] = ()  # (product_id, score) the reviewer may pick instead
    seller_index: str = ""  # the seller's product index on an e-invoice line (learned with the reviewer's match)

    def to_dict(self) -> dict:
        return {"item": self.item, "product_id": self.product_id, "product_name": self.product_name,
                "score": self.score, "points": self.points, "eligible": self.eligible, "reason": self.reason,
                "auto": self.auto, "method": self.method, "alternatives": [list(a) for a in self.alternatives]
                } | ({"seller_index": self.seller_index} if self.seller_index else {})


@dataclass(frozen=True)
class Verdict:
    route: Route
    points: int
    reasons: tuple[Reason, ...] = ()
    outlet_id: int | None = None
    partner_id: int | None = None
    risk_score: float = 0.0
    lines: tuple[VerdictLine, ...] = ()
    identity_key: str | None = None

    def codes(self) -> tuple[str, ...]:
        """The reason codes, in order."""
        return tuple(r.code for r in self.reasons)

    def to_dict(self) -> dict:
        """JSON-ready record of the whole decision (store it with the claim: who, when, what, why)."""
        return {"route": str(self.route), "points": self.points, "reasons": [r.to_dict() for r in self.reasons],
                "outlet_id": self.outlet_id, "partner_id": self.partner_id, "risk_score": self.risk_score,
                "lines": [line.to_dict() for line in self.lines], "identity_key": self.identity_key}
