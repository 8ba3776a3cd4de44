"""The participant's portal: their claims with status and reasons, the one appeal, points, consents, uploads."""

from __future__ import annotations

import logging
from collections import defaultdict

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy.orm import selectinload

from claims.db.models import Claim, LedgerEntry
from claims.errors import ConflictError, IllegalTransitionError, InvalidInputError
from claims.ledger import balance, history
from claims.ratelimit import TooManyAttemptsError
from claims.roles import Role
from claims.services.accounts import participant_of
from claims.services.intake import IncomingFile, check_submission, intake_limits, take_claim
from claims.services.registration import consent_states, give_consent, withdraw_consent
from claims.services.review import appeal_claim, decisions_of, get_visible_claim, visible_claims
from claims.services.views import reason_view
from review_ui.access import acting_user, role_required
from review_ui.auth import limiter
from review_ui.claim_pages import MAX_CLAIM_ID, document_views, read_fields
from review_ui.db import db, runtime, write
from review_ui.documents import document_page_count
from review_ui.errors import flash_error
from review_ui.i18n import current_locale, has_key, t, translate
from vocabulary.claims import ClaimStatus
from vocabulary.fields import PARTICIPANT_FIELDS

bp = Blueprint("participant", __name__)
log = logging.getLogger(__name__)

MAX_LISTED_CLAIMS = 200
MAX_HISTORY = 1000
MAX_COMMENT = 2000


@bp.get("/me")
@role_required(Role.PARTICIPANT)
def home():
    session, user = db(), acting_user()
    profile = participant_of(session, user)
    claims = list(
        session.scalars(
            visible_claims(user)
            .options(selectinload(Claim.documents))
            .order_by(Claim.submitted_at.desc(), Claim.id.desc())
            .limit(MAX_LISTED_CLAIMS)
        )
    )
    entries = history(session, profile.id, limit=MAX_HISTORY)
    locale = current_locale()
    return render_template(
        "participant/home.html",
        claims=claims,
        reasons={c.id: [reason_view(r, locale) for r in c.reasons or []] for c in claims},
        credited=_credited_by_claim(entries),
        balance=balance(session, profile.id),
        entries=entries[:10],
        max_files=runtime().settings.max_files_per_claim,
        max_mb=runtime().settings.max_upload_bytes // (1024 * 1024),
    )


def _credited_by_claim(entries: list[LedgerEntry]) -> dict[str, int]:
    """Net points each claim brought (credit plus any reversal)."""
    totals: dict[str, int] = defaultdict(int)
    for entry in entries:
        totals[entry.claim_id] += entry.points
    return dict(totals)


@bp.get("/me/claims/<claim_id>")
@role_required(Role.PARTICIPANT)
def claim(claim_id: str):
    if len(claim_id) > MAX_CLAIM_ID:
        abort(404)
    session, user = db(), acting_user()
    found = get_visible_claim(session, user, claim_id)
    profile = participant_of(session, user)
    entries = [e for e in history(session, profile.id, limit=MAX_HISTORY) if e.claim_id == found.id]
    appealed = any(d.action == "appeal" for d in decisions_of(session, found.id))
    locale = current_locale()
    return render_template(
        "participant/claim.html",
        claim=found,
        fields=read_fields(found.fields, PARTICIPANT_FIELDS),
        document_pages=document_views(found.documents, document_page_count),
        reasons=[reason_view(r, locale) for r in found.reasons or []],
        credited=sum(e.points for e in entries) if entries else None,
        entries=entries,
        can_appeal=found.status == ClaimStatus.REJECTED and not appealed,
        appealed=appealed,
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
    return render_template("participant/points.html", balance=balance(session, profile.id),
                           entries=history(session, profile.id, limit=MAX_HISTORY))


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


@bp.post("/me/claims")
@role_required(Role.PARTICIPANT)
def submit():
    settings, home_url = runtime().settings, url_for("participant.home")
    limits = intake_limits(settings)
    files = [IncomingFile(f.filename, f.stream) for f in request.files.getlist("files") if f and f.filename]
    user, blobs = acting_user(), runtime().blobs
    try:
        submission = check_submission(files, [request.form.get("codes", "")], limits)
        created = write(lambda s: take_claim(s, blobs, participant_of(s, user), submission, limits,
                                             limiter=limiter(), ip=request.remote_addr))
    except TooManyAttemptsError as error:
        return flash_error(error, home_url, minutes=max(1, -(-error.retry_after // 60)))
    except InvalidInputError as error:
        return upload_refused(error, home_url, max=settings.max_files_per_claim)
    flash(t("me.upload.done"), "success")
    return redirect(url_for("participant.claim", claim_id=created.id), code=303)


def quality_problems(error: InvalidInputError, locale: str) -> list[str]:
    """The photo quality gate's findings (`photo_*` codes with details["problems"]) in the user's language."""
    if not error.code.startswith("photo_"):
        return []
    shown = []
    for problem in error.details.get("problems") or []:
        key = f"quality.{problem.get('code')}" if isinstance(problem, dict) else ""
        text = translate(key, locale) if key and has_key(key) else ""
        if text and text not in shown:
            shown.append(text)
    return shown


def upload_refused(error: InvalidInputError, target: str, **values: object):
    """Send the participant back with every reason the upload was refused."""
    problems = quality_problems(error, current_locale())
    if not problems:
        return flash_error(error, target, **values)
    flash(t("error.photo_quality"), "error")
    for text in problems:
        flash(text, "error")
    return redirect(target, code=303)
