"""Pure programme rules: plain data in, a Verdict out. No I/O, no frameworks, no environment, no clock.

Entry points: `verify_claim` (the full decision), `CatalogueIndex.build` (once per catalogue version),
`learn_alias` (a reviewer's correction), `identity_key`, `hamming`, `hash_bands`/`band_probes`/
`candidate_filter` (the near-duplicate index).
"""

from verification.catalogue import CatalogueIndex
from verification.duplicates import (
    BandIndex,
    band_probes,
    candidate_filter,
    hamming,
    hash_bands,
    identity_key,
)
from verification.facts import ClaimFacts, LineItem
from verification.matching import LineMatch, MatchMethod, MatchThresholds, learn_alias, match_line, match_lines
from verification.points import PointsResult, PricedLine, claim_points
from verification.programme import (
    Basis,
    Campaign,
    Caps,
    History,
    Multiplier,
    Outlet,
    PointsRules,
    PriorClaim,
    Product,
    SubmissionEvent,
    month_key,
)
from verification.signals import RiskPolicy, Signal, risk_score
from verification.verdict import Reason, Route, Severity, Verdict, VerdictLine
from verification.verify import verify_claim

__all__ = [
    "BandIndex", "Basis", "Campaign", "Caps", "CatalogueIndex", "ClaimFacts", "History",
    "LineItem", "LineMatch", "MatchMethod", "MatchThresholds", "Multiplier", "Outlet", "PointsResult",
    "PointsRules", "PricedLine", "PriorClaim", "Product", "Reason", "RiskPolicy", "Route",
    "Severity", "Signal", "SubmissionEvent", "Verdict", "VerdictLine", "band_probes", "candidate_filter",
    "claim_points", "hamming", "hash_bands", "identity_key", "learn_alias", "match_line",
    "match_lines", "month_key", "risk_score",
    "verify_claim",
]
