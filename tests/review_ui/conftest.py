"""Fixtures for the review UI tests, flaskr-style: `app` and `client` over a seeded programme, `csrf_app` (as in
production), `claims` (the claim factory), `claim_queue` (a recording fake), each test on SQLite and on PostgreSQL.

`runtime` here deliberately overrides tests/conftest.py's `runtime` for this folder only: these tests need the
seeded programme (copied from a template migrated and seeded once per test process), and their PostgreSQL case
carries the integration marker. Tests elsewhere keep the root fixture. Names the tests import are in helpers.py.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from claims.runtime import Runtime, build_runtime
from claims.settings import Settings
from review_ui import create_app
from tests.conftest import migrated_database
from tests.review_ui.helpers import Claims, RecordingQueue, load_ui_programme

# ---- databases ---------------------------------------------------------------------------------------


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.integration)])
def runtime(request, tmp_path) -> Iterator[Runtime]:
    """A migrated, seeded runtime: SQLite with file blobs in tmp_path, and a fresh PostgreSQL database with
    the blobs stored in it (the multi-machine set-up). Both are copies of a template seeded once."""
    env = {"PARAGON_DATA_DIR": str(tmp_path), "SECRET_KEY": "test"}
    if request.param == "postgresql":
        env["DATABASE_URL"] = request.getfixturevalue("postgres_url")
        env["BLOB_URL"] = "db://"
    settings = Settings.from_env(env)
    migrated_database(settings.database_url, "ui", load_ui_programme)  # seeded once: hashing is slow
    rt = build_runtime(settings)
    try:
        yield rt
    finally:
        rt.close()


# ---- claims and the app -------------------------------------------------------------------------------


@pytest.fixture
def claims(runtime: Runtime) -> Claims:
    """The claim factory over this test's runtime."""
    return Claims(runtime)


@pytest.fixture
def claim_queue() -> RecordingQueue:
    """The queue the app hands new claims to; records them instead of enqueueing."""
    return RecordingQueue()


@pytest.fixture
def app(runtime: Runtime, claim_queue: RecordingQueue):
    """The review app in testing mode (CSRF checks off)."""
    return create_app(runtime, claim_queue, testing=True)


@pytest.fixture
def client(app):
    """Flask's test client of `app`; log in with helpers.login."""
    return app.test_client()


@pytest.fixture
def csrf_app(runtime: Runtime, claim_queue: RecordingQueue):
    """The app as in production: CSRF checks on, errors rendered as pages."""
    return create_app(runtime, claim_queue, testing=False)
