"""The campaign's jobs through real rq and Redis on PostgreSQL: "send" hands the expansion job over after the
commit (one job id, a second hand-over adds none), a burst worker expands and sends every batch through the
outbox, and the same jobs queued again send nothing; with a rate, the batches are scheduled apart."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from rq import Queue, SimpleWorker
from rq.registry import ScheduledJobRegistry
from sqlalchemy import func, select

from claims.db.after_commit import install_handler
from claims.db.reach_models import MailCampaign, MailDelivery
from claims.services.mail_campaigns import CAMPAIGN_TOPIC
from tests.integration.reach_helpers import campaign, people, reach_runtime
from tests.integration.test_mail_campaigns import outbox
from workers import runtime as worker_runtime
from workers.campaign_mail import SEND_BATCH, queue_campaign_expander, reserve_start, schedule_batches
from workers.queues import DEFAULT_QUEUE

pytestmark = pytest.mark.integration


@pytest.fixture
def rt(tmp_path, postgres_url):
    runtime = reach_runtime(tmp_path, postgres_url, MAIL_RATE_PER_MINUTE="0")
    yield runtime
    runtime.close()


def test_send_expands_and_the_workers_send_every_batch_once(rt, redis_conn):
    people(rt, 150)  # two batches of 100
    worker_runtime.install(rt)
    expander = queue_campaign_expander(redis_conn)
    install_handler(rt.sessions, CAMPAIGN_TOPIC, expander)
    queue = Queue(DEFAULT_QUEUE, connection=redis_conn)
    cid = campaign(rt, track_opens=False)
    expander(cid)  # a second hand-over of the same campaign
    assert queue.job_ids == [f"campaign-{cid}-expand"]
    SimpleWorker([queue], connection=redis_conn).work(burst=True)
    with rt.sessions() as session:
        statuses = dict(session.execute(select(MailDelivery.status, func.count()).where(
            MailDelivery.campaign_id == cid).group_by(MailDelivery.status)).all())
        done = session.get(MailCampaign, cid)
    assert statuses == {"sent": done.recipients} and done.recipients >= 150 and done.status == "done"
    assert len(outbox(rt)) == done.recipients
    expander(cid)  # the whole campaign queued again: the expansion adds nobody and no batch is left
    SimpleWorker([queue], connection=redis_conn).work(burst=True)
    assert len(outbox(rt)) == done.recipients


def test_batches_are_scheduled_apart_to_keep_the_rate(redis_conn):
    queue = Queue(DEFAULT_QUEUE, connection=redis_conn)
    start = datetime.now(UTC).replace(microsecond=0)
    schedule_batches(queue, 7, [(1, 100), (101, 200), (201, 300)], 600, start)
    assert [job.func_name for job in queue.jobs] == [SEND_BATCH] and queue.jobs[0].args == (7, 1, 100)
    registry = ScheduledJobRegistry(queue=queue)
    when = {job_id: registry.get_scheduled_time(job_id) for job_id in registry.get_job_ids()}
    assert when == {"campaign-7-batch-101": start + timedelta(seconds=10),
                    "campaign-7-batch-201": start + timedelta(seconds=20)}


def test_a_campaign_sent_while_another_is_leaving_starts_after_it(redis_conn):
    now = datetime.now(UTC).replace(microsecond=0)
    first = reserve_start(redis_conn, 30, 600, now)  # 3,000 e-mails at 600 a minute: 5 minutes
    second = reserve_start(redis_conn, 10, 600, now + timedelta(minutes=1))
    later = reserve_start(redis_conn, 10, 600, now + timedelta(hours=1))  # the others are long gone
    assert (first, second, later) == (now, now + timedelta(minutes=5), now + timedelta(hours=1))
    assert reserve_start(redis_conn, 10, 0, now) == now  # no limit: no queueing behind others
