"""The partner's sales records page: a CSV of the invoices the partner issued to participants, matched to claims
(`claims.services.partner_sales`); partners record their own outlets' sales, admins anyone's."""

from __future__ import annotations

import csv
import io

from flask import flash, render_template, request

from claims.errors import ClaimsError
from claims.roles import Role
from claims.services.partner_sales import MAX_RECORDS, check_record, record_sales
from review_ui.access import acting_user, role_required
from review_ui.admin_csv import decode_csv
from review_ui.db import write
from review_ui.errors import claims_error_message
from review_ui.i18n import t
from review_ui.review import bp

#: The CSV's columns (separated by ; or ,); lines are sent through the API only.
COLUMNS = ("ksef_number", "seller_nip", "document_number", "issue_date", "total", "buyer_nip")
MAX_CSV_BYTES = 2 * 1024 * 1024
SALES_ROLES = (Role.PARTNER_REVIEWER, Role.ADMIN)


@bp.get("/review/sales")
@role_required(*SALES_ROLES)
def sales_page():
    return render_template("review/sales.html", columns=COLUMNS, report=None)


@bp.post("/review/sales")
@role_required(*SALES_ROLES)
def sales_upload():
    upload = request.files.get("file")
    data = upload.read(MAX_CSV_BYTES + 1) if upload is not None else b""
    if not data or len(data) > MAX_CSV_BYTES:
        flash(t("sales.no_file" if not data else "sales.too_large"), "error")
        return render_template("review/sales.html", columns=COLUMNS, report=None), 422
    user = acting_user()
    try:
        records = [check_record(row, number) for number, row in enumerate(_rows(decode_csv(data)), start=2)]
        report = write(lambda session: record_sales(session, session.merge(user), records))
    except ClaimsError as error:
        flash(claims_error_message(error), "error")
        return render_template("review/sales.html", columns=COLUMNS, report=None), 422
    flash(t("sales.recorded", stored=report.stored), "success")
    return render_template("review/sales.html", columns=COLUMNS, report=report)


def _rows(text: str) -> list[dict[str, str]]:
    """The CSV's rows as {column: value} (the header names the columns; ; or , separates them)."""
    dialect = csv.Sniffer().sniff(text[:2048], delimiters=";,") if text.strip() else csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    rows = []
    for row in reader:
        rows.append({key.strip(): (value or "").strip() for key, value in row.items() if key})
        if len(rows) > MAX_RECORDS:
            break
    return rows
