"""Bounded workers: the rq work horse's own peak memory stays under 600 MB on every file of the hostile corpus,
the 20-page 6320 x 6320 1-bit G4 TIFF included (issue 17 saw 3,232 MB). Everything that decodes an upload runs
in the reader's limited child; the horse only moves bytes and readings.

A real `paragon worker --burst` (rq's forking worker, its reader warmed in the parent) runs one job per hostile
file; the job processes the claim as `workers.jobs.process_claim` does and reports the horse's VmHWM.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from rq import Queue
from rq.job import Job

from claims.db.engine import transaction
from claims.services.accounts import participant_of
from claims.services.intake import Upload, submit_claim
from ocr.formats import sniff_media_type
from tests.conftest import TEST_REDIS_URL
from tests.hostile.make_corpus import CASES, case_bytes
from tests.integration.helpers import seed, user
from workers.queues import OCR_QUEUE

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
LIMIT_MB = 600


def _submit(rt, name: str, data: bytes) -> str:
    """The claim as stored when the upload checks let the file through (here: always, to test the worker)."""
    try:
        media_type = sniff_media_type(data) or "application/octet-stream"
    except Exception:  # noqa: BLE001 — unsniffable bytes still reach the worker in this test
        media_type = "application/octet-stream"
    with transaction(rt.sessions) as session:
        participant = participant_of(session, user(rt, "uczestnik@example.com"))
        return submit_claim(session, rt.blobs, participant, [Upload(name, media_type, data)], []).id


def test_the_work_horse_stays_under_600_mb_on_the_hostile_corpus(sqlite_runtime, redis_conn, tmp_path):
    rt = sqlite_runtime
    seed(rt)
    queue = Queue(OCR_QUEUE, connection=redis_conn)
    jobs = {}
    for name in CASES:
        claim_id = _submit(rt, name, case_bytes(name))
        jobs[name] = queue.enqueue("tests.integration.horse_probe.process_and_measure", claim_id,
                                   job_timeout=600, result_ttl=3600).id
    env = dict(os.environ, DATABASE_URL=rt.settings.database_url, BLOB_URL=rt.settings.blob_url,
               REDIS_URL=TEST_REDIS_URL, SECRET_KEY="test-secret", PARAGON_DATA_DIR=str(rt.settings.data_dir),
               SWEEP_INTERVAL_SECONDS="0")
    log = tmp_path / "worker.log"
    with log.open("wb") as out:
        subprocess.run([sys.executable, "-m", "paragon", "worker", OCR_QUEUE, "--burst"], cwd=ROOT, env=env,
                       stdout=out, stderr=subprocess.STDOUT, timeout=900, check=True)

    peaks = {}
    for name, job_id in jobs.items():
        result = Job.fetch(job_id, connection=redis_conn).return_value()
        assert result is not None, f"{name}: no result\n{log.read_text(errors='replace')[-3000:]}"
        peaks[name] = result["peak_rss_kb"] / 1024
    print("\nwork horse peak RSS, MB:", {name: round(mb) for name, mb in sorted(peaks.items())})
    assert max(peaks.values()) < LIMIT_MB, peaks


def _preview_cost_mb(data: bytes, page: int) -> tuple[float, bool]:
    """Render one preview in a forked child; (MB its peak grew by, whether it is the placeholder)."""
    from review_ui.previews import placeholder_png, render_preview
    from tests.integration.horse_probe import peak_rss_kb

    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover — the child
        start = peak_rss_kb()
        png = render_preview(data, "image/tiff", page)
        os.write(write, f"{(peak_rss_kb() - start) / 1024} {int(png == placeholder_png())}".encode())
        os._exit(0)
    os.close(write)
    os.waitpid(pid, 0)
    grown, placeholder = os.read(read, 100).decode().split()
    os.close(read)
    return float(grown), placeholder == "1"


def test_a_preview_of_the_g4_tiff_costs_the_web_process_little(tmp_path):
    from tests.hostile.make_corpus import tiff_g4_20_pages_6320

    data = tiff_g4_20_pages_6320()
    for page in (1, 20):
        grown, placeholder = _preview_cost_mb(data, page)
        assert placeholder and grown < 50, (page, grown)  # it cost 245 MB when the page was decoded
