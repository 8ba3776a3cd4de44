"""Routing a read document claim by its seller and total only (the worker's first, rules-free step).

verification.verify_claim is the full decision (catalogue, campaign rules, duplicates, fraud signals); this
module stays for callers that have only the header fields.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_FLOOR, Decimal, InvalidOperation

from claims.nip import nip_is_valid
from claims.reasons import ReasonCode
from verification.verdict import Route, Severity, Verdict, make_reason


@dataclass(frozen=True)
class OutletRef:
    id: int
    partner_id: int
    nip: str
    name: str


@dataclass(frozen=True)
class CampaignRules:
    points_per_pln: Decimal
    starts_on: date | None = None
    ends_on: date | None = None


@dataclass(frozen=True)
class ReadFields:
    """What the reader found on a claim's documents (strings as the reader serialises them)."""

    seller_nip: str | None = None
    date: str | None = None
    total: str | None = None
    readable: bool = True


def points_for_total(total: Decimal | None, rules: CampaignRules) -> int:
    """Whole points for a gross total at the campaign's rate, rounded down."""
    if total is None or total <= 0:
        return 0
    return int((total * rules.points_per_pln).to_integral_value(rounding=ROUND_FLOOR))


def parse_amount(raw: str | None) -> Decimal | None:
    if not raw:
        return None
    try:
        return Decimal(raw).quantize(Decimal("0.01"))
    except InvalidOperation:
        return None


def route_document_claim(
    fields: ReadFields, outlets: Mapping[str, OutletRef], rules: CampaignRules
) -> Verdict:
    """Decide where a read receipt or invoice goes.

    Args:
        fields: what the reader extracted (seller NIP, date, total) and whether any text was read.
        outlets: the programme's active outlets keyed by NIP.
        rules: the campaign's points rules.

    Returns:
        needs_retake when the document cannot be read or shows no seller NIP; auto_rejected (unknown_seller)
        when the NIP belongs to no partner outlet; otherwise pending_review for the outlet's partner with the
        points the total is worth.
    """
    if not fields.readable:
        return Verdict(Route.NEEDS_RETAKE, 0, (make_reason(ReasonCode.UNREADABLE, Severity.BLOCKING),))
    if not fields.seller_nip or not nip_is_valid(fields.seller_nip):
        reasons = (
            make_reason(ReasonCode.UNREADABLE, Severity.BLOCKING),
            make_reason(ReasonCode.NO_SELLER_NIP, Severity.BLOCKING),
        )
        return Verdict(Route.NEEDS_RETAKE, 0, reasons)
    outlet = outlets.get(fields.seller_nip)
    if outlet is None:
        reason = make_reason(ReasonCode.UNKNOWN_SELLER, Severity.BLOCKING, seller_nip=fields.seller_nip)
        return Verdict(Route.AUTO_REJECTED, 0, (reason,))
    total = parse_amount(fields.total)
    notes = []
    if total is None:
        notes.append(make_reason(ReasonCode.NO_TOTAL, Severity.WARNING))
    if not fields.date:
        notes.append(make_reason(ReasonCode.NO_DATE, Severity.WARNING))
    return Verdict(
        Route.PENDING_REVIEW, points_for_total(total, rules), tuple(notes), outlet.id, outlet.partner_id
    )
