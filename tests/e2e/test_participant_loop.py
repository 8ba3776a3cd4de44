"""The participant's whole loop on a phone (390x844) in a real Chromium, with a real `paragon worker` process
reading the receipt: sign up, upload with a progress bar, watch the claim's stages change without a reload,
the partner approves, the points notice and the new balance, a password reset from the e-mail in the outbox,
the data download and the account deleted. axe-core checks every participant page on the way."""

from __future__ import annotations

import email
import io
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from email import policy
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from claims.db.engine import transaction
from claims.runtime import Runtime, build_runtime
from claims.services.programme import load_programme
from claims.settings import Settings
from paragon.web import create_app
from tests.conftest import TEST_REDIS_URL, migrated_database
from tests.e2e.a11y import assert_accessible
from tests.e2e.browser import RECEIPT, ROOT, browser_programme
from tests.review_ui.helpers import PASSWORD, REVIEWER_A
from workers.queues import ClaimQueue

pytestmark = pytest.mark.e2e

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
DESK = {"viewport": {"width": 1366, "height": 900}}
EMAIL, FIRST_PASSWORD, NEW_PASSWORD = "monika.dekarz@example.pl", "dach-i-rynny-2026", "nowe-rynny-2027"
#: No single wait in this test lasts longer; reading one receipt takes seconds.
PATIENCE_MS = 180_000
SECRET = "phone-loop-secret"


@dataclass
class Programme:
    url: str
    runtime: Runtime
    outbox: Path


def _worker_env(runtime: Runtime, url: str) -> dict:
    return dict(os.environ, DATABASE_URL=runtime.settings.database_url, BLOB_URL="db://", REDIS_URL=TEST_REDIS_URL,
                SECRET_KEY=SECRET, PARAGON_DATA_DIR=str(runtime.settings.data_dir), PUBLIC_URL=url)


@pytest.fixture
def programme(postgres_url, redis_conn, tmp_path) -> Iterator[Programme]:
    """The web app over PostgreSQL and the real Redis queue, served on 127.0.0.1, and one `paragon worker`
    process (reading claims, sending e-mails into the outbox) for as long as the test runs."""
    settings = Settings.from_env({"PARAGON_DATA_DIR": str(tmp_path), "SECRET_KEY": SECRET, "DATABASE_URL": postgres_url,
                                  "BLOB_URL": "db://", "REDIS_URL": TEST_REDIS_URL})
    migrated_database(postgres_url)
    runtime = build_runtime(settings)
    with transaction(runtime.sessions) as session:
        load_programme(session, browser_programme())
    server = make_server("127.0.0.1", 0, create_app(runtime, ClaimQueue(redis_conn), testing=False), threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="phone-app", daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}"
    log = (tmp_path / "worker.log").open("wb")
    worker = subprocess.Popen([sys.executable, "-m", "paragon", "worker"], cwd=ROOT, env=_worker_env(runtime, url),
                              stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        yield Programme(url, runtime, tmp_path / "outbox")
    finally:  # never leave a worker behind to take the next tests' jobs
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
        log.close()
        server.shutdown()
        thread.join(timeout=10)
        runtime.close()


def _fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def _check(page, name: str, screenshot=None) -> None:
    """Every participant page: nothing wider than the phone, no critical or serious axe-core violation."""
    assert _fits_the_screen(page), f"{name} is wider than the phone"
    assert_accessible(page, name)
    if screenshot is not None:
        screenshot(page, name)


def _wait_for_mail(outbox: Path, pattern: str, worker_log: Path) -> email.message.EmailMessage:
    deadline = time.monotonic() + PATIENCE_MS / 1000
    while time.monotonic() < deadline:
        found = sorted(outbox.glob(pattern)) if outbox.exists() else []
        if found:
            return email.message_from_bytes(found[-1].read_bytes(), policy=policy.default)
        time.sleep(0.2)
    pytest.fail(f"no {pattern} in the outbox; worker log:\n{worker_log.read_text(errors='replace')[-3000:]}")


def _sign_up(phone, url: str, screenshot) -> None:
    phone.goto(f"{url}/register")
    long_name = "Monika" + "Dachówkowska" * 16  # one unbroken 198-character word
    phone.fill("#r-email", EMAIL)
    phone.fill("#r-password", FIRST_PASSWORD)
    phone.fill("#r-password-again", FIRST_PASSWORD)
    phone.fill("#r-name", long_name)
    phone.fill("#r-company", "Dekarz Monika Nowicka")
    phone.fill("#r-nip", "1234567890")  # a wrong check digit first
    phone.check("input[name=consent_rules]")
    phone.check("input[name=consent_marketing]")
    _check(phone, "20-phone-register", screenshot)
    phone.click("#register-form button[type=submit]")
    phone.wait_for_selector(".flash-error")
    assert phone.is_checked("input[name=consent_rules]") and phone.is_checked("input[name=consent_marketing]")
    assert phone.input_value("#r-name") == long_name and phone.input_value("#r-password") == ""
    phone.fill("#r-nip", "5213017228")
    phone.fill("#r-password", FIRST_PASSWORD)
    phone.fill("#r-password-again", FIRST_PASSWORD)
    phone.click("#register-form button[type=submit]")
    phone.wait_for_url(re.compile(r".*/me$"))


def _upload_with_progress(phone) -> str:
    """Choose the receipt from the gallery and send it; the progress bar's values are kept in sessionStorage,
    so they can be read after the page has moved on to the claim. Returns the claim id."""
    assert phone.get_attribute("#camera", "capture") == "environment"
    assert phone.get_attribute("#files", "capture") is None
    phone.set_input_files("#files", str(RECEIPT))
    phone.wait_for_selector(".page-item[data-ready]")
    assert "Strona 1: receipt-budmax.png" in phone.inner_text(".page-item")
    phone.evaluate("""() => {
        const bar = document.querySelector('#upload-form progress');
        const box = bar.closest('[data-progress]'), said = box.querySelector('[data-progress-text]');
        new MutationObserver(() => {
            const seen = JSON.parse(sessionStorage.getItem('progress') || '[]');
            seen.push({value: bar.value, shown: !box.hidden, said: said.textContent});
            sessionStorage.setItem('progress', JSON.stringify(seen));
        }).observe(box, {attributes: true, subtree: true, childList: true, characterData: true});
    }""")
    phone.click("#upload-form [data-submit]")
    phone.wait_for_url(re.compile(r".*/me/claims/[0-9a-f-]{36}$"), timeout=PATIENCE_MS)
    seen = phone.evaluate("JSON.parse(sessionStorage.getItem('progress') || '[]')")
    assert any(s["shown"] for s in seen) and seen[-1]["value"] == 100, seen
    assert any(s["said"].startswith("Wysyłanie") for s in seen), seen
    return phone.url.rsplit("/", 1)[-1]


def _watch_it_change_without_a_reload(phone, worker_log: Path, screenshot) -> None:
    phone.evaluate("""() => {
        window.stayedOnThePage = true;
        window.stagesSeen = [document.querySelector('[data-stage]').dataset.stage];
        document.addEventListener('live-updated',
            () => window.stagesSeen.push(document.querySelector('[data-stage]').dataset.stage));
    }""")
    preview = phone.locator(".pane-documents img").first
    assert preview.evaluate("img => img.complete ? img.naturalWidth : new Promise(r => img.onload = "
                            "() => r(img.naturalWidth))") > 0  # the uploaded receipt, while it is read
    _check(phone, "21-phone-claim-received", screenshot)
    try:
        phone.wait_for_selector("#claim-status[data-status=pending_review]", timeout=PATIENCE_MS)
    except Exception:
        pytest.fail("the claim page never showed the partner's turn; worker log:\n"
                    + worker_log.read_text(errors="replace")[-3000:])
    assert phone.evaluate("window.stayedOnThePage") is True  # the same page, updated in place
    assert phone.evaluate("window.stagesSeen")[-1] == "waiting"
    assert phone.inner_text("#claim-status") == "Czeka na weryfikację partnera"
    _check(phone, "22-phone-claim-waiting", screenshot)


def _partner_approves(chromium, url: str, claim_id: str) -> None:
    partner = chromium.new_context(**DESK).new_page()
    partner.goto(f"{url}/login")
    partner.fill("#email", REVIEWER_A)
    partner.fill("#password", PASSWORD)
    partner.click("form.stack button[type=submit]")
    partner.wait_for_load_state()
    partner.goto(f"{url}/review/claims/{claim_id}")
    partner.click("#approve-form button[type=submit]")
    with partner.expect_navigation():
        partner.click("#approve-confirm [data-confirm-yes]")
    partner.context.close()


def _the_points_moment(phone, programme: Programme, screenshot) -> int:
    phone.wait_for_selector("#points-notice", timeout=PATIENCE_MS)  # the open claim page shows it by itself
    assert phone.evaluate("window.stayedOnThePage") is True
    points = int(phone.inner_text("#notice-balance"))
    assert points > 0 and "Przyznaliśmy Ci" in phone.inner_text("#points-notice")
    assert "BUDMAX Warszawa" in phone.inner_text("#points-notice")
    _check(phone, "23-phone-points-notice", screenshot)
    phone.goto(f"{programme.url}/me")
    assert phone.inner_text("#balance") == str(points) and phone.locator("#points-notice").count() == 0
    _check(phone, "24-phone-home-after-approval", screenshot)
    phone.goto(f"{programme.url}/me/points")
    assert "BUDMAX Warszawa" in phone.inner_text(".ledger")
    _check(phone, "25-phone-points", screenshot)
    phone.goto(f"{programme.url}/offline")  # what the service worker shows without a network
    _check(phone, "25b-phone-offline", screenshot)
    approved = _wait_for_mail(programme.outbox, "*-pending_review-to-approved.eml",
                              programme.outbox.parent / "worker.log")
    assert f"Przyznaliśmy {points} pkt." in approved.get_content()
    return points


def _reset_the_password(phone, programme: Programme, screenshot) -> None:
    phone.goto(f"{programme.url}/me/consents")
    _check(phone, "26-phone-consents", screenshot)
    phone.click(".topnav form.inline button")  # log out
    phone.wait_for_url(re.compile(r".*/login$"))
    _check(phone, "27-phone-login", screenshot)
    phone.click("#forgot-link")
    phone.fill("#forgot-email", EMAIL)
    phone.click("#forgot-form button[type=submit]")
    phone.wait_for_selector("#link-sent")
    _check(phone, "28-phone-forgot", screenshot)
    mail = _wait_for_mail(programme.outbox, "user-*.eml", programme.outbox.parent / "worker.log")
    link = re.search(r"http://127\.0\.0\.1:\d+/password/reset/\S+", mail.get_content()).group(0)
    phone.goto(link)
    _check(phone, "29-phone-reset", screenshot)
    phone.fill("#new-password", NEW_PASSWORD)
    phone.fill("#new-password-again", NEW_PASSWORD)
    phone.click("#reset-form button[type=submit]")
    phone.wait_for_url(re.compile(r".*/login$"))
    phone.fill("#email", EMAIL)
    phone.fill("#password", NEW_PASSWORD)
    phone.click("form.stack button[type=submit]")
    phone.wait_for_url(re.compile(r".*/me$"))


def _download_then_delete(phone, programme: Programme, claim_id: str, points: int, screenshot) -> None:
    phone.goto(f"{programme.url}/me/account")
    _check(phone, "30-phone-account", screenshot)
    with phone.expect_download() as download:
        phone.click("#download-data")
    data = json.loads(zipfile.ZipFile(io.BytesIO(Path(download.value.path()).read_bytes())).read("data.json"))
    assert data["account"]["email"] == EMAIL and data["claims"][0]["id"] == claim_id
    assert data["claims"][0]["points"] == points
    phone.goto(f"{programme.url}/me/password")
    _check(phone, "31-phone-password", screenshot)
    phone.goto(f"{programme.url}/me/delete")
    _check(phone, "32-phone-delete", screenshot)
    phone.check("input[name=understood]")
    phone.fill("#delete-password", NEW_PASSWORD)
    phone.click("#delete-form button[type=submit]")
    phone.wait_for_url(re.compile(r".*/login$"))
    assert "Konto zostało usunięte" in phone.inner_text("main")
    phone.fill("#email", EMAIL)
    phone.fill("#password", NEW_PASSWORD)
    phone.click("form.stack button[type=submit]")
    phone.wait_for_selector(".flash-error")


def test_a_participant_uses_the_whole_programme_from_a_phone(chromium, programme, screenshot):
    context = chromium.new_context(**PHONE, accept_downloads=True)
    phone = context.new_page()
    phone.set_default_timeout(PATIENCE_MS)
    worker_log = programme.outbox.parent / "worker.log"
    try:
        _sign_up(phone, programme.url, screenshot)
        assert "Witamy w programie!" in phone.inner_text("main")
        _check(phone, "20b-phone-home", screenshot)
        claim_id = _upload_with_progress(phone)
        _watch_it_change_without_a_reload(phone, worker_log, screenshot)
        _partner_approves(chromium, programme.url, claim_id)
        points = _the_points_moment(phone, programme, screenshot)
        _reset_the_password(phone, programme, screenshot)
        _download_then_delete(phone, programme, claim_id, points, screenshot)
    finally:
        context.close()
