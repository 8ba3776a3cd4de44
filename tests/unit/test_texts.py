"""One way to translate: every text a person reads is in both gettext catalogues, Polish and English."""

from __future__ import annotations

import pytest

from claims.i18n import LOCALES, has_key, translate
from claims.reasons import reason, reason_text
from ocr.quality import QualityProblem
from vocabulary.claims import ClaimStatus
from vocabulary.fields import FIELDS
from vocabulary.reasons import ReasonCode

#: The keys of a status e-mail (claims.services.notifications).
EMAIL_KEYS = ("subject", "greeting", "changed", "reasons", "credited", "reversed", "retake", "appeal", "appealed",
              "link", "footer")


def _in_both(key: str) -> tuple[str, str]:
    assert all(has_key(key, locale) for locale in LOCALES), key
    polish, english = translate(key, "pl"), translate(key, "en")
    assert polish.strip() and english.strip(), key
    return polish, english


@pytest.mark.parametrize("code", list(ReasonCode))
def test_every_reason_code_has_a_polish_and_an_english_text(code):
    polish, english = _in_both(f"reason.{code}")
    assert polish != english
    assert reason_text(code, "pl") == polish and reason_text(code, "en") == english


@pytest.mark.parametrize("problem", list(QualityProblem))
def test_every_quality_problem_has_a_polish_and_an_english_text(problem):
    polish, english = _in_both(f"quality.{problem}")
    assert polish != english


@pytest.mark.parametrize("key", EMAIL_KEYS)
def test_every_email_text_is_in_both_languages(key):
    _in_both(f"email.{key}")


@pytest.mark.parametrize("status", [s for s in ClaimStatus if s not in (ClaimStatus.RECEIVED, ClaimStatus.PROCESSING)])
def test_every_status_an_email_can_name_is_in_both_languages(status):
    _in_both(f"email.status.{status}")


@pytest.mark.parametrize("spec", FIELDS, ids=lambda spec: spec.name)
def test_every_field_of_the_table_has_a_label_in_both_languages(spec):
    _in_both(spec.message_key)


def test_a_stored_reason_keeps_its_code_and_evidence_but_no_text():
    record = reason(ReasonCode.PROCESSING_FAILED, detail="boom")
    assert record == {"code": "processing_failed", "evidence": {"detail": "boom"}}


def test_an_unknown_code_is_shown_as_itself_rather_than_a_blank():
    assert reason_text("no_such_code", "en") == "no_such_code"
