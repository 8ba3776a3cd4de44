"""Admin pages: CSV import (all rows or none, with a row-by-row report) and CSV export of the programme set-up."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from flask import Response, abort, flash, redirect, render_template, request, url_for

from claims.errors import InvalidInputError
from claims.services.imports import COLUMNS, ImportRejectedError, RowError, export_csv, import_csv
from review_ui.access import acting_user, role_required
from review_ui.admin_base import ADMIN, bp
from review_ui.db import db, write
from review_ui.errors import claims_error_message
from review_ui.i18n import t

KINDS = tuple(COLUMNS)
MAX_SHOWN_ERRORS = 1000
#: The import's English row messages -> catalogue keys; patterns carry one value into the message.
EXACT_MESSAGES = {
    "required": "csv.required",
    "missing columns": "csv.missing_columns",
    "EAN check digit is wrong": "csv.bad_ean",
    "NIP check digit is wrong": "csv.bad_nip",
    "must be a positive number": "csv.not_positive",
    "must be a whole number ≥ 0": "csv.not_whole",
    "already used by a claim; cannot be changed": "csv.code_used",
    "not a well-formed product code (12 characters with a check character)": "csv.bad_code",
}
PATTERN_MESSAGES = (
    (re.compile(r"^duplicate of line (\d+)$"), "csv.duplicate"),
    (re.compile(r"^no campaign '(.*)'$"), "csv.no_campaign"),
    (re.compile(r"^NIP used by another partner's outlet (.*)$"), "csv.nip_other_partner"),
    (re.compile(r"^'(.*)': use PARTNERCODE:printed name with a known partner$"), "csv.bad_partner_name"),
    (re.compile(r"^more than (\d+) rows$"), "csv.too_many_rows"),
)


@bp.get("/import")
@role_required(*ADMIN)
def import_page():
    return render_template("admin/import.html", kinds=KINDS, columns=COLUMNS, report=None, kind=None)


@bp.post("/import/<kind>")
@role_required(*ADMIN)
def import_upload(kind: str):
    if kind not in KINDS:
        abort(404)
    upload = request.files.get("file")
    data = upload.read() if upload is not None else b""
    if not data:
        flash(t("csv.no_file"), "error")
        return _page(kind, None), 422
    text = decode_csv(data)
    user = acting_user()
    try:
        report = write(lambda s: import_csv(s, kind, text, actor_user_id=user.id))
    except ImportRejectedError as error:
        flash(t("csv.rejected", n=len(error.report.errors)), "error")
        return _page(kind, error.report), 422
    except InvalidInputError as error:
        flash(claims_error_message(error), "error")
        return _page(kind, None), 422
    flash(t("csv.imported", rows=report.rows, created=report.created, updated=report.updated), "success")
    return redirect(url_for("admin.import_page"), code=303)


def _page(kind: str, report):
    rows = [_row_view(e) for e in report.errors[:MAX_SHOWN_ERRORS]] if report is not None else []
    return render_template("admin/import.html", kinds=KINDS, columns=COLUMNS, report=report, kind=kind,
                           rows=rows, shown=len(rows))


def decode_csv(data: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1250 — what Polish spreadsheets save."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1250", errors="replace")


def row_message(message: str) -> str:
    """The import's row message in the user's language (unknown ones as they are)."""
    if message in EXACT_MESSAGES:
        return t(EXACT_MESSAGES[message])
    for pattern, key in PATTERN_MESSAGES:
        if match := pattern.match(message):
            return t(key, value=match.group(1))
    return message


def _row_view(error: RowError) -> dict:
    return {"line": error.line, "column": error.column, "message": row_message(error.message)}


@bp.get("/export/<kind>.csv")
@role_required(*ADMIN)
def export(kind: str):
    if kind not in KINDS:
        abort(404)
    text = export_csv(db(), kind)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M")
    response = Response("\ufeff" + text, mimetype="text/csv")  # the BOM: Excel then reads UTF-8 right
    response.headers["Content-Disposition"] = f'attachment; filename="paragon-{kind}-{stamp}.csv"'
    response.headers["Cache-Control"] = "no-store"
    return response
