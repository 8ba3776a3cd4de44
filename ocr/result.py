"""The JSON result of reading one uploaded file, as printed by `paragon extract FILE --json`."""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

from ocr.config import DEFAULT_CONFIG, ReaderConfig
from ocr.errors import OcrError
from ocr.formats import extract_fields
from ocr.quality import assess_quality
from ocr.reader import read_document
from vocabulary.fields import FIELD_NAMES


def _empty_result(filename: str) -> dict[str, Any]:
    """Return the result skeleton with every field present and empty."""
    return {
        "file": filename,
        "kind": "unknown",
        "fields": {name: None for name in FIELD_NAMES},
        "confidence": {name: 0.0 for name in FIELD_NAMES},
        "sure": [],
        "quality": {"ok": False, "problems": []},
        "error": None,
        "seconds": 0.0,
    }


def extract_file_result(data: bytes, filename: str, config: ReaderConfig = DEFAULT_CONFIG) -> dict[str, Any]:
    """Read and extract one uploaded file into the CLI/worker JSON shape; never raises for bad input.

    Image traits are not part of the result, so they are not computed (whatever `config.image_traits` says).

    Args:
        data: the raw file bytes.
        filename: the name to report (the type is sniffed from the bytes, not from this name).
        config: reader configuration.

    Returns:
        {"file", "kind", "fields": {name: value|None}, "confidence": {name: float}, "sure": [names],
        "quality": {"ok", "problems"}, "error": None | {"code", "message"}, "seconds": float}.
    """
    started = time.monotonic()
    result = _empty_result(filename)
    try:
        reading = read_document(data, replace(config, image_traits=False))
        extraction = extract_fields(reading)
    except OcrError as exc:
        result["error"] = exc.to_dict()
    except Exception:  # noqa: BLE001 - a malformed upload must not crash the caller
        result["error"] = OcrError().to_dict()
    else:
        result["kind"] = str(extraction.kind)
        for name, value in extraction.fields.items():
            result["fields"][name] = value.value
            result["confidence"][name] = round(value.confidence, 3)
        result["sure"] = [name for name in FIELD_NAMES if name in extraction.fields and extraction.fields[name].sure]
        result["quality"] = assess_quality(reading, extraction).to_dict()
    result["seconds"] = round(time.monotonic() - started, 3)
    return result
