"""The API against its own OpenAPI document: schemathesis generates requests from the document and sends them
to the live app (in-process WSGI, real PostgreSQL) with a participant's, a partner's and an auditor's token.
Every answer must be a documented status with a body of the documented schema, and never a 5xx.

The number of examples is bounded (EXAMPLES per operation, role and mode) so the run stays short; raise it
locally with API_FUZZ_EXAMPLES=200 to search harder.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from claims.db.engine import transaction
from claims.services.accounts import issue_api_token
from paragon.web import create_app
from tests.conftest import make_runtime
from tests.integration.helpers import PNG_1PX, pending_claim, seed, user

pytestmark = pytest.mark.integration

EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "12"))
ROLES = {"participant": "uczestnik@example.com", "partner": "partner.a@example.com",
         "auditor": "audytor@example.com"}
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


class NoQueue:
    def enqueue_processing(self, claim_id: str):
        return object()


@pytest.fixture
def live(tmp_path, postgres_url):
    """The app on a fresh PostgreSQL database with the test programme, a claim waiting for partner A, and
    one API token per role."""
    rt = make_runtime(tmp_path, postgres_url, "db://")
    seed(rt)
    claim_id = pending_claim(rt)
    with transaction(rt.sessions) as session:
        tokens = {role: issue_api_token(session, user(rt, email)) for role, email in ROLES.items()}
    app = create_app(rt, NoQueue())
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    yield schema, tokens, claim_id
    rt.close()


def _fuzz(operation, headers: dict, mode) -> None:
    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case):
        case.call_and_validate(headers=headers, checks=CHECKS)

    run()


def test_every_operation_answers_as_documented_for_every_role(live):
    schema, tokens, claim_id = live
    operations = [result.ok() for result in schema.get_all_operations()]
    documented = {f"{method.upper()} {path}" for path, methods in schema.raw_schema["paths"].items()
                  for method in methods if path != "/api/v1/openapi.json"}  # schemathesis leaves its source out
    assert {operation.label for operation in operations} == documented
    for token in tokens.values():
        headers = {"Authorization": f"Bearer {token}"}
        for operation in operations:
            for mode in (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE):
                _fuzz(operation, headers, mode)


def test_known_claim_and_real_upload_answer_as_documented(live):
    """Generated ids are never a real claim's: the claim, its decision and an accepted upload, by hand."""
    schema, tokens, claim_id = live
    get_claim = schema["/api/v1/claims/{claim_id}"]["GET"]
    decide = schema["/api/v1/claims/{claim_id}/decision"]["POST"]
    submit = schema["/api/v1/claims"]["POST"]
    statuses = []
    for role in ("participant", "partner", "auditor"):
        headers = {"Authorization": f"Bearer {tokens[role]}"}
        answer = get_claim.Case(path_parameters={"claim_id": claim_id}, query={"lang": "en"}).call_and_validate(
            headers=headers, checks=CHECKS)
        statuses.append(answer.status_code)
    for role, body in (("participant", {"action": "approve"}), ("partner", {"action": "bogus"}),
                       ("partner", {"action": "reject", "reason_code": "not_our_sale", "comment": "nie nasz"}),
                       ("auditor", {"action": "approve"})):
        answer = decide.Case(path_parameters={"claim_id": claim_id}, body=body,
                             media_type="application/json").call_and_validate(
            headers={"Authorization": f"Bearer {tokens[role]}"}, checks=CHECKS)
        statuses.append(answer.status_code)
    upload = submit.Case(body={"files": [PNG_1PX]}, media_type="multipart/form-data").call_and_validate(
        headers={"Authorization": f"Bearer {tokens['participant']}"}, checks=CHECKS)
    statuses.append(upload.status_code)
    assert statuses == [200, 200, 200, 403, 422, 200, 409, 202]
