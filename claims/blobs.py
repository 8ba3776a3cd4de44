"""Blob storage for uploaded files behind one small interface, content-addressed by sha256."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlparse

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from claims.db.models import Blob
from claims.errors import ConfigurationError, NotFoundError


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class BlobStore(Protocol):
    """Where uploaded files live. `put` is idempotent: the same bytes always get the same key. `transactional`:
    whether a `put` with a session is undone when that session rolls back (else the bytes stay written)."""

    transactional: bool

    def put(self, data: bytes, session: Session | None = None) -> str: ...

    def get(self, key: str) -> bytes: ...

    def exists(self, key: str) -> bool: ...

    def delete(self, key: str) -> None: ...


def _check_key(key: str) -> str:
    if len(key) != 64 or any(c not in "0123456789abcdef" for c in key):
        raise NotFoundError("no such blob")
    return key


class LocalBlobStore:
    """Files under a folder, fanned out by the first two bytes of the hash; writes are atomic."""

    transactional = False

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        key = _check_key(key)
        return self.root / key[:2] / key[2:4] / key

    def put(self, data: bytes, session: Session | None = None) -> str:
        """Store `data` (durably, before returning); `session` is ignored: files are not transactional."""
        key = sha256_hex(data)
        path = self._path(key)
        if path.exists():
            return key
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return key

    def get(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError as exc:
            raise NotFoundError("no such blob") from exc

    def exists(self, key: str) -> bool:
        return self._path(key).exists()

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)


class DatabaseBlobStore:
    """Blobs in the `blobs` table, so workers on other machines read uploads without a shared disk."""

    transactional = True

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def put(self, data: bytes, session: Session | None = None) -> str:
        """Store `data`; with `session` it commits together with the caller's transaction (the claim row).

        Whether the bytes are already stored is asked by key alone: loading the stored row would bring its
        megabytes back from the database for every repeated upload, only to throw them away."""
        key = sha256_hex(data)
        if session is not None:
            if not self._stored(session, key):
                session.add(Blob(sha256=key, size=len(data), data=data))
                session.flush()
            return key
        with self.sessions() as session:
            if not self._stored(session, key):
                session.add(Blob(sha256=key, size=len(data), data=data))
                try:
                    session.commit()
                except Exception:  # a concurrent put of the same bytes won the race: same content
                    session.rollback()
                    if not self._stored(session, key):
                        raise
        return key

    @staticmethod
    def _stored(session: Session, key: str) -> bool:
        return session.scalar(select(Blob.sha256).where(Blob.sha256 == key)) is not None

    def get(self, key: str) -> bytes:
        with self.sessions() as session:
            data = session.scalar(select(Blob.data).where(Blob.sha256 == _check_key(key)))
        if data is None:
            raise NotFoundError("no such blob")
        return bytes(data)

    def exists(self, key: str) -> bool:
        with self.sessions() as session:
            return self._stored(session, _check_key(key))

    def delete(self, key: str) -> None:
        with self.sessions.begin() as session:
            session.execute(delete(Blob).where(Blob.sha256 == _check_key(key)))


def open_blob_store(blob_url: str, sessions: sessionmaker[Session]) -> BlobStore:
    """The store named by BLOB_URL: `file:///folder` or `db://` (the application database)."""
    parsed = urlparse(blob_url)
    if parsed.scheme == "file":
        return LocalBlobStore(Path(unquote(parsed.path)))
    if parsed.scheme in {"db", "postgresql", "database"}:
        return DatabaseBlobStore(sessions)
    raise ConfigurationError(f"BLOB_URL must start with file:// or db://, got {blob_url!r}")
