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
    assert _receipt(SALES, "Podsumowanie zakupów: 32365")["document_number"][0] == "32365"


def _invoice(head: str, table: str) -> dict[str, tuple[str, bool]]:
    text = f"""{head}
Data wystawienia: 2024-10-14
Data sprzedaży: 2024-10-13
Sprzedawca: Nabywca:
BUDOMAT Polska Sp. z o.o. Usługi Remontowe REMAX Piotr Lipowy
ul. Krakowiaków 80/98 ul. Łąkowa 73
02-255 Warszawa 05-500 Piaseczno
NIP PL1673443746 NIP PL3248010660
{table}
Sposób płatności: przelew
"""
    fields = extract_fields(reading_from_text(text)).fields
    return {name: (value.value, value.sure) for name, value in fields.items()}


def test_invoice_numbers_with_a_letter_prefix_and_a_space() -> None:
    table = "Razem: 26,48 6,09 32,57\nKwota do zapłaty: 32,57 PLN"
    assert _invoice("Faktura VAT nr FV 1514/2024", table)["document_number"][0] == "FV 1514/2024"
    assert _invoice("FAKTURA VAT\nNr faktury: FV 168/2026", table)["document_number"][0] == "FV 168/2026"
    assert _invoice("FAKTURA VAT FS-848/10/2025", table)["document_number"][0] == "FS-848/10/2025"


def test_a_misread_number_label_is_not_kept_as_the_invoice_numbers_series() -> None:
    # "nr" read "mr" or "ur": a lower-case word one letter from the label, not a series printed in capitals
    table = "Razem: 26,48 6,09 32,57\nKwota do zapłaty: 32,57 PLN"
    assert _invoice("Faktura VAT mr FV/1026/12/2025", table)["document_number"][0] == "FV/1026/12/2025"
    assert _invoice("Faktura ur 1471/01/2026", table)["document_number"][0] == "1471/01/2026"
    assert _invoice("Faktura VAT NF 1514/2024", table)["document_number"][0] == "NF 1514/2024"


def test_an_invoice_title_whose_first_word_was_lost_still_opens_the_number() -> None:
    table = "Razem: 26,48 6,09 32,57\nKwota do zapłaty: 32,57 PLN"
    assert _invoice("„ira VAT nr 1720/11/2026", table)["document_number"][0] == "1720/11/2026"


def test_invoice_vat_beside_net_when_the_gross_column_is_cut_off_sums_to_the_amount_due() -> None:
    fields = _invoice("Faktura VAT nr FV 1514/2024", "Stawka VAT Wartość netto Kwota VAT\n23% 26,48 6,09\n"
                      "Razem 26,48 6,09\nKwota do zapłaty: 32,57 PLN")
    assert fields["vat_total"][0] == "6.09"


def test_invoice_vat_is_not_taken_from_a_pair_beyond_the_highest_polish_rate() -> None:
    fields = _invoice("Faktura VAT nr FV 1514/2024", "Razem 22,57 10,00\nKwota do zapłaty: 32,57 PLN")
    assert "vat_total" not in fields


def test_an_invoice_photo_cut_below_its_header_is_read_as_an_invoice_and_its_due_date_is_not_the_date() -> None:
    text = "Do zapłaty: 568,17 PLN\nSposób płatności: przelew\nTermin płatności: 03-10-2026\nNr konta: 93 6762 8622"
    extraction = extract_fields(reading_from_text(text))
    assert str(extraction.kind) == "invoice"
    assert extraction.fields["total"].value == "568.17"
    assert "date" not in extraction.fields


def test_invoice_vat_column_when_gross_is_printed_before_net() -> None:
    fields = _invoice("Faktura VAT nr FV 1514/2024", "Razem: 32,57 6,09 26,48\nKwota do zapłaty: 32,57 PLN")
    assert fields["total"] == ("32.57", True)
    assert fields["vat_total"] == ("6.09", True)


def test_a_ptu_total_misread_in_one_digit_is_repaired_from_the_taxable_sales_but_not_sure() -> None:
    # 10,88 at 23 % holds 2,03 and 16,22 at 8 % 1,20: of the totals the sales allow only 3,23 is one digit from 5,23
    fields = _receipt(f"{SALES}\nSUMA PTU 5,23", "#8947 13:06")
    assert fields["vat_total"] == ("3.23", False)


def test_a_ptu_total_far_from_what_the_sales_allow_is_kept_as_read() -> None:
    fields = _receipt(f"{SALES}\nSUMA PTU 7,77", "#8947 13:06")
    assert fields["vat_total"] == ("7.77", False)


def test_a_dash_before_a_taxable_sale_does_not_make_it_negative() -> None:
    fields = _receipt("Sprzed. opod. PTU A - 10,88\nSprzed. opod. PTU B 16,22\nSUMA PTU 3,23", "#8947 13:06")
    assert fields["vat_total"] == ("3.23", True)


def test_a_hash_number_after_background_noise_read_with_little_confidence_opens_its_line() -> None:
    from dataclasses import replace

    from ocr.model import Line, Word

    def noisy(line: Line) -> Line:
        if "#8947" not in line.text:
            return line
        box = line.words[0].box
        words = [Word("ye", 0.4, box), Word("som", 0.3, box), *line.words]
        return Line(" ".join(w.text for w in words), tuple(words), line.box)

    text = f"""MARKET Sp. z o.o.
NIP: 277-28-16-582
2025-05-08
PARAGON FISKALNY
KABEL YDY 3X1,5 MB
4,75 x 2,29 10,88 A
{SALES.splitlines()[0]}
SUMA PLN 10,88
#8947 13:06
Kasa 3 Kasjer nr 9
"""
    reading = reading_from_text(text)
    page = reading.pages[0]
    reading = replace(reading, pages=(replace(page, lines=tuple(noisy(line) for line in page.lines)),))
    assert any(line.text.startswith("ye som #8947") for line in reading.pages[0].lines)
    assert extract_fields(reading).fields["document_number"].value == "8947"


def test_a_hash_inside_a_line_of_confident_words_stays_the_registers() -> None:
    fields = _receipt("SUMA PTU 3,23", "0084/1653 #0102 DANUTA W. 10:36")
    assert "document_number" not in fields or fields["document_number"][0] != "0102"


def _card_receipt(amount: str) -> dict[str, tuple[str, bool]]:
    """A one-rate receipt whose sales, total and card payment all print `amount`, with the VAT of 570,42."""
    text = f"""SKLAD BUDOWLANY
NIP PL5749020920
2025-11-14
PARAGON FISKALNY
KLEJ ELASTYCZNY 5 x 51,49 257,45 A
SPRZEDAŻ OPODATKOWANA A {amount}
Kwota PTU A 23% 106,66
SUMA PTU 106,66
SUMA: {amount}
Karta {amount}
"""
    fields = extract_fields(reading_from_text(text)).fields
    return {name: (value.value, value.sure) for name, value in fields.items()}


def test_a_total_whose_sales_cannot_carry_the_vat_read_twice_is_not_sure() -> None:
    # 0 read as 8 on every line of one font: sales, total and payment agree, the VAT lines do not
    assert _card_receipt("578,42")["total"] == ("578.42", False)
    assert _card_receipt("570,42")["total"] == ("570.42", True)
    assert _card_receipt("570,42")["vat_total"] == ("106.66", True)


def _one_rate_receipt(sales: str, ptu: str) -> dict[str, tuple[str, bool]]:
    """A receipt of one VAT rate printing only the per-rate PTU line, its total confirmed by the card payment."""
    text = f"""HURTOWNIA STAL
NIP: 839-725-58-14
2024-05-24
PARAGON FISKALNY
BLACHA TRAPEZOWA 1 x 2343,10 2343,10 A
{sales}
{ptu}
SUMA: 2343,10
Karta płatnicza 2343,10
"""
    fields = extract_fields(reading_from_text(text)).fields
    return {name: (value.value, value.sure) for name, value in fields.items()}


def test_one_rate_receipt_with_unreadable_sales_takes_the_vat_of_its_total() -> None:
    # the sales line lost its amount: the sure total at the PTU line's rate gives the VAT it prints
    assert _one_rate_receipt("Sprzedaż opodatk. A 2343 ta", "PTU A 23,00% 438,14")["vat_total"] == ("438.14", True)
    # only the first digits of the PTU amount legible: the total's VAT agrees with them, not sure
    assert _one_rate_receipt("Sprzedaż opodatk. A", "PTU A 23,00% 438, *")["vat_total"] == ("438.14", False)
    # a legible amount the total does not carry (another rate's line was lost) is not taken for its VAT
    assert "vat_total" not in _one_rate_receipt("Sprzedaż opodatk. A", "PTU A 23,00% 43,81")
    # the first digit read as a letter glued to the rest ("s9,32" for 59,32): the rest agrees, not sure
    assert _one_rate_receipt("Sprzedaż opodatk. A", "PTU A 23,00% s38,14")["vat_total"] == ("438.14", False)


def test_one_rate_receipt_whose_ptu_amount_is_illegible_takes_the_vat_of_its_total_unsure() -> None:
    # nothing legible after the rate (its comma read as 7, or letters): the rate gives the total's VAT
    assert _one_rate_receipt("Sprzedaż opodatk. A", "PTU A 23,00% 438714")["vat_total"] == ("438.14", False)
    assert _one_rate_receipt("Sprzedaż opodatk. A 2343,10", "PTU A 23,00% VF 7 )")["vat_total"] == ("438.14", False)
    # a sales line printing another amount than the total: more rates than the one line read, no VAT
    assert "vat_total" not in _one_rate_receipt("Sprzedaż opodatk. A 2000,00", "PTU A 23,00% VF 7")


def test_a_ptu_amount_missing_one_digit_agrees_with_the_vat_of_the_total() -> None:
    # "438,4" for 438,14: one thin digit lost; the sure total's VAT at the printed rate keeps the others in order
    assert _one_rate_receipt("Sprzedaż opodatk. A", "PTU A 23,00% 438,4")["vat_total"] == ("438.14", False)
    # digits that are not the VAT's with one lost are not taken for it
    assert "vat_total" not in _one_rate_receipt("Sprzedaż opodatk. A", "PTU A 23,00% 483,4")


def test_a_ptu_line_with_its_rate_misread_gives_the_vat_the_total_carries() -> None:
    # "PTU A 2% 438,14" for 23 %: 438,14 is the VAT of the sure total at a Polish rate; the rate unread, not sure
    assert _one_rate_receipt("Sprzedaż opodatk. A", "PTU A 2% 438,14")["vat_total"] == ("438.14", False)
    assert "vat_total" not in _one_rate_receipt("Sprzedaż opodatk. A", "PTU A 2% 448,14")


def test_a_rate_line_whose_label_was_lost_gives_the_vat_its_sales_line_bears_out() -> None:
    # "Kwota A 23,00% 438,14" read "* 4 23,00% 438,14": the sales line at the printed rate is that amount
    fields = _one_rate_receipt("Sprzedaż opodatk. A 2343,10", "* 4 23,00% 438,14")
    assert fields["vat_total"] == ("438.14", False)
    assert "vat_total" not in _one_rate_receipt("Sprzedaż opodatk. A 2343,10", "* 4 23,00% 483,14")


def test_a_total_and_vat_read_under_each_others_labels_are_exchanged() -> None:
    # a tilted photo pairs each label with another row's amount; 97,65 is 23 % of 522,19, never the reverse
    text = """HURTOWNIA STAL
NIP: 839-725-58-14
2024-05-24
PARAGON FISKALNY
ŁĄCZNA KWOTA PTU 522,19
Razem 97,65
"""
    fields = {n: (v.value, v.sure) for n, v in extract_fields(reading_from_text(text)).fields.items()}
    assert (fields["total"], fields["vat_total"]) == (("522.19", False), ("97.65", False))
    kept = text.replace("522,19", "480,00")  # no rate makes one the other's VAT: left as read
    fields = {n: v.value for n, v in extract_fields(reading_from_text(kept)).fields.items()}
    assert (fields.get("total"), fields.get("vat_total")) == ("97.65", "480.00")


def test_two_rate_receipt_with_misread_sales_sums_the_ptu_lines_the_total_bears_out() -> None:
    # 1770,23 read as 1776,23: the sales no longer add up, the rates' VAT give back the sure total
    text = """HURTOWNIA SRUBEX
NIP: 573-877-05-63
2026-02-26
PARAGON FISKALNY
SPRZEDAŻ OPODATKOWANA A 1776,23
SPRZEDAŻ OPODATKOWANA B 60,58
Kwota PTU A 23% 331,02
Kwota PTU B 8% 4,49
SUMA 1830,81 PLN
Karta płatnicza 1830,81
"""
    fields = extract_fields(reading_from_text(text)).fields
    assert (fields["total"].value, fields["total"].sure) == ("1830.81", True)
    assert (fields["vat_total"].value, fields["vat_total"].sure) == ("335.51", False)
    # a PTU amount that does not fit the total (4,49 read as 14,49) gives no VAT total
    fields = extract_fields(reading_from_text(text.replace("4,49", "14,49"))).fields
    assert "vat_total" not in fields
