"""What the admin pages share: the blueprint, who may open them, paging, and reading a submitted form.

Admins change the programme; auditors may read the lists (campaigns, catalogue, partners, code batches).
Form text is parsed here into the typed values claims.services.admin* check; every problem found on the way
(a word where a number belongs, a malformed date) is collected so the form comes back with all of them marked.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation

from flask import Blueprint, flash, render_template, request

from claims.errors import ClaimsError
from claims.roles import Role
from claims.services.admin import InvalidFormError, Problem
from review_ui.errors import claims_error_message
from review_ui.i18n import has_key, t

bp = Blueprint("admin", __name__, url_prefix="/admin")

ADMIN = (Role.ADMIN,)
READERS = (Role.ADMIN, Role.AUDITOR)
PAGE_SIZE = 50
TRUE_VALUES = frozenset({"1", "on", "yes", "true"})


def page_arg() -> int:
    try:
        return max(1, min(int(request.args.get("page", "1")), 10_000))
    except ValueError:
        return 1


def problem_message(problem: Problem) -> str:
    key = f"admin.error.{problem.code}"
    if has_key(key):
        return t(key, detail=problem.detail)
    return t(f"error.{problem.code}") if has_key(f"error.{problem.code}") else t("admin.error.invalid", detail="")


def error_messages(problems: Mapping[str, Problem]) -> dict[str, str]:
    """{field: translated message} for the template."""
    return {name: problem_message(problem) for name, problem in problems.items()}


def form_failed(template: str, problems: Mapping[str, Problem], **context):
    """The form again with what was typed and each wrong field marked (422)."""
    flash(t("admin.fix_fields"), "error")
    return render_template(template, errors=error_messages(problems), **context), 422


def failure_problems(error: ClaimsError) -> dict[str, Problem]:
    """The per-field problems of a service error; other errors are flashed and give {}."""
    if isinstance(error, InvalidFormError):
        return dict(error.problems)
    flash(claims_error_message(error), "error")
    return {}


class FormReader:
    """Reads a submitted form's text fields into values, collecting a Problem per malformed field."""

    def __init__(self, form: Mapping[str, str]) -> None:
        self.form = form
        self.problems: dict[str, Problem] = {}

    def text(self, name: str, limit: int = 300) -> str:
        """Trimmed text; one character over `limit` is kept so the service can say it is too long."""
        return str(self.form.get(name, "") or "").strip()[: limit + 1]

    def flag(self, name: str) -> bool:
        return str(self.form.get(name, "")).lower() in TRUE_VALUES

    def decimal(self, name: str, default: Decimal | None = None) -> Decimal | None:
        raw = self.text(name, 40).replace(" ", "").replace("\u00a0", "").replace(",", ".")
        if not raw:
            return default
        try:
            value = Decimal(raw)
        except InvalidOperation:
            value = None
        if value is None or not value.is_finite():
            self.problems[name] = Problem("not_a_number")
            return default
        return value

    def whole(self, name: str, default: int | None = None) -> int | None:
        raw = self.text(name, 12).replace(" ", "")
        if not raw:
            return default
        try:
            return int(raw)
        except ValueError:
            self.problems[name] = Problem("not_a_whole_number")
            return default

    def day(self, name: str, required: bool = False) -> date | None:
        raw = self.text(name, 10)
        if not raw:
            if required:
                self.problems[name] = Problem("required")
            return None
        try:
            return date.fromisoformat(raw)
        except ValueError:
            self.problems[name] = Problem("not_a_date")
            return None

    def words(self, name: str, limit: int = 20_000) -> tuple[str, ...]:
        """A list typed one per line (or separated by commas, semicolons or |), duplicates dropped."""
        raw = str(self.form.get(name, "") or "")[:limit]
        for separator in (",", ";", "|", "\r"):
            raw = raw.replace(separator, "\n")
        return tuple(dict.fromkeys(part.strip() for part in raw.split("\n") if part.strip()))

    def names(self, name: str) -> tuple[str, ...]:
        """Aliases: one per line or separated by |, commas kept (product names contain them)."""
        raw = str(self.form.get(name, "") or "")[:20_000].replace("|", "\n").replace("\r", "\n")
        return tuple(dict.fromkeys(part.strip()[:300] for part in raw.split("\n") if part.strip()))
