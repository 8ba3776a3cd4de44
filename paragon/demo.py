"""`paragon demo`: the whole pipeline on the bundled samples, through the real HTTP API and real rq workers."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import requests
from sqlalchemy import select

from claims.db.engine import transaction
from claims.db.migrate import upgrade
from claims.db.models import Claim, User
from claims.runtime import Runtime, build_runtime
from claims.services.accounts import issue_api_token
from claims.services.programme import load_programme
from claims.settings import Settings
from paragon.demo_activities import load_demo_activities
from paragon.demo_rewards import load_demo_rewards, place_demo_order
from paragon.redis_local import ensure_redis
from vocabulary.claims import WORK_STATES

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SAMPLES = FIXTURES / "samples"
SETTLE_TIMEOUT_S = 300


@dataclass
class SampleRun:
    name: str
    expect_status: str  # a claim status, or "refused" when the upload itself is answered 4xx
    expect_fields: dict
    expect_reason: str | None = None
    claim_id: str | None = None
    status: str = "not submitted"
    kind: str = ""
    seller: str = ""
    total: str = ""
    points: int = 0
    error: str = ""
    fields: dict | None = None

    @property
    def mismatches(self) -> list[str]:
        """What differs from the manifest: the status, and each expected field."""
        found = [f"status {self.status} (expected {self.expect_status})"] if self.status != self.expect_status else []
        fields = self.fields or {}
        found += [f"{name} {fields.get(name)!r} (expected {value!r})"
                  for name, value in self.expect_fields.items() if fields.get(name) != value]
        return found

    @property
    def ok(self) -> bool:
        if self.expect_status == "refused":
            return self.status == "refused" and self.error == self.expect_reason
        return not self.mismatches and not self.error


def run_demo(settings: Settings, *, serve: bool, host: str, port: int, workers: int) -> int:
    """Run the demo; 0 when every sample reached its expected state."""
    _fresh_embedded_state(settings)
    ensure_redis(settings.redis_url, settings.data_dir)
    runtime = build_runtime(settings)
    upgrade(runtime.engine)
    programme = _covering_samples(json.loads((FIXTURES / "demo_programme.json").read_text(encoding="utf-8")))
    tokens = _seed(runtime, programme)
    load_demo_rewards(runtime)
    load_demo_activities(runtime)  # a training, a survey, the tier ladder, this month's contest
    server, base_url = _start_server(settings, host, port)  # gunicorn, as in production
    procs = _start_workers(settings, workers)
    try:
        runs = _submit_samples(base_url, tokens)
        _wait_until_settled(runtime, runs)
        _print_summary(runs)
        _print_logins(programme, tokens, base_url)
        place_demo_order(base_url, tokens)
        failed = [r for r in runs if not r.ok]
        for run in failed:
            print(f"FAILED {run.name}: {'; '.join(run.mismatches + ([run.error] if run.error else []))}")
        for run in (r for r in runs if r.ok and r.status == "refused"):
            print(f"{run.name}: refused at upload with {run.error}, as expected (the participant is told how to "
                  "retake the photo)")
        if serve:
            print(f"\nReview UI: {base_url}  (Ctrl-C to stop)", flush=True)
            threading.Event().wait()
        return 1 if failed else 0
    except KeyboardInterrupt:
        return 0
    finally:
        _stop_workers([server, *procs])


def _fresh_embedded_state(settings: Settings) -> None:
    """The demo starts from a clean embedded database and blob folder (never touches an external one)."""
    if not os.environ.get("DATABASE_URL"):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{settings.data_dir / 'paragon.db'}{suffix}").unlink(missing_ok=True)
    if not os.environ.get("BLOB_URL"):
        shutil.rmtree(settings.data_dir / "blobs", ignore_errors=True)


def _covering_samples(programme: dict) -> dict:
    """The demo's base campaign, stretched so the bundled samples' printed dates stay eligible on any later day.

    The samples are fixed files printed with 2026 dates; a real campaign has a fixed period and deadline.
    """
    printed = [date.fromisoformat(s["expect_fields"]["date"])
               for s in json.loads((SAMPLES / "manifest.json").read_text(encoding="utf-8"))
               if s.get("expect_fields", {}).get("date")]
    today = date.today()
    campaigns = programme.get("campaigns") or [programme["campaign"]]
    campaign = dict(campaigns[0])
    campaign["starts_on"] = str(min([date.fromisoformat(campaign["starts_on"]), *printed]))
    campaign["ends_on"] = str(max(date.fromisoformat(campaign["ends_on"]), today + timedelta(days=365)))
    oldest = min(printed, default=today)
    campaign["submission_days"] = max(int(campaign["submission_days"]), (today - oldest).days + 30)
    rest = {k: v for k, v in programme.items() if k != "campaign"}
    return {**rest, "campaigns": [campaign, *campaigns[1:]]}


def _seed(runtime: Runtime, programme: dict) -> dict[str, str]:
    """Load the demo programme and give every demo user a fresh API token."""
    with transaction(runtime.sessions) as session:
        load_programme(session, programme)
        users = session.scalars(select(User).order_by(User.id))
        return {user.email: issue_api_token(session, user, label="demo") for user in users}


def _worker_env(settings: Settings) -> dict[str, str]:
    env = dict(os.environ)
    env.update(PARAGON_DATA_DIR=str(settings.data_dir), DATABASE_URL=settings.database_url,
               REDIS_URL=settings.redis_url, BLOB_URL=settings.blob_url, SECRET_KEY=settings.secret_key,
               OMP_THREAD_LIMIT="1")
    return env


def _start_server(settings: Settings, host: str, port: int) -> tuple[subprocess.Popen, str]:
    """`paragon serve` (gunicorn) on `port` (0: a free one); its address once it answers."""
    if not port:
        with socket.socket() as sock:
            sock.bind((host, 0))
            port = sock.getsockname()[1]
    log = open(settings.data_dir / "server.log", "ab")  # noqa: SIM115 - closed with the process
    proc = subprocess.Popen([sys.executable, "-m", "paragon", "serve", "--host", host, "--port", str(port)],
                            env=_worker_env(settings), stdout=log, stderr=subprocess.STDOUT)
    base_url = f"http://{host}:{port}"
    for _ in range(300):
        if proc.poll() is not None:
            raise RuntimeError(f"the web server exited; see {settings.data_dir / 'server.log'}")
        try:
            requests.get(f"{base_url}/login", timeout=5)
            return proc, base_url
        except requests.RequestException:  # not listening yet, or its workers still booting
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"the web server did not answer; see {settings.data_dir / 'server.log'}")


def _start_workers(settings: Settings, count: int) -> list[subprocess.Popen]:
    procs = []
    for number in range(count):
        log = open(settings.data_dir / f"worker-{number + 1}.log", "ab")  # noqa: SIM115 - closed with the process
        procs.append(subprocess.Popen([sys.executable, "-m", "paragon", "worker"], env=_worker_env(settings),
                                      stdout=log, stderr=subprocess.STDOUT))
    return procs


def _stop_workers(procs: list[subprocess.Popen]) -> None:
    for proc in procs:
        proc.terminate()
    for proc in procs:
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def _submit_samples(base_url: str, tokens: dict[str, str]) -> list[SampleRun]:
    """Send every sample in fixtures/samples/manifest.json to POST /api/v1/claims."""
    runs = []
    for sample in json.loads((SAMPLES / "manifest.json").read_text(encoding="utf-8")):
        run = SampleRun(sample["name"], sample["expect_status"], sample.get("expect_fields") or {},
                        sample.get("expect_reason"))
        files = [("files", (name, (SAMPLES / name).read_bytes())) for name in sample.get("files", [])]
        data = [("product_code", code) for code in sample.get("product_codes", [])]
        answer = requests.post(f"{base_url}/api/v1/claims", files=files or None, data=data,
                               headers={"Authorization": f"Bearer {tokens[sample['participant']]}"}, timeout=60)
        if answer.status_code == 202:
            run.claim_id, run.status = answer.json()["id"], answer.json()["status"]
        elif 400 <= answer.status_code < 500:  # refused at upload with a reason code (e.g. the quality gate)
            run.status, run.error = "refused", answer.json()["error"]["code"]
        else:
            run.error = f"HTTP {answer.status_code}: {answer.text[:200]}"
        runs.append(run)
    print(f"submitted {sum(1 for r in runs if r.claim_id)} of {len(runs)} sample claims over HTTP", flush=True)
    return runs


def _wait_until_settled(runtime: Runtime, runs: list[SampleRun]) -> None:
    """Poll the database until no sample claim is still received/processing (or the time is up)."""
    deadline = time.monotonic() + SETTLE_TIMEOUT_S
    pending = [r for r in runs if r.claim_id]
    shown = None
    while True:
        with runtime.sessions() as session:
            for run in pending:
                _refresh(session.get(Claim, run.claim_id), run)
        done = sum(1 for r in pending if r.status not in WORK_STATES)
        if done != shown:
            print(f"processing: {done}/{len(pending)} claims done", flush=True)
            shown = done
        if done == len(pending) or time.monotonic() > deadline:
            return
        time.sleep(0.5)


def _refresh(claim: Claim, run: SampleRun) -> None:
    fields = run.fields = claim.fields or {}
    run.status, run.kind, run.points = claim.status, claim.kind, claim.points_proposed
    run.seller, run.total = fields.get("seller_nip") or "", fields.get("total") or ""


def _print_summary(runs: list[SampleRun]) -> None:
    header = ("claim", "sample", "kind", "status", "seller NIP", "total", "points", "ok")
    # the whole id: what GET /api/v1/claims/<id> and the page /me/claims/<id> accept
    rows = [(r.claim_id or "-", r.name, r.kind or "-", r.status, r.seller, r.total, str(r.points),
             "yes" if r.ok else "NO") for r in runs]
    widths = [max(len(str(x)) for x in column) for column in zip(header, *rows, strict=True)]
    for row in (header, *rows):
        print("  ".join(str(value).ljust(width) for value, width in zip(row, widths, strict=True)))


def _print_logins(programme: dict, tokens: dict[str, str], base_url: str) -> None:
    print(f"\nDemo logins for {base_url}/login (password / API token):")
    for user in programme["users"]:
        print(f"  {user['role']:<17} {user['email']:<34} {user['password']:<18} {tokens[user['email'].lower()]}")
