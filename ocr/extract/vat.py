"""The VAT total of a Polish till receipt (SUMA PTU), confirmed by the taxable sales printed above it."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from ocr.extract.common import amounts_alone
from ocr.extract.numbers import find_amounts, format_amount
from ocr.extract.text import Hit, TextLine, edit_distance, lettered
from ocr.extract.values import FieldValue

# "PTUA 23%": the space before the VAT letter is often lost, so "ptu" may carry that letter glued on
_PTU_LINE = re.compile(r"\bp[til1]u[a-g]?\b|kwota\s*(?:ptu|[a-g](?:\b|(?=\d)))|\bvat\b")
_TAX_GLUED = re.compile(r"(?<=[a-z]{4})(?=(?:ptu|vat)\b)")  # "RazemPTU", "SUMAPTU": the space lost
_AMOUNT_GLUED = re.compile(r"(?<=[a-z])(?=\d{1,6}[,.]\d{2}(?!\d))")
_SALES_LINE = re.compile(r"spr\s?zed|\bsp\.?\s?[o0]\s?p\b|opodatk")  # "Sprzed. opod. PTU A 13,48" is a sale, not a tax
_RATES = (Decimal(23), Decimal(8), Decimal(5), Decimal(22), Decimal(7), Decimal(3), Decimal(0))
_CENT = Decimal("0.01")
# "23%", "23,00%", "8 %", "23, 00%"; not "08%", the decimals of "23, 08%" (a rate never prints a leading 0)
_RATE = re.compile(r"(?<![\d,.])(?!0\d)(\d{1,2})\s?(?:[,.]\s?0{1,2})?\s?%")
_MAX_SALES_LINES = 5
_MAX_REPAIR_SALES = 2  # more sales lines allow so many VAT totals that one is a digit from any reading


def is_vat_total_label(line: TextLine) -> bool:
    """Tell whether a line is labelled SUMA PTU / Razem PTU / PTU razem / ŁĄCZNA KWOTA PTU (tolerating one OCR
    error per word)."""
    folded = _AMOUNT_GLUED.sub(" ", lettered(line.folded))  # "SUMA PTU10,09": the space before the amount lost
    words = [w for w in re.findall(r"[a-z0-9]+", _TAX_GLUED.sub(" ", folded)) if edit_distance(w, "kwota", 1) > 1]
    for first, second in zip(words, words[1:], strict=False):
        total_word = any(edit_distance(first, w, 1) <= 1 for w in ("suma", "razem", "lacznie", "laczna"))
        tax_word = any(edit_distance(second, w, 1) <= 1 for w in ("ptu", "vat"))
        if (total_word and tax_word) or (first == "ptu" and edit_distance(second, "razem", 1) <= 1):
            return True
    return False


def vat_of(gross: Decimal, rate: Decimal) -> Decimal:
    """Return the VAT contained in a gross amount at `rate` percent, rounded to grosze as printers do."""
    return (gross * rate / (100 + rate)).quantize(_CENT, rounding=ROUND_HALF_UP)


def carries_vat(gross: Decimal, vat: Decimal) -> bool:
    """Tell whether `vat` is the VAT of `gross` at one Polish rate (a receipt of one rate)."""
    return vat > 0 and any(vat_of(gross, rate) == vat for rate in _RATES if rate > 0)


def vat_totals_from_sales(sales: list[Decimal], rates: Iterable[Decimal] = _RATES) -> set[Decimal]:
    """Return every VAT total the taxable sales allow (one of `rates` per sales line; by default every Polish
    rate: 23, 8, 5 ... 0 %)."""
    rates = tuple(rates)
    options = [{vat_of(gross, rate) for rate in rates} for gross in sales[:_MAX_SALES_LINES] if gross > 0]
    return {sum(combo, Decimal(0)) for combo in itertools.product(*options)} if options else set()


def _printed_rates_implied(
    ptu_lines: list[tuple[TextLine, Decimal | None]], sales: list[Decimal]
) -> set[Decimal] | None:
    """Return the VAT totals the sales allow at the rates the PTU lines print, when every PTU line prints a legible
    rate and there are as many as sales lines (else None: any Polish rate may stand for one not read).

    Rows read out of step on a curled receipt gave "SUMA PTU 0,47": the VAT of one sales line at 5 % and of the
    other at 0 %, where the PTU lines print 23 % and 5 %.
    """
    rates = [_line_rate(line) for line, _ in ptu_lines]
    if not ptu_lines or None in rates or len(ptu_lines) < len(sales):
        return None
    return vat_totals_from_sales(sales, [rate for rate in rates if rate is not None]) or None


def _candidates(lines: list[TextLine], labelled: list[TextLine]) -> list[Hit]:
    """Return SUMA PTU readings: the amount on the label line, else the one on the line below (weaker)."""
    options: list[Hit] = []
    for line in labelled:
        for m in find_amounts(line.text)[-1:]:
            options.append(Hit(format_amount(m.value), line, m.start, m.end, 1.0))
        below = lines[line.index + 1] if line.index + 1 < len(lines) else None
        if below is not None and not re.search(r"[a-z]{3,}", below.folded):  # a value printed under its label
            for m in find_amounts(below.text)[-1:]:
                options.append(Hit(format_amount(m.value), below, m.start, m.end, 0.7))
    return options


def _per_rate(body: list[TextLine], labelled: list[TextLine]) -> list[tuple[TextLine, Decimal]]:
    """Return the per-rate PTU amounts (the last amount of each PTU line other than the total)."""
    return [(line, value) for line, value in _ptu_lines(body, labelled) if value is not None]


def _ptu_lines(body: list[TextLine], labelled: list[TextLine]) -> list[tuple[TextLine, Decimal | None]]:
    """Return each per-rate PTU line with its amount: its last amount after the label, else the amount alone on
    the line below (a wide gap read as two rows: "PTU B 8%" / "12,22"), else None (the amount unread)."""
    found: list[tuple[TextLine, Decimal | None]] = []
    for at, line in enumerate(body):
        folded = lettered(line.folded)
        label = _PTU_LINE.search(folded)
        if label and line not in labelled and not _SALES_LINE.search(folded):
            amounts = [m for m in find_amounts(line.text) if m.start >= label.end()]  # not the sales before it
            if not amounts:
                amounts = amounts_alone(body[at + 1] if at + 1 < len(body) else None)
            found.append((line, amounts[-1].value if amounts else None))
    return found


def _rate_unread(ptu_lines: list[tuple[TextLine, Decimal | None]]) -> bool:
    """Tell whether a PTU line printing its rate ("PTU B 8%") was read without its amount: the per-rate amounts
    then miss one, and amounts read under a label may belong to another (a column read after its labels)."""
    return any(value is None and _line_rate(line) is not None for line, value in ptu_lines)


def vat_total(
    lines: list[TextLine], body: list[TextLine], sales: list[Decimal], total: FieldValue | None = None
) -> FieldValue | None:
    """Return SUMA PTU, sure when the taxable sales imply it (or the amounts of two rates or more add up to it).

    Args:
        lines: all document lines.
        body: the lines after the PARAGON FISKALNY header.
        sales: the taxable sales per VAT letter (SPRZEDAŻ OPODATKOWANA A/B/...).
        total: the receipt's total, which stands in for unreadable sales on a receipt of one rate.

    Returns:
        The VAT total. When the SUMA PTU line is unreadable, the sum of the per-rate PTU amounts is used if
        the sales confirm it (or, with one rate, the total: `_one_rate_vat`). None without any PTU reading.
    """
    implied = vat_totals_from_sales(sales)
    labelled = [line for line in body if is_vat_total_label(line)]
    ptu_lines = _ptu_lines(body, labelled)
    per_rate = [(line, value) for line, value in ptu_lines if value is not None]
    rates = [value for _, value in per_rate]
    rate_sum = sum(rates) if rates and sum(rates) in implied else None
    # a PTU line per sales line, or the sum fits only by counting the lines not read at 0 %
    unread = _rate_unread(ptu_lines)
    full = rate_sum is not None and len(per_rate) >= len(sales) and not unread
    # the SUMA PTU line and all per-rate lines may each fit some rate per sales line (one of them through a
    # rate not printed, 3 % for 5 %): then only per-rate amounts each checked at their printed rate are sure
    candidates = _candidates(lines, labelled)
    disputed = full and any(Decimal(h.value) in implied and Decimal(h.value) != rate_sum for h in candidates)
    printed = _printed_rates_implied(ptu_lines, sales)
    allowed = implied if printed is None else printed
    for hit in candidates:
        value = Decimal(hit.value)
        if value in allowed or (len(rates) > 1 and abs(sum(rates) - value) < _CENT / 2):
            if (disputed and value != rate_sum) or (unread and hit.strength < 1.0):
                break
            return hit.field(sure=True)
    if rate_sum is not None:
        line, value = per_rate[-1]
        sure = full and _at_printed_rates(per_rate, sales, every=disputed)
        return FieldValue(format_amount(rate_sum), round(0.8 * line.line.confidence, 3), (), sure)
    options = candidates
    one_rate = _one_rate_vat(body, labelled, sales, total, options)
    if one_rate is not None:
        return one_rate
    repaired = _one_digit_repair([Decimal(hit.value) for hit in options] + ([sum(rates)] if rates else []), sales)
    if repaired is not None:
        return FieldValue(format_amount(repaired), 0.5, (), False)
    if not options and not ptu_lines:
        return _unlabelled_rates(body, sales)
    return options[0].field() if options else None


def _unlabelled_rates(body: list[TextLine], sales: list[Decimal]) -> FieldValue | None:
    """Return the sum of the amounts printed after a rate on lines whose PTU label was lost ("* 4 23,00% 14,02",
    "Δ23.00% 14,02" for "Kwota A 23,00% 14,02"), when each is the VAT of a sales line at the rate it prints.

    Nothing but the arithmetic says such a line is a PTU line: the sales line, the rate and the amount, read
    apart, agree on it. Not sure: the label that says what the amount is was not read.
    """
    found: list[Decimal] = []
    for line in body:
        folded = lettered(line.folded)
        rate = _RATE.search(line.folded)
        if rate is None or _SALES_LINE.search(folded) or is_vat_total_label(line):
            continue
        amounts = find_amounts(line.text[rate.end() :])
        percent = Decimal(rate.group(1))
        if amounts and percent in _RATES and percent > 0:
            if any(vat_of(gross, percent) == amounts[-1].value for gross in sales):
                found.append(amounts[-1].value)
    if not found or len(found) > len(sales):
        return None
    return FieldValue(format_amount(sum(found)), 0.6, (), False)


def _one_rate_vat(
    body: list[TextLine], labelled: list[TextLine], sales: list[Decimal], total: FieldValue | None, options: list[Hit]
) -> FieldValue | None:
    """Return the VAT of a sure total on a receipt printing one PTU rate line, when the print bears it out
    (more rate lines: `_rates_vat`).

    With one rate (and at most one sales line), the total is that rate's taxable sales, so its VAT is
    `vat_of(total, rate)`, the rate read from the PTU line ("PTU A 23,00%"). This stands in for sales lines
    the reading lost. Sure when the PTU line or a SUMA PTU line prints that amount (two pieces of evidence:
    the printed VAT and the confirmed total's arithmetic); not sure when the PTU line's amount is only partly
    legible ("438, *", "s9,32") and its digits read (three or more) agree, or not legible at all (its sales
    line, if read, printing the total).
    """
    if total is None or not total.sure:
        return None
    rated = [(line, rate) for line in body if line not in labelled and (rate := _line_rate(line)) is not None]
    if len(rated) > 1:
        return _rates_vat(rated, Decimal(total.value))
    if not rated and len(sales) <= 1:
        return _rate_misread_vat(body, labelled, Decimal(total.value))
    if len(rated) != 1 or len(sales) > 1:
        return None
    line, rate = rated[0]
    expected = vat_of(Decimal(total.value), rate)
    if expected <= 0:
        return None
    printed = {Decimal(hit.value) for hit in options} | {m.value for m in find_amounts(line.text)}
    if expected in printed:
        return FieldValue(format_amount(expected), round(0.9 * line.line.confidence, 3), (), True)
    after, whole = _after_rate(line), format_amount(expected).replace(".", "")
    digits, legible = re.sub(r"\D", "", after), find_amounts(after)
    # "s9,32" for 59,32: a letter glued before the amount is its first digit misread, the rest is legible
    glued = bool(legible) and re.search(r"[^\W\d_]$", after[: legible[-1].start]) is not None
    if len(digits) >= 3 and (_partly_read(whole, digits) if not legible else glued and whole.endswith(digits)):
        return FieldValue(format_amount(expected), 0.5, (), False)
    agrees = len(digits) < 3 or edit_distance(whole, digits, 1) <= 1
    if not legible and agrees and all(sale == Decimal(total.value) for sale in sales):
        # no amount legible after the rate, too few digits read to contradict it ("23% 0:") or one off
        # ("23% 31755": the comma read as 7): the VAT the rate gives the total, which no print bears out
        return FieldValue(format_amount(expected), 0.4, (), False)
    return None


def _partly_read(whole: str, digits: str) -> bool:
    """Tell whether the digits read of an amount are its first ones ("438, *" for 438,42) or all of them but one
    lost ("37,3" for 37,23: a thin digit faded into the comma or the paper)."""
    return whole.startswith(digits) or (len(whole) == len(digits) + 1 and edit_distance(whole, digits, 1) == 1)


def _rate_misread_vat(body: list[TextLine], labelled: list[TextLine], total: Decimal) -> FieldValue | None:
    """Return the amount of a receipt's one PTU line whose rate was misread ("Kwota PTU A 2% 239,22" for 23%),
    when it is the VAT of the sure total at a Polish rate. Not sure: the rate that ties the two was not read."""
    per_rate = _per_rate(body, labelled)
    if len(per_rate) != 1 or not carries_vat(total, per_rate[0][1]):
        return None
    line, value = per_rate[0]
    return FieldValue(format_amount(value), round(0.7 * line.line.confidence, 3), (), False)


def _rates_vat(rated: list[tuple[TextLine, Decimal]], total: Decimal) -> FieldValue | None:
    """Return the sum of the per-rate PTU amounts when the gross amounts they imply add up to the sure total.

    Each rate's VAT gives back its gross sales (VAT x (100 + rate) / rate) to within the VAT's rounding, so
    their sum must be the total to within those roundings: this stands in for misread sales lines. Not
    sure: a VAT misread by a grosz still fits within the roundings.
    """
    amounts = [(find_amounts(_after_rate(line)), rate) for line, rate in rated]
    if any(not found for found, _ in amounts):
        return None
    vats = [(found[-1].value, rate) for found, rate in amounts]
    gross = sum(vat * (100 + rate) / rate for vat, rate in vats)
    slack = sum(_CENT / 2 * (100 + rate) / rate for _, rate in vats) + _CENT / 2
    if abs(gross - total) > slack:
        return None
    return FieldValue(format_amount(sum(vat for vat, _ in vats)), 0.6, (), False)


def sales_at_printed_rates(body: list[TextLine], sales: list[Decimal], vat: Decimal) -> bool:
    """Tell whether the PTU lines bear out the sales: one per sales line, each the VAT of one sales line at the
    rate it prints, adding up to `vat` (an implied VAT alone may fit through any rate, 0 % or an old one)."""
    per_rate = _per_rate(body, [line for line in body if is_vat_total_label(line)])
    return bool(per_rate) and sum(v for _, v in per_rate) == vat and _at_printed_rates(per_rate, sales, every=True)


def _at_printed_rates(per_rate: list[tuple[TextLine, Decimal]], sales: list[Decimal], every: bool) -> bool:
    """Tell whether each per-rate PTU amount whose line prints a legible rate is the VAT of one sales line at that
    rate (`every`: and every line prints one, one line per sales line)."""
    rated = [(value, _line_rate(line)) for line, value in per_rate]
    if every and (len(per_rate) != len(sales) or any(rate is None for _, rate in rated)):
        return False
    return all(rate is None or any(vat_of(gross, rate) == value for gross in sales) for value, rate in rated)


def _after_rate(line: TextLine) -> str:
    """Return the text after a PTU line's rate ("PTU A 23,00% 4,38" -> " 4,38"); the line has a rate."""
    return line.text[line.folded.index("%") + 1 :]


def _line_rate(line: TextLine) -> Decimal | None:
    """Return the VAT rate of a per-rate PTU line ("PTU A 23%", "Kwota PTU B 8,00%"), else None."""
    folded = lettered(line.folded)
    if not _PTU_LINE.search(folded) or _SALES_LINE.search(folded):
        return None
    match = _RATE.search(line.folded)
    rate = Decimal(match.group(1)) if match else None
    return rate if rate in _RATES and rate > 0 else None


def sales_contradicted(lines: list[TextLine], body: list[TextLine], sales: list[Decimal]) -> bool:
    """Tell whether the VAT, read alike on two separate lines, is one the taxable sales cannot carry.

    The SUMA PTU line and the per-rate PTU lines summed are independent readings of the VAT; when they
    agree on an amount that no rate applied to the sales gives, the sales were misread, and so, most likely,
    were the total and the payment printed with them in the same digits (tesseract repeats a confusion
    such as an 8 for a 0 on every line of one font): their agreement confirms nothing.
    """
    if not sales:
        return False
    labelled = [line for line in body if is_vat_total_label(line)]
    rates = [value for _, value in _per_rate(body, labelled)]
    if not rates or sum(rates) <= 0:
        return False
    read = {Decimal(hit.value) for hit in _candidates(lines, labelled) if hit.strength >= 1.0}
    return sum(rates) in read and sum(rates) not in vat_totals_from_sales(sales)


def _one_digit_repair(readings: list[Decimal], sales: list[Decimal]) -> Decimal | None:
    """Return the one VAT total the taxable sales allow that differs from every reading of it in one digit
    (a 5 read as 3), when there is exactly one such value; never sure, as the printed digits disagree."""
    if not readings or len(sales) > _MAX_REPAIR_SALES:
        return None
    implied = vat_totals_from_sales(sales)
    texts = {format_amount(value) for value in readings}
    near = {
        value
        for value in implied
        if value > 0 and all(one_digit_apart(format_amount(value), text) for text in texts)
    }
    return near.pop() if len(near) == 1 else None


def one_digit_apart(a: str, b: str) -> bool:
    """Tell whether two amounts of the same length differ in exactly one digit."""
    return len(a) == len(b) and sum(x != y for x, y in zip(a, b, strict=True)) == 1
