"""Line-matching accuracy on the labelled till lines: ``python -m bench.verification_accuracy [--dev]``.

Reports top-1 accuracy (the product suggested, or none for lines naming no catalogue product) and the
wrong-auto-match rate (automatic matches to the wrong product, or to any product for a line naming none),
per line kind and per shop's till style, next to a naive baseline measured in the same run: rapidfuzz
WRatio of the folded line against every folded catalogue name (extractOne), automatic at >= 90, no product
below 60. Targets: top-1 >= 95%, wrong automatic matches <= 1% of lines.
--dev runs on the development set (generator seed 1) instead of fixtures/catalogue/lines.json.
"""

from __future__ import annotations

import argparse
import collections
from decimal import Decimal

from rapidfuzz import fuzz, process

from fixtures.catalogue.generate import DEV_SEED, labelled_lines, load_lines, load_products
from fixtures.catalogue.products import catalogue
from verification import CatalogueIndex, Product, match_line
from verification.normalise import fold


def products_from_rows(rows: list[dict]) -> list[Product]:
    return [Product(r["id"], r["sku"], r["ean"], r["name"], r["unit"], Decimal(r["pack_size"]), tuple(r["aliases"]),
                    {}, r["points_per_unit"]) for r in rows]


def naive_matcher(products: list[Product]):
    names = [fold(p.name) for p in products]

    def match(line: str) -> tuple[int | None, bool]:
        best = process.extractOne(fold(line), names, scorer=fuzz.WRatio)
        if best is None or best[1] < 60:
            return None, False
        return products[best[2]].id, best[1] >= 90

    return match


def score(lines: list[dict], predict) -> dict[str, collections.Counter]:
    """Counters of lines, top-1 hits, automatic and wrong automatic matches, overall and per group."""
    groups: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    for line in lines:
        product_id, auto = predict(line["line"])
        ok = product_id == line["product_id"]
        for group in ("all", f"kind={line['kind']}", f"shop={line['shop']}", f"ocr_noise={line['ocr_noise']}"):
            counter = groups[group]
            counter["lines"] += 1
            counter["top1"] += ok
            counter["auto"] += auto
            counter["wrong_auto"] += auto and not ok
    return groups


def report(name: str, groups: dict[str, collections.Counter]) -> None:
    print(f"\n{name}")
    print(f"  {'group':24} {'lines':>6} {'top-1':>7} {'auto':>7} {'wrong auto':>11} {'wrong/auto':>11}")
    for group in sorted(groups, key=lambda g: (g != "all", g)):
        c = groups[group]
        print(f"  {group:24} {c['lines']:6d} {c['top1'] / c['lines']:7.1%} {c['auto'] / c['lines']:7.1%} "
              f"{c['wrong_auto'] / c['lines']:11.2%} {c['wrong_auto'] / max(c['auto'], 1):11.2%}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dev", action="store_true", help="use the development lines (seed 1)")
    args = parser.parse_args(argv)
    products = products_from_rows(load_products())
    lines = labelled_lines(catalogue(), DEV_SEED, 800) if args.dev else load_lines()
    index = CatalogueIndex.build(products)

    def ours(text: str) -> tuple[int | None, bool]:
        found = match_line(index, text)
        return found.product_id, found.auto

    print(f"{len(products):,} products, {len(lines):,} labelled lines ({'dev set' if args.dev else 'fixture'})")
    mine, naive = score(lines, ours), score(lines, naive_matcher(products))
    report("verification.match_line", mine)
    report("baseline: rapidfuzz WRatio extractOne over all names", naive)
    a, b = mine["all"], naive["all"]
    print(f"\ntop-1 {a['top1'] / a['lines']:.1%} (baseline {b['top1'] / b['lines']:.1%}); wrong automatic matches "
          f"{a['wrong_auto'] / a['lines']:.2%} of lines (baseline {b['wrong_auto'] / b['lines']:.2%}); "
          f"automatic {a['auto'] / a['lines']:.1%}")


if __name__ == "__main__":
    main()
