"""Polish tax identification numbers (NIP): normalisation, and the check digit the reader also uses."""

from __future__ import annotations

import re

from vocabulary.nip import nip_checksum_ok


def normalise_nip(raw: str) -> str:
    """Digits only, without a PL prefix, dashes, dots or spaces."""
    text = raw.strip().upper()
    if text.startswith("PL"):
        text = text[2:]
    return re.sub(r"[\s\-.]", "", text)


def nip_is_valid(raw: str) -> bool:
    """Whether `raw` is a 10-digit NIP whose check digit is right (separators and PL allowed)."""
    return nip_checksum_ok(normalise_nip(raw))
