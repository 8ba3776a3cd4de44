"""Review UI, the partner reviewer's tools: queue filters and the SLA, field boxes over the document, field
corrections with an audit trail and recomputed points, bulk approval of claims without warnings."""

from __future__ import annotations

import re

from sqlalchemy import select

from claims.db.models import AuditEvent, Claim, Outlet
from claims.reasons import reason
from tests.review_ui.helpers import AUDITOR, REVIEWER_A, REVIEWER_B, login
from vocabulary.claims import ClaimStatus
from vocabulary.reasons import ReasonCode

WARNING = dict(reason(ReasonCode.UNUSUAL_AMOUNT, scope="outlet", total="9999.00", median="310.5", robust_z=7.2,
                      samples=41, weight=0.3), severity="warning")
INFO = dict(reason(ReasonCode.SELLER_MATCHED_BY_NAME), severity="info")
EXTRACTION = {"kind": "receipt", "items": [], "fields": {
    "total": {"value": "120.00", "confidence": 0.9, "sure": True,
              "boxes": [{"page": 1, "box": [250.0, 480.5, 90.0, 22.0]}]},
    "seller_nip": {"value": "5260250274", "confidence": 0.95, "sure": True,
                   "boxes": [{"page": 1, "box": [40.0, 60.0, 150.0, 20.0]}, {"page": 2, "box": [1, 1, 5, 5]}]},
}}


def _outlet_id(runtime, code: str) -> int:
    with runtime.sessions() as session:
        return session.scalar(select(Outlet.id).where(Outlet.code == code))


def _rows(html: str) -> list[str]:
    return re.findall(r'class="queue-row[^"]*" data-claim-id="([^"]+)"', html)


def test_queue_filters_by_outlet_amount_and_age_oldest_first(client, claims, runtime):
    old_small = claims.pending("A-WAW", total="50.00")
    claims.age(old_small, 60)
    big = claims.pending("A-WAW", total="900.00")
    krakow = claims.pending("A-KRK", total="300.00")
    login(client, REVIEWER_A)

    assert _rows(client.get("/review").get_data(as_text=True)) == [old_small, big, krakow]
    by_outlet = client.get(f"/review?outlet={_outlet_id(runtime, 'A-KRK')}").get_data(as_text=True)
    assert _rows(by_outlet) == [krakow]
    assert _rows(client.get("/review?min_total=100&max_total=500").get_data(as_text=True)) == [krakow]
    assert _rows(client.get("/review?age=48").get_data(as_text=True)) == [old_small]
    other_partners = client.get(f"/review?outlet={_outlet_id(runtime, 'B-LDZ')}").get_data(as_text=True)
    assert len(_rows(other_partners)) == 3  # an outlet the partner cannot see filters nothing, shows nothing more


def test_queue_marks_claims_waiting_longer_than_the_sla(client, claims):
    late = claims.pending()
    claims.age(late, 49)
    fresh = claims.pending()
    login(client, REVIEWER_A)
    html = client.get("/review").get_data(as_text=True)
    assert f'class="queue-row overdue" data-claim-id="{late}"' in html
    assert f'class="queue-row" data-claim-id="{fresh}"' in html
    assert "Termin decyzji: 48 h od zgłoszenia." in html


def test_claim_page_draws_the_boxes_of_page_one_over_the_document(client, claims):
    claim_id = claims.pending()
    claims.read(claim_id, EXTRACTION, width=400, height=600)
    login(client, REVIEWER_A)

    html = client.get(f"/review/claims/{claim_id}").get_data(as_text=True)

    assert 'viewBox="0 0 400.0 600.0"' in html
    assert '<rect class="box" data-field="total" x="250.0" y="480.5" width="90.0" height="22.0">' in html
    assert html.count('class="box" data-field="seller_nip"') == 1  # the page-2 box is not drawn on page 1
    assert 'data-zoom="in"' in html and 'data-rotate="90"' in html and 'src="/static/viewer.js"' in html
    assert 'input id="field-total" name="total" value="120.00" data-field="total"' in html


def test_correcting_the_total_saves_fields_keeps_the_line_points_and_is_audited(client, claims, runtime):
    claim_id = claims.pending(points=120)
    login(client, REVIEWER_A)

    response = client.post(f"/review/claims/{claim_id}/fields",
                           data={"total": "98,50", "document_number": "PAR/124/2026", "time": "12:31"})

    assert response.status_code == 303
    assert "Poprawiono 2 pola." in client.get(response.headers["Location"]).get_data(as_text=True)
    with runtime.sessions() as session:
        claim = session.get(Claim, claim_id)
        assert (claim.fields["total"], claim.fields["document_number"], str(claim.total)) == (
            "98.50", "PAR/124/2026", "98.50")
        assert claim.points_proposed == 120  # points come from the lines, not from a rate on the total
        event = session.scalar(select(AuditEvent).where(AuditEvent.claim_id == claim_id,
                                                        AuditEvent.action == "claim_fields_corrected"))
    assert event.before == {"total": "120.00", "document_number": "PAR/123/2026", "points_proposed": 120}
    assert event.after == {"total": "98.50", "document_number": "PAR/124/2026", "points_proposed": 120}
    client.post(f"/review/claims/{claim_id}/approve")
    assert claims.balance() == 120


def test_a_failed_save_keeps_every_typed_value_and_says_the_expected_format(client, claims, runtime):
    claim_id = claims.pending()
    login(client, REVIEWER_A)
    form = {"total": "dużo", "seller_nip": "1234567890", "date": "31/02/2026", "document_number": "PAR/999/2026"}
    response = client.post(f"/review/claims/{claim_id}/fields", data=form)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    for name, value in form.items():  # every typed value is still in the form, the good one too
        assert re.search(rf'id="field-{name}" name="{name}" value="{re.escape(value)}"', html)
    assert "Kwota w złotych, np. 531,59" in html and "10 cyfr z poprawną cyfrą kontrolną" in html
    assert "Data jako 2026-11-14, 14.11.2026 lub 14/11/2026." in html
    with runtime.sessions() as session:  # nothing was saved, not even the valid number
        assert session.get(Claim, claim_id).fields["document_number"] == "PAR/123/2026"


def test_dates_are_accepted_in_the_three_usual_forms(client, claims, runtime):
    claim_id = claims.pending()
    login(client, REVIEWER_A)
    for typed in ("14/11/2026", "15.11.2026", "2026-11-16"):
        assert client.post(f"/review/claims/{claim_id}/fields", data={"date": typed}).status_code == 303
        with runtime.sessions() as session:
            assert session.get(Claim, claim_id).fields["date"] == f"2026-11-{typed[:2] if '-' not in typed else '16'}"


def test_too_long_text_is_refused_with_its_limit_not_cut(client, claims, runtime):
    claim_id = claims.pending()
    login(client, REVIEWER_A)
    response = client.post(f"/review/claims/{claim_id}/fields", data={"seller_name": "x" * 5000})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "najwyżej 300 znaków, wpisano 5000" in html
    assert "Poprawiono" not in html and 'value="' + "x" * 5000 + '"' in html
    with runtime.sessions() as session:
        assert session.get(Claim, claim_id).fields["seller_name"] != "x" * 300


def test_approving_with_unsaved_corrections_saves_them_first(client, claims, runtime):
    claim_id = claims.pending(points=120)
    login(client, REVIEWER_A)
    response = client.post(f"/review/claims/{claim_id}/approve", data={"edit-document_number": "PAR/777/2026"})
    assert response.status_code == 303
    with runtime.sessions() as session:
        claim = session.get(Claim, claim_id)
        assert claim.status == "approved" and claim.fields["document_number"] == "PAR/777/2026"


def test_a_decision_whose_corrections_cannot_be_saved_is_not_taken(client, claims, runtime):
    claim_id = claims.pending(points=120)
    login(client, REVIEWER_A)
    response = client.post(f"/review/claims/{claim_id}/approve",
                           data={"edit-date": "jutro", "edit-document_number": "PAR/777/2026"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and 'value="jutro"' in html and 'value="PAR/777/2026"' in html
    assert claims.status(claim_id) == "pending_review" and claims.balance() == 0


def test_the_points_a_date_correction_gives_show_before_saving(client, claims, runtime):
    claim_id = claims.pending(points=120)
    login(client, REVIEWER_A)
    answer = client.post(f"/review/claims/{claim_id}/fields/preview", data={"total": "600.00"}).get_json()
    assert answer["points"] == answer["after"] == 120  # the total does not move the points
    page = client.get(f"/review/claims/{claim_id}").get_data(as_text=True)
    assert "Poprawa sumy, numeru, NIP czy nazwy nie zmienia punktów" in page
    assert "Zmiana sumy przelicza punkty" not in page


def test_corrections_follow_who_may_decide(client, app, claims):
    flagged = claims.pending(status=ClaimStatus.FLAGGED)
    theirs = claims.pending("B-LDZ")
    login(client, REVIEWER_A)
    assert client.post(f"/review/claims/{flagged}/fields", data={"total": "1"}).status_code == 403
    assert 'id="fields-form"' not in client.get(f"/review/claims/{flagged}").get_data(as_text=True)
    assert client.post(f"/review/claims/{theirs}/fields", data={"total": "1"}).status_code == 404
    auditor = app.test_client()
    login(auditor, AUDITOR)
    assert auditor.post(f"/review/claims/{flagged}/fields", data={"total": "1"}).status_code == 303
    page = auditor.get(f"/review/claims/{flagged}").get_data(as_text=True)
    assert 'data-action="claim_fields_corrected"' in page  # the audit trail on the claim page


def test_reasons_show_severity_and_evidence_to_reviewers(client, claims):
    claim_id = claims.pending(reasons=[WARNING, INFO])
    login(client, REVIEWER_A)
    html = client.get(f"/review/claims/{claim_id}").get_data(as_text=True)
    assert 'class="badge severity-warning">ostrzeżenie' in html
    assert 'data-reason="unusual_amount" class="warning"' in html
    # evidence as a sentence with formatted amounts, never raw keys
    assert ("Suma 9\u00a0999,00\u00a0zł jest nietypowo wysoka dla tego punktu sprzedaży: mediana to "
            "310,50\u00a0zł z 41 zgłoszeń.") in html
    assert "Waga tego sygnału w ocenie ryzyka: 30%." in html
    assert "robust_z" not in html and "weight" not in html and "<dt>scope</dt>" not in html


def test_bulk_approve_takes_only_clean_claims(client, claims):
    clean = [claims.pending(points=10), claims.pending(points=20, reasons=[INFO])]
    warned = claims.pending(points=30, reasons=[WARNING])
    theirs = claims.pending("B-LDZ", points=40)
    login(client, REVIEWER_A)
    html = client.get("/review").get_data(as_text=True)
    assert all(f'name="claim_id" value="{c}"' in html for c in clean)
    assert f'name="claim_id" value="{warned}"' not in html

    response = client.post("/review/bulk-approve", data={"claim_id": [*clean, warned, theirs]},
                           follow_redirects=True)

    page = response.get_data(as_text=True)
    assert "Zatwierdzono 2 zgłoszenia." in page and "Pominięto 2 zgłoszenia" in page
    assert [claims.status(c) for c in clean] == ["approved", "approved"]
    assert claims.status(warned) == "pending_review" and claims.status(theirs) == "pending_review"
    assert claims.balance() == 30


def test_bulk_approve_by_note_takes_claims_whose_only_notes_are_informational(client, claims):
    uncertain = dict(reason(ReasonCode.UNCERTAIN_FIELDS, fields=["date"]), severity="info")
    capped = dict(reason(ReasonCode.POINTS_CAPPED), severity="info")
    informational = [claims.pending(points=10, reasons=[uncertain]), claims.pending(points=20, reasons=[uncertain,
                                                                                                         capped])]
    other_note = claims.pending(points=5, reasons=[capped])
    warned = claims.pending(points=30, reasons=[uncertain, WARNING])
    login(client, REVIEWER_A)
    html = client.get("/review?note=uncertain_fields").get_data(as_text=True)
    shown = set(re.findall(r'data-claim-id="([0-9a-f-]+)"', html))
    assert shown == {*informational, warned}  # the filter: claims with that note
    assert all(f'name="claim_id" value="{c}"' in html for c in informational)
    assert f'name="claim_id" value="{warned}"' not in html  # a warning needs opening
    assert 'data-note="uncertain_fields">niepewny odczyt pól</span>' in html and 'class="note note-warning"' in html
    assert "uncertain_fields</" not in html  # the note in words, not its code
    client.post("/review/bulk-approve", data={"claim_id": informational})
    assert [claims.status(c) for c in informational] == ["approved", "approved"]
    assert claims.status(other_note) == claims.status(warned) == "pending_review"
    assert client.get("/review?note=bogus").status_code == 200


def test_partner_b_cannot_bulk_approve_partner_a_claims(client, claims):
    mine_a = claims.pending()
    login(client, REVIEWER_B)
    client.post("/review/bulk-approve", data={"claim_id": [mine_a]})
    assert claims.status(mine_a) == "pending_review"
