"""Review UI: every string the templates and views ask for exists in Polish and in English."""

from __future__ import annotations

import re
from pathlib import Path

from claims.lifecycle import ClaimKind, ClaimStatus
from claims.reasons import REJECTION_CODES
from review_ui.claim_pages import FIELD_ORDER
from review_ui.i18n import STRINGS, normalise_locale, translate

UI = Path(__file__).resolve().parents[2] / "review_ui"
LITERAL_KEY = re.compile(r"""\bt\(\s*['"]([a-z0-9_.]*[a-z0-9_])['"]\s*[,)]""")


def _keys_used() -> set[str]:
    sources = list(UI.rglob("*.html")) + list(UI.glob("*.py"))
    return {key for path in sources for key in LITERAL_KEY.findall(path.read_text(encoding="utf-8"))}


def test_polish_and_english_have_the_same_keys():
    assert set(STRINGS["pl"]) == set(STRINGS["en"])


def test_every_key_used_by_templates_and_views_exists():
    used = _keys_used()
    assert used, "the key pattern found nothing"
    assert used - set(STRINGS["pl"]) == set()


def test_every_status_kind_field_and_rejection_code_has_a_label():
    keys = set(STRINGS["pl"])
    assert {f"field.{name}" for name in FIELD_ORDER} <= keys
    assert {"action.approve", "action.reject", "action.reverse"} <= keys
    assert {"me.entry.credit", "me.entry.reversal"} <= keys
    assert {f"status.{s}" for s in ClaimStatus} <= keys
    assert {f"kind.{k}" for k in ClaimKind} <= keys
    assert {f"reject.{c}" for c in REJECTION_CODES} <= keys


def test_participant_status_words_are_the_agreed_polish_ones():
    assert translate("status.received", "pl") == "Przyjęte"
    assert translate("status.pending_review", "pl") == "Czeka na weryfikację partnera"
    assert translate("status.needs_retake", "pl") == "Wymaga ponownego zdjęcia"
    assert translate("status.reversed", "pl") == "Cofnięte"


def test_missing_english_falls_back_to_polish_then_the_key():
    assert translate("status.approved", "de") == "Zatwierdzone"
    assert translate("no.such.key", "en") == "no.such.key"
    assert normalise_locale("en-GB") == "en" and normalise_locale("fr") is None
