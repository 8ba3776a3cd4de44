"""`sure` under OCR-like damage to the text: ``python -m bench.ocr_noise``.

``python -m bench.ocr_noise --split dev4 --count 150`` takes the generator's own text of `count` receipts of a
tuning split (what the printer prints, character for character), damages it one way at a time as OCR damages
print, extracts the fields from it and counts, per kind of damage, the fields read right, the fields marked
`sure` and the **wrong `sure` ones**, which should stay 0. No image and no OCR engine: a run takes seconds, so
an extraction rule can be checked against every kind of damage before the slow image benches.

Kinds of damage (each on its own, from a seeded generator per document):

* ``junk`` — background marks read as short words after a line;
* ``no_spaces`` — spaces lost between words;
* ``digits`` — digits misread as their look-alikes (0 as 8, 5 as S, 1 as l, 6 as b);
* ``split_words`` — words cut in two by a space;
* ``lost_digits`` — digits not read at all;
* ``swapped_rows`` — two neighbouring rows read in the other order;
* ``letters`` — letters misread as other letters;
* ``two_rows`` — a label and its amount read as two rows (the amount on the row below).
"""

from __future__ import annotations

import argparse
import random
import re
from collections.abc import Callable

from fixtures.documents import expected_fields
from fixtures.receipt_styles import make_styled_receipt
from fixtures.wideset import SPLITS, BalancedPick, seed_of
from ocr import extract_fields
from ocr.textreading import reading_from_text

FIELDS = ("seller_nip", "date", "total", "document_number", "vat_total")
_LOOKALIKES = str.maketrans({"0": "8", "5": "S", "1": "l", "6": "b"})
_AMOUNT_AT_END = re.compile(r"^(?P<label>.*\S)\s+(?P<amount>\d+[,.]\d{2}\s*\S?)$")
_FIRST_INDEX = 1000  # past the split's photographed receipts, so the texts are not those of its images


def _junk(text: str, rng: random.Random) -> str:
    return "\n".join(
        line + (" " + "".join(rng.choice("ąxź#|;e") for _ in range(3)) if rng.random() < 0.3 else "")
        for line in text.split("\n")
    )


def _no_spaces(text: str, rng: random.Random) -> str:
    return re.sub(r" (?=\S)", lambda m: "" if rng.random() < 0.15 else m.group(0), text)


def _digits(text: str, rng: random.Random) -> str:
    return "".join(ch.translate(_LOOKALIKES) if ch.isdigit() and rng.random() < 0.03 else ch for ch in text)


def _split_words(text: str, rng: random.Random) -> str:
    def cut(match: re.Match[str]) -> str:
        return f"{match.group(1)} {match.group(2)}" if rng.random() < 0.1 else match.group(0)

    return re.sub(r"(\w{3})(\w{3,})", cut, text)


def _lost_digits(text: str, rng: random.Random) -> str:
    return re.sub(r"\d", lambda m: "" if rng.random() < 0.02 else m.group(0), text)


def _swapped_rows(text: str, rng: random.Random) -> str:
    lines = text.split("\n")
    for i in range(len(lines) - 1):
        if rng.random() < 0.05:
            lines[i], lines[i + 1] = lines[i + 1], lines[i]
    return "\n".join(lines)


def _letters(text: str, rng: random.Random) -> str:
    return re.sub(r"[a-ząćęłńóśźż]", lambda m: rng.choice("aeiourn") if rng.random() < 0.04 else m.group(0), text)


def _two_rows(text: str, rng: random.Random) -> str:
    def cut(line: str) -> str:
        match = _AMOUNT_AT_END.match(line)
        if match is None or rng.random() >= 0.3:
            return line
        return f"{match.group('label')}\n{match.group('amount')}"

    return "\n".join(cut(line) for line in text.split("\n"))


KINDS: dict[str, Callable[[str, random.Random], str]] = {
    "junk": _junk,
    "no_spaces": _no_spaces,
    "digits": _digits,
    "split_words": _split_words,
    "lost_digits": _lost_digits,
    "swapped_rows": _swapped_rows,
    "letters": _letters,
    "two_rows": _two_rows,
}


def run(split: str, count: int) -> list[tuple[str, int, int, int, int]]:
    """Return (kind, fields right, fields labelled, fields sure, wrong sure fields) for every kind of damage."""
    receipts = []
    for index in range(_FIRST_INDEX, _FIRST_INDEX + count):
        pick = BalancedPick(split, "receipt_photo", index)
        receipt = make_styled_receipt(seed_of(split, "receipt_photo", index), pick)
        receipts.append((receipt.text(), expected_fields(receipt.spec)))
    rows = []
    for kind, damage in KINDS.items():
        right = labelled = sure = wrong = 0
        for number, (text, want) in enumerate(receipts):
            fields = extract_fields(reading_from_text(damage(text, random.Random(f"{kind}-{split}-{number}")))).fields
            for name in FIELDS:
                expected, got = want.get(name), fields.get(name)
                labelled += expected is not None
                right += got is not None and expected is not None and got.value == expected
                if got is not None and got.sure:
                    sure += 1
                    wrong += got.value != expected
        rows.append((kind, right, labelled, sure, wrong))
    return rows


def main(argv: list[str] | None = None) -> int:
    """Command line: print one row per kind of damage."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=tuple(SPLITS), default="dev4", help="whose seeds draw the receipts")
    parser.add_argument("--count", type=int, default=150, help="receipts per kind of damage")
    args = parser.parse_args(argv)
    print(f"| damage ({args.count} receipts, {args.split} seeds) | fields right | `sure` | wrong `sure` |")
    print("|---|---|---|---|")
    for kind, right, labelled, sure, wrong in run(args.split, args.count):
        print(f"| {kind} | {right}/{labelled} | {sure} | {wrong} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
