"""The document number and the VAT total in the printed forms of Polish chains' and small shops' receipts."""

from __future__ import annotations

from ocr import extract_fields
from ocr.textreading import reading_from_text


def _receipt(summary: str, footer: str) -> dict[str, tuple[str, bool]]:
    text = f"""MARKET Sp. z o.o.
ul. Krakowiaków 80/98
02-255 Warszawa
NIP: 277-28-16-582
2025-05-08
PARAGON FISKALNY
KABEL YDY 3X1,5 MB
4,75 x 2,29 10,88 A
PROFIL CD60 3M
1 x 16,22 16,22 B
{summary}
SUMA PLN 27,10
KARTA 27,10
{footer}
Kasa 3 Kasjer nr 9
"""
    fields = extract_fields(reading_from_text(text)).fields
    return {name: (value.value, value.sure) for name, value in fields.items()}


SALES = "Sprzed. opod. PTU A 10,88\nSprzed. opod. PTU B 16,22"


def test_laczna_kwota_ptu_is_the_vat_total_and_the_sales_confirm_it() -> None:
    fields = _receipt(f"{SALES}\nPTU A 23,00% 2,03\nPTU B 8,00% 1,20\nŁĄCZNA KWOTA PTU 3,23", "#8947 13:06")
    assert fields["vat_total"] == ("3.23", True)


def test_only_ptu_lines_are_summed_and_the_sales_lines_naming_ptu_are_not_taken_for_tax() -> None:
    fields = _receipt(f"{SALES}\nPTU A 23% 2,03\nPTU B 8% 1,20", "#8947 13:06")
    assert fields["vat_total"] == ("3.23", True)


def test_kwota_per_rate_lines_sum_to_the_vat_total() -> None:
    fields = _receipt("SP.OP.A 10,88\nSP.OP.B 16,22\nKwota A 23,00% 2,03\nKwota B 8,00% 1,20", "#8947 13:06")
    assert fields["vat_total"] == ("3.23", True)


def test_a_line_opening_with_hash_and_digits_is_the_receipt_number() -> None:
    assert _receipt(SALES, "#8947 13:06")["document_number"][0] == "8947"
    assert _receipt(SALES, "H8947 13:06")["document_number"][0] == "8947"  # the hash misread


def test_a_hash_inside_a_line_is_the_registers_not_the_receipt_number() -> None:
    fields = _receipt(SALES, "0084/1653 #0102 DANUTA W. 10:36")
    assert fields.get("document_number", ("", False))[0] != "0102"


def test_labelled_receipt_numbers_win_over_a_hash() -> None:
    assert _receipt(SALES, "Paragon nr 1199/7 15:01\n#0102")["document_number"][0] == "1199/7"
    assert _receipt(SALES, "Nr paragonu: 4521\n#0102")["document_number"][0] == "4521"
    assert _receipt(SALES, "2025-05-08 nr wydr.7695")["document_number"][0] == "7695"
