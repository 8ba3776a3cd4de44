"""Till line -> catalogue product: abbreviations, sizes, partner names first, learned aliases, thresholds."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from functools import cache

import pytest

from fixtures.catalogue.generate import load_lines, load_products
from verification import CatalogueIndex, MatchMethod, Product, learn_alias, match_line
from verification.normalise import eans_in, normalise_name, tokenise

PRODUCTS = [
    Product(1, "KLP-FLEX-25", "5904411000015", "Klej do płytek MAXBUD Flex C2TE 25 kg", points_per_unit=8),
    Product(2, "KLP-FLEX-5", "5904411000022", "Klej do płytek MAXBUD Flex C2TE 5 kg", points_per_unit=2),
    Product(3, "KLP-GRES-25", "5904411000039", "Klej do płytek MAXBUD Gres C2T 25 kg", points_per_unit=6),
    Product(4, "FGE-SZ-2", "5904411000046", "Fuga elastyczna MAXBUD CE40 szara 2 kg"),
    Product(5, "FGE-BI-2", "5904411000053", "Fuga elastyczna MAXBUD CE40 biała 2 kg"),
    Product(6, "YDYP-325-100", "5904413000013", "Przewód YDYp 3x2,5 450/750V ELKAB krążek 100 m"),
    Product(7, "YDYP-315-100", "5904413000020", "Przewód YDYp 3x1,5 450/750V ELKAB krążek 100 m"),
    Product(8, "PGK-GKB-125", "5904412000014", "Płyta gipsowo-kartonowa GIPSAL GKB 12,5 mm 1200x2600 mm"),
    Product(9, "PIANKA-750", "5904411000060", "Pianka montażowa MAXBUD Pistoletowa 750 ml"),
]
INDEX = CatalogueIndex.build(PRODUCTS)


@pytest.mark.parametrize("line, product_id", [
    ("KL.DO PLYT. FLEX C2TE 25KG", 1),
    ("KLEJ D/PŁYTEK MAXBUD FLEX 25 KG", 1),
    ("KLEJ FLEX C2TE 5,0 KG", 2),
    ("KL.PL. GRES C2T 25", 3),
    ("FUGA ELAST. CE40 SZARA 2KG", 4),
    ("FUGA EL. CE40 BIAŁA 2 KG", 5),
    ("PRZEW. YDYP 3X2,5 100M", 6),
    ("KABEL YDYp 3x1,5 krąż. 100 m", 7),
    ("PŁ. G-K GKB 12,5MM 1200X2600", 8),
    ("PNK MNT PISTOL. 750ML", 9),
])
def test_abbreviated_till_lines_match_automatically(line, product_id):
    match = match_line(INDEX, line)
    assert (match.product_id, match.auto) == (product_id, True), match


def test_a_25kg_line_never_matches_the_5kg_product():
    match = match_line(INDEX, "KLEJ FLEX C2TE 25KG")
    assert match.product_id == 1
    assert all(score < match.score for pid, score in match.alternatives if pid == 2)
    assert match_line(INDEX, "KLEJ FLEX C2TE 10KG").auto is False


def test_ocr_confusions_in_sizes_and_codes_are_forgiven():
    assert match_line(INDEX, "KLEJ FLEX CZTE 2SKG").product_id == 1
    assert tokenise("Z,0MM 2SKG B20").tokens == ("B20", "2MM", "25KG")


def test_ean_printed_in_the_line_wins():
    match = match_line(INDEX, "Fuga biała szara EAN 5904411000046")
    assert (match.product_id, match.method, match.auto) == (4, MatchMethod.EAN, True)
    assert eans_in("EAN 59O4411000046") == ("5904411000046",)


def test_line_missing_the_distinguishing_attribute_is_a_suggestion_not_automatic():
    match = match_line(INDEX, "FUGA ELAST. CE40 2KG")
    assert match.product_id in {4, 5} and match.auto is False
    assert {pid for pid, _ in match.alternatives} & {4, 5}


def test_low_scores_and_foreign_words_suggest_no_product():
    assert match_line(INDEX, "WODA MINERALNA 1,5L").product_id is None
    competitor = match_line(INDEX, "KLEJ CERAFIX ELASTIK C2TE 25KG")
    assert competitor.product_id is None and competitor.auto is False
    assert competitor.alternatives  # the reviewer still sees what it resembles


def test_partner_names_are_tried_first():
    named = dataclasses.replace(PRODUCTS[2], partner_names={3: ("KLEJ SZARY WOREK",)})
    index = CatalogueIndex.build([*PRODUCTS[:2], named, *PRODUCTS[3:]])
    match = match_line(index, "KLEJ SZARY WOREK", partner_id=3)
    assert (match.product_id, match.method, match.auto) == (3, MatchMethod.PARTNER_NAME, True)
    assert match_line(index, "KLEJ SZARY WOREK", partner_id=4).method is not MatchMethod.PARTNER_NAME
    fuzzy = match_line(index, "KLEJ SZARY W0REK", partner_id=3)
    assert (fuzzy.product_id, fuzzy.method) == (3, MatchMethod.PARTNER_FUZZY)


def test_learned_alias_makes_the_next_line_match_by_itself():
    printed = "SUPERKLEJ BUDOWLANY XL"
    before = match_line(INDEX, printed, partner_id=3)
    assert not (before.product_id == 3 and before.auto)
    names = learn_alias(PRODUCTS[2], 3, printed)
    assert names == {3: (printed,)}
    assert learn_alias(dataclasses.replace(PRODUCTS[2], partner_names=names), 3, "superklej budowlany xl") == names
    for index in (INDEX.with_partner_names(3, names),
                  CatalogueIndex.build([*PRODUCTS[:2], dataclasses.replace(PRODUCTS[2], partner_names=names),
                                        *PRODUCTS[3:]])):
        after = match_line(index, printed, partner_id=3)
        assert (after.product_id, after.auto, after.method) == (3, True, MatchMethod.PARTNER_NAME)
    assert INDEX.partner_names == {}  # the original index is untouched


def test_normalised_names_fold_case_diacritics_units_and_dimensions():
    assert normalise_name("Płyta G-K 12,5 mm 1,2x2,6") == normalise_name("PLYTA GK 12.5MM 1.2X2.6")
    assert tokenise("870 ml").tokens == tokenise("0,87 L").tokens
    assert tokenise("10 cm").tokens == tokenise("100MM").tokens


@cache
def fixture_index() -> CatalogueIndex:
    rows = load_products()
    return CatalogueIndex.build(Product(r["id"], r["sku"], r["ean"], r["name"], r["unit"], Decimal(r["pack_size"]),
                                        tuple(r["aliases"]), {}, r["points_per_unit"]) for r in rows)


def test_fixture_catalogue_is_large_and_valid():
    rows = load_products()
    assert len(rows) >= 2000 and len({r["sku"] for r in rows}) == len(rows)
    assert all(eans_in(r["ean"]) == (r["ean"],) for r in rows)
    assert len(load_lines()) >= 300


def test_labelled_till_lines_meet_the_accuracy_targets():
    lines = load_lines()
    matches = [match_line(fixture_index(), line["line"]) for line in lines]
    top1 = sum(m.product_id == line["product_id"] for m, line in zip(matches, lines, strict=True)) / len(lines)
    wrong_auto = sum(m.auto and m.product_id != line["product_id"] for m, line in zip(matches, lines, strict=True))
    assert top1 >= 0.95
    assert wrong_auto / len(lines) <= 0.01


def test_the_labelled_files_are_what_the_generator_writes():
    from fixtures.catalogue.generate import TEST_SEED, labelled_lines
    from fixtures.catalogue.products import catalogue

    rows = catalogue()
    assert [r.to_dict() for r in rows] == load_products()
    assert labelled_lines(rows, TEST_SEED, len(load_lines())) == load_lines()
