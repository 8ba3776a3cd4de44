"""Product names as comparable tokens: case and Polish letters folded, sizes and dimensions canonical.

"Klej do płytek MAXBUD Flex C2TE 22,5 kg" and "KL.PLYT FLEX C2TE 22.5KG" both become words
(KLEJ, PLYTEK, MAXBUD, FLEX, C2TE / KLEJ, PLYT, FLEX, C2TE) and one quantity (mass 22.5 kg, token "22.5KG").
Sizes are compared in one unit per dimension: 870ML = 0.87L, 10CM = 100MM, 3M = 3000MM. Dimensions keep
their shape (3X2.5, 1200X2600). OCR slips inside sizes are undone (2SKG -> 25KG, Z,0MM -> 2,0MM), words glued
to sizes are split (BIALY5L -> BIALY 5L), stop words (DO, Z, SZT, OPAK...) dropped.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from vocabulary.numbers import parse_decimal

POLISH = str.maketrans("ĄĆĘŁŃÓŚŹŻ", "ACELNOSZZ")
#: unit as printed -> (dimension, factor to the dimension's canonical unit, canonical unit)
UNITS: dict[str, tuple[str, Decimal, str]] = {
    "KG": ("mass", Decimal(1), "KG"), "G": ("mass", Decimal("0.001"), "KG"), "T": ("mass", Decimal(1000), "KG"),
    "L": ("volume", Decimal(1), "L"), "LTR": ("volume", Decimal(1), "L"), "ML": ("volume", Decimal("0.001"), "L"),
    "MM": ("length", Decimal(1), "MM"), "CM": ("length", Decimal(10), "MM"), "M": ("length", Decimal(1000), "MM"),
    "MB": ("length", Decimal(1000), "MM"), "SZT": ("count", Decimal(1), "SZT"), "SZ": ("count", Decimal(1), "SZT"),
    "W": ("power", Decimal(1), "W"),
}
#: The same thing written two ways in the trade; both sides of a match are rewritten to the right-hand form.
SYNONYMS = {
    "GIPSOWOKARTONOWA": "GK", "GIPSOWOKARTONOWE": "GK", "PCV": "PVC", "KABEL": "PRZEWOD", "PRZEW": "PRZEWOD",
    "LTR": "L", "SZT.": "SZT",
}
KEPT_UNIT_WORDS = frozenset({"MB"})  # "(mb)": sold by the metre, which tells a product from its coils
#: Trade abbreviations that are not a plain prefix of the word they stand for.
EXPANSIONS = {"KL": "KLEJ"}
STOPWORDS = frozenset({"DO", "Z", "W", "NA", "I", "DLA", "OD", "ZE", "OPAK", "KPL", "SZT", "OPAKOWANIE",
                       "EAN", "KOD", "PROMO", "PROMOCJA", "GRATIS", "WYPRZ", "ART"})
NUMBER = r"\d+(?:[.,]\d+)?"
DIMS = re.compile(rf"^{NUMBER}(?:X{NUMBER})+$")
#: a unit cut short at the end of a till line: 50S(ZT), 22,5K(G), 16C(M)
CUT_UNITS = {"S": "SZT", "K": "KG", "C": "CM"}
QUANTITY = re.compile(rf"^({NUMBER})({'|'.join(sorted([*UNITS, *CUT_UNITS], key=len, reverse=True))})$")
BARE = re.compile(rf"^{NUMBER}$")
EAN = re.compile(r"(?<![0-9A-Z])([0-9OIS]{13}|[0-9OIS]{8})(?![0-9A-Z])")
OCR_DIGITS = str.maketrans("OIZSB", "01258")
#: a size whose digits OCR read as letters: Z,0MM -> 2,0MM; 2SKG -> 25KG (the number keeps a real digit)
OCR_SIZE = re.compile(rf"^([0-9OIZSB][0-9OIZSB.,X/-]*?)({'|'.join(sorted(UNITS, key=len, reverse=True))}|)$")
TIMES = re.compile(r"(\d)\s*[X×*]\s*(\d)")
GLUED = re.compile(r"([A-Z]{4,}|[A-Z]+(?=\d+(?:[.,]\d+)?X\d))(\d+(?:[.,]\d+)?)")
DECIMAL_COMMA = re.compile(r"(\d),(\d)")
ABBREVIATION_DOT = re.compile(r"(?<!\d)\.|\.(?!\d)")
DIGIT_SLASH = re.compile(r"(\d)\s*/\s*(\d)")
WORD_HYPHEN = re.compile(r"(?<=[A-Z])-(?=[A-Z0-9])|(?<=[0-9])-(?=[A-Z])")
LETTER_SLASH = re.compile(r"\b([A-Z])/([A-Z])\b")
OTHER_SLASH = re.compile(r"(?<!\d)/|/(?!\d)")
SEPARATORS = re.compile(r"[^A-Z0-9./-]+")
TRAILING_LETTERS = re.compile(r"(.*?)([A-Z]*)")
NUMBERS_X = re.compile(rf"{NUMBER}(?:X{NUMBER})*")


@dataclass(frozen=True)
class Quantity:
    dimension: str
    value: Decimal  # in the dimension's canonical unit
    raw: str  # the number as printed, canonical decimal ("22.5")

    @property
    def token(self) -> str:
        return f"{_fmt(self.value)}{UNITS_CANON[self.dimension]}"


UNITS_CANON = {dim: canon for dim, _, canon in UNITS.values()}


@dataclass(frozen=True)
class NameTokens:
    """A name split into what matching compares."""

    words: tuple[str, ...]  # words and codes (KLEJ, C2TE, 450/750V), in order
    quantities: tuple[Quantity, ...]  # sizes with a unit
    dims: tuple[str, ...]  # dimensions such as 3X2.5 or 1200X2600
    numbers: tuple[str, ...]  # bare numbers (a size whose unit was cut off, a pack count)

    @property
    def tokens(self) -> tuple[str, ...]:
        """Everything as index tokens, in a stable order."""
        return self.words + tuple(q.token for q in self.quantities) + self.dims + self.numbers

    @property
    def text(self) -> str:
        return " ".join(self.tokens)


def _fmt(value: Decimal) -> str:
    return format(value.normalize(), "f")


def number(raw: str) -> str:
    """Canonical decimal text: "22,50" -> "22.5", "025" -> "25" (text that is not a number stays as it is)."""
    value = parse_decimal(raw)
    return raw if value is None else _fmt(value)


def fold(text: str) -> str:
    """Upper case without Polish (or other) diacritics."""
    text = unicodedata.normalize("NFKC", text).upper().translate(POLISH)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _ocr_size(token: str) -> str:
    """Letters OCR put into a size turned back into digits, when what is left is a size."""
    if token[:1] not in "0123456789OIZSB" or not any(c.isdigit() for c in token):
        return token
    match = OCR_SIZE.match(token)
    if match is None:
        return token
    head, unit = match.groups()
    digits = sum(c.isdigit() for c in head)
    letters = sum(c.isalpha() and c != "X" for c in head)
    if letters == 0 or digits < letters or not (unit or any(c in ".,/X" for c in head)):
        return token  # B20, S1, B1 are codes, not misread numbers
    return head.translate(OCR_DIGITS) + unit


def _split(text: str) -> list[str]:
    """Raw tokens: keep decimals, X-dimensions and digit/digit codes together, split on everything else."""
    text = " ".join(_ocr_size(t) for t in text.replace("°", "").split())
    text = TIMES.sub(r"\1X\2", text)  # 3 X 2,5 -> 3X2,5
    text = GLUED.sub(r"\1 \2", text)  # YDY3X10 -> YDY 3X10, BIALY5L -> BIALY 5L
    text = DECIMAL_COMMA.sub(r"\1.\2", text)
    text = ABBREVIATION_DOT.sub(" ", text)  # dots of abbreviations split words: KL.DO -> KL DO
    text = DIGIT_SLASH.sub(r"\1/\2", text)
    text = WORD_HYPHEN.sub("", text)  # G-K -> GK, PEX-AL-PEX -> PEXALPEX
    text = LETTER_SLASH.sub(r"\1\2", text)  # G/K -> GK
    text = OTHER_SLASH.sub(" ", text)  # D/PLYTEK -> D PLYTEK; 450/750V stays
    return [t for t in SEPARATORS.split(text) if t]


def _clean(token: str) -> str:
    return token.strip(".-/")


def _glue(tokens: list[str]) -> list[str]:
    """"25 KG" -> "25KG": a number followed by a unit word is one size."""
    out: list[str] = []
    for token in tokens:
        if token in UNITS and out and NUMBERS_X.fullmatch(out[-1]):
            out[-1] += token
        else:
            out.append(token)
    return out


def _quantity(token: str) -> Quantity | None:
    match = QUANTITY.match(token)
    if not match:
        return None
    raw, unit = match.groups()
    dimension, factor, _ = UNITS[CUT_UNITS.get(unit, unit)]
    value = Decimal(number(raw)) * factor
    return Quantity(dimension, value, number(raw))


def tokenise(name: str) -> NameTokens:
    """Split a product name (catalogue or till) into comparable tokens."""
    words, quantities, dims, numbers = [], [], [], []
    for token in _glue([_clean(t) for t in _split(fold(name))]):
        token = SYNONYMS.get(token, EXPANSIONS.get(token, token))
        if not token or token in STOPWORDS:
            continue
        dims_part, unit = TRAILING_LETTERS.fullmatch(token).groups()
        if (quantity := _quantity(token)) is not None:
            quantities.append(quantity)
        elif DIMS.match(dims_part) and (not unit or unit in UNITS):
            dims.append("X".join(number(p) for p in dims_part.split("X")))
        elif token in UNITS and token not in KEPT_UNIT_WORDS:
            continue
        elif BARE.match(token):
            numbers.append(number(token))
        elif len(token) > 1 or token.isdigit():
            words.append(token)
    return NameTokens(tuple(words), tuple(quantities), tuple(dims), tuple(numbers))


def normalise_name(name: str) -> str:
    """One comparable string for a name (used for exact lookups such as a partner's own item names)."""
    return tokenise(name).text


def skeleton(word: str) -> str:
    """First letter and the consonants after it: how tills shorten words ("PIANKA" -> "PNK")."""
    return word[:1] + re.sub(r"[AEIOUY]", "", word[1:])


CONFUSABLE = str.maketrans("012568", "OIZSGB")


def confusable(token: str) -> str:
    """The token with the digits OCR confuses with letters turned into those letters (C2TE -> CZTE)."""
    return token.translate(CONFUSABLE).replace("L", "I")


def eans_in(text: str) -> tuple[str, ...]:
    """EAN-13/EAN-8 numbers printed in a line (check digit valid; O/I/S read for 0/1/5 are forgiven)."""
    found = (code.translate(OCR_DIGITS) for code in EAN.findall(fold(text)) if sum(c.isdigit() for c in code) >= 7)
    return tuple(code for code in found if ean_is_valid(code))


def ean_is_valid(code: str) -> bool:
    """GS1 check digit of an EAN-8 or EAN-13."""
    if not code.isdigit() or len(code) not in (8, 13):
        return False
    digits = [int(d) for d in code]
    weights = (1, 3) if len(code) == 13 else (3, 1)
    total = sum(d * weights[i % 2] for i, d in enumerate(digits[:-1]))
    return (10 - total % 10) % 10 == digits[-1]
