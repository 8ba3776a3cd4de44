"""Reader memory: ``python -m bench.ocr_memory [--photos 2] [--upscale 1.6] [--find-limit] [FILE ...]``.

Each photo is read (`ocr.extract_file_result`, second pass included) in a fresh child process
(``python -m bench.ocr_memory --child FILE``), which reports its own peak RSS (VmHWM) and peak address space
(VmPeak, what RLIMIT_AS limits) and the peak RSS of each tesseract it ran (VmHWM polled from /proc while it
runs). Not `ru_maxrss`: Linux keeps it across exec, so a child forked from a big process inherits the
parent's figure (`RUSAGE_CHILDREN` of the reader reported ~210 MB for a tesseract whose own peak was ~60 MB).
With the in-process engine (`OCR_ENGINE=api`, the default when tesserocr is installed) tesseract's memory is
part of the reader's own peak.
Photos: generated ~12 MP receipt photos (`tests.hostile.photos.readable_photo` at print scale 4.2), one of
them also upscaled by `--upscale` (~35 MP, near the reader's 40 MP cap), and any FILEs given.
`--find-limit` also finds the smallest `memory_mb` for `ocr.sandbox.read_document_isolated` that still
reads each photo. Target: reader process + tesseract < 500 MB on a 12 MP photo.

`--traits` measures the image traits instead (`ocr.traits`), each file in a fresh child: the peak RSS that
`document_traits` adds (VmHWM before and after, measured first) and its CPU, against decoding the first
page alone (the baseline), and the CPU the reader adds by hashing the page it already decoded. Files: the
photos and a 20-page 6320x6320 1-bit G4 fax TIFF (the upload that took a worker to 3.2 GB).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

LIMITS_MB = (256, 320, 384, 448, 512, 640, 768, 1024)


def _status_mb(pid: int | str, field: str) -> float:
    """A memory figure (VmHWM, VmPeak...) of a process from /proc, in MB (0 once it has gone)."""
    try:
        match = re.search(rf"{field}:\s+(\d+)", Path(f"/proc/{pid}/status").read_text())
    except OSError:
        return 0.0
    return int(match.group(1)) / 1024 if match else 0.0


def _watch_tesseract(peaks: list[float]) -> None:
    """Make the reader's tesseract runs report their peak RSS into `peaks` (polled every 20 ms)."""
    import ocr.tesseract

    class Watched(subprocess.Popen):  # type: ignore[type-arg]
        def communicate(self, *args: object, **kwargs: object) -> tuple[bytes, bytes]:
            done, peak = threading.Event(), [0.0]

            def poll() -> None:
                while not done.wait(0.02):
                    peak[0] = max(peak[0], _status_mb(self.pid, "VmHWM"))

            watcher = threading.Thread(target=poll, daemon=True)
            watcher.start()
            try:
                return super().communicate(*args, **kwargs)  # type: ignore[arg-type]
            finally:
                done.set()
                watcher.join()
                peaks.append(peak[0])

    ocr.tesseract.subprocess.Popen = Watched  # type: ignore[misc]


def child(path: Path) -> None:
    """Read one file and print the peaks (MB), tesseract runs, seconds and error as JSON."""
    from ocr import extract_file_result

    peaks: list[float] = []
    _watch_tesseract(peaks)
    from ocr import ReaderConfig
    from ocr.tesseract import _tessdata

    result = extract_file_result(path.read_bytes(), path.name)
    in_process = _tessdata(ReaderConfig()) is not None
    report = {
        "engine": "api" if in_process else "cli",
        "reader_mb": _status_mb("self", "VmHWM"),
        "reader_vm_mb": _status_mb("self", "VmPeak"),
        "tesseract_mb": 0.0 if in_process else max(peaks, default=0.0),
        "runs": 0 if in_process else len(peaks),
        "seconds": result["seconds"],
        "error": result["error"],
    }
    print(json.dumps(report))


def traits_child(path: Path) -> None:
    """Measure the traits of one file and print peak MB and CPU seconds as JSON."""
    import time

    from ocr import ReaderConfig
    from ocr.formats import sniff_media_type
    from ocr.images import load_first_page, load_images
    from ocr.traits import document_traits, page_traits

    data, config = path.read_bytes(), ReaderConfig()
    media_type = sniff_media_type(data) or ""
    before, cpu = _status_mb("self", "VmHWM"), time.process_time()
    document_traits(data, media_type, config)
    report = {"traits_s": time.process_time() - cpu, "peak_mb": _status_mb("self", "VmHWM") - before}
    cpu = time.process_time()
    load_first_page(data, media_type, config)
    report["decode_s"] = time.process_time() - cpu
    if path.stat().st_size > 1 << 20:  # a photo: what hashing the page the reader decoded anyway costs
        page = load_images(data, media_type, config)[0]
        cpu = time.process_time()
        page_traits(page, media_type, data)
        report["in_reader_s"] = time.process_time() - cpu
    print(json.dumps(report))


def fax_tiff(directory: Path) -> Path:
    """20 pages of 6320x6320 1-bit G4 with some print (~80 kB)."""
    from PIL import Image, ImageDraw

    page = Image.new("1", (6320, 6320), 1)
    draw = ImageDraw.Draw(page)
    for y in range(300, 6000, 180):
        draw.rectangle((400, y, 400 + (y * 7) % 5000, y + 60), fill=0)
    path = directory / "fax-20-pages.tiff"
    page.save(path, "TIFF", compression="group4", save_all=True, append_images=[page] * 19)
    return path


def measure(path: Path, mode: str = "--child") -> dict[str, object]:
    """Run the child on `path` and return its report."""
    command = [sys.executable, "-m", "bench.ocr_memory", mode, str(path)]
    out = subprocess.run(command, capture_output=True, check=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def smallest_limit(path: Path) -> int | None:
    """The smallest address-space limit (MB) under which the sandbox still reads `path`."""
    from ocr import OcrError
    from ocr.sandbox import read_document_isolated

    data = path.read_bytes()
    for limit in LIMITS_MB:
        try:
            read_document_isolated(data, memory_mb=limit)
            return limit
        except OcrError:
            continue
    return None


def photos(count: int, upscale: float, directory: Path) -> list[Path]:
    """Generated ~12 MP receipt photos, plus the first one upscaled."""
    import cv2

    from tests.hostile.photos import readable_photo

    paths = []
    for seed in range(300, 300 + count):
        paths.append(directory / f"photo-12mp-{seed}.jpg")
        paths[-1].write_bytes(readable_photo(seed, scale=4.2))
    if upscale > 1 and paths:
        image = cv2.imread(str(paths[0]))
        big = cv2.resize(image, None, fx=upscale, fy=upscale, interpolation=cv2.INTER_CUBIC)
        paths.append(directory / "photo-upscaled.jpg")
        cv2.imwrite(str(paths[-1]), big, [cv2.IMWRITE_JPEG_QUALITY, 88])
    return paths


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--photos", type=int, default=2)
    parser.add_argument("--upscale", type=float, default=1.6)
    parser.add_argument("--find-limit", action="store_true")
    parser.add_argument("--traits", action="store_true", help="measure the image traits instead")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--traits-child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child)
        return
    if args.traits_child:
        traits_child(args.traits_child)
        return
    if args.traits:
        with tempfile.TemporaryDirectory() as tmp:
            for path in photos(args.photos, args.upscale, Path(tmp)) + [fax_tiff(Path(tmp))] + list(args.files):
                print(f"{path.name}: {measure(path, '--traits-child')}", flush=True)
        return
    from PIL import Image

    with tempfile.TemporaryDirectory() as tmp:
        for path in photos(args.photos, args.upscale, Path(tmp)) + list(args.files):
            with Image.open(path) as image:
                megapixels = image.width * image.height / 1e6
            report = measure(path)
            total = float(report["reader_mb"]) + float(report["tesseract_mb"])  # type: ignore[arg-type]
            engine = (
                "tesseract inside the reader" if report["engine"] == "api"
                else f"tesseract peak RSS {report['tesseract_mb']:.0f} MB ({report['runs']} run(s))"
            )
            line = (
                f"{path.name}: {megapixels:.1f} MP, reader peak RSS {report['reader_mb']:.0f} MB (VmPeak "
                f"{report['reader_vm_mb']:.0f} MB), {engine}, sum {total:.0f} MB, read in {report['seconds']} s, "
                f"error {report['error']}"
            )
            if args.find_limit:
                line += f"; smallest sandbox memory_mb that reads it: {smallest_limit(path)}"
            print(line, flush=True)


if __name__ == "__main__":
    main()
