"""Product codes printed on packaging: format and check character (Luhn mod 32).

Format: 12 characters from ``CODE_ALPHABET`` (digits 2-9 and A-Z without I and O, so 0/O and 1/I never
appear; 32 symbols). The first 11 are the payload, the 12th a check character by Luhn mod 32:
map each payload character to its index; walking from the rightmost payload character leftwards, double
every other value starting with the rightmost (a doubled v becomes v // 32 + v % 32); the check value is
(32 - sum % 32) % 32. It catches every single-character substitution and most adjacent transpositions,
so a mistyped code is refused before any database lookup (and never counts as a guess of a real code).
"""

from __future__ import annotations

CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CODE_LENGTH = 12


def normalise_code(code: str) -> str:
    """Upper case without the dashes and spaces participants type."""
    return code.strip().upper().replace("-", "").replace(" ", "")


def code_check_char(payload: str) -> str:
    """The Luhn mod 32 check character of an 11-character payload."""
    n = len(CODE_ALPHABET)
    total = 0
    for position, char in enumerate(reversed(payload)):
        value = CODE_ALPHABET.index(char)
        if position % 2 == 0:
            value *= 2
            value = value // n + value % n
        total += value
    return CODE_ALPHABET[(n - total % n) % n]


def code_is_well_formed(code: str) -> bool:
    """Whether `code` has 12 allowed characters and a right check character."""
    code = normalise_code(code)
    if len(code) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in code):
        return False
    return code_check_char(code[:-1]) == code[-1]
