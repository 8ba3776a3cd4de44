"""The participant's phone, measured: how soon the open claim page shows what the worker decided, what a poll
costs, and how many bytes a 12 MP photo costs to send before and after the page shrinks it.

Run: .venv/bin/python -m bench.participant_live [--uploads 10] [--redis redis://127.0.0.1:6379/11]

Everything on loopback: a scratch PostgreSQL database beside TEST_POSTGRES_URL (uploads stored in it), the given
Redis database (flushed), the app under gunicorn with gthread workers (as in production), one `paragon worker`,
and a headless Chromium on a 390x844 phone viewport logged in as a participant.

1. Live status, over `--uploads` receipts sent one after the other through the page's own upload script: the
   time from the upload's 202 to the status change shown in the browser (the page updates itself), and the
   part of it after the worker finished (the claim's `updated_at`) — target: at most 2 s. The baseline, in the
   same run, is a 20 ms database poller watching the same claim: what no client can beat.
2. One poll of `/me/claims/<id>/live` (JSON, and 304 when nothing changed) against a page view of the claim
   (the baseline), 200 requests each over HTTP.
3. Bytes sent for phone photos of 12.2 MP / 4.1 MB and 17.3 MP / 5.7 MB (`fixtures.phone_photos`, sensor noise,
   EXIF orientation 6): the file as chosen against the request the page sends, and the time the page took to
   check and shrink it.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

import requests
from redis import Redis
from sqlalchemy import create_engine, text

from claims.db.engine import transaction
from claims.db.migrate import upgrade
from claims.db.models import Claim
from claims.runtime import build_runtime
from claims.services.programme import load_programme
from claims.settings import Settings
from vocabulary.claims import WORK_STATES

ROOT = Path(__file__).resolve().parent.parent
ADMIN = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
PARTICIPANT, PASSWORD = "jan.uczestnik@example.com", "demo-uczestnik"
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
WORKING = {s.value for s in WORK_STATES}
CLAIM_PAGE = re.compile(r".*/me/claims/[0-9a-f-]{36}$")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Stack:
    """A scratch database, gunicorn (gthread) and one `paragon worker`, all stopped by `close`."""

    def __init__(self, redis_url: str) -> None:
        self.name = f"paragon_live_{uuid.uuid4().hex[:8]}"
        self.admin = create_engine(ADMIN, isolation_level="AUTOCOMMIT")
        with self.admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{self.name}"'))
        Redis.from_url(redis_url).flushdb()
        self.data = Path(f"/tmp/{self.name}")
        self.env = dict(os.environ, DATABASE_URL=ADMIN.rsplit("/", 1)[0] + f"/{self.name}", BLOB_URL="db://",
                        REDIS_URL=redis_url, SECRET_KEY="bench-live", PARAGON_DATA_DIR=str(self.data),
                        OMP_THREAD_LIMIT="1", UPLOADS_PER_HOUR="0")
        self.runtime = build_runtime(Settings.from_env(self.env))
        upgrade(self.runtime.engine)
        self.processes: list[subprocess.Popen] = []

    def seed(self) -> list[str]:
        """The demo programme; returns its outlets' NIPs (receipts from them are routed to a partner)."""
        from paragon.demo import _covering_samples

        programme = _covering_samples(json.loads((ROOT / "fixtures/demo_programme.json").read_text()))
        with transaction(self.runtime.sessions) as session:
            load_programme(session, programme)
        return [o["nip"] for p in programme["partners"] for o in p["outlets"]]

    def start(self) -> str:
        port = _free_port()
        self.data.mkdir(parents=True, exist_ok=True)
        gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or "gunicorn"
        self._spawn([gunicorn, "-k", "gthread", "-w", "2", "--threads", "8", "-b", f"127.0.0.1:{port}",
                     "paragon.web:create_app()"], "gunicorn.log")
        self._spawn([sys.executable, "-m", "paragon", "worker"], "worker.log")
        base = f"http://127.0.0.1:{port}"
        for _ in range(200):
            try:
                requests.get(f"{base}/login", timeout=10)
                return base
            except requests.RequestException:  # not listening yet, or still loading the app
                time.sleep(0.1)
        raise RuntimeError("gunicorn did not start")

    def _spawn(self, argv: list[str], log: str) -> None:
        out = (self.data / log).open("ab")
        self.processes.append(subprocess.Popen(argv, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                                               start_new_session=True))

    def finished_at(self, claim_id: str) -> tuple[str, float] | None:
        """The claim's status and when the worker moved it out of the work states (epoch seconds)."""
        with self.runtime.sessions() as session:
            claim = session.get(Claim, claim_id)
            if claim is None or claim.status in WORKING:
                return None
            return claim.status, claim.updated_at.timestamp()

    def close(self) -> None:
        for process in self.processes:
            os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        self.runtime.close()
        with self.admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
        shutil.rmtree(self.data, ignore_errors=True)


def _receipts(nips: list[str], count: int) -> list[bytes]:
    from fixtures.documents import make_receipt
    from fixtures.render import render_receipt_png

    day = date.today() - timedelta(days=2)
    return [render_receipt_png(make_receipt(3000 + i, seller_nip=nips[i % len(nips)], date=day)) for i in range(count)]


def _log_in(page, base: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#email", PARTICIPANT)
    page.fill("#password", PASSWORD)
    page.click("form.stack button[type=submit]")
    page.wait_for_url("**/me")


WATCH = """() => {
    const shown = () => {
        const status = document.getElementById('claim-status').dataset.status;
        if (!['received', 'processing'].includes(status) && !window.shownAt) window.shownAt = Date.now();
    };
    shown();
    document.addEventListener('live-updated', shown);
}"""


def _watch_database(stack: Stack, claim_id: str, seen: dict) -> None:
    """The baseline: the earliest moment anything polling could see the change (every 20 ms, no HTTP)."""
    deadline = time.time() + 300
    while time.time() < deadline and stack.finished_at(claim_id) is None:
        time.sleep(0.02)
    seen[claim_id] = time.time()


def one_upload(page, stack: Stack, base: str, receipt: bytes, number: int) -> dict:
    """Send one receipt through the page; when it answered 202, when the worker finished, when it was shown."""
    page.goto(f"{base}/me")
    page.set_input_files("#files", files=[{"name": f"paragon-{number}.png", "mimeType": "image/png",
                                           "buffer": receipt}])
    page.wait_for_selector(".page-item[data-ready]")
    with page.expect_response(lambda r: r.request.method == "POST" and r.url.endswith("/me/claims")) as answer:
        page.click("#upload-form [data-submit]")
    response = answer.value
    timing = response.request.timing
    accepted = (timing["startTime"] + timing["responseStart"]) / 1000
    page.wait_for_url(CLAIM_PAGE)  # the script goes to the claim's page as soon as it has the 202
    claim_id = page.url.rsplit("/", 1)[-1]
    polled: dict[str, float] = {}
    watcher = threading.Thread(target=_watch_database, args=(stack, claim_id, polled), daemon=True)
    watcher.start()
    page.evaluate(WATCH)
    page.wait_for_function("() => window.shownAt", timeout=300_000)
    shown = page.evaluate("window.shownAt") / 1000
    watcher.join(timeout=300)
    status, finished = stack.finished_at(claim_id)
    return {"status": status, "to_shown": shown - accepted, "after_worker": shown - finished,
            "poller_after_worker": polled[claim_id] - finished, "worker": finished - accepted}


def poll_cost(page, base: str, requests_count: int = 200) -> dict:
    """Milliseconds for one poll (200 with a body, and 304) against a page view of the same claim."""
    claim_url = page.url
    live_url = claim_url + "/live"
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    session = requests.Session()
    session.cookies.update(cookies)
    body = session.get(live_url, timeout=10)
    etag = body.headers["ETag"]

    def timed(url: str, headers: dict | None = None) -> tuple[float, int]:
        times, size = [], 0
        for _ in range(requests_count):
            started = time.perf_counter()
            answer = session.get(url, headers=headers or {}, timeout=10)
            times.append((time.perf_counter() - started) * 1000)
            size = len(answer.content)
        return statistics.median(times), size

    poll, poll_bytes = timed(live_url)
    unchanged, unchanged_bytes = timed(live_url, {"If-None-Match": etag})
    view, view_bytes = timed(claim_url)
    return {"poll_ms": poll, "poll_bytes": poll_bytes, "not_modified_ms": unchanged,
            "not_modified_bytes": unchanged_bytes, "page_ms": view, "page_bytes": view_bytes}


def photo_bytes(page, base: str, width: int, height: int) -> dict:
    """The chosen file's size against the request the page sends for it, and the page's time to prepare it."""
    from fixtures.phone_photos import sideways_phone_jpeg

    original = sideways_phone_jpeg(width, height)
    page.goto(f"{base}/me")
    started = time.perf_counter()
    page.set_input_files("#camera", files=[{"name": "IMG.jpg", "mimeType": "image/jpeg", "buffer": original}])
    item = page.wait_for_selector(".page-item[data-ready]", timeout=120_000)
    prepared = time.perf_counter() - started
    file_sent = int(item.get_attribute("data-bytes-after") or 0)
    with page.expect_request(lambda r: r.method == "POST" and r.url.endswith("/me/claims")) as request:
        page.click("#upload-form [data-submit]")
    page.wait_for_url("**/me/claims/*", timeout=120_000)
    return {"megapixels": width * height / 1e6, "chosen": len(original),
            "file_sent": file_sent,
            "request": int(request.value.header_value("content-length") or 0), "prepare_s": prepared}


def _table(rows: list[dict]) -> None:
    keys = ("to_shown", "worker", "after_worker", "poller_after_worker")
    print("| measure | median s | p95 s | max s |\n|---|---|---|---|")
    for key in keys:
        values = sorted(r[key] for r in rows)
        p95 = values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]
        print(f"| {key} | {statistics.median(values):.2f} | {p95:.2f} | {values[-1]:.2f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--uploads", type=int, default=10)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/11", help="a Redis database to flush and use")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    stack = Stack(args.redis)
    try:
        receipts = _receipts(stack.seed(), args.uploads)
        base = stack.start()
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=shutil.which("chromium"), headless=True,
                                                 args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_context(**PHONE).new_page()
            _log_in(page, base)
            rows = [one_upload(page, stack, base, receipt, n) for n, receipt in enumerate(receipts, start=1)]
            print(f"statuses: {sorted({r['status'] for r in rows})}")
            _table(rows)
            print(json.dumps(poll_cost(page, base), indent=1))
            for width, height in ((3024, 4032), (3600, 4800)):
                print(json.dumps(photo_bytes(page, base, width, height), indent=1))
            browser.close()
    finally:
        stack.close()


if __name__ == "__main__":
    main()
