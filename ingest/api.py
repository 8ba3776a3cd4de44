"""The JSON API under /api/v1: participants' claims and balance, partners' queue and decisions."""

from __future__ import annotations

import logging

from flask import Blueprint, Response, jsonify, request, url_for
from sqlalchemy.exc import IntegrityError

from claims.db.engine import transaction
from claims.db.models import Participant
from claims.errors import ConflictError, InvalidInputError, PermissionDeniedError
from claims.ledger import balance
from claims.roles import Role
from claims.services.accounts import participant_of
from claims.services.idempotency import remember_answer, request_fingerprint, stored_answer
from claims.services.intake import IncomingFile, check_submission, intake_limits, take_claim
from claims.services.participant_claims import own_claims, participant_claim_view
from claims.services.privacy import export_participant
from claims.services.review import decide_claim, get_visible_claim, review_queue
from claims.services.views import claim_view, queue_item_view
from ingest.http import bearer_user, install_error_handlers, limiter, locale, runtime
from ingest.openapi import openapi_document
from ingest.rewards_api import expiring_view

log = logging.getLogger(__name__)
blueprint = Blueprint("api", __name__, url_prefix="/api/v1")
install_error_handlers(blueprint)


@blueprint.get("/openapi.json")
def openapi():
    return jsonify(openapi_document())


@blueprint.post("/claims")
def create_claim():
    """Check the files (or codes), then store them and the claim row; the reading is queued after the commit."""
    rt = runtime()
    limits = intake_limits(rt.settings)
    with transaction(rt.sessions) as session:
        participant_id = _submitting_participant(session)
    files = [IncomingFile(f.filename, f.stream) for f in request.files.getlist("files")]
    submission = check_submission(files, request.form.getlist("product_code"), limits)
    with transaction(rt.sessions) as session:
        claim = take_claim(session, rt.blobs, session.get(Participant, participant_id), submission, limits,
                           limiter=limiter(), ip=request.remote_addr, device_id=request.headers.get("X-Device-Id"))
        claim_id, status = claim.id, claim.status
    body = {"id": claim_id, "status": status, "url": url_for("api.get_claim", claim_id=claim_id)}
    return jsonify(body), 202, {"Location": body["url"]}


def _submitting_participant(session) -> int:
    user = bearer_user(session)
    if Role(user.role) is not Role.PARTICIPANT:
        raise PermissionDeniedError("only participants submit claims", code="not_participant")
    return participant_of(session, user).id


@blueprint.get("/claims")
def list_claims():
    """The participant's own claims, newest first, `limit` (1-100, default 20) from `offset`."""
    limit = request.args.get("limit", 20, type=int)
    offset = request.args.get("offset", 0, type=int)
    with transaction(runtime().sessions) as session:
        user = bearer_user(session)
        if Role(user.role) is not Role.PARTICIPANT:
            raise PermissionDeniedError("only participants have claims of their own", code="not_participant")
        page = own_claims(session, participant_of(session, user).id, limit, offset)
        views = [participant_claim_view(c, locale(), page.credited.get(c.id), c.id in page.appealed)
                 for c in page.claims]
    more = url_for("api.list_claims", limit=page.limit, offset=page.offset + page.limit) if page.has_more else None
    return jsonify({"claims": views, "total": page.total, "limit": page.limit, "offset": page.offset,
                    "next": more})


@blueprint.get("/claims/<claim_id>")
def get_claim(claim_id: str):
    with transaction(runtime().sessions) as session:
        user = bearer_user(session)
        claim = get_visible_claim(session, user, claim_id)
        return jsonify(claim_view(claim, locale(), viewer=user))


@blueprint.get("/participants/me/balance")
def my_balance():
    with transaction(runtime().sessions) as session:
        participant = participant_of(session, bearer_user(session))
        return jsonify({"participant_id": participant.id, "balance": balance(session, participant.id),
                        "expiring": expiring_view(session, participant.id)})


@blueprint.get("/participants/me/export")
def my_data():
    """The participant's own data and documents as a zip (RODO art. 15 and 20)."""
    rt = runtime()
    with transaction(rt.sessions) as session:
        user = bearer_user(session)
        archive = export_participant(session, rt.blobs, user)
    return Response(archive, mimetype="application/zip", headers={
        "Content-Disposition": 'attachment; filename="paragon-moje-dane.zip"', "Cache-Control": "no-store"})


@blueprint.get("/review/queue")
def queue():
    limit = min(max(request.args.get("limit", 100, type=int), 1), 500)
    offset = max(request.args.get("offset", 0, type=int), 0)
    with transaction(runtime().sessions) as session:
        claims = review_queue(session, bearer_user(session), limit=limit, offset=offset)
        return jsonify({"claims": [queue_item_view(c) for c in claims], "limit": limit, "offset": offset})


@blueprint.post("/claims/<claim_id>/decision")
def decide(claim_id: str):
    """Approve or reject; an Idempotency-Key makes retries safe (same key and body -> same answer)."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("action"), str):
        raise InvalidInputError('send JSON {"action": "approve"|"reject", "reason_code": "..."}', code="bad_json")
    key = (request.headers.get("Idempotency-Key") or "").strip()[:200]
    fingerprint = request_fingerprint("POST", request.path, body)
    try:
        return _decide_once(claim_id, body, key, fingerprint)
    except (ConflictError, IntegrityError):
        if key:  # a concurrent request with the same key may have answered first
            answer = _replay(key, fingerprint)
            if answer is not None:
                return answer
        raise


def _decide_once(claim_id: str, body: dict, key: str, fingerprint: str):
    with transaction(runtime().sessions) as session:
        user = bearer_user(session)
        if key and (stored := stored_answer(session, user.id, key, fingerprint)) is not None:
            return jsonify(stored.body), stored.status_code
        decision = decide_claim(session, user, claim_id, body["action"], str(body.get("reason_code") or ""),
                                str(body.get("comment") or ""))
        answer = {
            "id": claim_id,
            "status": decision.to_status,
            "decision": {"action": decision.action, "reason_code": decision.reason_code},
        }
        if key:
            remember_answer(session, user.id, key, fingerprint, 200, answer)
        return jsonify(answer), 200


def _replay(key: str, fingerprint: str):
    with transaction(runtime().sessions) as session:
        user = bearer_user(session)
        stored = stored_answer(session, user.id, key, fingerprint)
    return None if stored is None else (jsonify(stored.body), stored.status_code)
