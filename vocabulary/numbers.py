"""The one parser of decimal numbers as people type them and documents print them."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

_SPACES = re.compile(r"[\s\u00a0\u202f']")


def parse_decimal(raw: object) -> Decimal | None:
    """"1 234,56", "123.45", "1'000", a Decimal or an int -> a finite Decimal; None when it is not a number.

    A comma is the decimal separator (Polish); spaces, no-break spaces and apostrophes group thousands.
    """
    if raw is None or isinstance(raw, bool):
        return None
    if isinstance(raw, Decimal):
        return raw if raw.is_finite() else None
    if isinstance(raw, int):
        return Decimal(raw)
    text = _SPACES.sub("", str(raw)).replace(",", ".")
    if not text:
        return None
    try:
        value = Decimal(text)
    except (InvalidOperation, ValueError):
        return None
    return value if value.is_finite() else None


def money_text(raw: object) -> str | None:
    """The stored form of an amount: two decimals ("12.5" -> "12.50"); None when it is not a number."""
    value = parse_decimal(raw)
    return None if value is None else str(value.quantize(Decimal("0.01")))
