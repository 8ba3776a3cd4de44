"""Polish tax identification numbers (NIP): the normal form and the check digit."""

from __future__ import annotations

import re

NIP_WEIGHTS: tuple[int, ...] = (6, 5, 7, 2, 3, 4, 5, 6, 7)


def nip_checksum_ok(digits: str) -> bool:
    """Tell whether a 10-digit string passes the NIP checksum (weights 6,5,7,2,3,4,5,6,7; mod 11)."""
    if len(digits) != 10 or not digits.isdigit() or not digits.isascii():
        return False
    total = sum(w * int(d) for w, d in zip(NIP_WEIGHTS, digits, strict=False))
    return total % 11 == int(digits[9])


def normalise_nip(raw: str) -> str:
    """Digits only, without a PL prefix, dashes, dots or spaces."""
    text = raw.strip().upper()
    if text.startswith("PL"):
        text = text[2:]
    return re.sub(r"[\s\-.]", "", text)


def nip_is_valid(raw: str) -> bool:
    """Whether `raw` is a 10-digit NIP whose check digit is right (separators and PL allowed)."""
    return nip_checksum_ok(normalise_nip(raw))
