"""Points for a document total at a campaign's flat rate: the reviewer's live recompute when a field is edited.

verification.verify_claim is the full decision (catalogue lines, campaign rules, duplicates, signals).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_FLOOR, Decimal


@dataclass(frozen=True)
class CampaignRules:
    points_per_pln: Decimal
    starts_on: date | None = None
    ends_on: date | None = None


def points_for_total(total: Decimal | None, rules: CampaignRules) -> int:
    """Whole points for a gross total at the campaign's rate, rounded down."""
    if total is None or total <= 0:
        return 0
    return int((total * rules.points_per_pln).to_integral_value(rounding=ROUND_FLOOR))
