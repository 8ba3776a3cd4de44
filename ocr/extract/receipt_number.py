"""The number of a Polish till receipt: its labelled forms ("nr wydr.", "Nr paragonu", "#1234"), its label
misread, the number under the banner, and (guesses) a footer code beside a time or a code ending the date's
line.

The number is half of a receipt's identity for duplicates; the readings' votes on it are in
`ocr.extract.merge` and `ocr.extract.confirm`.
"""

from __future__ import annotations

import re
from dataclasses import replace

from ocr.extract.nip import PRINTED_NIP
from ocr.extract.text import Hit, TextLine, edit_distance, lettered
from ocr.extract.values import FieldValue

# A label's letters may be split by a space ("Pa ragon nr", "nr wy dr."): print spaced wide, read apart
_PARAGON = r"p\s?[a-z]\s?[a-z]\s?[a-z]\s?g\s?[a-z]\s?n"  # a vowel or two misread too ("paregonu"): p, g, n hold it
_LETTERED_CODE = r"(?=[0-9a-z/\-]*[0-9])[0-9a-z][0-9a-z/\-]{2,19}(?![0-9a-z])"
_DOC_NUMBER: tuple[tuple[re.Pattern[str], float], ...] = (
    # "nr wydr,604336": the second engine reads the label's dot as a comma; "nr wydr „615564": a blurred dot
    # read as a low quotation mark; spelled out on e-receipts: "Nr wydruku: 604336", "Wydruk nr 604336"
    (re.compile(r"(?:nr\s*)?[uwv]\s?y\s?d\s?r(?:uku?(?:\s*nr)?)?[.,]?\s*[:.\u201e\"']?\s*([0-9][0-9/\-]{2,})"), 0.95),
    # a letter may open it ("W000156"), but a number holds a digit and is a word, not a row of noise read as
    # letters ("Nr paragonu KZG", "Nr paragonu uanitmnrytcmlu824108bbyc")
    (re.compile(rf"(?:nr|numer)\s*{_PARAGON}\s?u\s*[:.]?\s*({_LETTERED_CODE})"), 0.9),
    (re.compile(rf"{_PARAGON}\s*(?:nr|numer)\s*[:.]?\s*([0-9][0-9/\-]{{2,}})"), 0.9),
    (re.compile(r"paragon\s*fisk\w*\s*(?:nr)?\s*[:.]?\s*([0-9]{3,})"), 0.85),
    # an e-receipt's spelled-out label: "Nr dokumentu: 1234/2026", "Numer dokumentu", "Dokument nr"
    (re.compile(r"(?:(?:nr|numer)\s*dokumentu|dokument\s*nr)\s*[:.]?\s*([0-9][0-9a-z/\-]{2,})"), 0.85),
    (re.compile(r"\bnr\s*[:.]\s*([0-9]{3,})"), 0.8),
    (re.compile(r"podsumowanie\s*zakupow\s*[:.]?\s*([0-9]{3,})"), 0.8),  # a chain's e-receipt
    # "#1234" opening a line (the number beside the time); "#0102" after a word is the register's or cashier's.
    # One or two marks before it are the paper's edge, a fold or the background read as text ("| #9588 07:25",
    # "go #1270 wad"), not a word.
    (re.compile(r"^\s*(?:[^\s\d]{1,2}\s+)*[|!:;'\"`.,_~\-\u2014]*[#h]\s?([0-9]{4,8})(?=\s|$|\d{2}:\d{2})"), 0.75),
    # "19.12.2024 13:12   #1370": the number printed right of the date and time
    (re.compile(r"\d{1,2}:\d{2}(?::\d{2})?\s+[#h]\s?([0-9]{4,8})(?=\s|$)"), 0.75),
    # "#7112 14:35" in the footer (noise before it): the number beside the time, which a register's "#Kasa" is not
    (re.compile(r"(?<!kasjer )(?<!kasa )(?<!kasjer)(?<!kasa)#\s?([0-9]{4,8})\s+\d{1,2}:\d{2}(?!\d)"), 0.7),
    # "#71 1 2 1 4: 35" for "#7112 14:35": letter-spaced print read a character at a time (the hour has two digits)
    (re.compile(r"(?<!kasjer )(?<!kasa )(?<![\w#])#\s?((?:\d\s?){4,8}?)\s?\d\s?\d\s?:\s?\d\s?\d(?!\d)"), 0.65),
)
# "Nr paragonu: 1133,16": digits going on with a decimal comma are an amount (another column's, read into the
# label's line), not the number
_AMOUNT_AFTER = re.compile(r"[,.]\s?\d{2}(?!\d)")
_GLUED_TIME = re.compile(r"\d{2}:\d{2}(?!\d)")  # "nr wydr.8519015:32": the space before the time lost
_NOISE_CONFIDENCE = 0.6  # words read with less confidence than this before a "#1234" are the background's
# a letter may open it in either case: OCR reads a W as w as readily ("08:50 w659777")
_TRAILING_CODE = re.compile(r"(?<![\w/])([A-Za-z]?\d{4,8}(?:/\d{2,6})?)[\s|!.,;:]*$")
_HASH_WORD = re.compile(r"(?<!\S)#\s?([0-9]{4,8})(?!\S)")  # "#9184" as a word of its own
_BANNER_STRENGTH = 0.7
# a word before a colon (or a semicolon, its dot lost) and a number: after "nr", or opening the line
_LABEL_WORD = re.compile(r"(?:(?P<nr>\bnr\s*)|^\W{0,2})(?P<word>[a-z]{6,9})\s*[:;]\s*(?P<code>[0-9][0-9/\-]{2,})")
_MISREAD_LABEL_STRENGTH = 0.8
_BANNER_END = re.compile(r"fiskalny")
_CODE_AND_TIME = re.compile(r"^\W{0,3}(\d{4,8})\s+\d{1,2}:\d{2}\W{0,3}$")  # "3038 17:46.": the "#" lost
_BESIDE_TIME_STRENGTH = 0.5
# a code right after the NIP's ten digits (grouped or not), before anything else the line holds
_AFTER_NIP = re.compile(rf"{PRINTED_NIP}\s+([a-z]?\d{{5,8}})(?=\s|$)")
_AFTER_NIP_STRENGTH = 0.3
#: A guessed number (support 0) read with at most this confidence asks for another reading of the document
#: (`ocr.extract.merge.needs_second_reading`): the footer's code beside a time is capped here.
DOUBTFUL_GUESS = 0.3
# what ends a date's day or month ("01.07.2020", "82. 12.2824": a year misread), or a range's first number
_DATE_BEFORE = re.compile(r"(?:\d\s?[./]|-)\s?$")
# the lines that print a number unlabelled: a time's, the NIP's, a date's (a register's "dn.25r03.26" too)
_CODE_CONTEXT = re.compile(
    r"\b\d{1,2}:\d{2}\b|\bnip\b|\d{4}-\d{2}-\d{2}|\d{2}[.-]\d{2}[.-]\d{4}|\bdn[.,]?\s?\d{2}\s?r\s?\d{2}"
)


def receipt_number(lines: list[TextLine], anchor: int | None) -> FieldValue | None:
    """Return the receipt number: labelled forms first, then "Nr paragonu:" with its label misread, then a
    "#1234" under the banner, then (guesses, `_guess`) a footer code beside a time or a code ending the date's
    line above the header."""
    for pattern, strength in _DOC_NUMBER:
        for line in lines:
            skip = _noise_before(line) if pattern.pattern.startswith("^") else 0
            match = pattern.search(lettered(line.folded)[skip:])
            if match and not _AMOUNT_AFTER.match(line.folded, match.end(1) + skip):
                start, end = match.start(1) + skip, match.end(1) + skip
                if _GLUED_TIME.match(line.folded, end - 2) and end - start > 5:
                    end -= 2  # the hour of a time run into the number
                return Hit(line.text[start:end].upper().replace(" ", ""), line, start, end, strength).field()
    misread = _misread_label(lines)
    if misread is not None:
        return misread
    banner = _under_banner(lines, anchor) or _beside_time(lines, anchor)
    if banner is not None:
        return banner
    # only the date's line (or the time's, or the NIP's) prints a number unlabelled: a code ending a line of
    # unknown text (the background read as words, "TUF bę ee 03 of stp żę 4754,") is no more a number than any
    # other digits
    context = [line for line in lines[: anchor or max(10, len(lines) // 2)] if _CODE_CONTEXT.search(line.folded)]
    nearby = [line for line in context[::-1] if anchor and line.index >= anchor - 2]
    for line, strength in [(line, 0.6) for line in nearby] + [(line, 0.45) for line in context]:
        match = _TRAILING_CODE.search(line.text)
        if match and not re.search(r"\d{2}:\d{2}\s*$", line.text) and match.start(1) > 0:
            if not _DATE_BEFORE.search(line.text[: match.start(1)]):
                return _guess(_without_hash(match.group(1).upper(), lines), line, match.end(1), strength, lines)
    return _after_nip(context, lines)


def _after_nip(context: list[TextLine], lines: list[TextLine]) -> FieldValue | None:
    """Return (a guess) a code printed right after the seller's NIP on its line, whatever the background adds
    after it ("NIP 488-742-78-93 617668 MOIM"): a fuel station's register prints its number there."""
    for line in context:
        match = _AFTER_NIP.search(line.folded)
        if match:
            code = line.text[match.start(1) : match.end(1)].upper()
            guess = _guess(code, line, match.end(1), _AFTER_NIP_STRENGTH, lines)
            # read with little confidence, it is as likely the NIP's neighbour misread ("W22982?" for W229027)
            return guess if guess.confidence >= _AFTER_NIP_STRENGTH / 2 else None
    return None


def _misread_label(lines: list[TextLine]) -> FieldValue | None:
    """Return the number after "Nr paragonu:" read with its label's letters lost or misread: "Nr aragont: 95955",
    "Nr JaragonL: 95956" (a word two edits from "paragonu" between "nr" and a colon), or "paragonu; 21862"
    opening the line with its "Nr" lost (one edit)."""
    for line in lines:
        folded = lettered(line.folded)
        for match in _LABEL_WORD.finditer(folded):
            edits = 2 if match.group("nr") else 1
            start, end = match.span("code")
            if edit_distance(match.group("word"), "paragonu", edits) <= edits and not _AMOUNT_AFTER.match(folded, end):
                return Hit(line.text[start:end].upper(), line, start, end, _MISREAD_LABEL_STRENGTH).field()
    return None


def _beside_time(lines: list[TextLine], anchor: int | None) -> FieldValue | None:
    """Return (a guess) the code of a line below the banner that prints only a code and a clock time: the
    footer's "#3038 17:46" with its "#" lost to blur ("3038 17:46."). A "#" read as 4 is dropped when the rest
    stands elsewhere (`_without_hash`)."""
    for line in lines[(anchor or 0) + 1 :]:
        match = _CODE_AND_TIME.match(line.text)
        if match:
            guess = _guess(_without_hash(match.group(1), lines), line, match.end(1), _BESIDE_TIME_STRENGTH, lines)
            # its "#" may have been read as a digit ("14533 13:49" for #4533): a doubtful guess (`DOUBTFUL_GUESS`)
            return replace(guess, confidence=min(guess.confidence, DOUBTFUL_GUESS))
    return None


def _guess(code: str, line: TextLine, end: int, strength: float, lines: list[TextLine]) -> FieldValue:
    """Return an unlabelled code ending at `end` on `line` as a guess at the number.

    A guess (a misread date's year, "24,84, 2824"; "14533 13:49", #4533 with its "#" read as 1) lends no
    support when readings are merged, so one reading's labelled number outweighs it in every other; a doubtful
    one (`DOUBTFUL_GUESS`) has the document read again for its label. A code another line prints as a word of
    its own too ("23.09.2026 17:49 4104709" and "104709 #Kasa 1") is printed twice: it counts as found.
    """
    guess = Hit(code, line, end - len(code), end, strength).field()
    return replace(guess, support=1 if _printed_alone(code, [other for other in lines if other is not line]) else 0)


def _under_banner(lines: list[TextLine], anchor: int | None) -> FieldValue | None:
    """Return a "#1234" standing as a word of its own on the line under PARAGON FISKALNY.

    The number printed alone under the banner is read among a patterned background's marks on both sides
    ("d1tu eskm aš.ń5ężębbppa9g #9184 PDBSBK"): neither opening the line nor beside the time, it matches no
    labelled form. No register's or cashier's code is printed there (they close the receipt).
    """
    if anchor is None:
        return None
    # the banner's own line too, after the banner: the second engine joins a row printed beside it
    # ("KLEJ ELASTYCZNY C2TE PARAGON FISKALNY #5122")
    banner = _BANNER_END.search(lines[anchor].folded)
    after = [(lines[anchor], banner.end())] if banner else []
    for line, start in [*after, *((line, 0) for line in lines[anchor + 1 : anchor + 2])]:
        match = _HASH_WORD.search(line.text, start)
        if match is not None:
            return Hit(match.group(1), line, match.start(1), match.end(1), _BANNER_STRENGTH).field()
    return None


def _noise_before(line: TextLine) -> int:
    """Return how many characters open the line in words read with little confidence: a patterned background
    beside the paper read as text ("ye som bou #8947"), which hides that the line opens with the number."""
    words = line.line.words
    if " ".join(word.text for word in words) != line.text:
        return 0
    skip = 0
    for word in words:
        if word.confidence >= _NOISE_CONFIDENCE:
            break
        skip += len(word.text) + 1
    return skip


def _without_hash(code: str, lines: list[TextLine]) -> str:
    """Drop a leading 4/H that is the printed "#" misread, when the rest stands alone elsewhere on the receipt."""
    rest = code[1:]
    return rest if code[:1] in "4H" and len(rest) >= 4 and _printed_alone(rest, lines) else code


def _printed_alone(code: str, lines: list[TextLine]) -> bool:
    """Tell whether one of `lines` prints `code` as a word of its own (not after a "#" or inside a longer word)."""
    pattern = re.compile(rf"(?<![\w#]){re.escape(code)}(?!\w)")
    return any(pattern.search(line.text) for line in lines)
