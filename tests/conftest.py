"""Shared fixtures: a migrated database per test (SQLite file, or a fresh PostgreSQL database), Redis, runtime."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from claims.db.engine import make_engine, make_session_factory, transaction
from claims.db.migrate import upgrade
from claims.runtime import Runtime, build_runtime
from claims.settings import Settings

# tesseract inside the test process (the in-process engine) gets one OpenMP thread, as in the workers
os.environ.setdefault("OMP_THREAD_LIMIT", "1")

ROOT = Path(__file__).resolve().parent.parent
TODAY = date.today()
#: A purchase date inside the test campaign and its submission window, whenever the tests run.
RECENT = TODAY - timedelta(days=3)
PG_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
#: Each pytest-xdist worker gets its own pair of Redis databases (tests flush what they use): the first is for
#: queues and counters, the second for tests that run the whole demo. TEST_REDIS_URL and TEST_DEMO_REDIS_URL
#: override both for a run that must stay out of the way of another one on the same server.
_REDIS_DBS = [(15, 14), (13, 0), (12, 11), (10, 9), (8, 7), (6, 5), (4, 3), (2, 1)]
_WORKER = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
_DB, _DEMO_DB = _REDIS_DBS[_WORKER % len(_REDIS_DBS)]
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", f"redis://127.0.0.1:6379/{_DB}")
TEST_DEMO_REDIS_URL = os.environ.get("TEST_DEMO_REDIS_URL", f"redis://127.0.0.1:6379/{_DEMO_DB}")

# Two valid NIPs per partner outlet, one for a participant company, one for a seller outside the programme.
NIP_A, NIP_B, NIP_PARTICIPANT, NIP_STRANGER = "5260250274", "7251801126", "5213017228", "1132191233"
# Well-formed product codes (the 12th character is the check character); one unknown to the programme.
CODE_50, CODE_30, CODE_UNKNOWN = "ABCDEFGH234M", "QRSTUVWX678M", "23456789234M"


def small_programme() -> dict:
    """A two-partner programme used by integration tests; its campaign runs around today."""
    outlet = lambda code, nip: {"code": code, "name": f"Sklep {code}", "nip": nip,  # noqa: E731
                                "address": "ul. Testowa 1", "city": "00-001 Warszawa"}
    return {
        "campaign": {"code": "T2026", "name": "Test", "starts_on": str(TODAY - timedelta(days=365)),
                     "ends_on": str(TODAY + timedelta(days=365)), "submission_days": 60, "points_per_pln": "1"},
        "partners": [
            {"code": "PA", "name": "Partner A", "nip": NIP_A, "outlets": [outlet("PA-1", NIP_A)]},
            {"code": "PB", "name": "Partner B", "nip": NIP_B, "outlets": [outlet("PB-1", NIP_B)]},
        ],
        "products": catalogue_products(),
        "product_codes": [{"code": CODE_50, "points": 50}, {"code": CODE_30, "points": 30}],
        "users": [
            {"email": "uczestnik@example.com", "password": "haslo-uczestnika", "role": "participant",
             "name": "Jan Testowy", "participant": {"company_name": "Firma Test", "company_nip": NIP_PARTICIPANT}},
            {"email": "drugi@example.com", "password": "haslo-drugiego", "role": "participant",
             "name": "Anna Testowa", "participant": {"company_name": "Firma Druga", "company_nip": None}},
            {"email": "partner.a@example.com", "password": "haslo-partnera-a", "role": "partner_reviewer",
             "name": "Reviewer A", "partner": "PA"},
            {"email": "partner.b@example.com", "password": "haslo-partnera-b", "role": "partner_reviewer",
             "name": "Reviewer B", "partner": "PB"},
            {"email": "audytor@example.com", "password": "haslo-audytora", "role": "auditor", "name": "Audytor"},
            {"email": "admin@example.com", "password": "haslo-admina", "role": "admin", "name": "Admin"},
        ],
    }


def catalogue_products() -> list[dict]:
    """The generator's building-materials items as the programme's catalogue (so generated receipts match)."""
    from fixtures.goods import CATALOG

    return [{"sku": entry.sku, "name": entry.name, "unit": entry.unit, "points_per_unit": 0} for entry in CATALOG]


def demo_programme() -> dict:
    return json.loads((ROOT / "fixtures" / "demo_programme.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def postgres_server() -> str:
    """The admin URL of the real PostgreSQL; tests needing it are skipped only outside CI."""
    try:
        with create_engine(PG_ADMIN_URL).connect() as connection:
            connection.execute(text("select 1"))
    except Exception as exc:  # pragma: no cover - depends on the machine
        if os.environ.get("CI"):
            raise
        pytest.skip(f"PostgreSQL not reachable: {exc}")
    return PG_ADMIN_URL


@pytest.fixture
def postgres_url(postgres_server: str) -> Iterator[str]:
    """A brand-new, empty PostgreSQL database for one test, dropped afterwards."""
    name = f"paragon_t_{uuid.uuid4().hex[:12]}"
    _admin_sql(f'CREATE DATABASE "{name}"')
    yield postgres_server.rsplit("/", 1)[0] + f"/{name}"
    _admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _admin_sql(*statements: str) -> None:
    """Run statements (CREATE/DROP DATABASE) outside a transaction on the PostgreSQL server."""
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            for statement in statements:
                connection.execute(text(statement))
    finally:
        admin.dispose()


def make_runtime(tmp_path: Path, database_url: str | None = None, blob_url: str | None = None) -> Runtime:
    """A runtime over a migrated database: SQLite in `tmp_path`, or the (new, empty) PostgreSQL `database_url`."""
    env = {"PARAGON_DATA_DIR": str(tmp_path), "SECRET_KEY": "test-secret", "REDIS_URL": TEST_REDIS_URL}
    if database_url:
        env["DATABASE_URL"] = database_url
    if blob_url:
        env["BLOB_URL"] = blob_url
    settings = Settings.from_env(env)
    migrated_database(settings.database_url)
    return build_runtime(settings)


#: Databases migrated (and for some folders seeded) once per test process, by (backend, variant): each test's
#: database starts as a copy of one, because running every migration for each test's database cost most of the
#: suite's time.
_TEMPLATES: dict[tuple[str, str], str] = {}


def migrated_database(database_url: str, variant: str = "schema",
                      prepare: Callable[[Session], None] | None = None) -> None:
    """Give the new database at `database_url` the schema at head: a copy of this process's template for
    `variant` (a file copy for SQLite; for PostgreSQL the database is re-created with `CREATE DATABASE …
    TEMPLATE`). `prepare` fills a variant's template once, after the migrations (e.g. a seeded programme)."""
    url = make_url(database_url)
    backend = url.get_backend_name()
    template = _template(backend, variant, prepare)
    if backend == "sqlite":
        target = Path(url.database)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(template, target)
        return
    name = url.database
    _admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}" TEMPLATE "{template}"')


def _template(backend: str, variant: str, prepare: Callable[[Session], None] | None) -> str:
    if (backend, variant) not in _TEMPLATES:
        if backend == "sqlite":
            location = str(Path(tempfile.mkdtemp(prefix=f"paragon-{variant}-")) / "paragon.db")
            url = f"sqlite:///{location}"
        else:
            location = f"paragon_tpl_{variant}_{uuid.uuid4().hex[:10]}"
            _admin_sql(f'CREATE DATABASE "{location}"')
            url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{location}"
        engine = make_engine(url)
        try:
            upgrade(engine)
            if prepare is not None:
                with transaction(make_session_factory(engine)) as session:
                    prepare(session)
        finally:
            engine.dispose()  # a template must have no open connections (and SQLite's WAL is folded in)
        _TEMPLATES[backend, variant] = location
    return _TEMPLATES[backend, variant]


@pytest.fixture(scope="session", autouse=True)
def _cheap_password_hashes() -> Iterator[None]:
    """scrypt at n=2**10 instead of 2**14 while testing, as Django advises for its own hashers: the cost is slow
    on purpose, and the suite hashes thousands of passwords. Hashes carry their parameters, so checking works
    either way; tests/unit/test_settings_and_security.py checks the production cost itself."""
    import claims.security

    production = claims.security._N
    claims.security._N = 2**10
    yield
    claims.security._N = production


@pytest.fixture(scope="session", autouse=True)
def _drop_templates() -> Iterator[None]:
    """Remove this process's templates when its tests are over."""
    yield
    for (backend, _variant), location in _TEMPLATES.items():
        if backend == "sqlite":
            shutil.rmtree(Path(location).parent, ignore_errors=True)
        else:
            _admin_sql(f'DROP DATABASE IF EXISTS "{location}" WITH (FORCE)')
    _TEMPLATES.clear()


@pytest.fixture(params=["sqlite", "postgresql"])
def runtime(request, tmp_path: Path) -> Iterator[Runtime]:
    """A migrated runtime on SQLite and on the real PostgreSQL (blobs in the database there)."""
    if request.param == "postgresql":
        url = request.getfixturevalue("postgres_url")
        rt = make_runtime(tmp_path, url, "db://")
    else:
        rt = make_runtime(tmp_path)
    yield rt
    rt.close()


@pytest.fixture
def sqlite_runtime(tmp_path: Path) -> Iterator[Runtime]:
    rt = make_runtime(tmp_path)
    yield rt
    rt.close()


@pytest.fixture
def redis_conn():
    """The real Redis, database 15, emptied before and after the test."""
    from redis import Redis

    client = Redis.from_url(TEST_REDIS_URL)
    try:
        client.ping()
    except Exception as exc:  # pragma: no cover
        if os.environ.get("CI"):
            raise
        pytest.skip(f"Redis not reachable: {exc}")
    client.flushdb()
    yield client
    client.flushdb()
