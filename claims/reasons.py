"""Reasons as a claim stores them, and their texts in the reader's language.

A stored reason is `{"code", "severity"?, "evidence"?, "comment"?}`: the code and what backs it, never rendered
text. Its message comes from the catalogues (`reason.<code>`) when it is shown, so it is always in the reader's
language and never drifts from the catalogue. The codes themselves are on the ground floor
(`vocabulary.reasons`).
"""

from __future__ import annotations

from claims.i18n import has_key, translate
from vocabulary.reasons import ReasonCode


def reason_text(code: ReasonCode | str, locale: str | None = "pl") -> str:
    """The participant-facing message of a reason code in `locale` (the code itself when it has none)."""
    key = f"reason.{code}"
    return translate(key, locale) if has_key(key) else str(code)


def reason(code: ReasonCode | str, **evidence: object) -> dict:
    """A reason record as stored on a claim: its code and optional evidence."""
    record: dict = {"code": str(code)}
    if evidence:
        record["evidence"] = evidence
    return record
