"""The speed-ups of label matching (`ocr.extract.text`) answer exactly as the plain algorithms they replace."""

from __future__ import annotations

import random
import unicodedata

from ocr.extract.text import edit_distance, fold_char, fold_lower


def _plain_distance(a: str, b: str, limit: int = 3) -> int:
    """The full Levenshtein table, capped at `limit` + 1, as `edit_distance` counted before."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return min(previous[-1], limit + 1)


def test_edit_distance_matches_the_full_table_on_random_words() -> None:
    rng = random.Random(14)
    for _ in range(5000):
        a = "".join(rng.choice("abcs01") for _ in range(rng.randint(0, 9)))
        b = "".join(rng.choice("abcs01") for _ in range(rng.randint(0, 9)))
        for limit in (0, 1, 2, 3):
            assert edit_distance(a, b, limit) == _plain_distance(a, b, limit), (a, b, limit)


def test_edit_distance_on_label_words() -> None:
    assert edit_distance("razem", "razem") == 0
    assert edit_distance("rezem", "razem", 1) == 1
    assert edit_distance("suma", "razem", 1) == 2
    assert edit_distance("ptu", "podatek", 3) == 4
    assert edit_distance("", "", 0) == 0


def test_edit_distance_is_counted_once_per_pair() -> None:
    edit_distance.cache_clear()
    for _ in range(3):
        edit_distance("sprzedaz", "sprzedaz", 2)
        edit_distance("sprzedaz", "sprzedawca", 2)
    info = edit_distance.cache_info()
    assert (info.misses, info.hits) == (2, 4)


def test_fold_lower_folds_each_character_as_fold_char() -> None:
    text = "Żółć GĘŚLĄ Łódź straße ØRESUND đak ﬁ ² Ⅻ ǅ İ ẞ 12,50 zł\t€"
    assert fold_lower(text) == "".join(fold_char(ch) for ch in text)
    assert len(fold_lower(text)) == len(text)
    assert fold_lower("Żółć") == "zolc"
    assert fold_lower("") == ""


def test_fold_lower_on_every_latin_and_polish_letter() -> None:
    text = "".join(chr(code) for code in range(0x20, 0x250)) + "".join(
        ch for ch in map(chr, range(0x250, 0x3000)) if unicodedata.category(ch) != "Cs"
    )
    assert fold_lower(text) == "".join(fold_char(ch) for ch in text)
