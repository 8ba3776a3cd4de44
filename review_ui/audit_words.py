"""The audit trail in words: each recorded before/after value with a label and a readable value.

Events keep data (status codes, reason codes, field names, hashes); the trail shows who, when, what and why in
the reader's language: a field's catalogue name, a status or reason label, lists joined, and long tokens (a
64-character hash) left for CSS to wrap.
"""

from __future__ import annotations

from review_ui.formatting import format_money, reason_label, status_label
from review_ui.i18n import has_key, t
from vocabulary.fields import MONEY_FIELDS

#: Keys whose values are claim statuses, reason codes, or lists of reason codes.
STATUS_KEYS = frozenset({"status", "from_status", "to_status"})
REASON_KEYS = frozenset({"reason_code", "code"})


def key_label(key: str) -> str:
    """A recorded key's name for people: the field's name, or the audit trail's own label."""
    for candidate in (f"field.{key}", f"audit.key.{key}"):
        if has_key(candidate):
            return t(candidate)
    return t("audit.key.other")


def value_text(key: str, value: object) -> str:
    if value is None or value == "":
        return "—"
    if key in STATUS_KEYS:
        return status_label(str(value))
    if key in REASON_KEYS:
        return reason_label(str(value))
    if key == "reasons" and isinstance(value, list):
        return ", ".join(reason_label(str(v)) for v in value) or "—"
    if key in MONEY_FIELDS:
        return format_money(value)
    if isinstance(value, bool):
        return t("lines.yes") if value else t("lines.no")
    if isinstance(value, list):
        return ", ".join(value_text(key, v) for v in value) or "—"
    if isinstance(value, dict):
        return "; ".join(f"{key_label(k)}: {value_text(k, v)}" for k, v in value.items())
    key_value = f"value.{key}.{value}"
    return t(key_value) if has_key(key_value) else str(value)


def audit_values(data: dict | None) -> list[tuple[str, str]]:
    """(label, text) for each recorded value, in the recorded order."""
    if not isinstance(data, dict):
        return []
    return [(key_label(str(k)), value_text(str(k), v)) for k, v in data.items()]
