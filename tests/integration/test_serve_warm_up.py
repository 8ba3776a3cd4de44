"""A web worker under `paragon serve` gets ready before it takes requests (`paragon.serve.warm_up`)."""

from __future__ import annotations

import logging

import pytest

from claims.runtime import build_runtime
from claims.settings import Settings
from ocr.quality import check_photo
from paragon.serve import _warm_up_photo, warm_up
from review_ui import create_app
from tests.conftest import make_runtime
from tests.review_ui.helpers import RecordingQueue

pytestmark = pytest.mark.integration


def test_a_web_worker_opens_a_connection_per_thread_before_its_first_request(postgres_url, tmp_path):
    runtime = make_runtime(tmp_path, postgres_url, "db://")
    try:
        app = create_app(runtime, RecordingQueue())
        runtime.engine.dispose()  # as a freshly forked worker: no connection yet
        assert runtime.engine.pool.checkedin() == 0
        warm_up(app, 4)
        assert runtime.engine.pool.checkedin() == 4  # open and waiting in the pool, none left checked out
        warm_up(app, 50)
        assert runtime.engine.pool.checkedin() == runtime.engine.pool.size()  # never more than the pool keeps
    finally:
        runtime.close()


def test_the_warm_up_photo_goes_through_every_step_of_the_quality_gate():
    """It is judged good: the gate measured paper, characters, blur and glare on it, as on a real photo."""
    assert check_photo(_warm_up_photo(), "image/jpeg").ok


def test_the_warm_up_starts_every_thread_of_the_uploads_gate():
    from claims.services.intake import GATE_THREADS, warm_up_gate

    assert warm_up_gate(_warm_up_photo()) == GATE_THREADS


def test_a_worker_whose_database_is_not_up_still_starts(tmp_path, caplog):
    settings = Settings.from_env({"PARAGON_DATA_DIR": str(tmp_path), "SECRET_KEY": "test-secret",
                                  "DATABASE_URL": "postgresql://postgres@127.0.0.1:9/none"})
    runtime = build_runtime(settings)
    try:
        with caplog.at_level(logging.WARNING, logger="paragon.serve"):
            warm_up(create_app(runtime, RecordingQueue()), 4)
        assert "could not warm up" in caplog.text
    finally:
        runtime.close()
