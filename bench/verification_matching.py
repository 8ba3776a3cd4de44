"""Matching speed: ``python -m bench.verification_matching [--products 50000] [--lines 50] [--repeat 20]``.

Times `match_lines` for one document of `--lines` till lines against a catalogue of about `--products`
products (the group's catalogue repeated under invented brands), one core, and a naive baseline in the same
run: rapidfuzz process.extractOne(WRatio) of each folded line over every folded catalogue name (a full scan).
Prints per-call milliseconds (median and worst of the repeats) and the baseline / ours ratio.
"""

from __future__ import annotations

import argparse
import statistics
import time

from rapidfuzz import fuzz, process

from fixtures.catalogue.generate import labelled_lines
from fixtures.catalogue.products import SCALE_BRANDS, catalogue
from verification import CatalogueIndex, Product, match_lines
from verification.normalise import fold


def timed(call, repeat: int) -> tuple[list[float], list[float]]:
    """Wall and CPU milliseconds of each call (CPU time is less disturbed by other processes on the machine)."""
    wall, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        call()
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return wall, cpu


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=50_000)
    parser.add_argument("--lines", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args(argv)
    base = catalogue()
    extra = min(len(SCALE_BRANDS), max(0, -(-args.products // len(base)) - 1))
    rows = catalogue(extra)[: max(args.products, len(base))]
    products = [Product(r.id, r.sku, r.ean, r.name, aliases=r.aliases) for r in rows]
    start = time.perf_counter()
    index = CatalogueIndex.build(products)
    build_s = time.perf_counter() - start
    documents = [[line["line"] for line in labelled_lines(base, seed, args.lines)] for seed in range(args.repeat)]
    match_lines(index, documents[0])  # warm caches
    runs = [timed(lambda d=d: match_lines(index, d), 1) for d in documents]
    ours, ours_cpu = [wall[0] for wall, _ in runs], [cpu[0] for _, cpu in runs]
    names = [fold(p.name) for p in products]
    baseline, baseline_cpu = timed(
        lambda: [process.extractOne(fold(line), names, scorer=fuzz.WRatio) for line in documents[0]],
        max(1, min(3, args.repeat)))
    ours_ms, base_ms = statistics.median(ours), statistics.median(baseline)
    print(f"catalogue: {len(products):,} products, index built in {build_s:.1f} s")
    print(f"match_lines, {args.lines} lines: median {ours_ms:.1f} ms wall ({statistics.median(ours_cpu):.1f} ms "
          f"CPU), worst {max(ours):.1f} ms, {ours_ms / args.lines:.2f} ms a line, over {len(ours)} documents")
    print(f"baseline full-scan WRatio extractOne, {args.lines} lines: median {base_ms:.0f} ms wall "
          f"({statistics.median(baseline_cpu):.0f} ms CPU)")
    print(f"ratio baseline / ours: {base_ms / ours_ms:.0f}x wall, "
          f"{statistics.median(baseline_cpu) / statistics.median(ours_cpu):.0f}x CPU")


if __name__ == "__main__":
    main()
