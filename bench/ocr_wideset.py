"""Reading accuracy on the widened generator, dev and held-out side by side: ``python -m bench.ocr_wideset``.

``python -m bench.ocr_wideset --jobs 2`` writes both splits of `fixtures.wideset` to temporary folders
(with `--jobs` processes), reads every document with the reader the CLI uses (`--jobs` worker processes,
one tesseract thread each) and prints, per field (seller NIP, date, total, document number, VAT total) and
for `sure` precision, one row per split for all documents, for the receipt photos alone, for the other
receipts (prints and PDFs), for the shop apps' screenshots and for the invoices.

The held-out split is for measuring only: its failures go to the report file (``--reports``, default
``var/bench/wideset-heldout.json``) and nowhere else, so nobody tunes the reader to them one by one.
``--dev-failures`` prints the dev split's failures, which are there to be looked at.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fixtures.wideset import SPLITS
from paragon.evaluate import Document, Progress, Report, build_report, load_documents, run_documents

FIELDS = ("seller_nip", "date", "total", "document_number", "vat_total")
HEADERS = ("seller NIP", "date", "total", "document no.", "VAT total")
SUBSETS: dict[str, Callable[[str], bool]] = {
    "all": lambda _name: True,
    "receipt photos": lambda name: name.startswith("receipt_photo_"),
    "receipts, other": lambda name: name.startswith(("receipt_print_", "receipt_pdf_")),
    "app screenshots": lambda name: name.startswith("receipt_screen_"),
    "invoices": lambda name: name.startswith("invoice_"),
}


@dataclass(frozen=True)
class SplitResult:
    """One split's scores per subset, and how long writing and reading it took."""

    split: str
    reports: dict[str, Report]
    counts: dict[str, int]
    write_seconds: float
    read_seconds: float


def _reader_config():  # noqa: ANN202 - the settings' own type
    """The reader configuration the CLI uses (settings from the environment)."""
    from claims.settings import Settings
    from workers.runtime import reader_config

    return reader_config(Settings.from_env())


def score_subsets(documents: list[Document], results: dict[str, dict[str, Any]]) -> dict[str, Report]:
    """Score every subset (by file name) of a split's documents."""
    reports = {}
    for name, member in SUBSETS.items():
        chosen = [d for d in documents if member(d.name)]
        if chosen:
            reports[name] = build_report((d.name, d.expected, results[d.name]) for d in chosen)
    return reports


def run_split(split: str, folder: Path, config: object, jobs: int, scale: float, write: bool = True) -> SplitResult:
    """Write a split into `folder` (unless `write` is off: it is there already), read it and score it."""
    from fixtures.wideset import SetSize, write_split

    started = time.monotonic()
    if write:
        write_split(folder, split, SetSize.scaled(scale), jobs)
    written = time.monotonic()
    documents = load_documents(folder, "paragon", fields=FIELDS)
    progress = Progress(len(documents))
    results = run_documents(documents, config, jobs, progress.step)  # type: ignore[arg-type]
    reports = score_subsets(documents, results)
    counts = {name: report.to_dict()["documents"] for name, report in reports.items()}
    return SplitResult(split, reports, counts, written - started, time.monotonic() - written)


def _cell(report: Report, field: str) -> str:
    score = report.fields.get(field)
    if score is None or not score.labelled:
        return "-"
    return f"{score.right}/{score.labelled} {100 * score.right / score.labelled:.1f}%"


def table(results: list[SplitResult]) -> str:
    """A markdown table: per subset, one row per split."""
    head = "| subset | split | " + " | ".join(HEADERS) + " | sure precision | median s/doc |"
    rows = [head, "|" + "---|" * (len(HEADERS) + 4)]
    for subset in SUBSETS:
        for result in results:
            report = result.reports.get(subset)
            if report is None:
                continue
            data = report.to_dict()
            sure = "-" if data["sure_precision"] is None else f"{100 * data['sure_precision']:.1f}% of {data['sure']}"
            cells = " | ".join(_cell(report, field) for field in FIELDS)
            rows.append(f"| {subset} ({data['documents']}) | {result.split} | {cells} | {sure} | "
                        f"{data['median_seconds']} |")
    return "\n".join(rows)


def report_file(result: SplitResult, jobs: int, scale: float) -> dict[str, Any]:
    """The JSON written for a split: the scores of every subset and the failures of all its documents."""
    return {
        "split": result.split,
        "first_seed": SPLITS[result.split],
        "command": f"python -m bench.ocr_wideset --jobs {jobs} --scale {scale}",
        "write_seconds": round(result.write_seconds, 1),
        "read_seconds": round(result.read_seconds, 1),
        "subsets": {name: {k: v for k, v in r.to_dict().items() if k != "failures"}
                    for name, r in result.reports.items()},
        "failures": result.reports["all"].failures,
    }


def main(argv: list[str] | None = None) -> int:
    """Write, read and score the chosen splits; print the side-by-side table; write the report files."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--splits", nargs="+", choices=tuple(SPLITS), default=["dev", "heldout"])
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every kind's count in each split")
    parser.add_argument("--reports", type=Path, default=Path("var/bench"), help="folder for the JSON reports")
    parser.add_argument("--keep", type=Path, default=None, help="write the splits here instead of a temp folder")
    parser.add_argument("--written", type=Path, default=None,
                        help="read the splits already written in DIR/wideset-SPLIT (with their labels.json)")
    parser.add_argument(
        "--dev-failures", action="store_true", help="print every tuning split's wrong fields"
    )
    args = parser.parse_args(argv)
    config = _reader_config()
    args.reports.mkdir(parents=True, exist_ok=True)
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for split in args.splits:
            folder = (args.written or args.keep or Path(tmp)) / f"wideset-{split}"
            result = run_split(split, folder, config, args.jobs, args.scale, write=args.written is None)
            path = args.reports / f"wideset-{split}.json"
            path.write_text(json.dumps(report_file(result, args.jobs, args.scale), ensure_ascii=False, indent=1),
                            encoding="utf-8")
            print(f"{split}: {result.counts['all']} documents written in {result.write_seconds:.0f} s, read in "
                  f"{result.read_seconds:.0f} s; report {path}", file=sys.stderr, flush=True)
            results.append(result)
    print(table(results))
    for tuning in (r for r in results if args.dev_failures and r.split != "heldout"):
        for failure in tuning.reports["all"].failures:
            wrong = "; ".join(f"{w['field']}: want {w['expected']!r} got {w['got']!r}{' SURE' if w['sure'] else ''}"
                              for w in failure["wrong"])
            print(f"{tuning.split} {failure['file']}: {wrong}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
