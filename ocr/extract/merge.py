"""Cross-checking several readings of the same document: deciding when to re-read, and merging fields.

SROIE receipts (`Layout.SROIE_RECEIPT`) carry no NIP to confirm: only their total and date count.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from ocr.extract.confirm import zero_for_eight
from ocr.extract.kind import Layout
from ocr.extract.receipt_number import DOUBTFUL_GUESS
from ocr.extract.values import DocumentKind, Extraction, FieldValue
from ocr.extract.vat import carries_vat
from vocabulary.fields import FieldName
from vocabulary.nip import nip_checksum_ok

_KEY_SURE = (FieldName.TOTAL, FieldName.SELLER_NIP)
_KEY_PRESENT = (FieldName.DATE,)
_UNSURE_DATE = 0.7  # a date read with less confidence than this is re-read on Polish documents
_NIPS = (FieldName.SELLER_NIP, FieldName.BUYER_NIP)
_AMOUNTS = (FieldName.TOTAL, FieldName.VAT_TOTAL)
_ZERO_READ = (FieldName.DOCUMENT_NUMBER, FieldName.DATE)  # fields whose 0 read as 8 no check catches
_NUMBERED = (Layout.POLISH_INVOICE, Layout.POLISH_RECEIPT)  # documents that always print a number


def needs_second_reading(extraction: Extraction) -> bool:
    """Tell whether key fields are unconfirmed.

    Polish documents: total or seller NIP not sure, no date, or a date read with low confidence, or no
    document number: every invoice and till receipt prints one (an invoice's title, printed large, is where
    page segmentation 6 most often drops a line; a receipt's footer line with its number can be lost the same
    way), and it is half of a receipt's identity for duplicates. Foreign receipts: total not sure or no
    date. Unknown documents: no total or no date.
    """
    fields = extraction.fields
    if extraction.kind is DocumentKind.UNKNOWN:
        return FieldName.TOTAL not in fields or FieldName.DATE not in fields
    if extraction.layout == Layout.SROIE_RECEIPT:
        return FieldName.TOTAL not in fields or not fields[FieldName.TOTAL].sure or FieldName.DATE not in fields
    unsure = any(name not in fields or not fields[name].sure for name in _KEY_SURE)
    missing = any(name not in fields for name in _KEY_PRESENT)
    return unsure or missing or fields[FieldName.DATE].confidence < _UNSURE_DATE or _no_document_number(extraction)


def _no_document_number(extraction: Extraction) -> bool:
    """Tell whether a Polish invoice or receipt was read without its document number, or with only a doubtful
    guess at it (support 0, confidence at most `DOUBTFUL_GUESS`: "14533 13:49" may be #4533 with its "#" read
    as 1). A code ending the date's line is a guess too, but some chains print their number there unlabelled
    ("31.10.2024 16:06 022169"): reading each of their receipts again found no label and cost 3.5 s."""
    number = extraction.fields.get(FieldName.DOCUMENT_NUMBER)
    doubtful = number is not None and number.support == 0 and number.confidence <= DOUBTFUL_GUESS
    return extraction.layout in _NUMBERED and (number is None or doubtful)


def only_the_date_unsettled(extraction: Extraction) -> bool:
    """Tell whether a Polish document's total and seller NIP are confirmed and only its date is missing or
    doubtful: re-reading a row or two is then cheaper than reading the whole page again."""
    fields = extraction.fields
    if extraction.kind is DocumentKind.UNKNOWN or extraction.layout == Layout.SROIE_RECEIPT:
        return False
    if any(name not in fields or not fields[name].sure for name in _KEY_SURE):
        return False
    return FieldName.DATE not in fields or fields[FieldName.DATE].confidence < _UNSURE_DATE


def needs_third_reading(extractions: list[Extraction]) -> bool:
    """Tell whether a Polish document deserves a sparse-text pass after two readings.

    Yes when the total, the seller NIP or the date is still missing, or when the readings disagree on one
    of them (a third opinion breaks the tie). Two readings agreeing on an unconfirmable value (a NIP that
    fails its checksum as printed) get no third. Foreign and unknown documents never get one.
    """
    merged = merge_readings(*extractions)
    if merged.kind is DocumentKind.UNKNOWN or merged.layout == Layout.SROIE_RECEIPT:
        return False
    missing = any(name not in merged.fields for name in (*_KEY_SURE, *_KEY_PRESENT))
    return missing or _disagree(extractions)


def _disagree(extractions: list[Extraction]) -> bool:
    """Tell whether two readings give different values for a key field (and neither is confirmed)."""
    for name in (*_KEY_SURE, *_KEY_PRESENT):
        values = [e.fields[name] for e in extractions if name in e.fields]
        if len({v.value for v in values}) > 1 and not any(v.sure for v in values):
            return True
    return False


def _vote(values: list[FieldValue]) -> FieldValue:
    """Choose among readings of one field: most support (readings, and lines printing the value in each),
    then certainty, then confidence.

    The winner stays sure only if no other value was also confirmed: two readings confirming different
    values mean one confirmation was a coincidence of misreadings.
    """
    groups: dict[str, list[FieldValue]] = {}
    for value in values:
        groups.setdefault(value.value, []).append(value)

    def rank(group: list[FieldValue]) -> tuple[int, bool, float]:
        # guesses lend no support (0): among them alone, each reading counts once
        support = sum(v.support for v in group) or len(group)
        return support, any(v.sure for v in group), max(v.confidence for v in group)

    ordered = sorted(groups.values(), key=rank, reverse=True)
    best = max(ordered[0], key=lambda v: v.confidence)
    sure = any(v.sure for v in ordered[0]) and not any(v.sure for group in ordered[1:] for v in group)
    return FieldValue(best.value, best.confidence, best.boxes, sure, best.support)


def _checked(values: list[FieldValue], name: str) -> list[FieldValue]:
    """Leave out readings known to be worse than another reading of the same field.

    A NIP failing its check digit is certainly misread, however many readings repeat it: tesseract reads
    one font's 0 as 8 on every pass, so its three readings would outvote the second engine's one right one;
    such readings are left out when another passes the check digit, and so are readings made to pass it by
    changing a digit when another passes it as read. A document number found without its
    label (support 0: a code ending a line, perhaps a misread date's year) is left out when a reading found
    one by its label; among such guesses alone, each reading counts once. A number read without the letter
    another reading prints before its digits is left out.
    """
    if name in _NIPS:
        passing = [value for value in values if nip_checksum_ok(value.value)]
        as_read = [value for value in passing if value.support > 0]  # not a digit changed to pass (support 0)
        return as_read or passing or values
    if name == FieldName.DOCUMENT_NUMBER:
        values = [value for value in values if value.support > 0] or values
        # a register's letter before its print counter ("W257674") is lost by a reading, not made up by one
        prefixed = {v.value[1:] for v in values if len(v.value) > 4 and v.value[0].isalpha() and v.value[1:].isdigit()}
        return [value for value in values if value.value not in prefixed] or values
    return values


def _one_guess_per_engine(everyone: tuple[Extraction, ...], values: list[FieldValue]) -> list[FieldValue]:
    """Keep one of the tesseract passes' guesses at the number when they agree: the passes read one prepared
    image and repeat its misreadings ("W192223" twice against rapidocr's W102223), so they vote once."""
    if any(value.support for value in values):
        return values
    tesseract = {id(e.fields.get(FieldName.DOCUMENT_NUMBER)) for e in everyone if not e.engine}
    kept: list[FieldValue] = []
    for value in values:
        if id(value) not in tesseract or not any(id(k) in tesseract and k.value == value.value for k in kept):
            kept.append(value)
    return kept


def _zero_read(voted: FieldValue, values: list[FieldValue], second: set[str]) -> FieldValue:
    """Return the reading of a document number or a date with a 0 where the voted one has an 8 and is otherwise
    alike (`zero_for_eight`), else the voted one: tesseract's page passes repeat its 8 for a blurred or
    dot-matrix 0 ("28.10.2024" for 20.10.2024), so their votes outnumber the second engine's one right
    reading. A value the document's own checks confirmed (sure) stays, and so does an 8 the second engine
    (its values: `second`) read where only a tesseract pass read the 0: on a dot-matrix font tesseract also
    reads an 8 open into a 0 ("66508" for 66588), a confusion the other engine does not share."""
    zeroed = {v.value for v in values if zero_for_eight(voted.value, v.value) == v.value}
    if voted.sure or len(zeroed) != 1:
        return voted
    value = zeroed.pop()
    if voted.value in second and value not in second:
        return voted
    return _vote([v for v in values if v.value == value])


def _confirmed_amount(fields: dict[str, FieldValue], name: str, values: list[FieldValue]) -> None:
    """Take the one amount a reading confirmed by the receipt's arithmetic over a value readings only repeat.

    Tesseract's passes are not independent: one font's 0 read as 8 recurs in each of them, so their support
    outvotes the second engine's amount that the sales and payment lines confirm. When exactly one value
    is confirmed in some reading, it is the amount (and stays sure, as no other value was confirmed).
    """
    confirmed = {value.value for value in values if value.sure}
    if len(confirmed) == 1 and name in fields and fields[name].value not in confirmed:
        value = confirmed.pop()
        fields[name] = _vote([v for v in values if v.value == value])


def _total_by_vat(fields: dict[str, FieldValue], totals: list[FieldValue]) -> None:
    """Let a sure VAT total choose between the readings' totals of a one-rate receipt.

    Tesseract repeats one confusion (a 0 read as 8) on every pass, so its readings outvote the second
    engine's right total. The VAT total is printed on another line in other digits: when it is sure and
    the voted total cannot carry it at any rate while exactly one other reading's total does, that total
    is taken (sure only when a reading confirmed it and none confirmed another value).
    """
    vat, total = fields.get(FieldName.VAT_TOTAL), fields.get(FieldName.TOTAL)
    if vat is None or total is None or not vat.sure or carries_vat(Decimal(total.value), Decimal(vat.value)):
        return
    fitting = {v.value for v in totals if carries_vat(Decimal(v.value), Decimal(vat.value))}
    if len(fitting) != 1:
        return
    value = fitting.pop()
    chosen = _vote([v for v in totals if v.value == value])
    fields[FieldName.TOTAL] = replace(chosen, sure=chosen.sure and not any(v.sure for v in totals if v.value != value))


def _second_engine_zero(fields: dict[str, FieldValue], name: str, everyone: tuple[Extraction, ...]) -> None:
    """Take the second engine's amount over the voted one when both were confirmed (each by its own reading's
    arithmetic) and they differ only by a 0 against an 8: tesseract reads a font's 0 as 8 alike on the
    total, the sales and the payment ("108,58" on every line for 100,58), so its passes confirm and outvote a
    misreading; the other engine does not share that confusion. Not sure: two values were confirmed."""
    voted = fields.get(name)
    second = [e.fields[name] for e in everyone if e.engine and name in e.fields]
    if voted is None or len(second) != 1 or not second[0].sure or second[0].value == voted.value:
        return
    if zero_for_eight(voted.value, second[0].value) is not None:
        fields[name] = replace(second[0], sure=False)


def _drop_buyer_as_seller(fields: dict[str, FieldValue]) -> None:
    """Remove a seller NIP equal to the buyer's: one reading took the buyer's NIP for want of the seller's."""
    seller, buyer = fields.get(FieldName.SELLER_NIP), fields.get(FieldName.BUYER_NIP)
    if seller is not None and buyer is not None and seller.value == buyer.value:
        if seller.sure and not buyer.sure:
            del fields[FieldName.BUYER_NIP]
        else:
            del fields[FieldName.SELLER_NIP]


def merge_readings(primary: Extraction, *others: Extraction) -> Extraction:
    """Merge extractions of the same document (the first reading and its alternates), field by field.

    Args:
        primary: fields from the first reading.
        others: fields from the alternate readings.

    Returns:
        One extraction: a field found once is kept; otherwise the value most readings agree on, then the
        sure one, then the most confident; items come from the first reading whose total is sure (else
        the primary).
    """
    everyone = (primary, *others)
    known = next((e for e in everyone if e.kind is not DocumentKind.UNKNOWN), primary)
    names = dict.fromkeys(name for e in everyone for name in e.fields)
    readings = {name: _checked([e.fields[name] for e in everyone if name in e.fields], name) for name in names}
    votes = {**readings}
    if FieldName.DOCUMENT_NUMBER in votes:
        votes[FieldName.DOCUMENT_NUMBER] = _one_guess_per_engine(everyone, votes[FieldName.DOCUMENT_NUMBER])
    fields = {name: _vote(values) for name, values in votes.items()}
    for name in _ZERO_READ:
        if name in fields:
            second = {e.fields[name].value for e in everyone if e.engine and name in e.fields}
            fields[name] = _zero_read(fields[name], readings[name], second)
    buyer = fields.get(FieldName.BUYER_NIP)
    if buyer is not None and FieldName.SELLER_NIP in fields:
        # a reading that took the buyer's NIP for the seller's does not outvote one that read the seller's
        sellers = [e.fields[FieldName.SELLER_NIP] for e in everyone if FieldName.SELLER_NIP in e.fields]
        others = [v for v in sellers if v.value != buyer.value]
        if others:
            fields[FieldName.SELLER_NIP] = _vote(_checked(others, FieldName.SELLER_NIP))
    _drop_buyer_as_seller(fields)
    if known.layout == Layout.POLISH_RECEIPT:
        for name in _AMOUNTS:
            _confirmed_amount(fields, name, [e.fields[name] for e in everyone if name in e.fields])
        _total_by_vat(fields, [e.fields[FieldName.TOTAL] for e in everyone if FieldName.TOTAL in e.fields])
        for name in _AMOUNTS:
            _second_engine_zero(fields, name, everyone)
    confirmed = next((e for e in everyone if e.items and FieldName.TOTAL in e.fields and e.fields["total"].sure), None)
    items = confirmed.items if confirmed else next((e.items for e in everyone if e.items), primary.items)
    return Extraction(kind=known.kind, fields=fields, items=items, layout=known.layout)
