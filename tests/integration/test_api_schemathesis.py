"""The API against its own OpenAPI document: schemathesis generates requests from the document and sends them
to the live app (in-process WSGI, real PostgreSQL) with a participant's, a partner's and an auditor's token.
Every answer must be a documented status with a body of the documented schema, and never a 5xx.

The number of generated examples is bounded (EXAMPLES per operation) so the run stays short; raise it
locally with API_FUZZ_EXAMPLES=200 to search harder.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation.feedback import FeedbackSources
from schemathesis.pytest._test_builder import build_operation_test
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from claims.db.engine import transaction
from claims.services.accounts import issue_api_token
from paragon.web import create_app
from tests.conftest import make_runtime
from tests.integration.display_helpers import activity
from tests.integration.helpers import PNG_1PX, pending_claim, seed, user

pytestmark = pytest.mark.integration

#: Generated cases per operation (each sent with three tokens), after the coverage phase's edge cases.
EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "12"))
#: Claims waiting for a decision that the generated cases may name.
CLAIM_POOL = 40
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
    activity(rt)  # a display activity the generated photo claims may name (id 1)
    with transaction(rt.sessions) as session:
        tokens = {role: issue_api_token(session, user(rt, email)) for role, email in ROLES.items()}
    app = create_app(rt, NoQueue())
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    yield schema, tokens, claim_id
    rt.close()


@pytest.fixture
def waiting_claims(live):
    """Claims waiting for partner A's decision: generated UUIDs are never a real claim's, so every other case
    that names a claim is sent with one of these, in turn (a decision uses one up: other roles get 409)."""
    schema, _tokens, _claim_id = live
    rt = schema.app.extensions["paragon"]
    return [pending_claim(rt, points=10 + n) for n in range(CLAIM_POOL)]


def _run(schema, operation, tokens: dict, seen: list, claims: Iterator[str]) -> None:
    """Schemathesis's phases for one operation (explicit examples, coverage of each parameter's edges, valid
    and invalid, then EXAMPLES generated cases), each case sent once with every role's token."""

    def send(case):
        if "claim_id" in (case.path_parameters or {}) and len(seen) % 2 == 0:
            case.path_parameters["claim_id"] = next(claims)
        for role, token in tokens.items():
            answer = case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)
            seen.append((role, operation.label, answer.status_code))

    bounded = settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                       suppress_health_check=list(HealthCheck))
    # the builder schemathesis's own pytest plugin uses (its lazy fixture loader does not run under pytest 9)
    build_operation_test(config=schema.config, operation=operation, test_func=send, given_kwargs={},
                         feedback=FeedbackSources(), explicit_settings=bounded)()


def test_every_operation_answers_as_documented_for_every_role(live, waiting_claims):
    schema, tokens, _claim_id = live
    operations = [result.ok() for result in schema.get_all_operations()]
    documented = {f"{method.upper()} {path}" for path, methods in schema.raw_schema["paths"].items()
                  for method in methods if path != "/api/v1/openapi.json"}  # schemathesis leaves its source out
    assert {operation.label for operation in operations} == documented
    seen: list[tuple[str, str, int]] = []
    claims = itertools.cycle(waiting_claims)
    for operation in operations:
        _run(schema, operation, tokens, seen, claims)
    assert {(role, label) for role, label, _ in seen} == {(r, d) for r in tokens for d in documented}
    assert all(any(role == r and status < 300 for r, _, status in seen) for role in tokens)  # the tokens worked


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
