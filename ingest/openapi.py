"""The OpenAPI 3.1 description of /api/v1, served at /api/v1/openapi.json."""

from __future__ import annotations

from claims.services.outcomes import Stage
from ingest.rewards_api import openapi_paths as rewards_paths
from ingest.rewards_api import openapi_schemas as rewards_schemas
from vocabulary.fields import FIELDS, FieldSpec, FieldType
from vocabulary.reasons import NextStep

ERROR = {"$ref": "#/components/schemas/Error"}
#: How each type of the field table is written in JSON (values read from a document are kept as read, so the
#: shapes are described, not enforced, except ISO dates).
FIELD_FORMATS: dict[FieldType, dict] = {
    FieldType.TEXT: {},
    FieldType.NIP: {"description": "tax number, 10 digits"},
    FieldType.DATE: {"format": "date"},
    FieldType.TIME: {"description": "HH:MM"},
    FieldType.MONEY: {"description": "decimal text with two places, e.g. 123.45"},
    FieldType.CODE: {},
}


def field_schema(spec: FieldSpec) -> dict:
    """The JSON schema of one field of the field table."""
    return {"type": "string", **FIELD_FORMATS[spec.type]}


def _answer(description: str, schema: dict | None = None) -> dict:
    body = {"description": description}
    if schema is not None:
        body["content"] = {"application/json": {"schema": schema}}
    return body


def _errors(*codes: int) -> dict:
    names = {400: "Bad request", 401: "Missing or bad API token", 403: "Not allowed for this role",
             404: "Not found or not yours", 409: "Conflict with the claim's state or the Idempotency-Key",
             413: "File too large", 415: "Not a supported file type", 422: "Breaks a rule (reason code)",
             429: "Too many attempts (too_many_uploads, too_many_attempts); see Retry-After"}
    return {str(code): _answer(names[code], ERROR) for code in codes}


CLAIM = {
    "type": "object",
    "required": ["id", "status", "kind", "reasons", "fields", "points"],
    "properties": {
        "id": {"type": "string", "format": "uuid"},
        "status": {"type": "string", "enum": ["received", "processing", "needs_retake", "pending_review",
                                               "flagged", "approved", "rejected", "reversed"]},
        "kind": {"type": "string", "enum": ["receipt", "invoice", "product_code", "unknown"]},
        "reasons": {"type": "array", "items": {"type": "object", "properties": {
            "code": {"type": "string"}, "message": {"type": "string"}}}},
        "fields": {"type": "object", "description": "What was read (as corrected by the reviewer), by the field table",
                   "properties": {**{spec.name: field_schema(spec) for spec in FIELDS if spec.on_claim},
                                  "items": {"type": "array", "items": {"type": "object"}},
                                  "product_codes": {"type": "array", "items": {"type": "string"}}}},
        "points": {"type": "integer"},
        "submitted_at": {"type": "string", "format": "date-time"},
    },
}


#: A reason as a participant reads it: only codes a participant may see, with the next step.
PARTICIPANT_REASON = {"type": "object", "required": ["code", "message", "next_step"], "properties": {
    "code": {"type": "string"}, "message": {"type": "string"},
    "next_step": {"type": "string", "enum": [str(step) for step in NextStep]},
    "next_step_message": {"type": "string"},
    "comment": {"type": "string", "description": "the reviewer's words to the participant, when there are any"}}}
#: A claim as its participant sees it (GET /claims, and GET /claims/{id} with a participant's token).
OWN_CLAIM = {
    "type": "object",
    "required": ["id", "status", "stage", "kind", "reasons", "fields", "points", "points_kind"],
    "properties": {
        "id": {"type": "string", "format": "uuid"},
        "status": CLAIM["properties"]["status"],
        "stage": {"type": "string", "enum": [str(stage) for stage in Stage],
                  "description": "received, reading, checking, waiting (for the partner), decided"},
        "kind": CLAIM["properties"]["kind"],
        "reasons": {"type": "array", "items": PARTICIPANT_REASON},
        "fields": {"type": "object", "description": "What was read, the fields shown to participants",
                   "properties": {**{spec.name: field_schema(spec) for spec in FIELDS if spec.participant},
                                  "items": {"type": "array", "items": {"type": "object"}},
                                  "product_codes": {"type": "array", "items": {"type": "string"}}}},
        "points": {"type": "integer", "description": "credited (approved), expected (waiting for a decision), "
                                                     "0 when rejected or not read yet"},
        "points_kind": {"type": "string", "enum": ["credited", "expected", "none"]},
        "documents": {"type": "integer"},
        "submitted_at": {"type": "string", "format": "date-time"},
    },
}


def _own_claims_operation() -> dict:
    page = [{"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100,
                                                         "default": 20}},
            {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0, "default": 0}}]
    body = {"type": "object", "required": ["claims", "total", "limit", "offset", "next"], "properties": {
        "claims": {"type": "array", "items": {"$ref": "#/components/schemas/OwnClaim"}},
        "total": {"type": "integer"}, "limit": {"type": "integer"}, "offset": {"type": "integer"},
        "next": {"type": ["string", "null"], "description": "the next page, null on the last one"}}}
    return {"summary": "The participant's own claims, newest first, in pages", "parameters": page,
            "responses": {"200": _answer("A page of claims", body), **_errors(401, 403)}}


def openapi_document() -> dict:
    """The whole document; a test checks that every /api/v1 route is described here."""
    claim_id = [{"name": "claim_id", "in": "path", "required": True, "schema": {"type": "string"}}]
    return {
        "openapi": "3.1.0",
        "info": {"title": "paragon API", "version": "1",
                 "description": "Participants submit purchase claims; partners review them."},
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": {"type": "object", "required": ["error"], "properties": {"error": {
                    "type": "object", "required": ["code", "message"],
                    "properties": {"code": {"type": "string"}, "message": {"type": "string"}}}}},
                "Claim": CLAIM,
                "OwnClaim": OWN_CLAIM,
                **rewards_schemas(),
            },
        },
        "security": [{"bearer": []}],
        "paths": {
            "/api/v1/openapi.json": {"get": {"summary": "This document", "security": [],
                                             "responses": {"200": _answer("OpenAPI document")}}},
            "/api/v1/claims": {"post": _submit_operation(), "get": _own_claims_operation()},
            "/api/v1/claims/{claim_id}": {"get": {
                "summary": "A claim's status, reasons, fields and points (owner, its partner, or staff); its "
                           "participant gets the OwnClaim form (reasons a participant may see only)",
                "parameters": claim_id,
                "responses": {"200": _answer("The claim", {"oneOf": [{"$ref": "#/components/schemas/Claim"},
                                                                      {"$ref": "#/components/schemas/OwnClaim"}]}),
                              **_errors(401, 404)}}},
            "/api/v1/claims/{claim_id}/decision": {"post": _decision_operation(claim_id)},
            "/api/v1/review/queue": {"get": {
                "summary": "Claims waiting for the caller's partner (oldest first)",
                "parameters": [{"name": n, "in": "query", "schema": {"type": "integer"}} for n in ("limit", "offset")],
                "responses": {"200": _answer("Queue", {"type": "object"}), **_errors(401, 403)}}},
            "/api/v1/participants/me/export": {"get": {
                "summary": "The participant's data and documents as a zip (RODO/GDPR access and portability)",
                "responses": {"200": {"description": "zip", "content": {"application/zip": {}}},
                              **_errors(401, 403)}}},
            "/api/v1/participants/me/balance": {"get": {
                "summary": "The participant's points balance and what of it will expire when",
                "responses": {"200": _answer("Balance", {"type": "object", "properties": {
                    "participant_id": {"type": "integer"}, "balance": {"type": "integer"},
                    "expiring": {"type": "array", "items": {"$ref": "#/components/schemas/ExpiringOut"}}}}),
                    **_errors(401, 403)}}},
            **rewards_paths(),
        },
    }


def _submit_operation() -> dict:
    form = {"type": "object", "properties": {
        "files": {"type": "array", "maxItems": 10, "items": {"type": "string", "format": "binary"},
                  "description": "1-10 photos (JPEG, PNG, WebP, HEIC, AVIF, TIFF) or PDFs"},
        "product_code": {"type": "array", "items": {"type": "string"}}}}
    accepted = {"type": "object", "required": ["id", "status", "url"], "properties": {
        "id": {"type": "string"}, "status": {"type": "string"}, "url": {"type": "string"}}}
    return {"summary": "Submit a claim: document files or product codes",
            "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": form}}},
            "responses": {"202": _answer("Accepted; processing is queued", accepted),
                          **_errors(401, 403, 413, 415, 422, 429)}}


def _decision_operation(claim_id: list) -> dict:
    body = {"type": "object", "required": ["action"], "properties": {
        "action": {"type": "string", "enum": ["approve", "reject"]},
        "reason_code": {"type": "string"}, "comment": {"type": "string"}}}
    key = {"name": "Idempotency-Key", "in": "header", "schema": {"type": "string", "maxLength": 200},
           "description": "Same key and body give the same answer; same key with another body gives 409."}
    return {"summary": "Approve or reject a claim (partner reviewer of its outlet, or auditor)",
            "parameters": [*claim_id, key],
            "requestBody": {"required": True, "content": {"application/json": {"schema": body}}},
            "responses": {"200": _answer("Decided", {"type": "object"}), **_errors(400, 401, 403, 404, 409, 422)}}
