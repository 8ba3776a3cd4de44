"""CSV import and export of the programme set-up: catalogue, partners with outlets, product codes.

An import is validated row by row first; when any row is wrong nothing is written and the report lists
every error with its line. Re-importing a file updates what exists (by SKU, outlet code, code).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from claims.audit import record_event
from claims.db.models import Campaign, Outlet, Partner, PartnerItemName, Product, ProductCode, ProductCodeBatch
from claims.errors import InvalidInputError
from claims.services import reward_imports
from claims.services.outlets import outlet_of_another_partner
from verification.identifiers import code_is_well_formed, normalise_code
from verification.normalise import ean_is_valid, normalise_name
from vocabulary.nip import nip_is_valid, normalise_nip
from vocabulary.numbers import parse_decimal

MAX_ROWS = 500_000
COLUMNS = {
    "catalogue": ("sku", "name", "ean", "unit", "pack_size", "points_per_unit", "aliases", "partner_names"),
    "partners": ("partner_code", "partner_name", "partner_nip", "outlet_code", "outlet_name", "outlet_nip",
                 "address", "city", "aliases"),
    "codes": ("code", "points", "batch", "campaign"),
    "rewards": reward_imports.COLUMNS,
}
REQUIRED = {
    "catalogue": ("sku", "name"),
    "partners": ("partner_code", "partner_name", "outlet_code", "outlet_name", "outlet_nip"),
    "codes": ("code", "points", "batch"),
    "rewards": reward_imports.REQUIRED,
}


@dataclass(frozen=True)
class RowError:
    line: int
    column: str
    message: str


@dataclass
class ImportReport:
    kind: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class ImportRejectedError(InvalidInputError):
    """The file has errors; nothing was imported. `report.errors` says where."""

    code = "import_rejected"

    def __init__(self, report: ImportReport) -> None:
        super().__init__(f"{len(report.errors)} errors in the {report.kind} file; nothing was imported")
        self.report = report


def read_rows(kind: str, text: str) -> tuple[list[tuple[int, dict]], ImportReport]:
    """Parse CSV text (comma or semicolon separated, header row required) into (line, row) pairs."""
    if kind not in COLUMNS:
        raise InvalidInputError(f"unknown import kind {kind!r}; use one of {', '.join(COLUMNS)}", code="bad_kind")
    report = ImportReport(kind)
    text = text.lstrip("\ufeff")
    first = text.split("\n", 1)[0]
    reader = csv.DictReader(io.StringIO(text), delimiter=";" if first.count(";") > first.count(",") else ",")
    header = [h.strip().lower() for h in reader.fieldnames or []]
    missing = [c for c in REQUIRED[kind] if c not in header]
    if missing:
        report.errors.append(RowError(1, ",".join(missing), "missing columns"))
        return [], report
    reader.fieldnames = header
    rows = []
    for row in reader:
        if reader.line_num > MAX_ROWS + 1:
            report.errors.append(RowError(reader.line_num, "", f"more than {MAX_ROWS} rows"))
            break
        rows.append((reader.line_num, {k: (v or "").strip() for k, v in row.items() if k in COLUMNS[kind]}))
    report.rows = len(rows)
    return rows, report


def import_csv(session: Session, kind: str, text: str, *, actor_user_id: int | None = None) -> ImportReport:
    """Validate and import a CSV file in the caller's transaction; ImportRejectedError if any row is wrong."""
    rows, report = read_rows(kind, text)
    checker, writer = HANDLERS[kind]
    if report.ok:
        _check_rows(session, rows, report, checker)
    if not report.ok:
        raise ImportRejectedError(report)
    for _, row in rows:
        created = writer(session, row)
        report.created += int(created)
        report.updated += int(not created)
    session.flush()
    record_event(session, f"import_{kind}", actor_user_id=actor_user_id,
                 after={"rows": report.rows, "created": report.created, "updated": report.updated})
    return report


def _check_rows(session: Session, rows: list[tuple[int, dict]], report: ImportReport, checker: Callable) -> None:
    seen: dict[str, int] = {}
    for line, row in rows:
        for column in REQUIRED[report.kind]:
            if not row.get(column):
                report.errors.append(RowError(line, column, "required"))
        for column, message in checker(session, row):
            report.errors.append(RowError(line, column, message))
        key = row.get(REQUIRED[report.kind][0] if report.kind != "partners" else "outlet_code", "")
        if key and key in seen:
            report.errors.append(RowError(line, "", f"duplicate of line {seen[key]}"))
        seen.setdefault(key, line)
    if report.kind == "partners":
        _check_nip_owners(session, rows, report)


def _split(raw: str) -> list[str]:
    return [part.strip() for part in raw.split("|") if part.strip()]


# --- catalogue -------------------------------------------------------------------------------------------

def _check_product(session: Session, row: dict) -> Iterable[tuple[str, str]]:
    if row.get("ean") and not ean_is_valid(row["ean"]):
        yield "ean", "EAN check digit is wrong"
    if row.get("pack_size") and ((v := parse_decimal(row["pack_size"])) is None or v <= 0):
        yield "pack_size", "must be a positive number"
    if row.get("points_per_unit") and not row["points_per_unit"].isdigit():
        yield "points_per_unit", "must be a whole number ≥ 0"
    for entry in _split(row.get("partner_names", "")):
        code, _, name = entry.partition(":")
        if not name or session.scalar(select(Partner.id).where(Partner.code == code.strip())) is None:
            yield "partner_names", f"{entry!r}: use PARTNERCODE:printed name with a known partner"


def _write_product(session: Session, row: dict) -> bool:
    product = session.scalar(select(Product).where(Product.sku == row["sku"]))
    created = product is None
    if created:
        product = Product(sku=row["sku"])
        session.add(product)
    product.name, product.ean = row["name"], row.get("ean") or None
    product.unit = row.get("unit") or "szt"
    product.pack_size = parse_decimal(row.get("pack_size") or "1")
    product.points_per_unit = int(row.get("points_per_unit") or 0)
    product.aliases = _split(row.get("aliases", ""))
    session.flush()
    for entry in _split(row.get("partner_names", "")):
        code, _, name = entry.partition(":")
        partner_id = session.scalar(select(Partner.id).where(Partner.code == code.strip()))
        remember_partner_name(session, partner_id, product.id, name.strip())
    return created


def remember_partner_name(session: Session, partner_id: int, product_id: int, printed: str,
                          created_by: int | None = None) -> PartnerItemName:
    """Record how `partner_id`'s tills print a product (the newest word for a printed name wins)."""
    normalised = normalise_name(printed)
    entry = session.scalar(select(PartnerItemName).where(PartnerItemName.partner_id == partner_id,
                                                         PartnerItemName.normalised == normalised))
    if entry is None:
        entry = PartnerItemName(partner_id=partner_id, normalised=normalised, product_id=product_id,
                                printed_name=printed[:300], created_by=created_by)
        session.add(entry)
    entry.product_id, entry.printed_name = product_id, printed[:300]
    session.flush()
    return entry


# --- partners and outlets --------------------------------------------------------------------------------

def _check_outlet(session: Session, row: dict) -> Iterable[tuple[str, str]]:
    if row.get("outlet_nip") and not nip_is_valid(row["outlet_nip"]):
        yield "outlet_nip", "NIP check digit is wrong"
    if row.get("partner_nip") and not nip_is_valid(row["partner_nip"]):
        yield "partner_nip", "NIP check digit is wrong"


def _check_nip_owners(session: Session, rows: list[tuple[int, dict]], report: ImportReport) -> None:
    """One outlet NIP, one partner: within the file, and against stored outlets the file does not rewrite."""
    in_file = {row["outlet_code"] for _, row in rows if row.get("outlet_code")}
    first_owner: dict[str, tuple[str, str]] = {}  # NIP -> (partner code, outlet code) of its first row
    partner_ids: dict[str, int | None] = {}
    for line, row in rows:
        raw, partner_code = row.get("outlet_nip", ""), row.get("partner_code", "")
        if not raw or not partner_code or not nip_is_valid(raw):
            continue
        nip = normalise_nip(raw)
        owner = first_owner.setdefault(nip, (partner_code, row.get("outlet_code", "")))
        if owner[0] != partner_code:
            report.errors.append(RowError(line, "outlet_nip", f"NIP used by another partner's outlet {owner[1]}"))
            continue
        if partner_code not in partner_ids:
            partner_ids[partner_code] = session.scalar(select(Partner.id).where(Partner.code == partner_code))
        other = outlet_of_another_partner(session, nip, partner_ids[partner_code], exclude_codes=in_file)
        if other is not None:
            report.errors.append(RowError(line, "outlet_nip", f"NIP used by another partner's outlet {other.code}"))


def _write_outlet(session: Session, row: dict) -> bool:
    partner = session.scalar(select(Partner).where(Partner.code == row["partner_code"]))
    if partner is None:
        partner = Partner(code=row["partner_code"], name=row["partner_name"])
        session.add(partner)
    partner.name = row["partner_name"]
    partner.nip = normalise_nip(row["partner_nip"]) if row.get("partner_nip") else partner.nip
    session.flush()
    outlet = session.scalar(select(Outlet).where(Outlet.code == row["outlet_code"]))
    created = outlet is None
    if created:
        outlet = Outlet(code=row["outlet_code"], partner_id=partner.id)
        session.add(outlet)
    outlet.partner_id, outlet.name = partner.id, row["outlet_name"]
    outlet.nip = normalise_nip(row["outlet_nip"])
    outlet.address, outlet.city = row.get("address", ""), row.get("city", "")
    outlet.aliases = _split(row.get("aliases", ""))
    return created


# --- product codes ---------------------------------------------------------------------------------------

def _check_code(session: Session, row: dict) -> Iterable[tuple[str, str]]:
    if row.get("code") and not code_is_well_formed(row["code"]):
        yield "code", "not a well-formed product code (12 characters with a check character)"
    if row.get("points") and not row["points"].isdigit():
        yield "points", "must be a whole number ≥ 0"
    if row.get("campaign") and session.scalar(select(Campaign.id).where(Campaign.code == row["campaign"])) is None:
        yield "campaign", f"no campaign {row['campaign']!r}"
    used = session.scalar(select(ProductCode.claim_id).where(ProductCode.code == normalise_code(row.get("code", ""))))
    if used:
        yield "code", "already used by a claim; cannot be changed"


def _write_code(session: Session, row: dict) -> bool:
    campaign_id = session.scalar(select(Campaign.id).where(Campaign.code == row["campaign"])) if row.get(
        "campaign") else None
    batch = session.scalar(select(ProductCodeBatch).where(ProductCodeBatch.name == row["batch"]))
    if batch is None:
        batch = ProductCodeBatch(name=row["batch"], points=int(row["points"]), campaign_id=campaign_id)
        session.add(batch)
        session.flush()
    code = session.get(ProductCode, normalise_code(row["code"]))
    created = code is None
    if created:
        code = ProductCode(code=normalise_code(row["code"]))
        session.add(code)
    code.points, code.batch_id, code.campaign_id = int(row["points"]), batch.id, campaign_id
    return created


HANDLERS: dict[str, tuple[Callable, Callable]] = {
    "catalogue": (_check_product, _write_product),
    "partners": (_check_outlet, _write_outlet),
    "codes": (_check_code, _write_code),
    "rewards": (reward_imports.check_row, reward_imports.write_row),
}


def export_csv(session: Session, kind: str) -> str:
    """The current set-up as CSV in the import format (so export, edit, import round-trips)."""
    if kind not in COLUMNS:
        raise InvalidInputError(f"unknown export kind {kind!r}", code="bad_kind")
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS[kind], lineterminator="\n")
    writer.writeheader()
    for row in EXPORTERS[kind](session):
        writer.writerow({k: _safe_cell(str(v)) for k, v in row.items()})
    return out.getvalue()


def _safe_cell(value: str) -> str:
    """Keep spreadsheets from running a cell as a formula."""
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


def _export_products(session: Session) -> Iterable[dict]:
    names: dict[int, list[str]] = {}
    for entry, code in session.execute(select(PartnerItemName, Partner.code).join(
            Partner, Partner.id == PartnerItemName.partner_id).order_by(PartnerItemName.id)):
        names.setdefault(entry.product_id, []).append(f"{code}:{entry.printed_name}")
    for p in session.scalars(select(Product).order_by(Product.sku)):
        yield {"sku": p.sku, "name": p.name, "ean": p.ean or "", "unit": p.unit, "pack_size": p.pack_size,
               "points_per_unit": p.points_per_unit, "aliases": "|".join(p.aliases or []),
               "partner_names": "|".join(names.get(p.id, []))}


def _export_outlets(session: Session) -> Iterable[dict]:
    for o, p in session.execute(select(Outlet, Partner).join(Partner).order_by(Partner.code, Outlet.code)):
        yield {"partner_code": p.code, "partner_name": p.name, "partner_nip": p.nip or "", "outlet_code": o.code,
               "outlet_name": o.name, "outlet_nip": o.nip, "address": o.address, "city": o.city,
               "aliases": "|".join(o.aliases or [])}


def _export_codes(session: Session) -> Iterable[dict]:
    query = (select(ProductCode, ProductCodeBatch.name, Campaign.code)
             .outerjoin(ProductCodeBatch, ProductCodeBatch.id == ProductCode.batch_id)
             .outerjoin(Campaign, Campaign.id == ProductCode.campaign_id).order_by(ProductCode.code))
    for code, batch, campaign in session.execute(query):
        yield {"code": code.code, "points": code.points, "batch": batch or "", "campaign": campaign or ""}


EXPORTERS = {"catalogue": _export_products, "partners": _export_outlets, "codes": _export_codes,
             "rewards": reward_imports.export_rows}
