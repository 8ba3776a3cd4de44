"""Uploads from the participant's pages: a new claim (photos, PDFs or product codes), and better photos for a
claim that needs them, attached to the same claim.

Both go through the one intake use case (`claims.services.intake`). The page's script (static/upload.js) sends
the form itself to show the upload's progress and asks for JSON (`Accept: application/json`): it gets 202 with
the claim's page, or the error with every reason in the participant's language. Without the script the form
posts as usual and the answer is a redirect, or the page again with what was typed kept.
"""

from __future__ import annotations

from flask import abort, flash, jsonify, redirect, request, url_for

from claims.errors import ClaimsError, ConflictError, InvalidInputError, NotFoundError
from claims.ratelimit import TooManyAttemptsError
from claims.roles import Role
from claims.services.accounts import participant_of
from claims.services.intake import (
    IncomingFile,
    add_documents,
    check_submission,
    code_lines,
    intake_limits,
    take_claim,
)
from review_ui.access import acting_user, role_required
from review_ui.auth import limiter
from review_ui.claim_pages import MAX_CLAIM_ID
from review_ui.db import runtime, write
from review_ui.errors import claims_error_message
from review_ui.i18n import current_locale, has_key, t, translate
from review_ui.participant import bp, render_home

#: HTTP status of a refused upload, by error (as the JSON API answers it).
STATUS_BY_CODE = {"file_too_large": 413, "unsupported_type": 415, "too_many_attempts": 429,
                  "too_many_uploads": 429, "not_needs_retake": 409, "display_slot_used": 409,
                  "activity_not_running": 409, "display_not_a_photo": 415}
MAX_CODES_TEXT = 4000


def wants_json() -> bool:
    """The page's script asks for JSON; a plain form post does not."""
    return request.accept_mimetypes.best == "application/json"


def incoming() -> list[IncomingFile]:
    return [IncomingFile(f.filename, f.stream) for f in request.files.getlist("files") if f and f.filename]


@bp.post("/me/claims")
@role_required(Role.PARTICIPANT)
def submit():
    settings, codes = runtime().settings, request.form.get("codes", "")[:MAX_CODES_TEXT]
    limits = intake_limits(settings)
    user, blobs = acting_user(), runtime().blobs
    try:
        submission = check_submission(incoming(), [codes], limits, alongside=True)
        created = write(lambda s: take_claim(s, blobs, participant_of(s, user), submission, limits,
                                             limiter=limiter(), ip=request.remote_addr))
    except (TooManyAttemptsError, InvalidInputError) as error:
        if error.code == "bad_code_format" and not wants_json():
            flash(t("me.codes.fix"), "error")
            return render_home(codes=codes, code_lines=code_lines(codes), status=422)
        return refused(error, url_for("participant.home"), max=settings.max_files_per_claim)
    return accepted(created.id, t("me.upload.done"))


@bp.post("/me/claims/<claim_id>/documents")
@role_required(Role.PARTICIPANT)
def add_photos(claim_id: str):
    """'Dodaj lepsze zdjęcie': new photos for a claim that needs them, read again with the pages it has."""
    if len(claim_id) > MAX_CLAIM_ID:
        abort(404)
    settings, back = runtime().settings, url_for("participant.claim", claim_id=claim_id)
    limits, user, blobs = intake_limits(settings), acting_user(), runtime().blobs
    try:
        submission = check_submission(incoming(), [], limits)
        write(lambda s: add_documents(s, blobs, participant_of(s, user), claim_id, submission, limits,
                                      limiter=limiter(), ip=request.remote_addr))
    except NotFoundError:
        abort(404)
    except (TooManyAttemptsError, InvalidInputError, ConflictError) as error:
        return refused(error, back, max=settings.max_files_per_claim)
    return accepted(claim_id, t("me.retake.done"))


def accepted(claim_id: str, message: str):
    """202 with the claim's page for the script; a redirect to it for a plain form."""
    url = url_for("participant.claim", claim_id=claim_id)
    if wants_json():
        return jsonify({"id": claim_id, "url": url, "message": message}), 202, {"Location": url}
    flash(message, "success")
    return redirect(url, code=303)


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


def refused(error: ClaimsError, target: str, **values: object):
    """Every reason the upload was refused: as JSON for the script, else as messages on `target`."""
    problems = quality_problems(error, current_locale()) if isinstance(error, InvalidInputError) else []
    if isinstance(error, TooManyAttemptsError):
        values["minutes"] = max(1, -(-error.retry_after // 60))
    message = t("error.photo_quality") if problems else claims_error_message(error, **values)
    if wants_json():
        status = STATUS_BY_CODE.get(error.code, 422)
        body = {"error": {"code": error.code, "message": message, "problems": problems}}
        return jsonify(body), status
    flash(message, "error")
    for text in problems:
        flash(text, "error")
    return redirect(target, code=303)
