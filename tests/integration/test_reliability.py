"""What paragon promises under faults, on the real PostgreSQL, Redis, tesseract and rq workers."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from rq import Queue, SimpleWorker
from sqlalchemy import func, select

from claims.db.engine import transaction
from claims.db.models import Claim, Decision
from claims.services.accounts import participant_of
from claims.services.intake import Upload, submit_claim
from tests.conftest import NIP_A, RECENT, TEST_REDIS_URL
from tests.integration.helpers import seed, user
from vocabulary.claims import REVIEW_STATES, ClaimStatus
from workers import runtime as worker_runtime
from workers.jobs import process_claim
from workers.queues import OCR_QUEUE, ClaimQueue
from workers.sweeper import sweep

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]


def photos(count: int, first_seed: int) -> list[Upload]:
    from fixtures.camera import degrade_photo
    from fixtures.documents import make_receipt
    from fixtures.render import render_receipt_png

    return [Upload(f"p{i}.jpg", "image/jpeg", degrade_photo(render_receipt_png(
        make_receipt(first_seed + i, seller_nip=NIP_A, date=RECENT), dpi_scale=2.0), first_seed + i,
        rotation_deg=2.0, blur=0.6, shadow=0.3)) for i in range(count)]


def submit(rt, uploads: list[Upload]) -> str:
    with transaction(rt.sessions) as session:
        participant = participant_of(session, user(rt, "uczestnik@example.com"))
        return submit_claim(session, rt.blobs, participant, uploads, []).id


def status(rt, claim_id: str) -> str:
    with rt.sessions() as session:
        return session.get(Claim, claim_id).status


def worker_env(rt) -> dict:
    return dict(os.environ, DATABASE_URL=rt.settings.database_url, BLOB_URL=rt.settings.blob_url,
                REDIS_URL=TEST_REDIS_URL, SECRET_KEY="test-secret", PARAGON_DATA_DIR=str(rt.settings.data_dir))


def test_worker_killed_mid_job_the_claim_is_finished_once_by_another(postgres_url, tmp_path, redis_conn):
    from tests.conftest import make_runtime

    rt = make_runtime(tmp_path, postgres_url, "db://")
    seed(rt)
    claim_id = submit(rt, photos(4, 40))  # several pages: seconds of work to be killed in the middle of
    queue = ClaimQueue(redis_conn)
    queue.enqueue_processing(claim_id)
    log = tmp_path / "doomed-worker.log"
    with log.open("wb") as out:
        doomed = subprocess.Popen([sys.executable, "-m", "paragon", "worker"], cwd=ROOT, env=worker_env(rt),
                                  stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while status(rt, claim_id) != ClaimStatus.PROCESSING and time.monotonic() < deadline:
            time.sleep(0.05)
        assert status(rt, claim_id) == ClaimStatus.PROCESSING, log.read_text(errors="replace")[-3000:]
    finally:  # never leave a worker behind to take the next tests' jobs
        os.killpg(doomed.pid, signal.SIGKILL)  # the worker and its work horse, mid-job
        doomed.wait()
    assert status(rt, claim_id) == ClaimStatus.PROCESSING  # stuck: nobody is working on it now
    assert queue.enqueue_processing(claim_id) is None  # rq still thinks the dead job runs...
    assert sweep(rt.sessions, queue, processing_for=timedelta(0)) == 1  # ...the sweeper knows better
    survivor = subprocess.run([sys.executable, "-m", "paragon", "worker", "--burst"], cwd=ROOT, env=worker_env(rt),
                              capture_output=True, text=True, timeout=600)
    assert survivor.returncode == 0, survivor.stderr[-2000:]
    assert status(rt, claim_id) == ClaimStatus.PENDING_REVIEW
    with rt.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Decision)) == 0
        stored = session.get(Claim, claim_id)
        assert stored.attempts == 1 and len(stored.documents) == 4
    rt.close()


def test_workers_on_separate_machines_share_one_database_and_redis_and_do_each_claim_once(
    postgres_url, tmp_path, redis_conn
):
    """Two workers with nothing in common but DATABASE_URL, REDIS_URL and SECRET_KEY (each its own data folder,
    so no shared disk; the uploads live in PostgreSQL) split a backlog and process every claim exactly once."""
    from rq.job import Job

    from fixtures.documents import make_receipt
    from fixtures.render import render_receipt_png
    from tests.conftest import make_runtime
    from workers.queues import process_job_id

    rt = make_runtime(tmp_path, postgres_url, "db://")
    seed(rt)
    receipts = [render_receipt_png(make_receipt(700 + i, seller_nip=NIP_A, date=RECENT)) for i in range(8)]
    ids = [submit(rt, [Upload(f"r{i}.png", "image/png", data)]) for i, data in enumerate(receipts)]
    queue = ClaimQueue(redis_conn)
    for claim_id in ids:
        queue.enqueue_processing(claim_id)
    machines = []
    for name in ("machine-a", "machine-b"):
        env = dict(worker_env(rt), PARAGON_DATA_DIR=str(tmp_path / name))  # nothing shared on disk
        machines.append(subprocess.Popen([sys.executable, "-m", "paragon", "worker", "--burst"], cwd=ROOT, env=env,
                                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True))
    for machine in machines:
        _, errors = machine.communicate(timeout=600)
        assert machine.returncode == 0, errors[-2000:]
    assert not (tmp_path / "machine-a" / "blobs").exists() and not (tmp_path / "machine-b" / "blobs").exists()
    with rt.sessions() as session:
        claims = [session.get(Claim, claim_id) for claim_id in ids]
        assert {c.status for c in claims} <= set(REVIEW_STATES)  # eight at once from one person: some flagged
        assert [c.attempts for c in claims] == [1] * len(ids)
        assert session.scalar(select(func.count()).select_from(Decision)) == 0
    workers = {Job.fetch(process_job_id(claim_id), connection=redis_conn).worker_name for claim_id in ids}
    assert len(workers) == 2, workers  # both machines took part
    rt.close()


def test_redis_flushed_with_jobs_in_flight_the_sweeper_recovers_every_claim(sqlite_runtime, redis_conn):
    rt = sqlite_runtime
    seed(rt)
    worker_runtime.install(rt)
    ids = [submit(rt, photos(1, 60 + i)) for i in range(3)]
    queue = ClaimQueue(redis_conn)
    for claim_id in ids:
        queue.enqueue_processing(claim_id)
    redis_conn.flushdb()  # Redis restarted without persistence: every queued job is gone
    assert Queue(OCR_QUEUE, connection=redis_conn).count == 0
    assert sweep(rt.sessions, queue, received_for=timedelta(0)) == 3
    SimpleWorker([Queue(OCR_QUEUE, connection=redis_conn)], connection=redis_conn).work(burst=True)
    assert [status(rt, claim_id) for claim_id in ids] == [ClaimStatus.PENDING_REVIEW] * 3


class FlakyBlobs:
    """A blob store that fails like a dropped connection a set number of times, then works."""

    def __init__(self, inner, failures: int) -> None:
        self.inner, self.failures = inner, failures

    def get(self, key: str) -> bytes:
        if self.failures:
            self.failures -= 1
            raise ConnectionError("connection reset by peer")
        return self.inner.get(key)

    def __getattr__(self, name):
        return getattr(self.inner, name)


def test_transient_error_leaves_the_claim_for_a_retry_that_finishes_it(sqlite_runtime):
    rt = sqlite_runtime
    seed(rt)
    claim_id = submit(rt, photos(1, 70))
    worker_runtime.install(rt)
    worker_runtime.current().claims.blobs = FlakyBlobs(rt.blobs, failures=1)
    with pytest.raises(ConnectionError):
        process_claim(claim_id)  # rq retries this job with backoff
    assert status(rt, claim_id) == ClaimStatus.PROCESSING
    assert process_claim(claim_id) == "processed"
    assert status(rt, claim_id) == ClaimStatus.PENDING_REVIEW


def test_permanent_failure_puts_the_claim_in_the_flagged_queue_with_a_reason(sqlite_runtime):
    rt = sqlite_runtime
    seed(rt)
    claim_id = submit(rt, photos(1, 80))
    with rt.sessions() as session:
        rt.blobs.delete(session.get(Claim, claim_id).documents[0].sha256)  # the stored file is gone
    worker_runtime.install(rt)
    with pytest.raises(Exception, match="no such blob"):
        process_claim(claim_id)
    with rt.sessions() as session:
        stored = session.get(Claim, claim_id)
        assert stored.status == ClaimStatus.FLAGGED
        assert stored.reasons[0]["code"] == "processing_failed"
        assert "no such blob" in stored.reasons[0]["evidence"]["detail"]
