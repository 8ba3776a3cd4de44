"""`sure` chosen on one half of SROIE train, measured on the other: ``python -m bench.ocr_sure_cv``.

``python -m bench.ocr_sure_cv ../shared/datasets/sroie-train --jobs 2`` reads every receipt once with the
reader the CLI uses and scores each candidate `sure` rule on both halves (documents in id order, even
positions in half A, odd in B):

* ``one relation`` — a field is sure when the document's own arithmetic or labels confirm it (the first
  verdict, without the second engine's row readings);
* ``relation + second engine`` — the same, and rapidocr read the same amount in the field's row
  (`ocr.extract.confirm`).

For each half the rule is chosen on the *other* half: the one with the most sure fields whose precision there
is at least 99.5 % (else the most precise). The table gives, per half, the chosen rule, its `sure` precision
and count on the half it was not chosen on, and date and total accuracy there.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from paragon.evaluate import Document, field_matches, load_documents

TARGET_PRECISION = 0.995
RULES = ("one relation", "relation + second engine")

#: SROIE train beside the checkout (`../shared`), wherever the checkout is
SROIE_TRAIN = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "sroie-train"


def read_variants(task: tuple[str, str, Any]) -> tuple[str, dict[str, Any]]:
    """Read one file; return its fields and the sure fields under each rule."""
    from dataclasses import replace

    from ocr import extract_fields, read_document
    from ocr.extract.confirm import without_confirmations

    name, path, config = task
    try:
        reading = read_document(Path(path).read_bytes(), replace(config, image_traits=False))
    except Exception as exc:  # noqa: BLE001 - a failing file is scored as read nothing
        return name, {"fields": {}, "sure": {rule: [] for rule in RULES}, "error": type(exc).__name__}
    both = extract_fields(reading)
    first = extract_fields(without_confirmations(reading))
    fields = {k: v.value for k, v in both.fields.items()}
    sure = {RULES[0]: [k for k, v in first.fields.items() if v.sure],
            RULES[1]: [k for k, v in both.fields.items() if v.sure]}
    return name, {"fields": fields, "sure": sure, "seconds": reading.seconds}


@dataclass(frozen=True)
class Score:
    """A rule's `sure` fields on a set of documents: how many, how many right; and field accuracy."""

    sure: int
    sure_right: int
    date: tuple[int, int]
    total: tuple[int, int]

    @property
    def precision(self) -> float:
        return self.sure_right / self.sure if self.sure else 1.0


def score(documents: list[Document], results: dict[str, dict[str, Any]], rule: str) -> Score:
    """Score one rule on some documents."""
    sure = right = 0
    fields: dict[str, list[int]] = {"date": [0, 0], "total": [0, 0]}
    for doc in documents:
        result = results[doc.name]
        for name, want in doc.expected.items():
            if want is None:
                continue
            ok = field_matches(name, want, result["fields"].get(name))
            if name in fields:
                fields[name][0] += ok
                fields[name][1] += 1
            if name in result["sure"][rule]:
                sure += 1
                right += ok
    return Score(sure, right, tuple(fields["date"]), tuple(fields["total"]))  # type: ignore[arg-type]


def choose(documents: list[Document], results: dict[str, dict[str, Any]]) -> str:
    """The rule with the most sure fields at the target precision on these documents (else the most precise)."""
    scores = {rule: score(documents, results, rule) for rule in RULES}
    good = [rule for rule in RULES if scores[rule].precision >= TARGET_PRECISION]
    if good:
        return max(good, key=lambda rule: scores[rule].sure)
    return max(RULES, key=lambda rule: scores[rule].precision)


def _pct(pair: tuple[int, int]) -> str:
    return f"{pair[0]}/{pair[1]} {100 * pair[0] / pair[1]:.1f}%" if pair[1] else "-"


def table(documents: list[Document], results: dict[str, dict[str, Any]]) -> str:
    """Per half: the rule chosen on the other half and its figures on this one (plus every rule's, for reference)."""
    halves = {"A": documents[0::2], "B": documents[1::2]}
    rows = ["| measured on | rule chosen on the other half | sure precision | date | total | "
            "every rule here (precision of n) |", "|---|---|---|---|---|---|"]
    for half, other in (("A", "B"), ("B", "A")):
        rule = choose(halves[other], results)
        chosen = score(halves[half], results, rule)
        each = "; ".join(f"{r}: {100 * s.precision:.1f}% of {s.sure}"
                         for r, s in ((r, score(halves[half], results, r)) for r in RULES))
        rows.append(f"| half {half} ({len(halves[half])}) | {rule} | {100 * chosen.precision:.1f}% of {chosen.sure} | "
                    f"{_pct(chosen.date)} | {_pct(chosen.total)} | {each} |")
    return "\n".join(rows)


def _run(documents: list[Document], config: Any, jobs: int,  # noqa: ANN401
         step: Callable[[], None] | None = None) -> dict[str, dict[str, Any]]:
    tasks = [(d.name, str(d.path), config) for d in documents]
    import multiprocessing

    results = {}
    with multiprocessing.get_context("spawn").Pool(max(1, jobs)) as pool:
        for name, result in pool.imap_unordered(read_variants, tasks):
            results[name] = result
            if step:
                step()
    return results


def main(argv: list[str] | None = None) -> int:
    """Read SROIE train once, cross-validate the `sure` rule over its halves, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, nargs="?", default=SROIE_TRAIN)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--save", type=Path, default=None, help="write the per-document results here (JSON)")
    args = parser.parse_args(argv)
    from claims.settings import Settings
    from paragon.evaluate import Progress
    from workers.runtime import reader_config

    documents = load_documents(args.folder, "sroie", limit=args.limit, fields=("date", "total"))
    progress = Progress(len(documents))
    results = _run(documents, reader_config(Settings.from_env()), args.jobs, progress.step)
    if args.save:
        args.save.write_text(json.dumps(results, indent=1), encoding="utf-8")
    print(table(documents, results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
