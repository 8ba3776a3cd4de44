"""The reports dashboard (auditors and admins): KPI tiles, the partners' SLA league table, charts drawn by the
vendored Chart.js (static/vendor/chartjs, MIT) each beside its table, and every table as CSV for Polish Excel
(semicolons, decimal commas, UTF-8 with BOM) and as XLSX. Filters: period, partner, campaign."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import asdict
from datetime import date
from decimal import Decimal

from flask import Blueprint, Response, abort, render_template, request
from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy import select
from sqlalchemy.orm import Session

from claims.db.models import Campaign, Partner
from claims.roles import Role
from claims.services import reports
from claims.services.kpis import kpis, sla_league
from review_ui.access import role_required
from review_ui.db import db
from review_ui.i18n import t
from review_ui.report_charts import chart_specs

bp = Blueprint("reports", __name__, url_prefix="/reports")

PERIODS = (7, 30, 90, 365)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: Ratios (0–1) that the tables and exports show as percentages.
PERCENT_KEYS = frozenset({"approval_rate", "sla_share"})
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

#: Each table: its columns (row key, label key) and how to compute its rows for a ReportFilter.
TABLES: dict[str, tuple[tuple[tuple[str, str], ...], Callable]] = {
    "claims_per_day": ((("day", "reports.col.day"), ("status", "col.status"), ("claims", "partners.claims")),
                       reports.claims_per_day),
    "partners": ((("partner", "claim.partner"), ("code", "reports.col.code"), ("claims", "partners.claims"),
                  ("decided", "partners.decided"), ("approved", "reports.col.approved"),
                  ("approval_rate", "partners.approval_rate"), ("median_hours_to_decision", "partners.median_hours"),
                  ("overturned", "partners.overturned")),
                 lambda session, wanted: [asdict(f) for f in reports.partner_figures(session, wanted)]),
    "sla": ((("rank", "reports.col.rank"), ("partner", "claim.partner"), ("decided", "partners.decided"),
             ("within_sla", "reports.col.within_sla"), ("sla_share", "reports.col.sla_share"),
             ("median_hours", "partners.median_hours")),
            lambda session, wanted: [asdict(r) for r in sla_league(session, wanted)]),
    "top_products": ((("product", "reports.col.product"), ("claims", "partners.claims"),
                      ("quantity", "claim.item.quantity")), reports.top_products),
    "participants": ((("participant", "claim.participant"), ("company", "register.company_name"),
                      ("email", "login.email"), ("claims", "partners.claims"), ("points", "col.points")),
                     reports.active_participants),
    "points_per_day": ((("day", "reports.col.day"), ("issued", "reports.col.issued"),
                        ("reversed", "reports.col.reversed"), ("redeemed", "reports.col.redeemed")),
                       reports.points_per_day),
}


def period_arg() -> int:
    try:
        days = int(request.args.get("days", "30"))
    except ValueError:
        return 30
    return days if days in PERIODS else 30


def _id_arg(session: Session, name: str, model) -> int | None:
    """A partner or campaign id from the query, when it names one that exists (anything else: all)."""
    raw = request.args.get(name, "")
    if not raw.isdigit() or len(raw) > 9:
        return None
    return int(raw) if session.get(model, int(raw)) is not None else None


def report_filter(session: Session) -> tuple[reports.ReportFilter, int]:
    days = period_arg()
    wanted = reports.ReportFilter(since=reports.since_days(days), partner_id=_id_arg(session, "partner", Partner),
                                  campaign_id=_id_arg(session, "campaign", Campaign))
    return wanted, days


def table_rows(session: Session, name: str, wanted: reports.ReportFilter) -> list[dict]:
    return TABLES[name][1](session, wanted)


def filter_args(wanted: reports.ReportFilter, days: int) -> dict:
    """The query arguments that repeat the filter (for the export links)."""
    args: dict = {"days": days}
    if wanted.partner_id is not None:
        args["partner"] = wanted.partner_id
    if wanted.campaign_id is not None:
        args["campaign"] = wanted.campaign_id
    return args


@bp.get("")
@role_required(Role.AUDITOR, Role.ADMIN)
def dashboard():
    session = db()
    wanted, days = report_filter(session)
    tables = {name: table_rows(session, name, wanted) for name in TABLES}
    columns = {name: [(key, t(label)) for key, label in spec[0]] for name, spec in TABLES.items()}
    return render_template(
        "reports/dashboard.html", days=days, periods=PERIODS, tables=tables, columns=columns,
        charts=chart_specs(tables), kpi=kpis(session, wanted), wanted=wanted, args=filter_args(wanted, days),
        partners=session.scalars(select(Partner).order_by(Partner.name)).all(),
        campaigns=session.scalars(select(Campaign).order_by(Campaign.starts_on.desc())).all(),
        percent_keys=PERCENT_KEYS)


def _export_rows(name: str) -> tuple[list[str], list[list[object]], str]:
    if name not in TABLES:
        abort(404)
    session = db()
    wanted, days = report_filter(session)
    columns = TABLES[name][0]
    header = [t(label) + (" (%)" if key in PERCENT_KEYS else "") for key, label in columns]
    rows = [[_export_value(key, row.get(key)) for key, _ in columns] for row in table_rows(session, name, wanted)]
    return header, rows, f"paragon-{name}-{days}d-{date.today().isoformat()}"


def _export_value(key: str, value: object) -> object:
    if key in PERCENT_KEYS and isinstance(value, int | float):
        return round(100 * value, 1)
    if key == "status" and value:
        from review_ui.formatting import status_label

        return status_label(str(value))
    return value


def download(body: bytes | str, mimetype: str, filename: str) -> Response:
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="{filename}"',
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, no-store",
    })


@bp.get("/<name>.csv")
@role_required(Role.AUDITOR, Role.ADMIN)
def export(name: str):
    header, rows, stem = _export_rows(name)
    return download(to_csv(header, rows), "text/csv", f"{stem}.csv")


@bp.get("/<name>.xlsx")
@role_required(Role.AUDITOR, Role.ADMIN)
def export_xlsx(name: str):
    header, rows, stem = _export_rows(name)
    return download(to_xlsx(name, header, rows), XLSX_TYPE, f"{stem}.xlsx")


def to_csv(header: list[str], rows: list[list[object]]) -> str:
    """CSV as Polish Excel opens it: semicolons between cells, decimal commas, UTF-8 with a BOM; every text cell
    safe from formula injection."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([safe_cell(h) for h in header])
    writer.writerows([[excel_number(safe_cell(v)) for v in row] for row in rows])
    return out.getvalue()


def excel_number(value: object) -> object:
    """A fractional number with a decimal comma (0.8 -> '0,8'); whole numbers and text as they are."""
    if isinstance(value, float | Decimal) and not isinstance(value, bool):
        text = f"{value:f}".rstrip("0").rstrip(".") if "." in f"{value:f}" else f"{value:f}"
        return text.replace(".", ",")
    return value


def to_xlsx(name: str, header: list[str], rows: list[list[object]]) -> bytes:
    """One sheet: the header in bold, numbers as numbers, text cells safe from formulas."""
    book = Workbook()
    sheet = book.active
    sheet.title = name[:31]
    sheet.append([str(h) for h in header])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([_xlsx_cell(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _xlsx_cell(value: object) -> object:
    if isinstance(value, Decimal):
        return float(value)
    return safe_cell(value)


def safe_cell(value: object) -> object:
    """A text cell that a spreadsheet would run as a formula gets a leading apostrophe; numbers stay numbers."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        text = str(value)
        return "'" + text if text.startswith(FORMULA_STARTS) else text
    return value
