"""KSeF claims through the worker: an e-invoice XML is read exactly, and the same invoice claimed again in any
form (its XML, the PDF of its print), by anyone, is caught."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from claims.db.models import DocumentKey
from fixtures.documents import CATALOG
from fixtures.ksef.invoices import make_invoice
from fixtures.ksef.prints import invoice_pdf
from tests.conftest import NIP_A, NIP_PARTICIPANT, RECENT
from tests.integration.helpers import seed
from tests.integration.test_workers import claim, submit
from vocabulary.claims import ClaimStatus
from workers import runtime as worker_runtime
from workers.jobs import process_claim

pytestmark = pytest.mark.integration
NAMES = [entry.name for entry in CATALOG]


def _invoice(seed_: int = 5):
    return make_invoice(seed_, seller_nip=NIP_A, buyer_nip=NIP_PARTICIPANT, issued_on=RECENT, products=NAMES)


def test_an_xml_claim_is_read_exactly_and_goes_to_its_partner(runtime):
    seed(runtime)
    worker_runtime.install(runtime)
    invoice = _invoice()
    claim_id = submit(runtime, invoice.xml, "application/xml")
    assert process_claim(claim_id) == "processed" and process_claim(claim_id) == "nothing to do"
    result = claim(runtime, claim_id)
    assert result.status == ClaimStatus.PENDING_REVIEW
    assert result.fields["seller_nip"] == NIP_A and result.fields["total"] == f"{invoice.total:.2f}"
    assert result.fields["xml_hash"] == invoice.hash and result.fields["invoice_type"] == "VAT"
    assert len(result.fields["items"]) == len(invoice.lines) == len(result.lines)
    with runtime.sessions() as session:
        keys = set(session.scalars(select(DocumentKey.key).where(DocumentKey.claim_id == claim_id)))
    assert f"ksef:{invoice.hash}" in keys


def test_the_pdf_print_of_an_invoice_already_claimed_as_xml_is_a_duplicate_for_another_participant(sqlite_runtime):
    seed(sqlite_runtime)
    worker_runtime.install(sqlite_runtime)
    invoice = _invoice(6)
    first = submit(sqlite_runtime, invoice.xml, "application/xml")
    process_claim(first)
    second = submit(sqlite_runtime, invoice_pdf(invoice), "application/pdf", email="drugi@example.com")
    process_claim(second)
    result = claim(sqlite_runtime, second)
    assert result.status == ClaimStatus.REJECTED
    duplicate = next(r for r in result.reasons if r["code"] == "duplicate")
    assert duplicate["evidence"]["prior_claim"] == first and duplicate["evidence"]["other_participant"]
    assert result.fields["qr_hash"] == invoice.hash and result.fields["ksef_number"] == invoice.ksef_number


def test_a_hostile_xml_upload_ends_in_needs_retake_with_its_code_on_the_document(sqlite_runtime):
    from claims.db.models import Document
    from fixtures.ksef.hostile import billion_laughs

    seed(sqlite_runtime)
    worker_runtime.install(sqlite_runtime)
    claim_id = submit(sqlite_runtime, billion_laughs(), "application/xml")
    process_claim(claim_id)
    assert claim(sqlite_runtime, claim_id).status == ClaimStatus.NEEDS_RETAKE
    with sqlite_runtime.sessions() as session:
        assert session.scalar(select(Document.error_code).where(Document.claim_id == claim_id)) == "xml_forbidden"
