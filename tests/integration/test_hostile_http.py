"""Hostile and broken input through the HTTP API and the real worker: a 4xx with a reason code, or a claim that
ends with a reason — never a 500, never a hung worker (the reader's limits end every file)."""

from __future__ import annotations

import io

import pytest

from claims.db.engine import transaction
from claims.db.models import Claim
from claims.services.accounts import issue_api_token
from paragon.web import create_app
from tests.hostile.make_corpus import CASES
from tests.integration.helpers import PNG_1PX, pending_claim, seed, user
from vocabulary.claims import FINAL_STATES, REVIEW_STATES
from workers import runtime as worker_runtime
from workers.jobs import process_claim

pytestmark = pytest.mark.integration


class NoQueue:
    def enqueue_processing(self, claim_id: str):
        return None


@pytest.fixture
def api(sqlite_runtime):
    seed(sqlite_runtime)
    worker_runtime.install(sqlite_runtime)
    app = create_app(sqlite_runtime, NoQueue())
    with transaction(sqlite_runtime.sessions) as session:
        participant = issue_api_token(session, user(sqlite_runtime, "uczestnik@example.com"))
        partner = issue_api_token(session, user(sqlite_runtime, "partner.a@example.com"))
    return app.test_client(), {"Authorization": f"Bearer {participant}"}, {"Authorization": f"Bearer {partner}"}


def _ends_with_a_reason(runtime, claim_id: str) -> Claim:
    process_claim(claim_id)
    with runtime.sessions() as session:
        claim = session.get(Claim, claim_id)
        assert claim.status in FINAL_STATES | REVIEW_STATES
        if claim.status not in REVIEW_STATES:
            assert claim.reasons and all(r.get("code") for r in claim.reasons)
        return claim


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_file_gets_a_4xx_or_ends_with_a_reason(api, sqlite_runtime, name):
    client, participant, _ = api
    maker, _codes = CASES[name]
    answer = client.post("/api/v1/claims", headers=participant, content_type="multipart/form-data",
                         data={"files": [(io.BytesIO(maker()), name)]})
    assert answer.status_code in (202, 413, 415, 422), answer.data[:300]
    if answer.status_code != 202:
        assert answer.get_json()["error"]["code"]
        return
    claim = _ends_with_a_reason(sqlite_runtime, answer.get_json()["id"])
    if claim.status == "needs_retake":
        with sqlite_runtime.sessions() as session:
            assert session.get(Claim, claim.id).documents[0].error_code or claim.reasons


HOSTILE_NAMES = ["../../../etc/passwd.png", "..\\..\\windows\\system32\\cmd.png", "paragon\u202egnp.exe",
                 "name\x00.png", "<script>alert(1)</script>.png", "a" * 5000 + ".png", "🧾 paragon.png", ""]


@pytest.mark.parametrize("filename", HOSTILE_NAMES, ids=range(len(HOSTILE_NAMES)))
def test_hostile_file_names_are_only_ever_shown_cleaned(api, sqlite_runtime, filename):
    client, participant, _ = api
    answer = client.post("/api/v1/claims", headers=participant, content_type="multipart/form-data",
                         data={"files": [(io.BytesIO(PNG_1PX), filename)]})
    assert answer.status_code == 202
    with sqlite_runtime.sessions() as session:
        stored = session.get(Claim, answer.get_json()["id"]).documents[0].filename
    assert "/" not in stored and "\\" not in stored and "\x00" not in stored and "\u202e" not in stored
    assert 0 < len(stored) <= 120


def test_huge_form_field_is_refused_cleanly(api):
    client, participant, _ = api
    answer = client.post("/api/v1/claims", headers=participant, content_type="multipart/form-data",
                         data={"product_code": "A" * 5_000_000})
    assert answer.status_code in (413, 422) and answer.get_json()["error"]["code"]


def test_thousands_of_form_fields_are_refused_cleanly(api):
    client, participant, _ = api
    answer = client.post("/api/v1/claims", headers=participant, content_type="multipart/form-data",
                         data={"product_code": ["ABCDEFGH234M"] * 5000})
    assert answer.status_code in (413, 422, 429) and answer.get_json()["error"]["code"]


@pytest.mark.parametrize("code", ["АВСDEFGH234M", "ＡＢＣDEFGH234M", "ABC'; DROP TABLE claims;--", "🧾🧾🧾"])
def test_unicode_tricks_and_injection_in_product_codes_are_refused(api, code):
    client, participant, _ = api
    answer = client.post("/api/v1/claims", headers=participant, content_type="multipart/form-data",
                         data={"product_code": code})
    assert answer.status_code == 422 and answer.get_json()["error"]["code"] == "bad_code_format"


@pytest.mark.parametrize(("body", "content_type"), [
    (b"{not json", "application/json"),
    (b'{"action": "approve"', "application/json"),
    (b'{"action": "approve"}', "text/plain"),
    (b"<action>approve</action>", "application/xml"),
    (b'{"action": ["approve"]}', "application/json"),
    (b'{"action": "approve", "reason_code": ' + b'"x' * 100_000 + b'"}', "application/json"),
    (b"\xff\xfe\x00garbage", "application/json"),
])
def test_malformed_decisions_get_a_4xx_with_a_code(api, sqlite_runtime, body, content_type):
    client, _, partner = api
    claim_id = pending_claim(sqlite_runtime)
    answer = client.post(f"/api/v1/claims/{claim_id}/decision", data=body, headers=partner,
                         content_type=content_type)
    assert 400 <= answer.status_code < 500 and answer.get_json()["error"]["code"]
    with sqlite_runtime.sessions() as session:
        assert session.get(Claim, claim_id).status == "pending_review"


def test_wrong_content_type_for_an_upload_is_a_4xx(api):
    client, participant, _ = api
    answer = client.post("/api/v1/claims", headers=participant, data=b'{"files": []}',
                         content_type="application/json")
    assert 400 <= answer.status_code < 500 and answer.get_json()["error"]["code"]


def test_oversized_token_and_garbage_authorization_are_401(api):
    client, _, _ = api
    for header in ("Bearer " + "x" * 20_000, "Bearer \u202e\u0000", "Bearer", "bearer  "):
        answer = client.get("/api/v1/participants/me/balance", headers={"Authorization": header})
        assert answer.status_code == 401 and answer.get_json()["error"]["code"]
