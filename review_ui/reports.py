"""The reports dashboard (auditors and admins): charts drawn as inline SVG and each table as a CSV download."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import asdict
from datetime import date

from flask import Blueprint, Response, abort, render_template, request
from sqlalchemy.orm import Session

from claims.roles import Role
from claims.services import reports
from review_ui.access import role_required
from review_ui.charts import bar_chart, line_chart, stacked_columns
from review_ui.db import db
from review_ui.formatting import status_label
from review_ui.i18n import t
from vocabulary.claims import ClaimStatus

bp = Blueprint("reports", __name__, url_prefix="/reports")

PERIODS = (7, 30, 90, 365)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

#: Each table: its columns (row key, label key) and how to compute its rows since a moment.
TABLES: dict[str, tuple[tuple[tuple[str, str], ...], Callable]] = {
    "claims_per_day": ((("day", "reports.col.day"), ("status", "col.status"), ("claims", "partners.claims")),
                       reports.claims_per_day),
    "partners": ((("partner", "claim.partner"), ("code", "reports.col.code"), ("claims", "partners.claims"),
                  ("decided", "partners.decided"), ("approved", "reports.col.approved"),
                  ("approval_rate", "partners.approval_rate"), ("median_hours_to_decision", "partners.median_hours"),
                  ("overturned", "partners.overturned")),
                 lambda session, since: [asdict(f) for f in reports.partner_figures(session, since)]),
    "top_products": ((("product", "reports.col.product"), ("claims", "partners.claims"),
                      ("quantity", "claim.item.quantity")), reports.top_products),
    "participants": ((("participant", "claim.participant"), ("company", "register.company_name"),
                      ("email", "login.email"), ("claims", "partners.claims"), ("points", "col.points")),
                     reports.active_participants),
    "points_per_day": ((("day", "reports.col.day"), ("issued", "reports.col.issued"),
                        ("reversed", "reports.col.reversed")), reports.points_per_day),
}


def period_arg() -> int:
    try:
        days = int(request.args.get("days", "30"))
    except ValueError:
        return 30
    return days if days in PERIODS else 30


def table_rows(session: Session, name: str, days: int) -> list[dict]:
    return TABLES[name][1](session, reports.since_days(days))


@bp.get("")
@role_required(Role.AUDITOR, Role.ADMIN)
def dashboard():
    days, session = period_arg(), db()
    tables = {name: table_rows(session, name, days) for name in TABLES}
    columns = {name: [(key, t(label)) for key, label in spec[0]] for name, spec in TABLES.items()}
    return render_template("reports/dashboard.html", days=days, periods=PERIODS, tables=tables, columns=columns,
                           charts=_charts(tables))


def _charts(tables: dict[str, list[dict]]) -> dict:
    days = sorted({row["day"] for row in tables["claims_per_day"]})
    by_status = {s.value: [0] * len(days) for s in ClaimStatus}
    for row in tables["claims_per_day"]:
        by_status[row["status"]][days.index(row["day"])] += row["claims"]
    by_status = {status: values for status, values in by_status.items() if any(values)}
    partners = tables["partners"]
    points = tables["points_per_day"]
    return {
        "claims_per_day": stacked_columns(days, by_status, t("reports.claims_per_day"),
                                          labels={s: status_label(s) for s in by_status}),
        "approval_rate": bar_chart([(p["partner"], round(100 * p["approval_rate"], 1)) for p in partners
                                    if p["approval_rate"] is not None], t("partners.approval_rate"), "%", 100),
        "decision_time": bar_chart([(p["partner"], p["median_hours_to_decision"]) for p in partners
                                    if p["median_hours_to_decision"] is not None], t("partners.median_hours"), " h"),
        "top_products": bar_chart([(r["product"], r["claims"]) for r in tables["top_products"]],
                                  t("reports.top_products")),
        "participants": bar_chart([(r["company"] or r["participant"], r["claims"]) for r in tables["participants"]],
                                  t("reports.participants")),
        "points": line_chart([r["day"] for r in points], {t("reports.col.issued"): [r["issued"] for r in points],
                                                          t("reports.col.reversed"): [r["reversed"] for r in points]},
                             t("reports.points")),
    }


@bp.get("/<name>.csv")
@role_required(Role.AUDITOR, Role.ADMIN)
def export(name: str):
    if name not in TABLES:
        abort(404)
    days = period_arg()
    columns = TABLES[name][0]
    rows = table_rows(db(), name, days)
    body = to_csv([t(label) for _, label in columns], [[row.get(key) for key, _ in columns] for row in rows])
    filename = f"paragon-{name}-{days}d-{date.today().isoformat()}.csv"
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{filename}"',
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, no-store",
    })


def to_csv(header: list[str], rows: list[list[object]]) -> str:
    """RFC 4180 CSV with a BOM (spreadsheets then read UTF-8), every text cell safe from formula injection."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe_cell(h) for h in header])
    writer.writerows([[safe_cell(v) for v in row] for row in rows])
    return out.getvalue()


def safe_cell(value: object) -> object:
    """A text cell that a spreadsheet would run as a formula gets a leading apostrophe; numbers stay numbers."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, int | float):
        text = str(value)
        return "'" + text if text.startswith(FORMULA_STARTS) else text
    return value
