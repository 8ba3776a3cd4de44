"""Self-healing without an operator, with real processes: `paragon worker` subprocesses, a redis-server of the
test's own (so it can be stopped, started and flushed), SQLite and tesseract.

Each test makes a fault (kill -9 of a worker and its work horse mid-claim, Redis down at intake, FLUSHDB, a
worker started before Redis) and then only waits: nobody runs `paragon sweep`. The tests assert the outcome
(every claim settled) and bound the wait; the intervals are shortened through the environment so the bound is
short. The recovery times themselves are measured by bench/recovery.py.
"""

from __future__ import annotations

import io
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from redis import Redis
from sqlalchemy import select

from claims.db.engine import transaction
from claims.db.models import Claim
from claims.services.accounts import issue_api_token
from tests.integration.helpers import seed, user
from tests.integration.test_reliability import photos, status, submit
from vocabulary.claims import FINAL_STATES, REVIEW_STATES
from workers.queues import ClaimQueue, connect_redis

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
SETTLED = FINAL_STATES | REVIEW_STATES
#: The bound on every wait here: the promise is two minutes at the default intervals, far less at these.
BOUND_SECONDS = 120
FAST = {"SWEEP_INTERVAL_SECONDS": "1", "WORKER_HEARTBEAT_SECONDS": "1", "SWEEP_RECEIVED_AFTER_SECONDS": "2"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    """A redis-server of this test's own, started and stopped at will."""

    def __init__(self, folder: Path) -> None:
        self.port, self.folder, self.process = _free_port(), folder, None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.folder)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _wait(lambda: _answers(self.url), "redis-server to answer")

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None


def _answers(url: str) -> bool:
    try:
        return bool(Redis.from_url(url, socket_connect_timeout=0.5).ping())
    except Exception:  # noqa: BLE001
        return False


def _wait(check, what: str, bound: float = BOUND_SECONDS, log: Path | None = None) -> None:
    deadline = time.monotonic() + bound
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    tail = log.read_text(errors="replace")[-4000:] if log and log.exists() else ""
    raise AssertionError(f"gave up waiting for {what} after {bound} s\n{tail}")


def _descendants(pid: int) -> list[int]:
    found = []
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return found
    for child in map(int, children):
        found += [child, *_descendants(child)]
    return found


class Workers:
    """`paragon worker` subprocesses over the test's database and Redis; all killed at the end."""

    def __init__(self, rt, redis_url: str, folder: Path) -> None:
        self.env = dict(os.environ, DATABASE_URL=rt.settings.database_url, BLOB_URL=rt.settings.blob_url,
                        REDIS_URL=redis_url, SECRET_KEY="test-secret", PARAGON_DATA_DIR=str(rt.settings.data_dir),
                        **FAST)
        self.folder, self.processes = folder, []

    def start(self) -> tuple[subprocess.Popen, Path]:
        log = self.folder / f"worker-{len(self.processes)}.log"
        with log.open("wb") as out:
            process = subprocess.Popen([sys.executable, "-m", "paragon", "worker"], cwd=ROOT, env=self.env,
                                       stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        self.processes.append(process)
        return process, log

    def kill_9(self, process: subprocess.Popen) -> None:
        """SIGKILL the worker, its work horse and the horse's reader: a lost machine."""
        for pid in [process.pid, *_descendants(process.pid)]:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        process.wait()

    def close(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                self.kill_9(process)


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(tmp_path)
    yield server
    server.stop()


@pytest.fixture
def rt(sqlite_runtime):
    seed(sqlite_runtime)
    return sqlite_runtime


@pytest.fixture
def workers(rt, redis_server, tmp_path):
    found = Workers(rt, redis_server.url, tmp_path)
    yield found
    found.close()


def _settled(rt, ids) -> bool:
    return all(status(rt, claim_id) in SETTLED for claim_id in ids)


def test_a_claim_whose_worker_was_killed_is_finished_by_another_without_an_operator(rt, redis_server, workers):
    redis_server.start()
    claim_id = submit(rt, photos(3, 70))  # several pages: seconds of work to be killed in the middle of
    ClaimQueue(connect_redis(redis_server.url)).enqueue_processing(claim_id)
    doomed, log = workers.start()
    _wait(lambda: status(rt, claim_id) == "processing", "the claim to start", log=log)
    workers.kill_9(doomed)
    assert status(rt, claim_id) == "processing"  # nobody works on it now

    _survivor, log = workers.start()

    _wait(lambda: _settled(rt, [claim_id]), "the other worker to finish the killed worker's claim", log=log)


def test_claims_taken_while_redis_was_down_are_processed_once_it_is_back(rt, redis_server, workers):
    from paragon.web import create_app

    redis_server.start()
    _worker, log = workers.start()
    app = create_app(rt, ClaimQueue(connect_redis(redis_server.url)), testing=True)
    with transaction(rt.sessions) as session:
        token = issue_api_token(session, user(rt, "uczestnik@example.com"))
    redis_server.stop()

    ids = []
    for upload in photos(2, 80):
        answer = app.test_client().post("/api/v1/claims", headers={"Authorization": f"Bearer {token}"},
                                        data={"files": [(io.BytesIO(upload.data), upload.filename)]},
                                        content_type="multipart/form-data")
        assert answer.status_code == 202  # taken in: the claim is safe in the database
        ids.append(answer.get_json()["id"])
    assert [status(rt, claim_id) for claim_id in ids] == ["received", "received"]

    redis_server.start()  # an empty Redis: the jobs never reached it

    _wait(lambda: _settled(rt, ids), "the claims taken while Redis was down to be processed", log=log)


def test_a_flushed_redis_is_recovered_with_the_workers_alive(rt, redis_server, workers):
    redis_server.start()
    redis = connect_redis(redis_server.url)
    _worker, log = workers.start()
    ids = [submit(rt, photos(1, 90 + i)) for i in range(4)]
    queue = ClaimQueue(redis)
    for claim_id in ids:
        queue.enqueue_processing(claim_id)
    _wait(lambda: any(status(rt, claim_id) != "received" for claim_id in ids), "a claim to start", log=log)

    redis.flushdb()  # every queued job, the started one's record and the workers' keys are gone

    _wait(lambda: _settled(rt, ids), "every claim after FLUSHDB", log=log)


def test_a_worker_started_while_redis_is_unreachable_waits_says_why_and_then_works(rt, redis_server, workers):
    claim_id = submit(rt, photos(1, 99))
    _worker, log = workers.start()  # no Redis on that port yet
    _wait(lambda: log.exists() and "unreachable" in log.read_text(errors="replace"), "the worker to say why",
          log=log)
    assert _worker.poll() is None  # it waits instead of exiting

    redis_server.start()

    _wait(lambda: _settled(rt, [claim_id]), "the claim once Redis answers", log=log)
    with rt.sessions() as session:
        assert session.scalar(select(Claim.status).where(Claim.id == claim_id)) in SETTLED


def test_a_received_claim_whose_job_started_on_a_dead_worker_is_queued_again(rt, redis_conn):
    """Killed between taking the job and moving the claim on: the claim is still `received`, its job `started`."""
    from datetime import UTC, datetime, timedelta

    from rq.job import Job, JobStatus

    from workers.queues import process_job_id
    from workers.sweeper import sweep

    claim_id = submit(rt, photos(1, 120))
    queue = ClaimQueue(redis_conn)
    queue.enqueue_processing(claim_id)
    job = Job.fetch(process_job_id(claim_id), connection=redis_conn)
    job.set_status(JobStatus.STARTED)
    job.heartbeat(datetime.now(UTC), ttl=60)
    assert sweep(rt.sessions, queue, received_for=timedelta(0), heartbeat_stale=timedelta(seconds=30)) == 0

    job.heartbeat(datetime.now(UTC) - timedelta(seconds=60), ttl=60)  # its worker stopped beating a minute ago

    assert sweep(rt.sessions, queue, received_for=timedelta(0), heartbeat_stale=timedelta(seconds=30)) == 1
    assert Job.fetch(process_job_id(claim_id), connection=redis_conn).get_status() == JobStatus.QUEUED


def test_a_job_taken_off_the_queue_by_a_worker_killed_before_it_started_is_queued_again(rt, redis_conn):
    """Killed between rq's BLPOP and marking the job started: the job says `queued` and is on no queue."""
    from datetime import timedelta

    from rq import Queue

    from workers.queues import OCR_QUEUE, process_job_id
    from workers.sweeper import sweep

    claim_id = submit(rt, photos(1, 130))
    queue = ClaimQueue(redis_conn)
    queue.enqueue_processing(claim_id)
    assert sweep(rt.sessions, queue, received_for=timedelta(0), heartbeat_stale=timedelta(seconds=30)) == 0
    ocr = Queue(OCR_QUEUE, connection=redis_conn)
    redis_conn.lrem(ocr.key, 0, process_job_id(claim_id))  # what the killed worker's BLPOP did

    assert sweep(rt.sessions, queue, received_for=timedelta(0), heartbeat_stale=timedelta(seconds=30)) == 1
    assert ocr.job_ids == [process_job_id(claim_id)]
