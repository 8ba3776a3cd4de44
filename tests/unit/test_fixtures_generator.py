"""Tests for the synthetic document generator in ``fixtures``."""

from __future__ import annotations

import datetime as dt
import io
import json
import random
from decimal import Decimal
from pathlib import Path

import numpy as np
import pdfplumber
import pytest
from PIL import Image

from fixtures.camera import degrade_photo, unreadable_photo
from fixtures.codes import CODE_ALPHABET, code_check_char, ean13_is_valid, random_code
from fixtures.documents import (
    CATALOG,
    VAT_RATES,
    InvoiceItem,
    Item,
    expected_fields,
    make_invoice,
    make_receipt,
    money,
)
from fixtures.generate import PROGRAMME_PATH, load_programme, write_samples
from fixtures.nip import format_nip_dashed, nip_checksum_ok, random_nip
from fixtures.render import pl_amount, render_invoice_pdf, render_invoice_png, render_receipt_pdf, render_receipt_png
from verification.identifiers import code_is_well_formed

SAMPLES = Path(PROGRAMME_PATH).parent / "samples"


def _pdf_text(data: bytes) -> str:
    """All text of a PDF as extracted by pdfplumber."""
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return "\n".join(page.extract_text() or "" for page in pdf.pages)


# --------------------------------------------------------------------------- NIP and codes


@pytest.mark.parametrize("nip", ["1234563218", "123-456-32-18", "PL1234563218", "7680002466"])
def test_nip_checksum_accepts_valid(nip: str) -> None:
    assert nip_checksum_ok(nip)


@pytest.mark.parametrize(
    "nip",
    [
        "1234563217",  # wrong check digit
        "1234567890",  # weighted sum mod 11 == 10: no valid check digit exists
        "123456321",  # too short
        "12345632188",  # too long
        "12345632a8",  # not a digit
        "",
    ],
)
def test_nip_checksum_rejects_invalid(nip: str) -> None:
    assert not nip_checksum_ok(nip)


def test_random_nip_is_valid_and_deterministic() -> None:
    nips = [random_nip(random.Random(seed)) for seed in range(500)]
    assert all(len(n) == 10 and n.isdigit() and n[0] != "0" and nip_checksum_ok(n) for n in nips)
    assert nips == [random_nip(random.Random(seed)) for seed in range(500)]
    assert format_nip_dashed("1234563218") == "123-456-32-18"


def test_product_codes_check_character() -> None:
    rng = random.Random(7)
    for _ in range(200):
        code = random_code(rng)
        assert len(code) == 12 and code_is_well_formed(code)
        assert not set(code) & set("0O1I")
        assert code_is_well_formed(code.lower()) and code_is_well_formed(f"{code[:4]}-{code[4:8]}-{code[8:]}")
        position = rng.randrange(12)
        for replacement in CODE_ALPHABET.replace(code[position], ""):
            assert not code_is_well_formed(code[:position] + replacement + code[position + 1:])
    assert code_check_char("23456789ABC") in CODE_ALPHABET
    assert not code_is_well_formed("O23456789ABC")


def test_ean13() -> None:
    assert ean13_is_valid("5901234123457")
    assert not ean13_is_valid("5901234123458")
    assert not ean13_is_valid("590123412345")


# --------------------------------------------------------------------------- specs


def test_same_seed_same_spec_and_overrides() -> None:
    assert make_receipt(42) == make_receipt(42)
    assert make_invoice(42) == make_invoice(42)
    assert make_receipt(42) != make_receipt(43)
    spec = make_receipt(42, seller_nip="1234563218", date=dt.date(2026, 10, 1))
    assert spec.seller_nip == "1234563218" and spec.date == dt.date(2026, 10, 1)
    assert spec.items == make_receipt(42).items


def test_item_amount_rounds_half_up() -> None:
    assert Item("X", Decimal("3.25"), Decimal("2.29"), "A").amount == Decimal("7.44")  # 7.4425
    assert Item("X", Decimal("0.5"), Decimal("17.49"), "A").amount == Decimal("8.75")  # 8.745


@pytest.mark.parametrize("seed", range(150))
def test_receipt_totals_and_ptu(seed: int) -> None:
    spec = make_receipt(seed)
    assert 1 <= len(spec.items) <= 8
    assert all(Decimal("2") <= i.unit_price <= Decimal("400") for i in spec.items)
    discount = spec.discount or Decimal("0")
    assert spec.total == sum(i.amount for i in spec.items) - discount
    assert sum(spec.taxable_by_letter.values()) == spec.total
    for letter, gross in spec.taxable_by_letter.items():
        rate = VAT_RATES[letter]
        assert spec.ptu_by_letter[letter] == money(gross * rate / (100 + rate))
    assert spec.vat_total == sum(spec.ptu_by_letter.values())


def test_receipt_hand_computed_example() -> None:
    items = (Item("KLEJ DO PLYTEK 25KG", Decimal("2"), Decimal("38.99"), "A"),
             Item("WODA NIEGAZ. 1,5L", Decimal("6"), Decimal("2.49"), "C"))
    spec = make_receipt(1, items=items, discount=Decimal("5.00"))
    assert spec.taxable_by_letter == {"A": Decimal("77.98"), "C": Decimal("9.94")}  # discount on last item
    assert spec.ptu_by_letter == {"A": Decimal("14.58"), "C": Decimal("0.47")}
    assert spec.total == Decimal("87.92") and spec.vat_total == Decimal("15.05")


@pytest.mark.parametrize("seed", range(50))
def test_invoice_totals_per_rate(seed: int) -> None:
    spec = make_invoice(seed)
    for summary in spec.by_rate:
        net = sum(i.net for i in spec.items if i.vat_rate == summary.rate)
        assert summary.net == net and summary.vat == money(net * summary.rate / 100)
    assert spec.gross_total == spec.net_total + spec.vat_total
    assert spec.issue_date >= spec.sale_date and spec.payment_due > spec.issue_date


def test_invoice_line_values() -> None:
    line = InvoiceItem("CEMENT 25KG", Decimal("10"), "szt", Decimal("17.06"), 23)
    assert (line.net, line.vat, line.gross) == (Decimal("170.60"), Decimal("39.24"), Decimal("209.84"))


def test_expected_fields_shape() -> None:
    keys = {"kind", "seller_name", "seller_nip", "buyer_nip", "date", "time", "document_number", "total",
            "vat_total", "currency", "items"}
    receipt, invoice = make_receipt(3), make_invoice(3)
    for spec, kind in ((receipt, "receipt"), (invoice, "invoice")):
        fields = expected_fields(spec)
        wanted = keys | ({"issue_date"} if kind == "invoice" else set())
        assert set(fields) == wanted and fields["kind"] == kind and fields["currency"] == "PLN"
        assert fields["total"] == f"{spec.total:.2f}" and fields["vat_total"] == f"{spec.vat_total:.2f}"
        assert set(fields["items"][0]) == {"name", "qty", "unit_price", "amount", "vat_rate"}
    assert expected_fields(receipt)["date"] == receipt.date.isoformat()
    assert expected_fields(invoice)["date"] == invoice.sale_date.isoformat()  # the purchase date
    assert expected_fields(invoice)["issue_date"] == invoice.issue_date.isoformat()


def test_polish_amount_format() -> None:
    assert pl_amount(Decimal("1234.5")) == "1234,50"
    assert pl_amount(Decimal("1234567.891"), " ") == "1 234 567,89"
    assert pl_amount(Decimal("-5")) == "-5,00"


# --------------------------------------------------------------------------- rendering


def test_rendering_is_deterministic() -> None:
    receipt, invoice = make_receipt(11), make_invoice(11)
    png = render_receipt_png(receipt)
    assert png == render_receipt_png(make_receipt(11))
    assert render_receipt_pdf(receipt) == render_receipt_pdf(make_receipt(11))
    assert render_invoice_pdf(invoice) == render_invoice_pdf(make_invoice(11))
    assert render_invoice_png(invoice) == render_invoice_png(make_invoice(11))
    damage = {"rotation_deg": 3, "perspective": 0.05, "blur": 1, "shadow": 0.5, "noise": 0.02, "crumple": 0.5}
    photo = degrade_photo(png, 5, **damage)
    assert photo == degrade_photo(png, 5, **damage)
    assert photo != degrade_photo(png, 6, **damage)
    assert unreadable_photo(3) == unreadable_photo(3)


def test_receipt_png_geometry() -> None:
    image = Image.open(io.BytesIO(render_receipt_png(make_receipt(12))))
    assert image.format == "PNG" and image.width == 576 and image.height > image.width
    assert Image.open(io.BytesIO(render_receipt_png(make_receipt(12), dpi_scale=1.5))).width == 864


def test_photo_is_jpeg_on_darker_background() -> None:
    photo = Image.open(io.BytesIO(degrade_photo(render_receipt_png(make_receipt(13)), 1, rotation_deg=3)))
    assert photo.format == "JPEG"
    pixels = np.asarray(photo.convert("L"), dtype=np.float32)
    assert pixels[:10, :10].mean() < 120 < pixels[pixels.shape[0] // 2, pixels.shape[1] // 2 - 100:].max()


def test_unreadable_photo_is_dark_and_featureless() -> None:
    pixels = np.asarray(Image.open(io.BytesIO(unreadable_photo(1))).convert("L"), dtype=np.float32)
    assert pixels.mean() < 60
    assert np.abs(np.diff(pixels, axis=1)).mean() < 8  # no sharp edges such as text strokes


def test_receipt_pdf_text_extracts() -> None:
    spec = make_receipt(21, buyer_nip="1234563218")
    text = _pdf_text(render_receipt_pdf(spec))
    assert "SUMA PLN" in text and pl_amount(spec.total) in text
    assert spec.seller_nip in text or format_nip_dashed(spec.seller_nip) in text
    assert "PARAGON FISKALNY" in text and "SPRZEDAŻ OPODATKOWANA" in text
    assert "NIP nabywcy: 1234563218" in text


def test_invoice_pdf_text_extracts() -> None:
    spec = make_invoice(22)
    text = _pdf_text(render_invoice_pdf(spec))
    assert f"Faktura VAT nr {spec.number}" in text
    assert format_nip_dashed(spec.seller.nip) in text and format_nip_dashed(spec.buyer.nip) in text
    assert f"Do zapłaty: {pl_amount(spec.gross_total, ' ')} PLN" in text
    assert "Data sprzedaży" in text and "Wartość" in text


# --------------------------------------------------------------------------- demo programme and samples


def test_demo_programme_is_valid() -> None:
    programme = load_programme()
    campaign = programme["campaign"]
    assert campaign["code"] == "BUDUJ2026" and campaign["starts_on"] == "2026-01-01"
    partners = programme["partners"]
    outlets = [o for p in partners for o in p["outlets"]]
    assert len(partners) == 3 and all(1 <= len(p["outlets"]) <= 2 for p in partners)
    participants = [u for u in programme["users"] if u["role"] == "participant"]
    participant_nips = [u["participant"]["company_nip"] for u in participants]
    assert all(nip_checksum_ok(n) for n in [p["nip"] for p in partners] + [o["nip"] for o in outlets]
               + participant_nips)
    assert len({o["nip"] for o in outlets}) == len(outlets)
    assert len({o["code"] for o in outlets}) == len(outlets)
    catalog_names = {e.name for e in CATALOG}
    products = programme["products"]
    assert len(products) >= 25 and len({p["sku"] for p in products}) == len(products)
    assert all(ean13_is_valid(p["ean"]) and p["ean"].startswith("590") for p in products)
    assert all(p["name"] in catalog_names for p in products)
    codes = [c["code"] for c in programme["product_codes"]]
    assert len(codes) == 10 == len(set(codes)) and all(code_is_well_formed(c) for c in codes)


def test_demo_users() -> None:
    programme = load_programme()
    users = programme["users"]
    roles = [u["role"] for u in users]
    assert roles.count("participant") == 2 and roles.count("auditor") == 1 and roles.count("admin") == 1
    assert sorted(u["partner"] for u in users if u["role"] == "partner_reviewer") == sorted(
        p["code"] for p in programme["partners"])
    assert all(u["email"].endswith("@example.com") and u["password"] for u in users)
    assert "jan.uczestnik@example.com" in {u["email"] for u in users}


def test_manifest_entries() -> None:
    programme = load_programme()
    manifest = json.loads((SAMPLES / "manifest.json").read_text(encoding="utf-8"))
    outlet_nips = {o["nip"] for p in programme["partners"] for o in p["outlets"]}
    all_codes = {c["code"] for c in programme["product_codes"]}
    emails = {u["email"] for u in programme["users"] if u["role"] == "participant"}
    statuses = [e["expect_status"] for e in manifest]
    # "refused": the unreadable photo is turned away at upload by the quality gate.
    assert statuses.count("pending_review") == 6 and {"rejected", "refused", "approved"} <= set(statuses)
    for entry in manifest:
        assert entry["participant"] in emails
        for name in entry["files"]:
            assert (SAMPLES / name).is_file() and (SAMPLES / name).stat().st_size < 150_000
        assert set(entry["product_codes"]) <= all_codes
        fields = entry["expect_fields"]
        if fields:
            assert (SAMPLES / f"{entry['name']}.expected.json").is_file()
            assert "2026-01-01" <= fields["date"] <= "2026-11-20"
            assert (fields["seller_nip"] in outlet_nips) == (entry["expect_status"] == "pending_review")
    codes_entry = next(e for e in manifest if e["product_codes"])
    assert codes_entry["files"] == [] and len(codes_entry["product_codes"]) == 2


def test_generate_is_deterministic(tmp_path: Path) -> None:
    first = write_samples(tmp_path / "a", log=lambda _: None)
    second = write_samples(tmp_path / "b", log=lambda _: None)
    assert first == second
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert names == sorted(p.name for p in (tmp_path / "b").iterdir())
    for name in names:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
