"""How far extraction can go on SROIE: ``python -m bench.sroie_ceiling [--jobs 2] [--limit N]``.

SROIE scores company and address by exact match (trimmed, spaces collapsed, upper-cased). An extractor can
only return a string the reading contains, so for each receipt this counts whether the key string occurs
(normalised the same way) in

* our reading: the first reading and its second opinions, lines joined by spaces;
* the data set's own ground-truth transcripts (``box/ID.txt``), lines joined by spaces — what a perfect
  reader would give an extractor that joins lines the same way;

and prints both beside what `paragon eval` scores. The gap between the first two is the reader's; the gap
between the second and 100% is the key's own spelling (lines joined without a space, words the printer did
not print).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SROIE = ROOT.parent / "shared" / "datasets" / "sroie-train"
FIELDS = {"company": "seller_name", "address": "seller_address"}


def normalise(text: str) -> str:
    """The SROIE rule: trim, collapse spaces, upper-case."""
    return re.sub(r"\s+", " ", text).strip().upper()


def transcript(receipt: str) -> str:
    """The ground-truth lines of one receipt, joined by spaces and normalised."""
    rows = (SROIE / "box" / f"{receipt}.txt").read_text(encoding="utf-8", errors="replace").splitlines()
    return normalise(" ".join(row.split(",", 8)[8] for row in rows if len(row.split(",", 8)) == 9))


def read_one(receipt: str) -> dict[str, object]:
    """Read one receipt; return the key's presence in our reading and in the transcript, and what we extracted."""
    from ocr import extract_fields, read_document

    key = json.loads((SROIE / "key" / f"{receipt}.json").read_text())
    reading = read_document((SROIE / "img" / f"{receipt}.jpg").read_bytes())
    ours = " ".join(normalise(line.text) for page in (*reading.pages, *reading.alternates) for line in page.lines)
    fields = extract_fields(reading).fields
    truth = transcript(receipt)
    found: dict[str, object] = {}
    for name, field in FIELDS.items():
        if name not in key:
            continue
        wanted = normalise(key[name])
        value = fields.get(field)
        found[name] = (wanted in ours, wanted in truth, value is not None and normalise(value.value) == wanted)
    return found


def main(argv: list[str] | None = None) -> int:
    """Print, per field, how many keys occur in our reading, in the transcripts, and how many we extract."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--limit", type=int, default=None)
    args = parser.parse_args(argv)
    receipts = sorted(p.stem for p in (SROIE / "key").glob("*.json"))[: args.limit]
    with multiprocessing.get_context("spawn").Pool(max(1, args.jobs)) as pool:
        results = pool.map(read_one, receipts)
    print("| field | key in our reading | key in the ground-truth transcripts | extracted right |")
    print("|---|---|---|---|")
    for name in FIELDS:
        rows = [r[name] for r in results if name in r]
        counts = [sum(bool(row[i]) for row in rows) for i in range(3)]  # type: ignore[index]
        cells = " | ".join(f"{c}/{len(rows)} ({100 * c / len(rows):.1f}%)" for c in counts)
        print(f"| {name} | {cells} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
