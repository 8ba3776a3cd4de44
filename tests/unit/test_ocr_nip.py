"""NIP checksum, OCR repair and candidate finding."""

from __future__ import annotations

import pytest

from ocr import extract_fields
from ocr.extract.nip import best_nip, find_nips, printed_as_nip, repair_digits
from ocr.extract.text import TextLine, fold_lower
from ocr.model import Box, Line
from ocr.textreading import reading_from_text
from vocabulary.nip import nip_checksum_ok


def _line(text: str, index: int = 0) -> TextLine:
    return TextLine(index, 1, Line(text, (), Box(0, 0, 100, 10)), fold_lower(text))


@pytest.mark.parametrize("nip", ["8550004295", "7740001454", "7822131157", "8992367273", "5260250995"])
def test_valid_nips_pass(nip):
    assert nip_checksum_ok(nip)


@pytest.mark.parametrize("nip", ["7453009977", "1234567890", "855000429", "85500042955", "855000429X", ""])
def test_invalid_nips_fail(nip):
    assert not nip_checksum_ok(nip)


def test_every_single_digit_error_is_caught():
    nip = "8550004295"
    for position in range(10):
        for digit in "0123456789":
            if digit != nip[position]:
                assert not nip_checksum_ok(nip[:position] + digit + nip[position + 1 :])


def test_repair_maps_letter_confusions():
    assert repair_digits("8S5O-0O4-2B-l5") == ("85500042815", True)
    assert repair_digits("855-000-42-95") == ("8550004295", False)
    assert repair_digits("85500042951234", limit=10) == ("8550004295", False)


@pytest.mark.parametrize(
    ("text", "digits"),
    [
        ("NIP 855-000-42-95", "8550004295"),
        ("NIP: 7740001454", "7740001454"),
        ("NIP PL7822131157", "7822131157"),
        ("NIP: PL 782-21-31-157", "7822131157"),
        ("N1P 899-23-67-273", "8992367273"),
        ("NIP: 774-00-01-454 W365531", "7740001454"),
        ("NIP 7542742693 nr:22404", "7542742693"),
    ],
)
def test_labelled_forms(text, digits):
    candidates = find_nips([_line(text)])
    assert candidates[0].digits == digits
    assert candidates[0].labelled and candidates[0].valid


def test_ocr_confusions_inside_digits_are_repaired():
    candidate = find_nips([_line("NIP 8S5OOO4Z95")])[0]
    assert candidate.digits == "8550004295" and candidate.repaired and candidate.valid


def test_labelled_invalid_nip_is_reported_but_not_valid():
    candidate = find_nips([_line("NIP: 7453009977")])[0]
    assert candidate.digits == "7453009977" and candidate.labelled and not candidate.valid


def test_unlabelled_numbers_need_the_checksum():
    assert find_nips([_line("EAO 2202141952")]) == []
    found = find_nips([_line("Sklep 782-21-31-157")])
    assert [c.digits for c in found] == ["7822131157"] and not found[0].labelled


def test_buyer_label():
    candidate = find_nips([_line("NIP nabywcy: 7822131157")])[0]
    assert candidate.buyer and candidate.labelled


def test_best_prefers_labelled_valid():
    lines = [_line("Sklep 782-21-31-157", 0), _line("NIP 1234567890", 1), _line("NIP 855-000-42-95", 2)]
    assert best_nip(find_nips(lines)).digits == "8550004295"


@pytest.mark.parametrize(
    ("printed", "trusted"),
    [
        ("899-236-72-73", True),
        ("899-23-67-273", True),
        ("8992367273", True),
        ("899-23-67-273 922169", True),
        ("839-23-67-2768", False),  # a doubled digit: the first ten pass the checksum by chance
        ("89-923-67-273", False),
        ("899 23 67 27", False),
    ],
)
def test_only_a_nip_printed_in_a_nip_grouping_is_trusted(printed, trusted):
    assert printed_as_nip(printed) is trusted


def test_labelled_nip_with_a_doubled_digit_is_not_sure():
    assert nip_checksum_ok("8392367276")
    text = "KAUFLAND POLSKA MARKETY\nNIP 839-23-67-2768\nPARAGON FISKALNY\nSUMA PLN 10,00"
    fields = extract_fields(reading_from_text(text))
    assert "seller_nip" not in fields.fields or not fields.fields["seller_nip"].sure


def test_cash_register_number_is_not_a_seller_nip():
    assert nip_checksum_ok("2482431187")
    reading = reading_from_text("FOLGUJEMY\nPARAGON FISKALNY\nSUMA PLN 164,00\nEAO 2482431187")
    assert "seller_nip" not in extract_fields(reading).fields
