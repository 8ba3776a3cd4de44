"""Blob storage (folder and database) and the migrations, on SQLite and the real PostgreSQL."""

import pytest
from sqlalchemy import event, func, inspect, select, text

from claims.blobs import LocalBlobStore, open_blob_store, sha256_hex
from claims.db.engine import make_engine
from claims.db.migrate import downgrade, upgrade
from claims.db.models import Blob
from claims.errors import ConfigurationError, NotFoundError
from tests.conftest import make_runtime

pytestmark = pytest.mark.integration


def test_blobs_are_content_addressed_and_idempotent(runtime):
    key = runtime.blobs.put(b"receipt bytes")
    assert key == sha256_hex(b"receipt bytes")
    assert runtime.blobs.put(b"receipt bytes") == key
    assert runtime.blobs.exists(key) and runtime.blobs.get(key) == b"receipt bytes"
    runtime.blobs.delete(key)
    assert not runtime.blobs.exists(key)
    with pytest.raises(NotFoundError):
        runtime.blobs.get(key)


def test_a_repeated_upload_is_stored_once_without_reading_the_stored_bytes_back(postgres_url, tmp_path):
    """A photo sent again (the same bytes) is found by its key: the megabytes already stored are not loaded."""
    runtime = make_runtime(tmp_path, postgres_url, "db://")
    statements: list[str] = []
    event.listen(runtime.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    try:
        photo = b"\xff\xd8" + bytes(range(256)) * 4096
        with runtime.sessions.begin() as session:
            first = runtime.blobs.put(photo, session)
        statements.clear()
        with runtime.sessions.begin() as session:
            again = runtime.blobs.put(photo, session)
            assert runtime.blobs.put(photo) == again == first  # outside a transaction too
        reads = [s for s in statements if s.lstrip().upper().startswith("SELECT") and "blobs" in s]
        assert reads and not [s for s in reads if "blobs.data" in s], reads
        assert not [s for s in statements if s.lstrip().upper().startswith("INSERT")]
        assert runtime.blobs.get(first) == photo
        with runtime.sessions() as session:
            assert session.scalar(select(func.count()).select_from(Blob)) == 1
    finally:
        runtime.close()


def test_uploads_kept_in_postgresql_are_not_compressed_again(postgres_url, tmp_path):
    """Photos and PDFs arrive compressed: the server stores them as they are instead of running pglz over
    every megabyte (migration 0012), so the stored size is the file's size plus the row's few bytes."""
    runtime = make_runtime(tmp_path, postgres_url, "db://")
    try:
        compressible = b"SUMA PLN 12,30\n" * 40_000  # 600 kB that pglz would shrink to a few kB
        key = runtime.blobs.put(compressible)
        with runtime.sessions() as session:
            stored = session.scalar(select(func.pg_column_size(Blob.data)).where(Blob.sha256 == key))
            storage = session.execute(text(
                "SELECT attstorage FROM pg_attribute WHERE attrelid = 'blobs'::regclass AND attname = 'data'")).scalar()
        assert storage == "e"  # EXTERNAL: out of line, never compressed
        assert stored >= len(compressible)
        assert runtime.blobs.get(key) == compressible
    finally:
        runtime.close()


def test_blob_keys_cannot_escape_the_folder(tmp_path):
    store = LocalBlobStore(tmp_path)
    for key in ("../../etc/passwd", "a" * 63, "G" * 64):
        with pytest.raises(NotFoundError):
            store.get(key)


def test_local_store_leaves_no_partial_files(tmp_path):
    store = LocalBlobStore(tmp_path)
    store.put(b"x" * 10_000)
    assert [p.name for p in tmp_path.rglob(".incoming-*")] == []


def test_blob_url_chooses_the_store(tmp_path):
    assert isinstance(open_blob_store(tmp_path.as_uri(), None), LocalBlobStore)
    with pytest.raises(ConfigurationError):
        open_blob_store("s3://bucket", None)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_migrations_go_up_down_and_up_again(backend, tmp_path, request):
    url = f"sqlite:///{tmp_path / 'm.db'}" if backend == "sqlite" else request.getfixturevalue("postgres_url")
    engine = make_engine(url)
    upgrade(engine)
    tables = set(inspect(engine).get_table_names())
    assert {"claims", "documents", "ledger_entries", "decisions", "audit_events", "users", "outlets"} <= tables
    downgrade(engine, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    upgrade(engine)
    engine.dispose()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_the_migrations_build_exactly_the_model(backend, tmp_path, request):
    """A column added to the model without a migration (or the other way round) fails here."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from claims.db.models import Base

    url = f"sqlite:///{tmp_path / 'm.db'}" if backend == "sqlite" else request.getfixturevalue("postgres_url")
    engine = make_engine(url)
    upgrade(engine)
    with engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
    engine.dispose()
