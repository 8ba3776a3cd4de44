"""Summary rows read apart from their amounts: a wide gap between a label and its amount read as two rows, or
the amounts' column read after the labels. The amount alone on the next row is the label's; a rate line left
without one leaves the other readings unconfirmed."""

from __future__ import annotations

from ocr import extract_fields
from ocr.textreading import reading_from_text
from tests.unit.test_ocr_printed_forms import _receipt as printed_receipt


def _receipt(summary: str) -> dict[str, tuple[str, bool]]:
    return printed_receipt(summary, "")


def test_sales_and_rate_amounts_on_the_row_below_their_labels_are_theirs() -> None:
    # before: the sales of B and the PTU of B unread, so PTU A's 2,03 alone fitted the sales of A, sure
    fields = _receipt("Sprzed. opod. PTU A 10,88\nSprzed. opod. PTU B\n16,22\nPTU A 23,00% 2,03\nPTU B 8,00%\n"
                      "1,20\nRazem PTU 3,23")
    assert fields["vat_total"] == ("3.23", True)


def test_an_amount_under_the_vat_label_is_not_sure_while_a_rate_line_has_none() -> None:
    # the amounts' column read after the labels: the 1,20 under Razem PTU is PTU B's, and fits some rate
    fields = _receipt("Sprzed. opod. PTU A 10,88\nSprzed. opod. PTU B 16,22\nPTU A 23,00% 2,03\nPTU B 8,00%\n"
                      "Razem PTU\n1,20\n3,23")
    value, sure = fields["vat_total"]
    assert not sure or value == "3.23"


def test_ptu_lines_agreeing_on_a_vat_the_incomplete_sales_cannot_carry_leave_the_total_sure() -> None:
    # a sales line read without its amount: the sales sum is short, it contradicts nothing
    fields = _receipt("Sprzed. opod. PTU A 10,88\nSprzed. opod. PTU B\nPTU A 23,00% 2,03\nPTU B 8,00% 1,20\n"
                      "Razem PTU 3,23")
    assert fields["total"] == ("27.10", True)


def test_a_total_whose_digits_wide_print_split_is_joined_when_the_payment_bears_it_out() -> None:
    text = """MARKET Sp. z o.o.
NIP: 277-28-16-582
2025-05-08
PARAGON FISKALNY
KABEL YDY 3X1,5 MB 2 x 277,30 554,60 A
Rabat -0,01 A
SUMA PLN 55 4,59
GOTÓWKA 600,00
Reszta 45,41
"""
    fields = extract_fields(reading_from_text(text)).fields
    assert (fields["total"].value, fields["total"].sure) == ("554.59", True)


def test_a_split_head_the_arithmetic_does_not_bear_out_is_not_joined() -> None:
    text = """MARKET Sp. z o.o.
NIP: 277-28-16-582
2025-05-08
PARAGON FISKALNY
KABEL YDY 1 x 4,59 4,59 A
SUMA PLN 2 4,59
GOTÓWKA 10,00
Reszta 5,41
"""
    assert extract_fields(reading_from_text(text)).fields["total"].value == "4.59"
