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
