"""Review UI: the partner queue, the claim page, approving, rejecting and reversing."""

from __future__ import annotations

import time

from claims.db.models import Decision
from tests.review_ui.helpers import AUDITOR, PARTICIPANT, REVIEWER_A, REVIEWER_B, login
from vocabulary.claims import ClaimStatus


def test_partner_sees_only_its_own_claims_in_queue(client, claims):
    mine = [claims.pending("A-WAW"), claims.pending("A-KRK")]
    theirs = claims.pending("B-LDZ")
    login(client, REVIEWER_A)

    html = client.get("/review").get_data(as_text=True)

    assert all(claim_id in html for claim_id in mine)
    assert theirs not in html
    assert "Skład B" not in html


def test_partner_gets_404_on_other_partners_claim_page_and_document(client, claims):
    theirs = claims.pending("B-LDZ")
    document_id = claims.document_ids(theirs)[0]
    login(client, REVIEWER_A)

    assert client.get(f"/review/claims/{theirs}").status_code == 404
    assert client.get(f"/documents/{document_id}/preview").status_code == 404
    assert client.get(f"/documents/{document_id}/original").status_code == 404
    assert client.post(f"/review/claims/{theirs}/approve").status_code == 404
    assert claims.status(theirs) == "pending_review"


def test_unknown_claim_and_document_are_404_in_polish(client):
    login(client, REVIEWER_A)
    response = client.get("/review/claims/00000000-0000-0000-0000-000000000000")
    assert response.status_code == 404
    assert "Nie znaleziono strony." in response.get_data(as_text=True)
    assert client.get("/documents/999999/preview").status_code == 404


def test_queue_lists_oldest_first_with_the_columns_reviewers_need(client, claims):
    first = claims.pending("A-WAW")
    time.sleep(0.01)
    second = claims.pending("A-KRK")
    login(client, REVIEWER_A)

    html = client.get("/review").get_data(as_text=True)

    assert html.index(first) < html.index(second)
    for text in ("Hurtownia A Warszawa", "5260250274", "2026-03-14", "120,00\u00a0zł", "120",
                 "Czeka na weryfikację partnera"):
        assert text in html


def test_queue_filters_by_outlet_and_status(client, claims):
    warsaw = claims.pending("A-WAW")
    krakow = claims.pending("A-KRK")
    login(client, REVIEWER_A)

    by_outlet = client.get("/review?outlet=A-KRK").get_data(as_text=True)
    assert krakow in by_outlet and warsaw not in by_outlet

    client.post(f"/review/claims/{warsaw}/approve")
    approved = client.get("/review?status=approved").get_data(as_text=True)
    assert warsaw in approved and krakow not in approved
    assert warsaw not in client.get("/review").get_data(as_text=True)


def test_claim_page_shows_document_fields_outlet_and_points(client, claims):
    claim_id = claims.pending("A-WAW", points=120)
    document_id = claims.document_ids(claim_id)[0]
    login(client, REVIEWER_A)

    html = client.get(f"/review/claims/{claim_id}").get_data(as_text=True)

    assert f'src="/documents/{document_id}/preview"' in html
    for text in ("Hurtownia A Warszawa", "PAR/123/2026", 'value="22.44"', "karta", "Klej do płytek 25 kg",
                 "Partner: <strong>Hurtownia A</strong>", 'id="points-proposed">120<', 'id="approve-form"',
                 'name="reason_code"', "Podejrzenie nadużycia"):
        assert text in html


def test_approve_via_form_credits_points_exactly_once(client, claims):
    claim_id = claims.pending(points=120)
    login(client, REVIEWER_A)

    first = client.post(f"/review/claims/{claim_id}/approve", follow_redirects=True)
    assert "Zgłoszenie zatwierdzone" in first.get_data(as_text=True)
    assert claims.status(claim_id) == "approved"
    assert claims.balance() == 120

    second = client.post(f"/review/claims/{claim_id}/approve")
    assert second.status_code == 303
    assert second.headers["Location"] == f"/review/claims/{claim_id}"
    page = client.get(second.headers["Location"]).get_data(as_text=True)
    assert "To zgłoszenie zostało już rozpatrzone." in page
    assert claims.balance() == 120


def test_after_a_decision_reviewer_lands_on_the_next_claim(client, claims):
    first = claims.pending("A-WAW")
    time.sleep(0.01)
    second = claims.pending("A-KRK")
    login(client, REVIEWER_A)

    response = client.post(f"/review/claims/{first}/approve")

    assert response.headers["Location"] == f"/review/claims/{second}"
    page = client.get(f"/review/claims/{second}").get_data(as_text=True)
    assert 'id="next-claim"' not in page


def test_claim_page_links_next_and_previous_claims_for_keyboard(client, claims):
    first = claims.pending("A-WAW")
    time.sleep(0.01)
    second = claims.pending("A-WAW")
    login(client, REVIEWER_A)

    page = client.get(f"/review/claims/{first}").get_data(as_text=True)

    assert f'id="next-claim" href="/review/claims/{second}"' in page
    assert 'src="/static/keys.js"' in page
    script = client.get("/static/keys.js").get_data(as_text=True)
    assert "approve-form" in script and "reject-reason" in script and "next-claim" in script


def test_reject_requires_a_valid_reason_code(client, claims):
    claim_id = claims.pending()
    login(client, REVIEWER_A)

    for code in ("", "confirmed", "made_up"):
        response = client.post(f"/review/claims/{claim_id}/reject", data={"reason_code": code})
        assert response.status_code == 303
        page = client.get(response.headers["Location"]).get_data(as_text=True)
        assert "Wybierz powód odrzucenia z listy." in page
        assert claims.status(claim_id) == "pending_review"


def test_reject_with_reason_records_decision_and_credits_nothing(client, claims, runtime):
    claim_id = claims.pending()
    login(client, REVIEWER_A)

    response = client.post(
        f"/review/claims/{claim_id}/reject", data={"reason_code": "not_our_sale", "comment": "brak w bazie"}
    )

    assert response.status_code == 303
    assert claims.status(claim_id) == "rejected"
    assert claims.balance() == 0
    with runtime.sessions() as session:
        decision = session.query(Decision).filter_by(claim_id=claim_id).one()
    assert (decision.action, decision.reason_code) == ("reject", "not_our_sale")
    assert decision.comment == "brak w bazie"
    page = client.get(f"/review/claims/{claim_id}").get_data(as_text=True)
    assert "Odrzucenie" in page and "Weryfikator A" in page and "brak w bazie" in page


def test_auditor_can_reverse_an_approved_claim_and_balance_goes_back(client, app, claims):
    claim_id = claims.pending(points=120)
    login(client, REVIEWER_A)
    client.post(f"/review/claims/{claim_id}/approve")
    assert claims.balance() == 120
    assert "reverse-form" not in client.get(f"/review/claims/{claim_id}").get_data(as_text=True)

    auditor = app.test_client()
    login(auditor, AUDITOR)
    page = auditor.get(f"/review/claims/{claim_id}").get_data(as_text=True)
    assert "Cofnij zatwierdzenie" in page

    response = auditor.post(f"/review/claims/{claim_id}/reverse", data={"comment": "faktura korygująca"})

    assert response.status_code == 303
    assert claims.status(claim_id) == "reversed"
    assert claims.balance() == 0
    again = auditor.post(f"/review/claims/{claim_id}/reverse", data={"comment": "jeszcze raz"})
    assert "Cofnąć można tylko zatwierdzone" in auditor.get(again.headers["Location"]).get_data(as_text=True)
    assert claims.balance() == 0


def test_partner_cannot_reverse(client, claims):
    claim_id = claims.pending()
    login(client, REVIEWER_A)
    client.post(f"/review/claims/{claim_id}/approve")

    assert client.post(f"/review/claims/{claim_id}/reverse", data={"comment": "x"}).status_code == 403
    assert claims.status(claim_id) == "approved"


def test_flagged_claims_go_to_auditors_not_partners(client, app, claims):
    claim_id = claims.pending("A-WAW", status=ClaimStatus.FLAGGED)
    login(client, REVIEWER_A)
    assert claim_id not in client.get("/review").get_data(as_text=True)
    page = client.get(f"/review/claims/{claim_id}").get_data(as_text=True)
    assert 'id="approve-form"' not in page
    assert client.post(f"/review/claims/{claim_id}/approve").status_code == 403

    auditor = app.test_client()
    login(auditor, AUDITOR)
    assert claim_id in auditor.get("/review").get_data(as_text=True)
    auditor.post(f"/review/claims/{claim_id}/approve")
    assert claims.status(claim_id) == "approved"


def test_auditor_sees_claims_of_every_partner(client, claims):
    ids = [claims.pending("A-WAW"), claims.pending("B-LDZ")]
    login(client, AUDITOR)
    html = client.get("/review").get_data(as_text=True)
    assert all(claim_id in html for claim_id in ids)


def test_other_partner_cannot_decide_by_posting(client, claims):
    claim_id = claims.pending("A-WAW")
    login(client, REVIEWER_B)
    response = client.post(f"/review/claims/{claim_id}/reject", data={"reason_code": "not_our_sale"})
    assert response.status_code == 404
    assert claims.status(claim_id) == "pending_review"


def test_participant_cannot_decide(client, claims):
    claim_id = claims.pending()
    login(client, PARTICIPANT)
    assert client.post(f"/review/claims/{claim_id}/approve").status_code == 403
    assert claims.balance() == 0
