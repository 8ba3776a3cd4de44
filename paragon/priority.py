"""A worker's CPU priority, lowered before anything else runs in it (see `yield_to_the_web`)."""

from __future__ import annotations

import os

from claims.settings import Settings

_lowered: int | None = None


def yield_to_the_web(settings: Settings) -> int:
    """Lower this process's CPU priority by `WORKER_NICE` (inherited by the work horse and the reader children),
    so that on a shared machine an upload or a page waits for no OCR; returns the niceness now in force.

    Called by `paragon worker` before it imports the reader: the imports alone (OpenCV, tesseract, the ONNX
    runtime) take about 2 s of CPU per worker, and a worker started while participants upload must not take
    those seconds at the web app's priority. Lowered once per process: a second call changes nothing.
    """
    global _lowered
    if _lowered is None:
        _lowered = os.nice(settings.worker_nice)
    return _lowered
