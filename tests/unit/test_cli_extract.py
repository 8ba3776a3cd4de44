"""`paragon extract`: a missing path is said to be missing, any failed file makes the exit code non-zero, and the
unsupported-type message names every accepted type."""

from __future__ import annotations

import json

from ocr.errors import UnsupportedFileError
from ocr.formats import ALLOWED_UPLOAD_TYPES
from paragon.cli import main

NAMES = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WebP", "image/heic": "HEIC",
         "image/avif": "AVIF", "image/tiff": "TIFF", "application/pdf": "PDF", "application/xml": "XML"}


def test_a_missing_path_is_said_to_be_missing_and_fails(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("PARAGON_DATA_DIR", str(tmp_path))
    code = main(["extract", "--json", str(tmp_path / "nie-ma.jpg")])
    out = json.loads(capsys.readouterr().out)
    assert code != 0
    assert out["error"]["code"] == "not_found" and "no such file" in out["error"]["message"]
    assert "empty" not in out["error"]["message"]


def test_one_failed_file_among_several_makes_the_exit_code_non_zero(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("PARAGON_DATA_DIR", str(tmp_path))
    (tmp_path / "notes.txt").write_text("not a receipt")
    code = main(["extract", "--json", str(tmp_path / "notes.txt"), str(tmp_path)])
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert code != 0
    assert [line["error"]["code"] for line in lines] == ["unsupported_type", "not_a_file"]


def test_the_unsupported_type_message_lists_every_accepted_type():
    message = UnsupportedFileError().to_dict()["message"]
    assert set(NAMES) == set(ALLOWED_UPLOAD_TYPES), "a new accepted type: name it in the message"
    assert [name for name in NAMES.values() if name not in message] == []
