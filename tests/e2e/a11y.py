"""Accessibility checks inside the browser tests: axe-core (npm, installed by `make test` into tests/e2e) run on
the page as it stands. Evaluated through the DevTools protocol, so the pages' Content-Security-Policy, which
forbids inline scripts, stays on."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

import pytest

AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
#: What must never be on a page: the impacts axe calls critical and serious.
BLOCKING_IMPACTS = ("critical", "serious")


@lru_cache(maxsize=1)
def _axe_source() -> str:
    if not AXE.exists():
        message = f"axe-core is not installed: npm ci --prefix {AXE.parents[2]} (make test does it)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return AXE.read_text(encoding="utf-8")


def axe_violations(page, impacts: tuple[str, ...] = BLOCKING_IMPACTS) -> list[dict]:
    """The axe-core violations of `impacts` on the page now, each as {id, impact, help, targets}."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(_axe_source())
    result = page.evaluate("async () => await window.axe.run(document, {resultTypes: ['violations']})")
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"],
         "targets": [", ".join(node["target"]) for node in v["nodes"]][:5]}
        for v in result["violations"] if v["impact"] in impacts
    ]


def assert_accessible(page, name: str = "") -> None:
    """Fail with every critical or serious axe-core violation on the page, listed one per line."""
    found = axe_violations(page)
    assert not found, f"{name or page.url}: " + "\n".join(f"{v['impact']} {v['id']}: {v['help']} {v['targets']}"
                                                           for v in found)
