"""Queues by workload and the one way claims are put on them (deterministic ids, unique enqueue)."""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from redis import Redis
from redis.exceptions import RedisError
from rq import Queue, Retry
from rq.exceptions import DuplicateJobError, NoSuchJobError
from rq.job import Job, JobStatus

OCR_QUEUE = "ocr"
DEFAULT_QUEUE = "default"
QUEUES = (OCR_QUEUE, DEFAULT_QUEUE)
PROCESS_CLAIM = "workers.jobs.process_claim"

log = logging.getLogger(__name__)
_SPENT = {JobStatus.FINISHED, JobStatus.FAILED, JobStatus.STOPPED, JobStatus.CANCELED}


def connect_redis(url: str) -> Redis:
    """A Redis client for rq (bytes responses, short timeouts so a dead Redis is noticed quickly)."""
    return Redis.from_url(url, socket_connect_timeout=3, socket_timeout=10, health_check_interval=30)


def wait_for_redis(url: str, *, first_delay: float = 1.0, max_delay: float = 30.0, sleep=time.sleep) -> Redis:
    """A client once Redis answers; until then log why and try again, waiting twice as long each time."""
    delay = first_delay
    while True:
        redis = connect_redis(url)
        try:
            redis.ping()
            return redis
        except (RedisError, OSError) as exc:
            log.warning("Redis at %s is unreachable (%s: %s); trying again in %.0f s", _where(url),
                        type(exc).__name__, exc, delay)
        sleep(delay)
        delay = min(delay * 2, max_delay)


def _where(url: str) -> str:
    """The URL without its password, for logs."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname}:{parts.port or 6379}{parts.path}"


def process_job_id(claim_id: str) -> str:
    return f"process_claim-{claim_id}"


class ClaimQueue:
    """Puts claim processing on the `ocr` queue; the claim row must be committed before calling."""

    def __init__(self, redis: Redis, job_timeout: int = 600) -> None:
        self.redis = redis
        self.job_timeout = job_timeout

    def enqueue_processing(self, claim_id: str, *, replace_started: bool = False) -> Job | None:
        """Queue `process_claim(claim_id)` unless a live job for it is already queued or running.

        `replace_started`: the sweeper's word that the claim has been processing for longer than any job may
        run, so a job still marked started belongs to a worker that died (SIGKILL, lost machine).
        """
        queue = Queue(OCR_QUEUE, connection=self.redis)
        job_id = process_job_id(claim_id)
        try:
            return self._enqueue(queue, claim_id, job_id)
        except DuplicateJobError:
            try:
                existing = Job.fetch(job_id, connection=self.redis)
            except NoSuchJobError:
                # A hash without the job's data: a killed work horse's last status writes recreated the key after
                # the job was gone. No live job looks like that (rq saves a job whole, atomically), and as long as
                # the key exists a unique enqueue is refused, so the claim would wait forever.
                self.redis.delete(Job.key_for(job_id))
                return self._enqueue(queue, claim_id, job_id)
            status = existing.get_status(refresh=True)
            lost = status == JobStatus.QUEUED and not self._waiting(job_id)
            if status not in _SPENT and not lost and not (replace_started and status == JobStatus.STARTED):
                return None  # already queued or running: the claim will be processed once
            existing.delete()
            return self._enqueue(queue, claim_id, job_id)

    def orphaned(self, claim_id: str, heartbeat_stale: timedelta | None) -> bool:
        """True when the claim's job is gone (a flushed Redis), says queued but is on no queue, or started on a
        worker that stopped beating."""
        try:
            job = Job.fetch(process_job_id(claim_id), connection=self.redis)
        except NoSuchJobError:
            return True
        status = job.get_status(refresh=False)
        if status == JobStatus.QUEUED:
            return not self._waiting(job.id)
        if status != JobStatus.STARTED or heartbeat_stale is None:
            return False
        beat = job.last_heartbeat or job.started_at
        if beat is None:
            return True
        if beat.tzinfo is None:
            beat = beat.replace(tzinfo=UTC)
        return datetime.now(UTC) - beat > heartbeat_stale

    def _waiting(self, job_id: str) -> bool:
        """Whether the job is really on the queue: a worker killed after taking it off the queue but before
        marking it started leaves a job that says `queued` and is nowhere (LPOS: Redis 6.0.6 or later)."""
        return self.redis.lpos(Queue(OCR_QUEUE, connection=self.redis).key, job_id) is not None

    def _enqueue(self, queue: Queue, claim_id: str, job_id: str) -> Job:
        return queue.enqueue(
            PROCESS_CLAIM,
            claim_id,
            job_id=job_id,
            unique=True,
            job_timeout=self.job_timeout,
            result_ttl=3600,
            failure_ttl=7 * 24 * 3600,
            retry=Retry(max=3, interval=[5, 30, 120]),
            description=f"process claim {claim_id}",
        )
