"""What one upload costs the machine: ``python -m bench.upload_cost [--uploads 40] [--repeat 2]``.

Starts the stack of `bench.load` (a scratch PostgreSQL database, ``paragon serve`` under gunicorn, uploads kept in
the database) without workers, sends distinct phone-sized JPEG photos one at a time from one participant, and
reports the CPU seconds per upload of the web server's processes, of PostgreSQL's backends and of this client,
read from /proc before and after. CPU time is what the upload's latency under load is made of (an upload waits
for a core as long as the uploads ahead of it need one), and it is far less disturbed by other work on the
machine than a latency is: the figure to compare between versions of the code on a shared machine. The
latencies of the sequential uploads are printed too, for the record.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

import requests

from bench.load import Stack, phone_photos

TICKS = os.sysconf("SC_CLK_TCK")
WARM_UP = 5  # uploads before measuring: the web workers' first requests and PostgreSQL's caches


def cpu_seconds(command_part: str) -> float:
    """Return the CPU seconds (user + system) of every process whose command line contains `command_part`."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if command_part not in (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace"):
                continue
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended meanwhile
            continue
        total += (int(fields[11]) + int(fields[12])) / TICKS
    return total


def measure(uploads: int) -> dict[str, float]:
    """Upload `uploads` distinct photos one by one; CPU ms per upload by process group, latency median and min."""
    stack = Stack()
    try:
        token = stack.seed(1)["load0@example.com"]
        base = stack.serve()
        photos = phone_photos(WARM_UP + uploads)
        session = requests.Session()

        def upload(photo: bytes) -> float:
            started = time.monotonic()
            answer = session.post(f"{base}/api/v1/claims", headers={"Authorization": f"Bearer {token}"},
                                  files={"files": ("receipt.jpg", photo, "image/jpeg")}, timeout=60)
            if answer.status_code != 202:
                raise RuntimeError(f"upload refused: {answer.status_code} {answer.text[:200]}")
            return (time.monotonic() - started) * 1000

        for photo in photos[:WARM_UP]:
            upload(photo)
        web, database, client = cpu_seconds("paragon serve"), cpu_seconds("postgres:"), time.process_time()
        latencies = [upload(photo) for photo in photos[WARM_UP:]]
        return {
            "web": (cpu_seconds("paragon serve") - web) * 1000 / uploads,
            "postgres": (cpu_seconds("postgres:") - database) * 1000 / uploads,
            "client": (time.process_time() - client) * 1000 / uploads,
            "median": statistics.median(latencies),
            "fastest": min(latencies),
        }
    finally:
        stack.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--uploads", type=int, default=40, help="distinct photos uploaded after the warm-up")
    parser.add_argument("--repeat", type=int, default=2, help="runs, each with a fresh stack")
    args = parser.parse_args()
    for run in range(1, args.repeat + 1):
        cost = measure(args.uploads)
        print(f"run {run}: CPU per upload: web {cost['web']:.1f} ms, PostgreSQL {cost['postgres']:.1f} ms, "
              f"client {cost['client']:.1f} ms; sequential latency median {cost['median']:.0f} ms, "
              f"fastest {cost['fastest']:.0f} ms; load average {os.getloadavg()[0]:.1f}", flush=True)


if __name__ == "__main__":
    main()
