"""Review UI: the Flask-Babel catalogues — complete in Polish and English, compiled from the .po files."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.pofile import read_po

from claims.i18n import SOURCE_DIR, compile_catalogues, normalise_locale, translate
from tests.review_ui.helpers import PARTICIPANT, login
from vocabulary.claims import ClaimKind, ClaimStatus
from vocabulary.fields import FIELDS
from vocabulary.reasons import REJECTION_CODES

UI = Path(__file__).resolve().parents[2] / "review_ui"
LITERAL_KEY = re.compile(r"""\bt\(\s*['"]([a-z0-9_.]*[a-z0-9_])['"]\s*[,)]""")
PLURAL_KEY = re.compile(r"""\btn\(\s*['"]([a-z0-9_.]*[a-z0-9_])['"]\s*,""")


def _catalogue(locale: str):
    with (SOURCE_DIR / locale / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=locale)


def _keys(locale: str) -> set[str]:
    return {m.id if isinstance(m.id, str) else m.id[0] for m in _catalogue(locale) if m.id}


def _keys_used(pattern: re.Pattern) -> set[str]:
    sources = list(UI.rglob("*.html")) + list(UI.glob("*.py"))
    return {key for path in sources for key in pattern.findall(path.read_text(encoding="utf-8"))}


def test_polish_and_english_have_the_same_keys_and_every_one_is_translated():
    assert _keys("pl") == _keys("en")
    for locale in ("pl", "en"):
        untranslated = [m.id for m in _catalogue(locale) if m.id and not all(
            m.string if isinstance(m.string, tuple) else [m.string])]
        assert untranslated == [], locale


def test_catalogues_have_no_format_errors():
    for locale in ("pl", "en"):
        problems = [(m.id, errors) for m, errors in _catalogue(locale).check()]
        assert problems == [], locale


def test_every_key_used_by_templates_and_views_exists():
    used = _keys_used(LITERAL_KEY) | _keys_used(PLURAL_KEY)
    assert used, "the key pattern found nothing"
    assert used - _keys("pl") == set()


def test_every_status_kind_field_and_rejection_code_has_a_label():
    keys = _keys("pl")
    assert {spec.message_key for spec in FIELDS} <= keys
    assert {"action.approve", "action.reject", "action.reverse", "action.appeal"} <= keys
    assert {"me.entry.credit", "me.entry.reversal"} <= keys
    assert {f"status.{s}" for s in ClaimStatus} <= keys
    assert {f"kind.{k}" for k in ClaimKind} <= keys
    assert {f"reject.{c}" for c in REJECTION_CODES} <= keys


def test_participant_status_words_are_the_agreed_polish_ones():
    assert translate("status.received", "pl") == "Przyjęte"
    assert translate("status.pending_review", "pl") == "Czeka na weryfikację partnera"
    assert translate("status.needs_retake", "pl") == "Wymaga ponownego zdjęcia"
    assert translate("status.reversed", "pl") == "Cofnięte"


def test_unknown_locale_falls_back_to_polish_and_unknown_key_to_itself():
    assert translate("status.approved", "de") == "Zatwierdzone"
    assert translate("no.such.key", "en") == "no.such.key"
    assert normalise_locale("en-GB") == "en" and normalise_locale("fr") is None


def test_catalogues_compile_from_po_files_on_a_fresh_checkout(tmp_path):
    target = compile_catalogues(SOURCE_DIR, tmp_path)
    assert (target / "pl" / "LC_MESSAGES" / "messages.mo").stat().st_size > 1000
    assert (target / "en" / "LC_MESSAGES" / "messages.mo").stat().st_size > 1000
    assert compile_catalogues(SOURCE_DIR, tmp_path) == target  # compiled once per content


def test_polish_plural_forms(app):
    from review_ui.i18n import tn

    with app.test_request_context("/"):
        assert tn("bulk.approved", 1) == "Zatwierdzono 1 zgłoszenie."
        assert tn("bulk.approved", 3) == "Zatwierdzono 3 zgłoszenia."
        assert tn("bulk.approved", 5) == "Zatwierdzono 5 zgłoszeń."
        assert tn("bulk.approved", 22) == "Zatwierdzono 22 zgłoszenia."
    with app.test_request_context("/?lang=en"):
        from review_ui.i18n import remember_requested_locale

        remember_requested_locale()
        assert tn("bulk.approved", 1) == "1 claim approved."
        assert tn("bulk.approved", 5) == "5 claims approved."


def test_language_choice_is_saved_on_the_logged_in_user(client, runtime):
    from claims.db.models import User

    login(client, PARTICIPANT)
    assert "My claims" in client.get("/me?lang=en").get_data(as_text=True)
    with runtime.sessions() as session:
        assert session.query(User).filter_by(email=PARTICIPANT).one().locale == "en"
    client.post("/logout")
    login(client, PARTICIPANT)
    client.get("/login?lang=pl")  # anonymous pages use the session's choice, logged-in ones the user's
    assert "Moje zgłoszenia" in client.get("/me").get_data(as_text=True)


def test_language_links_keep_the_other_query_arguments(client):
    login(client, PARTICIPANT)
    html = client.get("/me?page=2").get_data(as_text=True)
    assert 'href="/me?page=2&amp;lang=en"' in html
