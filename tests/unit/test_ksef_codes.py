"""The KSeF number (CRC-8), the verification links (KOD I, KOD II) and decoding them from prints and photos."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from fixtures.ksef.invoices import make_invoice
from fixtures.ksef.prints import invoice_page, photographed_invoice, qr_image
from ocr import DocumentReading, extract_fields, read_document
from ocr.extract.values import DocumentKind, Extraction, FieldValue
from ocr.ksef.barcodes import _grey, decode_page
from ocr.ksef.evidence import with_exact_evidence
from ocr.ksef.links import parse_certificate_link, parse_invoice_link
from ocr.ksef.number import crc8, find_ksef_numbers, ksef_number_problem, parse_ksef_number

SPEC_NUMBER = "5265877635-20250826-0100001AF629-AF"
HASH = "UtQp9Gpc51y-u3xApZjIjgkpZ01js-J8KflSPW8WzIE"
KOD_II = ("https://ksef-test.mf.gov.pl/client-app/certificate/Nip/1111111111/1111111111/01F20A5D352AE590/"
          f"{HASH}/KFoN1Z91HvySb2uqP2ZDFKubKftzWtWsQOjqTdLFXA3ZEoC1PB8sixNi1LLwgnndwL-MkDcpaCEZxBuVtjWcBpAUJEY")


def test_the_specifications_example_number_checks_out():
    number = parse_ksef_number(SPEC_NUMBER)
    assert number is not None and number.nip == "5265877635" and number.accepted_on == date(2025, 8, 26)
    assert f"{crc8(SPEC_NUMBER[:32].encode()):02X}" == "AF"


@pytest.mark.parametrize("broken", [SPEC_NUMBER[:-2] + "AE", SPEC_NUMBER.replace("AF629", "AF628"),
                                    SPEC_NUMBER.lower(), "5265877635-20251326-0100001AF629-AF"])
def test_a_wrong_crc_a_changed_digit_lower_case_or_an_impossible_date_is_refused(broken):
    assert parse_ksef_number(broken) is None


def test_a_legacy_36_character_number_is_accepted_by_its_form():
    legacy = "5265877635-20230826-0100001AF6291-7B"
    assert len(legacy) == 36 and parse_ksef_number(legacy).legacy


def test_numbers_are_found_in_text_and_checked_against_the_seller_and_the_issue_date():
    found = find_ksef_numbers(f"Numer KSeF: {SPEC_NUMBER}\nNr faktury FV/1/2025")
    assert [n.text for n in found] == [SPEC_NUMBER]
    assert ksef_number_problem(found[0], "5265877635", date(2025, 8, 25)) is None
    assert ksef_number_problem(found[0], "1132191233", None) == "nip"
    assert ksef_number_problem(found[0], "5265877635", date(2025, 8, 27)) == "date"


@pytest.mark.parametrize("host", ["https://qr.ksef.mf.gov.pl/invoice", "https://qr-test.ksef.mf.gov.pl/invoice",
                                  "https://qr-demo.ksef.mf.gov.pl/invoice",
                                  "https://ksef-test.mf.gov.pl/client-app/invoice"])
def test_kod_i_links_on_every_host_and_layout_are_read(host):
    link = parse_invoice_link(f"{host}/1111111111/01-02-2026/{HASH}")
    assert (link.nip, link.issued_on, link.hash) == ("1111111111", date(2026, 2, 1), HASH)


@pytest.mark.parametrize("text", [f"https://qr.ksef.mf.gov.pl.evil.example/invoice/1111111111/01-02-2026/{HASH}",
                                  f"http://qr.ksef.mf.gov.pl/invoice/1111111111/01-02-2026/{HASH}",
                                  f"https://qr.ksef.mf.gov.pl/invoice/1111111111/31-02-2026/{HASH}",
                                  f"https://qr.ksef.mf.gov.pl/invoice/1111111111/01-02-2026/{HASH}=",
                                  "5901234123457", KOD_II])
def test_other_hosts_schemes_dates_hashes_and_codes_are_not_kod_i(text):
    assert parse_invoice_link(text) is None


def test_kod_ii_is_recognised_with_its_seller_and_certificate():
    found = parse_certificate_link(KOD_II)
    assert (found.nip, found.serial, found.hash) == ("1111111111", "01F20A5D352AE590", HASH)


def test_the_print_of_an_invoice_carries_its_kod_i_and_it_decodes():
    invoice = make_invoice(31)
    codes = decode_page(invoice_page(invoice), 1)
    assert [code["text"] for code in codes] == [invoice.link]


def test_the_grey_codes_are_decoded_from_is_the_integer_luma_exactly():
    rgb = np.random.default_rng(7).integers(0, 256, (300, 200, 3), dtype=np.uint8)
    rgb[0, :8] = [[0, 0, 0], [255, 255, 255], [255, 0, 0], [0, 255, 0], [0, 0, 255], [1, 1, 1], [254, 254, 254],
                  [128, 127, 129]]
    wide = rgb.astype(np.uint16)
    expected = ((wide[..., 0] * 77 + wide[..., 1] * 150 + wide[..., 2] * 29) >> 8).astype(np.uint8)
    assert np.array_equal(_grey(rgb), expected)


def test_a_photographed_print_decodes_with_rotation_perspective_blur_and_jpeg_60():
    import cv2
    import numpy as np

    invoice = make_invoice(32)
    photo, spec = photographed_invoice(invoice, seed=32)
    image = cv2.imdecode(np.frombuffer(photo, np.uint8), cv2.IMREAD_GRAYSCALE)
    assert spec.jpeg_quality == 60 and abs(spec.rotation_deg) <= 15
    assert [code["text"] for code in decode_page(image, 1)] == [invoice.link]


def test_kod_i_outranks_ocr_and_its_nip_date_and_hash_are_exact():
    invoice = make_invoice(33)
    printed = Extraction(DocumentKind.INVOICE, {"seller_nip": FieldValue("1132191233", 0.7),
                                                "date": FieldValue("2020-01-01", 0.6),
                                                "issue_date": FieldValue("2020-01-01", 0.6)})
    reading = DocumentReading("image/jpeg", (), codes=({"format": "QR Code", "text": invoice.link, "page": 1},))
    fields = with_exact_evidence(reading, printed).fields
    assert fields["seller_nip"].value == invoice.seller_nip and fields["seller_nip"].exact
    assert fields["date"].value == fields["issue_date"].value == invoice.issued_on.isoformat()
    assert fields["qr_hash"].value == invoice.hash and fields["ksef_link"].value == invoice.link


def test_kod_ii_is_kept_to_be_shown_not_verified():
    reading = DocumentReading("image/png", (), codes=({"format": "QR Code", "text": KOD_II, "page": 1},))
    fields = with_exact_evidence(reading, Extraction(DocumentKind.INVOICE)).fields
    assert fields["ksef_certificate"].value == KOD_II and "seller_nip" not in fields


def test_a_qr_code_image_alone_reads_as_the_invoices_identity():
    import cv2

    invoice = make_invoice(34)
    ok, png = cv2.imencode(".png", qr_image(invoice.link))
    extraction = extract_fields(read_document(png.tobytes()))
    assert extraction.value("qr_hash") == invoice.hash and extraction.value("seller_nip") == invoice.seller_nip


@pytest.mark.parametrize("kind", ["qr", "datamatrix", "code128", "ean13"])
def test_a_packaging_photo_gives_the_code_a_participant_would_type(kind):
    import cv2
    import numpy as np

    from fixtures.ksef.packaging import packaging_photo
    from ocr.ksef.evidence import product_code_candidates

    photo = packaging_photo(5, kind)
    image = cv2.imdecode(np.frombuffer(photo.jpeg, np.uint8), cv2.IMREAD_GRAYSCALE)
    reading = DocumentReading("image/jpeg", (), codes=tuple(decode_page(image, 1)))
    assert product_code_candidates(reading) == [photo.code]


def test_a_gs1_datamatrix_gives_its_serial_and_a_link_its_last_segment():
    from ocr.ksef.evidence import product_code_candidates

    codes = ({"format": "DataMatrix", "text": "(01)05901234123457(21)PX7K9M2QAB3C", "page": 1},
             {"format": "QR Code", "text": "https://brand.example/k/ZZ23456789AB", "page": 1})
    assert product_code_candidates(DocumentReading("image/png", (), codes=codes)) == ["PX7K9M2QAB3C", "ZZ23456789AB"]


def _large_page_with(code: np.ndarray | None) -> np.ndarray:
    """A 12 MP grey page (4000 x 3000), with `code` pasted in the middle of it when given."""
    page = np.full((3000, 4000), 235, np.uint8)
    if code is not None:
        page[1400 : 1400 + code.shape[0], 2000 : 2000 + code.shape[1]] = code
    return page


def test_a_small_qr_code_in_a_large_photo_is_still_found_at_full_size():
    import cv2

    invoice = make_invoice(35)
    small = cv2.resize(qr_image(invoice.link), None, fx=0.3, fy=0.3, interpolation=cv2.INTER_AREA)  # ~2 px a module
    assert [code["text"] for code in decode_page(_large_page_with(small), 1)] == [invoice.link]


def test_a_large_photo_without_codes_is_not_searched_again_at_full_size(monkeypatch):
    from ocr.ksef import barcodes

    sizes: list[tuple[int, ...]] = []
    decode = barcodes._decode

    def counted(image: np.ndarray, errors: bool = False) -> list:
        sizes.append(image.shape)
        return decode(image, errors)

    monkeypatch.setattr(barcodes, "_decode", counted)
    assert decode_page(_large_page_with(None), 1) == []
    assert len(sizes) == 1 and sizes[0][0] * sizes[0][1] <= barcodes._FIRST_PASS_PIXELS
