"""Run the tesseract command-line engine as a subprocess and parse its TSV output."""

from __future__ import annotations

import functools
import subprocess
import time

import numpy as np

from ocr import engine
from ocr.config import ReaderConfig
from ocr.errors import EngineError, ReadTimeoutError
from ocr.model import Box, Word

_NOT_FOUND_CODES = (126, 127)
_TSV_COLUMNS = 12


def build_command(config: ReaderConfig, psm: int | None = None) -> list[str]:
    """Return the argv that reads an image (PGM) from stdin and writes TSV to stdout with one OpenMP thread."""
    return [
        "env",
        "OMP_THREAD_LIMIT=1",
        config.tesseract_cmd,
        "stdin",
        "stdout",
        "-l",
        config.languages,
        "--psm",
        str(config.psm if psm is None else psm),
        "--dpi",
        "300",
        "tsv",
    ]


def encode_image(image: np.ndarray) -> bytes:
    """Encode a uint8 image as binary PGM (grey) or PPM (RGB) for tesseract's stdin.

    Uncompressed on purpose: nothing to compress or decompress (PNG encoding cost 2-5% of a read), and
    tesseract's output is byte-identical to reading the same pixels from a PNG.
    """
    if image.dtype != np.uint8 or image.ndim not in (2, 3) or (image.ndim == 3 and image.shape[2] != 3):
        raise EngineError("The image could not be prepared for text recognition.")
    magic = b"P5" if image.ndim == 2 else b"P6"
    height, width = image.shape[:2]
    return b"%s\n%d %d\n255\n" % (magic, width, height) + np.ascontiguousarray(image).tobytes()


def _kill(process: subprocess.Popen[bytes]) -> None:
    """Kill tesseract (`env` execs it, so it is the child itself) and reap it.

    Tesseract stays in its caller's process group on purpose: whoever supervises the caller (the
    sandbox parent, rq's work-horse monitor) kills that group and tesseract goes with it.
    """
    try:
        process.kill()
    except (ProcessLookupError, PermissionError):
        pass
    try:
        process.communicate(timeout=5)
    except subprocess.TimeoutExpired:
        pass


@functools.cache
def _tessdata(config: ReaderConfig) -> str | None:
    """Return the traineddata folder the in-process engine uses, or None to use the command line."""
    if config.engine == "cli" or not engine.available():
        return None
    return config.tessdata_dir or engine.find_tessdata(config.tesseract_cmd, config.languages)


def preload(config: ReaderConfig) -> None:
    """Load the in-process engine's models now (a no-op for the command line)."""
    tessdata = _tessdata(config)
    if tessdata is not None:
        engine.load(tessdata, config.languages)


def run_tesseract(image: np.ndarray, config: ReaderConfig, timeout_s: float, psm: int | None = None) -> str:
    """Recognise `image` with tesseract and return its raw TSV output.

    The in-process engine (`ocr.engine`) is used unless `config.engine` is "cli" or it cannot be loaded
    ("auto" then falls back to the command line; "api" fails).

    Args:
        image: the prepared greyscale (or RGB) uint8 image.
        config: engine command, languages and page-segmentation mode.
        timeout_s: seconds allowed for this call; tesseract is killed when exceeded.
        psm: page-segmentation mode overriding `config.psm`.

    Returns:
        The TSV text tesseract printed.

    Raises:
        ReadTimeoutError: tesseract ran longer than `timeout_s`.
        EngineError: tesseract is missing, crashed or exited with an error.
    """
    if timeout_s <= 0:
        raise ReadTimeoutError()
    tessdata = _tessdata(config)
    if tessdata is not None:
        return engine.recognise(image, tessdata, config.languages, config.psm if psm is None else psm, timeout_s)
    if config.engine == "api":
        raise EngineError() from RuntimeError("the in-process tesseract (tesserocr) or its language data is missing")
    payload = encode_image(image)
    try:
        process = subprocess.Popen(
            build_command(config, psm),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
    except OSError as exc:
        raise EngineError() from exc
    try:
        stdout, stderr = process.communicate(payload, timeout=timeout_s)
    except subprocess.TimeoutExpired as exc:
        _kill(process)
        raise ReadTimeoutError() from exc
    except BaseException:
        _kill(process)
        raise
    if process.returncode != 0:
        detail = stderr.decode("utf-8", "replace").strip()[-500:]
        raise EngineError() from RuntimeError(f"tesseract exit {process.returncode}: {detail}")
    return stdout.decode("utf-8", "replace")


def parse_tsv(tsv: str) -> list[Word]:
    """Parse tesseract TSV into words (level-5 rows with text), confidence scaled to 0..1.

    Args:
        tsv: the TSV text as printed by `tesseract ... tsv`.

    Returns:
        Words in the order tesseract printed them, with boxes in the recognised image's pixels.
    """
    words: list[Word] = []
    for row in tsv.splitlines():
        cells = row.split("\t")
        if len(cells) < _TSV_COLUMNS or cells[0] != "5":
            continue
        text = "\t".join(cells[11:]).strip()
        if not text:
            continue
        try:
            block, paragraph, line = int(cells[2]), int(cells[3]), int(cells[4])
            left, top, width, height = (float(c) for c in cells[6:10])
            confidence = float(cells[10])
        except ValueError:
            continue
        conf = round(min(1.0, max(0.0, confidence / 100.0)), 3)
        words.append(Word(text, conf, Box(left, top, width, height), block, paragraph, line))
    return words


def deadline_left(deadline: float) -> float:
    """Return the seconds left until the monotonic `deadline`."""
    return deadline - time.monotonic()
