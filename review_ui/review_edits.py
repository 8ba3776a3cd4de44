"""Corrections that are never lost: typed values kept after a failed save, edits carried with a decision,
every problem said with its limit or the expected format, and the points a correction would give."""

from __future__ import annotations

from collections.abc import Mapping

from claims.errors import ClaimsError
from review_ui.i18n import t
from vocabulary.fields import EDITABLE_FIELDS

#: The prefix of a correction typed but not saved that the approve and reject forms carry (edits.js adds them).
EDIT_PREFIX = "edit-"


def submitted_fields(form: Mapping[str, str], prefix: str = "") -> dict[str, str]:
    """The editable fields present in a form (under `prefix`), as typed."""
    return {name: str(form.get(prefix + name, "")) for name in EDITABLE_FIELDS if prefix + name in form}


def pending_edits(form: Mapping[str, str]) -> dict[str, str]:
    """The corrections a decision form carries because they were typed and not saved."""
    return submitted_fields(form, EDIT_PREFIX)


def field_errors(error: ClaimsError) -> dict[str, str]:
    """Per field, what is wrong and what is expected (a date as 2026-11-14, a text at most N characters)."""
    problems = error.details.get("problems") or {}
    return {name: problem_text(problem) for name, problem in problems.items()}


def problem_text(problem: ClaimsError) -> str:
    if problem.code == "too_long":
        return t("fields.too_long", limit=problem.details["limit"], length=problem.details["length"])
    return t(f"fields.expected.{problem.details.get('type', 'text')}")


def failed_save(claim_id: str, typed: dict[str, str], error: ClaimsError):
    """The claim page again (422) with every value as typed and each wrong field's problem; nothing saved."""
    from flask import flash

    from review_ui.review import claim_page

    flash(t("fields.not_saved"), "error")
    return claim_page(claim_id, typed, field_errors(error), 422)
