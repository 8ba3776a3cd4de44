"""tesseract in this process (tesserocr): the language models are loaded once per process, not per reading.

The command-line engine (`ocr.tesseract.run_tesseract` with ``engine="cli"``) starts a process and loads
the pol+eng models (about 0.25 s of CPU) for every pass; a document read with a second opinion and a few
re-read rows paid that five to seven times. Here one `PyTessBaseAPI` per (data folder, languages) stays
loaded in the process; each reading costs only its recognition. The output is the same TSV the command
line prints, so everything after it is shared.

A reading is bounded by tesseract's own timeout (recognition is cancelled cooperatively); the sandbox's
wall clock and CPU limit (`ocr.sandbox`) stop anything that does not return.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import subprocess
from pathlib import Path
from typing import Any

import numpy as np

from ocr.errors import EngineError, ReadTimeoutError

_DPI = 300  # what the command line is told with --dpi: the images are scaled to ~30 px characters
#: Where Debian, Ubuntu, Fedora, Alpine and Homebrew put the language data; tried in this order.
KNOWN_TESSDATA = (
    "/usr/share/tesseract-ocr/5/tessdata",
    "/usr/share/tesseract-ocr/4.00/tessdata",
    "/usr/share/tessdata",
    "/usr/local/share/tessdata",
    "/opt/homebrew/share/tessdata",
)
_LEPTONICA_SEVERITY_NONE = 6  # L_SEVERITY_NONE in leptonica's environ.h
_apis: dict[tuple[str, str], Any] = {}


def available() -> bool:
    """Tell whether the in-process engine can be used (the tesserocr module imports)."""
    try:
        import tesserocr  # noqa: F401
    except ImportError:
        return False
    return True


def find_tessdata(tesseract_cmd: str = "tesseract", languages: str = "pol+eng") -> str | None:
    """Return the folder holding the traineddata files for `languages`, or None when none is found.

    The command-line tesseract says where its data lives (``--list-langs``); without it the usual
    install locations are tried.
    """
    wanted = [lang for lang in languages.split("+") if lang]
    candidates: list[str] = []
    try:
        listing = subprocess.run([tesseract_cmd, "--list-langs"], capture_output=True, text=True, timeout=10)
        first = (listing.stdout or listing.stderr).splitlines()[:1]
        if first and '"' in first[0]:
            candidates.append(first[0].split('"')[1])
    except (OSError, subprocess.SubprocessError):
        pass
    candidates.extend(KNOWN_TESSDATA)
    for folder in candidates:
        if all((Path(folder) / f"{lang}.traineddata").is_file() for lang in wanted):
            return folder.rstrip("/")
    return None


def _quiet_leptonica() -> None:
    """Stop leptonica printing its warnings ("Error in boxClipToRectangle") on this process's stderr.

    The command line printed them into its own stderr, which nobody reads; in this process they would
    land in the worker's log for every sparse-text pass.
    """
    name = ctypes.util.find_library("lept") or ctypes.util.find_library("leptonica")
    if name is None:
        return
    try:
        ctypes.CDLL(name).setMsgSeverity(_LEPTONICA_SEVERITY_NONE)
    except (OSError, AttributeError):
        pass


def _api(tessdata: str, languages: str) -> Any:
    """Return this process's engine for the data folder and languages, loading the models on first use."""
    key = (tessdata, languages)
    if key not in _apis:
        import tesserocr

        _quiet_leptonica()

        try:
            _apis[key] = tesserocr.PyTessBaseAPI(path=tessdata.rstrip("/") + "/", lang=languages)
        except RuntimeError as exc:  # missing or unreadable traineddata
            raise EngineError() from exc
    return _apis[key]


def load(tessdata: str, languages: str) -> None:
    """Load the models for the data folder and languages into this process (forked children share them)."""
    _api(tessdata, languages)


def recognise(image: np.ndarray, tessdata: str, languages: str, psm: int, timeout_s: float) -> str:
    """Recognise a greyscale or RGB uint8 image and return tesseract's TSV (words with boxes and confidence).

    Args:
        image: the prepared page or row.
        tessdata: the folder with the traineddata files.
        languages: tesseract languages, e.g. "pol+eng".
        psm: page-segmentation mode.
        timeout_s: seconds allowed for recognition.

    Returns:
        TSV rows as `ocr.tesseract.parse_tsv` reads them.

    Raises:
        ReadTimeoutError: recognition ran out of time.
        EngineError: the engine is missing or failed.
    """
    if timeout_s <= 0:
        raise ReadTimeoutError()
    if image.dtype != np.uint8 or image.ndim not in (2, 3) or (image.ndim == 3 and image.shape[2] != 3):
        raise EngineError("The image could not be prepared for text recognition.")
    api = _api(tessdata, languages)
    pixels = np.ascontiguousarray(image)
    height, width = pixels.shape[:2]
    channels = 1 if pixels.ndim == 2 else 3
    api.SetPageSegMode(psm)
    api.SetImageBytes(pixels.tobytes(), width, height, channels, width * channels)
    api.SetSourceResolution(_DPI)
    try:
        finished = api.Recognize(timeout=max(1, int(timeout_s * 1000)))
    except RuntimeError as exc:
        raise EngineError() from exc
    if not finished:
        api.Clear()
        raise ReadTimeoutError()
    tsv = api.GetTSVText(0) or ""
    api.Clear()
    return tsv
