"""Pure programme rules: plain data in, a Verdict out. No I/O, no frameworks, no environment."""

from verification.routing import CampaignRules, OutletRef, ReadFields, points_for_total, route_document_claim
from verification.verdict import Reason, Route, Severity, Verdict

__all__ = [
    "CampaignRules",
    "OutletRef",
    "ReadFields",
    "Reason",
    "Route",
    "Severity",
    "Verdict",
    "points_for_total",
    "route_document_claim",
]
