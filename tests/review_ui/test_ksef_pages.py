"""The KSeF pages: the e-invoice card on the review screen, and the partner's sales records upload (CSV)."""

from __future__ import annotations

import io

import pytest

from tests.review_ui.helpers import RecordingQueue, login

pytestmark = pytest.mark.integration


@pytest.fixture
def app(sqlite_runtime):
    from paragon.web import create_app
    from tests.integration.helpers import seed

    seed(sqlite_runtime)
    return create_app(sqlite_runtime, RecordingQueue(), testing=True)


def test_a_partner_uploads_a_csv_of_its_sales_and_sees_what_it_confirmed(app, sqlite_runtime):
    from fixtures.ksef.invoices import make_invoice
    from tests.conftest import NIP_A, NIP_PARTICIPANT, RECENT
    from tests.integration.test_ksef_claims import _pending_xml_claim, claim
    from workers import runtime as worker_runtime

    worker_runtime.install(sqlite_runtime)
    invoice = make_invoice(40, seller_nip=NIP_A, buyer_nip=NIP_PARTICIPANT, issued_on=RECENT,
                           products=["KLEJ DO PLYTEK 25KG"])
    claim_id = _pending_xml_claim(sqlite_runtime, invoice)
    client = app.test_client()
    assert login(client, "partner.a@example.com", "haslo-partnera-a").status_code == 303
    csv_text = ("ksef_number;seller_nip;document_number;issue_date;total;buyer_nip\n"
                f";{NIP_A};{invoice.number};{invoice.issued_on};{invoice.total};{NIP_PARTICIPANT}\n")
    page = client.post("/review/sales", data={"file": (io.BytesIO(csv_text.encode()), "sprzedaz.csv")},
                       content_type="multipart/form-data")
    assert page.status_code == 200
    assert b'id="sales-confirmed">1<' in page.data
    assert claim(sqlite_runtime, claim_id).status == "approved"


def test_a_csv_row_with_a_bad_buyer_is_refused_with_its_row(app):
    client = app.test_client()
    assert login(client, "partner.a@example.com", "haslo-partnera-a").status_code == 303
    csv_text = "seller_nip;document_number;issue_date;total;buyer_nip\n5260250274;FV/1;2026-01-02;10.00;123\n"
    page = client.post("/review/sales", data={"file": (io.BytesIO(csv_text.encode()), "s.csv")},
                       content_type="multipart/form-data")
    assert page.status_code == 422 and b"Wiersz 2" in page.data


def test_the_review_screen_shows_an_xml_invoice_as_a_table_with_its_verification_link(app, sqlite_runtime):
    from fixtures.ksef.invoices import make_invoice
    from tests.conftest import NIP_A, NIP_PARTICIPANT, RECENT
    from tests.integration.test_ksef_claims import _pending_xml_claim
    from workers import runtime as worker_runtime

    worker_runtime.install(sqlite_runtime)
    invoice = make_invoice(41, lines=3, seller_nip=NIP_A, buyer_nip=NIP_PARTICIPANT, issued_on=RECENT,
                           products=["KLEJ DO PLYTEK 25KG"])
    claim_id = _pending_xml_claim(sqlite_runtime, invoice)
    client = app.test_client()
    assert login(client, "partner.a@example.com", "haslo-partnera-a").status_code == 303
    page = client.get(f"/review/claims/{claim_id}").get_data(as_text=True)
    assert 'id="ksef-lines"' in page and all(line.gtin in page for line in invoice.lines)
    assert f'href="{invoice.link}"' in page and 'rel="noopener noreferrer"' in page


def test_the_phone_upload_page_offers_xml_and_a_live_code_scanner_hidden_until_the_browser_has_one(app):
    client = app.test_client()
    assert login(client, "uczestnik@example.com", "haslo-uczestnika").status_code == 303
    page = client.get("/me").get_data(as_text=True)
    assert "application/xml" in page and "scan.js" in page
    assert 'id="scan-codes"' in page and 'data-scan-codes' in page
    button = page[page.index('id="scan-codes"') - 20:page.index('id="scan-codes"') + 300]
    assert " hidden" in button  # shown by scan.js only where BarcodeDetector exists
    assert client.get("/static/scan.js").status_code == 200
