"""Printed forms of the receipt fields as OCR leaves them: glued VAT letters, split labels, engines disagreeing."""

from __future__ import annotations

from ocr import extract_fields
from ocr.textreading import reading_from_text

HEAD = "SKŁAD BUD Anna Nowak\nul. Polna 1\n38-220 Dębowiec\nNIP 897-989-43-57\n22.01.2024\nPARAGON FISKALNY\n"


def test_a_ptu_line_with_its_vat_letter_glued_on_gives_the_vat_total():
    # only per-rate lines printed (no SUMA PTU), and OCR lost the space in "PTU A"
    text = HEAD + "PROFIL 1 x 10,90 10,90A\nSprzedaż opodatk. A 3609,55\nPTUA 23% | 674,96\n"
    text += "Razem 3609,55\nKARTA 3609,55\n"
    vat = extract_fields(reading_from_text(text)).fields["vat_total"]
    assert (vat.value, vat.sure) == ("674.96", True)


def test_a_sales_label_split_by_ocr_still_confirms_the_total():
    text = HEAD + "WELNA 2 x 123,95 247,90 A\nSprzedaż opo atk. A 261,90\nKwota PTU A 23% 48,97\nSUMA 261,90 PLN\n"
    fields = extract_fields(reading_from_text(text)).fields
    assert (fields["total"].value, fields["total"].sure) == ("261.90", True)
    assert fields["vat_total"].value == "48.97"


def test_the_second_engine_reading_the_page_code_does_not_outvote_it_with_its_row():
    from ocr.extract.confirm import voted_code

    # the second engine read "68733" on the page and "E8733" in the row; tesseract's row reading is noise
    assert voted_code("68733", "18.06.2026 12:00 Nr paragonu: E8733", "1.86.2826 12:¢@ hr: E£722", "68733") == "68733"
    # reading the corrected code on the page too, it wins (W000156 read 4000156 by tesseract)
    assert voted_code("4000156", "14-08-2018 W000156", None, "W000156") == "W000156"


def test_a_hash_number_after_an_edge_stroke_is_the_receipt_number():
    text = HEAD + "SUMA: 1218,75\nKarta 1218,75\n| #9588 07:25\nKasa 3 Kasjer nr 26\n"
    assert extract_fields(reading_from_text(text)).value("document_number") == "9588"


def test_a_hash_number_among_background_marks_under_the_banner_is_the_receipt_number():
    text = HEAD.replace("PARAGON FISKALNY\n", "e PARAGON FISKALNY e\ngó #1270 wad\n") + "Razem 843,91\n"
    assert extract_fields(reading_from_text(text)).value("document_number") == "1270"
    cashier = HEAD + "SUMA: 10,00\nKasjer #0102 07:25\n"
    assert extract_fields(reading_from_text(cashier)).value("document_number") != "0102"


def _number(tail: str) -> str | None:
    return extract_fields(reading_from_text(HEAD + "SUMA: 10,00\nKarta 10,00\n" + tail)).value("document_number")


def test_a_receipt_number_label_with_misread_letters_is_still_its_label():
    assert _number("Nr perag0nu: 65322 10:01\nNr sys. 5205 2025-03-12\n") == "65322"
    assert _number("Peragon nr 8417/8 18:06\nKasa 11 Kasjer nr 6\n") == "8417/8"


def test_the_hour_of_a_time_run_into_the_receipt_number_is_not_part_of_it():
    assert _number("nr wydr.8519015:32\nKasa 1 Kasjer nr 4\n") == "85190"
    assert _number("Paragon nr 0475/211:44\n") == "0475/2"


def test_a_hash_number_among_background_marks_on_both_sides_under_the_banner_is_the_receipt_number():
    text = HEAD.replace("PARAGON FISKALNY\n", "SJJGL PARAGON FISKALNY SEA\nd1tu eskm aš.ń5ęż #9184 PDBSBK\n")
    assert extract_fields(reading_from_text(text + "Razem 843,91\n")).value("document_number") == "9184"
    footer = HEAD + "SUMA: 10,00\n0084/1653 #0102 DANUTA W.\n"  # further down, a register's or cashier's code
    assert extract_fields(reading_from_text(footer)).value("document_number") != "0102"


def test_an_amount_read_into_the_number_label_line_is_not_the_receipt_number():
    assert _number("Nr paragonu: 1133,16 z8nky\n#Kasa 1 Kasjer nr 12\n") != "1133"
    assert _number("Nr paragonu: 1133,16 z8nky\nnr wydr. 22504\n") == "22504"


def test_letters_after_the_number_label_without_a_digit_or_running_on_are_not_the_receipt_number():
    # the background or a crumpled row read as letters after the label: a number holds a digit and is a word
    assert _number("Nr paragonu: KZG\n#4533 13:49\n") == "4533"
    assert _number("Nr paragonu uanitmnrytcmlu824108bbyc\n#4533 13:49\n") == "4533"
    assert _number("Nr paragonu: W000156\n") == "W000156"  # a letter opening a number stays


def test_a_receipt_number_label_with_its_dot_read_as_a_comma_is_still_its_label():
    assert _number("nr wydr,604336\n#Kasa 12 Kasjer 013\n") == "604336"
    assert _number("© nr wydr „615564 e,\n#Kasa 12 Kasjer 013\n") == "615564"  # a blurred dot: a low quote


def test_a_hash_number_right_of_the_date_and_time_is_the_receipt_number():
    text = HEAD.replace("22.01.2024\n", "e 19.12.2024 13:12        #1370 i\n") + "SUMA: 10,00\n#Kasa 8 Kasjer 019\n"
    assert extract_fields(reading_from_text(text)).value("document_number") == "1370"


def test_a_hash_number_beside_the_time_after_background_noise_is_the_receipt_number():
    assert _number("b0ay8ca31f 82f1isu #7112 14:35 9i 3.n7spk\n#Kasa 4 Kasjer 037\n") == "7112"


def test_a_code_ending_a_line_of_unknown_text_or_a_dates_year_is_no_receipt_number():
    def guess(line: str) -> str | None:
        text = HEAD.replace("22.01.2024\nPARAGON FISKALNY\n", f"{line}\nPARAGON FISKALNY\n") + "SUMA: 10,00\n"
        return extract_fields(reading_from_text(text)).value("document_number")

    assert guess("TUF bę ee 03 of stp żę 4754,") is None  # the background read as words
    assert guess("82. 12.2824") is None  # a date's year misread
    assert guess("24.05.2025 13:43 4627 |") == "4627"  # the number printed beside the date and time


def test_a_letter_spaced_hash_number_read_a_character_at_a_time_beside_the_time_is_the_receipt_number():
    assert _number("ńgo5ą0u3 ntafuczyh #71 1 2 1 4: 35 M 3n?spk\n#Kasa 4 Kasjer 037\n") == "7112"
    assert _number("Kasjer #0 1 0 2 0 7: 25\n") != "0102"  # the cashier's code


def test_an_invoice_number_with_its_last_digits_split_off_is_joined():
    text = "FAKTURA VAT |\nNr faktury: F/2025/01 156\nData wystawienia: 2025-03-30\nDo zapłaty: 24,75 PLN\n"
    assert extract_fields(reading_from_text(text)).value("document_number") == "F/2025/01156"
    dated = "Faktura VAT nr FV/2025/08/0840 2025-03-30\nDo zapłaty: 24,75 PLN\n"
    assert extract_fields(reading_from_text(dated)).value("document_number") == "FV/2025/08/0840"
    # a number that ends in its year is whole: a digit after it is a speck, not the number's end
    specked = "FAKTURA VAT 1539/05/2025 4\nData wystawienia: 27.05.2025\nDo zapłaty: 24,75 PLN\n"
    assert extract_fields(reading_from_text(specked)).value("document_number") == "1539/05/2025"


def test_fields_whose_space_ocr_lost_are_still_read():
    text = """KRAM Dyskont Sp. z o.o.
ul. Żniwna 5
NIPPL6187066595
06-12-202517:33 nr wydr.752546
PARAGON FISKALNY
Sprzedaż opodatk. A 454,53
Kwota PTU A 23% 84,99
ŁĄCZNA KWOTA PTU84,99
Razem454,53
Gotówka 500,00
Reszta 45,47
#690708:09
"""
    fields = extract_fields(reading_from_text(text)).fields
    assert fields["seller_nip"].value == "6187066595"
    assert fields["date"].value == "2025-12-06"
    assert fields["total"].value == "454.53"
    assert fields["vat_total"].value == "84.99"
    assert extract_fields(reading_from_text(HEAD + "SUMA: 10,00\n#690708:09\n")).value("document_number") == "6907"
    only_total = HEAD + "Sprzedaż opodatk. A 454,53\nSUMA PTU84,99\nSUMA PLN 454,53\n"
    assert extract_fields(reading_from_text(only_total)).value("vat_total") == "84.99"


def test_a_total_and_payment_that_lost_their_first_digits_are_not_sure():
    text = HEAD + "Sprzedaż opodatk. A 336,64\nKwota PTU A 23% 62,95\nSUMA: 33 6,64\nKARTA 33 6,64\n"
    total = extract_fields(reading_from_text(text)).fields["total"]
    assert (total.value, total.sure) == ("336.64", False)
    gained = HEAD + "Sprzedaż opodatk. 4 336,64\nKwota PTU A 23% 62,95\nSUMA: 336,64\nKARTA 336,64\n"
    assert extract_fields(reading_from_text(gained)).fields["total"].value == "336.64"


def test_labels_whose_letters_ocr_split_apart_are_still_labels():
    assert _number("Pa ragon nr 1564/5 12:21\n") == "1564/5"
    assert _number("nr wy dr.341099\n") == "341099"
    assert _number("Nr para gonu: 39010 08:10\nKasa 7 Kasjer nr 20\n") == "39010"
    text = HEAD + "PTU A 23, 00% 165,58\nSUMA PLN 885,50\nKarta 885,50\n"  # the sales line lost: the rate counts
    vat = extract_fields(reading_from_text(text)).fields["vat_total"]
    assert (vat.value, vat.sure) == ("165.58", True)


def test_an_invoice_title_as_ocr_reads_it_still_gives_the_number():
    for title in ("FAKTURA VAT | FV/2025/08/0840", "FAKTURA YAT FV/2025/08/0840", "Fakture VAT nr FV/2025/08/0840"):
        text = f"{title}\nData wystawienia: 2025-03-30\nDo zapłaty: 24,75 PLN\n"
        assert extract_fields(reading_from_text(text)).value("document_number") == "FV/2025/08/0840", title


def _fields(body: str) -> dict:
    return extract_fields(reading_from_text(HEAD + body)).fields


def test_per_rate_vat_is_sure_only_with_a_ptu_line_per_sales_line_each_at_its_printed_rate():
    # the B line unreadable: A's VAT alone fits the sales only if B were exempt
    vat = _fields("Sprzed. opod. PTU A 4453,90\nSprzed. opod. PTU B 30,49\nKwota A 23,00% 832,84\nxx ee\n")["vat_total"]
    assert not vat.sure
    # "12 2,32" read 2.32: with C's 0.83 it fits A at 0 % and C at 22 %, not the rates printed
    vat = _fields("SP.OP.A 654,14\nSP.OP.C 17,45\nKwota A 23,00% 12 2,32\nKwota C 5,00% 0,83\n")["vat_total"]
    assert not vat.sure


def test_a_vat_total_line_disputed_by_the_per_rate_lines_gives_way_to_those_at_their_printed_rates():
    # 41,90 fits the sales with C at 3 %; the per-rate lines print 23 % and 5 %, at which 41,79 + 0,19 fit
    vat = _fields(
        "Sprzed. opod. PTU A 223,49\nSprzed. opod. PTU C 3,90\nPTU A 23,00% 41,79\nPTU C 5,00% 0,19\n"
        "ŁĄCZNA KWOTA PTU 41,90\nSUMA 227,39 PLN\nKarta 227,39\n"
    )["vat_total"]
    assert (vat.value, vat.sure) == ("41.98", True)


def test_glued_vat_labels_are_read():
    fields = _fields(
        "Sprzed. opod. PTU A 4453,90\nSprzed. opod. PTU B30,49\nKwota A 23,00% 832,84\n"
        "Kwota B8,00% 2,26\nRazemPTU 835,10\nRazem 4484,39\nKARTA 4484,39\n"
    )
    assert (fields["vat_total"].value, fields["vat_total"].sure) == ("835.10", True)


def test_a_total_too_small_for_its_vat_is_not_sure():
    total = _fields("SP.O P.A 301,70\nPTU A 23 ,00% 56,42\nRazem 30 1,70\nKarta 30 1,70\n")["total"]
    assert not (total.value == "1.70" and total.sure)


def test_a_total_misread_alike_on_the_card_line_gives_way_to_the_sales_the_vat_bears_out():
    fields = _fields(
        "Spr zed. opod. PTU A 1162,16\nKwota A 23,00% 217,31\nSUMA PTU 217,31\nRazem 1152,16\nKARTA 1152,16\n"
    )
    assert (fields["total"].value, fields["total"].sure) == ("1162.16", False)


def test_a_misread_rate_decimal_is_not_taken_for_the_rate():
    fields = _fields("SP.OP.A 55,05\nSP.OP.C 10,47\nPTU A 23, 08% 10,29\nPTU C 5,00% 0,50\nSUMA 65,52 PLN\n")
    assert (fields["vat_total"].value, fields["vat_total"].sure) == ("10.79", True)


def test_digits_read_for_label_letters_are_still_labels():
    total = _fields("Sprzedaż opodatk. A 150,49\nSprzedaż 0podatk. C 29,00\n5UMA 179,49 PLN\nGotówka 200,00\n")["total"]
    assert total.value == "179.49"
    fields = _fields("SP.0P.A 2097,58\nSP.OP.B 36,29\nŁĄCZNA KW0TA PTU 394,92\nSUMA PLN 2133,87\nKarta 2133,87\n")
    assert (fields["total"].value, fields["total"].sure) == ("2133.87", True)


def test_a_per_rate_line_short_of_the_sales_lines_does_not_dispute_the_vat_total_line():
    # A's PTU line unreadable: B's 5,33 alone is no reading of the VAT total
    vat = _fields(
        "Sprzed. opod. PTU A 261,86\nSprzed. opod. PTU B 71,90\nKwota B 8,00% 5,33\nSUMA PTU 54,30\n"
        "SUMA: 333,76\nKARTA 333,76\n"
    )["vat_total"]
    assert (vat.value, vat.sure) == ("54.30", True)


def test_cash_minus_change_corrects_a_total_read_with_one_digit_wrong():
    total = _fields(
        "Sprzedaż opodatk. A 087,48\nKwota A 23,00% 165,95\nSUMA 807,48 PLN\nGOTÓWKA 1000,00\nReszta 112,52\n"
    )["total"]
    assert (total.value, total.sure) == ("887.48", False)


def test_vat_fitting_the_sales_only_through_another_rate_does_not_overrule_the_total():
    # B's sales misread (88,08): the VAT total still fits the sales through some rate, but not at the rates
    # printed, so it does not make the total (confirmed by the cash and change) give way to the sales sum
    total = _fields(
        "SP.OP.A 416,53\nSP.OP.B 88,08\nKwota A 23,80% 77,89\nKwota B 8,00% 2,81\n"
        "ŁĄCZNA KWOTA PTU 80,70\nRazem 454,53\nGOTÓWKA 500,00\nReszta 45,47\n"
    )["total"]
    assert total.value == "454.53"


def test_a_nip_one_confused_digit_from_its_check_digit_is_repaired_but_never_outvotes_one_read_right():
    from ocr.extract.merge import merge_readings

    # 439-271-85-63 fails the check digit; 7 for 1 is the one confusion that passes it (the print had 0 for 6)
    misread = extract_fields(reading_from_text(HEAD.replace("897-989-43-57", "439-271-85-63")))
    nip = misread.fields["seller_nip"]
    assert (nip.value, nip.sure, nip.support) == ("4392778563", False, 0)
    right = extract_fields(reading_from_text(HEAD.replace("897-989-43-57", "439-271-85-03")))
    merged = merge_readings(misread, misread, right).fields["seller_nip"]
    assert (merged.value, merged.sure) == ("4392718503", True)
    # several confusions pass the check digit: none is taken
    assert extract_fields(reading_from_text(HEAD.replace("897-989-43-57", "897-989-43-51"))).value("seller_nip") == (
        "8979894351"
    )


def test_spelled_out_receipt_number_labels_of_e_receipts() -> None:
    assert _number("Nr wydruku: 604336\n#Kasa 12 Kasjer 013\n") == "604336"
    assert _number("Wydruk nr 604336\n") == "604336"
    assert _number("Nr dokumentu: 1234/2026\n") == "1234/2026"
    assert _number("Numer dokumentu 88421\n") == "88421"


def test_labels_losing_their_first_letter_to_the_receipt_s_edge_still_read_as_labels():
    # the receipt's left edge out of the frame: "Sprzedaż", "Razem", "Rabat" and "wydr." lose a letter
    text = HEAD + "KLEJ 5 x 61,49 307,45A\nPROFIL 2 x 56,70 113,40A\nabat -10,00A\n"
    text += "przedaż opodatk. A 410,85\nvota PTU A 23% 76,83\nazem 410,85\nvydr. 39118 15:29\n"
    fields = extract_fields(reading_from_text(text)).fields
    assert (fields["total"].value, fields["total"].sure) == ("410.85", True)
    assert fields["document_number"].value == "39118"


def test_the_items_sum_stands_in_for_a_total_whose_amounts_were_lost_when_every_item_checks_itself():
    # light falling off the right edge took the summary's amounts; each item's quantity times price is its amount
    items = "LISTWA 12,5 x 8,95 111,88A\nWKRETY 4x21,90 87,60A\nGRUNT 1x38,29 38,29A\n"
    text = HEAD + items + "SP.OPA 237\nKwota PTU A 23%\nSUMA PLN\n"
    total = extract_fields(reading_from_text(text)).fields["total"]
    assert (total.value, total.sure) == ("237.77", False)
    # an item whose amount is not its quantity times its price: no total at all
    broken = HEAD + items.replace("87,60A", "81,60A") + "SP.OPA 237\nKwota PTU A 23%\nSUMA PLN\n"
    assert "total" not in extract_fields(reading_from_text(broken)).fields


def test_a_footer_line_of_a_code_and_a_time_alone_is_the_number_whose_hash_was_lost():
    assert _number("3038 17:46.\nsa 12 Kasjer nr 36.\n") == "3038"
    assert _number("43038 17:46\nNr sys. 3038\n") == "3038"  # the "#" read as 4
    # words before the code: the register's, a cashier's or a system number, not the receipt's
    assert _number("Kasa 3038 17:46\n") != "3038"


def test_a_hash_number_on_the_banner_s_own_line_after_the_banner_is_the_receipt_number():
    # the second engine joined the row printed beside the banner: "... PARAGON FISKALNY #5122"
    text = HEAD.replace("PARAGON FISKALNY\n", "KLEJ ELASTYCZNY C2TE PARAGON FISKALNY #5122\n")
    text = text.replace("22.01.2024\n", "22.01.2024 16:56 nr 3311\n")  # the shop's number joined the date's row
    assert extract_fields(reading_from_text(text + "SUMA: 10,00\n")).value("document_number") == "5122"
    within = HEAD.replace("PARAGON FISKALNY\n", "PARAGON #5122 FISKALNY\n")  # inside the banner: not after it
    assert extract_fields(reading_from_text(within + "SUMA: 10,00\n")).value("document_number") != "5122"


def test_the_sales_sum_is_no_total_when_a_sales_line_lost_its_amount():
    # "Razen 628,6]": no total line read; the second sales line's amount is unreadable, so the sum is short
    text = HEAD + "Sprzed. opod. PTU A 623,18\nSprzed. opod. PTU C BĘ\nRazen 628,6]\n"
    assert "total" not in extract_fields(reading_from_text(text)).fields
    whole = HEAD + "Sprzed. opod. PTU A 623,18\nSprzed. opod. PTU C 6,58\nRazen 628,6]\n"
    assert extract_fields(reading_from_text(whole)).fields["total"].value == "629.76"


def test_a_number_after_a_misread_nr_paragonu_label_is_the_receipt_number():
    assert _number("Nr JaragonL: 95956\n") == "95956"  # the label's first letter lost, its last misread
    assert _number("\"paragonu; 21862 15:11\n") == "21862"  # the "Nr" lost, the colon read as a semicolon
    assert _number("Nr paragonu: 1133,16\n") != "1133"  # an amount read into the label's line
    assert _number("Nr kasjera: 95956\n") != "95956"  # another label


def test_a_code_ending_the_header_line_of_the_time_is_a_guess_at_the_number():
    # "dn.24r12.18 12:17 Paragon nr 936793" with the date form and the label misread past recognising
    text = HEAD.replace("22.01.2024\n", "dr.24r12.18 12:17 Faraçcr rr 936793\n") + "SUMA: 10,00\n"
    number = extract_fields(reading_from_text(text)).fields["document_number"]
    assert (number.value, number.support) == ("936793", 0)


def test_a_bare_code_ending_a_registers_dn_date_line_is_the_guessed_number():
    text = HEAD.replace("22.01.2024\n", "dn.24r01.22 544938\n") + "SUMA: 10,00\nKarta 10,00\n"
    assert extract_fields(reading_from_text(text)).value("document_number") == "544938"


def test_a_vat_total_implied_only_at_rates_the_ptu_lines_do_not_print_is_not_sure():
    # a curled receipt read out of step: each label took the amount of the row above it; 0,47 is the VAT of
    # 9,96 at 5 % with 98,41 at 0 %, but the PTU lines print 23 % and 5 % (the real SUMA PTU is 18,87)
    summary = ("SPRZEDAŻ OPODATKOWANA A 9,96 A\nSPRZEDAŻ OPODATKOWANA C 98,41\nPTU A 23,00% 9,96\nPTU C 5,00% 18,40\n"
               "SUMA PTU 0,47\n18,87\nSUMA: 108,37\nKARTA 108,37\n")  # fmt: skip
    vat = extract_fields(reading_from_text(HEAD + summary)).fields["vat_total"]
    assert not (vat.value == "0.47" and vat.sure)
    # read in step, the same sales at the printed rates confirm SUMA PTU
    summary = ("SPRZEDAŻ OPODATKOWANA A 98,41\nSPRZEDAŻ OPODATKOWANA C 9,96\nPTU A 23,00% 18,40\nPTU C 5,00% 0,47\n"
               "SUMA PTU 18,87\nSUMA: 108,37\nKARTA 108,37\n")  # fmt: skip
    vat = extract_fields(reading_from_text(HEAD + summary)).fields["vat_total"]
    assert (vat.value, vat.sure) == ("18.87", True)


def test_a_code_right_after_the_nip_is_the_guessed_number_whatever_follows_it():
    text = HEAD.replace("NIP 897-989-43-57\n", "NIP 897-989-43-57 617668 MOIM\n") + "SUMA: 10,00\nKarta 10,00\n"
    assert extract_fields(reading_from_text(text)).value("document_number") == "617668"
    lettered = HEAD.replace("NIP 897-989-43-57\n", "NIP 8979894357 W365531 ee\n") + "SUMA: 10,00\n"
    assert extract_fields(reading_from_text(lettered)).value("document_number") == "W365531"


def test_a_bare_number_whose_w_was_read_in_lower_case_is_guessed_with_its_letter():
    text = HEAD.replace("22.01.2024\n", "dn.24r01.22 08:50 w659777\n") + "SUMA: 10,00\nKarta 10,00\n"
    assert extract_fields(reading_from_text(text)).value("document_number") == "W659777"
