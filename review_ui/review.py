"""The partner's and auditor's side: the review queue, the claim page, corrections and the decisions on it."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from sqlalchemy.orm import Session

from claims.db.models import Claim, User
from claims.errors import ConflictError, IllegalTransitionError, InvalidInputError, PermissionDeniedError
from claims.reasons import reason_text
from claims.roles import STAFF_ROLES, Role
from claims.services.admin_catalogue import product_by_code, products_by_id, search_products
from claims.services.audit import audit_log
from claims.services.corrections import correct_fields, may_correct
from claims.services.matches import correct_line_match
from claims.services.review import decide_claim, decisions_of, get_visible_claim, reverse_claim
from claims.services.views import reason_view
from claims.services.worklists import (
    REVIEW_SLA_HOURS,
    clean_waiting_claims,
    is_warning,
    queue_count,
    queue_page,
    visible_outlets,
    waiting_ids,
    warning_count,
)
from review_ui.access import REVIEWER_ROLES, acting_user, role_required
from review_ui.claim_pages import MAX_CLAIM_ID, claim_items, document_views, editable_values, read_fields
from review_ui.db import db, write
from review_ui.documents import document_page_count
from review_ui.errors import flash_error
from review_ui.i18n import current_locale, has_key, t, tn, translate
from review_ui.ksef_view import ksef_view
from review_ui.queue_filters import AGE_CHOICES, filter_args, hours_waited, parse_filter
from vocabulary.claims import REVIEW_STATES, ClaimStatus
from vocabulary.fields import EDITABLE_FIELDS
from vocabulary.reasons import REJECTION_CODES, ReasonCode

bp = Blueprint("review", __name__)

PAGE_SIZE = 50
NEIGHBOUR_WINDOW = 500
MAX_COMMENT = 2000
MAX_BULK = PAGE_SIZE
MAX_LINES = 200
PRODUCT_RESULTS = 20
DECISION_ERRORS = (ConflictError, IllegalTransitionError, InvalidInputError)


@bp.get("/review")
@role_required(*REVIEWER_ROLES)
def queue():
    session, user = db(), acting_user()
    outlets = visible_outlets(session, user)
    wanted = parse_filter(request.args, {**{str(o.id): o.id for o in outlets}, **{o.code: o.id for o in outlets}})
    page = _page_arg()
    rows = queue_page(session, user, wanted, PAGE_SIZE + 1, (page - 1) * PAGE_SIZE)
    claims = rows[:PAGE_SIZE]
    now = datetime.now(UTC)
    warnings = {c.id: warning_count(c) for c in claims}
    return render_template(
        "review/queue.html",
        claims=claims,
        total=queue_count(session, user, wanted),
        has_next=len(rows) > PAGE_SIZE,
        page=page,
        wanted=wanted,
        args=filter_args(wanted),
        outlets=outlets,
        statuses=list(ClaimStatus),
        ages=AGE_CHOICES,
        sla_hours=REVIEW_SLA_HOURS,
        overdue={c.id for c in claims if wanted.waiting and hours_waited(c.submitted_at, now) > REVIEW_SLA_HOURS},
        warnings=warnings,
        bulk_ids=[c.id for c in claims if c.status == ClaimStatus.PENDING_REVIEW and not warnings[c.id]],
    )


def _page_arg() -> int:
    try:
        return max(1, min(int(request.args.get("page", "1")), 10_000))
    except ValueError:
        return 1


@bp.post("/review/bulk-approve")
@role_required(*REVIEWER_ROLES)
def bulk_approve():
    """Approve the ticked claims that wait in pending review with no warning; each in its own transaction."""
    session, user = db(), acting_user()
    asked = list(dict.fromkeys(i[:MAX_CLAIM_ID] for i in request.form.getlist("claim_id")))[:MAX_BULK]
    clean = [c.id for c in clean_waiting_claims(session, user, asked)]
    approved = 0
    for claim_id in clean:
        try:
            write(lambda s, cid=claim_id: decide_claim(s, user, cid, "approve", ReasonCode.CONFIRMED, ""))
            approved += 1
        except (*DECISION_ERRORS, PermissionDeniedError):
            continue  # decided meanwhile: counted as skipped below
    flash(tn("bulk.approved", approved), "success" if approved else "info")
    if len(asked) > approved:
        flash(tn("bulk.skipped", len(asked) - approved), "info")
    return redirect(url_for("review.queue"), code=303)


@bp.get("/review/claims/<claim_id>")
@role_required(*REVIEWER_ROLES)
def claim(claim_id: str):
    session, user = db(), acting_user()
    found = get_visible_claim(session, user, _checked_id(claim_id))
    previous_id, next_id = _neighbours(session, user, found.id)
    locale, staff = current_locale(), Role(user.role) in STAFF_ROLES
    return render_template(
        "review/claim.html",
        claim=found,
        fields=read_fields(found.fields),
        editable=editable_values(found.fields) if may_correct(user, found) else None,
        documents=document_views(found.documents, document_page_count),
        items=claim_items(found.fields),
        ksef=ksef_view(found.fields),
        lines=line_views(session, found.lines),
        can_correct_lines=may_correct(user, found),
        reasons=[_reason_for_reviewer(r, locale) for r in found.reasons or []],
        decisions=decisions_of(session, found.id),
        audit=audit_log(session, claim_id=found.id, newest_first=False, limit=500) if staff else [],
        can_decide=_can_decide(user, found),
        can_reverse=staff and found.status == ClaimStatus.APPROVED,
        rejection_codes=_rejection_choices(locale),
        previous_id=previous_id,
        next_id=next_id,
        sla_hours=REVIEW_SLA_HOURS,
        waited=hours_waited(found.submitted_at),
    )


def _checked_id(claim_id: str) -> str:
    if len(claim_id) > MAX_CLAIM_ID:
        abort(404)
    return claim_id


def _can_decide(user: User, found: Claim) -> bool:
    if found.status == ClaimStatus.PENDING_REVIEW:
        return True
    return found.status == ClaimStatus.FLAGGED and Role(user.role) in STAFF_ROLES


def _reason_for_reviewer(record: dict, locale: str) -> dict:
    """The participant's view of a reason plus its severity and the evidence the system kept."""
    view = reason_view(record, locale)
    view["severity"] = str(record.get("severity") or "")
    view["warning"] = is_warning(record)
    evidence = record.get("evidence")
    if isinstance(evidence, dict) and evidence:
        view["evidence"] = {str(k): str(v)[:300] for k, v in evidence.items()}
    return view


def _rejection_choices(locale: str) -> list[tuple[str, str]]:
    """(code, label) for the reject <select>, 'other' last; a reviewer's short label where the UI has one,
    else the participant-facing message of claims.reasons."""
    ordered = [code for code in ReasonCode if code in REJECTION_CODES and code != ReasonCode.OTHER]
    ordered += [code for code in REJECTION_CODES if code == ReasonCode.OTHER]
    return [(str(code), _rejection_label(code, locale)) for code in ordered]


def _rejection_label(code: ReasonCode, locale: str) -> str:
    key = f"reject.{code}"
    return translate(key, locale) if has_key(key) else reason_text(code, locale)


def _neighbours(session: Session, user: User, claim_id: str) -> tuple[str | None, str | None]:
    """The previous and next claim in the user's queue around `claim_id` (for J/K)."""
    ids = waiting_ids(session, user, NEIGHBOUR_WINDOW)
    if claim_id not in ids:
        return None, (ids[0] if ids else None)
    at = ids.index(claim_id)
    return (ids[at - 1] if at > 0 else None), (ids[at + 1] if at + 1 < len(ids) else None)


def _after_decision(ids: list[str], claim_id: str) -> str:
    """Where a reviewer goes after deciding: the next waiting claim (wrapping round), else the queue."""
    if claim_id in ids:
        at = ids.index(claim_id)
        ids = ids[at + 1 :] + ids[:at]
    return url_for("review.claim", claim_id=ids[0]) if ids else url_for("review.queue")


@bp.post("/review/claims/<claim_id>/fields")
@role_required(*REVIEWER_ROLES)
def correct(claim_id: str):
    """Save the reviewer's corrections of the read fields (points follow the total)."""
    user, claim_id = acting_user(), _checked_id(claim_id)
    back = url_for("review.claim", claim_id=claim_id)
    submitted = {name: request.form.get(name, "") for name in EDITABLE_FIELDS if name in request.form}
    try:
        changes = write(lambda s: correct_fields(s, user, claim_id, submitted))
    except DECISION_ERRORS as error:
        field = error.details.get("field")
        return flash_error(error, back, label=t(f"field.{field}") if field else "")
    flash(tn("fields.saved", len(changes)) if changes else t("fields.unchanged"), "success" if changes else "info")
    return redirect(back, code=303)


@bp.post("/review/claims/<claim_id>/approve")
@role_required(*REVIEWER_ROLES)
def approve(claim_id: str):
    return _decide(_checked_id(claim_id), "approve", ReasonCode.CONFIRMED, "", "decide.approved")


@bp.post("/review/claims/<claim_id>/reject")
@role_required(*REVIEWER_ROLES)
def reject(claim_id: str):
    code = request.form.get("reason_code", "").strip()[:64]
    comment = request.form.get("comment", "").strip()[:MAX_COMMENT]
    return _decide(_checked_id(claim_id), "reject", code, comment, "decide.rejected")


def _decide(claim_id: str, action: str, code: str, comment: str, done_key: str):
    session, user = db(), acting_user()
    ids = waiting_ids(session, user, NEIGHBOUR_WINDOW)
    back = url_for("review.claim", claim_id=claim_id)
    try:
        write(lambda s: decide_claim(s, user, claim_id, action, code, comment))
    except DECISION_ERRORS as error:
        return flash_error(error, back)
    flash(t(done_key), "success")
    return redirect(_after_decision(ids, claim_id), code=303)


@bp.post("/review/claims/<claim_id>/reverse")
@role_required(Role.AUDITOR, Role.ADMIN)
def reverse(claim_id: str):
    user = acting_user()
    claim_id = _checked_id(claim_id)
    comment = request.form.get("comment", "").strip()[:MAX_COMMENT]
    back = url_for("review.claim", claim_id=claim_id)
    try:
        write(lambda s: reverse_claim(s, user, claim_id, comment))
    except DECISION_ERRORS as error:
        return flash_error(error, back)
    flash(t("decide.reversed"), "success")
    return redirect(back, code=303)


# ---- line items and their catalogue match ------------------------------------------------------------


def line_views(session: Session, lines: list | None) -> list[dict]:
    """Each matched line with its alternatives named ({id, name, sku, score}), best first."""
    rows = [(i, line) for i, line in enumerate((lines or [])[:MAX_LINES]) if isinstance(line, dict)]
    wanted = {_product_id(alt[0]) for _, line in rows for alt in _alternatives(line)}
    products = products_by_id(session, {i for i in wanted if i is not None})
    views = []
    for index, line in rows:
        named = [(products.get(_product_id(alt[0])), alt[1]) for alt in _alternatives(line)]
        views.append({
            "index": index, "item": str(line.get("item") or ""), "product_id": line.get("product_id"),
            "product_name": line.get("product_name"), "score": _percent(line.get("score")),
            "points": line.get("points") or 0, "eligible": bool(line.get("eligible")),
            "reason": line.get("reason"), "auto": bool(line.get("auto")), "method": str(line.get("method") or ""),
            "alternatives": [{"id": p.id, "name": p.name, "sku": p.sku, "score": _percent(score)}
                             for p, score in named if p is not None],
        })
    return views


def _alternatives(line: dict) -> list:
    found = line.get("alternatives") or []
    return [alt for alt in found if isinstance(alt, list | tuple) and len(alt) == 2][:10]


def _product_id(value: object) -> int | None:
    try:
        return int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def _percent(score: object) -> str:
    try:
        return f"{float(score):.0f}"  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return "—"


@bp.get("/review/products")
@role_required(*REVIEWER_ROLES)
def product_search():
    """Active catalogue products for the line picker: {"products": [{id, sku, name, ean}]}."""
    found = search_products(db(), request.args.get("q", "")[:100], PRODUCT_RESULTS)
    return jsonify(products=[{"id": p.id, "sku": p.sku, "name": p.name, "ean": p.ean} for p in found])


@bp.post("/review/claims/<claim_id>/lines/<int:line_index>")
@role_required(*REVIEWER_ROLES)
def correct_line(claim_id: str, line_index: int):
    """Set a line's product (or "not a programme product"); the partner's printed name is learned."""
    user, claim_id = acting_user(), _checked_id(claim_id)
    back = url_for("review.claim", claim_id=claim_id, _anchor=f"line-{line_index}")
    chosen, code = request.form.get("product_id", "").strip()[:20], request.form.get("sku", "").strip()[:100]
    try:
        line, points = write(lambda s: _correct_line(s, user, claim_id, line_index, chosen, code))
    except DECISION_ERRORS as error:
        return flash_error(error, back)
    if line["product_id"] is None:
        flash(t("lines.set_none", points=points), "success")
    else:
        flash(t("lines.set_product", product=line["product_name"], points=points), "success")
    return redirect(back, code=303)


def _correct_line(session: Session, user: User, claim_id: str, index: int, chosen: str, code: str):
    found = get_visible_claim(session, user, claim_id)
    if found.status not in REVIEW_STATES:
        raise ConflictError(f"claim is {found.status}", code="already_decided")
    if not may_correct(user, found):
        raise PermissionDeniedError("flagged claims are corrected by auditors")
    line = correct_line_match(session, user, claim_id, index, _chosen_product(session, chosen, code))
    return line, found.points_proposed


def _chosen_product(session: Session, chosen: str, code: str) -> int | None:
    """The picked product id; "none" for not a programme product; else the product with SKU/EAN `code`."""
    if chosen == "none":
        return None
    if chosen:
        product = products_by_id(session, {int(chosen)}).get(int(chosen)) if chosen.isdigit() else None
    elif code:
        product = product_by_code(session, code)
    else:
        raise InvalidInputError("choose a product", code="choose_product")
    if product is None:
        raise InvalidInputError("no such product", code="unknown_product")
    return product.id
