"""Field extraction over hand-written OCR-like text."""

from __future__ import annotations

from ocr import extract_fields
from ocr.extract import extract_sroie
from ocr.extract.text import document_lines
from ocr.extract.values import DocumentKind
from ocr.textreading import reading_from_text

RECEIPT = """\
         "SPOŁEM" PSS
 72-600 ŚWINOUJŚCIE UL. JÓZEFA BEMA 1
        STODOŁA MARKET
     NIP 855-000-42-95
2022-03-09 10:36         nr wydr. 7695
       PARAGON FISKALNY
MLEKO ŁACIATE 1 szt x 3,40 = 3,40 D
GOŹDZIKI 10G 1 szt x 3,20 3,20 B
POMIDORY MALINOWE
 0,415 kg x 15,50 6,43 D
SPRZEDAŻ OPODATKOWANA B          3,20
SPRZEDAŻ OPODATKOWANA D          9,83
PTU B 8,00%                      0,24
SUMA PTU                         0,24
SUMA PLN                        13,03
Karta płatnicza                 13,03
"""


def test_receipt_fields():
    extraction = extract_fields(reading_from_text(RECEIPT))
    assert extraction.kind is DocumentKind.RECEIPT
    values = {name: field.value for name, field in extraction.fields.items()}
    assert values["seller_nip"] == "8550004295"
    assert values["date"] == "2022-03-09"
    assert values["time"] == "10:36"
    assert values["total"] == "13.03"
    assert values["vat_total"] == "0.24"
    assert values["document_number"] == "7695"
    assert values["payment_method"] == "card"
    assert values["currency"] == "PLN"
    assert values["seller_name"] == '"SPOŁEM" PSS'
    assert "72-600" in values["seller_address"]


def test_receipt_certainty():
    fields = extract_fields(reading_from_text(RECEIPT)).fields
    assert fields["total"].sure and fields["seller_nip"].sure and fields["vat_total"].sure
    assert not fields["date"].sure
    assert all(0.0 <= f.confidence <= 1.0 for f in fields.values())
    assert fields["total"].boxes and fields["total"].boxes[0].page == 1


def test_receipt_items():
    items = extract_fields(reading_from_text(RECEIPT)).items
    assert [(i["name"], i["qty"], i["unit_price"], i["amount"], i["vat_letter"]) for i in items] == [
        ("MLEKO ŁACIATE", "1", "3.40", "3.40", "D"),
        ("GOŹDZIKI 10G", "1", "3.20", "3.20", "B"),
        ("POMIDORY MALINOWE", "0.415", "15.50", "6.43", "D"),
    ]
    assert all(i["consistent"] for i in items)


def test_total_without_arithmetic_is_not_sure():
    text = "PARAGON FISKALNY\nCHLEB 1 x 3,70 3,70 D\nSUMA PLN 9,99\n"
    total = extract_fields(reading_from_text(text)).fields["total"]
    assert total.value == "9.99" and not total.sure


def test_ocr_noise_in_total_line():
    for line in ("SUMA: PLN 34.15", "SUMA PLN 34, 15", "SUNA PLN 34,15", "SUMA 34,15"):
        text = f"PARAGON FISKALNY\nSP.OP.B: 5.95 PTU 8.00% 0.44\nSP.OP.D: 28.20 PTU 5.00% 1.34\n{line}\n"
        total = extract_fields(reading_from_text(text)).fields["total"]
        assert (total.value, total.sure) == ("34.15", True), line


def test_summary_values_printed_one_line_below_labels():
    text = """PARAGON FISKALNY
SPRZEDAŻ OPODATKOWANA A
SPRZEDAŻ OPODATKOWANA B      24,00
PTU A 23%                   140,00
SUMA PTU                      4,49
SUMA PLN                     14,86
                            164,00
ROZLICZENIE PŁATNOŚCI
GOTÓWKA                  164,00 PLN
"""
    fields = extract_fields(reading_from_text(text)).fields
    assert (fields["total"].value, fields["total"].sure) == ("164.00", True)
    assert fields["payment_method"].value == "cash"


def test_cash_payment_with_change_confirms_total():
    text = "PARAGON FISKALNY\nSUMA PLN 1049,90\nGOTÓWKA 1100,00 PLN\nRESZTA 50,10 PLN\n"
    total = extract_fields(reading_from_text(text)).fields["total"]
    assert (total.value, total.sure) == ("1049.90", True)


def test_discount_lines_count_in_item_arithmetic():
    text = """PARAGON FISKALNY
EFECTA DIESEL (B) 30*7.79
                 233.70B
OBNIŻKA          -2.40B
SUMA: PLN 231.30
"""
    total = extract_fields(reading_from_text(text)).fields["total"]
    assert (total.value, total.sure) == ("231.30", True)


def test_buyer_nip_on_receipt():
    text = RECEIPT + "NIP nabywcy: 7822131157\n"
    fields = extract_fields(reading_from_text(text)).fields
    assert fields["buyer_nip"].value == "7822131157" and fields["seller_nip"].value == "8550004295"


def test_invalid_labelled_nip_is_kept_but_unsure():
    text = "ZETO Serwis\nul.Oleska 7\n45-052 Opole\nNIP: 7453009977\nPARAGON FISKALNY\nSUMA PLN 1,00\n"
    nip = extract_fields(reading_from_text(text)).fields["seller_nip"]
    assert nip.value == "7453009977" and not nip.sure and nip.confidence < 0.5


INVOICE = """\
Faktura VAT nr FV/2026/11/0042
Data wystawienia: 2026-11-04          Miejsce wystawienia: Kraków
Data sprzedaży: 03.11.2026
Sprzedawca:                           Nabywca:
BUDMAX Sp. z o.o.                     DOM-STYL Sp. z o.o.
ul. Przemysłowa 14                    ul. Krzywa 2
02-232 Warszawa                       30-001 Kraków
NIP: 526-025-09-95                    NIP: 782-213-11-57
Lp. Nazwa           Ilość j.m. Cena netto Wartość netto VAT Kwota VAT Wartość brutto
1 KLEJ DO PLYTEK 25KG  2 szt  40,00  80,00  23%  18,40  98,40
2 CEMENT 25KG          1 szt  20,00  20,00  23%   4,60  24,60
Razem:                               100,00       23,00 123,00
Do zapłaty: 123,00 PLN
Forma płatności: przelew
"""


PARTIES = INVOICE[INVOICE.index("Sprzedawca:") : INVOICE.index("Lp.")]


def test_invoice_fields():
    extraction = extract_fields(reading_from_text(INVOICE))
    assert extraction.kind is DocumentKind.INVOICE
    values = {name: field.value for name, field in extraction.fields.items()}
    assert values["seller_nip"] == "5260250995"
    assert values["buyer_nip"] == "7822131157"
    assert values["date"] == "2026-11-03"
    assert values["issue_date"] == "2026-11-04"
    assert values["document_number"] == "FV/2026/11/0042"
    assert values["total"] == "123.00"
    assert values["vat_total"] == "23.00"
    assert values["seller_name"] == "BUDMAX Sp. z o.o."
    assert values["payment_method"] == "transfer"
    assert extraction.fields["total"].sure
    assert [row["amount"] for row in extraction.items] == ["98.40", "24.60"]


def test_invoice_with_stacked_parties():
    text = INVOICE.replace(
        PARTIES,
        "Sprzedawca: BUDMAX Sp. z o.o.\nul. Przemysłowa 14\nNIP 5260250995\n"
        "Nabywca: DOM-STYL Sp. z o.o.\nNIP 7822131157\n",
    )
    values = {n: f.value for n, f in extract_fields(reading_from_text(text)).fields.items()}
    assert (values["seller_nip"], values["buyer_nip"]) == ("5260250995", "7822131157")
    assert values["seller_name"] == "BUDMAX Sp. z o.o."


def test_invoice_with_side_by_side_parties_tilted_onto_two_lines():
    # a photo a few degrees askew lifts the buyer's column: its label opens a line of its own and every row
    # below prints the seller's left half beside the buyer's right half of the row above
    text = INVOICE.replace(
        PARTIES,
        "                                      Nabywca:\n"
        "Sprzedawca:                           DOM-STYL Sp. z o.o.\n"
        "BUDMAX Sp. z o.o.                     ul. Krzywa 2\n"
        "ul. Przemysłowa 14                    30-001 Kraków\n"
        "02-232 Warszawa                       NIP: 782-213-11-57\n"
        "NIP: 526-025-09-95\n",
    )
    fields = extract_fields(reading_from_text(text)).fields
    assert (fields["seller_nip"].value, fields["buyer_nip"].value) == ("5260250995", "7822131157")
    assert fields["seller_nip"].sure and fields["seller_name"].value == "BUDMAX Sp. z o.o."


def test_a_party_block_printing_two_valid_nips_gives_no_sure_nip():
    # the blocks cut wrong (here the buyer's NIP indented under the seller's block, the buyer's label
    # lost): the check digit passes for both NIPs and cannot tell whose the first one is
    text = INVOICE.replace(
        PARTIES,
        "Sprzedawca:\nBUDMAX Sp. z o.o.\n          NIP: 782-213-11-57\nNIP: 526-025-09-95\n",
    )
    fields = extract_fields(reading_from_text(text)).fields
    assert "seller_nip" in fields and not fields["seller_nip"].sure


def test_a_party_label_misread_by_one_letter_still_opens_its_block():
    # "Sprzedawca" read "Sprzedlawca": without it, the buyer's block ran over both columns and print order gave
    # the seller the buyer's NIP as sure
    text = INVOICE.replace(
        PARTIES,
        "Sprzedlawca:                          Nabywoa:\n"
        "BUDMAX Sp. z o.o.                     DOM-STYL Sp. z o.o.\n"
        "NIP: 526-025-09-95                    NIP: 782-213-11-57\n",
    )
    fields = extract_fields(reading_from_text(text)).fields
    assert (fields["seller_nip"].value, fields["buyer_nip"].value) == ("5260250995", "7822131157")
    assert fields["seller_nip"].sure and fields["seller_name"].value == "BUDMAX Sp. z o.o."


def test_inflected_party_words_are_not_labels():
    # "Dostawa" and "Sprzedawcy" are one letter from "Dostawca" and "Sprzedawca" and open no seller block
    text = INVOICE.replace(
        PARTIES,
        "Dostawa: 2 dni robocze\nDane sprzedawcy\nNabywca: DOM-STYL Sp. z o.o.\nNIP 7822131157\n"
        "Sprzedawca: BUDMAX Sp. z o.o.\nNIP 5260250995\n",
    )
    fields = extract_fields(reading_from_text(text)).fields
    assert (fields["seller_nip"].value, fields["buyer_nip"].value) == ("5260250995", "7822131157")
    assert fields["seller_name"].value == "BUDMAX Sp. z o.o."


def test_a_seller_nip_taken_from_inside_the_buyers_block_is_never_sure():
    # the seller's label unreadable: print order finds the seller's NIP only in the buyer's (stacked) block
    text = INVOICE.replace(
        PARTIES,
        "Sprz3d@wc4:                           Nabywca:\n"
        "BUDMAX Sp. z o.o.                     DOM-STYL Sp. z o.o.\n"
        "NIP: 526-025-09-95                    NIP: 782-213-11-57\n",
    )
    fields = extract_fields(reading_from_text(text)).fields
    assert "seller_nip" in fields and not fields["seller_nip"].sure


def test_sroie_english_receipt():
    text = """BOOK TA .K (TAMAN DAYA) SDN BHD
789417-W
NO.53 55,57 & 59, JALAN SAGU 18,
TAMAN DAYA, 81100 JOHOR BAHRU
DATE: 25/12/2018 8:13:39 PM
SUB TOTAL 8.99
ROUNDING ADJ 0.01
ROUNDED TOTAL (RM) 9.00
CASH 10.00
CHANGE 1.00
"""
    extraction = extract_fields(reading_from_text(text))
    assert extraction.kind is DocumentKind.RECEIPT  # an English till receipt, read by the SROIE extractor
    assert extraction.value("total") == "9.00"
    assert extraction.fields["total"].sure  # 10.00 - 1.00 confirms it
    assert extraction.value("date") == "2018-12-25"
    assert extraction.value("seller_name") == "BOOK TA .K (TAMAN DAYA) SDN BHD"
    sroie = extract_sroie(document_lines(reading_from_text(text)))
    assert sroie["total"].value == "9.00"


def test_empty_reading_extracts_nothing():
    extraction = extract_fields(reading_from_text(""))
    assert extraction.kind is DocumentKind.UNKNOWN and extraction.fields == {} and extraction.items == []


def test_extraction_to_dict_is_json_ready():
    import json

    data = extract_fields(reading_from_text(RECEIPT)).to_dict()
    assert json.loads(json.dumps(data))["fields"]["total"]["value"] == "13.03"
    assert data["fields"]["total"]["boxes"][0]["page"] == 1


def test_vat_total_misread_as_total_is_not_confirmed_by_ptu_amounts():
    text = """PARAGON FISKALNY
SPRZEDAŻ OPODATKOWANA A 43,05
SPRZEDAŻ OPODATKOWANA B 108,00
PTU A 23,00% 8,05
PTU B 8,00% 8,00
SUMA 16,05
"""
    total = extract_fields(reading_from_text(text)).fields["total"]
    assert not (total.value == "16.05" and total.sure)


def test_sales_sum_alone_does_not_make_the_total_sure():
    text = "PARAGON FISKALNY\nSPRZEDAŻ OPODATKOWANA A 286,71\nSPRZEDAŻ OPODATKOWANA B 39,00\nPTU A 23,00% 53,61\n"
    total = extract_fields(reading_from_text(text)).fields["total"]
    assert (total.value, total.sure) == ("325.71", False)
    confirmed = extract_fields(reading_from_text(text + "Karta 325,71\n")).fields["total"]
    assert (confirmed.value, confirmed.sure) == ("325.71", True)


def test_vat_total_confirmed_by_the_taxable_sales_of_its_rate():
    text = "PARAGON FISKALNY\nSPRZEDAŻ OPODATKOWANA A 281,97\nPTU A 23,00% 52,73\nSUMA PTU 52,73\nSUMA PLN 281,97\n"
    vat = extract_fields(reading_from_text(text)).fields["vat_total"]
    assert (vat.value, vat.sure) == ("52.73", True)


def test_same_misread_on_ptu_and_suma_ptu_is_not_sure():
    text = "PARAGON FISKALNY\nSPRZEDAŻ OPODATKOWANA A 628,98\nPTU A 23,00% 117,01\nSUMA PTU 117,01\nSUMA PLN 628,98\n"
    vat = extract_fields(reading_from_text(text)).fields["vat_total"]
    assert not vat.sure


def test_unreadable_suma_ptu_falls_back_to_confirmed_per_rate_amounts():
    text = "PARAGON FISKALNY\nSPRZEDAŻ OPODATKOWANA A 281,97\nPTU A 23,00% 52,73\nSUMA PTU 525/43\nSUMA PLN 281,97\n"
    vat = extract_fields(reading_from_text(text)).fields["vat_total"]
    assert (vat.value, vat.sure) == ("52.73", True)


def test_legal_form_letter_is_not_trimmed_as_noise():
    text = "STALBUD-HANDEL Sp. j.\nul. Magazynowa 3A\n80-298 Gdańsk\nNIP 5260250995\nPARAGON FISKALNY\nSUMA PLN 10,00\n"
    assert extract_fields(reading_from_text(text)).value("seller_name") == "STALBUD-HANDEL Sp. j."


def test_hash_misread_as_4_is_dropped_from_the_receipt_number_and_split_nip_is_read():
    text = """PHU MURBUD
NIP 550-284 -74-62
18.11.2026 12:56 4025234
PARAGON FISKALNY
SUMA PLN 10,00
Karta 10,00
025234 #Kasa 1 Kasjer nr 7
"""
    extraction = extract_fields(reading_from_text(text))
    assert extraction.value("document_number") == "025234"
    assert extraction.value("seller_nip") == "5502847462"


def test_buyer_nip_is_never_taken_for_the_seller():
    text = "PHU MURBUD\nNIP 55O-Z84-7A-6Z\nPARAGON FISKALNY\nSUMA PLN 10,00\nNIP nabywcy: 8557601019\n"
    fields = extract_fields(reading_from_text(text)).fields
    assert fields["buyer_nip"].value == "8557601019"
    assert fields.get("seller_nip") is None or fields["seller_nip"].value != "8557601019"


def test_total_read_from_the_payment_line_is_not_confirmed_by_that_same_line():
    text = "SKLEP SP. Z O.O.\nNIP 242-438-05-79\nPARAGON FISKALNY\nSUMA PLN 248,9\nKarta 248,97\nPL PRA 81506092"
    total = extract_fields(reading_from_text(text)).fields["total"]
    assert total.value == "248.97" and not total.sure
