"""Reading speed: ``python -m bench.ocr_speed [--repeat 3] [--photos 3] [--only SECTION ...] [--profile] [--gate-ocr]``.

One session, the same images for every measure: the bundled samples (fixtures/samples), generated 12 MP photos
(`tests.hostile.photos.readable_photo` at print scale 4.2), the real photos of ../shared/datasets/pl-receipts-dev.

* our full read (`ocr.extract_file_result`: decoding, preprocessing, tesseract, second pass and rapidocr when
  needed, extraction; no image traits, the result has none) against the raw CLI ``OMP_THREAD_LIMIT=1 tesseract
  IMAGE - -l pol+eng`` on the same original file (formats leptonica cannot open, AVIF here, are handed to
  the CLI as PNG), both pinned to one core, interleaved, median of `--repeat` runs; wall and CPU seconds
  (CPU includes tesseract, and is what other work on the machine disturbs least);
* throughput of 2 worker processes against 1 on the same list (and, as the baseline, a pure-CPU loop);
* text-PDF seconds per page; the upload gate (`ocr.quality.check_photo`) on a 12 MP JPEG, its false rejects and
  detection rate; each sandbox's cost per call (`read_document_isolated`, `read_document_forked`).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import multiprocessing
import os
import resource
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "fixtures" / "samples"
DEV = ROOT.parent / "shared" / "datasets" / "pl-receipts-dev"
CLI_TYPES = {"image/jpeg", "image/png", "image/webp", "image/tiff"}  # what the CLI's leptonica opens


@dataclass(frozen=True)
class Sample:
    """One benchmark image: its bytes and the file the raw CLI reads."""

    name: str
    data: bytes
    cli_path: Path


def one_core() -> None:
    """Pin this process (and the tesseract it starts) to one CPU; OpenCV single-threaded."""
    import cv2

    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    cv2.setNumThreads(1)


def _cpu_now() -> float:
    """CPU seconds of this process and its finished children so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return sum(u.ru_utime + u.ru_stime for u in usage)


def measured(call: Callable[[], object]) -> tuple[float, float]:
    """Run `call`; return (wall seconds, CPU seconds of this process and its finished children)."""
    cpu, start = _cpu_now(), time.perf_counter()
    call()
    return time.perf_counter() - start, _cpu_now() - cpu


def twelve_megapixel_photos(count: int, directory: Path) -> list[Sample]:
    """Generated receipt photos of ~12 MP (3265 px wide), written to `directory`."""
    from tests.hostile.photos import readable_photo

    samples = []
    for seed in range(200, 200 + count):
        path = directory / f"photo-12mp-{seed}.jpg"
        path.write_bytes(readable_photo(seed, scale=4.2))
        samples.append(Sample(path.name, path.read_bytes(), path))
    return samples


def _sample(path: Path, directory: Path) -> Sample:
    """A sample from a file; formats the CLI cannot open get a lossless PNG copy for it."""
    from ocr import ReaderConfig, sniff_media_type
    from ocr.images import load_image

    data = path.read_bytes()
    media_type = sniff_media_type(data)
    if media_type in CLI_TYPES:
        return Sample(path.name, data, path)
    copy = directory / f"{path.stem}.png"
    load_image(data, media_type or "", ReaderConfig()).save(copy)
    return Sample(path.name, data, copy)


def receipt_samples(photos: int, directory: Path) -> list[Sample]:
    """Bundled sample images, generated 12 MP photos and the development photos (PDFs excluded)."""
    files = sorted(p for p in SAMPLES.iterdir() if p.suffix in {".png", ".jpg"})
    if DEV.is_dir():
        files += sorted(p for p in DEV.iterdir() if p.suffix.lower() in {".jpg", ".png", ".webp"})
    return [_sample(p, directory) for p in files] + twelve_megapixel_photos(photos, directory)


def ours(sample: Sample) -> None:
    from ocr import extract_file_result

    extract_file_result(sample.data, sample.name)


def raw(sample: Sample) -> None:
    subprocess.run(["env", "OMP_THREAD_LIMIT=1", "tesseract", str(sample.cli_path), "-", "-l", "pol+eng"],
                   capture_output=True, check=True)


def compare(samples: list[Sample], repeat: int) -> list[dict[str, object]]:
    """Per image: median wall/CPU seconds of ours and of the raw CLI (interleaved), and what ours did."""
    from ocr import read_document
    from ocr.session import SECOND_ENGINE_STEP

    rows = []
    for sample in samples:
        runs: dict[str, list[tuple[float, float]]] = {"ours": [], "raw": []}
        for _ in range(repeat):
            runs["ours"].append(measured(lambda s=sample: ours(s)))
            runs["raw"].append(measured(lambda s=sample: raw(s)))
        reading = read_document(sample.data)
        engine = any(SECOND_ENGINE_STEP in page.steps for page in reading.alternates)
        row: dict[str, object] = {"name": sample.name, "passes": 2 if reading.alternates else 1, "engine": engine}
        row["steps"] = " ".join(reading.pages[0].steps) + (" +rapidocr" if engine else "") if reading.pages else ""
        for who, values in runs.items():
            row[f"{who}_wall"] = statistics.median(v[0] for v in values)
            row[f"{who}_cpu"] = statistics.median(v[1] for v in values)
        rows.append(row)
        print(
            f"  {sample.name:32s} ours {row['ours_cpu']:.2f} s CPU ({row['passes']} pass)"
            f"  raw {row['raw_cpu']:.2f} s  {row['steps']}",
            flush=True,
        )
    return rows


def profile(samples: list[Sample]) -> dict[str, float]:
    """Split the CPU of `extract_file_result` over the samples by step (decode, prepare, barcodes, tesseract
    per segmentation mode, rapidocr's page readings and row confirmations ...) and the rest."""
    import ocr.formats
    import ocr.reader
    import ocr.session
    import ocr.tesseract

    spent: dict[str, float] = {}

    def wrap(module: object, name: str, label: Callable[..., str]) -> None:
        original = getattr(module, name)

        def timed(*args: object, **kwargs: object) -> object:
            start = _cpu_now()
            try:
                return original(*args, **kwargs)
            finally:
                key = label(*args, **kwargs)
                spent[key] = spent.get(key, 0.0) + _cpu_now() - start

        setattr(module, name, timed)

    wrap(ocr.formats, "load_images", lambda *a, **k: "decode")
    wrap(ocr.formats, "decode_pages", lambda *a, **k: "barcodes")
    wrap(ocr.session, "prepare_for_ocr", lambda *a, **k: "prepare")
    wrap(ocr.tesseract, "encode_image", lambda *a, **k: "image encoding")
    wrap(ocr.session, "run_tesseract", lambda *a, **k: f"tesseract psm {a[3] if len(a) > 3 else k.get('psm')}")
    wrap(ocr.session.OcrSession, "second_engine", lambda *a, **k: "rapidocr pages")
    wrap(ocr.reader, "confirm_rows", lambda *a, **k: "rapidocr rows (confirm_rows)")
    start = _cpu_now()
    for sample in samples:
        ours(sample)
    total = _cpu_now() - start
    spent["tesseract psm 6"] -= spent.get("image encoding", 0.0)  # encoding happens inside run_tesseract
    spent["other (extraction, lines, JSON)"] = total - sum(spent.values())
    return {"total": total, **spent}


def _read_one(index_and_data: tuple[int, bytes]) -> int:
    import cv2

    from ocr import extract_file_result

    cv2.setNumThreads(1)
    extract_file_result(index_and_data[1], f"{index_and_data[0]}")
    return index_and_data[0]


def _spin(item: tuple[int, bytes]) -> int:
    """A pure-CPU task: how the machine itself scales to 2 processes right now (the baseline)."""
    return sum(i * i for i in range(3_000_000)) * 0 + item[0]


def throughput(task: Callable[[tuple[int, bytes]], int], work: list[tuple[int, bytes]], workers: int) -> float:
    """Tasks per second through `workers` spawned processes."""
    with multiprocessing.get_context("spawn").Pool(workers) as pool:
        pool.map(task, work[:workers])  # warm up: imports
        start = time.perf_counter()
        list(pool.imap_unordered(task, work))
        return len(work) / (time.perf_counter() - start)


def text_pdf(pages: int) -> bytes:
    """A text PDF of `pages` invoice-like pages (40 lines each)."""
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    for page in range(pages):
        for line in range(40):
            pdf.drawString(50, 800 - 18 * line, f"{page + 1}.{line + 1} Klej do płytek C2TE 25 kg  4 x 31,29  125,16 A")
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def pdf_seconds_per_page(repeat: int) -> list[tuple[str, int, float]]:
    """Median wall seconds per page of `extract_file_result` on text PDFs."""
    from ocr import extract_file_result, read_document

    pdfs = [("invoice-budmax.pdf", (SAMPLES / "invoice-budmax.pdf").read_bytes()), ("text-10-pages.pdf", text_pdf(10))]
    if (DEV / "paragon_online_kaufland.pdf").exists():
        pdfs.append(("paragon_online_kaufland.pdf", (DEV / "paragon_online_kaufland.pdf").read_bytes()))
    rows = []
    for name, data in pdfs:
        pages = len(read_document(data).pages)
        wall = statistics.median(measured(lambda d=data, n=name: extract_file_result(d, n))[0] for _ in range(repeat))
        rows.append((name, pages, wall / pages))
    return rows


def gate_milliseconds(photo: bytes, repeat: int = 9) -> tuple[float, float]:
    """Median wall and CPU milliseconds of `check_photo` on one JPEG."""
    from ocr.quality import check_photo

    runs = [measured(lambda: check_photo(photo, "image/jpeg")) for _ in range(repeat)]
    return statistics.median(r[0] for r in runs) * 1000, statistics.median(r[1] for r in runs) * 1000


def sandbox_overhead(sample: Sample, repeat: int) -> dict[str, tuple[float, float]]:
    """Median (wall, CPU) seconds, interleaved: in-process read, isolated read, isolated empty file, forked read.

    The forked read is what the worker does: a child forked from a process that loaded the reader first.
    """
    from ocr import OcrError, read_document
    from ocr.sandbox import read_document_forked, read_document_isolated, warm_up

    warm_up()

    def empty() -> None:
        with contextlib.suppress(OcrError):
            read_document_isolated(b"")

    calls = {"in-process": lambda: read_document(sample.data), "isolated": lambda: read_document_isolated(sample.data),
             "empty": empty, "forked": lambda: read_document_forked(sample.data)}
    runs = [{name: measured(call) for name, call in calls.items()} for _ in range(repeat)]
    return {
        name: (statistics.median(r[name][0] for r in runs), statistics.median(r[name][1] for r in runs))
        for name in calls
    }


SECTIONS = ("compare", "pdf", "gate-speed", "sandbox", "throughput", "gate")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--photos", type=int, default=3, help="generated 12 MP photos")
    parser.add_argument("--only", nargs="+", choices=SECTIONS, default=SECTIONS, help="sections to run")
    parser.add_argument("--profile", action="store_true", help="split our CPU time by step (patches the reader)")
    parser.add_argument("--gate-seeds", type=int, default=6, help="photos per gate case")
    parser.add_argument("--gate-ocr", action="store_true", help="also read every gate photo (key fields right)")
    args = parser.parse_args(argv)
    print(f"load average at start: {os.getloadavg()}")
    with tempfile.TemporaryDirectory() as tmp:
        samples = receipt_samples(args.photos, Path(tmp))
        one_core()
        run_sections(args, samples)
    if "gate" in args.only:
        report_gate(gate_accuracy(args.gate_seeds, args.gate_ocr))
    print(f"load average at end: {os.getloadavg()}")


def run_sections(args: argparse.Namespace, samples: list[Sample]) -> None:
    """Run the chosen sections on one set of samples (this process pinned to one core)."""
    photo12 = next(s for s in samples if s.name.startswith("photo-12mp"))
    if "compare" in args.only:
        print(f"our read vs raw tesseract CLI, one core, {len(samples)} images, median of {args.repeat}:")
        report_compare(compare(samples, args.repeat))
        if args.profile:
            report_profile(profile(samples), len(samples))
    if "pdf" in args.only:
        report_pdfs(pdf_seconds_per_page(args.repeat))
    if "gate-speed" in args.only:
        wall_ms, cpu_ms = gate_milliseconds(photo12.data)
        print(f"upload gate on a 12 MP JPEG ({len(photo12.data) >> 10} kB): {wall_ms:.0f} ms wall, {cpu_ms:.0f} ms CPU")
    if "sandbox" in args.only:
        for sample in (photo12, next(s for s in samples if s.name == "receipt-budmax.png")):
            report_sandbox(sample.name, sandbox_overhead(sample, args.repeat))
    if "throughput" in args.only:
        os.sched_setaffinity(0, set(range(os.cpu_count() or 1)))
        work = [(i, s.data) for i, s in enumerate(samples * 2)]
        ours = {n: throughput(_read_one, work, n) for n in (1, 2)}
        report_throughput(ours, {n: throughput(_spin, work[:16], n) for n in (1, 2)})


def _key_fields_right(data: bytes, seed: int) -> int:
    """How many of seller NIP, date and total the reader gets right on a generated receipt photo."""
    from fixtures.documents import expected_fields, make_receipt
    from ocr import extract_file_result

    fields, expected = extract_file_result(data, "gate.jpg")["fields"], expected_fields(make_receipt(seed))
    return sum(fields[k] == expected[k] for k in ("seller_nip", "date", "total"))


def gate_accuracy(seeds: int, read: bool) -> list[tuple[str, str | None, int, int, int, float | None]]:
    """Per case: (name, expected, photos, refused, refused for the expected problem, key fields right)."""
    from ocr import sniff_media_type
    from ocr.quality import check_photo
    from tests.hostile.photos import gate_cases

    rows = []
    real = sorted(SAMPLES.glob("*.png")) + [SAMPLES / "receipt-photo-stalbud.jpg"]
    real += sorted(p for p in DEV.glob("*") if p.suffix.lower() in {".jpg", ".png", ".webp", ".pdf"})
    verdicts = [check_photo(f.read_bytes(), sniff_media_type(f.read_bytes()) or "") for f in real]
    rows.append(("real and bundled documents", None, len(real), sum(not q.ok for q in verdicts), 0, None))
    for name, (expected, make) in gate_cases().items():
        refused = right = fields = 0
        for seed in range(500, 500 + seeds):  # the thresholds were tuned on seeds 100-111
            data = make(seed, (1.0, 1.5, 2.0)[seed % 3])
            problems = check_photo(data, "image/jpeg").problems
            refused += bool(problems)
            right += expected in problems
            fields += _key_fields_right(data, seed) if read and name != "no document" else 0
        rows.append((name, expected, seeds, refused, right, fields / (3 * seeds) if read else None))
        print(f"  gate: {name}: {refused}/{seeds} refused", flush=True)
    return rows


def report_gate(rows: list[tuple[str, str | None, int, int, int, float | None]]) -> None:
    readable, bad = [r for r in rows if r[1] is None], [r for r in rows if r[1] and "borderline" not in r[0]]
    print(
        f"gate false rejects on readable photos: {sum(r[3] for r in readable)}/{sum(r[2] for r in readable)}; "
        f"clearly bad refused {sum(r[3] for r in bad)}/{sum(r[2] for r in bad)}, "
        f"with the right problem {sum(r[4] for r in bad)}"
    )
    print("| case | expected | photos | refused | right problem | key fields read |")
    print("|---|---|---|---|---|---|")
    for name, expected, count, refused, right, fields in rows:
        read = "" if fields is None else f"{100 * fields:.0f}%"
        print(f"| {name} | {expected or 'pass'} | {count} | {refused} | {right if expected else ''} | {read} |")


def report_compare(rows: list[dict[str, object]]) -> None:
    med = {k: statistics.median(float(r[k]) for r in rows) for k in ("ours_wall", "ours_cpu", "raw_wall", "raw_cpu")}
    ratios = [float(r["ours_cpu"]) / float(r["raw_cpu"]) for r in rows]
    twice, engine = sum(1 for r in rows if r["passes"] == 2), sum(1 for r in rows if r["engine"])
    totals = sum(float(r["ours_cpu"]) for r in rows) / sum(float(r["raw_cpu"]) for r in rows)
    print(f"total CPU ours / raw: {totals:.2f}x")
    print(
        f"median s/receipt: ours {med['ours_wall']:.2f} wall / {med['ours_cpu']:.2f} CPU; raw CLI "
        f"{med['raw_wall']:.2f} wall / {med['raw_cpu']:.2f} CPU; ratio of medians (CPU) "
        f"{med['ours_cpu'] / med['raw_cpu']:.2f}x, median per-image ratio {statistics.median(ratios):.2f}x "
        f"(range {min(ratios):.2f}-{max(ratios):.2f}); second pass on {twice}/{len(rows)}, "
        f"second engine's page reading on {engine}/{len(rows)}"
    )


def report_profile(spent: dict[str, float], count: int) -> None:
    total = spent.pop("total")
    print(
        f"where our CPU goes ({count} images, {total:.1f} s): "
        + ", ".join(f"{name} {seconds:.1f} s ({100 * seconds / total:.0f}%)" for name, seconds in spent.items())
    )


def report_pdfs(rows: list[tuple[str, int, float]]) -> None:
    print("\n".join(f"text PDF {name}: {pages} page(s), {per_page:.3f} s/page" for name, pages, per_page in rows))


def report_sandbox(name: str, runs: dict[str, tuple[float, float]]) -> None:
    (wall, cpu), (iso_wall, iso_cpu), (empty_wall, empty_cpu), (fork_wall, fork_cpu) = runs.values()
    print(
        f"sandbox, {name}: in-process {wall:.2f} s wall / {cpu:.2f} s CPU, isolated {iso_wall:.2f} / {iso_cpu:.2f}"
        f" (+{iso_wall - wall:.2f} s wall, +{iso_cpu - cpu:.2f} s CPU); empty-file round trip {empty_wall:.2f} s"
        f" wall / {empty_cpu:.2f} s CPU; forked from a warm process {fork_wall:.2f} / {fork_cpu:.2f}"
        f" (+{fork_wall - wall:.2f} s wall, +{fork_cpu - cpu:.2f} s CPU)"
    )


def report_throughput(ours: dict[int, float], spin: dict[int, float]) -> None:
    print(
        f"throughput: 1 worker {ours[1]:.2f} docs/s, 2 workers {ours[2]:.2f} docs/s, {ours[2] / ours[1]:.2f}x; "
        f"a pure-CPU loop in the same run {spin[2] / spin[1]:.2f}x (what the machine gave two processes)"
    )


if __name__ == "__main__":
    main()
