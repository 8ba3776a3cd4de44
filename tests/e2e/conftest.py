"""Fixtures for the browser tests: the review app served on 127.0.0.1 by werkzeug in a thread, over a fresh
SQLite programme, and a real Chromium driven by Playwright (the system's chromium; no downloaded browser).

Browser tests skip when chromium is absent on a developer's machine and fail in CI (CI=... set). The fixtures
are defined here, once: a session fixture star-imported into two test modules is two fixtures, and the second
Playwright started inside the first one's event loop fails.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from claims.db.engine import transaction
from claims.db.migrate import upgrade
from claims.runtime import build_runtime
from claims.services.programme import load_programme
from claims.settings import Settings
from review_ui import create_app
from tests.e2e.browser import CHROMIUM_ARGS, SCREENSHOTS, LiveApp, browser_programme
from tests.review_ui.helpers import RecordingQueue


def _missing(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (required in CI)")
    pytest.skip(reason)


@pytest.fixture
def live_app(tmp_path) -> Iterator[LiveApp]:
    """The app with CSRF on (as in production), served until the test ends."""
    runtime = build_runtime(Settings.from_env({"PARAGON_DATA_DIR": str(tmp_path), "SECRET_KEY": "browser-test"}))
    upgrade(runtime.engine)
    with transaction(runtime.sessions) as session:
        load_programme(session, browser_programme())
    queue = RecordingQueue()
    server = make_server("127.0.0.1", 0, create_app(runtime, queue, testing=False), threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-app", daemon=True)
    thread.start()
    try:
        yield LiveApp(f"http://127.0.0.1:{server.server_port}", runtime, queue)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        runtime.close()


@pytest.fixture(scope="session")
def chromium():
    """A headless Chromium from the system (apt's chromium), launched once per test run."""
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        _missing("chromium is not installed (apt-get install -y chromium chromium-driver)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("the playwright package is not installed (pip install playwright)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def screenshot():
    """shot(page, name) saves a full-page PNG under test-artifacts/screenshots/ (gitignored)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def shot(page, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return shot
