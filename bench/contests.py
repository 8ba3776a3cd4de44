"""A contest's leaderboard on PostgreSQL: participants and ledger entries filled by COPY, a contest over the
last 30 days ranked by points (its scores filled from the ledger when it is created, then kept current by each
entry); the p95 of the top-10 query and of one participant's own place, of posting a counted and an uncounted
ledger entry, then the end run (freezing the whole
ranking from the ledger and crediting the prizes) once.

    .venv/bin/python -m bench.contests [--participants 100000] [--entries 5000000] [--requests 30] [--keep]
        [--audience all|region] [--tie-break reached|claims]

A fresh database next to TEST_POSTGRES_URL's (dropped afterwards unless --keep); entries are `training`
credits spread over the last 60 days, so about half fall in the contest's period. Participants are spread over
the sixteen regions; `--audience region` limits the contest to one of them (about 1/16 of the participants).
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import text
from sqlalchemy.engine import make_url

from bench.rewards import _copy, p95, timed
from bench.ui_queue import create_database, drop_database
from claims.db.engine import transaction
from claims.db.migrate import upgrade
from claims.db.models import LedgerEntry
from claims.ledger import post
from claims.runtime import build_runtime
from claims.services.contests import close_contest, get_contest, leaderboard, own_standing, save_contest
from claims.settings import Settings
from vocabulary.regions import REGIONS


def fill(runtime, participants: int, entries: int, seed: int = 7) -> list[int]:
    rng = random.Random(seed)
    now = datetime.now(UTC)
    _copy(runtime, "COPY users (id, email, name, password_hash, role, locale, active, session_version, created_at) "
          "FROM STDIN", ((i + 1, f"p{i}@bench.pl", f"P{i}", "x", "participant", "pl", True, 0, now)
                         for i in range(participants)))
    _copy(runtime, "COPY participants (user_id, company_name, phone, delivery_address, region, created_at) "
          "FROM STDIN", ((i + 1, f"Firma {i}", "", "", REGIONS[i % len(REGIONS)], now) for i in range(participants)))
    with runtime.engine.begin() as conn:
        conn.execute(text("select setval('users_id_seq', (select max(id) from users))"))
        ids = [r[0] for r in conn.execute(text("select id from participants"))]
    span = 60 * 86400
    _copy(runtime, "COPY ledger_entries (participant_id, kind, points, cause, reason, created_at) FROM STDIN",
          ((rng.choice(ids), "training", rng.randint(10, 400), f"bench:{i}", "",
            now - timedelta(seconds=rng.randint(0, span))) for i in range(entries)))
    with runtime.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))
    return ids


def measure(runtime, ids: list[int], requests: int, audience: str = "all", tie_break: str = "reached") -> None:
    today = datetime.now(UTC).date()
    started = time.perf_counter()
    with transaction(runtime.sessions) as session:
        contest_id = save_contest(session, {"code": "BENCH", "title": "Bench", "metric": "points",
                                            "starts_on": (today - timedelta(days=29)).isoformat(),
                                            "ends_on": today.isoformat(), "prizes": "500, 300, 100",
                                            "audience": audience, "audience_region": REGIONS[0],
                                            "tie_break": tie_break}).id
    print(f"contest ({audience}, ties by {tie_break}) created, its scores filled from the ledger in "
          f"{time.perf_counter() - started:.1f} s", flush=True)
    rng = random.Random(3)

    def top(_: int) -> None:
        with runtime.sessions() as session:
            assert len(leaderboard(session, get_contest(session, contest_id))) == 10

    def mine(_: int) -> None:
        with runtime.sessions() as session:
            own_standing(session, get_contest(session, contest_id), rng.choice(ids))

    for name, call in (("top 10", top), ("own place", mine)):
        times = timed(call, requests)
        print(f"{name}: p50 {sorted(times)[len(times) // 2]:.0f} ms, p95 {p95(times):.0f} ms "
              f"({requests} runs)", flush=True)
    entry_cost(runtime, ids, requests * 10)
    started = time.perf_counter()
    with transaction(runtime.sessions) as session:
        frozen = close_contest(session, contest_id, force=True)
    print(f"end run: {frozen} places frozen, prizes credited in {time.perf_counter() - started:.1f} s", flush=True)


def entry_cost(runtime, ids: list[int], count: int) -> None:
    """What keeping the scores costs a ledger entry: entries the contest counts (training) against entries it
    does not (adjustment), each posted in its own transaction."""
    rng = random.Random(11)

    def poster(kind: str):
        def post_one(i: int) -> None:
            with transaction(runtime.sessions) as session:
                post(session, LedgerEntry(participant_id=rng.choice(ids), kind=kind, points=5, reason="bench",
                                          cause=f"bench-{kind}-{i}-{rng.random()}"))
        return post_one

    for kind in ("adjustment", "training"):
        times = timed(poster(kind), count)
        print(f"post a {kind} entry: p50 {sorted(times)[len(times) // 2]:.1f} ms, p95 {p95(times):.1f} ms "
              f"({count} runs)", flush=True)


def run(participants: int, entries: int, requests: int, keep: bool, audience: str = "all",
        tie_break: str = "reached") -> None:
    url = create_database()
    print(f"database {make_url(url).database}: {participants} participants, {entries} ledger entries by COPY …",
          flush=True)
    runtime = build_runtime(Settings.from_env({"DATABASE_URL": url, "BLOB_URL": "db://", "SECRET_KEY": "bench",
                                               "PARAGON_DATA_DIR": "/tmp/paragon-bench"}))
    try:
        upgrade(runtime.engine)
        started = time.perf_counter()
        ids = fill(runtime, participants, entries)
        print(f"filled in {time.perf_counter() - started:.1f} s", flush=True)
        measure(runtime, ids, requests, audience, tie_break)
    finally:
        runtime.close()
        if not keep:
            drop_database(url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=100_000)
    parser.add_argument("--entries", type=int, default=5_000_000)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--keep", action="store_true", help="keep the database for EXPLAIN")
    parser.add_argument("--audience", choices=("all", "region"), default="all")
    parser.add_argument("--tie-break", choices=("reached", "claims"), default="reached")
    args = parser.parse_args()
    run(args.participants, args.entries, args.requests, args.keep, args.audience, args.tie_break)


if __name__ == "__main__":
    main()
