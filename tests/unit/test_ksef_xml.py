"""KSeF e-invoices uploaded as XML: sniffed from the bytes, parsed hardened, mapped exactly into the fields."""

from __future__ import annotations

import resource
import time

import pytest

from claims.errors import InvalidInputError
from claims.services.intake import check_upload
from fixtures.ksef.hostile import HOSTILE
from fixtures.ksef.invoices import FA3_NAMESPACE, correction_of, make_invoice
from ocr import OcrError, extract_fields, merge_documents, read_document
from ocr.extract.values import DocumentKind, Extraction, FieldValue
from ocr.formats import sniff_media_type
from ocr.ksef.links import document_hash

FA2_NAMESPACE = "http://crd.gov.pl/wzor/2023/06/29/12648/"


def _read(xml: bytes) -> Extraction:
    return extract_fields(read_document(xml))


def test_an_fa3_invoice_is_sniffed_from_its_bytes_and_read_without_ocr():
    invoice = make_invoice(7)
    reading = read_document(invoice.xml)
    assert sniff_media_type(invoice.xml) == "application/xml" and reading.pages == ()
    extraction = extract_fields(reading)
    assert extraction.kind is DocumentKind.INVOICE
    assert extraction.value("seller_nip") == invoice.seller_nip and extraction.value("buyer_nip") == invoice.buyer_nip
    assert extraction.value("date") == invoice.issued_on.isoformat() == extraction.value("issue_date")
    assert extraction.value("document_number") == invoice.number
    assert extraction.value("total") == f"{invoice.total:.2f}" and extraction.value("vat_total") == f"{invoice.vat:.2f}"
    assert extraction.value("currency") == "pln" and extraction.value("invoice_type") == "VAT"


def test_every_field_from_the_xml_is_exact_sure_and_without_boxes():
    extraction = _read(make_invoice(8).xml)
    assert extraction.fields and all(v.exact and v.sure and v.boxes == () for v in extraction.fields.values())


def test_the_lines_carry_name_index_gtin_unit_quantity_prices_values_and_rate():
    invoice = make_invoice(9, lines=3)
    items = _read(invoice.xml).items
    assert [item["gtin"] for item in items] == [line.gtin for line in invoice.lines]
    first, line = items[0], invoice.lines[0]
    assert (first["name"], first["index"], first["unit"], first["qty"]) == (line.name, line.index, "szt", str(line.qty))
    assert first["unit_price"] == f"{line.unit_price:.2f}" and first["amount"] == f"{line.net:.2f}"
    assert first["vat_rate"] == str(line.rate) and first["line_no"] == "1"


def test_the_document_identity_is_the_base64url_sha256_of_the_bytes_and_the_link_is_kod_i():
    invoice = make_invoice(10)
    extraction = _read(invoice.xml)
    assert extraction.value("xml_hash") == document_hash(invoice.xml) == invoice.hash
    assert "=" not in invoice.hash and len(invoice.hash) == 43
    assert extraction.value("ksef_link") == invoice.link
    assert invoice.link.startswith(f"https://qr.ksef.mf.gov.pl/invoice/{invoice.seller_nip}/")


def test_a_correction_names_the_invoice_it_corrects():
    original = make_invoice(11)
    extraction = _read(correction_of(original, qty_factor=0.5).xml)
    assert extraction.value("invoice_type") == "KOR"
    assert extraction.value("corrected_ksef_number") == original.ksef_number
    assert extraction.value("corrected_document_number") == original.number


def test_an_fa2_invoice_is_read_the_same_way():
    invoice = make_invoice(12)
    fa2 = invoice.xml.replace(FA3_NAMESPACE.encode(), FA2_NAMESPACE.encode())
    extraction = _read(fa2)
    assert extraction.value("total") == f"{invoice.total:.2f}" and len(extraction.items) == len(invoice.lines)


def test_a_buyer_without_a_polish_nip_is_kept_as_another_identifier():
    xml = make_invoice(13).xml
    start, end = xml.index(b"<NIP>", xml.index(b"<Podmiot2>")), xml.index(b"</NIP>", xml.index(b"<Podmiot2>")) + 6
    xml = xml[:start] + b"<KodUE>DE</KodUE><NrVatUE>123456789</NrVatUE>" + xml[end:]
    extraction = _read(xml)
    assert extraction.value("buyer_nip") is None and extraction.value("buyer_id") == "DE123456789"


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_hostile_xml_ends_in_a_clear_code_quickly_with_bounded_memory(name):
    make, code = HOSTILE[name]
    data = make()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.process_time()
    with pytest.raises(OcrError) as raised:
        read_document(data)
    assert raised.value.code == code
    # bounded: far less extra resident memory than the file (or its expansion) would take
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 64 * 1024
    assert time.process_time() - started < 5  # a generous bound: no expansion, no fetching


@pytest.mark.parametrize("name", ["wrong_namespace", "other_schema"])
def test_an_xml_that_is_not_an_e_invoice_is_refused_at_upload_as_unsupported(name):
    with pytest.raises(InvalidInputError) as raised:
        check_upload("faktura.xml", HOSTILE[name][0](), max_bytes=20 * 1024 * 1024)
    assert raised.value.code == "unsupported_type"


def test_an_e_invoice_passes_the_upload_check_as_xml():
    upload = check_upload("faktura.xml", make_invoice(14).xml, max_bytes=20 * 1024 * 1024)
    assert upload.media_type == "application/xml"


def test_exact_values_outrank_values_read_from_print_when_documents_are_merged():
    printed = Extraction(DocumentKind.INVOICE, {"total": FieldValue("99.00", 0.9, sure=True),
                                                "seller_name": FieldValue("HURTOWNIA", 0.8)},
                         [{"name": "Klej", "amount": "99.00"}])
    exact = _read(make_invoice(15).xml)
    merged = merge_documents([printed, exact])
    assert merged.value("total") == exact.value("total") and merged.fields["total"].exact
    assert merged.items == exact.items  # the e-invoice's lines, not the OCR'd print's
    assert merge_documents([printed]).value("total") == "99.00"


@pytest.mark.parametrize("name", ["billion_laughs", "external_entity", "not_well_formed"])
def test_a_hostile_xml_is_refused_at_upload_with_the_readers_code(name):
    make, code = HOSTILE[name]
    with pytest.raises(InvalidInputError) as raised:
        check_upload("faktura.xml", make(), max_bytes=20 * 1024 * 1024)
    assert raised.value.code == code


def test_a_50_mb_xml_is_refused_at_upload_by_size():
    with pytest.raises(InvalidInputError) as raised:
        check_upload("faktura.xml", HOSTILE["oversized"][0](), max_bytes=20 * 1024 * 1024)
    assert raised.value.code == "file_too_large"
    with pytest.raises(InvalidInputError) as raised:  # under a larger upload limit the e-invoice limit holds
        check_upload("faktura.xml", HOSTILE["oversized"][0](4), max_bytes=60 * 1024 * 1024)
    assert raised.value.code == "too_large"
