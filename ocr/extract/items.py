"""Receipt item lines ("NAME qty x price amount LETTER") and discounts."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ocr.extract.numbers import find_amounts, format_amount, repair_numeric
from ocr.extract.text import TextLine
from vocabulary.numbers import parse_decimal

_NUM = r"\d+(?:[.,]\d{1,3})?"
_MONEY = r"\d+\s?[.,]\s?\d{2}"
_ITEM = re.compile(
    rf"^(?P<name>.*?)\s*(?P<qty>{_NUM})\s*(?:szt\.?|kg|op\.?|l|SZT\.?|KG)?\s*[x×X*«»¥+#t£•e]\s*"
    rf"(?P<price>{_MONEY})(?:\s*=?\s*(?P<amount>-?{_MONEY})\s*(?P<letter>[A-G8])?)?\s*\S?\s*$"
)
_LONE_AMOUNT = re.compile(rf"^\s*(?P<amount>-?{_MONEY})\s*(?P<letter>[A-G8])?\s*$")
_DISCOUNT = re.compile(r"(?<![a-z])[a-z]?abat|obnizk|upust|promocj|znizk|discount")
_STOP = re.compile(r"sprzed\w*\.?\s*opod|\bsp\.?\s?op\b|\bsuma\b|\bptu\b|razem|podsumowanie")


@dataclass(frozen=True)
class Item:
    """One purchased item as printed."""

    name: str
    qty: Decimal
    unit_price: Decimal
    amount: Decimal
    vat_letter: str
    line: int

    @property
    def consistent(self) -> bool:
        """Tell whether qty × unit price matches the amount (within rounding)."""
        return abs(self.qty * self.unit_price - self.amount) <= Decimal("0.02")

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping (numbers as strings)."""
        return {
            "name": self.name,
            "qty": format(self.qty.normalize(), "f"),
            "unit_price": format_amount(self.unit_price),
            "amount": format_amount(self.amount),
            "vat_letter": self.vat_letter,
            "consistent": self.consistent,
        }


def _clean_name(name: str) -> str:
    """Strip leading article codes' punctuation and trailing noise from an item name."""
    return re.sub(r"\s+", " ", name).strip(" .:;|-_*")


def _parse(lines: list[TextLine], i: int) -> tuple[Item, int] | None:
    """Try to read an item at line `i`; return it and how many lines it used."""
    text = repair_numeric(lines[i].text)
    match = _ITEM.match(text)
    if not match:
        return None
    used = 1
    amount_text, letter = match.group("amount"), match.group("letter") or ""
    if amount_text is None and i + 1 < len(lines):
        lone = _LONE_AMOUNT.match(repair_numeric(lines[i + 1].text))
        if not lone:
            return None
        amount_text, letter, used = lone.group("amount"), lone.group("letter") or "", 2
    name = _clean_name(match.group("name"))
    if len(re.sub(r"[^A-Za-zÀ-ž]", "", name)) < 2 and i > 0:
        name = _clean_name(lines[i - 1].text)
    qty, price, amount = (parse_decimal(text) for text in (match.group("qty"), match.group("price"), amount_text))
    if qty is None or price is None or amount is None or qty <= 0:
        return None
    return Item(name, qty, price, amount, "B" if letter == "8" else letter, lines[i].index), used


def find_items(lines: list[TextLine]) -> list[Item]:
    """Return item lines between the receipt header and the tax summary.

    Args:
        lines: the lines after the PARAGON FISKALNY header (or the whole receipt).

    Returns:
        Items in print order; names printed on the line above the quantity are joined in.
    """
    items: list[Item] = []
    i = 0
    while i < len(lines):
        if _STOP.search(lines[i].folded) and items:
            break
        parsed = _parse(lines, i)
        if parsed:
            items.append(parsed[0])
            i += parsed[1]
        else:
            i += 1
    return items


def find_discounts(lines: list[TextLine]) -> list[Decimal]:
    """Return discount amounts (as negative values) printed on discount lines."""
    found: list[Decimal] = []
    for line in lines:
        if _DISCOUNT.search(line.folded) and not re.search(r"suma|razem", line.folded):
            amounts = find_amounts(line.text)
            if amounts:
                found.append(-abs(amounts[-1].value))
    return found
