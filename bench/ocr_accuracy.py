"""Reading accuracy: ``python -m bench.ocr_accuracy [--jobs 2] [--only sroie pl photos] [--photoset DIR]``.

Runs the three evaluations of `paragon eval` in one session and prints a summary table:

* ``sroie``: ../shared/datasets/sroie-train, 150 real scanned English receipts (company, address, date,
  total; SROIE scoring), reported for all 150 and for the first and the later 75 files separately;
* ``pl``: ../shared/datasets/pl-receipts-dev, 8 real Polish photos and an e-receipt (seller NIP, date, total);
* ``photos``: the generated Polish set of `fixtures.photoset` (receipt photos with phone-photo damage,
  bent receipts on towels and counters, text PDFs, invoice scans and photos), written to a temporary folder
  unless ``--photoset`` names one.

Accuracy = right / labelled; sure precision = right `sure` fields / all `sure` fields; seconds are the
median per document with `--jobs` worker processes (one tesseract thread each) on a shared machine.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from paragon.evaluate import Document, Report, build_report, load_documents, run_documents

ROOT = Path(__file__).resolve().parents[1]
DATASETS = ROOT.parent / "shared" / "datasets"
SROIE = DATASETS / "sroie-train"
PL_DEV = DATASETS / "pl-receipts-dev"
KEY_FIELDS = {
    "sroie": ("seller_name", "seller_address", "date", "total"),
    "pl": ("seller_nip", "date", "total"),
    "photos": ("seller_nip", "date", "total"),
}


def _reader_config():  # noqa: ANN202 - the settings' own type
    """Return the reader configuration the CLI uses (settings from the environment)."""
    from claims.settings import Settings
    from workers.runtime import reader_config

    return reader_config(Settings.from_env())


def _score(documents: list[Document], results: dict[str, dict]) -> Report:
    """Score a subset of documents whose results are known."""
    return build_report((d.name, d.expected, results[d.name]) for d in documents)


def _row(name: str, report: Report, fields: tuple[str, ...]) -> str:
    """Format one summary row: accuracy per key field, sure precision over all scored fields, seconds."""
    data = report.to_dict()
    cells = []
    for field in fields:
        score = data["fields"].get(field)
        cells.append("-" if score is None else f"{score['right']}/{score['labelled']} {100 * score['accuracy']:.1f}%")
    precision = data["sure_precision"]
    sure = "-" if precision is None else f"{100 * precision:.1f}% of {data['sure']}"
    return f"| {name} | " + " | ".join(cells) + f" | {sure} | {data['median_seconds']} |"


def _table(title: str, fields: tuple[str, ...], rows: list[str]) -> str:
    """Return a markdown table."""
    head = f"| {title} | " + " | ".join(fields) + " | sure precision | median s/doc |"
    rule = "|" + "---|" * (len(fields) + 3)
    return "\n".join([head, rule, *rows])


def run_sroie(config: object, jobs: int) -> str:
    """Evaluate SROIE: all files, and the two halves."""
    documents = load_documents(SROIE, "sroie")
    results = run_documents(documents, config, jobs)  # type: ignore[arg-type]
    half = len(documents) // 2
    parts = [("all", documents), (f"files 1-{half}", documents[:half]),
             (f"files {half + 1}-{len(documents)}", documents[half:])]
    rows = [_row(f"SROIE {label}", _score(docs, results), KEY_FIELDS["sroie"]) for label, docs in parts]
    return _table("data set", KEY_FIELDS["sroie"], rows)


def run_paragon(name: str, directory: Path, config: object, jobs: int) -> str:
    """Evaluate a set in the paragon layout (labels.json)."""
    documents = load_documents(directory, "paragon")
    results = run_documents(documents, config, jobs)  # type: ignore[arg-type]
    rows = [_row(name, _score(documents, results), KEY_FIELDS["pl"])]
    kinds = {"receipt photos": ("receipt_photo",), "handheld (bent) receipt photos": ("handheld_photo",),
             "text PDFs": ("_pdf_",), "invoice scans and photos": ("invoice_scan", "invoice_photo")}
    if len(documents) > 20:
        for label, markers in kinds.items():
            subset = [d for d in documents if any(marker in d.name for marker in markers)]
            if subset:
                rows.append(_row(f"{name}: {label}", _score(subset, results), KEY_FIELDS["pl"]))
    return _table("data set", KEY_FIELDS["pl"], rows)


def main(argv: list[str] | None = None) -> int:
    """Run the chosen evaluations and print their tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--only", nargs="*", choices=("sroie", "pl", "photos"), default=["sroie", "pl", "photos"])
    parser.add_argument("--photoset", type=Path, default=None, help="an already written fixtures.photoset folder")
    args = parser.parse_args(argv)
    config = _reader_config()
    if "sroie" in args.only:
        print(run_sroie(config, args.jobs), end="\n\n", flush=True)
    if "pl" in args.only:
        print(run_paragon("pl-receipts-dev", PL_DEV, config, args.jobs), end="\n\n", flush=True)
    if "photos" in args.only:
        with tempfile.TemporaryDirectory() as tmp:
            folder = args.photoset
            if folder is None:
                from fixtures.photoset import write_photoset

                folder = Path(tmp)
                write_photoset(folder)
            print(run_paragon("photo set", folder, config, args.jobs), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
