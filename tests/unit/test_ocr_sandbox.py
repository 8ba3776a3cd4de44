"""Isolated reading: errors cross the process boundary, limits reach tesseract, hung or crashing children die."""

from __future__ import annotations

import io
import signal
import sys
import time
from pathlib import Path

import pytest
from PIL import Image
from reportlab.pdfgen import canvas

from ocr import (
    CorruptFileError,
    EncryptedPdfError,
    EngineError,
    FileTooLargeError,
    ReaderConfig,
    ReadTimeoutError,
    UnsupportedFileError,
    read_document,
)
from ocr.sandbox import _reading_or_error, limits_for, read_document_forked, read_document_isolated

FAKE_TESSERACT = """#!{python}
import os, resource, signal, sys, time
with open({record!r}, "w") as out:
    out.write(" ".join(str(v) for v in (os.getpid(), os.getpgid(0), resource.getrlimit(resource.RLIMIT_AS)[0],
                                         resource.getrlimit(resource.RLIMIT_CPU)[0])))
mode = {mode!r}
if mode == "hang":
    time.sleep(600)
elif mode == "hog":
    hog = bytearray(64 << 30)
elif mode == "crash":
    os.kill(os.getppid(), signal.SIGSEGV)
    time.sleep(10)
sys.stdin.buffer.read()
print("level\\tpage_num\\tblock_num\\tpar_num\\tline_num\\tword_num\\tleft\\ttop\\twidth\\theight\\tconf\\ttext")
"""


def _fake_tesseract(tmp_path: Path, mode: str) -> tuple[ReaderConfig, Path]:
    """A stand-in engine that records its pid, group and limits, then behaves as `mode` says."""
    record = tmp_path / f"{mode}.txt"
    script = tmp_path / f"tesseract-{mode}"
    script.write_text(FAKE_TESSERACT.format(python=sys.executable, record=str(record), mode=mode))
    script.chmod(0o755)
    return ReaderConfig(tesseract_cmd=str(script), engine="cli", timeout_s=30, fallback_psm=None), record


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("L", (200, 80), 255).save(buffer, "PNG")
    return buffer.getvalue()


def _pdf(text: str, encrypt: str | None = None) -> bytes:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, encrypt=encrypt)
    pdf.drawString(72, 720, text)
    pdf.drawString(72, 700, "Do zaplaty: 123,00 PLN   NIP 526-025-09-95")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _gone(pid: int, within_s: float = 10.0) -> bool:
    """Wait (bounded) until `pid` has exited: no /proc entry, or a zombie awaiting its reaper."""
    stop = time.monotonic() + within_s
    while time.monotonic() < stop:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0]
        except (FileNotFoundError, ProcessLookupError, IndexError):
            return True
        if state in "ZX":
            return True
        time.sleep(0.05)
    return False


@pytest.fixture(params=["started", "forked"])
def sandboxed(request):
    """Both sandboxes: a fresh interpreter per document, and a child forked from the warm caller."""
    return read_document_isolated if request.param == "started" else read_document_forked


def test_reading_in_a_child_equals_reading_in_process(sandboxed):
    data = _pdf("Faktura VAT nr FV/7/2026")
    isolated, direct = sandboxed(data), read_document(data)
    assert isolated.to_dict()["pages"] == direct.to_dict()["pages"] and isolated.media_type == "application/pdf"


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (b"", CorruptFileError),
        (b"\x00not a document" * 10, UnsupportedFileError),
        (_pdf("tajne", encrypt="haslo"), EncryptedPdfError),
    ],
)
def test_reader_errors_cross_the_process_boundary(sandboxed, data, error):
    with pytest.raises(error) as raised:
        sandboxed(data)
    assert raised.value.message == error().message or raised.value.message


def test_tesseract_inherits_the_limits_and_the_childs_process_group(tmp_path, sandboxed):
    config, record = _fake_tesseract(tmp_path, "ok")
    sandboxed(_png(), config, memory_mb=900, cpu_seconds=17)
    pid, group, address_space, cpu = (int(v) for v in record.read_text().split())
    if sandboxed is read_document_isolated:
        assert address_space == 900 * 1024 * 1024
    else:  # a forked child may use 900 MB on top of the address space it inherited
        assert 900 * 1024 * 1024 < address_space < (900 + 8192) * 1024 * 1024
    assert cpu == 17
    assert group != pid  # tesseract stays in the sandbox child's group, which the parent kills


def test_hung_engine_is_killed_with_the_child(tmp_path, sandboxed):
    config, record = _fake_tesseract(tmp_path, "hang")
    with pytest.raises(ReadTimeoutError):
        sandboxed(_png(), config, timeout_s=5)
    assert _gone(int(record.read_text().split()[0]))


def test_engine_running_out_of_memory_is_too_large(tmp_path, sandboxed):
    config, _ = _fake_tesseract(tmp_path, "hog")
    with pytest.raises(FileTooLargeError):
        sandboxed(_png(), config, memory_mb=1024)


def test_crashing_child_is_an_engine_error_and_the_caller_survives(tmp_path, sandboxed):
    config, _ = _fake_tesseract(tmp_path, "crash")
    with pytest.raises(EngineError) as raised:
        sandboxed(_png(), config)
    assert "signal 11" in str(raised.value.__cause__)


@pytest.mark.parametrize(
    ("returncode", "stdout", "stderr", "error"),
    [
        (-signal.SIGXCPU, b"", b"", ReadTimeoutError),
        (-signal.SIGKILL, b"", b"", FileTooLargeError),
        (-signal.SIGABRT, b"", b"terminate called after throwing std::bad_alloc", FileTooLargeError),
        (-signal.SIGSEGV, b"", b"", EngineError),
        (1, b"", b"Traceback...\nMemoryError", FileTooLargeError),
        (1, b"", b"Traceback...\nImportError: no module", EngineError),
        (0, b"not json", b"", EngineError),
        (0, b'{"error": {"type": "NoSuchError"}}', b"", EngineError),
        (0, b'{"error": {"type": "CorruptFileError", "message": "The file is empty."}}', b"", CorruptFileError),
    ],
)
def test_child_exits_map_to_reader_errors(returncode, stdout, stderr, error):
    with pytest.raises(error):
        _reading_or_error(returncode, stdout, stderr)


def test_default_limits_follow_the_reader_budget():
    limits = limits_for(ReaderConfig(timeout_s=60))
    assert (limits.memory_mb, limits.cpu_seconds, limits.timeout_s) == (1024, 65, 70.0)
    assert limits_for(ReaderConfig(), memory_mb=512, cpu_seconds=2.5, timeout_s=9).cpu_seconds == 3


def test_reader_running_past_its_cpu_limit_in_a_forked_child_is_a_timeout():
    # a photo read again with another segmentation and the second engine: seconds of CPU, one allowed
    photo = (Path(__file__).resolve().parents[2] / "fixtures" / "samples" / "ksef-photo-stalbud.jpg").read_bytes()
    with pytest.raises(ReadTimeoutError):
        read_document_forked(photo, ReaderConfig(), cpu_seconds=1, timeout_s=30)
