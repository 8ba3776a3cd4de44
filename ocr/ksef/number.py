"""The KSeF number: `NIP-YYYYMMDD-XXXXXXXXXXXX-CC`, 35 characters, with a CRC-8 over the first 32.

The NIP is the seller's, the date the day KSeF accepted the invoice (on or after its issue date `P_1`),
then 12 uppercase hex digits and a CRC-8 (polynomial 0x07, initial value 0) of the first 32 characters,
hyphens included, as two uppercase hex digits. Older numbers are 36 characters long (one more hex digit in
the third part); they are accepted by their form alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

_CURRENT = re.compile(r"(?<![0-9A-Za-z])(\d{10})-(\d{8})-([0-9A-F]{12})-([0-9A-F]{2})(?![0-9A-Za-z])")
_LEGACY = re.compile(r"(?<![0-9A-Za-z])(\d{10})-(\d{8})-([0-9A-F]{13})-([0-9A-F]{2})(?![0-9A-Za-z])")


def crc8(data: bytes, polynomial: int = 0x07, initial: int = 0) -> int:
    """CRC-8 (no reflection, no final XOR) of `data`."""
    crc = initial
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = ((crc << 1) ^ polynomial) & 0xFF if crc & 0x80 else (crc << 1) & 0xFF
    return crc


@dataclass(frozen=True)
class KsefNumber:
    """A well-formed KSeF number: its text, the seller NIP and the day KSeF accepted the invoice."""

    text: str
    nip: str
    accepted_on: date
    legacy: bool = False


def parse_ksef_number(text: str) -> KsefNumber | None:
    """The KSeF number `text` is, when its form, date and (for current numbers) CRC-8 check out; else None."""
    candidate = text.strip()
    match = _CURRENT.fullmatch(candidate)
    legacy = match is None
    if legacy:
        match = _LEGACY.fullmatch(candidate)
    if match is None:
        return None
    if not legacy and f"{crc8(candidate[:32].encode('ascii')):02X}" != match.group(4):
        return None
    day = match.group(2)
    try:
        accepted = date(int(day[:4]), int(day[4:6]), int(day[6:]))
    except ValueError:
        return None
    return KsefNumber(candidate, match.group(1), accepted, legacy)


def find_ksef_numbers(text: str) -> list[KsefNumber]:
    """Every valid KSeF number printed in `text`, in order, without repeats."""
    found: dict[str, KsefNumber] = {}
    for pattern in (_CURRENT, _LEGACY):
        for match in pattern.finditer(text):
            number = parse_ksef_number(match.group(0))
            if number is not None:
                found.setdefault(number.text, number)
    return list(found.values())


def ksef_number_problem(number: KsefNumber, seller_nip: str | None, issued_on: date | None) -> str | None:
    """Why a valid number does not belong to this invoice ("nip" or "date"), or None when it fits."""
    if seller_nip and number.nip != seller_nip:
        return "nip"
    if issued_on is not None and number.accepted_on < issued_on:
        return "date"
    return None
