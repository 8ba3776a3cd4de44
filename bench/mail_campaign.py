"""An e-mail campaign to 100,000 participants on PostgreSQL: the time from "send" to every delivery queued (the
deliveries written by one INSERT … SELECT and the batch jobs put on an rq queue, spaced by the rate), then the
send rate N worker processes reach through a fake fast transport (each message is built whole, headers and
HTML included, and dropped), first at the configured rate, then with no limit (what the workers could do).

    .venv/bin/python -m bench.mail_campaign [--participants 100000] [--consenting 0.9] [--workers 2]
                                            [--rate 3000] [--send 5000] [--keep]

A fresh database next to TEST_POSTGRES_URL's (dropped afterwards unless --keep), participants and consents by
COPY (a share of the consents withdrawn again); the batch jobs go on a queue of their own in the Redis at
TEST_REDIS_URL (no worker takes them; the queue is emptied afterwards). The send phases run the batches of
`--send` deliveries each, the way `send_batch` jobs would, each batch not before its scheduled time.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import time
from datetime import UTC, datetime

from rq import Queue
from rq.registry import ScheduledJobRegistry
from sqlalchemy import func, select, text

from bench.rewards import _copy
from bench.ui_queue import create_database, drop_database
from claims.db.engine import transaction
from claims.db.migrate import upgrade
from claims.db.models import User
from claims.db.reach_models import MailDelivery
from claims.runtime import build_runtime
from claims.services.mail_campaigns import batch_ranges, expand_campaign, queue_campaign, save_campaign
from claims.services.programme import load_programme
from claims.services.segments import Segment, count_recipients
from claims.settings import Settings
from workers.campaign_mail import BATCH_SIZE, batch_delay, schedule_batches, send_claimed
from workers.queues import connect_redis

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
BODY = "# Jesienna promocja\n\n**Kleje i fugi** taniej o 10%.\n\n- do końca miesiąca\n- w każdym sklepie partnera\n"


def _settings(url: str, rate: int) -> Settings:
    return Settings.from_env({"DATABASE_URL": url, "SECRET_KEY": "bench", "PUBLIC_URL": "https://program.example.pl",
                              "PARAGON_DATA_DIR": "/tmp/paragon-bench-mail", "MAIL_RATE_PER_MINUTE": str(rate)})


def fill(runtime, participants: int, consenting: float, seed: int = 7) -> None:
    """Participants by COPY; `consenting` of them with a marketing consent, 1 in 30 of those withdrawn again."""
    rng = random.Random(seed)
    now = datetime.now(UTC)
    with transaction(runtime.sessions) as session:
        load_programme(session, {"campaign": {"code": "B", "name": "B", "starts_on": "2026-01-01",
                                              "ends_on": "2030-12-31"}, "partners": [], "products": [],
                                 "users": [{"email": "admin@bench.pl", "password": "bench-password-1",
                                            "role": "admin", "name": "Admin"}]})
    with runtime.engine.connect() as conn:
        first = conn.execute(text("select coalesce(max(id), 0) + 1 from users")).scalar()
    _copy(runtime, "COPY users (id, email, name, password_hash, role, locale, active, session_version, created_at) "
          "FROM STDIN", ((first + i, f"p{i}@bench.pl", f"P{i}", "x", "participant", "pl" if i % 5 else "en",
                          True, 0, now) for i in range(participants)))
    _copy(runtime, "COPY participants (id, user_id, company_name, phone, delivery_address, created_at) FROM STDIN",
          ((i + 1, first + i, f"Firma {i}", "", "", now) for i in range(participants)))
    with runtime.engine.begin() as conn:
        conn.execute(text("select setval('users_id_seq', (select max(id) from users))"))
        conn.execute(text("select setval('participants_id_seq', (select max(id) from participants))"))
    chosen = [i + 1 for i in range(participants) if rng.random() < consenting]
    _copy(runtime, "COPY consents (participant_id, kind, text_version, given_at, withdrawn_at) FROM STDIN",
          ((pid, "marketing", "1", now, now if rng.random() < 1 / 30 else None) for pid in chosen))
    with runtime.engine.begin() as conn:
        conn.execute(text("ANALYZE"))


def send_to_queue(runtime, queue: Queue) -> tuple[int, int, float, float]:
    """Save and send a campaign, then what the expansion job does; returns (deliveries, batches, seconds in all,
    seconds of it putting the batch jobs on the queue)."""
    with runtime.sessions() as session:
        actor = session.scalar(select(User).where(User.role == "admin"))
    with transaction(runtime.sessions) as session:
        campaign_id = save_campaign(session, "Jesienna promocja", BODY, Segment(), True, actor).id
    started = time.perf_counter()
    with transaction(runtime.sessions) as session:
        queue_campaign(session, campaign_id, actor)
    with transaction(runtime.sessions) as session:
        deliveries = expand_campaign(session, campaign_id)
        ranges = batch_ranges(session, campaign_id, BATCH_SIZE)
    written = time.perf_counter()
    schedule_batches(queue, campaign_id, ranges, runtime.settings.mail_rate_per_minute)
    return deliveries, len(ranges), time.perf_counter() - started, time.perf_counter() - written


def _fake_transport(message, settings) -> str:
    message.as_email("paragon <no-reply@bench.pl>").as_bytes()  # built whole, then dropped
    return "fake"


def _worker(url: str, rate: int, jobs, ready, starts, results) -> None:
    runtime = build_runtime(_settings(url, rate))
    with runtime.sessions() as session:
        session.execute(text("select 1"))  # connected before the clock starts
    ready.put(os.getpid())
    start, sent = starts.get(), 0
    while True:
        job = jobs.get()
        if job is None:
            break
        due, campaign_id, first, last = job
        time.sleep(max(0.0, start + due - time.time()))
        sent += send_claimed(runtime.sessions, runtime.settings, campaign_id, first, last, _fake_transport)[0]
    results.put((sent, time.time()))
    runtime.close()


def send_phase(url: str, campaign_id: int, ranges: list[tuple[int, int]], rate: int, workers: int) -> tuple[int, float]:
    """`workers` processes send `ranges` at `rate` (0: no limit); returns (sent, seconds from the first batch's
    time to the last one sent). The clock starts once every process is up and connected."""
    context = multiprocessing.get_context("spawn")
    jobs, ready, starts, results = (context.Queue() for _ in range(4))
    for index, (first, last) in enumerate(ranges):
        jobs.put((batch_delay(index, BATCH_SIZE, rate), campaign_id, first, last))
    for _ in range(workers):
        jobs.put(None)
    processes = [context.Process(target=_worker, args=(url, rate, jobs, ready, starts, results))
                 for _ in range(workers)]
    for process in processes:
        process.start()
    for _ in processes:
        ready.get()
    start = time.time() + 0.1
    for _ in processes:
        starts.put(start)
    outcomes = [results.get() for _ in processes]
    for process in processes:
        process.join()
    return sum(sent for sent, _ in outcomes), max(end for _, end in outcomes) - start


def run(args: argparse.Namespace) -> None:
    url = create_database()
    runtime = build_runtime(_settings(url, args.rate))
    redis = connect_redis(REDIS_URL)
    queue = Queue("bench-mail", connection=redis)
    try:
        upgrade(runtime.engine)
        began = time.perf_counter()
        fill(runtime, args.participants, args.consenting)
        print(f"filled {args.participants} participants in {time.perf_counter() - began:.1f} s")
        _count(runtime)
        deliveries, batches, seconds, queueing = send_to_queue(runtime, queue)
        print(f"send -> {deliveries} deliveries written and {batches} batch jobs queued: {seconds:.2f} s "
              f"(target < 60 s; {queueing:.2f} s of it putting the jobs on the queue); {len(queue)} jobs now, "
              f"{ScheduledJobRegistry(queue=queue).count} scheduled")
        _send_phases(runtime, url, args)
    finally:
        _forget(redis, queue)
        runtime.close()
        if not args.keep:
            drop_database(url)


def _count(runtime) -> None:
    """The recipient count the admin's page shows before sending (median of 5)."""
    for label, segment in (("everyone", Segment()), ("inactive 30 days", Segment(inactive_days=30))):
        times, count = [], 0
        with runtime.sessions() as session:
            for _ in range(5):
                began = time.perf_counter()
                count = count_recipients(session, segment)
                times.append(time.perf_counter() - began)
        print(f"recipient count ({label}): {count} in {sorted(times)[2] * 1000:.0f} ms")


def _forget(redis, queue: Queue) -> None:
    """Remove the benchmark's batch jobs (queued and scheduled) and its queue from Redis."""
    registry = ScheduledJobRegistry(queue=queue)
    ids = set(queue.job_ids) | set(registry.get_job_ids())
    for job_id in ids:
        redis.delete(f"rq:job:{job_id}", f"rq:job:{job_id}:dependents")
    for key in (queue.key, registry.key):
        redis.delete(key)
    redis.srem("rq:queues", queue.key)
    for key in redis.scan_iter("rq:*bench-mail*"):
        redis.delete(key)


def _send_phases(runtime, url: str, args: argparse.Namespace) -> None:
    with runtime.sessions() as session:
        campaign_id = session.scalar(select(func.max(MailDelivery.campaign_id)))
        ranges = batch_ranges(session, campaign_id, BATCH_SIZE)
    per_phase = max(1, args.send // BATCH_SIZE)
    for label, rate, part in (("configured", args.rate, ranges[:per_phase]),
                              ("no limit", 0, ranges[per_phase:2 * per_phase])):
        sent, seconds = send_phase(url, campaign_id, part, rate, args.workers)
        print(f"{label} rate ({rate or 'none'} /min), {args.workers} workers: {sent} sent in {seconds:.1f} s = "
              f"{sent / seconds * 60:,.0f} /min")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=100_000)
    parser.add_argument("--consenting", type=float, default=0.9)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rate", type=int, default=3_000, help="MAIL_RATE_PER_MINUTE for the first send phase")
    parser.add_argument("--send", type=int, default=5_000, help="deliveries sent in each send phase")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    run(parser.parse_args())


if __name__ == "__main__":
    main()
