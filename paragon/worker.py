"""`paragon worker`: an rq worker on our queues, with our settings, one tesseract per process."""

from __future__ import annotations

import logging
import os
import signal

from rq import Queue, Worker
from rq.exceptions import StopRequested

from claims.runtime import build_runtime
from claims.services.notifications import install_notifier
from claims.services.rules import catalogue_index
from claims.settings import Settings
from ocr.sandbox import warm_up
from paragon.priority import yield_to_the_web
from paragon.redis_local import eviction_warning
from workers import runtime as worker_runtime
from workers.notify import queue_notifier
from workers.queues import QUEUES, ClaimQueue, wait_for_redis
from workers.sweeper import PeriodicSweep, sweep

log = logging.getLogger(__name__)


def run_worker(
    settings: Settings, queues: tuple[str, ...] = QUEUES, *, burst: bool = False, name: str | None = None
) -> None:
    """Work the queues until stopped (or until they are empty with `burst`).

    Redis unreachable, at the start or later, is waited out: the worker logs why, retries with a growing
    pause, and takes jobs again once Redis answers. Every worker runs the periodic sweep in the background
    (one of them sweeps per interval, elected through a Redis lock), so lost jobs need no operator.
    """
    os.environ["OMP_THREAD_LIMIT"] = "1"  # one core per worker; OpenMP threads made tesseract ~6x slower here
    yield_to_the_web(settings)  # already done by `paragon worker` before its imports; once per process
    _log_our_messages()
    runtime = build_runtime(settings)
    worker_runtime.install(runtime)
    sweeper: PeriodicSweep | None = None
    while True:
        redis = wait_for_redis(settings.redis_url)
        if warning := eviction_warning(redis):
            log.warning(warning)
        install_notifier(runtime.sessions, queue_notifier(redis))  # status e-mails go out via the default queue
        if burst:
            _sweep_once(runtime, redis, settings)
        elif sweeper is None and settings.sweep_interval_seconds > 0:
            sweeper = PeriodicSweep(settings, name or f"pid-{os.getpid()}")
            sweeper.start()
        runtime.engine.dispose()  # the work horse forks: let each child open its own connections
        worker = ParagonWorker([Queue(name_, connection=redis) for name_ in queues], connection=redis, name=name,
                               job_monitoring_interval=settings.worker_heartbeat_seconds)
        worker.work(burst=burst, with_scheduler=True, logging_level="INFO")
        if burst or worker._shutdown_requested_date is not None:  # asked to stop (a signal or rq command)
            return
        log.warning("worker %s stopped without being asked (Redis lost?); starting again", worker.name)
        name = None  # the old name may still be registered until its key expires


def _log_our_messages() -> None:
    """Our own INFO lines (the sweeper's, the Redis waits) beside rq's, which rq sets up for its loggers only."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    for name in ("workers", "paragon", "claims"):
        logger = logging.getLogger(name)
        if not logger.handlers:
            logger.addHandler(handler)
            logger.setLevel(logging.INFO)
            logger.propagate = False


def _sweep_once(runtime, redis, settings: Settings) -> None:
    requeued = sweep(runtime.sessions, ClaimQueue(redis, settings.job_timeout_seconds))
    if requeued:
        log.info("sweeper queued %d claims whose jobs were lost", requeued)


class ParagonWorker(Worker):
    """rq's forking worker that keeps the catalogue index and the reader warm in the parent, so every job
    inherits them instead of rebuilding the index (seconds for a large catalogue) and loading tesseract's
    models (a quarter of a second for every document)."""

    _reader_warm = False
    scheduler_stop_seconds = 5.0

    pubsub_stop_seconds = 1.0

    def unsubscribe(self):
        """Leave the worker's command channel without waiting for its listener thread's next poll.

        rq listens with a 60 s poll and, on stop, waits a second for the thread; redis-py 8.2's
        `PubSubWorkerThread.stop()` now joins that thread itself, without limit, so every warm shutdown
        took up to a minute. The listener is a daemon thread: a bounded wait is enough.
        """
        if not self.pubsub_thread:
            return
        self.log.info("Worker %s: unsubscribing from channel %s", self.name, self.pubsub_channel_name)
        self.pubsub.unsubscribe()
        try:
            self.pubsub_thread.stop(timeout=self.pubsub_stop_seconds)
        except TypeError:  # redis-py before 8.2: stop() only clears the flag
            self.pubsub_thread.stop()
            self.pubsub_thread.join(timeout=self.pubsub_stop_seconds)
        self.pubsub.close()

    def stop_scheduler(self):
        """Stop the scheduler process, killing it when it does not stop within a few seconds.

        rq asks it to stop and then waits without limit (rq issue #2201); a scheduler forked while the
        worker's pub/sub thread held a lock can hang, and the worker then never exits on a warm shutdown.
        Its Redis locks expire on their own and another worker's scheduler takes over.
        """
        process = getattr(self.scheduler, "_process", None)
        if process is None or not process.pid:
            return
        try:
            os.kill(process.pid, signal.SIGTERM)
        except OSError:
            pass
        process.join(self.scheduler_stop_seconds)
        if process.is_alive():
            log.warning("scheduler process %s did not stop; killing it", process.pid)
            process.kill()
            process.join(self.scheduler_stop_seconds)

    def execute_job(self, job, queue):
        """Warm the reader (once) and the catalogue index in this parent, then fork the job as rq does.

        A SIGTERM arriving meanwhile raises rq's StopRequested here: it must reach rq's work loop (swallowed
        as a failed warm-up, the worker used to go on taking jobs until its cold shutdown).
        """
        if not self._reader_warm:
            self._warm("could not load the reader ahead of the jobs", warm_up, worker_runtime.current().reader)
            self._reader_warm = True
        self._warm("could not warm the catalogue index", _warm_catalogue)
        return super().execute_job(job, queue)

    @staticmethod
    def _warm(failure: str, warm, *args) -> None:
        """Run a warm-up; a failure only costs time (the job reports real failures), a stop request passes.

        The StopRequested may come back wrapped: raised inside a database call, the driver's clean-up
        (a rollback on the interrupted connection) fails in turn and that error is what arrives here.
        """
        try:
            warm(*args)
        except Exception as exc:
            if _stop_requested(exc):
                raise StopRequested() from exc
            log.warning(failure, exc_info=True)


def _stop_requested(exc: BaseException | None) -> bool:
    """Tell whether rq's StopRequested is the exception or anywhere in its chain of causes and contexts."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, StopRequested):
            return True
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return False


def _warm_catalogue() -> None:
    """Build the catalogue index in this process (rebuilt only when the catalogue changed)."""
    runtime = worker_runtime.current().claims
    with runtime.sessions() as session:
        catalogue_index(session)
    runtime.engine.dispose()  # no connection crosses the fork
