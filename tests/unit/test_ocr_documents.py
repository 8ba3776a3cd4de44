"""Merging the extractions of a claim's documents (pages) into the claim's fields, typed throughout."""

from __future__ import annotations

import json

from ocr import ClaimExtraction, DocumentKind, Extraction, FieldValue, PageBox, extract_fields, merge_documents
from ocr.model import Box
from ocr.textreading import reading_from_text

RECEIPT, INVOICE, UNKNOWN = DocumentKind.RECEIPT, DocumentKind.INVOICE, DocumentKind.UNKNOWN


def _page(kind: DocumentKind, items: list[dict[str, str]] | None = None, **fields: tuple[str, bool]) -> Extraction:
    values = {name: FieldValue(value, 0.9, sure=sure) for name, (value, sure) in fields.items()}
    return Extraction(kind, values, items or [])


def _values(merged: ClaimExtraction) -> dict[str, str]:
    return {name: value.value for name, value in merged.fields.items()}


def test_first_value_of_each_field_wins_in_page_order():
    merged = merge_documents([_page(RECEIPT, total=("10.00", True)),
                              _page(RECEIPT, total=("99.00", False), date=("2026-11-02", False))])
    assert _values(merged) == {"total": "10.00", "date": "2026-11-02"} and merged.sure == ("total",)
    assert merged.kind is RECEIPT and merged.readable


def test_noise_read_off_a_blurred_photo_is_not_a_readable_claim():
    merged = merge_documents([_page(UNKNOWN, seller_name=("U NODZE GORY", False))])
    assert _values(merged) == {"seller_name": "U NODZE GORY"} and not merged.readable


def test_a_key_field_makes_a_page_readable_even_of_unknown_kind():
    assert merge_documents([_page(UNKNOWN, total=("12.50", False))]).readable


def test_the_first_known_kind_wins_and_unreadable_documents_are_skipped():
    merged = merge_documents([None, _page(UNKNOWN, seller_name=("X", False)), _page(INVOICE), _page(RECEIPT)])
    assert merged.kind is INVOICE and merged.readable


def test_nothing_read_is_an_unreadable_claim_of_unknown_kind():
    assert merge_documents([None, None]) == ClaimExtraction()
    assert merge_documents([]) == ClaimExtraction(kind=UNKNOWN, readable=False)


def test_empty_values_and_fields_kept_on_the_document_only_do_not_reach_the_claim():
    merged = merge_documents([_page(RECEIPT, total=("", True), issue_date=("2026-11-04", True)),
                              _page(RECEIPT, total=("12.30", False))])
    assert _values(merged) == {"total": "12.30"} and merged.sure == ()


def test_items_of_every_document_follow_in_page_order():
    first, second = [{"name": "Klej", "amount": "25.99"}], [{"name": "Fuga", "amount": "9.99"}]
    merged = merge_documents([_page(RECEIPT, first), None, _page(RECEIPT, second)])
    assert merged.items == first + second


def test_the_chosen_value_keeps_its_confidence_and_boxes():
    boxed = FieldValue("5260250274", 0.97, (PageBox(2, Box(10, 20, 100, 12)),), sure=True)
    merged = merge_documents([_page(RECEIPT), Extraction(RECEIPT, {"seller_nip": boxed})])
    assert merged.fields["seller_nip"] == boxed and merged.value("seller_nip") == "5260250274"
    assert merged.value("total") is None


RECEIPT_TEXT = """PARAGON FISKALNY
NIP 526-025-02-74
2026-11-03 10:36
Klej do plytek 1 x 25,99 25,99A
SPRZEDAZ OPODATK. A 25,99
SUMA PLN 25,99
"""


def test_stored_extractions_become_typed_again():
    extraction = extract_fields(reading_from_text(RECEIPT_TEXT))
    assert extraction.fields["total"].sure and extraction.fields["seller_nip"].boxes and extraction.items
    stored = json.loads(json.dumps(extraction.to_dict()))
    again = Extraction.from_dict(stored)
    assert again.to_dict() == extraction.to_dict() and again.kind is extraction.kind
    assert {name: (v.value, v.sure, v.boxes) for name, v in again.fields.items()} == {
        name: (v.value, v.sure, v.boxes) for name, v in extraction.fields.items()}
    assert merge_documents([again]).fields.keys() == merge_documents([extraction]).fields.keys()
