"""The noise run damages every receipt text it is given, and scores what extraction makes of it."""

from __future__ import annotations

import random

from bench.ocr_noise import KINDS, run
from fixtures.receipt_styles import make_styled_receipt
from fixtures.wideset import BalancedPick, seed_of


def test_every_kind_of_damage_changes_a_receipt_text() -> None:
    texts = [
        make_styled_receipt(seed_of("dev4", "receipt_photo", i), BalancedPick("dev4", "receipt_photo", i)).text()
        for i in range(1000, 1005)
    ]
    for kind, damage in KINDS.items():
        changed = sum(damage(text, random.Random(f"{kind}-{n}")) != text for n, text in enumerate(texts))
        assert changed >= 3, kind


def test_the_run_scores_every_kind_of_damage() -> None:
    rows = run("dev4", 3)
    assert [row[0] for row in rows] == list(KINDS)
    for _kind, right, labelled, sure, wrong in rows:
        assert labelled == 15 and 0 <= wrong <= sure and right <= labelled
