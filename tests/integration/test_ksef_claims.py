"""KSeF claims through the worker: an e-invoice XML is read exactly, and the same invoice claimed again in any
form (its XML, the PDF of its print), by anyone, is caught."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest
from sqlalchemy import select

from claims.db.ksef_models import DocumentKey
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


def _balance(rt, email: str = "uczestnik@example.com") -> tuple[int, list[tuple[str, str, int]]]:
    from claims.db.models import LedgerEntry
    from claims.ledger import balance
    from claims.services.accounts import participant_of
    from tests.integration.helpers import user

    with rt.sessions() as session:
        participant = participant_of(session, user(rt, email))
        rows = session.execute(select(LedgerEntry.claim_id, LedgerEntry.kind, LedgerEntry.points)
                               .order_by(LedgerEntry.id)).all()
        return balance(session, participant.id), [tuple(row) for row in rows]


def _approved_original(rt, invoice) -> str:
    from claims.db.engine import transaction
    from claims.services.review import decide_claim
    from tests.integration.helpers import user

    original = submit(rt, invoice.xml, "application/xml")
    process_claim(original)
    assert claim(rt, original).points_proposed > 0
    with transaction(rt.sessions) as session:
        decide_claim(session, user(rt, "partner.a@example.com"), original, "approve", "")
    return original


def test_a_correction_that_returns_goods_takes_points_back_by_a_reversal_and_a_new_credit(sqlite_runtime):
    from fixtures.ksef.invoices import correction_of

    seed(sqlite_runtime)
    worker_runtime.install(sqlite_runtime)
    invoice = _invoice(7)
    original = _approved_original(sqlite_runtime, invoice)
    credited, _ = _balance(sqlite_runtime)
    correction = submit(sqlite_runtime, correction_of(invoice, qty_factor=0.5).xml, "application/xml")
    process_claim(correction)
    process_claim(correction)
    result = claim(sqlite_runtime, correction)
    assert result.status == ClaimStatus.APPROVED, result.reasons
    assert result.fields["corrects_claim"] == original
    assert 0 < result.points_proposed < credited
    total, entries = _balance(sqlite_runtime)
    assert entries == [(original, "credit", credited), (original, "reversal", -credited),
                       (correction, "credit", result.points_proposed)]
    assert total == result.points_proposed


def test_a_correction_that_raises_points_waits_for_the_partner_then_moves_them_through_the_ledger(sqlite_runtime):
    from claims.db.engine import transaction
    from claims.services.review import decide_claim
    from fixtures.ksef.invoices import correction_of
    from tests.integration.helpers import user

    seed(sqlite_runtime)
    worker_runtime.install(sqlite_runtime)
    invoice = _invoice(8)
    original = _approved_original(sqlite_runtime, invoice)
    correction = submit(sqlite_runtime, correction_of(invoice, qty_factor=2).xml, "application/xml")
    process_claim(correction)
    result = claim(sqlite_runtime, correction)
    assert result.status == ClaimStatus.PENDING_REVIEW
    assert "correction_of_invoice" in [r["code"] for r in result.reasons]
    assert _balance(sqlite_runtime)[1][-1][1] == "credit" and len(_balance(sqlite_runtime)[1]) == 1
    with transaction(sqlite_runtime.sessions) as session:
        decide_claim(session, user(sqlite_runtime, "partner.a@example.com"), correction, "approve", "")
    total, entries = _balance(sqlite_runtime)
    assert [(e[0], e[1]) for e in entries] == [(original, "credit"), (original, "reversal"), (correction, "credit")]
    assert total == result.points_proposed


def test_a_correction_of_an_invoice_not_in_the_programme_goes_to_an_auditor(sqlite_runtime):
    from fixtures.ksef.invoices import correction_of

    seed(sqlite_runtime)
    worker_runtime.install(sqlite_runtime)
    correction = submit(sqlite_runtime, correction_of(_invoice(9), qty_factor=0.5).xml, "application/xml")
    process_claim(correction)
    result = claim(sqlite_runtime, correction)
    assert result.status == ClaimStatus.FLAGGED
    assert result.reasons[0]["code"] == "correction_without_original"


def test_a_photo_of_packaging_with_a_code_becomes_a_product_code_claim_and_uses_the_code_once(sqlite_runtime):
    import cv2

    from fixtures.ksef.packaging import _label, _symbol
    from fixtures.ksef.prints import qr_image
    from tests.conftest import CODE_50

    seed(sqlite_runtime)
    worker_runtime.install(sqlite_runtime)
    label = _label(_symbol("datamatrix", CODE_50, "5901234123457", 5), random.Random(1))
    ok, jpeg = cv2.imencode(".jpg", label, [cv2.IMWRITE_JPEG_QUALITY, 80])
    first = submit(sqlite_runtime, jpeg.tobytes(), "image/jpeg")
    process_claim(first)
    result = claim(sqlite_runtime, first)
    assert (result.kind, result.status, result.product_codes) == ("product_code", ClaimStatus.APPROVED, [CODE_50])
    assert result.points_proposed == 50
    ok, png = cv2.imencode(".png", qr_image(CODE_50))
    again = submit(sqlite_runtime, png.tobytes(), "image/png", email="drugi@example.com")
    process_claim(again)
    result = claim(sqlite_runtime, again)
    assert result.status == ClaimStatus.REJECTED and result.reasons[0]["code"] == "code_already_used"


def _pending_xml_claim(rt, invoice, email: str = "uczestnik@example.com") -> str:
    claim_id = submit(rt, invoice.xml, "application/xml", email=email)
    process_claim(claim_id)
    assert claim(rt, claim_id).status == ClaimStatus.PENDING_REVIEW
    return claim_id


def _post_sales(rt, email: str, records: list[dict]):
    from claims.db.engine import transaction
    from claims.services.accounts import issue_api_token
    from paragon.web import create_app
    from tests.integration.helpers import user
    from tests.integration.test_api import RecordingQueue

    with transaction(rt.sessions) as session:
        token = issue_api_token(session, user(rt, email))
    client = create_app(rt, RecordingQueue()).test_client()
    return client.post("/api/v1/partner/sales", json={"records": records}, headers={"Authorization": f"Bearer {token}"})


def test_a_partners_sales_record_confirms_the_matching_claim_as_its_decision(sqlite_runtime):
    from claims.db.models import Decision

    seed(sqlite_runtime)
    worker_runtime.install(sqlite_runtime)
    invoice = _invoice(10)
    claim_id = _pending_xml_claim(sqlite_runtime, invoice)
    answer = _post_sales(sqlite_runtime, "partner.a@example.com", [
        {"ksef_number": invoice.ksef_number, "buyer_nip": NIP_PARTICIPANT, "total": str(invoice.total)}])
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["confirmed"] == []  # the XML carries no KSeF number: matched by seller + number below
    answer = _post_sales(sqlite_runtime, "partner.a@example.com", [
        {"seller_nip": NIP_A, "document_number": invoice.number, "issue_date": invoice.issued_on.isoformat(),
         "total": str(invoice.total), "buyer_nip": NIP_PARTICIPANT}])
    assert answer.get_json()["confirmed"] == [claim_id]
    result = claim(sqlite_runtime, claim_id)
    assert result.status == ClaimStatus.APPROVED
    with sqlite_runtime.sessions() as session:
        decision = session.scalar(select(Decision).where(Decision.claim_id == claim_id))
        assert decision.reason_code == "partner_sale_confirms" and decision.actor.email == "partner.a@example.com"
    assert _balance(sqlite_runtime)[0] == result.points_proposed


def test_a_claim_processed_after_the_record_is_confirmed_and_a_contradicting_one_is_flagged_side_by_side(
        sqlite_runtime):
    seed(sqlite_runtime)
    worker_runtime.install(sqlite_runtime)
    agreeing, contradicting = _invoice(11), _invoice(12)
    records = [{"seller_nip": NIP_A, "document_number": inv.number, "issue_date": inv.issued_on.isoformat(),
                "total": str(inv.total), "buyer_nip": NIP_PARTICIPANT} for inv in (agreeing, contradicting)]
    records[1]["total"] = "1.00"
    assert _post_sales(sqlite_runtime, "partner.a@example.com", records).get_json()["stored"] == 2
    first = submit(sqlite_runtime, agreeing.xml, "application/xml")
    second = submit(sqlite_runtime, contradicting.xml, "application/xml")
    process_claim(first)
    process_claim(second)
    assert claim(sqlite_runtime, first).status == ClaimStatus.APPROVED
    flagged = claim(sqlite_runtime, second)
    assert flagged.status == ClaimStatus.FLAGGED and flagged.reasons[0]["code"] == "partner_sale_contradicts"
    assert flagged.reasons[0]["evidence"]["total"] == {"claim": f"{contradicting.total:.2f}", "record": "1.00"}


def test_a_partner_may_not_record_sales_of_another_partners_outlet(sqlite_runtime):
    from tests.conftest import NIP_B

    seed(sqlite_runtime)
    answer = _post_sales(sqlite_runtime, "partner.a@example.com", [
        {"seller_nip": NIP_B, "document_number": "FV/1", "issue_date": "2026-01-02", "total": "10.00",
         "buyer_nip": NIP_PARTICIPANT}])
    assert answer.status_code == 403 and answer.get_json()["error"]["code"] == "not_your_outlet"
    answer = _post_sales(sqlite_runtime, "partner.a@example.com", [{"seller_nip": NIP_A, "buyer_nip": "123"}])
    assert answer.status_code == 422 and answer.get_json()["error"]["code"] == "bad_sale_record"


def test_a_second_correction_replaces_the_first_corrections_points_not_the_originals_again(sqlite_runtime):
    from fixtures.ksef.invoices import correction_of

    seed(sqlite_runtime)
    worker_runtime.install(sqlite_runtime)
    invoice = _invoice(13)
    original = _approved_original(sqlite_runtime, invoice)
    first_kor = correction_of(invoice, qty_factor=0.5, seed=1)
    second_kor = replace(correction_of(invoice, qty_factor=0.25, seed=2), issued_on=first_kor.issued_on)
    first = submit(sqlite_runtime, first_kor.xml, "application/xml")
    process_claim(first)
    second = submit(sqlite_runtime, second_kor.xml, "application/xml")
    process_claim(second)
    result = claim(sqlite_runtime, second)
    assert result.status == ClaimStatus.APPROVED and result.fields["corrects_claim"] == first
    total, entries = _balance(sqlite_runtime)
    assert [(e[0], e[1]) for e in entries] == [(original, "credit"), (original, "reversal"), (first, "credit"),
                                               (first, "reversal"), (second, "credit")]
    assert total == result.points_proposed


def test_the_api_refuses_a_hostile_xml_upload_with_a_reason_code_and_stores_nothing(sqlite_runtime):
    import io

    from sqlalchemy import func

    from claims.db.engine import transaction
    from claims.db.models import Claim
    from claims.services.accounts import issue_api_token
    from fixtures.ksef.hostile import billion_laughs, other_schema
    from paragon.web import create_app
    from tests.integration.helpers import user
    from tests.integration.test_api import RecordingQueue

    seed(sqlite_runtime)
    with transaction(sqlite_runtime.sessions) as session:
        token = issue_api_token(session, user(sqlite_runtime, "uczestnik@example.com"))
    client = create_app(sqlite_runtime, RecordingQueue()).test_client()
    for data, status, code in ((billion_laughs(), 422, "xml_forbidden"), (other_schema(), 415, "unsupported_type")):
        answer = client.post("/api/v1/claims", data={"files": [(io.BytesIO(data), "faktura.xml")]},
                             headers={"Authorization": f"Bearer {token}"}, content_type="multipart/form-data")
        assert (answer.status_code, answer.get_json()["error"]["code"]) == (status, code)
    with sqlite_runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Claim)) == 0


def test_a_correction_raising_points_on_the_participants_own_invoice_waits_for_the_partner_and_says_why(
        sqlite_runtime):
    from fixtures.ksef.invoices import correction_of
    from tests.conftest import small_programme

    programme = small_programme()
    next(u for u in programme["users"] if u["email"] == "uczestnik@example.com")["participant"]["company_nip"] = NIP_A
    seed(sqlite_runtime, programme)
    worker_runtime.install(sqlite_runtime)
    invoice = _invoice(14)
    _approved_original(sqlite_runtime, invoice)
    correction = submit(sqlite_runtime, correction_of(invoice, qty_factor=3).xml, "application/xml")
    process_claim(correction)
    result = claim(sqlite_runtime, correction)
    assert result.status == ClaimStatus.PENDING_REVIEW
    assert "correction_of_own_invoice" in [r["code"] for r in result.reasons]
    assert len(_balance(sqlite_runtime)[1]) == 1  # nothing moved without the partner


def test_an_xml_with_a_qr_code_of_another_hash_is_flagged_and_a_sales_record_does_not_clear_it(sqlite_runtime):
    import cv2

    from claims.db.engine import transaction
    from claims.services.accounts import participant_of
    from claims.services.intake import Upload, submit_claim
    from fixtures.ksef.prints import qr_image
    from ocr.ksef.links import invoice_link
    from tests.integration.helpers import user

    seed(sqlite_runtime)
    worker_runtime.install(sqlite_runtime)
    invoice = _invoice(15)
    forged_hash = "A" * 43  # the QR code of a print that is not this XML's
    ok, png = cv2.imencode(".png", qr_image(invoice_link(invoice.seller_nip, invoice.issued_on, forged_hash)))
    with transaction(sqlite_runtime.sessions) as session:
        participant = participant_of(session, user(sqlite_runtime, "uczestnik@example.com"))
        uploads = [Upload("f.xml", "application/xml", invoice.xml), Upload("qr.png", "image/png", png.tobytes())]
        claim_id = submit_claim(session, sqlite_runtime.blobs, participant, uploads, []).id
    process_claim(claim_id)
    flagged = claim(sqlite_runtime, claim_id)
    assert flagged.status == ClaimStatus.FLAGGED
    mismatch = next(r for r in flagged.reasons if r["code"] == "ksef_hash_mismatch")
    assert (mismatch["evidence"]["xml_hash"], mismatch["evidence"]["qr_hash"]) == (invoice.hash, forged_hash)
    answer = _post_sales(sqlite_runtime, "partner.a@example.com", [
        {"seller_nip": NIP_A, "document_number": invoice.number, "issue_date": invoice.issued_on.isoformat(),
         "total": str(invoice.total), "buyer_nip": NIP_PARTICIPANT}])
    assert answer.get_json()["noted"] == [claim_id] and answer.get_json()["confirmed"] == []
    still = claim(sqlite_runtime, claim_id)
    assert still.status == ClaimStatus.FLAGGED and still.reasons[-1]["code"] == "partner_sale_confirms"
