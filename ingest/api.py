"""The JSON API under /api/v1: participants' claims and balance, partners' queue and decisions."""

from __future__ import annotations

import logging
from uuid import UUID

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
from ingest.openapi import openapi_document, operation
from ingest.rewards_api import expiring_view
from ingest.schemas import (
    Accepted,
    Balance,
    ClaimAnswer,
    ClaimForm,
    ClaimPage,
    Decided,
    DecisionBody,
    IdempotencyHeaders,
    LangQuery,
    OpenApiDocument,
    PageQuery,
    Queue,
    QueueQuery,
    ZipArchive,
)

log = logging.getLogger(__name__)
blueprint = Blueprint("api", __name__, url_prefix="/api/v1")
install_error_handlers(blueprint)


PARTICIPANT = (Role.PARTICIPANT,)
REVIEWERS = (Role.PARTNER_REVIEWER, Role.AUDITOR, Role.ADMIN)


@blueprint.get("/openapi.json")
@operation(roles=None, answers={200: OpenApiDocument})
def openapi():
    """This document"""
    return jsonify(openapi_document())


@blueprint.post("/claims")
@operation(roles=PARTICIPANT, form=ClaimForm, answers={202: (Accepted, "Accepted; the reading is queued")},
           errors=(403, 413, 415, 422, 429))
def create_claim():
    """Submit a claim: document files or product codes

    The files (or codes) are checked, then stored with the claim; the reading is queued after the commit.
    """
    rt = runtime()
    limits = intake_limits(rt.settings)
    with transaction(rt.sessions) as session:
        participant_id = _submitting_participant(session)
    files = [IncomingFile(f.filename, f.stream) for f in request.files.getlist("files")]
    submission = check_submission(files, request.form.getlist("product_code"), limits, alongside=True)
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
@operation(roles=PARTICIPANT, query=PageQuery, answers={200: ClaimPage}, errors=(403,))
def list_claims():
    """The participant's own claims, newest first, in pages (`limit` 1-100, default 20, from `offset`)"""
    limit, offset = request.context.query.limit, request.context.query.offset
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


@blueprint.get("/claims/<uuid:claim_id>")
@operation(roles=(), query=LangQuery, answers={200: ClaimAnswer}, errors=(404,))
def get_claim(claim_id: UUID):
    """A claim's status, reasons, fields and points (its participant, its partner, or staff)

    Its participant gets the OwnClaim form, with the reasons a participant may see only.
    """
    claim_id = str(claim_id)
    with transaction(runtime().sessions) as session:
        user = bearer_user(session)
        claim = get_visible_claim(session, user, claim_id)
        return jsonify(claim_view(claim, locale(), viewer=user))


@blueprint.get("/participants/me/balance")
@operation(roles=PARTICIPANT, answers={200: Balance}, errors=(403,))
def my_balance():
    """The participant's points balance"""
    with transaction(runtime().sessions) as session:
        participant = participant_of(session, bearer_user(session))
        return jsonify({"participant_id": participant.id, "balance": balance(session, participant.id),
                        "expiring": expiring_view(session, participant.id)})


@blueprint.get("/participants/me/export")
@operation(roles=PARTICIPANT, answers={200: (ZipArchive, "zip")}, errors=(403,))
def my_data():
    """The participant's own data and documents as a zip (RODO art. 15 and 20)"""
    rt = runtime()
    with transaction(rt.sessions) as session:
        user = bearer_user(session)
        archive = export_participant(session, rt.blobs, user)
    return Response(archive, mimetype="application/zip", headers={
        "Content-Disposition": 'attachment; filename="paragon-moje-dane.zip"', "Cache-Control": "no-store"})


@blueprint.get("/review/queue")
@operation(roles=REVIEWERS, query=QueueQuery, answers={200: Queue}, errors=(403,))
def queue():
    """Claims waiting for the caller's partner (oldest first)"""
    limit, offset = request.context.query.limit, request.context.query.offset
    with transaction(runtime().sessions) as session:
        claims = review_queue(session, bearer_user(session), limit=limit, offset=offset)
        return jsonify({"claims": [queue_item_view(c) for c in claims], "limit": limit, "offset": offset})


@blueprint.post("/claims/<uuid:claim_id>/decision")
@operation(roles=REVIEWERS, json=DecisionBody, headers=IdempotencyHeaders, answers={200: Decided},
           errors=(403, 404, 409, 413, 422))
def decide(claim_id: UUID):
    """Approve or reject a claim (a reviewer of its partner, or staff)

    An Idempotency-Key makes retries safe: the same key and body get the same answer.
    """
    claim_id = str(claim_id)
    if request.context.json is None:  # not sent as JSON
        raise InvalidInputError('send JSON {"action": "approve"|"reject", "reason_code": "..."}', code="bad_json")
    body = request.context.json.model_dump(mode="json", exclude_none=True)
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
        decision = decide_claim(session, user, claim_id, body["action"], body.get("reason_code", ""),
                                body.get("comment", ""), body.get("checklist", ()))
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


from ingest import sales_api  # noqa: E402,F401 - adds POST /partner/sales (partners' own sales records)
