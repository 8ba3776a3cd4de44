"""The API's edges: personal answers are never cached, a 405 says which methods the address takes, and uploads
refused for their type do not use up the hourly upload limit (issue 17 saw 429 after 60 wrong-type tries)."""

from __future__ import annotations

import dataclasses
import io
import uuid

import pytest
from sqlalchemy import select

from claims.db.engine import transaction
from claims.db.models import User
from claims.ratelimit import RateLimiter
from claims.services.accounts import issue_api_token
from paragon.web import create_app as create_web_app
from tests.review_ui.helpers import PARTICIPANT, RecordingQueue, png_bytes


def _token(runtime, email: str = PARTICIPANT) -> dict:
    with transaction(runtime.sessions) as session:
        token = issue_api_token(session, session.scalar(select(User).where(User.email == email)))
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def api(runtime):
    return create_web_app(runtime, RecordingQueue(), testing=True).test_client()


def test_personal_api_answers_are_not_stored_by_caches(api, runtime, claims):
    headers = _token(runtime)
    claim_id = claims.submit()
    for path in ("/api/v1/claims", f"/api/v1/claims/{claim_id}", "/api/v1/participants/me/balance",
                 "/api/v1/participants/me/export"):
        answer = api.get(path, headers=headers)
        assert answer.status_code == 200, path
        assert "no-store" in answer.headers.get("Cache-Control", ""), path
    assert "no-store" in api.get("/api/v1/claims").headers["Cache-Control"]  # the 401 too


SOME_CLAIM = "00000000-0000-4000-8000-000000000000"  # claim ids in API paths are UUIDs


@pytest.mark.parametrize("method, path, allowed", [("DELETE", "/api/v1/claims", {"GET", "POST"}),
                                                    ("PUT", "/api/v1/participants/me/balance", {"GET"}),
                                                    ("GET", f"/api/v1/claims/{SOME_CLAIM}/decision", {"POST"})])
def test_a_405_under_the_api_says_which_methods_are_allowed(api, runtime, method, path, allowed):
    answer = api.open(path, method=method, headers=_token(runtime))
    assert answer.status_code == 405
    assert answer.get_json()["error"]["code"]
    assert allowed <= {m.strip() for m in answer.headers["Allow"].split(",")}


def test_uploads_refused_for_their_type_do_not_count_against_the_hourly_limit(runtime, redis_conn):
    from workers.queues import ClaimQueue

    limited = dataclasses.replace(runtime, settings=dataclasses.replace(runtime.settings, uploads_per_hour=2))
    app = create_web_app(limited, ClaimQueue(redis_conn), testing=True)
    app.extensions["paragon.ratelimiter"] = RateLimiter(redis_conn, prefix=f"test-{uuid.uuid4().hex[:8]}")
    client, headers = app.test_client(), _token(runtime)

    def upload(data: bytes, name: str):
        return client.post("/api/v1/claims", headers=headers, content_type="multipart/form-data",
                           data={"files": [(io.BytesIO(data), name)]})

    for attempt in range(10):
        answer = upload(b"%s not a photo at all" % str(attempt).encode(), "notes.txt")
        assert answer.status_code == 415 and answer.get_json()["error"]["code"] == "unsupported_type"
    assert upload(png_bytes((1, 2, 3)), "a.png").status_code == 202
    assert upload(png_bytes((4, 5, 6)), "b.png").status_code == 202
    assert upload(png_bytes((7, 8, 9)), "c.png").status_code == 429  # the limit itself still holds


def test_photos_refused_by_the_quality_gate_leave_nothing_stored_and_do_not_count(runtime, redis_conn):
    """The gate runs beside the files' write into the database (`check_submission(alongside=True)`): a refused
    photo must still leave no claim and no stored bytes, on either blob store, and use up no upload."""
    from claims.db.models import Blob, Claim
    from tests.hostile.photos import dark_photo, readable_photo
    from workers.queues import ClaimQueue

    limited = dataclasses.replace(runtime, settings=dataclasses.replace(runtime.settings, uploads_per_hour=2))
    app = create_web_app(limited, ClaimQueue(redis_conn), testing=True)
    app.extensions["paragon.ratelimiter"] = RateLimiter(redis_conn, prefix=f"test-{uuid.uuid4().hex[:8]}")
    client, headers = app.test_client(), _token(runtime)

    def upload(data: bytes):
        return client.post("/api/v1/claims", headers=headers, content_type="multipart/form-data",
                           data={"files": [(io.BytesIO(data), "photo.jpg")]})

    with runtime.sessions() as session:
        claims_before = len(session.scalars(select(Claim.id)).all())
    for seed in range(3):
        answer = upload(dark_photo(seed))
        assert answer.status_code == 422 and answer.get_json()["error"]["code"] == "photo_quality"
    with runtime.sessions() as session:
        assert len(session.scalars(select(Claim.id)).all()) == claims_before
        assert session.scalars(select(Blob.sha256)).all() == []
    blob_folder = runtime.settings.data_dir / "blobs"
    assert not blob_folder.exists() or not [p for p in blob_folder.rglob("*") if p.is_file()]

    good = upload(readable_photo(7))
    assert good.status_code == 202, good.get_json()
    assert upload(png_bytes((4, 5, 6))).status_code == 202
    assert upload(png_bytes((7, 8, 9))).status_code == 429  # two counted: the refused photos were not
    with runtime.sessions() as session:
        assert len(session.scalars(select(Claim.id)).all()) == claims_before + 2


@pytest.mark.parametrize(("size", "in_memory"), [(1_100_000, True), (9 * 1024 * 1024, False)])
def test_an_uploaded_photo_stays_in_memory_unless_the_body_is_large(size, in_memory):
    """A phone photo is not written to a temporary file and read back; a body past 8 MB is still spooled."""
    from io import BytesIO

    from werkzeug.test import EnvironBuilder

    from review_ui import UploadRequest

    environ = EnvironBuilder(method="POST", data={"files": (BytesIO(b"\xff" * size), "photo.jpg")}).get_environ()
    upload = UploadRequest(environ).files["files"]
    assert isinstance(upload.stream, BytesIO) is in_memory
    assert len(upload.read()) == size
