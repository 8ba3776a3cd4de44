"""Golden tests: generated Polish receipts and invoices, rendered, read back and compared."""

from __future__ import annotations

import random
import shutil

import pytest

from fixtures.camera import degrade_photo
from fixtures.documents import expected_fields, make_invoice, make_receipt
from fixtures.render import render_invoice_pdf, render_invoice_png, render_receipt_pdf, render_receipt_png
from ocr import extract_fields, read_document

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract is not installed"),
]
KEY_FIELDS = ("seller_nip", "date", "total")


def _check(data: bytes, spec: object) -> None:
    expected = expected_fields(spec)
    extraction = extract_fields(read_document(data))
    assert str(extraction.kind) == expected["kind"]
    got = {name: extraction.value(name) for name in KEY_FIELDS}
    if expected["kind"] == "invoice":
        assert extraction.value("issue_date") == expected["issue_date"]
        assert extraction.value("buyer_nip") == expected["buyer_nip"]
    assert got == {name: expected[name] for name in KEY_FIELDS}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_receipt_png(seed):
    spec = make_receipt(seed)
    _check(render_receipt_png(spec), spec)


@pytest.mark.parametrize("seed", [4, 5])
def test_receipt_pdf(seed):
    spec = make_receipt(seed)
    _check(render_receipt_pdf(spec), spec)


@pytest.mark.parametrize("seed", [6, 7, 8])
def test_receipt_photo(seed):
    spec = make_receipt(seed)
    rng = random.Random(seed)
    photo = degrade_photo(
        render_receipt_png(spec),
        seed,
        rotation_deg=rng.uniform(-5, 5),
        perspective=0.04,
        blur=0.6,
        shadow=0.3,
        jpeg_quality=80,
        noise=0.01,
        crumple=0.2,
    )
    _check(photo, spec)


@pytest.mark.parametrize("seed", [1, 2])
def test_invoice_pdf(seed):
    spec = make_invoice(seed)
    _check(render_invoice_pdf(spec), spec)


def test_invoice_scan():
    spec = make_invoice(3)
    _check(render_invoice_png(spec), spec)
