"""Admin set-up of the catalogue (products and the partners' learned printed names), partners and outlets."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from claims.audit import record_event
from claims.db.models import Outlet, Partner, PartnerItemName, Product, User
from claims.services.admin import (
    Problem,
    check_text,
    get_row,
    like_pattern,
    raise_if,
    record_saved,
    snapshot,
    taken,
)
from claims.services.outlets import outlet_of_another_partner
from verification.normalise import ean_is_valid
from vocabulary.nip import nip_is_valid, normalise_nip


@dataclass(frozen=True)
class ProductData:
    sku: str
    name: str
    ean: str | None = None
    unit: str = "szt"
    pack_size: Decimal = Decimal(1)
    points_per_unit: int = 0
    aliases: tuple[str, ...] = ()
    active: bool = True


PRODUCT_FIELDS = ("sku", "name", "ean", "unit", "pack_size", "points_per_unit", "aliases", "active")


def _product_query(query: str):
    found = select(Product)
    if query:
        pattern = like_pattern(query)
        found = found.where(or_(Product.name.ilike(pattern, escape="\\"), Product.sku.ilike(pattern, escape="\\"),
                                Product.ean.ilike(pattern, escape="\\")))
    return found


def product_page(session: Session, query: str, limit: int, offset: int) -> tuple[list[Product], int]:
    """One page of the catalogue (name, SKU or EAN containing `query`) and how many match in all."""
    found = _product_query(query)
    total = session.scalar(select(func.count()).select_from(found.subquery())) or 0
    rows = session.scalars(found.order_by(Product.sku).limit(limit).offset(offset))
    return list(rows), total


def search_products(session: Session, query: str, limit: int = 20) -> list[Product]:
    """Active products for a reviewer's picker: exact SKU or EAN first, then names containing `query`."""
    query = query.strip()
    if len(query) < 2:
        return []
    exact = list(session.scalars(select(Product).where(Product.active.is_(True),
                                                       or_(Product.sku == query, Product.ean == query))))
    others = session.scalars(_product_query(query).where(Product.active.is_(True))
                             .order_by(Product.name).limit(limit))
    seen = {p.id for p in exact}
    return (exact + [p for p in others if p.id not in seen])[:limit]


def products_by_id(session: Session, ids: set[int]) -> dict[int, Product]:
    """The products with these ids (for naming a claim line's alternatives)."""
    if not ids:
        return {}
    return {p.id: p for p in session.scalars(select(Product).where(Product.id.in_(ids)))}


def product_by_code(session: Session, code: str) -> Product | None:
    """The active product whose SKU or EAN is exactly `code`."""
    code = code.strip()
    if not code:
        return None
    query = select(Product).where(Product.active.is_(True), or_(Product.sku == code, Product.ean == code))
    return session.scalars(query.order_by(Product.id)).first()


def get_product(session: Session, product_id: int) -> Product:
    return get_row(session, Product, product_id)


def save_product(session: Session, actor: User, data: ProductData, product_id: int | None = None) -> Product:
    """Create or update a product; the EAN's check digit and the SKU's uniqueness are checked."""
    product = get_product(session, product_id) if product_id is not None else Product()
    raise_if(_product_problems(session, data, product_id))
    before = snapshot(product, PRODUCT_FIELDS) if product_id is not None else None
    product.sku, product.name, product.ean, product.unit = data.sku, data.name, data.ean or None, data.unit
    product.pack_size, product.points_per_unit = data.pack_size, data.points_per_unit
    product.aliases, product.active = list(data.aliases), data.active
    session.add(product)
    record_saved(session, actor, product, PRODUCT_FIELDS, "product", before)
    return product


def _product_problems(session: Session, data: ProductData, own_id: int | None) -> dict[str, Problem]:
    problems: dict[str, Problem] = {}
    check_text(problems, "sku", data.sku, 64)
    check_text(problems, "name", data.name, 300)
    check_text(problems, "unit", data.unit, 16)
    if "sku" not in problems and taken(session, Product.sku, data.sku, own_id):
        problems["sku"] = Problem("taken")
    if data.ean and not ean_is_valid(data.ean):
        problems["ean"] = Problem("bad_ean")
    if data.pack_size <= 0:
        problems["pack_size"] = Problem("not_positive")
    if data.points_per_unit < 0:
        problems["points_per_unit"] = Problem("negative")
    return problems


def partner_names_of(session: Session, product_id: int) -> list[tuple[PartnerItemName, Partner]]:
    """How each partner's tills print the product (learned from corrections and imports)."""
    query = (select(PartnerItemName, Partner).join(Partner, Partner.id == PartnerItemName.partner_id)
             .where(PartnerItemName.product_id == product_id).order_by(Partner.code, PartnerItemName.printed_name))
    return [(name, partner) for name, partner in session.execute(query)]


def delete_partner_name(session: Session, actor: User, product_id: int, name_id: int) -> bool:
    """Forget one learned printed name of the product; False when it was already gone."""
    entry = session.get(PartnerItemName, name_id)
    if entry is None or entry.product_id != product_id:
        return False
    before = {"id": entry.id, "product_id": product_id, "partner_id": entry.partner_id,
              "printed_name": entry.printed_name}
    session.delete(entry)
    record_event(session, "partner_name_deleted", actor_user_id=actor.id, before=before)
    return True


@dataclass(frozen=True)
class PartnerData:
    code: str
    name: str
    nip: str | None = None


@dataclass(frozen=True)
class OutletData:
    partner_id: int
    code: str
    name: str
    nip: str
    address: str = ""
    city: str = ""
    aliases: tuple[str, ...] = ()
    active: bool = True


PARTNER_FIELDS = ("code", "name", "nip")
OUTLET_FIELDS = ("partner_id", "code", "name", "nip", "address", "city", "aliases", "active")


def list_partners(session: Session) -> list[Partner]:
    """Every partner with its outlets."""
    return list(session.scalars(select(Partner).options(selectinload(Partner.outlets)).order_by(Partner.code)))


def get_partner(session: Session, partner_id: int) -> Partner:
    return get_row(session, Partner, partner_id)


def get_outlet(session: Session, outlet_id: int) -> Outlet:
    return get_row(session, Outlet, outlet_id)


def save_partner(session: Session, actor: User, data: PartnerData, partner_id: int | None = None) -> Partner:
    partner = get_partner(session, partner_id) if partner_id is not None else Partner()
    problems: dict[str, Problem] = {}
    check_text(problems, "code", data.code, 50)
    check_text(problems, "name", data.name, 300)
    if "code" not in problems and taken(session, Partner.code, data.code, partner_id):
        problems["code"] = Problem("taken")
    if data.nip and not nip_is_valid(data.nip):
        problems["nip"] = Problem("bad_nip")
    raise_if(problems)
    before = snapshot(partner, PARTNER_FIELDS) if partner_id is not None else None
    partner.code, partner.name = data.code, data.name
    partner.nip = normalise_nip(data.nip) if data.nip else None
    session.add(partner)
    record_saved(session, actor, partner, PARTNER_FIELDS, "partner", before)
    return partner


def save_outlet(session: Session, actor: User, data: OutletData, outlet_id: int | None = None) -> Outlet:
    """Create or update an outlet; its NIP must pass the check digit and belong to no other partner's outlet,
    its code must be free."""
    outlet = get_outlet(session, outlet_id) if outlet_id is not None else Outlet()
    problems: dict[str, Problem] = {}
    check_text(problems, "code", data.code, 50)
    check_text(problems, "name", data.name, 300)
    check_text(problems, "address", data.address, 300, required=False)
    check_text(problems, "city", data.city, 100, required=False)
    if "code" not in problems and taken(session, Outlet.code, data.code, outlet_id):
        problems["code"] = Problem("taken")
    if not data.nip:
        problems["nip"] = Problem("required")
    elif not nip_is_valid(data.nip):
        problems["nip"] = Problem("bad_nip")
    if session.get(Partner, data.partner_id) is None:
        problems["partner_id"] = Problem("required")
    elif "nip" not in problems:
        other = outlet_of_another_partner(session, normalise_nip(data.nip), data.partner_id,
                                          exclude_codes={outlet.code} if outlet_id is not None else ())
        if other is not None:
            problems["nip"] = Problem("nip_other_partner", f"{other.code} ({other.partner.code})")
    raise_if(problems)
    before = snapshot(outlet, OUTLET_FIELDS) if outlet_id is not None else None
    outlet.partner_id, outlet.code, outlet.name = data.partner_id, data.code, data.name
    outlet.nip, outlet.address, outlet.city = normalise_nip(data.nip), data.address, data.city
    outlet.aliases, outlet.active = list(data.aliases), data.active
    session.add(outlet)
    record_saved(session, actor, outlet, OUTLET_FIELDS, "outlet", before)
    return outlet
