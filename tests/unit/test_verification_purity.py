"""verification is pure: no file, network or environment access, no clock reads (today/now are passed in)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted((ROOT / "verification").rglob("*.py"))
FORBIDDEN = {
    "file access": r"\bopen\(|\.read_text\(|\.write_text\(|\.read_bytes\(|\bPath\(",
    "network": r"\bsocket\b|\burllib\b|\brequests\b|\bhttp\.client\b",
    "environment": r"os\.environ|getenv\(",
    "processes": r"\bsubprocess\b|os\.system\(",
    "clock": r"datetime\.now\(|datetime\.utcnow\(|date\.today\(|time\.time\(|time\.monotonic\(|time\.perf_counter\(",
    "randomness": r"\brandom\.\w+\(|np\.random\.",
}


def test_there_are_sources_to_check():
    assert len(SOURCES) >= 10


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_verification_module_does_no_io_and_reads_no_clock(path):
    text = path.read_text(encoding="utf-8")
    found = {what: re.findall(pattern, text) for what, pattern in FORBIDDEN.items()}
    assert {what: hits for what, hits in found.items() if hits} == {}


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_verification_modules_stay_small(path):
    assert len(path.read_text(encoding="utf-8").splitlines()) < 400
