"""The per-request database session and the runtime objects the views need."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import Flask, current_app, g
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from claims.db.engine import WRITE_OPTION
from claims.errors import ConflictError
from claims.runtime import Runtime

T = TypeVar("T")


def runtime() -> Runtime:
    return current_app.extensions["paragon"]


def db() -> Session:
    """This request's session, opened on first use and closed at the end of the request."""
    if "db_session" not in g:
        g.db_session = runtime().sessions()
    return g.db_session


def end_read() -> None:
    """Finish the read transaction early (before slow work such as rendering a preview)."""
    if "db_session" in g:
        g.db_session.commit()


def write(action: Callable[[Session], T]) -> T:
    """Run `action` with the request session and commit; roll back on any error.

    A unique-constraint race (for instance two credits for one claim) surfaces as ConflictError.
    """
    session = db()
    # End the read snapshot and start a write transaction (on SQLite: BEGIN IMMEDIATE), so the change is
    # decided on current data and never fails upgrading a stale read to a write.
    session.commit()
    session.connection(execution_options={WRITE_OPTION: True})
    try:
        result = action(session)
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        raise ConflictError("the claim changed meanwhile", code="status_changed") from exc
    except BaseException:
        session.rollback()
        raise
    return result


def close_session(_exc: BaseException | None = None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()  # rolls back whatever a view left uncommitted


def init_app(app: Flask) -> None:
    app.teardown_appcontext(close_session)
