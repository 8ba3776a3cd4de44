"""Company name and address at the top of a SROIE receipt (English-language, Malaysian/Singaporean style).

The name is the line carrying a company form (SDN BHD, S/B, ENTERPRISE, TRADING ...), else the first
upper-case line; the address is the block of lines after it, from the first address-like line up to the
telephone, tax-registration or document-title line, joined with single spaces.
"""

from __future__ import annotations

import re

from ocr.extract.text import TextLine, drop_stray_words, fold_char, fold_lower
from ocr.extract.values import FieldValue, PageBox

_FORM = re.compile(
    r"\bs[do0iu]n\.?\s*b[a-z][do0]\b\.?|\b[s5$]\s?/\s?b\b|\bbhd\b\.?|\bberhad\b|\benterprise\b|\btrading\b"
    r"|\bltd\b\.?|\bllp\b|\bpte\b|\binc\b\.?|\bco\.?,?\s*ltd\b|\bcompany\b|\bcorporation\b|\bindustries\b"
)
# Forms that end a company name: nothing after them belongs to it (registration numbers, specks).
_FINAL_FORM = re.compile(r"\bs[do0iu]n\.?\s*b[a-z][do0]\b\.?|\b[s5$]\s?/\s?b\b|\bbhd\b\.?|\bberhad\b|\bltd\b\.?")
_FORM_FIXES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(?<=\w)[-_](?=S[DO0]N\b)", re.I), " "),
    (re.compile(r"\bS[DO0IU]N(?=\.?\s*B[A-Z][DO0]\b)", re.I), "SDN"),
    (re.compile(r"(?<=SDN)(\.?\s*)B[A-Z][DO0]\b", re.I), r"\1BHD"),
    (re.compile(r"\bBH[O0]\b"), "BHD"),
    (re.compile(r"(?<![\w/])[5$]\s?/\s?B\b"), "S/B"),
    (re.compile(r"(?<=[A-Za-z]) 8 (?=[A-Za-z])"), " & "),  # "SIN THYE 8 COMPANY": & read as 8
)
_OWNER_PREFIX = re.compile(r"^\W*(?:own(?:ed)?\s*by|operated\s*by|managed\s*by)\s*[:\-]?\s*", re.I)
_NOT_NAME = re.compile(
    r"tax\s*invoice|\binv[o0]|\binvo\w*ce\b|receipt|\breceip|welcome|thank|\btq\b|\bgst\b|\btel\b|\bfax\b|\bdate\b|cashier|www\.|@"
    r"|\bco\.?\s*(?:reg|no)|\breg\.?\s*no|\bcompany\s*(?:reg|no)|\broc\b|\bbr\s*no|shopping|\btable\b|\bslip\b"
)
_STOP = re.compile(
    r"\btel\b|\bt\s*[:.]|\btelephone\b|\bphone\b|\bfax\b|\bh/?p\b|\bgst\b|\bsst\b|tax\s*(?:invoice|reg|id)|invoice"
    r"|receipt|\bdate\b|cashier|\bemail\b|www\.|@|\bbill\b|\bdoc\w*\s*no|\btable\b|\bcounter\b|\bslip\b"
    r"|\breg\w*\b|\bco\.?\s*no\b|company\s*no|\(\s*\d{3,}"
)
_BODY = re.compile(r"invoice|receipt|\bdate\b|cashier|\bbill\b|\bdoc\w*\s*no|\btable\b|\bqty\b|\btotal\b")
_DATE_LIKE = re.compile(
    r"\d{1,2}\s?[/.\-]\s?\d{1,2}\s?[/.\-]\s?\d{2,4}|\d{1,2}\s*[a-z]{3}\s*\d{2,4}\s+\d{1,2}:\d\d|\d{1,2}:\d\d"
)
_PHONE_ONLY = re.compile(r"^\W*\+?[\d\s\-()/.,]{7,}\W*$")
_REG_LINE = re.compile(
    r"^\W*\(?\s*(?:(?:co|company|roc|br|bus\w*)\.?\s*(?:reg\w*)?\.?\s*(?:no|id)?\.?\s*[:.]?\s*)?\(?[a-z]{0,3}\s?"
    r"\d{3,}[-\s]?[a-z0-9]?\s*\)?\W*$"
)
_ADDRESS_START = re.compile(
    r"^\W*(?:no\b|lot\b|jalan\b|jln\b|level\b|block\b|blok\b|unit\b|lorong\b|lrg\b|g\s?-?\s?\d|\d)"
    r"|\bjalan\b|\bjln\b|\btaman\b|\d{5}"
)
_STREET = re.compile(r"\b(?:jalan|jln|lot|no|taman|tmn|lorong|lrg|level|block|unit)\b|(?<!\d)\d{5}(?!\d)")
_POSTCODE = re.compile(r"(?<!\d)\d{5}(?!\d)")
_REGION = re.compile(
    r"^\W*(?:(?:darul|d\.)\s*\w+|malaysia|selangor|johor|kuala\s*lumpur|perak|pahang|kedah|kelantan|terengganu"
    r"|melaka|malacca|negeri\s*sembilan|pulau\s*pinang|penang|sabah|sarawak|perlis|putrajaya|labuan|singapore"
    r"|w\.\s*p\.?.*)\W*$"
)
_MAX_TOP = 10
_MAX_ADDRESS = 5


def normalise_form(name: str) -> str:
    """Repair OCR damage in company forms ("SON BHD" → "SDN BHD", "INTERNATIONAL-SDN" → "INTERNATIONAL SDN")."""
    for pattern, replacement in _FORM_FIXES:
        name = pattern.sub(replacement, name)
    return name


def _clean(line: TextLine) -> TextLine | None:
    """Drop stray marks from a header line and keep it only when it reads as words."""
    cleaned = drop_stray_words(line)
    if cleaned is None:
        return None
    letters = [ch for ch in cleaned.text if ch.isalpha()]
    if len(letters) < 2 or cleaned.line.confidence < 0.4:
        return None
    return cleaned


def _is_upper(line: TextLine) -> bool:
    """Tell whether a line is printed in capitals (allowing a few OCR lower-case slips)."""
    letters = [ch for ch in line.text if ch.isalpha()]
    return bool(letters) and sum(ch.isupper() for ch in letters) >= 0.7 * len(letters)


def _strip_registration(text: str) -> str:
    """Cut what follows the company form when it is a number or a mark ("S/B (519537-X)", "SDN BHD LIC?")."""
    text = _OWNER_PREFIX.sub("", text)
    folded = fold_lower(text)
    final = list(_FINAL_FORM.finditer(folded))
    if final:
        return text[: final[-1].end()].strip(" ,;:")
    matches = list(_FORM.finditer(folded))
    if not matches:
        return text.strip(" ,;:")
    rest = folded[matches[-1].end() :]
    if re.search(r"\d", rest) or not re.findall(r"[a-z]{2,}", rest):
        return text[: matches[-1].end()].strip(" ,;:")
    return text.strip(" ,;:")


def _looks_like_address(line: TextLine) -> bool:
    """Tell whether a line reads as part of an address or a number rather than a name."""
    folded = line.folded
    digits = sum(ch.isdigit() for ch in folded)
    return bool(_ADDRESS_START.search(folded) or _REGION.match(folded) or _DATE_LIKE.search(folded) or digits >= 3)


def _join_with_previous(previous: TextLine | None, line: TextLine) -> bool:
    """Tell whether a company-form line continues the line above ("POPULAR BOOK" / "CO. (M) SDN BHD")."""
    if previous is None or not _is_upper(previous) or _NOT_NAME.search(previous.folded):
        return False
    match = _FORM.search(line.folded)
    head = re.sub(r"\bco\b\.?|\(m\)|[&.,\s]", "", line.folded[: match.start()] if match else line.folded)
    return head == "" or previous.text.rstrip().endswith(("&", "-"))


def _plain(text: str) -> str:
    """Return the text without diacritics (the Polish model's "Ą" on an English receipt) or curly quotes."""
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    return "".join(fold_char(ch).upper() if ch.isupper() else fold_char(ch) if ch.isalpha() else ch for ch in text)


def _field(lines: list[TextLine], text: str, strength: float) -> FieldValue:
    """Build a field from the lines it was read from (in plain letters: these receipts are English)."""
    text = _plain(text)
    confidence = min(line.line.confidence for line in lines) * strength
    boxes = tuple(PageBox(line.page, line.line.box) for line in lines)
    return FieldValue(re.sub(r"\s+", " ", text).strip(), round(min(1.0, confidence), 3), boxes, False)


def _top_lines(lines: list[TextLine]) -> list[TextLine]:
    """Return the cleaned readable lines at the top of the receipt."""
    return [c for c in (_clean(line) for line in lines[:_MAX_TOP]) if c is not None]


def find_company(lines: list[TextLine]) -> tuple[FieldValue, list[TextLine]] | None:
    """Return the company name and the lines it was read from.

    Args:
        lines: the document lines.

    Returns:
        (field, name lines), or None when no readable name stands at the top.
    """
    top = _top_lines(lines)
    for i, line in enumerate(top[:8]):
        if _FORM.search(line.folded) and not _NOT_NAME.search(line.folded):
            previous = top[i - 1] if i > 0 else None
            used = [previous, line] if previous and _join_with_previous(previous, line) else [line]
            if line.text.count("(") > line.text.count(")") and i + 1 < len(top):
                used.append(top[i + 1])  # "AIK HUAT HARDWARE ENTERPRISE (SETIA" / "ALAM) SDN BHD"
            text = normalise_form(" ".join(part.text for part in used))
            return _field(used, _strip_registration(text), 0.85), used
    first_address = next((i for i, line in enumerate(top) if _STREET.search(line.folded)), len(top))
    for i, line in enumerate(top[: max(1, min(6, first_address))]):
        letters = sum(ch.isalpha() for ch in line.text)
        if letters < 4 or _NOT_NAME.search(line.folded) or _looks_like_address(line):
            continue
        if _is_upper(line):
            used = [line]
            if line.text.rstrip().endswith(("&", "-")) and i + 1 < len(top):
                used.append(top[i + 1])
            return _field(used, normalise_form(" ".join(u.text for u in used)), 0.6), used
    return None


def _is_interruption(line: TextLine) -> bool:
    """Tell whether a line cannot be part of an address (phone, tax number, registration, date)."""
    folded = line.folded
    return bool(
        _STOP.search(folded) or _PHONE_ONLY.match(line.text) or _REG_LINE.match(folded) or _DATE_LIKE.search(folded)
    )


def _ends_block(block: list[TextLine], line: TextLine) -> bool:
    """Tell whether the address is complete before `line`: a postcode line was followed by its town."""
    postcode = next((b for b in block if _POSTCODE.search(b.text)), None)
    if postcode is None or _REGION.match(line.folded):
        return False
    tail = re.search(r"\d{5}\W*$", postcode.text)
    return not (tail and postcode is block[-1])  # "..., 41050" / "KLANG SELANGOR": the town follows


def _address_lines(top: list[TextLine], start: int) -> list[TextLine]:
    """Collect the address block from `start`: skip what precedes it, stop at phone/tax lines or after the town."""
    block: list[TextLine] = []
    for line in top[start:]:
        if not block:
            if _BODY.search(line.folded):
                break
            if not _is_interruption(line) and _ADDRESS_START.search(line.folded):
                block.append(line)
            continue
        if _is_interruption(line) or _ends_block(block, line) or len(block) >= _MAX_ADDRESS:
            break
        block.append(line)
    return block


def find_address(lines: list[TextLine], name_lines: list[TextLine]) -> FieldValue | None:
    """Return the address printed under the company name, joined into one line.

    Args:
        lines: the document lines.
        name_lines: the lines the company name was read from (the address starts after them).

    Returns:
        The address, or None when no address-like block follows the name.
    """
    top = [c for c in (_clean(line) for line in lines[: _MAX_TOP + 4]) if c is not None]
    last = max((line.index for line in name_lines), default=-1)
    start = next((i for i, line in enumerate(top) if line.index > last), len(top))
    block = _address_lines(top, start)
    if not block:
        return None
    text = " ".join(line.text.strip() for line in block)
    return _field(block, text, 0.7)
