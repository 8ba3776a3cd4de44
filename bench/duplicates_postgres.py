"""Near-duplicate lookup among 1,000,000 stored perceptual hashes in PostgreSQL (the production index).

Run: .venv/bin/python -m bench.duplicates_postgres [--hashes 1000000] [--queries 300]
Creates a scratch database, loads the hashes' band rows with COPY into the real `image_hash_bands` table
(built by the migrations, with its (band, value) index), then times the query the worker runs
(claims.services.rules.priors_for's band probe) for planted near duplicates and random hashes.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
import uuid

from sqlalchemy import create_engine, select, text, tuple_

from claims.db.engine import make_engine
from claims.db.migrate import upgrade
from claims.db.models import ImageHashBand
from claims.services.rules import to_signed
from verification.duplicates import band_probes, candidate_filter, hash_bands

ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def load(engine, hashes: list[int]) -> None:
    """One claim and document per hash (FKs off for the load), four band rows each, via COPY."""
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        cur.execute("SET session_replication_role = replica")  # skip FK checks for the synthetic rows
        with cur.copy("COPY image_hash_bands (band, value, document_id, claim_id, phash) FROM STDIN") as copy:
            for doc, h in enumerate(hashes, start=1):
                claim = f"00000000-0000-0000-0000-{doc:012d}"
                for band, value in enumerate(hash_bands(h)):
                    copy.write_row((band, value, doc, claim, to_signed(h)))
        raw.commit()
        cur.execute("ANALYZE image_hash_bands")
        raw.commit()
    finally:
        raw.close()


def query(session, h: int) -> list:
    rows = session.execute(select(ImageHashBand.claim_id, ImageHashBand.phash)
                           .where(tuple_(ImageHashBand.band, ImageHashBand.value).in_(band_probes(h)))).all()
    unique = {claim: (phash + (1 << 64) if phash < 0 else phash) for claim, phash in rows}
    return candidate_filter(h, unique.items())


def flip(h: int, bits: int, rng: random.Random) -> int:
    for bit in rng.sample(range(64), bits):
        h ^= 1 << bit
    return h


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--hashes", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=300)
    args = parser.parse_args()
    rng = random.Random(7)
    name = f"paragon_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(ADMIN.rsplit("/", 1)[0] + f"/{name}")
    try:
        upgrade(engine)
        hashes = [rng.getrandbits(64) for _ in range(args.hashes)]
        started = time.perf_counter()
        load(engine, hashes)
        print(f"loaded {args.hashes:,} hashes ({4 * args.hashes:,} band rows) in {time.perf_counter() - started:.1f} s")
        report(engine, hashes, args.queries, rng)
    finally:
        engine.dispose()
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def report(engine, hashes: list[int], queries: int, rng: random.Random) -> None:
    from sqlalchemy.orm import Session

    planted = [(flip(h, rng.randint(0, 7), rng), f"00000000-0000-0000-0000-{i + 1:012d}")
               for i, h in ((i, hashes[i]) for i in rng.sample(range(len(hashes)), queries))]
    times, found = [], 0
    with Session(engine) as session:
        query(session, planted[0][0])  # warm the plan and the cache
        for probe, owner in planted:
            started = time.perf_counter()
            hits = query(session, probe)
            times.append((time.perf_counter() - started) * 1000)
            found += any(claim == owner for claim, _ in hits)
        randoms = []
        for _ in range(queries):
            started = time.perf_counter()
            query(session, rng.getrandbits(64))
            randoms.append((time.perf_counter() - started) * 1000)
    q = statistics.quantiles(times, n=20)
    print(f"planted near duplicates (0-7 bits off): found {found}/{queries}; "
          f"median {statistics.median(times):.2f} ms, p95 {q[18]:.2f} ms")
    r = statistics.quantiles(randoms, n=20)
    print(f"random hashes: median {statistics.median(randoms):.2f} ms, p95 {r[18]:.2f} ms")


if __name__ == "__main__":
    main()
