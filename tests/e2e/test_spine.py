"""End to end over HTTP with real workers: upload -> rq worker -> partner approves -> balance shows points."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import pytest
import requests
from werkzeug.serving import make_server

from claims.db.engine import transaction
from claims.services.accounts import issue_api_token
from paragon.web import create_app
from tests.conftest import NIP_A, RECENT, TEST_DEMO_REDIS_URL, TEST_REDIS_URL
from tests.integration.helpers import seed, user
from workers.queues import ClaimQueue

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def server(runtime, redis_conn):
    seed(runtime)
    app = create_app(runtime, ClaimQueue(redis_conn))
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()


def token(rt, email):
    with transaction(rt.sessions) as session:
        return issue_api_token(session, user(rt, email))


def run_worker_burst(rt) -> None:
    env = dict(os.environ, DATABASE_URL=rt.settings.database_url, BLOB_URL=rt.settings.blob_url,
               REDIS_URL=TEST_REDIS_URL, SECRET_KEY="test-secret", PARAGON_DATA_DIR=str(rt.settings.data_dir))
    result = subprocess.run([sys.executable, "-m", "paragon", "worker", "--burst"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]


def test_upload_worker_partner_approval_balance(server, runtime):
    from fixtures.documents import make_receipt
    from fixtures.render import render_receipt_png

    participant = {"Authorization": f"Bearer {token(runtime, 'uczestnik@example.com')}"}
    partner = {"Authorization": f"Bearer {token(runtime, 'partner.a@example.com')}"}
    other_partner = {"Authorization": f"Bearer {token(runtime, 'partner.b@example.com')}"}
    png = render_receipt_png(make_receipt(21, seller_nip=NIP_A, date=RECENT))

    answer = requests.post(f"{server}/api/v1/claims", headers=participant,
                           files=[("files", ("paragon.png", png, "image/png"))], timeout=30)
    assert answer.status_code == 202, answer.text
    claim_id = answer.json()["id"]
    assert answer.json()["status"] == "received" and answer.json()["url"] == f"/api/v1/claims/{claim_id}"

    run_worker_burst(runtime)

    claim = requests.get(f"{server}/api/v1/claims/{claim_id}", headers=participant, timeout=10).json()
    assert claim["status"] == "pending_review" and claim["fields"]["seller_nip"] == NIP_A
    points = claim["points"]
    assert points > 0
    queue = requests.get(f"{server}/api/v1/review/queue", headers=partner, timeout=10).json()
    assert [c["id"] for c in queue["claims"]] == [claim_id]
    assert requests.get(f"{server}/api/v1/review/queue", headers=other_partner, timeout=10).json()["claims"] == []
    assert requests.get(f"{server}/api/v1/claims/{claim_id}", headers=other_partner, timeout=10).status_code == 404

    key = {"Idempotency-Key": str(uuid.uuid4())}
    body = {"action": "approve", "reason_code": "confirmed"}
    first = requests.post(f"{server}/api/v1/claims/{claim_id}/decision", json=body, headers=partner | key, timeout=10)
    again = requests.post(f"{server}/api/v1/claims/{claim_id}/decision", json=body, headers=partner | key, timeout=10)
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json() and first.json()["status"] == "approved"
    other_body = requests.post(f"{server}/api/v1/claims/{claim_id}/decision", headers=partner | key, timeout=10,
                               json={"action": "reject", "reason_code": "other"})
    assert other_body.status_code == 409 and other_body.json()["error"]["code"] == "idempotency_conflict"
    no_key = requests.post(f"{server}/api/v1/claims/{claim_id}/decision", json=body, headers=partner, timeout=10)
    assert no_key.status_code == 409 and no_key.json()["error"]["code"] == "already_decided"

    balance = requests.get(f"{server}/api/v1/participants/me/balance", headers=participant, timeout=10).json()
    assert balance["balance"] == points


def test_demo_no_serve_reaches_every_expected_state(tmp_path):
    env = dict(os.environ, PARAGON_DATA_DIR=str(tmp_path), REDIS_URL=TEST_DEMO_REDIS_URL)
    for name in ("DATABASE_URL", "BLOB_URL", "SECRET_KEY"):
        env.pop(name, None)
    result = subprocess.run([sys.executable, "-m", "paragon", "demo", "--no-serve", "--port", "0"], cwd=ROOT,
                            env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "FAILED" not in result.stdout
    assert "jan.uczestnik@example.com" in result.stdout and "pgn_" in result.stdout
    assert "Reward order: anna.wykonawca@example.com had 100 points" in result.stdout  # the loop closes
