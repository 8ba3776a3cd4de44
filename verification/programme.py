"""The programme as plain values: campaign, points rules, catalogue products, outlets, history, prior claims.

The caller (workers, admin pages) loads these from the database; verification only reads them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum


class Basis(StrEnum):
    """Which amount the per-PLN rate applies to."""

    NET = "net"
    GROSS = "gross"


@dataclass(frozen=True)
class Product:
    """A catalogue product.

    points_per_unit counts per catalogue unit (`unit`: one bag, one box, one coil, or one metre when the
    product is sold by the metre); the till's quantity counts those units. pack_size says how many pieces or
    metres one unit holds (a box of 200 screws: unit "opak", pack_size 200) and is shown to reviewers, never
    multiplied into points: a box sold is one box however many screws it holds.
    partner_names: the names partners' tills print for it, learned from reviewers' corrections.
    """

    id: int
    sku: str
    ean: str | None
    name: str
    unit: str = "szt"
    pack_size: Decimal = Decimal(1)
    aliases: tuple[str, ...] = ()
    partner_names: Mapping[int, tuple[str, ...]] = field(default_factory=dict)
    points_per_unit: int = 0


@dataclass(frozen=True)
class Outlet:
    """A partner's shop or branch; claims are routed to `partner_id`."""

    id: int
    partner_id: int
    nip: str
    name: str
    address: str = ""
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Multiplier:
    """Points x factor for the listed SKUs (None: every product) bought between the dates (inclusive)."""

    factor: Decimal
    skus: frozenset[str] | None = None
    from_date: date | None = None
    to_date: date | None = None

    def applies(self, sku: str, purchased_on: date | None) -> bool:
        if self.skus is not None and sku not in self.skus:
            return False
        if purchased_on is None:
            return self.from_date is None and self.to_date is None
        after_start = self.from_date is None or purchased_on >= self.from_date
        return after_start and (self.to_date is None or purchased_on <= self.to_date)


@dataclass(frozen=True)
class Caps:
    """Most points a participant may earn per day and per month (of the purchase date) and per campaign."""

    per_day: int | None = None
    per_month: int | None = None
    per_campaign: int | None = None


@dataclass(frozen=True)
class PointsRules:
    """How a claim's points are counted (see verification.points for the exact order).

    per_unit: points per unit by SKU for this campaign; None uses each Product.points_per_unit.
    per_pln: points per złoty of the eligible lines' amounts, on the `basis` (net or gross).
    multipliers: every multiplier that applies to a line multiplies its points (they stack).
    minimum_purchase: the eligible lines' amount (on the basis) below which the claim earns nothing.
    """

    per_unit: Mapping[str, int] | None = None
    per_pln: Decimal = Decimal(0)
    basis: Basis = Basis.GROSS
    fixed_bonus: int = 0
    multipliers: tuple[Multiplier, ...] = ()
    minimum_purchase: Decimal = Decimal(0)
    caps: Caps = Caps()


@dataclass(frozen=True)
class Campaign:
    """A campaign's period, eligibility and points rules."""

    code: str
    starts_on: date
    ends_on: date
    submission_days: int = 30
    eligible_skus: frozenset[str] | None = None  # None: every catalogue product
    rules: PointsRules = PointsRules()
    require_buyer_nip: bool = False  # the document must be issued to the participant's company
    auto_approve: bool = False

    def is_eligible(self, sku: str) -> bool:
        return self.eligible_skus is None or sku in self.eligible_skus


@dataclass(frozen=True)
class SubmissionEvent:
    """An earlier submission from the same device or IP address."""

    at: datetime
    participant_id: int


@dataclass(frozen=True)
class History:
    """What the participant (and the claim's device, IP and outlet) did before this claim.

    points_by_day / points_by_month: points already credited or proposed, keyed by purchase date and by
    "YYYY-MM" of the purchase date; points_in_campaign: the campaign total so far.
    claim_totals: amounts of the participant's earlier claims; outlet_totals: of earlier claims per outlet id.
    submissions: the participant's earlier submission times; device/ip_submissions: every earlier submission
    from this claim's device id / IP address, whoever made it.
    """

    points_by_day: Mapping[date, int] = field(default_factory=dict)
    points_by_month: Mapping[str, int] = field(default_factory=dict)
    points_in_campaign: int = 0
    claim_totals: tuple[Decimal, ...] = ()
    outlet_totals: Mapping[int, tuple[Decimal, ...]] = field(default_factory=dict)
    submissions: tuple[datetime, ...] = ()
    device_submissions: tuple[SubmissionEvent, ...] = ()
    ip_submissions: tuple[SubmissionEvent, ...] = ()


def month_key(day: date) -> str:
    """The History.points_by_month key of a date ("2026-11")."""
    return f"{day.year:04d}-{day.month:02d}"


@dataclass(frozen=True)
class PriorClaim:
    """An earlier claim that may be the same purchase (same file, similar photo, same document fields)."""

    id: str
    participant_id: int
    sha256s: frozenset[str] = frozenset()
    phashes: tuple[int, ...] = ()
    identity_key: str | None = None
    status: str = "pending_review"
    seller_nip: str | None = None
    date: date | None = None
    total: Decimal | None = None
    document_keys: frozenset[str] = frozenset()  # exact KSeF identities (`verification.ksef.document_keys`)
    xml_hash: str | None = None  # the hash of the e-invoice XML it carried
    qr_hash: str | None = None  # the hash its KOD I QR code said
