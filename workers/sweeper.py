"""The sweeper: finds claims whose job was lost (Redis down or flushed, worker killed) and queues them again.

A claim still `received` after `received_for` has no job that ran: it was taken in while Redis was away, or
its job vanished with a flushed Redis; queueing it again is harmless (job ids are unique per claim). A claim
`processing` is orphaned when its job is gone, or when the job is marked started but its worker has stopped
beating (rq's monitor writes the job's `last_heartbeat` every WORKER_HEARTBEAT_SECONDS while the work horse
runs): a worker killed with -9, or a lost machine, is noticed within a few beats, not after the job timeout.
`processing_for` (the job timeout plus a minute) remains the last resort for anything else.
"""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, sessionmaker

from claims.db.models import Claim
from claims.runtime import Runtime, build_runtime
from claims.settings import Settings
from vocabulary.claims import ClaimStatus
from workers.queues import ClaimQueue, connect_redis

log = logging.getLogger(__name__)
#: Held for most of an interval by the worker that sweeps in it.
LEADER_KEY = "paragon:sweeper:leader"


def stuck_claims(session: Session, received_for: timedelta, processing_for: timedelta) -> list[tuple[str, str]]:
    """(id, status) of claims received but not started for `received_for`, or processing for longer than
    `processing_for`."""
    now = datetime.now(UTC)
    query = select(Claim.id, Claim.status).where(
        or_(
            (Claim.status == ClaimStatus.RECEIVED) & (Claim.updated_at < now - received_for),
            (Claim.status == ClaimStatus.PROCESSING) & (Claim.updated_at < now - processing_for),
        )
    )
    return [tuple(row) for row in session.execute(query.order_by(Claim.submitted_at).limit(10_000))]


def heartbeat_stale_after(heartbeat_seconds: int) -> timedelta:
    """How long a started job may go without its worker's beat before the worker counts as dead."""
    return timedelta(seconds=3 * heartbeat_seconds + 10)


def sweep(
    sessions: sessionmaker[Session],
    queue: ClaimQueue,
    *,
    received_for: timedelta = timedelta(seconds=60),
    processing_for: timedelta | None = None,
    heartbeat_stale: timedelta | None = None,
) -> int:
    """Queue every stuck claim again (unique job ids make this harmless); returns how many were queued.

    `processing_for` defaults to the job timeout plus a minute: after that no live job can still hold the
    claim (rq kills a job at its timeout). With `heartbeat_stale`, a claim processing for that long is queued
    again as soon as its job is gone or its worker has stopped beating.
    """
    if processing_for is None:
        processing_for = timedelta(seconds=queue.job_timeout + 60)
    with sessions() as session:
        stuck = stuck_claims(session, received_for, min(processing_for, heartbeat_stale or processing_for))
        overdue = {claim_id for claim_id, status in stuck_claims(session, received_for, processing_for)
                   if status == ClaimStatus.PROCESSING}
    queued = 0
    for claim_id, status in stuck:
        # a job marked started whose worker stopped beating is dead, whether or not it had moved the claim on
        dead = claim_id in overdue or (heartbeat_stale is not None and queue.orphaned(claim_id, heartbeat_stale))
        if status == ClaimStatus.PROCESSING and not dead:
            continue
        if queue.enqueue_processing(claim_id, replace_started=dead) is not None:
            queued += 1
    return queued


class PeriodicSweep(threading.Thread):
    """The sweep every worker runs in the background; one worker per interval wins a Redis lock and sweeps.

    The thread has its own database engine and Redis client: nothing it holds is shared with the work horses
    the worker forks. A failed round (Redis or the database away) is logged and tried again next interval.
    """

    def __init__(self, settings: Settings, name: str) -> None:
        super().__init__(name="paragon-sweeper", daemon=True)
        self.settings, self.owner = settings, name
        self.stopped = threading.Event()
        self.runtime: Runtime | None = None

    def run(self) -> None:
        while not self.stopped.is_set():
            self.tick()
            self.stopped.wait(self.settings.sweep_interval_seconds)

    def tick(self) -> int | None:
        """One round: the number of claims queued again, or None when another worker holds the lock (or a
        round failed)."""
        settings = self.settings
        try:
            if self.runtime is None:
                self.runtime = build_runtime(settings)
            redis = connect_redis(settings.redis_url)
            lock_ms = max(500, int(settings.sweep_interval_seconds * 900))
            if not redis.set(LEADER_KEY, self.owner, nx=True, px=lock_ms):
                return None
            queued = sweep(self.runtime.sessions, ClaimQueue(redis, settings.job_timeout_seconds),
                           received_for=timedelta(seconds=settings.sweep_received_after_seconds),
                           heartbeat_stale=heartbeat_stale_after(settings.worker_heartbeat_seconds))
        except Exception as exc:  # noqa: BLE001 — Redis or the database away: try again next round
            log.warning("periodic sweep failed (%s: %s); next round in %s s", type(exc).__name__, exc,
                        settings.sweep_interval_seconds)
            return None
        if queued:
            log.info("sweeper queued %d claims whose jobs were lost", queued)
        return queued
