"""`paragon eval` end to end: a few generated photo-set documents read with tesseract and scored."""

from __future__ import annotations

import json
import shutil

import pytest

from fixtures.photoset import build_photoset, write_photoset
from paragon.cli import main

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract is not installed"),
]


def test_photoset_is_deterministic_and_labelled():
    first = [(s.name, s.data) for s in build_photoset(photos=2, pdfs=2, invoices=1, handheld=1)]
    second = [(s.name, s.data) for s in build_photoset(photos=2, pdfs=2, invoices=1, handheld=1)]
    assert first == second and first[-1][0] == "handheld_photo_000.jpg"
    labels = next(build_photoset(photos=1, pdfs=0, invoices=0, handheld=0)).labels
    assert {"seller_nip", "date", "total", "kind"} <= labels.keys()
    bent = next(build_photoset(photos=0, pdfs=0, invoices=0, handheld=1)).labels["damage"]
    assert 0.02 <= bent["bend"] <= 0.06 and bent["background"] in ("cloth", "counter", "table")


def test_eval_command_scores_a_small_photo_set(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PARAGON_DATA_DIR", str(tmp_path / "var"))
    folder = tmp_path / "set"
    assert write_photoset(folder, photos=1, pdfs=2, invoices=1, handheld=0) == 4
    code = main(["eval", str(folder), "--format", "paragon", "--jobs", "2", "--json", "--failures",
                 "--fields", "seller_nip,date,total"])
    assert code == 0
    captured = capsys.readouterr()
    report = json.loads(captured.out)
    assert report["documents"] == 4 and report["errors"] == 0
    assert set(report["fields"]) == {"seller_nip", "date", "total"}
    assert report["fields"]["total"]["right"] == 4
    assert report["sure_precision"] == 1.0
    assert "4/4" in captured.err  # the progress bar
