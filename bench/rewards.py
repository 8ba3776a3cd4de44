"""The rewards side under load: 1,000 rewards, 100,000 participants and 2,000,000 ledger entries in
PostgreSQL; the p95 of the participant's catalogue page, of placing an order over the API and of the balance
with its expiring points over the API; then `paragon expire` (run_expiry) over the whole ledger.

    .venv/bin/python -m bench.rewards [--participants 100000] [--entries 2000000] [--rewards 1000]
                                      [--requests 200] [--keep]

A fresh database next to TEST_POSTGRES_URL's (dropped afterwards unless --keep), filled with COPY; entries are
bonuses spread over 2024-2026, so with POINTS_EXPIRY=12m a run dated 2026-01-02 expires the 2024 points.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from bench.ui_queue import create_database, drop_database
from claims.db.engine import transaction
from claims.db.migrate import upgrade
from claims.db.models import Participant, User
from claims.runtime import build_runtime
from claims.services.accounts import issue_api_token
from claims.services.expiry import ExpiryRule, run_expiry
from claims.services.programme import load_programme
from claims.settings import Settings
from paragon.web import create_app

PASSWORD = "bench-password-1"
TARGET_P95_MS = 50
SHOPPERS = 20  # participants with a password and an API token, who browse and order


class NoQueue:
    def enqueue_processing(self, claim_id: str):
        return object()


def programme() -> dict:
    return {
        "campaign": {"code": "B2026", "name": "Bench", "starts_on": "2024-01-01", "ends_on": "2030-12-31"},
        "partners": [], "products": [],
        "users": [{"email": f"shopper{i}@x.pl", "password": PASSWORD, "role": "participant", "name": f"S{i}",
                   "participant": {"company_name": f"Firma {i}", "company_nip": None}} for i in range(SHOPPERS)],
    }


def _copy(runtime, statement: str, rows) -> None:
    raw = runtime.engine.raw_connection()
    try:
        with raw.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
        raw.commit()
    finally:
        raw.close()


def fill(runtime, participants: int, entries: int, rewards: int, seed: int = 5) -> None:
    rng = random.Random(seed)
    now = datetime.now(UTC)
    with runtime.engine.connect() as conn:
        first_user = conn.execute(text("select coalesce(max(id), 0) + 1 from users")).scalar()
    _copy(runtime, "COPY users (id, email, name, password_hash, role, locale, active, session_version, created_at) "
          "FROM STDIN", ((first_user + i, f"p{i}@bench.pl", f"P{i}", "x", "participant", "pl", True, 0, now)
                         for i in range(participants)))
    _copy(runtime, "COPY participants (user_id, company_name, phone, delivery_address, created_at) FROM STDIN",
          ((first_user + i, f"Firma {i}", "", "ul. Polna 1", now) for i in range(participants)))
    with runtime.engine.begin() as conn:
        conn.execute(text("select setval('users_id_seq', (select max(id) from users))"))
        ids = [r[0] for r in conn.execute(text("select id from participants"))]
    deliveries = ("physical", "topup", "physical", "physical")
    _copy(runtime, "COPY rewards (code, name, description, category, points, value_pln, delivery, topup_pln, stock,"
          " active, created_at) FROM STDIN",
          ((f"R{i:05d}", f"Nagroda {i}", "", f"Kategoria {i % 12}", rng.randint(50, 5000),
            f"{rng.randint(10, 2000)}.00", deliveries[i % 4], "100.00" if deliveries[i % 4] == "topup" else None,
            None if i % 3 else 1_000_000, True, now) for i in range(rewards)))
    start = datetime(2024, 1, 1, tzinfo=UTC)
    span = int((now - start).total_seconds())
    _copy(runtime, "COPY ledger_entries (participant_id, kind, points, cause, reason, created_at) FROM STDIN",
          ((rng.choice(ids), "adjustment", rng.randint(10, 400), f"bench:{i}", "bench",
            start + timedelta(seconds=rng.randint(0, span))) for i in range(entries)))
    with runtime.engine.begin() as conn:
        conn.execute(text("insert into point_balances (participant_id, points) select participant_id, sum(points) "
                          "from ledger_entries group by participant_id"))
    with runtime.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def timed(call, count: int) -> list[float]:
    for i in range(min(10, count)):
        call(i)  # warm up
    times = []
    for i in range(count):
        started = time.perf_counter()
        call(i)
        times.append((time.perf_counter() - started) * 1000)
    return times


def measure(runtime, requests: int) -> None:
    app = create_app(runtime, NoQueue(), testing=True)  # CSRF off for the scripted login
    with transaction(runtime.sessions) as session:
        shoppers = list(session.scalars(select(User).join(Participant).where(User.email.like("shopper%"))))
        tokens = [{"Authorization": f"Bearer {issue_api_token(session, u)}"} for u in shoppers]
        reward_ids = [r[0] for r in session.execute(text("select id from rewards where points <= 200 limit 50"))]
    web = app.test_client()
    web.post("/login", data={"email": "shopper0@x.pl", "password": PASSWORD})
    api = app.test_client()

    def page(i):
        assert web.get(f"/me/rewards?page={1 + i % 5}").status_code == 200

    def order(i):
        body = {"items": [{"reward_id": reward_ids[i % len(reward_ids)], "quantity": 1}],
                "delivery": {"address": "ul. Polna 1, 00-001 Warszawa"},
                "tax_details": {"name": "Jan Bench", "tax_id": "80010112345"}}
        answer = api.post("/api/v1/orders", headers=tokens[i % len(tokens)], json=body)
        assert answer.status_code == 201, answer.get_data(as_text=True)

    def balance(i):
        answer = api.get("/api/v1/participants/me/balance", headers=tokens[i % len(tokens)])
        assert answer.status_code == 200 and "expiring" in answer.get_json()

    print(f"\n| operation | p50 ms | p95 ms | target p95 < {TARGET_P95_MS} ms |\n|---|---|---|---|")
    for name, call in (("catalogue page (/me/rewards, 24 a page)", page), ("placing an order (POST /api/v1/orders)",
                       order), ("balance with expiring (GET /api/v1/participants/me/balance)", balance)):
        times = timed(call, requests)
        verdict = "ok" if p95(times) < TARGET_P95_MS else "SLOW"
        print(f"| {name} | {statistics.median(times):.1f} | {p95(times):.1f} | {verdict} |", flush=True)


def expire_all(runtime) -> None:
    started = time.perf_counter()
    with transaction(runtime.sessions) as session:
        run = run_expiry(session, ExpiryRule.parse("12m"), today=date(2026, 1, 2))
    first = time.perf_counter() - started
    started = time.perf_counter()
    with transaction(runtime.sessions) as session:
        again = run_expiry(session, ExpiryRule.parse("12m"), today=date(2026, 1, 2))
    print(f"\nexpire over the whole ledger: {first:.1f} s ({run.participants} participants, {run.points} points "
          f"expired, {run.warned} warned); run again: {time.perf_counter() - started:.1f} s, "
          f"{again.participants} expired (exactly once)")


def run(participants: int, entries: int, rewards: int, requests: int, keep: bool) -> None:
    url = create_database()
    print(f"database {make_url(url).database}: {rewards} rewards, {participants} participants, {entries} ledger "
          "entries by COPY …", flush=True)
    runtime = build_runtime(Settings.from_env({"DATABASE_URL": url, "BLOB_URL": "db://", "SECRET_KEY": "bench",
                                               "PARAGON_DATA_DIR": "/tmp/paragon-bench", "POINTS_EXPIRY": "12m"}))
    try:
        upgrade(runtime.engine)
        with transaction(runtime.sessions) as session:
            load_programme(session, programme())
        started = time.perf_counter()
        fill(runtime, participants, entries, rewards)
        print(f"filled in {time.perf_counter() - started:.1f} s", flush=True)
        measure(runtime, requests)
        expire_all(runtime)
    finally:
        runtime.close()
        if not keep:
            drop_database(url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=100_000)
    parser.add_argument("--entries", type=int, default=2_000_000)
    parser.add_argument("--rewards", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--keep", action="store_true", help="keep the database for EXPLAIN")
    args = parser.parse_args()
    run(args.participants, args.entries, args.rewards, args.requests, args.keep)


if __name__ == "__main__":
    main()
