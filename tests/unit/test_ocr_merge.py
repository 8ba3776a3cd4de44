"""Second readings: when to ask for one, how two extractions merge, storage round trip."""

from __future__ import annotations

from dataclasses import replace

from ocr import extract_fields
from ocr.extract import (
    merge_readings,
    needs_second_reading,
    needs_third_reading,
    only_the_date_unsettled,
)
from ocr.extract.kind import Layout
from ocr.extract.values import DocumentKind, Extraction, FieldValue
from ocr.model import DocumentReading
from ocr.quality import QualityProblem, assess_quality
from ocr.textreading import reading_from_text

GOOD = """NIP 855-000-42-95
2022-03-09 10:36 nr wydr. 034312
PARAGON FISKALNY
SPRZEDAŻ OPODATKOWANA D 13,03
SUMA PLN 13,03
"""
DAMAGED = """NIP 855-000-42-95
PARAGON FISKALNY
SPRZEDAŻ OPODATKOWANA D 13,03
SUMA PLN 18,03
"""


def test_confirmed_receipt_needs_no_second_reading():
    assert not needs_second_reading(extract_fields(reading_from_text(GOOD)))
    assert needs_second_reading(extract_fields(reading_from_text(DAMAGED)))


def test_a_receipt_read_without_its_number_is_read_again():
    # the number is half of a receipt's identity for duplicates: its line lost by the page reading
    # (a footer '#4877 14:07' read by no engine) is worth another reading though the sums are confirmed
    numberless = extract_fields(reading_from_text(GOOD.replace(" nr wydr. 034312", "")))
    assert numberless.fields["total"].sure and numberless.fields["seller_nip"].sure
    assert "document_number" not in numberless.fields
    assert needs_second_reading(numberless)


def test_a_receipt_read_with_only_a_guess_at_its_number_is_read_again():
    # a footer line of a code and a time alone is a guess (its "#" lost, or read as 1): another reading may
    # print the "#" and its number
    guessed = extract_fields(reading_from_text(GOOD.replace(" nr wydr. 034312", "") + "14533 13:49\n"))
    assert guessed.fields["document_number"].support == 0
    assert guessed.fields["total"].sure and guessed.fields["seller_nip"].sure
    assert needs_second_reading(guessed)
    assert not needs_second_reading(extract_fields(reading_from_text(GOOD)))
    # a code the date's line ends with and another line prints as a word of its own is printed twice: found
    twice = GOOD.replace(" nr wydr. 034312", " 4104709") + "104709 #Kasa 1 Kasjer nr 4\n"
    found = extract_fields(reading_from_text(twice))
    assert (found.fields["document_number"].value, found.fields["document_number"].support) == ("104709", 1)
    assert not needs_second_reading(found)


def test_merge_prefers_agreement_then_certainty_then_confidence():
    first = Extraction(
        DocumentKind.RECEIPT,
        {"total": FieldValue("18.03", 0.8), "date": FieldValue("2022-03-09", 0.6), "time": FieldValue("10:36", 0.9)},
    )
    second = Extraction(
        DocumentKind.UNKNOWN,
        {
            "total": FieldValue("13.03", 0.7, sure=True),
            "date": FieldValue("2022-03-03", 0.7),
            "time": FieldValue("10:36", 0.5),
            "seller_nip": FieldValue("8550004295", 0.9, sure=True),
        },
    )
    merged = merge_readings(first, second)
    assert merged.kind is DocumentKind.RECEIPT
    assert {n: f.value for n, f in merged.fields.items()} == {
        "total": "13.03",
        "date": "2022-03-03",
        "time": "10:36",
        "seller_nip": "8550004295",
    }
    assert merged.fields["time"].confidence == 0.9


def test_reading_with_alternates_round_trips_and_merges():
    damaged, good = reading_from_text(DAMAGED), reading_from_text(GOOD)
    reading = replace(damaged, alternates=good.pages)
    assert DocumentReading.from_dict(reading.to_dict()) == reading
    fields = extract_fields(reading).fields
    assert (fields["total"].value, fields["total"].sure) == ("13.03", True)
    assert fields["date"].value == "2022-03-09"
    assert "alternates" not in good.to_dict()


def test_quality_gate():
    assert assess_quality(reading_from_text(GOOD), extract_fields(reading_from_text(GOOD))).ok
    empty = reading_from_text("")
    assert assess_quality(empty).problems == (QualityProblem.NO_TEXT,)
    murky = reading_from_text(GOOD, confidence=0.3)
    assert QualityProblem.LOW_CONFIDENCE in assess_quality(murky).problems
    essay = reading_from_text("Lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod")
    result = assess_quality(essay, extract_fields(essay))
    assert result.to_dict() == {"ok": False, "problems": ["not_a_purchase_document"]}


def test_three_readings_vote_and_conflicting_confirmations_are_not_sure():
    def reading(date: str, total: str, sure: bool) -> Extraction:
        fields = {"date": FieldValue(date, 0.6), "total": FieldValue(total, 0.8, sure=sure)}
        return Extraction(DocumentKind.RECEIPT, fields)

    a, b = reading("2022-03-03", "164.00", True), reading("2022-03-09", "164.00", False)
    c = reading("2022-03-09", "464.00", True)
    merged = merge_readings(a, b, c)
    assert merged.fields["date"].value == "2022-03-09"
    assert (merged.fields["total"].value, merged.fields["total"].sure) == ("164.00", False)


def test_seller_nip_equal_to_the_buyers_is_dropped():
    a = Extraction(DocumentKind.RECEIPT, {"seller_nip": FieldValue("8557601019", 0.8)})
    b = Extraction(DocumentKind.RECEIPT, {"buyer_nip": FieldValue("8557601019", 0.9, sure=True)})
    assert "seller_nip" not in merge_readings(a, b).fields


def test_disagreeing_readings_of_a_polish_receipt_ask_for_a_third_opinion():
    sure = {"total": FieldValue("13.03", 0.9, sure=True), "seller_nip": FieldValue("8550004295", 0.9, sure=True)}
    first = Extraction(DocumentKind.RECEIPT, {**sure, "date": FieldValue("2022-03-03", 0.6)}, layout="polish_receipt")
    second = Extraction(DocumentKind.RECEIPT, {**sure, "date": FieldValue("2022-03-09", 0.6)}, layout="polish_receipt")
    assert needs_third_reading([first, second])
    assert not needs_third_reading([first, first])
    foreign = Extraction(DocumentKind.RECEIPT, {"date": FieldValue("2018-01-01", 0.6)}, layout="sroie_receipt")
    assert not needs_third_reading([foreign, foreign])


def test_only_the_date_unsettled_when_total_and_nip_are_confirmed():
    confirmed = {"seller_nip": FieldValue("5260250274", 0.9, sure=True), "total": FieldValue("10.00", 0.9, sure=True)}
    receipt = DocumentKind.RECEIPT
    assert only_the_date_unsettled(Extraction(receipt, dict(confirmed), layout="polish_receipt"))
    doubtful = {**confirmed, "date": FieldValue("2026-03-03", 0.6)}
    assert only_the_date_unsettled(Extraction(receipt, doubtful, layout="polish_receipt"))
    settled = {**confirmed, "date": FieldValue("2026-03-09", 0.9)}
    assert not only_the_date_unsettled(Extraction(receipt, settled, layout="polish_receipt"))
    unsure_total = {**confirmed, "total": FieldValue("10.00", 0.9)}
    assert not only_the_date_unsettled(Extraction(receipt, unsure_total, layout="polish_receipt"))
    assert not only_the_date_unsettled(Extraction(receipt, dict(confirmed), layout="sroie_receipt"))


INVOICE = """FAKTURA VAT FV/2025/08/0840
Data wystawienia: 16.08.2025
Sprzedawca: Nabywca:
NIP PL1603374810 NIP PL8957036706
Stawka VAT Wartość netto Kwota VAT Wartość brutto
23% 764,76 175,89 940,65
Razem 764,76 175,89 940,65
Do zapłaty: 940,65 PLN
"""


def test_invoice_read_without_its_number_is_read_again():
    whole = extract_fields(reading_from_text(INVOICE))
    assert whole.fields["document_number"].value == "FV/2025/08/0840"
    assert whole.fields["total"].sure and whole.fields["seller_nip"].sure
    assert not needs_second_reading(whole)
    titleless = extract_fields(reading_from_text(INVOICE.split("\n", 1)[1]))  # the large title line was dropped
    assert "document_number" not in titleless.fields and titleless.fields["total"].sure
    assert needs_second_reading(titleless)


def test_a_nip_failing_its_check_digit_is_not_voted_in_by_repeated_readings():
    # tesseract read one font's 0 as 8 on every pass; the second engine read the NIP as printed
    misread = Extraction(DocumentKind.RECEIPT, {"seller_nip": FieldValue("8266857692", 0.9, support=1)})
    right = Extraction(DocumentKind.RECEIPT, {"seller_nip": FieldValue("8266057692", 0.8, sure=True)})
    merged = merge_readings(misread, misread, misread, right).fields["seller_nip"]
    assert (merged.value, merged.sure) == ("8266057692", True)
    # with no reading passing the check digit, the vote is as before
    other = Extraction(DocumentKind.RECEIPT, {"seller_nip": FieldValue("8266857693", 0.95)})
    assert merge_readings(misread, misread, other).fields["seller_nip"].value == "8266857692"


def _polish_receipt(total: str, sure: bool, vat: str | None = None) -> Extraction:
    fields = {"total": FieldValue(total, 0.9, sure=sure)}
    if vat is not None:
        fields["vat_total"] = FieldValue(vat, 0.9, sure=True)
    return Extraction(DocumentKind.RECEIPT, fields, layout=Layout.POLISH_RECEIPT)


def test_a_total_one_reading_confirmed_beats_a_misreading_repeated_by_the_other_passes():
    # three tesseract passes read 0 as 8 in the total; the second engine's sales and payment confirm 190,77
    misread = _polish_receipt("190.85", False)
    merged = merge_readings(misread, misread, misread, _polish_receipt("190.77", True)).fields
    assert (merged["total"].value, merged["total"].sure) == ("190.77", True)
    # two readings confirming different totals: the vote stands and nothing is sure
    merged = merge_readings(_polish_receipt("190.85", True), misread, _polish_receipt("190.77", True)).fields
    assert (merged["total"].value, merged["total"].sure) == ("190.85", False)


def test_the_second_engine_s_confirmed_zero_beats_tesseract_s_confirmed_eight_in_an_amount():
    # tesseract read the font's 0 as 8 on the total, the sales and the card line alike: its two passes confirm
    # 108,58; the second engine's reading confirms 100,58
    misread = _polish_receipt("108.58", True)
    second = replace(_polish_receipt("100.58", True), engine="rapidocr")
    merged = merge_readings(misread, misread, second).fields
    assert (merged["total"].value, merged["total"].sure) == ("100.58", False)
    # a third reading of tesseract's, or a difference other than 0 against 8: the vote stands
    assert merge_readings(misread, misread, replace(second, engine="")).fields["total"].value == "108.58"
    other = replace(_polish_receipt("105.58", True), engine="rapidocr")
    assert merge_readings(misread, misread, other).fields["total"].value == "108.58"
    # the second engine's amount not confirmed by its own reading: the vote stands
    unsure = replace(_polish_receipt("100.58", False), engine="rapidocr")
    assert merge_readings(misread, misread, unsure).fields["total"].value == "108.58"


def test_a_sure_vat_total_chooses_the_total_it_is_the_vat_of():
    # the total 112,00 was not confirmed in its reading, but the VAT 20,94 printed on its own line is its 23 %
    misread = _polish_receipt("112.88", False)
    merged = merge_readings(misread, misread, misread, _polish_receipt("112.00", False, "20.94")).fields
    assert (merged["total"].value, merged["total"].sure) == ("112.00", False)
    # without a sure VAT total the vote stands
    merged = merge_readings(misread, misread, misread, _polish_receipt("112.00", False)).fields
    assert merged["total"].value == "112.88"


def test_a_labelled_receipt_number_outweighs_an_unlabelled_code_repeated_by_other_readings():
    header = "HURTOWNIA\nNIP 708-184-563-39\n{line}\nPARAGON FISKALNY\nSUMA PLN 18,49\n{number}\n"
    guessed_text = header.format(line="24.04.2024 09:51 2824", number="nr wud. Jf23 89:54")
    guessed = extract_fields(reading_from_text(guessed_text))
    assert guessed.fields["document_number"].value == "2824"  # a code ending the date's line above the header
    labelled = extract_fields(reading_from_text(header.format(line="24.04.2024", number="nr wydr. 37298 09:51")))
    assert labelled.fields["document_number"].value == "37298"
    assert merge_readings(guessed, guessed, labelled).fields["document_number"].value == "37298"


def test_a_number_read_without_the_letter_another_reading_prints_before_it_loses():
    def reading(number: str, confidence: float, engine: str = "") -> Extraction:
        return Extraction(DocumentKind.RECEIPT, {"document_number": FieldValue(number, confidence)}, engine=engine)

    # two tesseract passes lost the register's W; rapidocr read it
    merged = merge_readings(reading("257674", 0.29), reading("257674", 0.29), reading("W257674", 0.6, "rapidocr"))
    assert merged.fields["document_number"].value == "W257674"
    # a letter with other digits is another reading, left to the vote
    merged = merge_readings(reading("257674", 0.5), reading("257674", 0.5), reading("W257671", 0.6, "rapidocr"))
    assert merged.fields["document_number"].value == "257674"


def test_tesseract_passes_agreeing_on_a_guessed_number_vote_once():
    def reading(number: str, confidence: float, engine: str = "") -> Extraction:
        guess = FieldValue(number, confidence, support=0)  # found by no label
        return Extraction(DocumentKind.RECEIPT, {"document_number": guess}, engine=engine)

    # psm 6 and psm 4 read one prepared image and repeat its 9 for a 0; rapidocr read the 0
    merged = merge_readings(reading("W192223", 0.26), reading("W192223", 0.26), reading("W102223", 0.6, "rapidocr"))
    assert merged.fields["document_number"].value == "W102223"
    # a number found by its label is not a guess: the readings keep their votes
    labelled = [replace(reading("12345", 0.5), fields={"document_number": FieldValue("12345", 0.5, support=1)})] * 2
    merged = merge_readings(*labelled, reading("12845", 0.6, "rapidocr"))
    assert merged.fields["document_number"].value == "12345"
