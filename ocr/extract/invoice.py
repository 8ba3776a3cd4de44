"""Field extraction for Polish VAT invoices (faktura): seller/buyer blocks, dates, totals."""

from __future__ import annotations

import re
from dataclasses import replace
from decimal import Decimal

from ocr.extract.common import CENT, find_currency, find_payment, matches_any
from ocr.extract.header import seller_address, seller_name
from ocr.extract.nip import NipCandidate, best_nip, find_nips, nip_field
from ocr.extract.numbers import find_amounts, find_dates, format_amount
from ocr.extract.parties import party_blocks
from ocr.extract.text import Hit, TextLine, edit_distance, fold_lower
from ocr.extract.values import FieldValue
from vocabulary.fields import FieldName

_ISSUE = re.compile(r"data\s*wystawienia|wystawiono\s*dnia|data\s*faktury")
#: The payment deadline: a date on an invoice that is neither its issue nor its sale date.
DUE_DATE_LABEL = re.compile(r"termin\s*(?:platnosci|zaplaty)|zaplata\s*do|platne\s*do")
_SALE = re.compile(r"data\s*(?:sprzedazy|dostawy|wykonania|zakonczenia\s*dostawy)")
# OCR's versions of the title: a letter misread ("Fakture", "YAT"), a stroke before the number ("FAKTURA VAT |"),
# "Faktura" itself lost to a shadow or a fold ("„ira VAT nr 1720/11/2026": "VAT nr" still opens the number)
_NUMBER = re.compile(
    r"(?:faktur[ae](?:\s*[vy]at)?(?:\s*korygujaca)?\s*(?:nr|numer|no\.?)?|nr\s*faktury|numer\s*faktury"
    r"|(?<![a-z])[vy]at\s*nr)"
    r"\s*[:.|]*\s*((?:[a-z]{1,3}\s)?[a-z0-9][a-z0-9/\-_.]*\d[a-z0-9/\-_.]*)"  # "FV 168/2026" keeps its prefix
)
_SPLIT_TAIL = re.compile(r" (\d{1,5})[\s|.,;:]*")
# a number that ends in its year ("1539/05/2025") is whole: digits after it are a speck or a page's number
_ENDS_IN_YEAR = re.compile(r"/(?:19|20)\d\d$")
_DUE: tuple[tuple[re.Pattern[str], float], ...] = (
    (re.compile(r"(?:razem\s*|kwota\s*|ogolem\s*)?do\s*zaplaty"), 1.0),
    (re.compile(r"wartosc\s*brutto|kwota\s*brutto|brutto\s*razem|razem\s*brutto"), 0.8),
    (re.compile(r"\brazem\b|\bogolem\b|\bsuma\b"), 0.6),
)
_PAYMENT_LABEL = re.compile(r"platnos|zaplat")
_SUMMARY_ROW = re.compile(r"\brazem\b|\bogolem\b|\bsuma\b")
_MAX_RATE = Decimal("0.23")


def _dated(lines: list[TextLine], label: re.Pattern[str]) -> FieldValue | None:
    """Return the date printed right after a label (same line, else the next line)."""
    for line in lines:
        match = label.search(line.folded)
        if not match:
            continue
        for candidate in (line, lines[line.index + 1] if line.index + 1 < len(lines) else None):
            if candidate is None:
                continue
            start = match.end() if candidate is line else 0
            dates = [d for d in find_dates(candidate.text) if d.start >= start]
            if dates:
                strength = dates[0].strength * (1.0 if candidate is line else 0.8)
                return Hit(dates[0].value.isoformat(), candidate, dates[0].start, dates[0].end, strength).field()
    return None


def _past_misread_label(text: str, start: int, end: int) -> int:
    """Return where the number starts once a misread "nr" label before it is skipped ("mr FV/1026/12/2025").

    The number may keep a short series word before a space ("FV 168/2026"); a lower-case word one letter
    from "nr" is the label itself, read with a wrong letter, not a series (which prints in capitals).
    """
    prefix = re.match(r"([^\W\d_]{2}) (?=\S)", text[start:end])
    if prefix and not prefix.group(1).isupper() and edit_distance(fold_lower(prefix.group(1)), "nr", 1) <= 1:
        return start + prefix.end()
    return start


def _number(lines: list[TextLine]) -> FieldValue | None:
    """Return the invoice number from "Faktura VAT nr ..." or "Nr faktury: ..."."""
    for line in lines:
        match = _NUMBER.search(line.folded)
        if match:
            start, end = match.span(1)
            start = _past_misread_label(line.text, start, end)
            rest = _SPLIT_TAIL.fullmatch(line.folded, end) if line.folded[end - 1 : end].isdigit() else None
            if rest and "/" in match.group(1) and not _ENDS_IN_YEAR.search(match.group(1)):
                # "F/2025/01 156": OCR split the number's last digits off; nothing but them ends the line
                text = line.text[start : rest.end(1)].replace(" ", "")
                return Hit(text, line, start, rest.end(1), 0.85).field()
            return Hit(line.text[start:end].rstrip("."), line, start, end, 0.9).field()
    return None


def _triples(lines: list[TextLine]) -> list[tuple[Decimal, Decimal, bool]]:
    """Return (vat, brutto, is_summary_row) for every run of three amounts of which one is the sum of the others.

    The columns stand in any order (netto, VAT, brutto; brutto, VAT, netto ...): the sum is brutto and, as
    no Polish rate reaches 100 %, the smaller addend is the VAT.
    """
    found: list[tuple[Decimal, Decimal, bool]] = []
    for line in lines:
        values = [m.value for m in find_amounts(line.text)]
        summary = bool(_SUMMARY_ROW.search(line.folded))
        for i in range(len(values) - 2):
            run = sorted(values[i : i + 3])
            vat, netto, brutto = run
            if abs(netto + vat - brutto) < CENT / 2 and brutto > 0 and vat >= 0:
                found.append((vat, brutto, summary))
    return found


def _total(lines: list[TextLine], triples: list[tuple[Decimal, Decimal, bool]]) -> FieldValue | None:
    """Return the amount due, sure when a netto + VAT = brutto row or a second label confirms it."""
    checked = [brutto for _, brutto, _ in triples]
    hits: list[Hit] = []
    for pattern, strength in _DUE:
        for line in lines:
            match = pattern.search(line.folded)
            amounts = [m for m in find_amounts(line.text) if match and m.start >= match.end()]
            if amounts:
                chosen = amounts[0] if strength == 1.0 else amounts[-1]
                hits.append(Hit(format_amount(chosen.value), line, chosen.start, chosen.end, strength))
    values = [Decimal(h.value) for h in hits]
    for hit in hits:
        value = Decimal(hit.value)
        if matches_any(checked, value) or sum(1 for v in values if v == value) >= 2:
            field = hit.field(sure=True)
            return FieldValue(field.value, max(field.confidence, 0.9), field.boxes, True)
    if hits:
        return hits[0].field()
    summary = [brutto for _, brutto, is_summary in triples if is_summary]
    return FieldValue(format_amount(max(summary)), 0.7, (), True) if summary else None


def _vat_total(
    lines: list[TextLine], triples: list[tuple[Decimal, Decimal, bool]], total: FieldValue | None
) -> FieldValue | None:
    """Return the VAT of the netto + VAT = brutto row whose brutto is the total (summary rows first)."""
    if total is None:
        return None
    matching = [(is_summary, vat) for vat, brutto, is_summary in triples if brutto == Decimal(total.value)]
    if not matching:
        return _vat_beside_net(lines, total)
    _, vat = max(matching, key=lambda m: m[0])
    return FieldValue(format_amount(vat), round(0.9 * total.confidence, 3), (), total.sure)


def _vat_beside_net(lines: list[TextLine], total: FieldValue) -> FieldValue | None:
    """Return the VAT of a summary row printing only netto and VAT (the gross column cut off or not printed)
    whose sum is the total: the smaller amount, at most 23 % of the other (no Polish rate is higher)."""
    gross = Decimal(total.value)
    for line in (line for line in lines if _SUMMARY_ROW.search(line.folded)):
        values = [m.value for m in find_amounts(line.text)]
        for netto, vat in zip(values, values[1:], strict=False):
            netto, vat = max(netto, vat), min(netto, vat)
            if abs(netto + vat - gross) < CENT / 2 and 0 < vat <= netto * _MAX_RATE + CENT:
                return FieldValue(format_amount(vat), round(0.8 * total.confidence, 3), (), total.sure)
    return None


def _block_nip(block: list[TextLine]) -> NipCandidate | None:
    """Return the NIP of a party block; not valid (so never sure) when the block prints two different NIPs
    that pass their check digit after their labels.

    A block holds one party: two confirmed NIPs in it mean the blocks were cut wrong (the other party's
    column ran into this one), and the check digit cannot tell which of the two is this party's.
    """
    candidates = find_nips(block)
    best = best_nip(candidates)
    confirmed = {c.digits for c in candidates if c.labelled and c.valid}
    return replace(best, valid=False) if best is not None and len(confirmed) > 1 else best


def _nips(
    lines: list[TextLine], seller_block: list[TextLine], buyer_block: list[TextLine]
) -> tuple[NipCandidate | None, NipCandidate | None]:
    """Pick the seller and buyer NIPs from their blocks, else in print order (seller first)."""
    seller = _block_nip(seller_block)
    buyer = _block_nip(buyer_block)
    if seller is None or buyer is None:
        everything = [c for c in find_nips(lines) if c.labelled or c.valid]
        distinct = [c for i, c in enumerate(everything) if c.digits not in {e.digits for e in everything[:i]}]
        guessed = seller is None
        seller = seller or next((c for c in distinct if not c.buyer and (not buyer or c.digits != buyer.digits)), None)
        buyer = buyer or next((c for c in distinct if seller is None or c.digits != seller.digits), None)
        if guessed and seller is not None and seller.hit.line.index in {line.index for line in buyer_block}:
            # print order took it from inside the buyer's block (the seller's label went unread): never sure
            seller = replace(seller, valid=False)
    return seller, buyer


def extract_invoice(lines: list[TextLine]) -> tuple[dict[str, FieldValue], list[dict[str, object]]]:
    """Extract invoice fields from the document lines.

    Args:
        lines: the document lines (all pages).

    Returns:
        A mapping of field name to value (only found fields) and best-effort table rows.
    """
    seller_block, buyer_block = party_blocks(lines)
    fields: dict[str, FieldValue | None] = {}
    seller, buyer = _nips(lines, seller_block, buyer_block)
    fields[FieldName.SELLER_NIP] = nip_field(seller)
    fields[FieldName.BUYER_NIP] = nip_field(buyer)
    issue, sale = _dated(lines, _ISSUE), _dated(lines, _SALE)
    fields[FieldName.ISSUE_DATE] = issue
    fields[FieldName.DATE] = sale or issue
    fields[FieldName.DOCUMENT_NUMBER] = _number(lines)
    triples = _triples(lines)
    fields[FieldName.TOTAL] = _total(lines, triples)
    fields[FieldName.VAT_TOTAL] = _vat_total(lines, triples, fields[FieldName.TOTAL])
    fields[FieldName.SELLER_NAME] = seller_name(seller_block) if seller_block else None
    fields[FieldName.SELLER_ADDRESS] = seller_address(seller_block) if seller_block else None
    payment_lines = [line for line in lines if _PAYMENT_LABEL.search(line.folded)]
    fields[FieldName.PAYMENT_METHOD] = find_payment(payment_lines) or find_payment(lines)
    fields[FieldName.CURRENCY] = find_currency(lines)
    found = {str(k): v for k, v in fields.items() if v is not None}
    return found, invoice_rows(lines)


_ROW = re.compile(r"^\s*(?P<lp>\d{1,3})[.)]?\s+(?P<name>[^\d].*?)\s+(?P<qty>\d+(?:[.,]\d{1,3})?)\s+(?P<rest>.*)$")


def invoice_rows(lines: list[TextLine]) -> list[dict[str, object]]:
    """Return table rows "Lp. name qty ... amounts" as items (name, qty, unit_price, amount)."""
    rows: list[dict[str, object]] = []
    for line in lines:
        match = _ROW.match(line.text)
        if not match:
            continue
        amounts = find_amounts(match.group("rest"))
        if len(amounts) < 2:
            continue
        rate = re.search(r"(\d{1,2})\s?%|\bzw\b|\bnp\b", match.group("rest"))
        rows.append(
            {
                "name": match.group("name").strip(),
                "qty": match.group("qty").replace(",", "."),
                "unit_price": format_amount(amounts[0].value),
                "amount": format_amount(amounts[-1].value),
                "vat_rate": rate.group(0).replace(" ", "") if rate else "",
            }
        )
    return rows
