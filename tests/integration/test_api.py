"""The JSON API through Flask's test client on the real databases: auth, limits, errors, idempotency."""

from __future__ import annotations

import io
import re
import threading
import uuid

import pytest
from sqlalchemy import func, select

from claims.db.engine import transaction
from claims.db.models import Claim, LedgerEntry
from claims.services.accounts import issue_api_token
from paragon.web import create_app
from tests.integration.helpers import PNG_1PX, pending_claim, seed, user

pytestmark = pytest.mark.integration


class RecordingQueue:
    """A hand-written fake of ClaimQueue: remembers what was queued, optionally fails like a dead Redis."""

    def __init__(self, fail: bool = False) -> None:
        self.fail, self.queued = fail, []

    def enqueue_processing(self, claim_id: str):
        if self.fail:
            raise ConnectionError("redis is down")
        self.queued.append(claim_id)
        return object()


@pytest.fixture
def queue():
    return RecordingQueue()


@pytest.fixture
def client(runtime, queue):
    seed(runtime)
    app = create_app(runtime, queue)
    return app.test_client()


def bearer(rt, email: str) -> dict:
    with transaction(rt.sessions) as session:
        return {"Authorization": f"Bearer {issue_api_token(session, user(rt, email))}"}


def post_files(client, headers, *files):
    data = {"files": [(io.BytesIO(content), name) for name, content in files]}
    return client.post("/api/v1/claims", headers=headers, data=data, content_type="multipart/form-data")


def test_upload_is_committed_then_queued_and_answered_202(client, runtime, queue):
    answer = post_files(client, bearer(runtime, "uczestnik@example.com"), ("paragon.png", PNG_1PX))
    assert answer.status_code == 202
    body = answer.get_json()
    assert set(body) == {"id", "status", "url"} and body["status"] == "received"
    assert queue.queued == [body["id"]]
    with runtime.sessions() as session:
        assert session.get(Claim, body["id"]).documents[0].media_type == "image/png"


def test_upload_is_kept_and_answered_202_when_redis_is_down(runtime):
    seed(runtime)
    client = create_app(runtime, RecordingQueue(fail=True)).test_client()
    answer = post_files(client, bearer(runtime, "uczestnik@example.com"), ("paragon.png", PNG_1PX))
    assert answer.status_code == 202
    with runtime.sessions() as session:
        assert session.get(Claim, answer.get_json()["id"]).status == "received"


def test_missing_or_bad_token_is_401_json(client):
    for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic abc"}):
        answer = client.get("/api/v1/participants/me/balance", headers=headers)
        assert answer.status_code == 401
        assert answer.get_json()["error"]["code"] in {"missing_token", "bad_token"}
        assert "Bearer" in answer.headers["WWW-Authenticate"]


def test_file_type_is_sniffed_not_taken_from_the_name(client, runtime):
    answer = post_files(client, bearer(runtime, "uczestnik@example.com"), ("paragon.jpg", b"<html>hi</html>"))
    assert answer.status_code == 415 and answer.get_json()["error"]["code"] == "unsupported_type"


def test_empty_file_and_empty_claim_get_reason_codes(client, runtime):
    headers = bearer(runtime, "uczestnik@example.com")
    assert post_files(client, headers, ("a.png", b"")).get_json()["error"]["code"] == "empty_file"
    empty = client.post("/api/v1/claims", headers=headers, data={}, content_type="multipart/form-data")
    assert empty.status_code == 422 and empty.get_json()["error"]["code"] == "empty_claim"


def test_too_many_files_is_refused(client, runtime):
    files = [(f"p{i}.png", PNG_1PX) for i in range(11)]
    answer = post_files(client, bearer(runtime, "uczestnik@example.com"), *files)
    assert answer.status_code == 422 and answer.get_json()["error"]["code"] == "too_many_files"


def test_file_over_the_limit_is_413(runtime):
    seed(runtime)
    runtime.settings = runtime.settings.__class__(**{**runtime.settings.__dict__, "max_upload_bytes": 1000})
    client = create_app(runtime, RecordingQueue()).test_client()
    big = PNG_1PX + b"\0" * 2000
    answer = post_files(client, bearer(runtime, "uczestnik@example.com"), ("big.png", big))
    assert answer.status_code == 413 and answer.get_json()["error"]["code"] == "file_too_large"


def test_only_participants_submit_claims(client, runtime):
    answer = post_files(client, bearer(runtime, "partner.a@example.com"), ("paragon.png", PNG_1PX))
    assert answer.status_code == 403 and answer.get_json()["error"]["code"] == "not_participant"


def test_participant_sees_own_claim_and_not_anothers(client, runtime):
    claim_id = pending_claim(runtime)
    own = client.get(f"/api/v1/claims/{claim_id}", headers=bearer(runtime, "uczestnik@example.com"))
    assert own.status_code == 200
    assert set(own.get_json()) >= {"id", "status", "kind", "reasons", "fields", "points"}
    other = client.get(f"/api/v1/claims/{claim_id}", headers=bearer(runtime, "drugi@example.com"))
    assert other.status_code == 404 and other.get_json()["error"]["code"] == "not_found"


def test_participant_lists_own_claims_newest_first_in_pages(client, runtime):
    ids = [pending_claim(runtime, points=10 * n) for n in range(1, 4)]
    pending_claim(runtime, email="drugi@example.com")
    owner = bearer(runtime, "uczestnik@example.com")

    first = client.get("/api/v1/claims?limit=2", headers=owner).get_json()
    second = client.get(first["next"], headers=owner).get_json()

    assert [c["id"] for c in first["claims"] + second["claims"]] == ids[::-1]
    assert (first["total"], first["limit"], first["offset"], second["next"]) == (3, 2, 0, None)
    assert first["claims"][0]["stage"] == "waiting" and first["claims"][0]["points_kind"] == "expected"
    assert client.get("/api/v1/claims?limit=0", headers=owner).get_json()["limit"] == 1
    partner = client.get("/api/v1/claims", headers=bearer(runtime, "partner.a@example.com"))
    assert partner.status_code == 403 and partner.get_json()["error"]["code"] == "not_participant"
    assert client.get("/api/v1/claims").status_code == 401


def test_the_participant_sees_no_internal_reason_in_the_claim_json(client, runtime):
    claim_id = pending_claim(runtime)
    with transaction(runtime.sessions) as session:
        session.get(Claim, claim_id).reasons = [{"code": "velocity_participant", "severity": "warning"},
                                                {"code": "seller_matched_by_name", "severity": "warning"}]
    owner = client.get(f"/api/v1/claims/{claim_id}", headers=bearer(runtime, "uczestnik@example.com")).get_json()
    partner = client.get(f"/api/v1/claims/{claim_id}", headers=bearer(runtime, "partner.a@example.com")).get_json()
    assert owner["reasons"] == [] and owner["points"] == 120
    assert [r["code"] for r in partner["reasons"]] == ["velocity_participant", "seller_matched_by_name"]


def test_reasons_come_in_the_asked_language(client, runtime):
    claim_id = pending_claim(runtime)
    headers = bearer(runtime, "partner.a@example.com")
    client.post(f"/api/v1/claims/{claim_id}/decision", headers=headers,
                json={"action": "reject", "reason_code": "not_our_sale"})
    owner = bearer(runtime, "uczestnik@example.com")
    polish = client.get(f"/api/v1/claims/{claim_id}", headers=owner).get_json()["reasons"]
    english = client.get(f"/api/v1/claims/{claim_id}?lang=en", headers=owner).get_json()["reasons"]
    assert polish[0]["code"] == english[0]["code"] == "not_our_sale"
    assert "Partner nie potwierdził" in polish[0]["message"] and "did not confirm" in english[0]["message"]


def test_decision_body_must_be_json_with_an_action(client, runtime):
    claim_id = pending_claim(runtime)
    headers = bearer(runtime, "partner.a@example.com")
    for kwargs in ({"data": "not json"}, {"json": ["approve"]}, {"json": {"action": 3}}):
        answer = client.post(f"/api/v1/claims/{claim_id}/decision", headers=headers, **kwargs)
        assert answer.status_code == 422 and answer.get_json()["error"]["code"] == "bad_json"
    bad_action = client.post(f"/api/v1/claims/{claim_id}/decision", headers=headers, json={"action": "maybe"})
    assert bad_action.status_code == 422 and bad_action.get_json()["error"]["code"] == "bad_action"


def test_participant_cannot_use_the_review_api(client, runtime):
    claim_id = pending_claim(runtime)
    headers = bearer(runtime, "uczestnik@example.com")
    assert client.get("/api/v1/review/queue", headers=headers).status_code == 403
    answer = client.post(f"/api/v1/claims/{claim_id}/decision", headers=headers, json={"action": "approve"})
    assert answer.status_code == 403


def test_unknown_api_path_is_json_404(client):
    answer = client.get("/api/v1/nothing-here")
    assert answer.status_code == 404


def test_openapi_describes_every_api_route(client):
    document = client.get("/api/v1/openapi.json").get_json()
    described = {(path, method) for path, ops in document["paths"].items() for method in ops}
    routes = {
        (re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule), method.lower())
        for rule in client.application.url_map.iter_rules() if rule.rule.startswith("/api/v1")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert routes == described


def test_concurrent_approvals_credit_once(runtime):
    """Many reviewers' clicks (or retries) at once: one approval, one ledger entry."""
    seed(runtime)
    claim_id = pending_claim(runtime, points=70)
    app = create_app(runtime, RecordingQueue())
    headers = bearer(runtime, "partner.a@example.com")
    codes: list[int] = []

    def approve(key: str | None) -> None:
        extra = {"Idempotency-Key": key} if key else {}
        answer = app.test_client().post(f"/api/v1/claims/{claim_id}/decision", headers=headers | extra,
                                        json={"action": "approve"})
        codes.append(answer.status_code)

    shared_key = str(uuid.uuid4())
    threads = [threading.Thread(target=approve, args=(shared_key if i % 2 else None,)) for i in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert codes.count(200) >= 1 and set(codes) <= {200, 409}
    with runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(LedgerEntry)) == 1


def test_malformed_product_code_is_refused_at_once(client, runtime):
    answer = client.post("/api/v1/claims", headers=bearer(runtime, "uczestnik@example.com"),
                         data={"product_code": "ABCDEFGH2340"}, content_type="multipart/form-data")
    assert answer.status_code == 422 and answer.get_json()["error"]["code"] == "bad_code_format"


def test_product_code_attempts_are_limited_per_participant(runtime, redis_conn):
    from claims.ratelimit import CODE_ATTEMPTS_PER_PARTICIPANT
    from tests.conftest import CODE_UNKNOWN
    from workers.queues import ClaimQueue

    seed(runtime)
    client = create_app(runtime, ClaimQueue(redis_conn)).test_client()
    headers = bearer(runtime, "uczestnik@example.com")
    codes = {"product_code": [CODE_UNKNOWN] * 10}
    answers = [client.post("/api/v1/claims", headers=headers, data=codes, content_type="multipart/form-data")
               for _ in range(CODE_ATTEMPTS_PER_PARTICIPANT.attempts // 10 + 1)]
    assert {a.status_code for a in answers[:-1]} == {202}
    assert answers[-1].status_code == 429 and answers[-1].get_json()["error"]["code"] == "too_many_attempts"
    assert int(answers[-1].headers["Retry-After"]) > 0
    other = client.post("/api/v1/claims", headers=bearer(runtime, "drugi@example.com"), data={
        "product_code": CODE_UNKNOWN}, content_type="multipart/form-data")
    assert other.status_code == 202  # counted per participant


def limited_client(runtime, redis_conn, per_hour: int):
    from dataclasses import replace

    from workers.queues import ClaimQueue

    seed(runtime)
    limited = replace(runtime, settings=replace(runtime.settings, uploads_per_hour=per_hour))
    return create_app(limited, ClaimQueue(redis_conn)).test_client()


def test_uploads_are_limited_per_participant_and_refused_before_anything_is_stored(runtime, redis_conn):
    client = limited_client(runtime, redis_conn, per_hour=3)
    headers = bearer(runtime, "uczestnik@example.com")
    answers = [post_files(client, headers, ("r.png", PNG_1PX)) for _ in range(4)]
    assert [a.status_code for a in answers] == [202, 202, 202, 429]
    refused = answers[-1]
    assert refused.get_json()["error"]["code"] == "too_many_uploads"
    assert 0 < int(refused.headers["Retry-After"]) <= 3600
    with transaction(runtime.sessions) as session:
        assert session.scalar(select(func.count()).select_from(Claim)) == 3  # the refused one left no trace
    other = post_files(client, bearer(runtime, "drugi@example.com"), ("r.png", PNG_1PX))
    assert other.status_code == 202  # counted per participant


def test_upload_limit_zero_means_no_limit(runtime, redis_conn):
    client = limited_client(runtime, redis_conn, per_hour=0)
    headers = bearer(runtime, "uczestnik@example.com")
    assert {post_files(client, headers, ("r.png", PNG_1PX)).status_code for _ in range(5)} == {202}


def test_upload_limit_is_skipped_when_redis_is_away(runtime):
    from dataclasses import replace

    import redis

    from claims.ratelimit import RateLimiter

    seed(runtime)
    limited = replace(runtime, settings=replace(runtime.settings, uploads_per_hour=1))
    app = create_app(limited, RecordingQueue())
    app.extensions["paragon.ratelimiter"] = RateLimiter(redis.Redis.from_url(
        "redis://127.0.0.1:1/0", socket_connect_timeout=0.2, socket_timeout=0.2))
    client, headers = app.test_client(), bearer(runtime, "uczestnik@example.com")
    assert [post_files(client, headers, ("r.png", PNG_1PX)).status_code for _ in range(2)] == [202, 202]


def test_participant_downloads_their_data_as_a_zip(client, runtime):
    import zipfile

    pending_claim(runtime)
    answer = client.get("/api/v1/participants/me/export", headers=bearer(runtime, "uczestnik@example.com"))
    assert answer.status_code == 200 and answer.mimetype == "application/zip"
    assert "attachment" in answer.headers["Content-Disposition"]
    assert "data.json" in zipfile.ZipFile(io.BytesIO(answer.data)).namelist()
    staff = client.get("/api/v1/participants/me/export", headers=bearer(runtime, "audytor@example.com"))
    assert staff.status_code == 403 and staff.get_json()["error"]["code"] == "not_participant"


def test_client_address_comes_from_the_trusted_proxy_only(runtime):
    import dataclasses

    from flask import request

    seed(runtime)
    seen = []
    for hops in (0, 1):
        rt = dataclasses.replace(runtime, settings=dataclasses.replace(runtime.settings, trusted_proxies=hops))
        app = create_app(rt, RecordingQueue())
        app.add_url_rule("/_addr", "addr", lambda: seen.append(request.remote_addr) or "ok")
        app.test_client().get("/_addr", headers={"X-Forwarded-For": "203.0.113.9"})
    assert seen == ["127.0.0.1", "203.0.113.9"]
