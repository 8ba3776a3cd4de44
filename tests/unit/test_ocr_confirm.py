"""`sure` from two engines: an amount stays sure only when the second engine read it in its row too."""

from __future__ import annotations

from dataclasses import replace

from ocr import extract_fields
from ocr.extract.confirm import agrees, confirmations, without_confirmations
from ocr.model import Box, Line, PageReading, PageSource, Word
from ocr.textreading import reading_from_text

RECEIPT = """MARKET Sp. z o.o.
ul. Krakowiaków 80/98
02-255 Warszawa
NIP: 277-28-16-582
2025-05-08
PARAGON FISKALNY
KABEL YDY 3X1,5 MB
4,75 x 2,29 10,88 A
Sprzed. opod. PTU A 10,88
PTU A 23% 2,03
SUMA PTU 2,03
SUMA PLN 10,88
KARTA 10,88
"""


def _confirmed(name: str, text: str) -> PageReading:
    box = Box(0, 0, 100, 10)
    line = Line(text, (Word(text, 0.9, box),), box)
    return PageReading(1, 100, 100, PageSource.OCR, (line,), 0.9, (f"confirm:{name}", "engine:rapidocr"))


def test_a_sure_total_the_second_engine_read_alike_stays_sure() -> None:
    reading = reading_from_text(RECEIPT)
    assert extract_fields(reading).fields["total"].sure
    agreed = replace(reading, rereads=(_confirmed("total", "SUMA PLN10,88"),))
    assert extract_fields(agreed).fields["total"].sure


def test_a_sure_total_the_second_engine_read_otherwise_is_no_longer_sure() -> None:
    reading = replace(reading_from_text(RECEIPT), rereads=(_confirmed("total", "SUMA PLN 16,88"),))
    fields = extract_fields(reading).fields
    assert fields["total"].value == "10.88" and not fields["total"].sure
    assert fields["vat_total"].sure  # no row reading for it: its verdict stands
    assert extract_fields(without_confirmations(reading)).fields["total"].sure
    assert confirmations(reading) == {"total": "SUMA PLN 16,88"}


def test_agreement_reads_amounts_and_digits_run_together() -> None:
    assert agrees("52.83", "SUMA PLN 52,83")
    assert agrees("52.83", "SUMA PLN5283")  # a double-size comma lost
    assert agrees("1049.90", "SUMA PLN 1 049,90")
    assert not agrees("578.42", "SUMA 570.42")
    assert not agrees("52.83", "SUMA 52.88")


def test_the_second_engine_corrects_a_misread_character_of_the_document_number() -> None:
    from ocr.extract.confirm import corrected_code

    assert corrected_code("4000156", "##NIEFISKALNY## 14-08-2018 W000156") == "W000156"
    assert corrected_code("6987/8", "Paragon nr 6907/8 15:01") == "6907/8"
    assert corrected_code("7695", "dn.22r03.09 uydr.7695") == "7695"
    assert corrected_code("7695", "dn.22r03.09 uydr.76") == "7695"  # another length: no correction
    assert corrected_code("88021", "14-06-2025 10:56 Nr nara00nu: 800z1") == "88021"  # no letter inside a number
    assert corrected_code("7695", "dn.22r03.09 nr 1111") == "7695"  # too different: no correction
    assert corrected_code("022169", "2024-10-31 11:25922169") == "922169"  # the time run into the code
    assert corrected_code("37368", "nr wydr 3736012:24") == "37360"  # the code run into the time


def test_the_second_engine_reading_a_slash_for_a_seven_or_a_hash_for_a_four_corrects_the_number() -> None:
    from ocr.extract.confirm import corrected_code

    assert corrected_code("582871", "dn.25r12.28 18:54Paragon nr 5820/1") == "5820/1"  # the slash read as 7
    assert corrected_code("582871", "Paragon nr 58287/") == "582871"  # no digit after the slash: a mark
    assert corrected_code("45049", "18.07.2026 12:45 #5049") == "5049"  # the printed "#" read as 4
    assert corrected_code("45049", "18.07.2026 12:45 #5048") == "45049"  # another number after the "#"
    assert corrected_code("35049", "18.07.2026 12:45 #5049") == "35049"  # a 3 is no misread "#"


def test_the_second_engine_reading_its_page_code_again_run_into_the_next_word_corrects_the_number() -> None:
    from ocr.extract.confirm import voted_code

    assert voted_code("7096/8", "Paragon nr 7090/811", None, "7090/8") == "7090/8"
    assert voted_code("7096/8", "Paragon nr 7090/811", None, "7096/8") == "7096/8"  # its page read the first
    assert voted_code("7096/8", "Paragon nr 7091/811", None, "7090/8") == "7096/8"  # its two readings differ


def test_when_the_engines_disagree_on_a_code_tesseract_reading_its_row_again_and_rapidocr_vote() -> None:
    from ocr.extract.confirm import voted_code

    assert voted_code("63007", "Nr paragonu: 63002", None) == "63002"  # no third reading: the correction
    assert voted_code("63007", "Nr paragonu: 63002", "Nr paragonu: 63007") == "63007"  # 2 votes to 1
    assert voted_code("37368", "nr wydr 37360", "nr wydr. 37368", "37360") == "37360"  # a tie: the second engine
    assert voted_code("022169", "11:25922169", "11:88 922160") == "922169"  # the row read a third code


def test_tesseract_reading_the_disputed_row_with_a_character_lost_still_votes_for_the_code_it_is_closer_to() -> None:
    from ocr.extract.confirm import voted_code

    # "24132\"" is one character from the page's 241325 and two from the second engine's 241343
    row = '| 4706-2024 16:50 paragon nr 24132" |'
    assert voted_code("241325", "02-06-2024 16:50 Paragon nr 241343", row) == "241325"
    # as near to both: no vote, the tie goes to the second engine
    assert voted_code("241325", "Paragon nr 241343", "paragon nr 241345") == "241343"


def test_a_document_number_row_read_by_the_second_engine_replaces_misread_characters() -> None:
    reading = reading_from_text(RECEIPT + "Paragon nr 6987/8 15:01\n")
    assert extract_fields(reading).fields["document_number"].value == "6987/8"
    corrected = replace(reading, rereads=(_confirmed("document_number", "Paragon nr 6907/8 15:01"),))
    fields = extract_fields(corrected).fields
    assert fields["document_number"].value == "6907/8" and not fields["document_number"].sure


def test_tesseract_reading_a_disputed_number_row_alike_keeps_its_page_reading() -> None:
    reading = reading_from_text(RECEIPT + "Paragon nr 6987/8 15:01\n")
    tiebreak = replace(_confirmed("document_number", "Paragon nr 6987/8 15:01"), steps=("tiebreak:document_number",))
    disputed = replace(reading, rereads=(_confirmed("document_number", "Paragon nr 6937/8 15:01"), tiebreak))
    assert extract_fields(disputed).fields["document_number"].value == "6987/8"
    assert "document_number" not in confirmations(without_confirmations(disputed))


def test_a_zero_read_where_other_readings_see_an_eight_is_the_printed_digit() -> None:
    from ocr.extract.confirm import voted_code, zero_for_eight

    assert zero_for_eight("758927", "750927") == "750927"
    assert zero_for_eight("750927", "758927") == "750927"
    assert zero_for_eight("3076", "3878") is None  # not only 0 against 8
    assert zero_for_eight("8070", "0078") is None  # a 0 on either side
    # tesseract and rapidocr both read the row cut out with an 8, both pages read the 0
    assert voted_code("750927", "Pagon nr 75892715:23", "Paragon nr 758927 5:23", "750927") == "750927"
    # the second engine's row alone reads the 0 that tesseract's page and row read as 8
    assert voted_code("43989", "nr wydr, 43909", "nr wydr. 43989") == "43909"


def test_the_second_engine_page_reading_a_zero_for_tesseract_s_eights_is_the_number() -> None:
    from ocr.extract.merge import merge_readings

    page = extract_fields(reading_from_text(RECEIPT + "nr wydr. 43989\n"))
    alternate = extract_fields(reading_from_text(RECEIPT + "nr wydr. 43989\n"))
    second = extract_fields(reading_from_text(RECEIPT + "nr wydr. 43909\n"))
    assert merge_readings(page, alternate, second).fields["document_number"].value == "43909"
    other = extract_fields(reading_from_text(RECEIPT + "nr wydr. 43959\n"))  # not a 0 for an 8: the vote
    assert merge_readings(page, alternate, other).fields["document_number"].value == "43989"


def test_an_eight_the_second_engine_read_stands_against_a_tesseract_pass_reading_a_zero() -> None:
    from ocr.extract.merge import merge_readings

    page = extract_fields(reading_from_text(RECEIPT + "nr wydr. 66588\n"))
    alternate = extract_fields(reading_from_text(RECEIPT + "nr wydr. 66508\n"))  # a dot-matrix 8 opened into 0
    second = replace(extract_fields(reading_from_text(RECEIPT + "nr wydr. 66588\n")), engine="rapidocr")
    assert merge_readings(page, alternate, second).fields["document_number"].value == "66588"
    # the second engine reading the 0 (or not reading the number): the 0 is the printed digit
    zero = replace(alternate, engine="rapidocr")
    assert merge_readings(page, page, zero).fields["document_number"].value == "66508"
    assert merge_readings(page, alternate).fields["document_number"].value == "66508"


def test_a_zero_in_the_second_engine_s_row_does_not_settle_a_code_its_page_reading_read_with_an_eight() -> None:
    from ocr.extract.confirm import voted_code

    assert voted_code("11368", "Nr paragonu: 11360", None, "11368") == "11368"  # the engine split: the vote
    assert voted_code("11368", "Nr paragonu: 11360", None) == "11360"  # the row alone: 0 against 8 settles
    assert voted_code("11368", "Nr paragonu: 11360", None, "11360") == "11360"


def test_a_character_more_or_less_inside_the_code_needs_a_second_reading_to_correct_it() -> None:
    from ocr.extract.confirm import voted_code

    row = "FAKTURA VAT F/2026/02210"
    assert voted_code("F/I2026/02210", row, None) == "F/I2026/02210"  # the second engine's row alone
    assert voted_code("F/I2026/02210", row, "FAKTURA VAT F/2026/02210") == "F/2026/02210"  # tesseract's row too
    assert voted_code("F/I2026/02210", row, None, "F/2026/02210") == "F/2026/02210"  # its page too
    assert voted_code("750927", "Paragon nr 75092", "Paragon nr 75092") == "750927"  # cut short at the end
    assert voted_code("45049", "12:45 #5049", None) == "5049"  # a "#" read as 4 needs no second reading
    assert voted_code("45049", "12:45 #5049", "12:45 45049") == "5049"  # tesseract repeating it is no vote


def test_the_second_engine_page_reading_a_zero_in_the_date_for_tesseract_s_eights_is_the_date() -> None:
    from ocr.extract.merge import merge_readings

    def dated(date: str):
        return extract_fields(reading_from_text(RECEIPT.replace("2025-05-08", date)))

    merged = merge_readings(dated("2025-05-28"), dated("2025-05-28"), dated("2025-05-20"))
    assert merged.fields["date"].value == "2025-05-20"
    merged = merge_readings(dated("2025-05-28"), dated("2025-05-28"), dated("2025-05-29"))  # the vote
    assert merged.fields["date"].value == "2025-05-28"


def test_letters_read_for_the_digits_of_a_number_part_count_as_those_digits_in_the_engines_vote() -> None:
    from ocr.extract.confirm import voted_code

    # three characters apart as read, but S, O and G are 5, 0 and 6 in parts of the number that hold digits
    assert voted_code("FV/S9O/0G/2026", "FAKTURA VAT FV/590/06/2026", None) == "FV/590/06/2026"
    # a part of letters alone is a series, not digits misread: three letters apart stay too far to correct
    assert voted_code("FV/BOS/2026", "Faktura VAT nr FV/805/2026", None) == "FV/BOS/2026"


def test_a_bare_number_run_into_the_nip_in_its_row_is_split_off_it():
    from ocr.extract.confirm import read_code, voted_code

    # rapidocr's row lost the space between the NIP and the number printed right of it; its 0 settles
    assert voted_code("584787", "NIP:230-26-85-527504787", None) == "504787"
    assert read_code("W780206", "NIP 7096929878W780206|") == "W780206"
