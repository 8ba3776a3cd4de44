"""Staff pages of the rewards side: the fulfilment screen (orders to send, filters, bulk status changes, CSV
out for the logistics house and tracking numbers back in, each order's history), point adjustments, and the
rewards report with the tax data CSV. Auditors and admins; an order above the approval value needs an auditor.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from decimal import Decimal

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for

from claims.errors import ClaimsError
from claims.roles import STAFF_ROLES
from claims.services.fulfilment import (
    OrderFilter,
    adjust_by_email,
    bulk_move,
    emails_of,
    import_tracking,
    order_history,
    order_page,
    orders_csv,
)
from claims.services.orders import STATUSES, move_order
from claims.services.reward_reports import rewards_report, tax_csv, tax_rows
from review_ui.access import acting_user, is_safe_next, role_required
from review_ui.admin_csv import decode_csv
from review_ui.db import db, runtime, write
from review_ui.errors import claims_error_message, flash_error
from review_ui.i18n import t

bp = Blueprint("rewards_staff", __name__, url_prefix="/staff")
STAFF = tuple(STAFF_ROLES)
PAGE = 100
MAX_CSV_BYTES = 5 * 1024 * 1024


def _filters() -> OrderFilter:
    return OrderFilter(status=request.args.get("status", "")[:16], email=request.args.get("email", "")[:254],
                       reward_id=request.args.get("reward", type=int))


@bp.get("/orders")
@role_required(*STAFF)
def orders():
    filters = _filters()
    page = max(1, request.args.get("page", 1, type=int))
    rows, total = order_page(db(), filters, PAGE, (page - 1) * PAGE)
    return render_template("staff/orders.html", orders=rows, total=total, page=page, filters=filters,
                           statuses=STATUSES, people=emails_of(db(), {o.participant_id for o in rows}),
                           has_next=page * PAGE < total)


@bp.get("/orders.csv")
@role_required(*STAFF)
def export():
    text = orders_csv(db(), _filters())
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M")
    return Response("\ufeff" + text, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="paragon-orders-{stamp}.csv"', "Cache-Control": "no-store"})


def _report(result, back: str):
    if result.moved:
        flash(t("staff.moved", n=result.moved), "success")
    for where, code in result.errors[:50]:
        flash(t("staff.not_moved", where=where, why=claims_error_message(ClaimsError("", code=code))), "error")
    return redirect(back, code=303)


@bp.post("/orders/bulk")
@role_required(*STAFF)
def bulk():
    user = acting_user()
    ids = [int(v) for v in request.form.getlist("order") if v.isdigit() and len(v) <= 9]
    to, tracking = request.form.get("to", ""), request.form.get("tracking", "")
    try:
        result = write(lambda s: bulk_move(s, user, ids, to, tracking))
    except ClaimsError as error:
        return flash_error(error, url_for("rewards_staff.orders"))
    # the list the staff member came from (its filters), only as a path on this site: no open redirect
    back = request.form.get("back")
    return _report(result, back if is_safe_next(back) else url_for("rewards_staff.orders"))


@bp.post("/orders/tracking")
@role_required(*STAFF)
def tracking():
    upload = request.files.get("file")
    data = upload.read(MAX_CSV_BYTES + 1) if upload is not None else b""
    if not data or len(data) > MAX_CSV_BYTES:
        flash(t("csv.no_file"), "error")
        return redirect(url_for("rewards_staff.orders"), code=303)
    user, text = acting_user(), decode_csv(data)
    try:
        result = write(lambda s: import_tracking(s, user, text))
    except ClaimsError as error:
        return flash_error(error, url_for("rewards_staff.orders"))
    return _report(result, url_for("rewards_staff.orders"))


@bp.get("/orders/<int:order_id>")
@role_required(*STAFF)
def order(order_id: int):
    try:
        found, events = order_history(db(), order_id)
    except ClaimsError:
        abort(404)
    return render_template("staff/order.html", order=found, events=events, statuses=STATUSES,
                           person=emails_of(db(), {found.participant_id}).get(found.participant_id))


@bp.post("/orders/<int:order_id>/move")
@role_required(*STAFF)
def move(order_id: int):
    user = acting_user()
    back = url_for("rewards_staff.order", order_id=order_id)
    try:
        write(lambda s: move_order(s, order_id, user, request.form.get("to", ""),
                                   tracking=request.form.get("tracking", ""), note=request.form.get("note", "")))
    except ClaimsError as error:
        return flash_error(error, back)
    flash(t("staff.moved", n=1), "success")
    return redirect(back, code=303)


@bp.get("/points")
@role_required(*STAFF)
def adjust_page():
    return render_template("staff/adjust.html", key=secrets.token_hex(16), form={})


@bp.post("/points")
@role_required(*STAFF)
def adjust():
    user, form = acting_user(), request.form
    points = form.get("points", type=int)
    if points is None:
        flash(t("error.bad_points"), "error")
        return render_template("staff/adjust.html", key=form.get("key", ""), form=form), 422
    try:
        write(lambda s: adjust_by_email(s, user, form.get("email", ""), points, form.get("reason", ""),
                                        form.get("key") or secrets.token_hex(16)))
    except ClaimsError as error:
        flash(claims_error_message(error), "error")
        return render_template("staff/adjust.html", key=form.get("key", ""), form=form), 422
    flash(t("staff.adjusted", points=points), "success")
    return redirect(url_for("rewards_staff.adjust_page"), code=303)


def _threshold() -> Decimal:
    return Decimal(runtime().settings.tax_threshold_pln)


@bp.get("/rewards/report")
@role_required(*STAFF)
def report():
    year = request.args.get("year", datetime.now(UTC).year, type=int)
    return render_template("staff/report.html", report=rewards_report(db()), year=year,
                           tax=tax_rows(db(), year, _threshold()), threshold=_threshold())


@bp.get("/rewards/tax/<int:year>.csv")
@role_required(*STAFF)
def tax(year: int):
    return Response("\ufeff" + tax_csv(db(), year, _threshold()), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="paragon-tax-{year}.csv"', "Cache-Control": "no-store"})
