"""Polish tax identification numbers (NIP) in OCR text: finding candidates and repairing OCR confusions.

The check digit itself is `vocabulary.nip.nip_checksum_ok`, shared with the rules and the forms.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from ocr.extract.text import Hit, TextLine
from ocr.extract.values import FieldValue
from vocabulary.nip import nip_checksum_ok

DIGIT_REPAIRS: dict[str, str] = {
    "O": "0", "o": "0", "D": "0", "Q": "0",
    "l": "1", "I": "1", "|": "1", "i": "1", "!": "1",
    "S": "5", "s": "5", "B": "8", "Z": "2", "z": "2", "G": "6",
}  # fmt: skip
_DIGITISH = "0-9" + re.escape("".join(DIGIT_REPAIRS))
# "NIPPL9244792947": the space before the country prefix lost
_LABEL = re.compile(
    r"(?<![a-z0-9])(?:n\s?[i1l|]\s?p|[hm][i1l]p)(?=pl|[^a-z]|$)(?:\s*(?:nabywcy|kupujacego|odbiorcy))?"
    r"\s*[:.;,]?\s*(?:pl)?\s*"
)
_LABELLED_VALUE = re.compile(rf"[{_DIGITISH}](?:[{_DIGITISH}]|[ \-.]{{1,2}}(?=[{_DIGITISH}])){{8,17}}")
_FORMATTED = re.compile(
    r"(?<![\dA-Za-z])(?:PL ?)?(\d{3}[- ]\d{3}[- ]\d{2}[- ]\d{2}|\d{3}[- ]\d{2}[- ]\d{2}[- ]\d{3}|\d{10})(?![\d])"
)
# Digits tesseract reads for one another in receipt fonts
_CONFUSED_DIGITS = {"0": "8", "8": "06", "6": "85", "5": "6", "1": "7", "7": "1", "3": "8", "4": "1"}
#: A NIP label and its ten digits, grouped or not ("NIP: 488-742-78-93", "NIP PL8979894357"), in folded text or
#: case-insensitively: what a register may print a bare number right after.
PRINTED_NIP = r"\bnip\W{0,3}(?:pl)?\s?\d(?:[\s-]?\d){9}"
_BUYER = re.compile(r"nabywc|kupuj|buyer")
# The cash register's unique number closes every fiscal receipt: three letters, then digits ("EAO 2202141952").
_REGISTER_PREFIX = re.compile(r"(?<![A-Za-z])[A-Z]{3}\s?$")
_GROUPINGS = {(10,), (3, 3, 2, 2), (3, 2, 2, 3)}  # how a NIP is printed: 1234567890, 123-456-78-90, 123-45-67-890
_GROUP_SEPARATOR = re.compile(r"[ \-.]{1,2}")


def printed_as_nip(text: str) -> bool:
    """Tell whether a run read after a NIP label starts with ten digits grouped the way a NIP is printed.

    A digit doubled or dropped by OCR ("839-23-67-2768") shifts the groups; such a reading is not trusted
    even when its first ten digits happen to pass the checksum. Text after the tenth digit is ignored when
    a separator stands before it.
    """
    groups: list[int] = []
    for part in _GROUP_SEPARATOR.split(text.strip()):
        digits, _ = repair_digits(part)
        if len(digits) != len(part):
            return False
        groups.append(len(digits))
        if sum(groups) >= 10:
            return tuple(groups) in _GROUPINGS
    return False


def repair_digits(text: str, limit: int = 0) -> tuple[str, bool]:
    """Map letters OCR confuses with digits (O→0, l/I→1, S→5, B→8 ...) and drop separators.

    Args:
        text: the digit-like run as read.
        limit: stop after this many digits (0 = no limit).

    Returns:
        The digits-only string and whether any letter had to be repaired.
    """
    repaired = False
    out: list[str] = []
    for ch in text:
        if limit and len(out) >= limit:
            break
        if ch.isdigit():
            out.append(ch)
        elif ch in DIGIT_REPAIRS:
            out.append(DIGIT_REPAIRS[ch])
            repaired = True
    return "".join(out), repaired


@dataclass(frozen=True)
class NipCandidate:
    """A NIP read from the text, with how it was found."""

    digits: str
    hit: Hit
    labelled: bool
    valid: bool
    repaired: bool
    buyer: bool
    guessed: bool = False  # a digit changed to pass the check digit (`_one_confusion`): lends no support


def _one_confusion(digits: str) -> str | None:
    """Return the one NIP that a single digit OCR confuses (8 for 0, 5 for 6, 7 for 1 ...) turns a number failing
    the check digit into, or None when none or several do."""
    fixes = {
        digits[:i] + other + digits[i + 1 :]
        for i, digit in enumerate(digits)
        for other in _CONFUSED_DIGITS.get(digit, "")
        if nip_checksum_ok(digits[:i] + other + digits[i + 1 :])
    }
    return fixes.pop() if len(fixes) == 1 else None


def _strength(labelled: bool, valid: bool, repaired: bool) -> float:
    """Return how strongly the pattern supports the value (before OCR confidence)."""
    base = 1.0 if labelled and valid else 0.6 if valid else 0.35
    return base * (0.85 if repaired else 1.0)


def _labelled(line: TextLine) -> list[NipCandidate]:
    """Find NIPs introduced by a NIP label on a line."""
    found: list[NipCandidate] = []
    for label in _LABEL.finditer(line.folded):
        match = _LABELLED_VALUE.match(line.text, label.end())
        if not match:
            continue
        digits, repaired = repair_digits(match.group(0), limit=10)
        if len(digits) < 10:
            continue
        valid = nip_checksum_ok(digits) and printed_as_nip(match.group(0))
        fixed = None if nip_checksum_ok(digits) else _one_confusion(digits)
        if fixed is not None:
            digits, repaired = fixed, True  # certainly misread as it stands; never sure (valid stays False)
        buyer = bool(_BUYER.search(line.folded[max(0, label.start() - 12) : label.end() + 1]))
        hit = Hit(digits, line, label.start(), match.end(), _strength(True, valid, repaired))
        found.append(NipCandidate(digits, hit, True, valid, repaired, buyer, guessed=fixed is not None))
    return found


def _unlabelled(line: TextLine, taken: set[int]) -> list[NipCandidate]:
    """Find checksum-valid NIP-formatted numbers without a label (positions in `taken` skipped)."""
    found: list[NipCandidate] = []
    for match in _FORMATTED.finditer(line.text):
        if any(match.start() <= pos < match.end() for pos in taken):
            continue
        if _REGISTER_PREFIX.search(line.text[: match.start()]):
            continue
        digits = re.sub(r"\D", "", match.group(1))
        if nip_checksum_ok(digits):
            hit = Hit(digits, line, match.start(), match.end(), _strength(False, True, False))
            found.append(NipCandidate(digits, hit, False, True, False, bool(_BUYER.search(line.folded))))
    return found


def find_nips(lines: list[TextLine]) -> list[NipCandidate]:
    """Return every NIP candidate in reading order: labelled ones (valid or not) and valid unlabelled ones.

    Args:
        lines: the document lines to scan.

    Returns:
        Candidates in line order; within a line, labelled first.
    """
    candidates: list[NipCandidate] = []
    for line in lines:
        labelled = _labelled(line)
        taken = {pos for c in labelled for pos in range(c.hit.start, c.hit.end)}
        candidates.extend(labelled + _unlabelled(line, taken))
    return candidates


def best_nip(candidates: list[NipCandidate]) -> NipCandidate | None:
    """Pick the most trustworthy candidate: labelled and valid, then valid, then labelled, in order."""
    for test in (lambda c: c.labelled and c.valid, lambda c: c.valid, lambda c: c.labelled):
        for candidate in candidates:
            if test(candidate):
                return candidate
    return None


def nip_field(candidate: NipCandidate | None) -> FieldValue | None:
    """Turn a candidate into a field; sure (and confidence at least 0.9) when labelled and checksum-valid."""
    if candidate is None:
        return None
    sure = candidate.labelled and candidate.valid
    field = candidate.hit.field(sure=sure)
    if candidate.guessed:
        return replace(field, support=0)
    if sure:
        return FieldValue(field.value, max(field.confidence, 0.9), field.boxes, True)
    return field
