"""Decide whether text looks like a Polish till receipt, an invoice, or neither."""

from __future__ import annotations

import re
from enum import StrEnum

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
    (re.compile(r"(?:termin|sposob)\s*platnosci|n(?:r|umer)\s*konta"), 1),  # payment terms: never on a receipt
)
_FOREIGN_RECEIPT_CUES: tuple[tuple[re.Pattern[str], int], ...] = (
    (re.compile(r"\btotal\b"), 2),
    (re.compile(r"\bcash\b|\bchange\b|\bvisa\b|\bmastercard\b"), 1),
    (re.compile(r"\bgst\b|\bsst\b|\btax\s*invoice\b|\breceipt\b|\binvoice\b"), 1),
    (re.compile(r"\bqty\b|\bsubtotal\b|\bsub\s*total\b|\brounding\b|\bamount\b"), 1),
    (re.compile(r"thank\s*you|\bcashier\b"), 1),
)
_MIN_SCORE = 2
_MIN_FOREIGN_SCORE = 3


class Layout(StrEnum):
    """How the document's text is laid out, which picks the extractor that reads it."""

    POLISH_RECEIPT = "polish_receipt"
    POLISH_INVOICE = "polish_invoice"
    SROIE_RECEIPT = "sroie_receipt"  # an English-language till receipt (SROIE: Malaysia, Singapore)
    UNKNOWN = "unknown"


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


def detect_layout(lines: list[TextLine]) -> tuple[DocumentKind, Layout]:
    """Classify the document and name its layout (which chooses its extractor).

    Args:
        lines: the document lines.

    Returns:
        (kind, layout): Polish receipts and invoices have their own layouts; a receipt without Polish cues
        but with English till-receipt cues (TOTAL, CASH, CHANGE, GST ...) is a RECEIPT in the SROIE layout;
        anything else is UNKNOWN (still read by the SROIE extractor as a fallback).
    """
    kind = detect_kind(lines)
    if kind is DocumentKind.RECEIPT:
        return kind, Layout.POLISH_RECEIPT
    if kind is DocumentKind.INVOICE:
        return kind, Layout.POLISH_INVOICE
    if _score(lines, _FOREIGN_RECEIPT_CUES) >= _MIN_FOREIGN_SCORE:
        return DocumentKind.RECEIPT, Layout.SROIE_RECEIPT
    return DocumentKind.UNKNOWN, Layout.UNKNOWN
