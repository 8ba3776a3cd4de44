"""Fixtures for the review UI tests, flaskr-style: `app` and `client` over a seeded programme, `csrf_app` (as in
production), `claims` (the claim factory), `claim_queue` (a recording fake), each test on SQLite and on PostgreSQL.

`runtime` here deliberately overrides tests/conftest.py's `runtime` for this folder only: these tests need the
seeded programme (copied from a template migrated and seeded once per run), and their PostgreSQL case carries the
integration marker. Tests elsewhere keep the root fixture. Names the tests import are in helpers.py.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from claims.db.engine import make_engine, make_session_factory, transaction
from claims.db.migrate import upgrade
from claims.runtime import Runtime, build_runtime
from claims.services.programme import load_programme
from claims.settings import Settings
from review_ui import create_app
from tests.review_ui.helpers import PROGRAMME, Claims, RecordingQueue

POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"


# ---- databases ---------------------------------------------------------------------------------------


def _admin_engine():
    url = make_url(POSTGRES_URL).set(drivername="postgresql+psycopg")
    return create_engine(url, isolation_level="AUTOCOMMIT")


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str]:
    """A migrated template database, created once per test run and dropped at the end."""
    admin = _admin_engine()
    try:
        with admin.connect() as conn:
            conn.execute(text("select 1"))
    except Exception as exc:  # noqa: BLE001
        admin.dispose()
        if os.environ.get("CI"):
            raise
        pytest.skip(f"PostgreSQL is not reachable at {POSTGRES_URL}: {exc.__class__.__name__}")
    name = f"paragon_ui_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    _migrate_and_seed(_database_url(name))
    try:
        yield name
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _migrate_and_seed(database_url: str) -> None:
    """Schema and programme, once per test run (password hashing is slow on purpose)."""
    engine = make_engine(database_url)
    try:
        upgrade(engine)
        with transaction(make_session_factory(engine)) as session:
            load_programme(session, PROGRAMME)
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """A migrated, seeded SQLite file that each test copies."""
    path = tmp_path_factory.mktemp("sqlite_template") / "paragon.db"
    _migrate_and_seed(f"sqlite:///{path}")
    return path


def _database_url(name: str) -> str:
    return make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)


@pytest.fixture
def postgres_database(postgres_template: str) -> Iterator[str]:
    """A fresh database per test, copied from the migrated template (fast, and no state between tests)."""
    name = f"{postgres_template}_{uuid.uuid4().hex[:8]}"
    admin = _admin_engine()
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{postgres_template}"'))
    try:
        yield _database_url(name)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.integration)])
def runtime(request, tmp_path) -> Iterator[Runtime]:
    """A migrated, seeded runtime: SQLite with file blobs in tmp_path, and a fresh PostgreSQL database with
    the blobs stored in it (the multi-machine set-up)."""
    env = {"PARAGON_DATA_DIR": str(tmp_path), "SECRET_KEY": "test"}
    if request.param == "postgresql":
        env["DATABASE_URL"] = request.getfixturevalue("postgres_database")
        env["BLOB_URL"] = "db://"
    else:
        shutil.copyfile(request.getfixturevalue("sqlite_template"), tmp_path / "paragon.db")
    rt = build_runtime(Settings.from_env(env))
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
