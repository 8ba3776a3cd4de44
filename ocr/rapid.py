"""The second recognition engine: rapidocr (PP-OCRv6 detection and recognition, ONNX, on onnxruntime).

Its models ship inside the rapidocr wheel; they are named here by their paths in the installed package, so
nothing is ever downloaded (rapidocr would otherwise fetch a model it does not find). The engine is loaded
once per process (`preload`, called by `ocr.sandbox.warm_up` in the worker's parent) and runs on one thread,
like tesseract, so that one reader uses one core.

rapidocr returns text boxes (a phrase each, not words, not rows): each box is split into words at its spaces,
placed along the box in proportion to their characters, and the words are grouped into rows by position
(`ocr.lines.build_lines`), as the PDF text layer is.
"""

from __future__ import annotations

import threading
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from ocr.errors import EngineError
from ocr.geometry import Transform
from ocr.lines import build_lines
from ocr.model import Box, Line, Word

DETECTION_MODEL = "PP-OCRv6_det_small.onnx"
RECOGNITION_MODEL = "PP-OCRv6_rec_small.onnx"
DETECTION_SIDE = 960
_MIN_SCORE = 0.5  # rapidocr's own threshold for keeping a recognised box
_LOCK = threading.Lock()


def model_paths() -> dict[str, Path]:
    """Return the bundled model files by role; raise `EngineError` when the wheel lacks one."""
    try:
        folder = Path(str(resources.files("rapidocr"))) / "models"
    except ModuleNotFoundError as exc:
        raise EngineError("The second OCR engine (rapidocr) is not installed.") from exc
    paths = {"det": folder / DETECTION_MODEL, "rec": folder / RECOGNITION_MODEL}
    missing = [path.name for path in paths.values() if not path.is_file()]
    if missing:
        raise EngineError(f"rapidocr's bundled models are missing: {', '.join(missing)}.")
    return paths


def available() -> bool:
    """Tell whether rapidocr, onnxruntime and the bundled models are installed."""
    try:
        import onnxruntime  # noqa: F401

        model_paths()
    except (ImportError, EngineError):
        return False
    return True


@cache
def _engine() -> Any:  # noqa: ANN401 - rapidocr's engine has no public type
    """Load rapidocr once per process: bundled models only, one thread, no angle classifier."""
    try:
        from rapidocr import RapidOCR
    except ImportError as exc:
        raise EngineError("The second OCR engine (rapidocr) is not installed.") from exc
    paths = model_paths()
    params = {
        "Global.use_cls": False,  # pages reach it deskewed and upright
        "Global.log_level": "error",
        "Det.model_path": str(paths["det"]),
        "Rec.model_path": str(paths["rec"]),
        # detection on the page's longer side scaled to 960 px: a tenth of the time of the page's own size,
        # and fewer false boxes on patterned backgrounds; recognition still reads each box at full size
        "Det.limit_type": "max",
        "Det.limit_side_len": DETECTION_SIDE,
        "EngineConfig.onnxruntime.intra_op_num_threads": 1,
        "EngineConfig.onnxruntime.inter_op_num_threads": 1,
    }
    return RapidOCR(params=params)


def preload() -> None:
    """Load the engine and its models now (worker parents do, so forked readers share them)."""
    _engine()


def _as_bgr(image: np.ndarray) -> np.ndarray:
    """Return a 3-channel uint8 image (rapidocr's detector wants colour)."""
    if image.ndim == 2:
        return np.ascontiguousarray(np.repeat(image[:, :, None], 3, axis=2))
    return np.ascontiguousarray(image[:, :, :3])


def _run(image: np.ndarray, detect: bool) -> Any:  # noqa: ANN401 - rapidocr's output type
    """Run rapidocr on an image (detection and recognition, or recognition of one text line)."""
    engine = _engine()
    try:
        with _LOCK:  # an onnxruntime session is not shared between threads of one reader
            return engine(_as_bgr(image), use_det=detect, use_cls=False, use_rec=True)
    except Exception as exc:  # noqa: BLE001 - any failure inside the engine is an engine failure
        raise EngineError(f"rapidocr failed: {type(exc).__name__}") from exc


def box_words(text: str, score: float, quad: np.ndarray) -> list[Word]:
    """Split one detected text box into words placed along it in proportion to their characters.

    Args:
        text: the recognised text of the box.
        score: its recognition score (0..1), given to every word.
        quad: its four corners (x, y), clockwise from top-left, in image pixels.
    """
    xs, ys = quad[:, 0], quad[:, 1]
    x0, x1, y0, y1 = float(xs.min()), float(xs.max()), float(ys.min()), float(ys.max())
    length = max(1, len(text))
    words, start = [], 0
    for token in text.split(" "):
        if token:
            left = x0 + (x1 - x0) * start / length
            width = (x1 - x0) * len(token) / length
            words.append(Word(token, float(score), Box(left, y0, width, y1 - y0)))
        start += len(token) + 1
    return words


def read_lines(image: np.ndarray, to_page: Transform) -> tuple[Line, ...]:
    """Read a prepared page image and return its rows in page units (`to_page` maps image pixels there).

    Raises:
        EngineError: rapidocr is missing or failed.
    """
    result = _run(image, detect=True)
    boxes, texts, scores = result.boxes, result.txts, result.scores
    words: list[Word] = []
    if boxes is not None and texts:
        for quad, text, score in zip(boxes, texts, scores, strict=False):
            if score >= _MIN_SCORE and text.strip():
                words.extend(box_words(text.strip(), score, np.asarray(quad, dtype=float)))
    return build_lines(words, to_page.apply_box)


def read_line(image: np.ndarray) -> tuple[str, float]:
    """Recognise one cut-out text line (no detection) and return its text and score ("" when none)."""
    result = _run(image, detect=False)
    texts = result.txts or ()
    scores = result.scores or ()
    if not texts:
        return "", 0.0
    return str(texts[0]).strip(), float(scores[0])
