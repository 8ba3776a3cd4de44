"""Load and scaling on loopback: uploads over HTTP while real workers process, then 1 vs 2 workers.

Run: .venv/bin/python -m bench.load [--burst 3] [--seconds 180] [--clients 4] [--think 3] [--workers 2]
     [--backlog 40] [--participants 1] [--photos] [--stagger]
`--participants 20 --clients 20 --photos`: twenty participants, each with its own token, uploading phone-sized
JPEG photos (about the size the participant's page sends after shrinking a camera's photo) instead of receipts.
The web app is `paragon serve`: gunicorn with gthread workers, as in production.
Everything talks to this machine only (127.0.0.1): a scratch PostgreSQL database (blobs in it), Redis db 12,
`paragon serve` and `paragon worker` processes. It checks what the reliability promises say: no 5xx, every
accepted claim ends in a final or review state, and approving every pending claim twice credits each once.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
from sqlalchemy import create_engine, func, select, text

from claims.db.engine import transaction
from claims.db.migrate import upgrade
from claims.db.models import Claim, LedgerEntry, User
from claims.runtime import build_runtime
from claims.services.accounts import issue_api_token
from claims.services.programme import load_programme
from claims.settings import Settings
from vocabulary.claims import WORK_STATES

ROOT = Path(__file__).resolve().parent.parent
ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")  # flushed by nothing here: a spare db


def phone_photos(count: int) -> list[bytes]:
    """Distinct receipts photographed on a table, JPEGs of roughly 2000 x 3000 px (a shrunk phone photo)."""
    from fixtures.camera import degrade_photo

    return [degrade_photo(png, 500 + i, rotation_deg=1.5, blur=0.5, shadow=0.2, noise=0.02, jpeg_quality=88)
            for i, png in enumerate(receipts(count, dpi_scale=2.5))]


def receipts(count: int, dpi_scale: float = 1.0) -> list[bytes]:
    """Distinct receipts from the programme's outlets, dated inside the campaign."""
    import json
    from datetime import date, timedelta

    from fixtures.documents import make_receipt
    from fixtures.render import render_receipt_png

    outlets = [o["nip"] for p in json.loads((ROOT / "fixtures/demo_programme.json").read_text())["partners"]
               for o in p["outlets"]]
    day = date.today() - timedelta(days=2)
    return [render_receipt_png(make_receipt(1000 + i, seller_nip=outlets[i % len(outlets)], date=day),
                               dpi_scale=dpi_scale) for i in range(count)]


class Stack:
    """A scratch database, the web server and workers as separate processes."""

    def __init__(self) -> None:
        self.name = f"paragon_load_{uuid.uuid4().hex[:8]}"
        self.admin = create_engine(ADMIN, isolation_level="AUTOCOMMIT")
        with self.admin.connect() as c:
            c.execute(text(f'CREATE DATABASE "{self.name}"'))
        self.url = ADMIN.rsplit("/", 1)[0] + f"/{self.name}"
        self.env = dict(os.environ, DATABASE_URL=self.url, BLOB_URL="db://", REDIS_URL=REDIS,
                        SECRET_KEY="load-test", PARAGON_DATA_DIR=f"/tmp/{self.name}", OMP_THREAD_LIMIT="1",
                        UPLOADS_PER_HOUR="0")  # one participant uploads for all clients: no hourly limit
        self.runtime = build_runtime(Settings.from_env(self.env))
        upgrade(self.runtime.engine)
        self.workers: list[subprocess.Popen] = []
        self.server: subprocess.Popen | None = None

    def seed(self, participants: int = 0) -> dict[str, str]:
        """Load the demo programme (plus `participants` extra participants) and give every user a token."""
        import json

        from paragon.demo import _covering_samples

        programme = _covering_samples(json.loads((ROOT / "fixtures/demo_programme.json").read_text()))
        programme["users"] = programme["users"] + [
            {"email": f"load{n}@example.com", "password": "load-test-password", "role": "participant",
             "name": f"Load {n}", "participant": {"company_name": f"Firma {n}", "company_nip": None}}
            for n in range(participants)]
        with transaction(self.runtime.sessions) as session:
            load_programme(session, programme)
            return {u.email: issue_api_token(session, u) for u in session.scalars(select(User))}

    def serve(self, web_workers: int | None = None, web_threads: int | None = None) -> str:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        sizing = [*(["--workers", str(web_workers)] if web_workers else []),
                  *(["--threads", str(web_threads)] if web_threads else [])]
        self.server = subprocess.Popen([sys.executable, "-m", "paragon", "serve", "--port", str(port), *sizing],
                                       env=self.env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                requests.get(f"{base}/login", timeout=5)
                return base
            except requests.RequestException:  # not listening yet, or gunicorn's workers still booting
                time.sleep(0.1)
        raise RuntimeError("server did not start")

    def start_workers(self, count: int) -> None:
        """Start `count` workers; their logs go to /tmp/<database>/worker-N.log."""
        logs = Path(self.env["PARAGON_DATA_DIR"])
        logs.mkdir(parents=True, exist_ok=True)
        for _ in range(count):
            log = open(logs / f"worker-{len(self.workers) + 1}.log", "ab")  # noqa: SIM115 - the process owns it
            self.workers.append(subprocess.Popen([sys.executable, "-m", "paragon", "worker"], env=self.env,
                                                 cwd=ROOT, stdout=log, stderr=subprocess.STDOUT))

    def stop_workers(self) -> None:
        for proc in self.workers:
            proc.send_signal(signal.SIGTERM)
        for proc in self.workers:
            proc.wait(timeout=60)
        self.workers = []

    def close(self) -> None:
        self.stop_workers()
        if self.server:
            self.server.terminate()
            self.server.wait(timeout=30)
        self.runtime.close()
        with self.admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))

    def busy(self) -> int:
        with self.runtime.sessions() as session:
            return session.scalar(select(func.count()).select_from(Claim).where(
                Claim.status.in_([s.value for s in WORK_STATES])))

    def wait_idle(self, timeout: float) -> float:
        started = time.monotonic()
        while self.busy() and time.monotonic() - started < timeout:
            time.sleep(0.5)
        return time.monotonic() - started


def upload_load(base: str, token: str | list[str], files: list[bytes], seconds: float, clients: int,
                think: float = 0.0, stagger: bool = False) -> dict:
    """`clients` threads upload for `seconds`, each pausing `think` s between uploads; latencies and statuses.
    With a list of tokens, client n uploads as participant n (modulo the list). Without `stagger` every client
    starts at once (and they stay roughly in step: a burst of `clients` uploads every `think` s); with it, each
    starts in its own slot, the slots spread evenly over [0, think) in a shuffled order, as independent
    participants would arrive."""
    tokens = [token] if isinstance(token, str) else token
    begun = time.monotonic()
    stop = begun + seconds
    latencies: list[float] = []
    sent: list[tuple[float, float, int]] = []  # (seconds into the run, latency, client) per upload
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    delays = random.Random(17).sample(range(clients), clients) if stagger else [0] * clients

    def client(number: int) -> None:
        i = number
        session = requests.Session()
        time.sleep(delays[number] * think / clients)
        while time.monotonic() < stop:
            data = files[i % len(files)]
            started = time.perf_counter()
            answer = session.post(f"{base}/api/v1/claims",
                                  headers={"Authorization": f"Bearer {tokens[number % len(tokens)]}"},
                                  files=[("files", ("r.jpg" if data[:2] == b"\xff\xd8" else "r.png", data))],
                                  timeout=60)
            with lock:
                latencies.append(time.perf_counter() - started)
                sent.append((round(time.monotonic() - begun - latencies[-1], 3), round(latencies[-1], 4), number))
                statuses[answer.status_code] = statuses.get(answer.status_code, 0) + 1
            i += clients
            if think:
                time.sleep(think)

    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(client, range(clients)))
    return {"latencies": latencies, "statuses": statuses, "seconds": seconds, "sent": sorted(sent)}


def approve_all_twice(base: str, token: str) -> int:
    queue = requests.get(f"{base}/api/v1/review/queue?limit=500", headers={"Authorization": f"Bearer {token}"},
                         timeout=30).json()["claims"]

    def approve(claim_id: str) -> int:
        return requests.post(f"{base}/api/v1/claims/{claim_id}/decision", json={"action": "approve"},
                             headers={"Authorization": f"Bearer {token}"}, timeout=30).status_code

    with ThreadPoolExecutor(8) as pool:
        codes = list(pool.map(approve, [c["id"] for c in queue] * 2))
    assert all(code in (200, 409) for code in codes), codes
    return len(queue)


def drain_rate(stack: Stack, base: str, token: str, files: list[bytes], workers: int) -> float:
    """Claims per minute that `workers` processes take to drain a backlog of len(files) claims."""
    for data in files:
        requests.post(f"{base}/api/v1/claims", headers={"Authorization": f"Bearer {token}"},
                      files=[("files", ("r.png", data, "image/png"))], timeout=60).raise_for_status()
    stack.start_workers(workers)
    elapsed = stack.wait_idle(1800)
    stack.stop_workers()
    return len(files) / elapsed * 60


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--burst", type=float, default=3, help="seconds of uploads as fast as the clients can, "
                        "before any worker runs: the web app's capacity (0 to skip)")
    parser.add_argument("--seconds", type=float, default=180, help="seconds of steady uploads with workers running")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--think", type=float, default=3.0, help="pause of each client between steady uploads, s")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--latencies", type=Path, default=None,
                        help="write every steady upload's (seconds into the run, latency, client) as JSON here")
    parser.add_argument("--web-workers", type=int, default=None, help="gunicorn processes (paragon serve's default)")
    parser.add_argument("--web-threads", type=int, default=None, help="threads per gunicorn process (default 4)")
    parser.add_argument("--backlog", type=int, default=40, help="claims drained by 1, then by 2 workers (0 to skip)")
    parser.add_argument("--participants", type=int, default=1, help="participants uploading, one token each")
    parser.add_argument("--photos", action="store_true", help="phone-sized JPEG photos instead of receipt PNGs")
    parser.add_argument("--stagger", action="store_true", help="clients start spread over the first --think "
                        "seconds instead of all at once (independent participants, not one burst per --think)")
    parser.add_argument("--distinct", type=int, default=None,
                        help="distinct files to upload in turn (default 40 photos or 60 receipts; a file sent again "
                             "skips the blob write and its claim ends as a duplicate)")
    return parser.parse_args()


def main() -> None:
    args = _arguments()
    count = args.distinct or (40 if args.photos else 60)
    files = phone_photos(count) if args.photos else receipts(count)
    print(f"uploads: {len(files)} distinct files, median {statistics.median(map(len, files)) / 1e6:.2f} MB")
    stack = Stack()
    try:
        tokens = stack.seed(args.participants if args.participants > 1 else 0)
        loaders = [t for e, t in tokens.items() if e.startswith("load")] or [tokens["jan.uczestnik@example.com"]]
        participant = tokens["jan.uczestnik@example.com"]
        base = stack.serve(args.web_workers, args.web_threads)
        accepted = 0
        if args.burst:
            burst = upload_load(base, participant, files, args.burst, args.clients)
            accepted += burst["statuses"].get(202, 0)
            print(f"burst: {report_latency(burst, args.clients)} (no worker running)")
        stack.start_workers(args.workers)
        started = time.monotonic()
        load = upload_load(base, loaders, files, args.seconds, args.clients, args.think, args.stagger)
        accepted += load["statuses"].get(202, 0)
        print(f"steady: {report_latency(load, args.clients)} with {args.workers} workers running, "
              f"each client pausing {args.think:.1f} s")
        if args.latencies:
            args.latencies.write_text(json.dumps(load["sent"]))
        stack.wait_idle(3600)
        processing_minutes = (time.monotonic() - started) / 60
        stack.stop_workers()
        report_states(stack, accepted)
        print(f"processed {accepted} claims in {processing_minutes:.1f} min: "
              f"{accepted / processing_minutes:.1f} claims/min with {args.workers} workers")
        approved = sum(approve_all_twice(base, tokens[e]) for e in tokens if e.startswith("recenzent."))
        with stack.runtime.sessions() as session:
            credits = session.scalar(select(func.count()).select_from(LedgerEntry))
            print(f"approved {approved} pending claims twice each over the API: {credits} ledger entries")
            assert credits == approved
        if args.backlog:
            one = drain_rate(stack, base, participant, receipts(args.backlog), 1)
            two = drain_rate(stack, base, participant, [r + b"\0" for r in receipts(args.backlog)], 2)
            print(f"backlog of {args.backlog} claims: 1 worker {one:.1f} claims/min, 2 workers {two:.1f} "
                  f"claims/min, ratio {two / one:.2f}x")
    finally:
        stack.close()


def report_latency(load: dict, clients: int) -> str:
    """One line: uploads, uploads/s, median and p95 latency, statuses; asserts no 5xx."""
    lat = sorted(load["latencies"])
    p95 = statistics.quantiles(lat, n=20)[18] if len(lat) >= 20 else max(lat)
    errors = sum(n for code, n in load["statuses"].items() if code >= 500)
    assert errors == 0, load["statuses"]
    return (f"{clients} clients for {load['seconds']:.0f} s: {len(lat)} uploads, {len(lat) / load['seconds']:.1f} "
            f"uploads/s, median {statistics.median(lat) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, "
            f"statuses {load['statuses']}, 5xx 0")


def report_states(stack: Stack, accepted: int) -> None:
    """Every accepted claim is in a final or review state; nothing is left received or processing."""
    with stack.runtime.sessions() as session:
        stuck = stack.busy()
        states = dict(session.execute(select(Claim.status, func.count()).group_by(Claim.status)).all())
    print(f"claims by state after the load: {states}; still received/processing: {stuck}")
    assert stuck == 0 and sum(states.values()) == accepted


if __name__ == "__main__":
    main()
