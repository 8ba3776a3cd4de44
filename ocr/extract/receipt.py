"""Field extraction for Polish till receipts (paragon fiskalny)."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from decimal import Decimal

from ocr.extract.common import (
    CENT,
    amounts_after,
    amounts_alone,
    find_currency,
    find_date_time,
    find_payment,
    matches_any,
    subset_sums_to,
)
from ocr.extract.header import seller_address, seller_name
from ocr.extract.items import Item, find_discounts, find_items
from ocr.extract.nip import best_nip, find_nips, nip_field
from ocr.extract.numbers import AmountMatch, find_amounts, format_amount, joined_amount
from ocr.extract.receipt_number import receipt_number
from ocr.extract.text import Hit, TextLine, edit_distance, fuzzy_token, lettered
from ocr.extract.values import FieldValue
from ocr.extract.vat import (
    carries_vat,
    one_digit_apart,
    sales_at_printed_rates,
    sales_contradicted,
    vat_total,
    vat_totals_from_sales,
)
from vocabulary.fields import FieldName

_FISCAL = re.compile(r"paragon\s*fisk|fiskaln|p\w{5,7}\s*f\w{2}kaln|paragon\s*f")
# "Sprzedaż opo atk. A", "Spr zed. opod.", "SP.O P.A": OCR splits the words, so "sprzed..." followed by "op" is enough
# a label losing its first letter to a receipt edge out of the frame ("przedaż opodatk. A", "azem 410,82")
_SALES = re.compile(
    r"spr\s?zed\w*\.?\s*op|(?<![a-z])przedaz\w*\.?\s*op|\bsp\.?\s?[o0]\s?p\b|sprzed\w*\s*zwol|opodatkowana"
)
_PAYMENT_LINE = re.compile(r"kart|gotow|platnos|wplac|zapl|blik|przelew|\bbon\b|\bpln\b")
_CHANGE = re.compile(r"reszta")
_TOTAL_WORDS = re.compile(r"do\s*zaplaty|naleznosc|\br?azem(?![a-z])(?!\s*ptu)")  # "Razem454,53": glued
_NOT_TOTAL_AFTER = ("ptu", "vat", "obnizek", "rabatow", "opodatk")
_MAX_VAT_SHARE = Decimal(23) / Decimal(123)  # the VAT in a gross amount at the highest Polish rate


@dataclass(frozen=True)
class _Evidence:
    """Amounts elsewhere on the receipt that can confirm the total, each with the index of its line."""

    sales: list[Decimal]
    summary: list[tuple[Decimal, int]]
    payments: list[tuple[Decimal, int]]
    change: list[Decimal]
    items: list[Item]
    discounts: list[Decimal]
    sales_lines: int = 0  # the sales lines printed, their amounts read or not

    @property
    def whole_sales(self) -> bool:
        """Tell whether every sales line printed its amount (their sum is then the taxable total)."""
        return len(self.sales) == self.sales_lines

    def supports(self, value: Decimal, line: int | None = None) -> bool:
        """Tell whether the document's arithmetic confirms `value` as the total read on line `line`."""
        if self.sales and abs(sum(self.sales) - value) < CENT / 2:
            return True
        return self.supports_without_sales(value, line)

    def supports_without_sales(self, value: Decimal, line: int | None = None) -> bool:
        """Confirm `value` from payments, change, items or the summary block (not the sales lines).

        Amounts on the candidate's own line never count: a total taken from the card payment line (its
        SUMA line unreadable) is not confirmed by that same card payment.
        """
        payments = [v for v, index in self.payments if index != line]
        if matches_any(payments, value):
            return True
        if any(matches_any(payments, value + c) for c in self.change):
            return True
        if self.items and abs(sum(i.amount for i in self.items) + sum(self.discounts) - value) < CENT / 2:
            return True
        others = [v for v, index in self.summary if abs(v - value) >= CENT / 2 and index != line]
        return bool(others) and value > max(others) and subset_sums_to(others, value)


def fiscal_anchor(lines: list[TextLine]) -> int | None:
    """Return the index of the PARAGON FISKALNY (or NIEFISKALNY) line in the upper part, if any."""
    for line in lines[: max(8, int(len(lines) * 0.6))]:
        if _FISCAL.search(line.folded) or fuzzy_token(line.folded, "fiskalny", 2):
            return line.index
    return None


def _label_positions(line: TextLine) -> list[tuple[int, float]]:
    """Return (end of label, strength) for each SUMA label on a line that is not SUMA PTU or similar."""
    found: list[tuple[int, float]] = []
    position = 0
    folded = lettered(line.folded)  # "5UMA": a digit read for a label's letter
    while (span := fuzzy_token(folded, "suma", 1, position)) is not None:
        position = span[1]
        rest = folded[span[1] :].lstrip(" :.;,")
        nxt = re.match(r"[a-z0-9]+", rest)
        word = nxt.group(0) if nxt else ""
        if any(word.startswith(x) or edit_distance(word, x, 1) <= 1 for x in _NOT_TOTAL_AFTER if len(word) >= 3):
            continue
        found.append((span[1], 1.0 if edit_distance(word, "pln", 1) <= 1 else 0.85))
    match = _TOTAL_WORDS.search(folded)
    if match and not found:
        found.append((match.end(), 0.6))
    return found


def _total_candidates(lines: list[TextLine]) -> list[Hit]:
    """Collect total candidates: the amount after each SUMA-like label, and the one on the next line."""
    hits: list[Hit] = []
    for line in lines:
        for end, strength in _label_positions(line):
            same = amounts_after(line, end)
            if same:
                hits.append(Hit(format_amount(same[-1].value), line, same[-1].start, same[-1].end, strength))
                joined = joined_amount(line.text, same[-1])
                if joined is not None and joined.start >= end:  # weaker: chosen only when arithmetic backs it
                    hits.append(Hit(format_amount(joined.value), line, joined.start, joined.end, strength * 0.6))
            if line.index + 1 < len(lines):
                below = lines[line.index + 1]
                for m in find_amounts(below.text)[-1:]:
                    hits.append(Hit(format_amount(m.value), below, m.start, m.end, strength * 0.7))
    return hits


def _amounts_on(
    lines: list[TextLine], pattern: re.Pattern[str], last: bool = True, below: list[TextLine] | None = None
) -> list[Decimal]:
    """Return one amount (the last, or the first) from every line matching `pattern`; with `below` (the lines
    in order), a line without one takes the amount alone on the next line (a wide gap read as two rows)."""
    values: list[Decimal] = []
    after = {id(line): nxt for line, nxt in zip(below, below[1:], strict=False)} if below else {}
    for line in lines:
        if pattern.search(lettered(line.folded)):
            amounts: list[AmountMatch] = find_amounts(line.text)
            if not amounts:
                amounts = amounts_alone(after.get(id(line)))
            if amounts:
                values.append((amounts[-1] if last else amounts[0]).value)
    return values


def _evidence(lines: list[TextLine], body: list[TextLine]) -> _Evidence:
    """Gather sales, summary, payment and item amounts from the receipt body."""
    sales_lines = [line for line in body if _SALES.search(lettered(line.folded))]
    start = sales_lines[0].index if sales_lines else body[0].index if body else 0
    end = max(start + 1, _first_total_line(lines) + 2)
    window = [line for line in lines[start : min(end, start + 12)] if not _label_positions(line)]
    summary = [(m.value, line.index) for line in window for m in find_amounts(line.text)]
    after_total = [line for line in lines[_first_total_line(lines) + 1 :] if not _label_positions(line)]
    payments = [
        (m.value, line.index)
        for line in after_total
        if _PAYMENT_LINE.search(lettered(line.folded))
        for m in find_amounts(line.text)
    ]
    return _Evidence(
        # abs: "PTU A - 30,90" (a dash)
        sales=[abs(value) for value in _amounts_on(sales_lines, _SALES, last=False, below=body)],
        summary=summary,
        payments=payments,
        change=_amounts_on(body, _CHANGE),
        items=find_items(body),
        discounts=find_discounts(body),
        sales_lines=len(sales_lines),
    )


def _first_total_line(body: list[TextLine]) -> int:
    """Return the index of the first strong SUMA line (where payment lines start), or 0."""
    for line in body:
        if any(strength >= 0.85 for _, strength in _label_positions(line)):
            return line.index
    return body[0].index if body else 0


def _pick_total(candidates: list[Hit], evidence: _Evidence) -> FieldValue | None:
    """Choose the total: arithmetic-backed candidates first, then a SUMA PLN reading, then the sales sum."""
    if not candidates:
        return None
    scored = [(evidence.supports(Decimal(h.value), h.line.index), h.strength, -h.line.index, h) for h in candidates]
    supported, strength, _, hit = max(scored, key=lambda s: (s[0], s[1], s[2]))
    if supported:
        field = hit.field(sure=True)
        return FieldValue(field.value, max(field.confidence, 0.9), field.boxes, True)
    tendered = _tendered_minus_change(evidence, hit.value)
    if tendered is not None:
        return tendered
    if evidence.sales and evidence.whole_sales and strength < 1.0:
        return FieldValue(format_amount(sum(evidence.sales)), 0.5, (), False)
    return hit.field()


def _tendered_minus_change(evidence: _Evidence, read: str) -> FieldValue | None:
    """Return cash tendered minus the change given when it is the total read with one digit misread (807,48 for
    887,48: GOTÓWKA 1000,00, Reszta 112,52): two other lines' arithmetic. Not sure: the SUMA line disagrees."""
    found = {
        format_amount(paid - change)
        for paid, _ in evidence.payments
        for change in evidence.change
        if paid > change > 0 and one_digit_apart(format_amount(paid - change), read)
    }
    return FieldValue(found.pop(), 0.6, (), False) if len(found) == 1 else None


def _fallback_total(evidence: _Evidence) -> FieldValue | None:
    """Without a readable SUMA line, use the sales sum when a payment line confirms it."""
    if not evidence.sales:
        return None
    total = sum(evidence.sales)
    if evidence.supports_without_sales(total):
        return FieldValue(format_amount(total), 0.8, (), True)
    # a sales line read without its amount leaves the sum short ("Sprzed. opod. PTU C BĘ")
    return FieldValue(format_amount(total), 0.5, (), False) if evidence.whole_sales else None


def _items_total(evidence: _Evidence) -> FieldValue | None:
    """Without a total line or a sales line read, the items' sum when each item's quantity times its price
    gives its amount: light falling off the receipt's right edge, or a fold across the summary, loses the
    summary's amounts while the item lines check themselves. Never sure: nothing printed the total."""
    if evidence.sales or not evidence.items or not all(item.consistent for item in evidence.items):
        return None
    total = sum(item.amount for item in evidence.items) + sum(evidence.discounts)
    return FieldValue(format_amount(total), 0.4, (), False) if total > 0 else None


def _total_against_sales(total: FieldValue | None, sales: list[Decimal], vat: FieldValue | None) -> FieldValue | None:
    """Return the sales sum, unsure, for a total that cannot carry the VAT the sales bear out.

    The sales lines and the PTU lines are printed apart and checked against each other (`vat`: sure when the
    sales imply it, and the PTU lines bear it out at their printed rates); a total (and the payment
    "confirming" it) that differs from their sum and cannot carry that VAT at any rate was misread: its first
    digits lost in large spaced print ("SUMA: 33 6,64" for 336.64), or a digit misread alike on the total and
    the card line (1152,16 for 1162,16: one font's 6 read as 5). Not sure: the readings disagree.
    """
    if total is None or vat is None or not vat.sure or abs(sum(sales) - Decimal(total.value)) < CENT / 2:
        return total
    if Decimal(vat.value) in vat_totals_from_sales([Decimal(total.value)]):
        return total
    return FieldValue(format_amount(sum(sales)), 0.5, (), False)


def _bears_vat(total: FieldValue | None, vat: FieldValue | None) -> FieldValue | None:
    """Return the total, no longer sure when it is too small to hold the VAT read apart from it (23 % at most):
    "Razem 30 1,70" and "Karta 30 1,70" lose the same first digits and so agree on 1.70 beside PTU 56,42."""
    if total is None or vat is None or not total.sure:
        return total
    if Decimal(vat.value) > Decimal(total.value) * _MAX_VAT_SHARE + CENT:
        return replace(total, sure=False)
    return total


def _unswapped(total: FieldValue | None, vat: FieldValue | None) -> tuple[FieldValue | None, FieldValue | None]:
    """Return the total and the VAT total, exchanged (and unsure) when the VAT read exceeds what any Polish rate
    leaves in the total read while the total read is exactly the VAT of the other at one rate.

    A photo tilted more than its rows allow pairs each label with the amount of another row ("ŁĄCZNA KWOTA
    PTU 522,19" above "Razem ... 97,65"): the two values are right but each under the other's label.
    """
    if total is None or vat is None or total.sure or vat.sure:
        return total, vat
    gross, tax = Decimal(total.value), Decimal(vat.value)
    if tax <= gross * _MAX_VAT_SHARE + CENT or not carries_vat(tax, gross):
        return total, vat
    return replace(vat, confidence=min(vat.confidence, 0.5)), replace(total, confidence=min(total.confidence, 0.5))


def extract_receipt(lines: list[TextLine]) -> tuple[dict[str, FieldValue], list[dict[str, object]]]:
    """Extract the receipt fields and items from the lines of a fiscal receipt.

    Args:
        lines: the document lines (all pages).

    Returns:
        A mapping of field name to value (only fields that were found) and the item list.
    """
    anchor = fiscal_anchor(lines)
    header = lines[:anchor] if anchor else lines[: max(6, len(lines) // 4)]
    body = lines[anchor:] if anchor else lines
    fields: dict[str, FieldValue | None] = {}
    nips = find_nips(lines)
    buyer = best_nip([c for c in nips if c.buyer])
    nips = [c for c in nips if not c.buyer and (buyer is None or c.digits != buyer.digits)]
    # The seller's NIP heads a fiscal receipt; below PARAGON FISKALNY only a labelled one may stand in for it
    # (an unlabelled number there is the buyer's with its label misread, or the register's).
    above = [c for c in nips if c.hit.line.index < (anchor or len(lines))]
    seller = best_nip(above) or best_nip([c for c in nips if c.labelled])
    fields[FieldName.SELLER_NIP] = nip_field(seller)
    fields[FieldName.BUYER_NIP] = nip_field(buyer)
    fields[FieldName.DATE], fields[FieldName.TIME] = find_date_time(lines)
    evidence = _evidence(lines, body)
    total = _pick_total(_total_candidates(lines), evidence) or _fallback_total(evidence) or _items_total(evidence)
    # only when every sales line printed its amount: a sales line read without one leaves the sum short
    whole = evidence.whole_sales
    if total is not None and total.sure and whole and sales_contradicted(lines, body, evidence.sales):
        total = replace(total, sure=False)
    sales_vat = vat_total(lines, body, evidence.sales) if evidence.sales and whole else None
    if sales_vat is not None and not sales_at_printed_rates(body, evidence.sales, Decimal(sales_vat.value)):
        sales_vat = None
    fields[FieldName.TOTAL] = _total_against_sales(total, evidence.sales, sales_vat)
    fields[FieldName.VAT_TOTAL] = vat = vat_total(lines, body, evidence.sales, fields[FieldName.TOTAL])
    fields[FieldName.TOTAL] = _bears_vat(fields[FieldName.TOTAL], vat)
    fields[FieldName.TOTAL], fields[FieldName.VAT_TOTAL] = _unswapped(fields[FieldName.TOTAL], vat)
    fields[FieldName.DOCUMENT_NUMBER] = receipt_number(lines, anchor)
    fields[FieldName.SELLER_NAME] = seller_name(header)
    fields[FieldName.SELLER_ADDRESS] = seller_address(header)
    fields[FieldName.PAYMENT_METHOD] = find_payment(lines, _first_total_line(lines))
    fields[FieldName.CURRENCY] = find_currency(lines)
    found = {str(k): v for k, v in fields.items() if v is not None}
    return found, [item.to_dict() for item in evidence.items]
