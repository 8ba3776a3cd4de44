"""process_claim against the real databases, tesseract and Redis: one end state however often it runs."""

from decimal import Decimal
from pathlib import Path

import pytest
from rq import Queue, SimpleWorker
from sqlalchemy import func, select

from claims.db.engine import transaction
from claims.db.models import Claim, LedgerEntry
from claims.services.accounts import participant_of
from claims.services.intake import Upload, submit_claim
from claims.services.review import decide_claim
from tests.conftest import NIP_A, NIP_STRANGER, RECENT
from tests.integration.helpers import seed, user
from vocabulary.claims import ClaimStatus
from workers import runtime as worker_runtime
from workers.jobs import process_claim
from workers.queues import OCR_QUEUE, ClaimQueue, process_job_id
from workers.sweeper import sweep

pytestmark = pytest.mark.integration
SAMPLES = Path(__file__).resolve().parents[2] / "fixtures" / "samples"


def receipt_png(nip: str, seed_: int = 11) -> bytes:
    from fixtures.documents import make_receipt
    from fixtures.render import render_receipt_png

    return render_receipt_png(make_receipt(seed_, seller_nip=nip, date=RECENT))


def submit(rt, data: bytes, media_type: str = "image/png", email: str = "uczestnik@example.com") -> str:
    with transaction(rt.sessions) as session:
        participant = participant_of(session, user(rt, email))
        return submit_claim(session, rt.blobs, participant, [Upload("r", media_type, data)], []).id


def claim(rt, claim_id) -> Claim:
    with rt.sessions() as session:
        return session.get(Claim, claim_id)


def test_processing_twice_gives_one_end_state_and_one_ledger_entry(runtime):
    seed(runtime)
    worker_runtime.install(runtime)
    claim_id = submit(runtime, receipt_png(NIP_A))
    assert process_claim(claim_id) == "processed"
    first = claim(runtime, claim_id)
    assert process_claim(claim_id) == "nothing to do"
    again = claim(runtime, claim_id)
    assert (first.status, again.status) == (ClaimStatus.PENDING_REVIEW, ClaimStatus.PENDING_REVIEW)
    assert first.fields == again.fields and first.fields["seller_nip"] == NIP_A
    assert first.points_proposed > 0
    with transaction(runtime.sessions) as session:
        decide_claim(session, user(runtime, "partner.a@example.com"), claim_id, "approve", "")
    assert process_claim(claim_id) == "nothing to do"
    with runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(LedgerEntry)) == 1
        assert session.get(Claim, claim_id).status == ClaimStatus.APPROVED


def test_seller_outside_the_programme_ends_rejected_with_unknown_seller(sqlite_runtime):
    seed(sqlite_runtime)
    worker_runtime.install(sqlite_runtime)
    claim_id = submit(sqlite_runtime, receipt_png(NIP_STRANGER, 12))
    process_claim(claim_id)
    process_claim(claim_id)
    result = claim(sqlite_runtime, claim_id)
    assert result.status == ClaimStatus.REJECTED
    assert [r["code"] for r in result.reasons] == ["unknown_seller"]


def test_unreadable_photo_ends_in_needs_retake(sqlite_runtime):
    seed(sqlite_runtime)
    worker_runtime.install(sqlite_runtime)
    claim_id = submit(sqlite_runtime, (SAMPLES / "photo-unreadable.jpg").read_bytes(), "image/jpeg")
    process_claim(claim_id)
    result = claim(sqlite_runtime, claim_id)
    assert result.status == ClaimStatus.NEEDS_RETAKE
    assert "unreadable" in [r["code"] for r in result.reasons]


def test_a_file_that_cannot_be_decoded_asks_for_a_retake_not_a_crash(sqlite_runtime):
    seed(sqlite_runtime)
    worker_runtime.install(sqlite_runtime)
    claim_id = submit(sqlite_runtime, b"\xff\xd8\xff\xe0" + b"\x00" * 64, "image/jpeg")  # truncated JPEG
    process_claim(claim_id)
    with sqlite_runtime.sessions() as session:
        stored = session.get(Claim, claim_id)
        assert stored.status == ClaimStatus.NEEDS_RETAKE
        assert stored.documents[0].error_code


def test_missing_claim_job_is_dropped_quietly(sqlite_runtime):
    worker_runtime.install(sqlite_runtime)
    assert process_claim("00000000-0000-0000-0000-000000000000") == "no such claim"


def test_real_rq_worker_processes_a_queued_claim_once(runtime, redis_conn):
    seed(runtime)
    worker_runtime.install(runtime)
    claim_id = submit(runtime, receipt_png(NIP_A, 13))
    queue = ClaimQueue(redis_conn)
    assert queue.enqueue_processing(claim_id) is not None
    assert queue.enqueue_processing(claim_id) is None  # unique job id: still queued, not doubled
    assert Queue(OCR_QUEUE, connection=redis_conn).job_ids == [process_job_id(claim_id)]
    SimpleWorker([Queue(OCR_QUEUE, connection=redis_conn)], connection=redis_conn).work(burst=True)
    assert claim(runtime, claim_id).status == ClaimStatus.PENDING_REVIEW
    assert queue.enqueue_processing(claim_id) is not None  # a finished job id can be queued again...
    SimpleWorker([Queue(OCR_QUEUE, connection=redis_conn)], connection=redis_conn).work(burst=True)
    assert claim(runtime, claim_id).status == ClaimStatus.PENDING_REVIEW  # ...and changes nothing


def test_sweeper_queues_claims_whose_job_was_lost(sqlite_runtime, redis_conn):
    from datetime import timedelta

    seed(sqlite_runtime)
    claim_id = submit(sqlite_runtime, receipt_png(NIP_A, 14))  # stored, but never queued (Redis was down)
    queue = ClaimQueue(redis_conn)
    assert sweep(sqlite_runtime.sessions, queue, received_for=timedelta(0)) == 1
    assert Queue(OCR_QUEUE, connection=redis_conn).job_ids == [process_job_id(claim_id)]


def test_reviewer_correction_teaches_the_partner_name_so_the_next_receipt_matches_by_itself(sqlite_runtime):
    from claims.db.models import Product
    from claims.services.matches import correct_line_match
    from fixtures.documents import Item, make_receipt
    from fixtures.render import render_receipt_png

    rt = sqlite_runtime
    seed(rt)
    worker_runtime.install(rt)
    printed = "SUPER MIX XL 25KG"  # this partner's till name for the tile adhesive: matches nothing yet
    item = Item(printed, Decimal("2"), Decimal("39.99"), "A")
    known = Item("FUGA ELAST. SZARA 2KG", Decimal("1"), Decimal("24.50"), "A")
    items = (item, known)
    first = submit(rt, render_receipt_png(make_receipt(31, seller_nip=NIP_A, date=RECENT, items=items)))
    process_claim(first)
    line = claim(rt, first).lines[0]
    assert claim(rt, first).status == ClaimStatus.PENDING_REVIEW
    assert line["item"] == printed and not line["auto"]
    with rt.sessions() as session:
        adhesive = session.query(Product).filter_by(sku="KL-25").one()
    with transaction(rt.sessions) as session:
        corrected = correct_line_match(session, user(rt, "partner.a@example.com"), first, 0, adhesive.id)
    assert corrected["product_id"] == adhesive.id and corrected["method"] == "reviewer"

    second = submit(rt, render_receipt_png(make_receipt(32, seller_nip=NIP_A, date=RECENT, items=items)))
    process_claim(second)
    learned = claim(rt, second).lines[0]
    assert (learned["product_id"], learned["auto"]) == (adhesive.id, True)


def test_of_two_copies_of_one_receipt_only_the_later_is_a_duplicate_whatever_the_order(runtime):
    seed(runtime)
    worker_runtime.install(runtime)
    png = receipt_png(NIP_A, 41)
    original = submit(runtime, png)
    copy = submit(runtime, png, email="drugi@example.com")  # another account, same file
    process_claim(copy)  # the copy happens to be read first
    process_claim(original)
    assert claim(runtime, original).status == ClaimStatus.PENDING_REVIEW
    duplicate = claim(runtime, copy)
    assert duplicate.status == ClaimStatus.REJECTED
    assert "duplicate" in [r["code"] for r in duplicate.reasons]


def test_many_accounts_from_one_device_raise_the_velocity_signal(sqlite_runtime):
    from claims.services.intake import Upload

    rt = sqlite_runtime
    seed(rt)
    worker_runtime.install(rt)
    ids = []
    for number, email in enumerate(["uczestnik@example.com", "drugi@example.com", "uczestnik@example.com"]):
        with transaction(rt.sessions) as session:
            participant = participant_of(session, user(rt, email))
            upload = Upload("r.png", "image/png", receipt_png(NIP_A, 50 + number))
            ids.append(submit_claim(session, rt.blobs, participant, [upload], [], device_id="phone-1").id)
    with transaction(rt.sessions) as session:  # a third account on the same phone, and one on another phone
        from claims.services.accounts import NewParticipant, create_user

        third = create_user(session, email="trzeci@example.com", password="haslo-trzeciego", role="participant",
                            name="Trzeci", participant=NewParticipant("Firma 3", None))
        upload = Upload("r.png", "image/png", receipt_png(NIP_A, 60))
        last = submit_claim(session, rt.blobs, third.participant, [upload], [], device_id="phone-1").id
        upload = Upload("r.png", "image/png", receipt_png(NIP_A, 61))
        elsewhere = submit_claim(session, rt.blobs, third.participant, [upload], [], device_id="phone-2").id
    for claim_id in (*ids, last, elsewhere):
        process_claim(claim_id)
    assert "velocity_device" in [r["code"] for r in claim(rt, last).reasons]
    assert "velocity_device" not in [r["code"] for r in claim(rt, elsewhere).reasons]


def _ignores_sigterm() -> None:
    import signal
    import time

    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    time.sleep(120)


def test_worker_shutdown_kills_a_scheduler_that_does_not_stop(redis_conn):
    import multiprocessing
    import time
    from types import SimpleNamespace

    from paragon.worker import ParagonWorker

    stuck = multiprocessing.get_context("fork").Process(target=_ignores_sigterm, daemon=True)
    stuck.start()
    time.sleep(0.2)  # let it install its handler
    worker = ParagonWorker([Queue(OCR_QUEUE, connection=redis_conn)], connection=redis_conn)
    worker.scheduler, worker.scheduler_stop_seconds = SimpleNamespace(_process=stuck), 0.5
    worker.stop_scheduler()  # rq's own stop would wait as long as the process lives
    assert not stuck.is_alive() and stuck.exitcode == -9


def test_stop_requested_while_warming_up_reaches_rqs_work_loop(redis_conn, monkeypatch):
    """SIGTERM while the parent warms its caches raises rq's StopRequested there; it must not be swallowed."""
    from rq.exceptions import StopRequested

    import paragon.worker as worker_module
    from paragon.worker import ParagonWorker

    def stop() -> None:
        raise StopRequested()

    monkeypatch.setattr(worker_module, "_warm_catalogue", stop)
    worker = ParagonWorker([Queue(OCR_QUEUE, connection=redis_conn)], connection=redis_conn)
    worker._reader_warm = True
    with pytest.raises(StopRequested):
        worker.execute_job(None, None)


def test_stop_requested_wrapped_by_a_failing_database_cleanup_still_stops_the_worker(redis_conn, monkeypatch):
    """Raised inside a database call, StopRequested arrives as the driver's rollback error, with it as context."""
    from rq.exceptions import StopRequested

    import paragon.worker as worker_module
    from paragon.worker import ParagonWorker

    def broken_query() -> None:
        raise RuntimeError("the database is away")

    def interrupted_query_with_context() -> None:
        try:
            raise StopRequested()
        except StopRequested:
            raise RuntimeError("rollback failed: the connection is busy")  # noqa: B904 - as the driver does

    worker = ParagonWorker([Queue(OCR_QUEUE, connection=redis_conn)], connection=redis_conn)
    worker._reader_warm = True
    monkeypatch.setattr(worker_module, "_warm_catalogue", interrupted_query_with_context)
    with pytest.raises(StopRequested):
        worker.execute_job(None, None)
    monkeypatch.setattr(worker_module, "_warm_catalogue", broken_query)  # a real failure only costs time
    with pytest.raises(AttributeError):  # logged, and the job went ahead (here None: no job to run)
        worker.execute_job(None, None)


class _Listener:
    """A pub/sub listener thread as redis-py 8.2 has it: stop() joins, for as long as it is told to."""

    def __init__(self) -> None:
        self.stopped_with: list[float | None] = []

    def stop(self, timeout: float | None = None) -> None:
        self.stopped_with.append(timeout)


class _Channel:
    def __init__(self) -> None:
        self.calls: list[str] = []

    def unsubscribe(self) -> None:
        self.calls.append("unsubscribe")

    def close(self) -> None:
        self.calls.append("close")


def test_worker_leaves_its_command_channel_without_waiting_for_the_listeners_next_poll(redis_conn):
    """rq polls its command channel every 60 s and redis-py 8.2 joins the listener in stop(): bound the wait."""
    from paragon.worker import ParagonWorker

    worker = ParagonWorker([Queue(OCR_QUEUE, connection=redis_conn)], connection=redis_conn)
    worker.pubsub, worker.pubsub_thread = _Channel(), _Listener()
    worker.unsubscribe()
    assert worker.pubsub_thread.stopped_with == [worker.pubsub_stop_seconds] and worker.pubsub_stop_seconds <= 5
    assert worker.pubsub.calls == ["unsubscribe", "close"]
