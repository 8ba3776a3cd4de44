"""The second engine's verdict on sure amounts: a field stays sure only when rapidocr read it in its row too.

`ocr.confirm.confirm_rows` stores the second engine's reading of the row of each sure amount as a re-read
page with the step "confirm:FIELD"; this module applies it. A field without such a page (a PDF's text layer,
a reader without the second engine) keeps its verdict.
"""

from __future__ import annotations

import re
from dataclasses import replace

from ocr.extract.nip import PRINTED_NIP
from ocr.extract.numbers import find_amounts, format_amount
from ocr.extract.text import edit_distance
from ocr.extract.values import Extraction
from ocr.model import DocumentReading
from vocabulary.fields import FieldName

CONFIRM_STEP = "confirm:"
#: A corrected field's row read by tesseract alone when the second engine read it otherwise (a third opinion).
TIEBREAK_STEP = "tiebreak:"
_RUN = re.compile(r"\d[\d.,]*\d|\d")
#: The amounts whose row the second engine reads again when the document's arithmetic confirms them.
CONFIRMED_FIELDS = (FieldName.TOTAL, FieldName.VAT_TOTAL)
#: Fields nothing on the document confirms, whose row the second engine reads to correct misread characters.
CORRECTED_FIELDS = (FieldName.DOCUMENT_NUMBER,)
_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9/\-]*")
_HASHED = re.compile(r"#\s?([A-Za-z0-9][A-Za-z0-9/\-]*)")  # "#5049": the number printed after its "#"
_HASH_READ = "4H"  # what tesseract reads a printed "#" as ("45049" for #5049)
_SLASH_READ = "71"  # what a slash inside a number is read as ("582871" for 5820/1)
_MAX_CORRECTION = 2  # characters the second engine may change in a code of the same length
# letters an engine reads for a digit of a number ("FV/S9O/0G/2026"): counted as that digit when comparing readings
_LOOKALIKE_DIGITS = str.maketrans("OQDILZSGB", "000112568")
_DIGITS_AFTER_TIME = re.compile(r"(?<=\d:\d{2})(?=\d)")
_TIME_AFTER_DIGITS = re.compile(r"(?<=\d)(?=\d{2}:\d{2}(?!\d))")
# a NIP's ten digits (grouped or not) run into the code printed right of them: the space lost in the row
_NIP_BEFORE_CODE = re.compile(rf"({PRINTED_NIP})(?=[a-z]?\d{{4}})", re.IGNORECASE)


def confirmations(reading: DocumentReading, kind: str = CONFIRM_STEP) -> dict[str, str]:
    """Return the second engine's text of each confirmed field's row (or, with `TIEBREAK_STEP`, tesseract's
    reading of a corrected field's row on its own), by field name."""
    found = {}
    for page in reading.rereads:
        step = next((s for s in page.steps if s.startswith(kind)), None)
        if step is not None:
            found[step[len(kind) :]] = " ".join(line.text for line in page.lines)
    return found


def without_confirmations(reading: DocumentReading) -> DocumentReading:
    """Return the reading without the second engine's row readings (the first verdicts, for comparison)."""
    kept = tuple(p for p in reading.rereads if not any(s.startswith((CONFIRM_STEP, TIEBREAK_STEP)) for s in p.steps))
    return replace(reading, rereads=kept)


def second_engine_agreement(
    extraction: Extraction, reading: DocumentReading, second_page: Extraction | None = None
) -> Extraction:
    """Drop `sure` from an amount whose row the second engine read without printing that amount; take the
    second engine's characters for a document number it read alike but for one or two characters (unless
    tesseract, reading the row on its own, read the first characters again)."""
    tiebreaks = confirmations(reading, TIEBREAK_STEP)
    for name, text in confirmations(reading).items():
        field = extraction.fields.get(name)
        if name in CORRECTED_FIELDS and field is not None:
            page_value = second_page.fields.get(name) if second_page is not None else None
            code = voted_code(field.value, text, tiebreaks.get(name), page_value.value if page_value else None)
            extraction.fields[name] = replace(field, value=code)
            continue
        if field is None or not field.sure:
            continue
        if not agrees(field.value, text):
            extraction.fields[name] = replace(field, sure=False)
    return extraction


def agrees(value: str, text: str) -> bool:
    """Tell whether a line prints an amount: as an amount, or as its digits run together ("SUMA PLN5283" for
    52.83: a double-size comma is often lost)."""
    if value in {format_amount(m.value) for m in find_amounts(text)}:
        return True
    digits = value.replace(".", "").lstrip("0") or "0"
    runs = {run.replace(",", "").replace(".", "").replace(" ", "").lstrip("0") or "0" for run in _RUN.findall(text)}
    return digits in runs


def read_code(value: str, text: str) -> str | None:
    """Return the code in `text` of the same length as `value` that equals it or differs from it in one or two
    characters (upper case; the closest one), else None. A code with a letter where `value` has a digit is
    not taken (`_keeps_digits`).

    A clock time run into the code ("11:25922169", "3736012:24": the space lost) is split off first. A code
    the line prints after a "#" ("#5049") stands for a `value` one character longer that opens with what a
    "#" is read as ("45049"): the mark read as a digit, not a digit lost.
    """
    upper = value.upper()
    text = _split_time(text)
    best, distance = None, _MAX_CORRECTION + 1
    digitised = _digitised(upper)
    for token in (t.upper() for t in _CODE.findall(text)):
        if len(token) == len(upper) and any(ch.isdigit() for ch in token) and _keeps_digits(upper, token):
            differs = min(edit_distance(token, code, _MAX_CORRECTION) for code in (upper, digitised))
            if differs < distance:
                best, distance = token, differs
    if best is None and upper[:1] in _HASH_READ:
        hashed = (m.group(1).upper() for m in _HASHED.finditer(text))
        best = next((token for token in hashed if token == upper[1:] and any(ch.isdigit() for ch in token)), None)
    if best is None:
        best = next((t.upper() for t in _CODE.findall(text) if _one_inside(upper, t.upper())), None)
    return best


def _digitised(code: str) -> str:
    """Return a code with the letters that look like digits (O for 0, S for 5, G for 6 ...) read as those digits
    in each of its parts (between slashes and dashes) that holds a digit: "FV/S9O/0G/2026" for FV/590/06/2026.
    A part of letters alone ("FV", "FS") is a series and keeps them."""
    return "".join(
        part.translate(_LOOKALIKE_DIGITS) if any(ch.isdigit() for ch in part) else part
        for part in re.split(r"([/\-])", code)
    )


def _one_inside(value: str, token: str) -> bool:
    """Tell whether `token` is `value` with one character more or less inside it (not at either end, where a
    row cut short or a neighbouring mark changes a code), of at least four characters: "F/I2026/02210" for
    F/2026/02210, tesseract reading a slash's stroke twice. Such a correction needs a second vote
    (`voted_code`)."""
    shorter, longer = sorted((value, token), key=len)
    if len(longer) - len(shorter) != 1 or len(shorter) < 4 or not any(ch.isdigit() for ch in token):
        return False
    return any(longer[:i] + longer[i + 1 :] == shorter for i in range(1, len(longer) - 1))


def _hash_dropped(value: str, code: str) -> bool:
    """Tell whether `code` is `value` without its first character, a printed "#" read as 4 or H."""
    return value[:1].upper() in _HASH_READ and value[1:].upper() == code.upper()


def _split_time(text: str) -> str:
    """Split a clock time off a code it ran into ("11:25922169", "3736012:24": the space lost), and the NIP off
    a bare number printed right of it ("NIP:230-26-85-527504787")."""
    return _NIP_BEFORE_CODE.sub(r"\1 ", _TIME_AFTER_DIGITS.sub(" ", _DIGITS_AFTER_TIME.sub(" ", text)))


def _keeps_digits(value: str, token: str) -> bool:
    """Tell whether `token` keeps a digit wherever `value` has one after the code's first digit: a letter
    inside a number ("800Z1" for 88021) is the engine's confusion of 2 and Z, while a letter may open a code
    (W000156, read 4000156 by tesseract). A slash between digits may stand where `value` has a 7 or a 1:
    the slash of "5820/1" is what the other engine reads as 7 ("582871"), a number's separator, not a letter.
    """
    first = next((i for i, ch in enumerate(token) if ch.isdigit()), len(token))
    return all(
        b.isdigit() or (b == "/" and a in _SLASH_READ and token[i - 1 : i].isdigit() and token[i + 1 : i + 2].isdigit())
        for i, (a, b) in enumerate(zip(value, token, strict=True))
        if a.isdigit() and i > first
    )


def corrected_code(value: str, text: str) -> str:
    """Return the code in `text` of the same length as `value` that differs from it in one or two characters
    (tesseract's 8 for a dot-matrix 0, 4 for W), else `value`."""
    found = read_code(value, text)
    return value if found is None or found == value.upper() else found


def voted_code(value: str, second: str, third: str | None, second_page: str | None = None) -> str:
    """Return the page's code or the second engine's correction of it, by the votes of the two engines.

    Tesseract votes with its page reading (`value`) and its reading of the row alone (`third`, when it reads
    the same code); the second engine with its row reading (`second`) and its page reading (`second_page`),
    which votes for whichever of the two codes it reads: an engine reading its row one way and the page the
    other ("68733" on the page, "E8733" in the row) does not outvote the page's code. A tie goes to the
    second engine: it does not share tesseract's confusions (an 8 for a dot-matrix 0), which a re-read by
    tesseract repeats. A known confusion settles the codes without a vote (`settled_code`), unless the
    second engine's page reading prints the page's code: the engine then read the row otherwise itself
    ("11360" in the row, 11368 on the page and printed).
    """
    corrected = corrected_code(value, second)
    page = second_page.upper() if second_page is not None else None
    if corrected == value and page is not None and _glued_in_row(value, page, second):
        corrected = page
    if corrected == value:
        return corrected
    settled = settled_code(value, corrected)
    # the second engine reading the page's code on the page settles nothing: it read the row otherwise itself
    if settled is not None and not (page == value.upper() and settled != value):
        return settled
    closer = _closer_code(value.upper(), corrected.upper(), third) if third is not None else None
    first_votes = 1 + (closer == value.upper()) + (page == value.upper())
    second_votes = 1 + (page == corrected.upper()) + (closer == corrected.upper())
    if len(corrected) != len(value):
        # a character more or less: the second engine's row alone (a row cut short, a mark joining) does not
        # outvote the page, a second reading must print it too
        return corrected if second_votes > first_votes else value
    return value if first_votes > second_votes else corrected


def settled_code(value: str, corrected: str) -> str | None:
    """Return the code a known confusion between two readings settles without a vote, else None: a 0 against
    an 8 (`zero_for_eight`), or the second engine's "#5049" for tesseract's "45049" (the printed "#" read
    as 4 or H, a confusion tesseract repeats when it reads the row again; the other engine read the mark)."""
    if _hash_dropped(value, corrected):
        return corrected
    return zero_for_eight(value, corrected)


def zero_for_eight(first: str, second: str) -> str | None:
    """Return whichever of two readings of a code reads 0 where the other reads 8, when that is all they differ
    in (else None).

    A blurred or dot-matrix 0 closes into two loops and is read as 8 by either engine, on the page or in a
    row cut out of it ("758927" for 750927, "43989" for 43909), far more often than an 8 opens into a 0: a 0
    read by one reading is taken for the printed digit however many readings saw an 8 (tesseract's passes
    repeat one confusion, and a row crop read by both engines is one image).
    """
    if len(first) != len(second) or first.upper() == second.upper():
        return None
    pairs = [(a, b) for a, b in zip(first, second, strict=True) if a != b]
    if all(pair == ("0", "8") for pair in pairs):
        return first
    if all(pair == ("8", "0") for pair in pairs):
        return second
    return None


def _glued_in_row(value: str, page: str, row: str) -> bool:
    """Tell whether the second engine's row reading opens a longer word with the code its page reading found,
    a correction of `value` ("Paragon nr 7090/811": the space before the next word lost, so no code of the
    value's length stands alone in the row): the engine's two readings agree on it."""
    if page == value.upper() or corrected_code(value, page) != page:
        return False
    return any(token.upper().startswith(page) for token in _CODE.findall(_split_time(row)))


def _closer_code(first: str, second: str, text: str) -> str | None:
    """Return which of two codes a row reading prints: the one a code in `text` is at most one character
    from and closer to than to the other, else None (noise, or as near to both).

    Tesseract reading the row on its own often loses or misreads a character of its own ("24132\"" for
    241325, against the second engine's 241343): the characters it does read still show which code the
    row prints, where a code of the same length alone left the vote tied.
    """
    votes: dict[int, set[str | None]] = {}
    for token in (t.upper() for t in _CODE.findall(_split_time(text))):
        if any(ch.isdigit() for ch in token):
            to_first, to_second = edit_distance(token, first, 2), edit_distance(token, second, 2)
            vote = None if to_first == to_second else first if to_first < to_second else second
            votes.setdefault(min(to_first, to_second), set()).add(vote)
    distance = min(votes, default=2)
    nearest = votes[distance] if distance <= 1 else set()
    return nearest.pop() if len(nearest) == 1 else None
