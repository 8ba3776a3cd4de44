"""The partner's and auditor's side: the review queue, the claim page and the decisions on it."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import Select
from sqlalchemy.orm import Session, selectinload

from claims.db.models import Claim, Outlet, User
from claims.errors import ConflictError, IllegalTransitionError, InvalidInputError
from claims.lifecycle import REVIEW_STATES, ClaimStatus
from claims.reasons import REJECTION_CODES, ReasonCode, message
from claims.roles import STAFF_ROLES, Role
from claims.services.review import (
    decide_claim,
    decisions_of,
    get_visible_claim,
    reverse_claim,
    review_queue,
    visible_claims,
)
from claims.services.views import reason_view
from review_ui.access import REVIEWER_ROLES, acting_user, role_required
from review_ui.claim_pages import MAX_CLAIM_ID, claim_items, read_fields
from review_ui.db import db, write
from review_ui.errors import flash_error
from review_ui.i18n import current_locale, has_key, t, translate

bp = Blueprint("review", __name__)

PAGE_SIZE = 50
NEIGHBOUR_WINDOW = 500
MAX_COMMENT = 2000


@bp.get("/review")
@role_required(*REVIEWER_ROLES)
def queue():
    user = acting_user()
    status = request.args.get("status", "").strip()
    outlet = request.args.get("outlet", "").strip()[:50]
    page = _page_arg()
    if status not in {s.value for s in ClaimStatus}:
        status = ""
    rows = _queue_rows(db(), user, status, outlet, page)
    return render_template(
        "review/queue.html",
        claims=rows[:PAGE_SIZE],
        has_next=len(rows) > PAGE_SIZE,
        page=page,
        status=status,
        outlet=outlet,
        statuses=list(ClaimStatus),
    )


def _page_arg() -> int:
    try:
        return max(1, min(int(request.args.get("page", "1")), 10_000))
    except ValueError:
        return 1


def _queue_rows(session: Session, user: User, status: str, outlet: str, page: int) -> list[Claim]:
    """One page (plus one row, to know whether there is a next page) of the queue or of a filtered list."""
    offset = (page - 1) * PAGE_SIZE
    if not status and not outlet:
        return review_queue(session, user, limit=PAGE_SIZE + 1, offset=offset)
    query = _filtered(user, status, outlet).options(selectinload(Claim.outlet))
    return list(session.scalars(query.limit(PAGE_SIZE + 1).offset(offset)))


def _filtered(user: User, status: str, outlet: str) -> Select[tuple[Claim]]:
    """Visible claims by status (default: the ones waiting for this user) and outlet code."""
    query = visible_claims(user)
    if status:
        query = query.where(Claim.status == status)
    else:
        waiting = REVIEW_STATES if Role(user.role) in STAFF_ROLES else {ClaimStatus.PENDING_REVIEW}
        query = query.where(Claim.status.in_([s.value for s in waiting]))
    if outlet:
        query = query.join(Outlet, Outlet.id == Claim.outlet_id).where(Outlet.code == outlet)
    if status and ClaimStatus(status) not in REVIEW_STATES:
        return query.order_by(Claim.submitted_at.desc(), Claim.id.desc())  # decided: newest first
    return query.order_by(Claim.submitted_at, Claim.id)  # waiting: oldest first


@bp.get("/review/claims/<claim_id>")
@role_required(*REVIEWER_ROLES)
def claim(claim_id: str):
    session, user = db(), acting_user()
    found = get_visible_claim(session, user, _checked_id(claim_id))
    previous_id, next_id = _neighbours(session, user, found.id)
    locale = current_locale()
    return render_template(
        "review/claim.html",
        claim=found,
        fields=read_fields(found.fields),
        items=claim_items(found.fields),
        reasons=[_reason_for_reviewer(r, locale) for r in found.reasons or []],
        decisions=decisions_of(session, found.id),
        can_decide=_can_decide(user, found),
        can_reverse=Role(user.role) in STAFF_ROLES and found.status == ClaimStatus.APPROVED,
        rejection_codes=_rejection_choices(locale),
        previous_id=previous_id,
        next_id=next_id,
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
    """The participant's view of a reason plus the evidence the system kept (reviewers may see it)."""
    view = reason_view(record, locale)
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
    return translate(key, locale) if has_key(key) else message(code, locale)


def _queue_ids(session: Session, user: User) -> list[str]:
    return [c.id for c in review_queue(session, user, limit=NEIGHBOUR_WINDOW)]


def _neighbours(session: Session, user: User, claim_id: str) -> tuple[str | None, str | None]:
    """The previous and next claim in the user's queue around `claim_id` (for J/K)."""
    ids = _queue_ids(session, user)
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
    ids = _queue_ids(session, user)
    back = url_for("review.claim", claim_id=claim_id)
    try:
        write(lambda s: decide_claim(s, user, claim_id, action, code, comment))
    except (ConflictError, IllegalTransitionError, InvalidInputError) as error:
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
    except (ConflictError, IllegalTransitionError, InvalidInputError) as error:
        return flash_error(error, back)
    flash(t("decide.reversed"), "success")
    return redirect(back, code=303)
