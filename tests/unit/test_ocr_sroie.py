"""The SROIE receipt extractor (English-language till receipts) on OCR-like text: company, address, date, total."""

from __future__ import annotations

from ocr import extract_fields
from ocr.extract.sroie_header import normalise_form
from ocr.extract.sroie_total import find_total
from ocr.extract.text import document_lines, drop_stray_words
from ocr.extract.values import DocumentKind
from ocr.textreading import reading_from_text


def _fields(text: str) -> dict[str, str]:
    return {name: field.value for name, field in extract_fields(reading_from_text(text)).fields.items()}


def _total(text: str):
    return find_total(document_lines(reading_from_text(text)))


HEADER = """tan woon yann
POPULAR BOOK
CO. (M) SDN BHD
(CO. NO. 113825-W)
(GST REG NO. 001492992000)
NO 8, JALAN 7/118B, DESA TUN RAZAK
56000 KUALA LUMPUR, MALAYSIA
SUNWAY VELOCITY
TEL : 03-9201 6281
01/03/18 19:14 Slip No.: 9060293576
TOTAL 9.00
CASH 10.00
CHANGE 1.00
"""


def test_english_receipt_is_a_receipt_read_by_the_sroie_extractor():
    extraction = extract_fields(reading_from_text(HEADER))
    assert extraction.kind is DocumentKind.RECEIPT
    assert extraction.layout == "sroie_receipt"


def test_company_split_over_two_lines_is_joined_and_registration_lines_skipped():
    fields = _fields(HEADER)
    assert fields["seller_name"] == "POPULAR BOOK CO. (M) SDN BHD"
    assert fields["seller_address"] == "NO 8, JALAN 7/118B, DESA TUN RAZAK 56000 KUALA LUMPUR, MALAYSIA"
    assert fields["date"] == "2018-03-01"


def test_registration_number_after_company_form_is_cut():
    text = "99 SPEED MART S/B (519537-X)\nLOT P.T. 2811, JALAN ANGSA,\nTOTAL 5.00\nCASH 5.00\n"
    assert _fields(text)["seller_name"] == "99 SPEED MART S/B"


def test_address_ends_with_the_town_after_a_trailing_postcode_and_skips_the_date_line():
    text = """UNIHAKKA INTERNATIONAL SDN BHD
03 Mar 2018 18:22
(867388-U)
NO: 28, JALAN ASTANA 1C, BANDAR BUKIT RAJA, 41050
KLANG SELANGOR D.E, MALAYSIA
ROC NO. : (1072825-A)
TAX INVOICE
TOTAL 8.20
"""
    fields = _fields(text)
    assert fields["seller_address"] == "NO: 28, JALAN ASTANA 1C, BANDAR BUKIT RAJA, 41050 KLANG SELANGOR D.E, MALAYSIA"
    assert fields["date"] == "2018-03-03"


def test_company_form_repairs():
    assert normalise_form("SUN WONG KUT SON BHD") == "SUN WONG KUT SDN BHD"
    assert normalise_form("UNIHAKKA INTERNATIONAL-SDN BHD") == "UNIHAKKA INTERNATIONAL SDN BHD"
    assert normalise_form("99 SPEED MART 5/B") == "99 SPEED MART S/B"
    assert normalise_form("SIN THYE 8 COMPANY") == "SIN THYE & COMPANY"


def test_stray_margin_marks_are_dropped_from_a_header_line():
    line = document_lines(reading_from_text("SE          NO.59 JALAN PERMAS 9/5               |"))[0]
    assert drop_stray_words(line).text == "NO.59 JALAN PERMAS 9/5"


def test_total_confirmed_by_cash_minus_change_is_sure():
    total = _total("SUB TOTAL 8.99\nROUNDING ADJ 0.01\nROUNDED TOTAL (RM) 9.00\nCASH 10.00\nCHANGE 1.00\n")
    assert (total.value, total.sure) == ("9.00", True)


def test_misread_total_digit_is_corrected_by_subtotal_plus_tax():
    text = "Total Sales (Excluding GST) : 51.42\nTotal GST : 3.08\nRounding 0.00\n"
    text += "Total Sales (Inclusive of GST) 64.50\n"
    total = _total(text)
    assert (total.value, total.sure) == ("54.50", False)


def test_printed_total_kept_when_the_rounding_line_explains_the_payment():
    text = "TOTAL (GST INCL) 38.37\nCASH 40.35\nROUNDING ADJUSTMENTS -0.02\nCHANGE DUE 2.00\n"
    assert _total(text).value == "38.37"


def test_rounded_total_wins_over_the_total_before_rounding():
    text = "Total (Excluding GST): 26.60\nTotal (Inclusive of GST): 31.02\nRounding Adj: -0.02\nCASH : 31.00\n"
    assert _total(text).value == "31.00"


def test_totals_per_tax_rate_are_not_the_total():
    text = """Total 6% supplies: 7.61
Total 6% supplies (excl. GST): 24.20
Total 6% supplies (Inc. GST): 25.44
Total 0% supplies: 7.61
Total Payable: 33.05
"""
    assert _total(text).value == "33.05"


def test_included_tax_note_is_not_a_total_and_service_charge_is_not_change():
    text = "SUB TOTAL 295.00\nSERVICE CHARGE 10% 29.50\nGST 6% 19.47\nROUNDING ADJ -0.02\nTOTAL 343.95\n"
    assert (_total(text).value, _total(text).sure) == ("343.95", True)
    note = "Due 25.15\n(Total Included GST @ 6% : 1.42)\nChange 0.00\n"
    assert _total(note).value == "25.15"


def test_tax_total_line_is_a_tax_and_is_not_added_to_the_other_tax():
    text = "SUB-TOTAL 27.27\nGST 1.44\nTAX TOTAL: 1.64\n"
    # the tax total is no total (1.64), stands for every tax (not 28.71), and subtotal + both taxes (30.35)
    # would count the tax twice
    assert _total(text).value == "28.91"
    assert _total("SUB-TOTAL 27.27\nGST 1.44\nROUNDING 0.00\n").value == "28.71"


def test_total_sales_inclusive_of_tax_is_the_total_not_a_tax():
    text = "Total Sates Inclucire GST : 18.00\nTatal : 16.05\nCash Received : 12,00\n"
    assert _total(text).value == "18.00"


def test_tax_included_in_the_total_is_not_added_to_the_subtotal():
    text = "SUB-TOTAL (GST) 24.00\nROUNDING 0.00\nGST @ 6% INCLUDED IN TOTAL\nTAX TOTAL: 1.36\n"
    assert _total(text).value == "24.00"


def test_rounding_by_more_than_two_cents_is_a_misreading_not_an_adjustment():
    # to the nearest five cents an amount moves by two cents at most: 28.91 - 0.04 = 28.87 is no total
    text = "SUB-TOTAL 27.27\nGST 1.64\nROUNDING -0.04\nTOTAL 28.90\nCHANGE 0.00\n"
    assert _total(text).value == "28.90"


def test_pay_line_is_the_amount_paid():
    total = _total("TOTAL 25.15\nPay 30.00\nChange 4.85\n")
    assert (total.value, total.sure) == ("25.15", True)
    assert _total("Pay By: CASH\nTOTAL 12.00\n").value == "12.00"
    assert _total("Qty 3\nPay 25.15\n").value == "25.15"


def test_two_labelled_lines_agreeing_are_not_enough_to_be_sure():
    total = _total("TOTAL 12.00\nNETT TOTAL 12.00\n")
    assert (total.value, total.sure) == ("12.00", False)


def test_amounts_with_currency_prefix_and_ocr_noise():
    assert _total("Total Amt Payable : RM4. 00\n").value == "4.00"
    assert _total("GRAND TOTAL 10 00\nCASH 20.00\nCHANGE DUE 10.00\n").value == "10.00"
    assert _total("Total Paid RM50.00\nTotal (Incl GST, 0%) RM15.39\nRounding RMO.01\n").value == "15.40"


def test_receipt_without_a_total_line_falls_back_to_cash_paid():
    total = _total("3 SUB TOTAL 21.00\nROUNDING ADJ -0.01\nCash 22.25\n")
    assert (total.value, total.sure) == ("22.25", False)


def test_cash_accepted_minus_change_confirms_an_amount_including_tax():
    text = "Tax Invoice no. 7698/0601/00601\nAmount Incl. GST 5.00 RM\nAccepted total 10.00 RM\nChange 5.00 RM\n"
    total = _total(text)
    assert (total.value, total.sure) == ("5.00", True)


def test_misread_change_label_and_tiny_rounding_are_not_totals():
    text = "SUB-TOTAL (GST) 24.00\nROUNDING 0009\nUHANDE DUE 0.70\n"
    assert _total(text).value == "24.00"


def test_stray_dollar_sign_does_not_outvote_the_printed_currency():
    text = "PEPCO POLAND SP. Z O.O.\nNIP 782-21-31-157\nSPODNIE 1 * 30,00 30,00A $-\nSUMA PLN 30,30"
    reading = reading_from_text(text)
    assert extract_fields(reading).fields["currency"].value == "PLN"


def test_dollar_amounts_make_a_dollar_receipt():
    reading = reading_from_text("CORNER DELI\nCOFFEE $3.50\nBAGEL $2.25\nTOTAL $5.75")
    assert extract_fields(reading).fields["currency"].value == "USD"
