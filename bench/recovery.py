"""Recovery times without an operator: from a fault to every claim settled, at the default intervals.

Run: .venv/bin/python -m bench.recovery [--claims 4] [--workers 2] [--down 20]
Each scenario gets a scratch SQLite database, a redis-server of its own on a free port and `paragon worker`
processes with the default SWEEP_INTERVAL_SECONDS, WORKER_HEARTBEAT_SECONDS and SWEEP_RECEIVED_AFTER_SECONDS
(unless set in the environment). Nobody runs `paragon sweep`:
- killed worker: `kill -9` of a busy worker, its work horse and the horse's reader, mid-claim;
- flushed Redis: FLUSHDB while the workers work through queued claims;
- Redis down then up: claims uploaded over the API while Redis is down (202), Redis started `--down` s later;
  measured from the fault (Redis stopped) and from Redis back.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from redis import Redis
from sqlalchemy import select

from claims.db.engine import transaction
from claims.db.migrate import upgrade
from claims.db.models import Claim, User
from claims.runtime import build_runtime
from claims.services.accounts import issue_api_token
from claims.services.programme import load_programme
from claims.settings import Settings
from vocabulary.claims import WORK_STATES

ROOT = Path(__file__).resolve().parent.parent
PARTICIPANT = "jan.uczestnik@example.com"


def photos(count: int, first: int) -> list[bytes]:
    from fixtures.camera import degrade_photo
    from fixtures.documents import make_receipt
    from fixtures.render import render_receipt_png

    programme = json.loads((ROOT / "fixtures/demo_programme.json").read_text())
    nips = [o["nip"] for p in programme["partners"] for o in p["outlets"]]
    day = date.today() - timedelta(days=2)
    return [degrade_photo(render_receipt_png(make_receipt(first + i, seller_nip=nips[i % len(nips)], date=day),
                                             dpi_scale=2.0), first + i, rotation_deg=1.5, blur=0.5)
            for i in range(count)]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _descendants(pid: int) -> list[int]:
    try:
        children = [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []
    return [x for c in children for x in (c, *_descendants(c))]


class Scene:
    """A scratch database, a redis-server and workers for one scenario."""

    def __init__(self, workers: int) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="paragon-recovery-"))
        self.port = _free_port()
        self.redis_url = f"redis://127.0.0.1:{self.port}/0"
        self.env = dict(os.environ, PARAGON_DATA_DIR=str(self.folder), REDIS_URL=self.redis_url,
                        SECRET_KEY="recovery", OMP_THREAD_LIMIT="1", UPLOADS_PER_HOUR="0")
        for name in ("DATABASE_URL", "BLOB_URL"):
            self.env.pop(name, None)
        self.runtime = build_runtime(Settings.from_env(self.env))
        upgrade(self.runtime.engine)
        from paragon.demo import _covering_samples

        with transaction(self.runtime.sessions) as session:
            load_programme(session, _covering_samples(json.loads((ROOT / "fixtures/demo_programme.json").read_text())))
            self.token = issue_api_token(session, session.scalar(select(User).where(User.email == PARTICIPANT)))
        self.redis: subprocess.Popen | None = None
        self.start_redis()
        self.workers = [self._worker(n) for n in range(workers)]

    def start_redis(self) -> None:
        self.redis = subprocess.Popen(["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                                       "--appendonly", "no", "--dir", str(self.folder)],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        while True:
            try:
                Redis.from_url(self.redis_url, socket_connect_timeout=0.5).ping()
                return
            except Exception:  # noqa: BLE001
                time.sleep(0.05)

    def stop_redis(self) -> None:
        self.redis.kill()
        self.redis.wait()

    def _worker(self, number: int) -> subprocess.Popen:
        log = open(self.folder / f"worker-{number}.log", "ab")  # noqa: SIM115 - the process owns it
        return subprocess.Popen([sys.executable, "-m", "paragon", "worker"], cwd=ROOT, env=self.env, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True)

    def upload(self, files: list[bytes]) -> list[str]:
        from paragon.web import create_app
        from workers.queues import ClaimQueue, connect_redis

        client = create_app(self.runtime, ClaimQueue(connect_redis(self.redis_url))).test_client()
        ids = []
        for data in files:
            answer = client.post("/api/v1/claims", headers={"Authorization": f"Bearer {self.token}"},
                                 data={"files": [(io.BytesIO(data), "photo.jpg")]}, content_type="multipart/form-data")
            assert answer.status_code == 202, answer.data[:300]
            ids.append(answer.get_json()["id"])
        return ids

    def states(self, ids: list[str]) -> list[str]:
        with self.runtime.sessions() as session:
            return list(session.scalars(select(Claim.status).where(Claim.id.in_(ids))))

    def wait_settled(self, ids: list[str], since: float, bound: float = 900) -> float:
        work = {s.value for s in WORK_STATES}
        while time.monotonic() - since < bound:
            if not any(state in work for state in self.states(ids)):
                return time.monotonic() - since
            time.sleep(0.25)
        raise RuntimeError(f"not settled after {bound} s: {self.states(ids)}; logs in {self.folder}")

    def busy_worker(self) -> subprocess.Popen:
        while True:
            for proc in self.workers:
                if _descendants(proc.pid):
                    return proc
            time.sleep(0.05)

    def kill_9(self, proc: subprocess.Popen) -> None:
        for pid in [proc.pid, *_descendants(proc.pid)]:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        proc.wait()

    def close(self) -> None:
        for proc in self.workers:
            if proc.poll() is None:
                self.kill_9(proc)
        if self.redis and self.redis.poll() is None:
            self.stop_redis()
        self.runtime.close()


def killed_worker(args) -> str:
    scene = Scene(args.workers)
    try:
        ids = scene.upload(photos(args.claims, 300))
        victim = scene.busy_worker()
        fault = time.monotonic()
        scene.kill_9(victim)
        return f"killed worker (kill -9 mid-claim): {scene.wait_settled(ids, fault):.0f} s to all {len(ids)} settled"
    finally:
        scene.close()


def flushed_redis(args) -> str:
    scene = Scene(args.workers)
    try:
        ids = scene.upload(photos(args.claims * 2, 400))
        scene.busy_worker()
        fault = time.monotonic()
        Redis.from_url(scene.redis_url).flushdb()
        settled = scene.wait_settled(ids, fault)
        return f"flushed Redis (FLUSHDB, workers alive): {settled:.0f} s to all {len(ids)} settled"
    finally:
        scene.close()


def redis_down(args) -> str:
    scene = Scene(args.workers)
    try:
        files = photos(args.claims, 500)
        fault = time.monotonic()
        scene.stop_redis()
        ids = scene.upload(files)
        time.sleep(max(0.0, args.down - (time.monotonic() - fault)))
        back = time.monotonic()
        scene.start_redis()
        scene.wait_settled(ids, back)
        return (f"Redis down {back - fault:.0f} s, then up: {time.monotonic() - back:.0f} s from Redis back "
                f"({time.monotonic() - fault:.0f} s from the fault) to all {len(ids)} settled")
    finally:
        scene.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--claims", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--down", type=float, default=20, help="seconds Redis stays down")
    parser.add_argument("--only", choices=["killed", "flushed", "down"], default=None)
    args = parser.parse_args()
    settings = Settings.from_env({"PARAGON_DATA_DIR": tempfile.gettempdir(), "SECRET_KEY": "x", **os.environ})
    print(f"intervals: sweep {settings.sweep_interval_seconds} s, heartbeat {settings.worker_heartbeat_seconds} s, "
          f"received after {settings.sweep_received_after_seconds} s; {args.workers} workers")
    for name, scenario in (("killed", killed_worker), ("flushed", flushed_redis), ("down", redis_down)):
        if args.only in (None, name):
            print(scenario(args), flush=True)


if __name__ == "__main__":
    main()
