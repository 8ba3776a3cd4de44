"""Exact line matching: an e-invoice line's GTIN against the catalogue's EAN, its seller's index against the
partner's learned names, both before any fuzzy name matching."""

from __future__ import annotations

from decimal import Decimal

from fixtures.ksef.invoices import make_invoice
from ocr import extract_fields, read_document
from verification.catalogue import CatalogueIndex
from verification.facts import parse_item
from verification.matching import MatchMethod, match_line
from verification.programme import Product

PRODUCTS = (
    Product(1, "KL-25", "5901234123457", "KLEJ DO PLYTEK 25KG"),
    Product(2, "GR-5", "5900000000017", "GRUNT GLEBOKO PENETR. 5L", partner_names={7: ("IDX-4411",)}),
    Product(3, "FG-2", None, "FUGA ELASTYCZNA SZARA 2KG"),
)
INDEX = CatalogueIndex.build(PRODUCTS)


def test_a_gtin_equal_to_a_catalogue_ean_matches_whatever_the_name_says():
    found = match_line(INDEX, "Fuga elastyczna szara 2 kg", gtin="5901234123457")
    assert (found.product_id, found.method, found.auto) == (1, MatchMethod.EAN, True)


def test_a_gtin_14_with_a_leading_zero_is_the_same_number_as_the_ean_13():
    assert match_line(INDEX, "x", gtin="05901234123457").product_id == 1


def test_the_sellers_index_learned_for_that_partner_matches_before_the_name():
    found = match_line(INDEX, "Fuga elastyczna szara 2 kg", partner_id=7, seller_index="idx-4411")
    assert (found.product_id, found.method) == (2, MatchMethod.PARTNER_INDEX)
    assert match_line(INDEX, "Fuga elastyczna szara 2 kg", partner_id=8, seller_index="IDX-4411").product_id == 3


def test_an_unknown_gtin_falls_back_to_the_name():
    found = match_line(INDEX, "FUGA ELASTYCZNA SZARA 2KG", gtin="5909999999996")
    assert found.product_id == 3 and found.method is not MatchMethod.EAN


def test_every_line_of_generated_invoices_matches_its_product_by_gtin():
    for seed in range(20):
        invoice = make_invoice(seed)
        catalogue = CatalogueIndex.build(
            Product(n, f"SKU-{n}", line.gtin, f"PRODUKT {n}") for n, line in enumerate(invoice.lines, start=1))
        items = [parse_item(item) for item in extract_fields(read_document(invoice.xml)).items]
        found = [match_line(catalogue, item.name, gtin=item.gtin).product_id for item in items]
        assert found == list(range(1, len(invoice.lines) + 1))
        assert all(item.qty == Decimal(line.qty) for item, line in zip(items, invoice.lines, strict=True))
