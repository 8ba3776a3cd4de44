"""A job for tests/integration/test_bounded_worker.py: process a claim exactly as `workers.jobs.process_claim`
does, inside rq's work horse, then report the horse's own peak resident memory (VmHWM, children excluded)."""

from __future__ import annotations

from pathlib import Path


def peak_rss_kb() -> int:
    """This process's peak resident set size in kB (Linux /proc; a forked child starts from its RSS at fork)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError("no VmHWM in /proc/self/status")


def process_and_measure(claim_id: str) -> dict:
    from workers.jobs import process_claim

    try:
        outcome = process_claim(claim_id)
    except Exception as exc:  # noqa: BLE001 — a hostile file may fail the claim; the memory is what counts
        outcome = f"failed: {type(exc).__name__}"
    return {"claim_id": claim_id, "outcome": outcome, "peak_rss_kb": peak_rss_kb()}
