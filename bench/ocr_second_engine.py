"""What the second engine (rapidocr) adds and costs: ``python -m bench.ocr_second_engine FOLDER``.

``python -m bench.ocr_second_engine var/wideset-dev --format paragon --jobs 2`` reads every document of a
labelled folder twice with the reader the CLI uses, once with ``second_engine`` off and once on, and prints
per field how many documents each variant reads right (and how many fields became right or wrong), the share
of documents on which the second engine ran, the median and mean seconds per document of both variants
and the seconds added on the documents where it ran.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from paragon.evaluate import Document, field_matches, load_documents

FIELDS = ("seller_nip", "date", "total", "document_number", "vat_total")


def read_both(task: tuple[str, str, Any]) -> tuple[str, dict[str, Any]]:
    """Read one file with the second engine off and on; return both results and whether it ran."""
    from ocr import extract_fields, read_document
    from ocr.session import SECOND_ENGINE_STEP

    name, path, config = task
    data = Path(path).read_bytes()
    out: dict[str, Any] = {}
    for label, on in (("off", False), ("on", True)):
        started = time.monotonic()
        try:
            reading = read_document(data, replace(config, second_engine=on, image_traits=False))
            extraction = extract_fields(reading)
            fields = {k: v.value for k, v in extraction.fields.items()}
            sure = [k for k, v in extraction.fields.items() if v.sure]
            ran = any(SECOND_ENGINE_STEP in page.steps for page in reading.alternates)
        except Exception as exc:  # noqa: BLE001 - a failing file is reported, not fatal
            fields, sure, ran = {"error": type(exc).__name__}, [], False
        out[label] = {"fields": fields, "sure": sure, "seconds": time.monotonic() - started, "ran": ran}
    return name, out


def _run(documents: list[Document], config: Any, jobs: int) -> dict[str, dict[str, Any]]:  # noqa: ANN401
    tasks = [(d.name, str(d.path), config) for d in documents]
    if jobs <= 1:
        return dict(map(read_both, tasks))
    import multiprocessing

    with multiprocessing.get_context("spawn").Pool(jobs) as pool:
        return dict(pool.imap_unordered(read_both, tasks))


def summary(documents: list[Document], results: dict[str, dict[str, Any]]) -> str:
    """A markdown summary: per field right off/on, gained/lost, sure errors; share and cost of the engine."""
    rows = ["| field | right, tesseract only | right, with rapidocr | gained | lost | wrong `sure` off/on |",
            "|---|---|---|---|---|---|"]
    for name in FIELDS:
        labelled = [d for d in documents if d.expected.get(name) is not None]
        if not labelled:
            continue
        right = {v: {d.name for d in labelled
                     if field_matches(name, d.expected[name] or "", results[d.name][v]["fields"].get(name))}
                 for v in ("off", "on")}
        wrong_sure = {v: sum(1 for d in labelled if name in results[d.name][v]["sure"] and d.name not in right[v])
                      for v in ("off", "on")}
        rows.append(f"| {name} | {len(right['off'])}/{len(labelled)} | {len(right['on'])}/{len(labelled)} | "
                    f"{len(right['on'] - right['off'])} | {len(right['off'] - right['on'])} | "
                    f"{wrong_sure['off']}/{wrong_sure['on']} |")
    ran = [n for n, r in results.items() if r["on"]["ran"]]
    off = [r["off"]["seconds"] for r in results.values()]
    on = [r["on"]["seconds"] for r in results.values()]
    added = [results[n]["on"]["seconds"] - results[n]["off"]["seconds"] for n in ran]
    rows.append("")
    rows.append(f"second engine ran on {len(ran)} of {len(results)} documents ({100 * len(ran) / len(results):.0f}%); "
                f"median s/doc off {statistics.median(off):.2f}, on {statistics.median(on):.2f}; "
                f"mean off {statistics.mean(off):.2f}, on {statistics.mean(on):.2f}; "
                f"added where it ran: median {statistics.median(added) if added else 0:.2f} s")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    """Read a labelled folder with and without the second engine and print the comparison."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--format", choices=("paragon", "sroie"), default="paragon")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--only", default="", help="only documents whose name starts with this")
    parser.add_argument("--changes", action="store_true", help="print every field the engine changed")
    args = parser.parse_args(argv)
    from claims.settings import Settings
    from workers.runtime import reader_config

    documents = [d for d in load_documents(args.folder, args.format) if d.name.startswith(args.only)]
    documents = documents[: args.limit] if args.limit else documents
    results = _run(documents, reader_config(Settings.from_env()), args.jobs)
    if args.changes:
        for d in documents:
            off, on = results[d.name]["off"]["fields"], results[d.name]["on"]["fields"]
            for name in FIELDS:
                if off.get(name) != on.get(name):
                    print(f"{d.name} {name}: want {d.expected.get(name)!r} off {off.get(name)!r} on {on.get(name)!r}",
                          file=sys.stderr)
    print(summary(documents, results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
