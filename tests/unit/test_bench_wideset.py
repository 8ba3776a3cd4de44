"""The dev/held-out bench scores subsets side by side and keeps the held-out failures in its report file."""

from __future__ import annotations

from pathlib import Path

from bench.ocr_wideset import SplitResult, report_file, score_subsets, table
from paragon.evaluate import Document

LABELS = {"seller_nip": "1234563218", "date": "2025-03-26", "total": "12.30", "document_number": "4521",
          "vat_total": "2.30"}  # fmt: skip


def _result(split: str, wrong_total: str) -> SplitResult:
    documents = [Document(name, Path(name), dict(LABELS)) for name in
                 ("receipt_photo_000.jpg", "receipt_photo_001.jpg", "receipt_pdf_000.pdf", "invoice_pdf_000.pdf")]
    right = {"fields": dict(LABELS), "sure": ["total"], "seconds": 1.0}
    results = {d.name: right for d in documents}
    results["receipt_photo_001.jpg"] = {"fields": {**LABELS, "total": wrong_total}, "sure": ["total"], "seconds": 2.0}
    reports = score_subsets(documents, results)
    return SplitResult(split, reports, {"all": 4}, 1.0, 2.0)


def test_table_puts_both_splits_side_by_side_per_subset() -> None:
    text = table([_result("dev", "99.99"), _result("heldout", "88.88")])
    rows = [line for line in text.splitlines() if line.startswith("| receipt photos")]
    assert [row.split(" | ")[1] for row in rows] == ["dev", "heldout"]
    assert all("1/2 50.0%" in row and "50.0% of 2" in row for row in rows)  # total, and the wrong sure total
    assert "| invoices (1) | dev | 1/1 100.0%" in text


def test_held_out_failures_are_in_the_report_file_only() -> None:
    held_out = _result("heldout", "88.88")
    assert "88.88" not in table([held_out])
    report = report_file(held_out, jobs=2, scale=1.0)
    assert report["first_seed"] == 700_000 and report["subsets"]["receipt photos"]["documents"] == 2
    assert report["failures"] == [{"file": "receipt_photo_001.jpg", "error": None, "wrong": [
        {"field": "total", "expected": "12.30", "got": "88.88", "sure": True}]}]
