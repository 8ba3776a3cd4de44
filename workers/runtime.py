"""The worker process's runtime: built from settings on first use, rebuilt safely after rq forks."""

from __future__ import annotations

import os
from dataclasses import dataclass

from claims.runtime import Runtime, build_runtime
from claims.settings import Settings
from ocr import ReaderConfig


@dataclass
class WorkerRuntime:
    claims: Runtime
    reader: ReaderConfig
    pid: int


_current: WorkerRuntime | None = None


def reader_config(settings: Settings) -> ReaderConfig:
    """The OCR configuration for these settings."""
    return ReaderConfig(
        tesseract_cmd=settings.tesseract_cmd,
        engine=settings.ocr_engine,
        tessdata_dir=settings.tessdata_dir,
        languages=settings.ocr_languages,
        timeout_s=float(settings.ocr_timeout_seconds),
    )


def install(runtime: Runtime) -> WorkerRuntime:
    """Use `runtime` for jobs run in this process (the composition root and tests call this)."""
    global _current
    _current = WorkerRuntime(runtime, reader_config(runtime.settings), os.getpid())
    return _current


def current() -> WorkerRuntime:
    """This process's runtime; after a fork the inherited connection pool is dropped, not shared."""
    global _current
    if _current is None:
        return install(build_runtime(Settings.from_env()))
    if _current.pid != os.getpid():
        _current.claims.engine.dispose(close=False)
        _current.pid = os.getpid()
    return _current
