"""Near-duplicate detection: ``python -m bench.verification_duplicates [--hashes N] [--receipts N] [--skip-photos]``.

1. Band index (multi-index hashing, 4 x 16-bit bands) over --hashes random 64-bit hashes: build time, query
   milliseconds (median, p99) for hashes planted 0..7 bits away from stored ones, recall of the planted ones,
   and a brute-force baseline in the same run (numpy XOR + popcount over every stored hash).
2. Perceptual hash on the fixture generator: --receipts receipts from 4 shops (fixtures.documents.make_receipt
   with the shop fixed), each rendered (fixtures.render.render_receipt_png) and photographed twice
   (degrade_photo: rotation +-10 deg, keystone <= 0.1, blur <= 1.5, shadow <= 0.6, JPEG 50-95, noise, crumple).
   False negatives: re-photos of one receipt farther apart than the threshold; false positives: photos of two
   different receipts within it (same shop / other shops), hash alone and with the document corroboration
   verification.duplicates applies (same seller and same date or total).
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from concurrent.futures import ProcessPoolExecutor

import numpy as np

from ocr.phash import perceptual_hash
from verification.duplicates import NEAR_DISTANCE, BandIndex, _popcount, hamming

THRESHOLDS = (3, 4, 5, 6, 7, 8)


def bench_index(count: int, queries: int = 500) -> None:
    rng = np.random.default_rng(1)
    hashes = rng.integers(0, 2**63, size=count, dtype=np.uint64) * np.uint64(2) + rng.integers(0, 2, count,
                                                                                                dtype=np.uint64)
    start = time.perf_counter()
    index = BandIndex(range(count), hashes)
    build_s = time.perf_counter() - start
    planted = []
    for n in range(queries):
        row = int(rng.integers(0, count))
        query = int(hashes[row])
        for bit in random.Random(n).sample(range(64), n % (NEAR_DISTANCE + 1)):
            query ^= 1 << bit
        planted.append((row, query))
    ours, found = [], 0
    for row, query in planted:
        t = time.perf_counter()
        hits = index.query(query, NEAR_DISTANCE)
        ours.append((time.perf_counter() - t) * 1000)
        found += any(ident == row for ident, _ in hits)
    brute = []
    for _, query in planted[:20]:
        t = time.perf_counter()
        np.flatnonzero(_popcount(hashes ^ np.uint64(query)) <= NEAR_DISTANCE)
        brute.append((time.perf_counter() - t) * 1000)
    median = statistics.median(ours)
    print(f"band index: {count:,} hashes, built in {build_s:.2f} s; query within {NEAR_DISTANCE} bits: "
          f"median {median:.2f} ms, p99 {np.percentile(ours, 99):.2f} ms; planted found {found}/{len(planted)}")
    print(f"brute force (numpy XOR+popcount over all): median {statistics.median(brute):.1f} ms; "
          f"ratio brute / index {statistics.median(brute) / median:.0f}x")


def photograph(seed: int) -> dict:
    """Two photos of one receipt (shop = seed % 4), their hashes and the receipt's date and total."""
    import cv2

    from fixtures.camera import degrade_photo
    from fixtures.documents import make_receipt
    from fixtures.render import render_receipt_png

    shop = make_receipt(seed % 4)
    spec = make_receipt(1000 + seed, seller_name=shop.seller_name, seller_address=shop.seller_address,
                        seller_city=shop.seller_city, seller_nip=shop.seller_nip)
    png = render_receipt_png(spec)
    hashes = []
    for k in range(2):
        r = random.Random(seed * 10 + k)
        jpeg = degrade_photo(png, seed * 10 + k, rotation_deg=r.uniform(-10, 10), perspective=r.uniform(0, 0.1),
                             blur=r.uniform(0, 1.5), shadow=r.uniform(0, 0.6), jpeg_quality=r.randint(50, 95),
                             noise=r.uniform(0, 0.02), crumple=r.uniform(0, 0.5))
        gray = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_GRAYSCALE)
        hashes.append(perceptual_hash(gray))
    return {"seed": seed, "shop": seed % 4, "date": spec.date, "total": spec.total, "hashes": hashes}


def bench_photos(receipts: int, workers: int) -> None:
    start = time.perf_counter()
    with ProcessPoolExecutor(max_workers=workers) as pool:
        docs = list(pool.map(photograph, range(receipts)))
    print(f"\nperceptual hash: {receipts} receipts x 2 photos in {time.perf_counter() - start:.0f} s")
    same = [hamming(*d["hashes"]) for d in docs]
    pairs = [(a, b, hamming(a["hashes"][0], b["hashes"][1])) for a in docs for b in docs if a is not b]
    same_shop = [(a, b, d) for a, b, d in pairs if a["shop"] == b["shop"]]
    other_shop = [d for a, b, d in pairs if a["shop"] != b["shop"]]
    print(f"  {'threshold':>9} {'FN re-photo':>12} {'FP same shop':>13} {'FP other shop':>14} {'FP corroborated':>16}")
    for t in THRESHOLDS:
        fn = sum(d > t for d in same) / len(same)
        fp_same = sum(d <= t for _, _, d in same_shop) / len(same_shop)
        fp_other = sum(d <= t for d in other_shop) / len(other_shop)
        corroborated = sum(d <= t and (a["date"] == b["date"] or a["total"] == b["total"])
                           for a, b, d in same_shop) / len(same_shop)
        mark = "  <- NEAR_DISTANCE" if t == NEAR_DISTANCE else ""
        print(f"  {t:9d} {fn:12.1%} {fp_same:13.2%} {fp_other:14.2%} {corroborated:16.2%}{mark}")
    print(f"  pairs: {len(same)} re-photos, {len(same_shop)} same-shop, {len(other_shop)} other-shop")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hashes", type=int, default=1_000_000)
    parser.add_argument("--receipts", type=int, default=120)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--skip-photos", action="store_true")
    args = parser.parse_args(argv)
    bench_index(args.hashes)
    if not args.skip_photos:
        bench_photos(args.receipts, args.workers)


if __name__ == "__main__":
    main()
