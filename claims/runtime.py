"""The claims side of the composition root: settings -> engine, sessions, blob store."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from claims.blobs import BlobStore, open_blob_store
from claims.db.engine import make_engine, make_session_factory
from claims.settings import Settings


@dataclass
class Runtime:
    """Everything with a connection that the claims core needs, built once per process."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    blobs: BlobStore

    def close(self) -> None:
        self.engine.dispose()


def build_runtime(settings: Settings) -> Runtime:
    """Connect nothing yet: engines connect lazily on first use."""
    engine = make_engine(settings.database_url)
    sessions = make_session_factory(engine)
    blobs = open_blob_store(settings.blob_url, sessions)
    return Runtime(settings=settings, engine=engine, sessions=sessions, blobs=blobs)
