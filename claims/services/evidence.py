"""Evidence in words: what backs each reason and risk signal, as sentences in the reader's language.

A stored reason keeps its evidence as data (`{"code", "severity", "evidence": {...}}`). Staff read it here as
sentences from the catalogues (`evidence.<code>`, with the numbers, amounts, dates and field names formatted
for the locale), never as raw keys, enum values or Python lists. An evidence key that has no sentence is not
shown (the reason's message still is); the earlier claim of a duplicate is given as an id to link to.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from babel.numbers import format_decimal, format_percent

from claims.i18n import has_key, translate

#: Evidence values that are amounts of money; those that are ratios (0–1) shown as percentages.
MONEY_KEYS = frozenset({"total", "items_sum", "median", "eligible_amount", "minimum_purchase"})
RATIO_KEYS = frozenset({"risk_score", "weight"})


def money(value: object, locale: str) -> str:
    """'1234.5' -> '1 234,50 zł' (pl) or '1,234.50 PLN' (en); the text itself when it is not a number."""
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        return str(value)
    text = format_decimal(amount, format="#,##0.00", locale=locale)
    return f"{text} PLN" if locale == "en" else f"{text}\u00a0zł"


def number(value: object, locale: str) -> str:
    try:
        return format_decimal(Decimal(str(value)), locale=locale)
    except (InvalidOperation, ValueError):
        return str(value)


def percent(value: object, locale: str) -> str:
    try:
        return format_percent(Decimal(str(value)), locale=locale)
    except (InvalidOperation, ValueError):
        return str(value)


def _words(values: object, locale: str, prefix: str = "") -> str:
    """A list as words: each item in quotes, or its catalogue label when `prefix` names one."""
    items = values if isinstance(values, list | tuple) else [values]
    shown = []
    for item in items:
        key = f"{prefix}{item}"
        shown.append(translate(key, locale) if prefix and has_key(key) else f"„{item}”")
    return ", ".join(shown)


def _values(code: str, evidence: dict, locale: str) -> dict[str, str]:
    """Every evidence value formatted for a sentence."""
    values: dict[str, str] = {}
    for key, value in evidence.items():
        if key in MONEY_KEYS:
            values[key] = money(value, locale)
        elif key in RATIO_KEYS:
            values[key] = percent(value, locale)
        elif key == "score":
            values[key] = percent(Decimal(str(value)) / 100, locale) if _is_number(value) else str(value)
        elif key in ("fields", "same"):
            values[key] = _words(value, locale, "field.")
        elif key in ("items", "lines_not_adding_up"):
            values[key] = _words(value, locale)
        elif key == "prior_claim":
            values[key] = str(value)[:8]
        elif key == "scope":
            values[key] = translate(f"evidence.scope.{value}", locale)
        elif isinstance(value, list):
            values[key] = number(len(value), locale)
        elif isinstance(value, int | float | Decimal) and not isinstance(value, bool):
            values[key] = number(value, locale)
        else:
            values[key] = "" if value is None else str(value)
    if code == "points_capped":
        values["caps"] = "; ".join(_cap(cap, locale) for cap in evidence.get("caps") or [])
    return values


def _cap(cap: dict, locale: str) -> str:
    return translate(f"evidence.cap.{cap.get('cap')}", locale, limit=number(cap.get("limit", 0), locale),
                     used=number(cap.get("used", 0), locale))


def _is_number(value: object) -> bool:
    try:
        Decimal(str(value))
    except (InvalidOperation, ValueError):
        return False
    return True


def sentence_key(code: str, evidence: dict) -> str:
    """The catalogue key of a reason's evidence sentence (a duplicate says how, and whose claim it was)."""
    if code == "duplicate":
        whose = "other" if evidence.get("other_participant") else "same"
        return f"evidence.duplicate.{evidence.get('by', 'same_document')}.{whose}"
    return f"evidence.{code}"


def evidence_sentences(record: dict, locale: str) -> list[str]:
    """The sentences that explain a stored reason's evidence (empty when it has none to tell)."""
    code, evidence = str(record.get("code", "")), record.get("evidence")
    if not isinstance(evidence, dict) or not evidence:
        return []
    values = _values(code, evidence, locale)
    sentences = []
    key = sentence_key(code, evidence)
    if has_key(key, locale):
        sentences.append(_fill(key, locale, values))
    if "weight" in evidence and evidence.get("weight"):
        sentences.append(translate("evidence.weight", locale, weight=values["weight"]))
    return sentences


def _fill(key: str, locale: str, values: dict[str, str]) -> str:
    """The sentence with its values; a value the sentence needs but the evidence lacks shows as a dash."""
    class Missing(dict):
        def __missing__(self, name: str) -> str:
            return "—"

    template = translate(key, locale)
    try:
        return template.format_map(Missing(values))
    except (IndexError, ValueError):
        return template


def prior_claim(record: dict) -> str | None:
    """The id of the earlier claim a duplicate or near duplicate points to."""
    evidence = record.get("evidence")
    if isinstance(evidence, dict) and isinstance(evidence.get("prior_claim"), str):
        return evidence["prior_claim"]
    return None
