"""A claim's job key left behind half-written (a killed work horse's last status writes) never blocks its re-queue."""

from __future__ import annotations

import pytest
from rq import Queue
from rq.job import Job

from workers.queues import OCR_QUEUE, ClaimQueue, process_job_id

pytestmark = pytest.mark.integration


def test_a_job_hash_without_its_data_is_replaced_by_a_real_job(redis_conn):
    claim_id = "0b9f2c1e-1111-4222-8333-444455556666"
    key = Job.key_for(process_job_id(claim_id))
    redis_conn.hset(key, mapping={"status": "started", "last_heartbeat": "2026-12-07T00:15:02"})

    job = ClaimQueue(redis_conn).enqueue_processing(claim_id, replace_started=True)

    assert job is not None and job.id == process_job_id(claim_id)
    assert Queue(OCR_QUEUE, connection=redis_conn).job_ids == [job.id]
    assert Job.fetch(job.id, connection=redis_conn).args == (claim_id,)
