"""Dates, times and money amounts as OCR prints them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from ocr.extract.numbers import (
    find_amounts,
    find_dates,
    find_times,
    format_amount,
    parse_amount,
    repair_numeric,
)


@pytest.mark.parametrize(
    "text",
    [
        "2026-11-03",
        "03.11.2026",
        "03-11-2026",
        "2026.11.03",
        "03/11/2026",
        "3 lis 2026",
        "3 listopada 2026 r.",
        "Data: 3.11.2026",
        "dnia 03 . 11 . 2026",
        "2O26-11-O3",
    ],
)
def test_date_forms(text):
    assert [d.value for d in find_dates(text)] == [dt.date(2026, 11, 3)]


def test_old_fiscal_printer_form():
    assert find_dates("dn.22r03.09 wydr.7695")[0].value == dt.date(2022, 3, 9)
    # the second engine drops the space before the time: the day ends where the time starts
    assert [d.value for d in find_dates("dn.24r04.0511:36 nr wydr.034312")] == [dt.date(2024, 4, 5)]
    assert find_dates("dn.24r04.05123") == []  # more digits after the day, no time: no date


@pytest.mark.parametrize("text", ["1999-01-01", "32.01.2026", "2026-13-01", "01.01.2101", "12345-11-2026"])
def test_implausible_dates_are_rejected(text):
    assert find_dates(text) == []


def test_english_month_names():
    assert find_dates("25 DEC 2018")[0].value == dt.date(2018, 12, 25)


def test_slashed_dates_fall_back_to_month_first():
    assert find_dates("12/25/2018")[0].value == dt.date(2018, 12, 25)


def test_times():
    assert [t[0] for t in find_times("00050 #001 KIEROWNIK 2026-04-24 14:38")] == ["14:38"]
    assert [t[0] for t in find_times("9:05:33")] == ["09:05"]
    assert find_times("nr:22404 25:61") == []


def test_a_time_whose_minutes_start_with_an_8_had_a_0_misread():
    assert [t[0] for t in find_times("dn.25r07.26 15:84 nr wydr. 40755")] == ["15:04"]
    assert [t[0] for t in find_times("12:58")] == ["12:58"] and find_times("12:94") == []


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("SUMA PLN 123,45", "123.45"),
        ("SUMA: PLN 123.45", "123.45"),
        ("SUMA PLN 1 234,56", "1234.56"),
        ("SUMA PLN 109, 89", "109.89"),
        ("Razem 1.234,56", "1234.56"),
        ("TOTAL 1,234.56", "1234.56"),
        ("SUMA PLN 1O9,89", "109.89"),
    ],
)
def test_amount_forms(text, value):
    assert str(find_amounts(text)[-1].value) == value


def test_amount_letters_and_signs():
    found = find_amounts("OBNIŻKA -2.40B")
    assert found[0].value == Decimal("-2.40") and found[0].letter == "B"
    assert find_amounts("26,70 A")[0].letter == "A"


def test_percentages_and_long_decimals_are_not_amounts():
    assert find_amounts("PTU A 23,00 %") == []
    assert find_amounts("12,3456") == []


def test_parse_and_format():
    assert parse_amount(" 1 234,50 ") == Decimal("1234.50")
    assert parse_amount("abc") is None
    assert format_amount(Decimal("5")) == "5.00"
    assert format_amount(Decimal("1049.9")) == "1049.90"


def test_repair_only_between_digits():
    assert repair_numeric("1O9,8S") == "109,8S"
    assert repair_numeric("26,70B") == "26,70B"
    assert repair_numeric("SUMA") == "SUMA"


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("2022-03-09 10:36", dt.date(2022, 3, 9)),
        ("09.03.2022", dt.date(2022, 3, 9)),
        ("09-03-2022r.", dt.date(2022, 3, 9)),
        ("dn. 09.03.2022", dt.date(2022, 3, 9)),
        ("2O22-O3-O9", dt.date(2022, 3, 9)),
        ("30 Dec 17 18:40:57", dt.date(2017, 12, 30)),
        ("05-JAN-2017", dt.date(2017, 1, 5)),
        ("18-11-18 13:58", dt.date(2018, 11, 18)),
        ("25/12/18", dt.date(2018, 12, 25)),
        ("09,03.2022", dt.date(2022, 3, 9)),
        ("2022~03-09", dt.date(2022, 3, 9)),
        ("2022\u201303\u201309", dt.date(2022, 3, 9)),
    ],
)
def test_more_date_forms(text, date):
    assert find_dates(text)[0].value == date


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("13 Mar 2048 18:25", dt.date(2018, 3, 13)),
        ("05/01/4018 13:30", dt.date(2018, 1, 5)),
        ("17/03/2817 21:35", dt.date(2017, 3, 17)),
        ("CB: 17/61/2018", dt.date(2018, 1, 17)),
    ],
)
def test_one_look_alike_digit_in_a_date_is_repaired_with_less_confidence(text, date):
    found = find_dates(text)[0]
    assert found.value == date and found.strength < 1.0


def test_dates_without_separators_are_weak():
    found = find_dates("27032018 NO :CS-20243")
    assert found[0].value == dt.date(2018, 3, 27) and found[0].strength < 0.5
    assert find_dates("31803030") == []


def test_two_repairs_are_too_many_and_an_ambiguous_one_is_refused():
    assert find_dates("17/61/4018") == []
    assert find_dates("2076-04-16") == []  # 7 may be a misread 1 or 2


@pytest.mark.parametrize("text", ["SUMA PLN 38 ,47", "SUMA PLN 38, 47", "SUMA PLN 38,47"])
def test_amount_split_beside_its_comma_is_one_amount(text):
    (match,) = find_amounts(text)
    assert match.value == Decimal("38.47") and match.loose == (text != "SUMA PLN 38,47")
    assert find_amounts(text, allow_loose=False) == ([] if match.loose else [match])


def test_eight_digits_glued_to_letters_on_both_sides_are_a_product_code_not_a_date() -> None:
    from ocr.extract.numbers import find_dates

    assert find_dates("EFECTA DIESEL CN27102011D(8) (B) 30*7.79") == []
    assert [d.value.isoformat() for d in find_dates("Data 27102011")] == ["2011-10-27"]


@pytest.mark.parametrize(
    ("text", "value"), [("SUMA l32,69", "132.69"), ("Gotówka O,45", "0.45"), ("2 x S7,87 A", "57.87")]
)
def test_a_look_alike_letter_opening_an_amount_is_its_digit(text, value):
    assert [str(m.value) for m in find_amounts(text)] == [value]


@pytest.mark.parametrize("text", ["PTU B8,00", "|12,50", "ZESTAWS12,50"])
def test_vat_letters_rules_and_word_ends_before_an_amount_stay_apart(text):
    assert [m.value for m in find_amounts(text)] in ([Decimal("8.00")], [Decimal("12.50")])
