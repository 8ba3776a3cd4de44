"""The partner's and auditor's side: the review queue, the claim page, corrections and the decisions on it."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from sqlalchemy.orm import Session

from claims.db.models import Claim, User
from claims.errors import ConflictError, IllegalTransitionError, InvalidInputError, PermissionDeniedError
from claims.reasons import reason_text
from claims.roles import STAFF_ROLES, Role
from claims.services.audit import audit_log
from claims.services.campaigns import claim_parts
from claims.services.corrections import correct_fields, may_correct, preview_points
from claims.services.display_review import display_view
from claims.services.evidence import evidence_sentences, prior_claim
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
from review_ui.queue_filters import AGE_CHOICES, NOTE_CODES, filter_args, hours_waited, note_labels, parse_filter
from review_ui.review_edits import failed_save, pending_edits, submitted_fields
from vocabulary.claims import ClaimKind, ClaimStatus
from vocabulary.reasons import REJECTION_CODES, ReasonCode

bp = Blueprint("review", __name__)

PAGE_SIZE = 50
NEIGHBOUR_WINDOW = 500
MAX_COMMENT = 2000
MAX_BULK = PAGE_SIZE
MAX_LINES = 200
MAX_CHECKLIST = 20
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
        bulk_ids=[c.id for c in claims if c.status == ClaimStatus.PENDING_REVIEW and not warnings[c.id]
                  and c.kind != ClaimKind.DISPLAY],  # a display is approved with its checklist, one by one
        notes={c.id: note_labels(c) for c in claims}, note_codes=NOTE_CODES,
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
    return claim_page(_checked_id(claim_id))


def claim_page(claim_id: str, typed: dict[str, str] | None = None, errors: dict[str, str] | None = None,
               status: int = 200):
    """The claim page; after a failed save `typed` keeps every value as typed and `errors` says, per field,
    what is wrong and which format is expected."""
    from review_ui.review_lines import line_views, with_line_boxes

    session, user = db(), acting_user()
    found = get_visible_claim(session, user, claim_id)
    previous_id, next_id = _neighbours(session, user, found.id)
    locale, staff = current_locale(), Role(user.role) in STAFF_ROLES
    editable = editable_values(found.fields) if may_correct(user, found) else None
    if editable is not None and typed:
        editable = [(name, typed.get(name, value)) for name, value in editable]
    return render_template(
        "review/claim.html",
        claim=found,
        fields=read_fields(found.fields),
        editable=editable,
        field_errors=errors or {},
        documents=with_line_boxes(document_views(found.documents, document_page_count), found),
        items=claim_items(found.fields),
        ksef=ksef_view(found.fields),
        lines=line_views(session, found.lines, found.fields),
        parts=claim_parts(session, found.id),
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
        display=display_view(session, found),
    ), status


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
    view["sentences"] = evidence_sentences(record, locale)
    view["prior_claim"] = prior_claim(record)
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
    """Save the reviewer's corrections of the read fields; a failed save keeps every typed value."""
    user, claim_id = acting_user(), _checked_id(claim_id)
    back = url_for("review.claim", claim_id=claim_id)
    submitted = submitted_fields(request.form)
    try:
        changes = write(lambda s: correct_fields(s, user, claim_id, submitted))
    except DECISION_ERRORS as error:
        if error.code == "bad_fields":
            return failed_save(claim_id, submitted, error)
        return flash_error(error, back)
    flash(tn("fields.saved", len(changes)) if changes else t("fields.unchanged"), "success" if changes else "info")
    return redirect(back, code=303)


@bp.post("/review/claims/<claim_id>/fields/preview")
@role_required(*REVIEWER_ROLES)
def preview(claim_id: str):
    """The points the typed corrections would give, before anything is saved or decided (JSON)."""
    user, claim_id = acting_user(), _checked_id(claim_id)
    try:
        now, after = preview_points(db(), user, claim_id, submitted_fields(request.form))
    except PermissionDeniedError:
        return jsonify(error={"code": "forbidden", "message": t("error.403")}), 403
    finally:
        db().rollback()
    return jsonify(points=now, after=after, text=t("fields.points_after", now=now, after=after))


@bp.post("/review/claims/<claim_id>/approve")
@role_required(*REVIEWER_ROLES)
def approve(claim_id: str):
    ticked = [item[:200] for item in request.form.getlist("checklist")[:MAX_CHECKLIST]]  # a display claim's
    return _decide(_checked_id(claim_id), "approve", ReasonCode.CONFIRMED, "", "decide.approved", ticked)


@bp.post("/review/claims/<claim_id>/reject")
@role_required(*REVIEWER_ROLES)
def reject(claim_id: str):
    code = request.form.get("reason_code", "").strip()[:64]
    comment = request.form.get("comment", "").strip()[:MAX_COMMENT]
    return _decide(_checked_id(claim_id), "reject", code, comment, "decide.rejected")


def _decide(claim_id: str, action: str, code: str, comment: str, done_key: str, ticked: list[str] | None = None):
    """Decide; corrections typed but not saved come along with the decision (saved first, in the same
    transaction), and when they cannot be saved nothing is decided and the page keeps them as typed."""
    session, user = db(), acting_user()
    ids = waiting_ids(session, user, NEIGHBOUR_WINDOW)
    back = url_for("review.claim", claim_id=claim_id)
    edits = pending_edits(request.form)

    def save_then_decide(s: Session) -> None:
        if edits:
            correct_fields(s, user, claim_id, edits)
        decide_claim(s, user, claim_id, action, code, comment, ticked or ())

    try:
        write(save_then_decide)
    except DECISION_ERRORS as error:
        if edits and error.code == "bad_fields":
            return failed_save(claim_id, edits, error)
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
