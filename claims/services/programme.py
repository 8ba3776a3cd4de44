"""Programme set-up: campaign, partners with outlets, catalogue, product codes, users — loaded from a mapping."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from claims.db.models import Campaign, Outlet, Partner, Product, ProductCode, User
from claims.services.accounts import NewParticipant, create_user
from claims.services.outlets import outlet_of_another_partner
from vocabulary.nip import nip_is_valid


def load_programme(session: Session, data: dict) -> dict[str, int]:
    """Insert what is missing from a programme description (as fixtures/demo_programme.json); idempotent.

    "campaigns" lists every campaign (a base programme, then promotions); a single "campaign" still loads.
    A campaign's "partners" (partner codes) and "outlets" (outlet codes) limit where it runs (absent: all),
    "products" (SKUs) what it counts (absent: every product) and "rules" how (see services.rules)."""
    partners = {p["code"]: _partner(session, p) for p in data.get("partners", [])}
    session.flush()
    rows = data.get("campaigns") or [data["campaign"]]
    campaign = [_campaign(session, row) for row in rows][0]
    counts = {"partners": len(partners), "products": 0, "product_codes": 0, "users": 0}
    for row in data.get("products", []):
        counts["products"] += _product(session, row)
    for row in data.get("product_codes", []):
        if session.get(ProductCode, row["code"]) is None:
            session.add(ProductCode(code=row["code"], points=int(row["points"]), campaign_id=campaign.id))
            counts["product_codes"] += 1
    for row in data.get("users", []):
        counts["users"] += _user(session, row, partners)
    session.flush()
    return counts


def _campaign(session: Session, row: dict) -> Campaign:
    campaign = session.scalar(select(Campaign).where(Campaign.code == row["code"]))
    if campaign is None:
        campaign = Campaign(
            code=row["code"],
            name=row["name"],
            starts_on=date.fromisoformat(row["starts_on"]),
            ends_on=date.fromisoformat(row["ends_on"]),
            submission_days=int(row.get("submission_days", 30)),
            points_per_pln=Decimal(str(row.get("points_per_pln", "1"))),
            rules=dict(row.get("rules") or {}),
            eligible_skus=list(row["products"]) if row.get("products") is not None else None,
            auto_approve=bool(row.get("auto_approve", False)),
            partner_ids=_ids(session, Partner, row.get("partners")),
            outlet_ids=_ids(session, Outlet, row.get("outlets")),
        )
        session.add(campaign)
        session.flush()
    return campaign


def _ids(session: Session, model: type[Partner] | type[Outlet], codes: list[str] | None) -> list[int] | None:
    """The ids of the partners or outlets named by code (None: all); an unknown code is an error."""
    if codes is None:
        return None
    found = dict(session.execute(select(model.code, model.id).where(model.code.in_(codes))).all())
    missing = [code for code in codes if code not in found]
    if missing:
        raise ValueError(f"campaign reach names unknown codes: {', '.join(missing)}")
    return [found[code] for code in codes]


def _partner(session: Session, row: dict) -> Partner:
    partner = session.scalar(select(Partner).where(Partner.code == row["code"]))
    if partner is None:
        partner = Partner(code=row["code"], name=row["name"], nip=row.get("nip"))
        session.add(partner)
        session.flush()
    for outlet in row.get("outlets", []):
        if not nip_is_valid(outlet["nip"]):
            raise ValueError(f"outlet {outlet['code']}: NIP {outlet['nip']} fails its check digit")
        if session.scalar(select(Outlet.id).where(Outlet.code == outlet["code"])) is None:
            other = outlet_of_another_partner(session, outlet["nip"], partner.id)
            if other is not None:
                raise ValueError(f"outlet {outlet['code']}: NIP {outlet['nip']} belongs to outlet {other.code} of "
                                 f"another partner ({other.partner.code}); one NIP routes to one partner")
            session.add(
                Outlet(
                    partner_id=partner.id,
                    code=outlet["code"],
                    name=outlet["name"],
                    nip=outlet["nip"],
                    address=outlet.get("address", ""),
                    city=outlet.get("city", ""),
                )
            )
    return partner


def _product(session: Session, row: dict) -> int:
    if session.scalar(select(Product.id).where(Product.sku == row["sku"])) is not None:
        return 0
    session.add(
        Product(
            sku=row["sku"],
            ean=row.get("ean"),
            name=row["name"],
            unit=row.get("unit", "szt"),
            points_per_unit=int(row.get("points_per_unit", 0)),
        )
    )
    return 1


def _user(session: Session, row: dict, partners: dict[str, Partner]) -> int:
    if session.scalar(select(User.id).where(User.email == row["email"].lower())) is not None:
        return 0
    profile = row.get("participant")
    create_user(
        session,
        email=row["email"],
        password=row["password"],
        role=row["role"],
        name=row.get("name", row["email"]),
        partner_id=partners[row["partner"]].id if row.get("partner") else None,
        participant=NewParticipant(profile["company_name"], profile.get("company_nip"), ("rules",))
        if profile
        else None,
    )
    return 1


def active_campaign(session: Session, on: date | None = None) -> Campaign | None:
    """The active campaign covering `on` (default: any active one, newest first)."""
    query = select(Campaign).where(Campaign.active.is_(True)).order_by(Campaign.id.desc())
    if on is not None:
        query = query.where(Campaign.starts_on <= on, Campaign.ends_on >= on)
    return session.scalars(query).first()
