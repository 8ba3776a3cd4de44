"""The participant's portal: their claims with the stage each is at and what they may act on, the one appeal,
points, consents, and the light JSON their open pages poll to update themselves.

Uploads (a new claim, a better photo for a claim that needs one) are in `participant_upload`, on this blueprint.
Everything shown about a claim comes through `claims.services.outcomes`: no internal signal, risk score or
staff note reaches these pages.
"""

from __future__ import annotations

import logging

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from sqlalchemy.orm import selectinload

from claims.db.models import Claim, Participant
from claims.errors import ConflictError, IllegalTransitionError, InvalidInputError
from claims.ledger import balance, history
from claims.roles import Role
from claims.services.accounts import participant_of
from claims.services.campaigns import claim_parts
from claims.services.expiry import expiring
from claims.services.intake import CodeLine
from claims.services.live import claim_state, list_state
from claims.services.news import news_for
from claims.services.orders import order_names
from claims.services.outcomes import STAGES, claim_stage, participant_points, participant_reasons
from claims.services.participant_claims import (
    appealed_claims,
    credited_by_claim,
    entry_sources,
    participant_fields,
    unread_documents,
)
from claims.services.points_notices import PointsMoment, has_unseen_points, take_points_moment
from claims.services.registration import consent_states, give_consent, withdraw_consent
from claims.services.review import appeal_claim, get_visible_claim, visible_claims
from review_ui.access import acting_user, role_required
from review_ui.claim_pages import MAX_CLAIM_ID, document_views, read_fields
from review_ui.db import db, runtime, write
from review_ui.documents import document_page_count
from review_ui.errors import flash_error
from review_ui.i18n import current_locale, t
from review_ui.shop import expiry_rule
from vocabulary.claims import ClaimStatus
from vocabulary.fields import PARTICIPANT_FIELDS

bp = Blueprint("participant", __name__)
log = logging.getLogger(__name__)

MAX_LISTED_CLAIMS = 200
HOME_NEWS = 3  # the latest news on the home page; the rest on /me/news
MAX_HISTORY = 1000
MAX_COMMENT = 2000


def claim_summary(claim: Claim, credited: int | None, appealed: bool, locale: str) -> dict:
    """What the pages show of one claim: stage, participant reasons and points (never the staff's view)."""
    stage = claim_stage(claim.status, unread_documents(claim))
    return {
        "claim": claim,
        "stage": str(stage),
        "stage_index": STAGES.index(stage),
        "reasons": participant_reasons(claim.reasons, claim.status, locale, appealed),
        "points": participant_points(claim.status, claim.points_proposed, credited),
        "fields": participant_fields(claim.fields),
        "can_retake": claim.status == ClaimStatus.NEEDS_RETAKE,
        "can_appeal": claim.status == ClaimStatus.REJECTED and not appealed,
        "appealed": appealed,
    }


def points_moment(participant: Participant) -> PointsMoment | None:
    """The points notices of this page view, shown once: marking them seen is committed here (a write only
    when there is something new)."""
    if not has_unseen_points(db(), participant):
        return None
    try:
        return write(lambda s: take_points_moment(s, participant))
    except ConflictError:  # another page view of the same participant took them first
        return None


@bp.get("/me")
@role_required(Role.PARTICIPANT)
def home():
    return render_home()


def render_home(codes: str = "", code_lines: list[CodeLine] | None = None, status: int = 200):
    """The participant's home page; after a refused upload, with what they typed and why it was refused."""
    user = acting_user()
    profile = participant_of(db(), user)
    moment = points_moment(profile)
    session = db()
    claims = list(session.scalars(visible_claims(user).options(selectinload(Claim.documents))
                                  .order_by(Claim.submitted_at.desc(), Claim.id.desc()).limit(MAX_LISTED_CLAIMS)))
    ids = [c.id for c in claims]
    credited, appealed = credited_by_claim(session, ids), appealed_claims(session, ids)
    locale = current_locale()
    entries = history(session, profile.id, limit=10)
    page = render_template(
        "participant/home.html",
        summaries=[claim_summary(c, credited.get(c.id), c.id in appealed, locale) for c in claims],
        balance=balance(session, profile.id), moment=moment, entries=entries,
        sources=entry_sources(session, entries), live=list_state(session, profile.id),
        max_files=runtime().settings.max_files_per_claim,
        max_mb=runtime().settings.max_upload_bytes // (1024 * 1024),
        codes=codes, code_lines=code_lines or [], news=news_for(session, profile.id, HOME_NEWS)[0],
    )
    return page, status


@bp.get("/me/claims/<claim_id>")
@role_required(Role.PARTICIPANT)
def claim(claim_id: str):
    if len(claim_id) > MAX_CLAIM_ID:
        abort(404)
    session, user = db(), acting_user()
    found = get_visible_claim(session, user, claim_id)  # another's claim is a 404 before anything is written
    profile = participant_of(session, user)
    moment = points_moment(profile)
    credited = credited_by_claim(session, [found.id]).get(found.id)
    summary = claim_summary(found, credited, found.id in appealed_claims(session, [found.id]), current_locale())
    return render_template(
        "participant/claim.html", s=summary, claim=found, moment=moment,
        fields=read_fields(found.fields, PARTICIPANT_FIELDS),
        document_pages=document_views(found.documents, document_page_count),
        live=claim_state(session, profile.id, found.id), parts=claim_parts(session, found.id),
        max_files=runtime().settings.max_files_per_claim,
        max_mb=runtime().settings.max_upload_bytes // (1024 * 1024),
    )


@bp.post("/me/claims/<claim_id>/appeal")
@role_required(Role.PARTICIPANT)
def appeal(claim_id: str):
    if len(claim_id) > MAX_CLAIM_ID:
        abort(404)
    user, back = acting_user(), url_for("participant.claim", claim_id=claim_id)
    comment = request.form.get("comment", "").strip()[:MAX_COMMENT]
    try:
        write(lambda s: appeal_claim(s, user, claim_id, comment))
    except (ConflictError, IllegalTransitionError, InvalidInputError) as error:
        return flash_error(error, back)
    flash(t("appeal.done"), "success")
    return redirect(back, code=303)


@bp.get("/me/points")
@role_required(Role.PARTICIPANT)
def points():
    session = db()
    profile = participant_of(session, acting_user())
    entries = history(session, profile.id, limit=MAX_HISTORY)
    return render_template("participant/points.html", balance=balance(session, profile.id), entries=entries,
                           sources=entry_sources(session, entries),
                           orders=order_names(session, {e.order_id for e in entries if e.order_id}),
                           expiring=expiring(session, expiry_rule(), profile.id))


# ---- what an open page polls ---------------------------------------------------------------------------


def _live_answer(state):
    """The state as JSON; 304 when the page already shows this version (If-None-Match)."""
    etag = f'"{state.version}"'
    if etag in request.headers.get("If-None-Match", ""):
        return "", 304, {"ETag": etag, "Cache-Control": "no-cache, private"}
    response = jsonify(state.to_dict())
    response.headers.update({"ETag": etag, "Cache-Control": "no-cache, private"})
    return response


@bp.get("/me/live")
@role_required(Role.PARTICIPANT)
def live_list():
    """The fingerprint of the claims list and balance, and how soon to ask again."""
    session = db()
    return _live_answer(list_state(session, participant_of(session, acting_user()).id))


@bp.get("/me/claims/<claim_id>/live")
@role_required(Role.PARTICIPANT)
def live_claim(claim_id: str):
    """The fingerprint, status and stage of one claim (404 for anyone else's)."""
    if len(claim_id) > MAX_CLAIM_ID:
        abort(404)
    session = db()
    return _live_answer(claim_state(session, participant_of(session, acting_user()).id, claim_id))


# ---- consents ----------------------------------------------------------------------------------------


@bp.get("/me/consents")
@role_required(Role.PARTICIPANT)
def consents():
    session = db()
    profile = participant_of(session, acting_user())
    return render_template("participant/consents.html", states=consent_states(session, profile.id))


@bp.post("/me/consents")
@role_required(Role.PARTICIPANT)
def change_consent():
    kind, action = request.form.get("kind", "")[:32], request.form.get("action", "")
    if action not in ("give", "withdraw"):
        abort(400)
    user, back = acting_user(), url_for("participant.consents")

    def change(session) -> bool:
        profile = participant_of(session, user)
        return (give_consent if action == "give" else withdraw_consent)(session, profile, kind)

    try:
        changed = write(change)
    except InvalidInputError as error:
        return flash_error(error, back)
    if changed:
        done = t("consents.given") if action == "give" else t("consents.withdrawn")
        flash(done.format(kind=t(f"consent.{kind}.name")), "success")
    return redirect(back, code=303)
