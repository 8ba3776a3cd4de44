"""The generated OpenAPI document (valid 3.1, accurate about files, enums, errors and security) and the
validation at the API's edge that answers bad input with a 4xx and a reason code, never a 500."""

from __future__ import annotations

import io

import pytest
from openapi_spec_validator import OpenAPIV31SpecValidator

from claims.db.engine import transaction
from claims.db.models import Claim
from claims.services.accounts import issue_api_token
from ocr.formats import ALLOWED_UPLOAD_TYPES
from paragon.web import create_app
from tests.integration.helpers import PNG_1PX, pending_claim, seed, user
from vocabulary.claims import ClaimStatus
from vocabulary.reasons import ReasonCode

pytestmark = pytest.mark.integration


class NoQueue:
    def enqueue_processing(self, claim_id: str):
        return object()


@pytest.fixture
def client(runtime):
    seed(runtime)
    return create_app(runtime, NoQueue()).test_client()


def bearer(rt, email: str) -> dict:
    with transaction(rt.sessions) as session:
        return {"Authorization": f"Bearer {issue_api_token(session, user(rt, email))}"}


@pytest.fixture
def document(client) -> dict:
    answer = client.get("/api/v1/openapi.json")
    assert answer.status_code == 200
    return answer.get_json()


def schema_of(document: dict, reference: dict) -> dict:
    return document["components"]["schemas"][reference["$ref"].rsplit("/", 1)[-1]]


def test_the_document_is_valid_openapi_3_1(document):
    assert document["openapi"].startswith("3.1")
    errors = [error.message for error in OpenAPIV31SpecValidator(document).iter_errors()]
    assert errors == []


def test_files_are_required_with_every_accepted_type(document):
    body = document["paths"]["/api/v1/claims"]["post"]["requestBody"]
    form = body["content"]["multipart/form-data"]
    schema = schema_of(document, form["schema"])
    assert body["required"] is True
    assert {"required": ["files"]} in schema["oneOf"]  # files, or else product codes: one of them is required
    assert schema["properties"]["files"]["minItems"] == 1 and schema["properties"]["files"]["maxItems"] == 10
    assert schema["properties"]["files"]["items"]["format"] == "binary"
    accepted = {media.strip() for media in form["encoding"]["files"]["contentType"].split(",")}
    assert accepted == set(ALLOWED_UPLOAD_TYPES) and {"image/avif", "image/tiff", "application/pdf"} <= accepted


def test_enums_come_from_the_vocabulary(document):
    schemas = document["components"]["schemas"]
    assert schemas["ClaimStatus"]["enum"] == [str(s) for s in ClaimStatus]
    assert set(schemas["ReasonCode"]["enum"]) == {str(c) for c in ReasonCode}
    decision = schemas["DecisionBody"]
    assert decision["required"] == ["action"] and decision["properties"]["action"]["enum"] == ["approve", "reject"]


def test_every_4xx_has_the_error_shape_and_every_route_its_security(document):
    error = document["components"]["schemas"]["ErrorBody"]
    assert error["required"] == ["error"]
    assert schema_of(document, error["properties"]["error"])["required"] == ["code", "message"]
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for status, answer in operation["responses"].items():
                if status.startswith("4"):
                    assert answer["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorBody"), \
                        (method, path, status)
            if path == "/api/v1/openapi.json":
                assert operation["security"] == []
            else:
                assert "401" in operation["responses"] and operation["security"][0].keys() == {"bearer"}
    submit = document["paths"]["/api/v1/claims"]["post"]
    assert submit["security"] == [{"bearer": ["participant"]}]
    assert set(submit["responses"]) == {"202", "400", "401", "403", "413", "415", "422", "429"}
    export = document["paths"]["/api/v1/participants/me/export"]["get"]["responses"]["200"]
    assert list(export["content"]) == ["application/zip"]


# ---- the edge: what schemathesis found, each answered with a 4xx and a code now ---------------------------


def test_an_over_long_reason_code_is_a_422_not_a_500(client, runtime):
    claim_id = pending_claim(runtime)
    answer = client.post(f"/api/v1/claims/{claim_id}/decision", headers=bearer(runtime, "partner.a@example.com"),
                         json={"action": "approve", "reason_code": "x" * 100})
    assert answer.status_code == 422 and answer.get_json()["error"]["code"] == "bad_reason_code"
    with runtime.sessions() as session:
        assert session.get(Claim, claim_id).status == "pending_review"


def test_a_comment_with_a_nul_byte_is_refused_before_the_view(client, runtime):
    claim_id = pending_claim(runtime)
    answer = client.post(f"/api/v1/claims/{claim_id}/decision", headers=bearer(runtime, "partner.a@example.com"),
                         json={"action": "reject", "reason_code": "other", "comment": "a\u0000b"})
    assert answer.status_code == 400 and answer.get_json()["error"]["code"] == "invalid_characters"


def test_a_comment_over_its_limit_is_a_422(client, runtime):
    claim_id = pending_claim(runtime)
    answer = client.post(f"/api/v1/claims/{claim_id}/decision", headers=bearer(runtime, "partner.a@example.com"),
                         json={"action": "reject", "reason_code": "other", "comment": "x" * 5000})
    assert answer.status_code == 422 and answer.get_json()["error"]["code"] == "bad_comment"


def test_a_claim_id_that_is_no_uuid_is_a_json_404(client, runtime):
    headers = bearer(runtime, "partner.a@example.com")
    for answer in (client.get("/api/v1/claims/a-b", headers=headers),
                   client.post("/api/v1/claims/a-b/decision", headers=headers, json={"action": "approve"})):
        assert answer.status_code == 404 and answer.get_json()["error"]["code"] == "not_found"
    for answer in (client.get("/api/v1/claims/a%00b", headers=headers),
                   client.post("/api/v1/claims/a%00b/decision", headers=headers, json={"action": "approve"})):
        assert answer.status_code == 400 and answer.get_json()["error"]["code"] == "invalid_characters"


def test_paging_beyond_any_number_the_database_takes_is_an_empty_page(client, runtime):
    pending_claim(runtime)
    owner = client.get(f"/api/v1/claims?offset={10**20}&limit=-5", headers=bearer(runtime, "uczestnik@example.com"))
    assert owner.status_code == 200 and owner.get_json()["claims"] == [] and owner.get_json()["limit"] == 1
    queue = client.get(f"/api/v1/review/queue?offset={10**20}", headers=bearer(runtime, "partner.a@example.com"))
    assert queue.status_code == 200 and queue.get_json()["claims"] == []
    words = client.get("/api/v1/review/queue?limit=many", headers=bearer(runtime, "partner.a@example.com"))
    assert words.status_code == 422 and words.get_json()["error"]["code"] == "bad_query"


def test_who_is_asking_is_answered_before_what_is_wrong_with_the_request(client, runtime):
    def eleven_files() -> dict:  # one more than a claim may have
        return {"files": [(io.BytesIO(PNG_1PX), f"p{i}.png") for i in range(11)]}

    anonymous = client.post("/api/v1/claims", data=eleven_files(), content_type="multipart/form-data")
    assert anonymous.status_code == 401
    partner = client.post("/api/v1/claims", headers=bearer(runtime, "partner.a@example.com"),
                          data=eleven_files(), content_type="multipart/form-data")
    assert partner.status_code == 403 and partner.get_json()["error"]["code"] == "not_participant"
    participant = bearer(runtime, "uczestnik@example.com")
    claim_id = pending_claim(runtime)
    decision = client.post(f"/api/v1/claims/{claim_id}/decision", headers=participant, json={"action": 7})
    assert decision.status_code == 403


def test_an_over_long_idempotency_key_is_refused(client, runtime):
    claim_id = pending_claim(runtime)
    headers = bearer(runtime, "partner.a@example.com") | {"Idempotency-Key": "k" * 201}
    answer = client.post(f"/api/v1/claims/{claim_id}/decision", headers=headers, json={"action": "approve"})
    assert answer.status_code == 422 and answer.get_json()["error"]["code"] == "bad_idempotency_key"


def test_a_route_of_another_api_module_joins_the_document_by_declaring_its_models(runtime):
    """What a new module under ingest/ does (README, "Adding a route"): models, `operation`, a blueprint."""
    from flask import Blueprint, jsonify, request
    from pydantic import BaseModel

    from claims.roles import Role
    from ingest.http import install_error_handlers
    from ingest.openapi import ApiModel, operation

    class PlugInTestBody(ApiModel):
        reward: str
        quantity: int = 1

    class PlugInTestAnswer(BaseModel):
        reward: str
        quantity: int

    extra = Blueprint("plug_in_test_api", __name__, url_prefix="/api/v1")
    install_error_handlers(extra)

    @extra.post("/plug-in-test")
    @operation(roles=(Role.PARTICIPANT,), json=PlugInTestBody, answers={201: PlugInTestAnswer}, errors=(403,))
    def plug_in_test():
        """Place an order (test)"""
        return jsonify(request.context.json.model_dump()), 201

    seed(runtime)
    app = create_app(runtime, NoQueue())
    app.register_blueprint(extra)
    app.extensions["csrf"].exempt(extra)
    client = app.test_client()
    document = client.get("/api/v1/openapi.json").get_json()
    placed = document["paths"]["/api/v1/plug-in-test"]["post"]
    assert placed["security"] == [{"bearer": ["participant"]}] and set(placed["responses"]) == {
        "201", "400", "401", "403", "422"}
    assert schema_of(document, placed["requestBody"]["content"]["application/json"]["schema"])["required"] == [
        "reward"]
    participant = bearer(runtime, "uczestnik@example.com")
    assert client.post("/api/v1/plug-in-test", headers=participant, json={"reward": "mug"}).status_code == 201
    wrong = client.post("/api/v1/plug-in-test", headers=participant, json={"quantity": 2})
    assert wrong.status_code == 422 and wrong.get_json()["error"]["code"] == "bad_json"
    partner = client.post("/api/v1/plug-in-test", headers=bearer(runtime, "partner.a@example.com"), json={})
    assert partner.status_code == 403
