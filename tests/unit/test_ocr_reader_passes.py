"""Which uploads get second readings: a photo of packaging with a product code and no sign of a sales
document is read once (its code is exact); a receipt with a barcode on it still gets them."""

from __future__ import annotations

from dataclasses import replace

from fixtures.ksef.invoices import make_invoice
from ocr import read_document
from ocr.model import PageSource
from ocr.preprocess import NO_ROWS_STEP
from ocr.reader import _hopeless, _only_a_product_code, _Printed
from ocr.textreading import reading_from_text
from tests.unit.test_ocr_reread import needs_tesseract

_DATAMATRIX = {"format": "DataMatrix", "text": "(01)05901234123457(21)USSHUGAD3TJT", "page": 1}


def _packaging(reading: object) -> bool:
    return _only_a_product_code(reading, _Printed())


def _with_codes(text: str, *codes: dict[str, object]) -> object:
    return replace(reading_from_text(text), codes=codes)


def test_a_product_code_on_a_page_without_sales_cues_or_fields_is_read_once():
    assert _packaging(_with_codes("MAXBUD FLEX C2TE\nKlej do plytek 25 kg", _DATAMATRIX))


def test_a_page_without_a_product_code_is_not_taken_for_packaging():
    assert not _packaging(_with_codes("MAXBUD FLEX C2TE\nKlej do plytek 25 kg"))
    link = {"format": "QR Code", "text": make_invoice(36).link, "page": 1}  # a KSeF link is no product code
    assert not _packaging(_with_codes("MAXBUD FLEX C2TE\nKlej do plytek 25 kg", link))


def test_a_receipt_with_a_barcode_printed_on_it_still_gets_its_second_readings():
    receipt = "PARAGON FISKALNY\nKlej do plytek 1 x 25,99\nSUMA PLN 25,99"
    assert not _packaging(_with_codes(receipt, _DATAMATRIX))
    assert not _packaging(_with_codes("Klej do plytek\nRAZEM 25,99\n2026-11-07", _DATAMATRIX))


@needs_tesseract
def test_a_packaging_photo_is_read_once_with_its_code(monkeypatch):
    from fixtures.ksef.packaging import packaging_photo
    from ocr import reader

    photo = packaging_photo(5, "datamatrix")
    monkeypatch.setattr(reader, "_more_readings", lambda *a: (_ for _ in ()).throw(AssertionError("read again")))
    reading = read_document(photo.jpeg)
    assert reading.codes and not reading.alternates


def test_a_readings_fields_are_extracted_once_per_document(monkeypatch):
    from ocr import reader

    calls: list[object] = []
    extract = reader.extract_printed
    monkeypatch.setattr(reader, "extract_printed", lambda reading: calls.append(reading) or extract(reading))
    printed = reader._Printed()
    first, second = reading_from_text("SUMA PLN 12,30"), reading_from_text("SUMA PLN 12,30")
    assert printed(first) is printed(first)
    assert printed(second).fields == printed(first).fields
    assert [id(reading) for reading in calls] == [id(first), id(second)]


def _no_rows(text: str) -> object:
    """A reading of a page the preparation saw no rows of print on (read as it is)."""
    reading = reading_from_text(text)
    pages = tuple(replace(page, steps=(NO_ROWS_STEP,), source=PageSource.OCR) for page in reading.pages)
    return replace(reading, pages=pages)


def test_a_page_seen_without_rows_whose_reading_shows_a_receipt_still_gets_its_further_readings():
    receipt = "NIP 284-470-17-87\nPARAGON FISKALNY\nSprzedaż opodatk. A 851,52\nPTU A 23% 159,23\nKARTA 931,51\n"
    assert not _hopeless(_no_rows(receipt * 2), _Printed())
    noise = "a 4\naj sg a\npe a\n058 a\nAWA be\neee a\nByes M\nee ae 3\na A\nee a\n"  # a dark photo of no print
    assert _hopeless(_no_rows(noise), _Printed())
