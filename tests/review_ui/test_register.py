"""Review UI, the participant's side: signing up with consents, withdrawing and giving them again, the phone
upload form, the quality gate's messages, the one appeal, the points page."""

from __future__ import annotations

import re

from sqlalchemy import select

from claims.db.models import AuditEvent, Consent, Participant, User
from claims.errors import InvalidInputError
from claims.i18n import translate
from review_ui.participant_upload import quality_problems
from tests.review_ui.helpers import PARTICIPANT, REVIEWER_A, login

VALID = {"email": "Nowy@Example.pl", "password": "dobre-haslo-123", "password_again": "dobre-haslo-123",
         "name": "Piotr Nowy", "company_name": "Nowy Dach sp. z o.o.", "company_nip": "PL 526-025-02-74",
         "consent_rules": "yes", "consent_marketing": "yes"}


def _consents(runtime, email: str) -> list[tuple[str, str, bool]]:
    with runtime.sessions() as session:
        rows = session.scalars(select(Consent).join(Participant).join(User).where(User.email == email)
                               .order_by(Consent.id))
        return [(c.kind, c.text_version, c.withdrawn_at is None) for c in rows]


def test_register_creates_a_logged_in_participant_with_rules_and_chosen_consents(client, runtime):
    page = client.get("/register").get_data(as_text=True)
    assert 'name="consent_rules"' in page and 'name="consent_profiling"' in page and "/rules" in page

    response = client.post("/register", data=VALID)

    assert response.status_code == 303 and response.headers["Location"] == "/me"
    assert "Witamy w programie!" in client.get("/me").get_data(as_text=True)
    with runtime.sessions() as session:
        user = session.scalar(select(User).where(User.email == "nowy@example.pl"))
        profile = session.scalar(select(Participant).where(Participant.user_id == user.id))
        assert (user.role, user.name, profile.company_nip) == ("participant", "Piotr Nowy", "5260250274")
        assert session.scalar(select(AuditEvent.action).where(AuditEvent.actor_user_id == user.id)) == \
            "participant_registered"
    assert _consents(runtime, "nowy@example.pl") == [("rules", "2026-01", True), ("marketing", "2026-01", True)]


def test_register_refuses_bad_nip_missing_rules_and_taken_email_with_polish_messages(client, runtime):
    cases = [
        ({**VALID, "company_nip": "1234567890"}, "NIP jest nieprawidłowy"),
        ({k: v for k, v in VALID.items() if k != "consent_rules"}, "zaakceptuj regulamin"),
        ({**VALID, "email": PARTICIPANT}, "Nie udało się założyć konta z tym adresem e-mail."),  # says not "taken"
        ({**VALID, "password_again": "inne-haslo-123"}, "Hasła nie są takie same."),
        ({**VALID, "password": "krotkie", "password_again": "krotkie"}, "co najmniej 8 znaków"),
    ]
    for form, expected in cases:
        response = client.post("/register", data=form)
        html = response.get_data(as_text=True)
        assert response.status_code == 422, expected
        assert expected in html
        assert 'value="Nowy Dach sp. z o.o."' in html  # what was typed stays (never the password)
        assert "dobre-haslo-123" not in html
    with runtime.sessions() as session:
        assert session.scalar(select(User).where(User.email == "nowy@example.pl")) is None


def test_rules_page_is_public_and_shows_the_version(client):
    html = client.get("/rules").get_data(as_text=True)
    assert "Regulamin programu" in html and "Wersja 2026-01" in html


def test_consent_can_be_withdrawn_and_given_again_as_a_new_record(client, runtime):
    login(client, PARTICIPANT)
    page = client.get("/me/consents").get_data(as_text=True)
    assert 'data-consent="marketing" data-given="no"' in page

    client.post("/me/consents", data={"kind": "marketing", "action": "give"})
    assert 'data-consent="marketing" data-given="yes"' in client.get("/me/consents").get_data(as_text=True)
    response = client.post("/me/consents", data={"kind": "marketing", "action": "withdraw"}, follow_redirects=True)
    assert "Wycofano zgodę: Informacje marketingowe." in response.get_data(as_text=True)
    client.post("/me/consents", data={"kind": "marketing", "action": "give"})

    assert _consents(runtime, PARTICIPANT) == [("rules", "2026-01", True), ("marketing", "2026-01", False),
                                               ("marketing", "2026-01", True)]


def test_rules_consent_cannot_be_withdrawn_on_the_consents_page(client, runtime):
    login(client, PARTICIPANT)
    response = client.post("/me/consents", data={"kind": "rules", "action": "withdraw"}, follow_redirects=True)
    assert "Tej zgody nie można tu zmienić." in response.get_data(as_text=True)
    assert _consents(runtime, PARTICIPANT) == [("rules", "2026-01", True)]
    assert client.post("/me/consents", data={"kind": "marketing", "action": "delete"}).status_code == 400


def test_upload_form_offers_the_camera_and_the_gallery_as_two_actions(client):
    """Issue 15: one input with capture="environment" and PDFs forced the camera on many phones, so a photo
    from the gallery or a PDF e-receipt could not be chosen. The camera and the file are two inputs now."""
    login(client, PARTICIPANT)
    html = client.get("/me").get_data(as_text=True)
    camera = re.search(r'<input id="camera"[^>]*>', html).group(0)
    gallery = re.search(r'<input id="files"[^>]*>', html).group(0)
    assert 'name="files"' in camera and 'accept="image/*"' in camera and 'capture="environment"' in camera
    assert 'name="files"' in gallery and "multiple" in gallery
    accepted = gallery.split('accept="')[1].split('"')[0].split(",")
    assert {"image/*", "application/pdf", ".xml"} <= set(accepted)  # photos, PDF e-receipts, KSeF XML invoices
    assert "capture" not in gallery
    assert "Zrób zdjęcie" in html and "Wybierz plik" in html and 'name="codes"' in html


def test_quality_gate_problems_are_shown_one_by_one_in_the_users_language():
    error = InvalidInputError("photo is poor", code="photo_quality",
                              problems=[{"code": "too_blurry"}, {"code": "too_dark"}, {"code": "too_blurry"}])
    polish, english = quality_problems(error, "pl"), quality_problems(error, "en")
    assert polish == [translate("quality.too_blurry", "pl"), translate("quality.too_dark", "pl")]
    assert polish[0].startswith("Zdjęcie jest nieostre") and polish[1].startswith("Zdjęcie jest za ciemne")
    assert english == [translate("quality.too_blurry", "en"), translate("quality.too_dark", "en")]
    assert english[0].startswith("The photo is blurry")
    assert quality_problems(InvalidInputError("x", code="empty_claim"), "pl") == []


def test_participant_appeals_a_rejection_once(client, app, claims):
    claim_id = claims.pending()
    reviewer = app.test_client()
    login(reviewer, REVIEWER_A)
    reviewer.post(f"/review/claims/{claim_id}/reject", data={"reason_code": "not_our_sale"})
    login(client, PARTICIPANT)
    assert 'id="appeal-form"' in client.get(f"/me/claims/{claim_id}").get_data(as_text=True)

    empty = client.post(f"/me/claims/{claim_id}/appeal", data={"comment": "  "}, follow_redirects=True)
    assert "Napisz, dlaczego decyzja jest błędna." in empty.get_data(as_text=True)
    assert claims.status(claim_id) == "rejected"

    sent = client.post(f"/me/claims/{claim_id}/appeal", data={"comment": "Mam fakturę"}, follow_redirects=True)
    html = sent.get_data(as_text=True)
    assert "Odwołanie wysłane." in html and 'id="appeal-form"' not in html and 'id="appealed"' in html
    assert claims.status(claim_id) == "flagged"
    again = client.post(f"/me/claims/{claim_id}/appeal", data={"comment": "jeszcze raz"}, follow_redirects=True)
    assert "Odwołać się można tylko od odrzuconego" in again.get_data(as_text=True)


def test_points_page_shows_balance_and_every_movement(client, app, claims):
    claim_id = claims.pending(points=40)
    reviewer = app.test_client()
    login(reviewer, REVIEWER_A)
    reviewer.post(f"/review/claims/{claim_id}/approve")
    login(client, PARTICIPANT)

    html = client.get("/me/points").get_data(as_text=True)

    assert 'id="balance">40<' in html and "+40" in html and claim_id[:8] in html
