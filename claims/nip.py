"""Polish tax identification numbers (NIP): normalisation and the check digit."""

from __future__ import annotations

import re

WEIGHTS = (6, 5, 7, 2, 3, 4, 5, 6, 7)


def normalise_nip(raw: str) -> str:
    """Digits only, without a PL prefix, dashes or spaces."""
    text = raw.strip().upper()
    if text.startswith("PL"):
        text = text[2:]
    return re.sub(r"[\s\-.]", "", text)


def nip_is_valid(raw: str) -> bool:
    """Whether `raw` is a 10-digit NIP whose check digit is right."""
    nip = normalise_nip(raw)
    if len(nip) != 10 or not nip.isdigit():
        return False
    check = sum(int(d) * w for d, w in zip(nip, WEIGHTS, strict=False)) % 11
    return check != 10 and check == int(nip[9])
