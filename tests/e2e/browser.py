"""What the browser tests share besides fixtures (those live in conftest.py, defined once, so the session's one
Chromium is started once): the served app's handle, the sample receipt and the programme it is routed in."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from claims.runtime import Runtime
from tests.review_ui.helpers import PROGRAMME, RecordingQueue

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
#: The bundled sample receipt and the outlet that sold it (routed to partner A).
RECEIPT = ROOT / "fixtures" / "samples" / "receipt-budmax.png"
BUDMAX = {"code": "A-BUD", "name": "BUDMAX Warszawa", "nip": "7987973094", "address": "ul. Budowlana 7",
          "city": "Warszawa"}


def browser_programme() -> dict:
    """The UI tests' programme, with the sample receipt's seller as partner A's outlet, a long deadline and the
    demo catalogue (so the receipt's products are in the programme)."""
    programme = copy.deepcopy(PROGRAMME)
    demo = json.loads((ROOT / "fixtures" / "demo_programme.json").read_text(encoding="utf-8"))
    programme["products"] = demo["products"]
    programme["partners"][0]["outlets"].append(BUDMAX)
    programme["campaign"]["submission_days"] = 3650
    return json.loads(json.dumps(programme))


@dataclass
class LiveApp:
    url: str
    runtime: Runtime
    queue: RecordingQueue


def wait_until(page, condition: Callable[[], bool], timeout_ms: int = 10_000, step_ms: int = 50) -> None:
    """Polls a condition read through Playwright's handles until it holds. `page.wait_for_function` would evaluate
    a string inside the page, which the app's Content-Security-Policy (no 'unsafe-eval') rightly refuses."""
    for _ in range(max(1, timeout_ms // step_ms)):
        if condition():
            return
        page.wait_for_timeout(step_ms)
    assert condition(), f"condition not met within {timeout_ms} ms"
