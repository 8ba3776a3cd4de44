"""Work handed over once a transaction commits: queue a claim's processing, send an e-mail.

The composition root installs a handler per topic on the session factory (`install_handler(sessions, topic, fn)`);
a service inside a transaction calls `after_commit(session, topic, *args)`. The handler runs after the commit, so a
job never sees a row that is not there yet; nothing runs when the transaction rolls back, and nothing at all when
no handler is installed (tests, one-off scripts: the sweeper finds what was not handed over). A failing handler is
logged and never turns a committed change into a failure: the database is the record of truth.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)

HANDLERS_KEY = "paragon.after_commit"
PENDING_KEY = "paragon.after_commit.pending"
Handler = Callable[..., None]


def install_handler(sessions: sessionmaker[Session], topic: str, handler: Handler) -> None:
    """Sessions made by `sessions` from now on hand `topic` calls to `handler` after they commit."""
    info = dict(sessions.kw.get("info") or {})
    info[HANDLERS_KEY] = {**info.get(HANDLERS_KEY, {}), topic: handler}
    sessions.configure(info=info)


def has_handler(session: Session, topic: str) -> bool:
    return topic in session.info.get(HANDLERS_KEY, {})


def after_commit(session: Session, topic: str, *args: object) -> bool:
    """Call the `topic` handler with `args` once `session` commits; False when no handler is installed."""
    if not has_handler(session, topic):
        return False
    if not event.contains(session, "after_commit", _run_pending):
        event.listen(session, "after_commit", _run_pending)
        event.listen(session, "after_rollback", _drop_pending)
    session.info.setdefault(PENDING_KEY, []).append((topic, args))
    return True


def _run_pending(session: Session) -> None:
    pending, session.info[PENDING_KEY] = session.info.get(PENDING_KEY, []), []
    handlers = session.info.get(HANDLERS_KEY, {})
    for topic, args in pending:
        try:
            handlers[topic](*args)
        except Exception:  # noqa: BLE001 — the change is committed; a lost hand-over is found again later
            log.warning("could not hand over %s%r after commit", topic, args, exc_info=True)


def _drop_pending(session: Session) -> None:
    session.info[PENDING_KEY] = []
