"""The verdict: where a claim goes, what it is worth and why — the contract between rules and workers."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Route(StrEnum):
    NEEDS_RETAKE = "needs_retake"
    AUTO_REJECTED = "auto_rejected"
    PENDING_REVIEW = "pending_review"
    FLAGGED = "flagged"
    AUTO_APPROVED = "auto_approved"


class Severity(StrEnum):
    INFO = "info"
    WARNING = "warning"
    BLOCKING = "blocking"


@dataclass(frozen=True)
class Reason:
    code: str
    severity: Severity
    message_pl: str
    message_en: str
    evidence: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        record = {"code": self.code, "severity": str(self.severity), "message_pl": self.message_pl,
                  "message_en": self.message_en}
        if self.evidence:
            record["evidence"] = dict(self.evidence)
        return record


@dataclass(frozen=True)
class Verdict:
    route: Route
    points: int
    reasons: tuple[Reason, ...] = ()
    outlet_id: int | None = None
    partner_id: int | None = None
    risk_score: float = 0.0
