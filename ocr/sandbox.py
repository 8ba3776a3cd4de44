"""Read a document in a child process with memory and CPU limits and a wall-clock timeout.

One hostile or unlucky upload (a decompression bomb, a PDF that sends a parser into a loop, a crash in a
C library) then costs a child process, never the worker. The child is a fresh `python -I` running
`ocr.sandbox.main`: the upload arrives on stdin, the limits and the `ReaderConfig` on the command line,
and the reading (or the reader's error) leaves as JSON on stdout. The child applies RLIMIT_AS and
RLIMIT_CPU to itself before touching the data; tesseract, its grandchild, inherits both and stays in
the child's process group, so killing that group on timeout stops everything.

`read_document_forked` gives each document the same kind of fresh, limited process, forked from the caller
instead of started cold: the interpreter, the libraries and tesseract's language models (`warm_up`) are
already in memory, so a read costs milliseconds of start-up instead of ~0.4 s. The worker uses it; its rq
parent warms up once and every job inherits the warm state.

Run by hand: `python -m ocr.sandbox [--memory-mb N] [--cpu-seconds S] < upload.jpg`.
"""

from __future__ import annotations

import argparse
import dataclasses
import faulthandler
import json
import math
import os
import resource
import select
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ocr.config import DEFAULT_CONFIG, ReaderConfig
from ocr.errors import (
    CorruptFileError,
    EncryptedPdfError,
    EngineError,
    FileTooLargeError,
    ForbiddenXmlError,
    OcrError,
    ReadTimeoutError,
    UnsupportedFileError,
)
from ocr.model import DocumentReading

_ERRORS: dict[str, type[OcrError]] = {
    cls.__name__: cls
    for cls in (
        OcrError,
        CorruptFileError,
        EncryptedPdfError,
        EngineError,
        ForbiddenXmlError,
        FileTooLargeError,
        ReadTimeoutError,
        UnsupportedFileError,
    )
}
#: One thread everywhere: the OCR box has few cores and runs several readers side by side.
_ONE_THREAD = ("OMP_THREAD_LIMIT=1", "OMP_NUM_THREADS=1", "OPENBLAS_NUM_THREADS=1")
_BOOT = "import sys; sys.path.insert(0, sys.argv[1]); from ocr.sandbox import main; sys.exit(main(sys.argv[2:]))"
_OUT_OF_MEMORY = ("MemoryError", "Cannot allocate memory", "bad_alloc", "Insufficient memory", "Failed to allocate")
STARTUP_S = 10.0  # wall-clock allowance for the interpreter start and imports (~0.3 s when idle)
CPU_MARGIN_S = 5.0  # CPU-seconds on top of the reader's own time budget


@dataclass(frozen=True)
class Limits:
    """What one isolated read may use."""

    memory_mb: int
    cpu_seconds: int
    timeout_s: float


def limits_for(
    config: ReaderConfig, memory_mb: int = 1024, cpu_seconds: float | None = None, timeout_s: float | None = None
) -> Limits:
    """Return the limits for a read with `config`: by default the reader's budget plus start-up margins."""
    cpu = cpu_seconds if cpu_seconds is not None else config.timeout_s + CPU_MARGIN_S
    wall = timeout_s if timeout_s is not None else config.timeout_s + STARTUP_S
    return Limits(memory_mb=int(memory_mb), cpu_seconds=max(1, math.ceil(cpu)), timeout_s=float(wall))


def read_document_isolated(
    data: bytes,
    config: ReaderConfig = DEFAULT_CONFIG,
    *,
    memory_mb: int = 1024,
    cpu_seconds: float | None = None,
    timeout_s: float | None = None,
    python: str | None = None,
) -> DocumentReading:
    """Run `ocr.reader.read_document` in a child process and return its reading.

    Args:
        data: the raw bytes of the upload.
        config: reader configuration, passed to the child.
        memory_mb: address-space limit (RLIMIT_AS) of the child and of each tesseract it starts.
        cpu_seconds: CPU limit (RLIMIT_CPU) per process; default `config.timeout_s` + 5 s.
        timeout_s: wall-clock limit for the whole child; default `config.timeout_s` + 10 s.
        python: the interpreter to run the child with (default: the current one).

    Returns:
        The `DocumentReading`, equal to what `read_document` returns in-process.

    Raises:
        The reader's own `OcrError`s (unsupported, corrupt, encrypted, too large, timeout, engine), and:
        ReadTimeoutError: the child exceeded the wall clock or its CPU limit (it is killed).
        FileTooLargeError: the child ran out of memory under its address-space limit.
        EngineError: the child crashed or failed in an unexpected way.
    """
    limits = limits_for(config, memory_mb, cpu_seconds, timeout_s)
    try:
        process = subprocess.Popen(
            _command(config, limits, python or sys.executable),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
    except OSError as exc:
        raise EngineError() from exc
    try:
        stdout, stderr = process.communicate(data, timeout=limits.timeout_s)
    except subprocess.TimeoutExpired:
        raise ReadTimeoutError() from None
    finally:
        _kill_group(process)  # on timeout, errors and success alike: stray grandchildren go with the group
    return _reading_or_error(process.returncode, stdout, stderr)


def warm_up(config: ReaderConfig = DEFAULT_CONFIG) -> None:
    """Load what every read needs (the reader's libraries and tesseract's models) into this process.

    Processes forked from this one afterwards (`read_document_forked`, rq's work horses) share it.
    """
    import cv2  # noqa: F401
    import pypdfium2  # noqa: F401

    import ocr.reader  # noqa: F401
    from ocr.tesseract import preload

    preload(config)


def read_document_forked(
    data: bytes,
    config: ReaderConfig = DEFAULT_CONFIG,
    *,
    memory_mb: int = 1024,
    cpu_seconds: float | None = None,
    timeout_s: float | None = None,
) -> DocumentReading:
    """Run `ocr.reader.read_document` in a forked child with limits and return its reading.

    The child starts with this process's memory (warm libraries and models), puts itself in its own
    process group, dies with its parent, and limits itself: `memory_mb` of address space on top of what it
    inherited, `cpu_seconds` of CPU. Its reading (or error) comes back through a pipe, its stderr through
    a temporary file. Same arguments, results and errors as `read_document_isolated`.
    """
    limits = limits_for(config, memory_mb, cpu_seconds, timeout_s)
    with tempfile.TemporaryFile() as errors:
        read_end, write_end = os.pipe()
        try:
            pid = os.fork()
        except OSError as exc:
            os.close(read_end)
            os.close(write_end)
            raise EngineError() from exc
        if pid == 0:  # the child: never returns
            os.close(read_end)
            _forked_child(data, config, limits, write_end, errors.fileno())
        os.close(write_end)
        try:
            stdout, status = _collect(pid, read_end, time.monotonic() + limits.timeout_s)
        finally:
            os.close(read_end)
            _kill_forked(pid)
        errors.seek(0)
        stderr = errors.read()[-4000:]
    return _reading_or_error(status, stdout, stderr)


def _forked_child(data: bytes, config: ReaderConfig, limits: Limits, out: int, err: int) -> None:
    """Read in the forked child and leave with os._exit: nothing of the parent's cleanup may run here."""
    code = 70
    try:
        faulthandler.disable()  # the caller's crash reporter would print the child's crash into its output
        os.setpgid(0, 0)
        os.dup2(err, 2)
        _die_with_parent()
        _apply_limits(_inherited_mb() + limits.memory_mb, limits.cpu_seconds)
        payload = json.dumps(_read(data, config)).encode()
        view = memoryview(payload)
        while view:
            view = view[os.write(out, view) :]
        code = 0
    except BaseException:  # noqa: BLE001 - reported by the exit code; the parent maps it to an engine error
        code = 70
    finally:
        os._exit(code)


def _inherited_mb() -> int:
    """Return this process's current address space (VmSize) in MB: the fork's starting point."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmSize:"):
            return int(line.split()[1]) // 1024 + 1
    return 0


def _collect(pid: int, fd: int, deadline: float) -> tuple[bytes, int]:
    """Read the child's output until it closes the pipe, then reap it; return (output, returncode).

    The returncode is negative for a signal, as with subprocess. Raises ReadTimeoutError at the deadline.
    """
    chunks: list[bytes] = []
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise ReadTimeoutError()
        ready, _, _ = select.select([fd], [], [], left)
        if ready:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return b"".join(chunks), os.waitstatus_to_exitcode(status)
        if time.monotonic() >= deadline:
            raise ReadTimeoutError()
        time.sleep(0.005)


def _kill_forked(pid: int) -> None:
    """Kill the forked child's process group (it and any tesseract command it ran) and reap the child."""
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass


def _command(config: ReaderConfig, limits: Limits, python: str) -> list[str]:
    """Return the child's argv: one-thread environment, isolated interpreter, limits and configuration."""
    root = str(Path(__file__).resolve().parents[1])
    return [
        "env",
        *_ONE_THREAD,
        python,
        "-I",
        "-c",
        _BOOT,
        root,
        "--memory-mb",
        str(limits.memory_mb),
        "--cpu-seconds",
        str(limits.cpu_seconds),
        "--config",
        json.dumps(dataclasses.asdict(config)),
    ]


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    """Kill the child's process group (the child and any tesseract it started) and reap the child."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        process.communicate(timeout=5)
    except (subprocess.TimeoutExpired, ValueError, OSError):
        pass


def _reading_or_error(returncode: int, stdout: bytes, stderr: bytes) -> DocumentReading:
    """Turn the child's exit into a reading, or raise the matching `OcrError`."""
    detail = stderr.decode("utf-8", "replace").strip()[-2000:]
    if returncode < 0:
        raise _signal_error(-returncode) from RuntimeError(f"reader child killed by signal {-returncode}: {detail}")
    try:
        result = json.loads(stdout) if returncode == 0 else None
    except ValueError:
        result = None
    if not isinstance(result, dict):
        error = FileTooLargeError() if any(m in detail for m in _OUT_OF_MEMORY) else EngineError()
        raise error from RuntimeError(f"reader child exit {returncode}: {detail}")
    if "reading" in result:
        return DocumentReading.from_dict(result["reading"])
    raise _error_from(result.get("error") or {})


def _signal_error(number: int) -> OcrError:
    """Map the signal that killed the child: CPU limit -> timeout, out of memory -> too large, else engine."""
    if number == signal.SIGXCPU:
        return ReadTimeoutError()
    if number in (signal.SIGKILL, signal.SIGABRT):
        # SIGKILL is not ours (we raise on our own timeout): the kernel's OOM killer. SIGABRT: C and C++
        # libraries (pdfium, libheif, tesseract's bad_alloc) abort when RLIMIT_AS refuses them memory.
        return FileTooLargeError()
    return EngineError()


def _error_from(error: dict[str, Any]) -> OcrError:
    """Rebuild the reader error the child reported (unknown names become `EngineError`)."""
    cls = _ERRORS.get(str(error.get("type")), EngineError)
    exc = cls(str(error["message"])) if error.get("message") else cls()
    if error.get("detail"):
        exc.__cause__ = RuntimeError(str(error["detail"]))
    return exc


# --------------------------------------------------------------------------- the child


def _die_with_parent() -> None:
    """Ask Linux to kill this child if the worker that started it dies (no orphan reads left running)."""
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() == 1:  # the parent was already gone before the request took effect
        os._exit(1)


def _apply_limits(memory_mb: int, cpu_seconds: int) -> None:
    """Limit this process (and what it starts): address space, CPU time, no core files."""
    memory = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 2))  # SIGXCPU, then SIGKILL
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _read(data: bytes, config: ReaderConfig) -> dict[str, Any]:
    """Read the document, returning {"reading": ...} or {"error": {"type", "message"[, "detail"]}}."""
    from ocr.reader import read_document

    try:
        return {"reading": read_document(data, config).to_dict()}
    except OcrError as exc:
        if isinstance(exc, EngineError) and any(m in str(exc.__cause__) for m in _OUT_OF_MEMORY):
            return {"error": {"type": FileTooLargeError.__name__, "detail": str(exc.__cause__)[:500]}}
        return {"error": {"type": type(exc).__name__, "message": exc.message}}
    except MemoryError:
        return {"error": {"type": FileTooLargeError.__name__, "detail": "MemoryError"}}
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which raises EngineError
        text = f"{type(exc).__name__}: {exc}"[:500]
        kind = FileTooLargeError if any(m in text for m in _OUT_OF_MEMORY) else EngineError
        return {"error": {"type": kind.__name__, "detail": text}}


def _parse(argv: list[str] | None) -> argparse.Namespace:
    """Parse the child's command line."""
    parser = argparse.ArgumentParser(prog="python -m ocr.sandbox", description="Read one upload from stdin.")
    parser.add_argument("--memory-mb", type=int, default=1024)
    parser.add_argument("--cpu-seconds", type=int, default=math.ceil(DEFAULT_CONFIG.timeout_s + CPU_MARGIN_S))
    parser.add_argument("--config", default="{}", help="ReaderConfig fields as JSON")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Child entry point: apply the limits, read stdin, print the reading or the error as JSON."""
    import cv2

    _die_with_parent()
    args = _parse(argv)
    config = ReaderConfig(**json.loads(args.config))
    cv2.setNumThreads(1)
    _apply_limits(args.memory_mb, args.cpu_seconds)
    data = sys.stdin.buffer.read()
    sys.stdout.write(json.dumps(_read(data, config)))
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
