"""Decide whether text looks like a Polish till receipt, an invoice, or neither."""

from __future__ import annotations

import re

from ocr.extract.text import TextLine
from ocr.extract.values import DocumentKind

_RECEIPT_CUES: tuple[tuple[re.Pattern[str], int], ...] = (
    (re.compile(r"paragon\s*fisk|fiskaln"), 4),
    (re.compile(r"suma\s*[:.]?\s*pln"), 3),
    (re.compile(r"\bptu\b"), 1),
    (re.compile(r"sprzed\w*\.?\s*opod|\bsp\.?\s?op\b"), 2),
    (re.compile(r"podsumowanie zakupow|\bparagon\b"), 1),
    (re.compile(r"\bsuma\b"), 1),
)
_INVOICE_CUES: tuple[tuple[re.Pattern[str], int], ...] = (
    (re.compile(r"\bfaktur"), 4),
    (re.compile(r"\bsprzedawca\b"), 2),
    (re.compile(r"\bnabywca\b"), 2),
    (re.compile(r"do\s*zaplaty"), 1),
    (re.compile(r"data\s*wystawienia"), 2),
    (re.compile(r"data\s*sprzedazy"), 1),
)
_MIN_SCORE = 2


def _score(lines: list[TextLine], cues: tuple[tuple[re.Pattern[str], int], ...]) -> int:
    """Sum the weights of cues found anywhere in the text (each cue counted once)."""
    text = "\n".join(line.folded for line in lines)
    return sum(weight for pattern, weight in cues if pattern.search(text))


def detect_kind(lines: list[TextLine]) -> DocumentKind:
    """Classify the document from its text.

    Args:
        lines: the document lines.

    Returns:
        RECEIPT for fiscal-receipt cues (PARAGON FISKALNY, SUMA PLN, PTU), INVOICE for invoice cues
        (FAKTURA, Sprzedawca, Nabywca, Do zapłaty), UNKNOWN when neither is convincing.
    """
    receipt, invoice = _score(lines, _RECEIPT_CUES), _score(lines, _INVOICE_CUES)
    if max(receipt, invoice) < _MIN_SCORE:
        return DocumentKind.UNKNOWN
    return DocumentKind.INVOICE if invoice > receipt else DocumentKind.RECEIPT
