"""Review screens under load: 100,000 claims in PostgreSQL, then the p95 render time of the partner queue, the
auditor's queue, the flagged list and the claim page through the Flask test client.

    .venv/bin/python -m bench.ui_queue [--claims 100000] [--requests 200] [--keep]

Writes a fresh database next to TEST_POSTGRES_URL's (dropped afterwards unless --keep), fills it with COPY,
and reports each page's p50/p95 in ms and as a ratio to the login page rendered in the same run (no data).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import time
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from claims.db.engine import transaction
from claims.db.migrate import upgrade
from claims.db.models import Outlet, Participant
from claims.runtime import build_runtime
from claims.services.programme import load_programme
from claims.settings import Settings
from review_ui import create_app

ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
PASSWORD = "bench-password-1"
TARGET_P95_MS = 150
STATUSES = (("pending_review", 0.30), ("flagged", 0.05), ("approved", 0.45), ("rejected", 0.15),
            ("needs_retake", 0.05))
PARTICIPANTS = 200


def programme() -> dict:
    outlet = lambda code, nip: {"code": code, "name": f"Sklep {code}", "nip": nip, "city": "Warszawa"}  # noqa: E731
    return {
        "campaign": {"code": "B2026", "name": "Bench", "starts_on": "2025-01-01", "ends_on": "2030-12-31"},
        "partners": [
            {"code": "PA", "name": "Partner A",
             "outlets": [outlet("PA-1", "5260250274"), outlet("PA-2", "6462933516")]},
            {"code": "PB", "name": "Partner B", "outlets": [outlet("PB-1", "7251801126")]},
        ],
        "users": [
            {"email": "reviewer@a.pl", "password": PASSWORD, "role": "partner_reviewer", "name": "A", "partner": "PA"},
            {"email": "auditor@x.pl", "password": PASSWORD, "role": "auditor", "name": "Audytor"},
            *[{"email": f"p{i}@x.pl", "password": PASSWORD, "role": "participant", "name": f"P{i}",
               "participant": {"company_name": f"Firma {i}", "company_nip": None}} for i in range(PARTICIPANTS)],
        ],
    }


def create_database() -> str:
    name = f"paragon_bench_ui_{uuid.uuid4().hex[:8]}"
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)


def drop_database(url: str) -> None:
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    admin.dispose()


def _claim_row(rng: random.Random, now: datetime, outlets: list[Outlet], participants: list[int]) -> tuple:
    status = rng.choices([s for s, _ in STATUSES], [w for _, w in STATUSES])[0]
    outlet = rng.choice(outlets)
    total = f"{rng.randint(20, 5000)}.{rng.randint(0, 99):02d}"
    submitted = now - timedelta(minutes=rng.randint(1, 180 * 24 * 60))
    reasons = [] if rng.random() < 0.8 else [{"code": "unusual_amount", "severity": "warning",
                                              "message_pl": "Kwota", "message_en": "Amount"}]
    fields = {"seller_name": outlet.name, "seller_nip": outlet.nip, "date": submitted.date().isoformat(),
              "total": total, "document_number": f"PAR/{rng.randint(1, 999999)}",
              "items": [{"name": "KLEJ DO PLYTEK 25KG", "quantity": 2, "amount": total}]}
    decided = submitted + timedelta(hours=rng.randint(1, 96)) if status in ("approved", "rejected") else None
    return (str(uuid.uuid4()), rng.choice(participants), "receipt", status, outlet.id, outlet.partner_id,
            json.dumps(fields), json.dumps(reasons), "[]", int(float(total)), total, 1, submitted, submitted,
            decided)


def fill(runtime, claims: int, seed: int = 7) -> None:
    """Insert `claims` claims (and one document each) with COPY."""
    rng, now = random.Random(seed), datetime.now(UTC)
    with runtime.sessions() as session:
        outlets = list(session.scalars(select(Outlet)))
        participants = list(session.scalars(select(Participant.id)))
    rows = [_claim_row(rng, now, outlets, participants) for _ in range(claims)]
    raw = runtime.engine.raw_connection()
    try:
        with raw.cursor() as cursor:
            with cursor.copy("COPY claims (id, participant_id, kind, status, outlet_id, partner_id, fields, reasons,"
                             " product_codes, points_proposed, total, attempts, submitted_at, updated_at, decided_at)"
                             " FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            documents = "COPY documents (claim_id, position, sha256, filename, media_type, size) FROM STDIN"
            with cursor.copy(documents) as copy:
                for row in rows:
                    copy.write_row((row[0], 0, "0" * 64, "paragon.jpg", "image/jpeg", 123456))
        raw.commit()
    finally:
        raw.close()
    with runtime.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))


def timed(client, paths: list[str]) -> list[float]:
    times = []
    for path in paths:
        started = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    return times


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def scenarios(runtime, requests: int) -> dict[str, tuple[str, list[str]]]:
    rng = random.Random(11)
    with runtime.engine.connect() as conn:
        pending_a = [r[0] for r in conn.execute(text(
            "select c.id from claims c join partners p on p.id = c.partner_id "
            "where p.code = 'PA' and c.status = 'pending_review' limit 5000"))]
    claim_pages = [f"/review/claims/{rng.choice(pending_a)}" for _ in range(requests)]
    return {
        "login page (baseline, no data)": ("", ["/login"] * requests),
        "partner queue, page 1": ("reviewer@a.pl", ["/review"] * requests),
        "partner queue, filtered (outlet, amount, age)": (
            "reviewer@a.pl", [f"/review?outlet=PA-2&min_total=100&max_total=2000&age=48&page={1 + i % 5}"
                              for i in range(requests)]),
        "partner queue, page 40": ("reviewer@a.pl", ["/review?page=40"] * requests),
        "partner claim page": ("reviewer@a.pl", claim_pages),
        "auditor queue (pending + flagged, all partners)": ("auditor@x.pl", ["/review"] * requests),
        "auditor flagged by risk": ("auditor@x.pl", ["/audit/flagged"] * max(20, requests // 10)),
        "auditor claim page": ("auditor@x.pl", claim_pages),
    }


def run(claims: int, requests: int, keep: bool) -> None:
    url = create_database()
    print(f"database {make_url(url).database}: migrating, seeding, {claims} claims by COPY …", flush=True)
    runtime = build_runtime(Settings.from_env({"DATABASE_URL": url, "BLOB_URL": "db://", "SECRET_KEY": "bench",
                                               "PARAGON_DATA_DIR": "/tmp/paragon-bench"}))
    try:
        upgrade(runtime.engine)
        with transaction(runtime.sessions) as session:
            load_programme(session, programme())
        started = time.perf_counter()
        fill(runtime, claims)
        print(f"filled in {time.perf_counter() - started:.1f} s", flush=True)
        print("\n### with the migrated schema")
        report(runtime, requests)
    finally:
        runtime.close()
        if not keep:
            drop_database(url)


def report(runtime, requests: int) -> None:
    app = create_app(runtime, None, testing=True)
    clients: dict[str, object] = {}
    baseline = None
    print(f"\n| page | p50 ms | p95 ms | p95 / baseline | target p95 < {TARGET_P95_MS} ms |")
    print("|---|---|---|---|---|")
    for name, (email, paths) in scenarios(runtime, requests).items():
        client = clients.get(email)
        if client is None:
            client = clients[email] = app.test_client()
            if email:
                client.post("/login", data={"email": email, "password": PASSWORD})
        timed(client, paths[:10])  # warm up templates and the connection pool
        times = timed(client, paths)
        baseline = baseline or p95(times)
        verdict = "ok" if p95(times) < TARGET_P95_MS else "SLOW"
        print(f"| {name} | {statistics.median(times):.1f} | {p95(times):.1f} | {p95(times) / baseline:.1f}x "
              f"| {verdict} |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--keep", action="store_true", help="keep the database for EXPLAIN")
    args = parser.parse_args()
    run(args.claims, args.requests, args.keep)


if __name__ == "__main__":
    main()
