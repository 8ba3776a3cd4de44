"""The participant's phone, through Flask's test client: a better photo for the same claim, the upload's JSON
answers for the page's script, the light endpoints an open page polls, the points moment, the points history in
words, forms that keep what was typed, and the installable app's files."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import select

from claims.db.engine import transaction
from claims.db.models import Claim, Document, Participant, User
from claims.errors import ConflictError, NotFoundError
from claims.reasons import reason
from claims.services.intake import IntakeLimits, Submission, Upload, add_documents
from claims.services.processing import Outcome, finish_processing, save_reading, start_processing
from tests.review_ui.helpers import PARTICIPANT, PARTICIPANT_2, REVIEWER_A, login, pdf_bytes, png_bytes
from vocabulary.claims import ClaimStatus
from vocabulary.reasons import ReasonCode

JSON = {"Accept": "application/json"}


def _needs_retake(runtime, claims, **submit) -> str:
    claim_id = claims.submit(**submit)
    with transaction(runtime.sessions) as session:
        start_processing(session, claim_id)
        finish_processing(session, claim_id, Outcome(status=ClaimStatus.NEEDS_RETAKE, kind="receipt",
                                                     reasons=[reason(ReasonCode.NO_TOTAL)], fields={"date": "x"}))
    return claim_id


def _approve(app, claim_id: str) -> None:
    reviewer = app.test_client()
    login(reviewer, REVIEWER_A)
    reviewer.post(f"/review/claims/{claim_id}/approve")


def _submission(*colours) -> Submission:
    return Submission(uploads=tuple(Upload(f"dol-{n}.png", "image/png", png_bytes(c)) for n, c in enumerate(colours)),
                      codes=())


# ---- a better photo for the same claim ---------------------------------------------------------------


def test_a_better_photo_joins_the_same_claim_after_its_pages_and_is_read_again(runtime, claims, claim_queue, app):
    claim_id = _needs_retake(runtime, claims)
    client = app.test_client()
    login(client, PARTICIPANT)
    page = client.get(f"/me/claims/{claim_id}").get_data(as_text=True)
    assert 'id="retake-form"' in page and "Dodaj lepsze zdjęcie" in page
    assert "dolnej części dokumentu" in page  # no total: the next step names the bottom part
    queued_before = list(claim_queue.enqueued)

    answer = client.post(f"/me/claims/{claim_id}/documents",
                         data={"files": [(io.BytesIO(png_bytes((10, 10, 10))), "dol.png")]},
                         headers=JSON, content_type="multipart/form-data")

    assert answer.status_code == 202 and answer.get_json()["url"] == f"/me/claims/{claim_id}"
    assert claim_queue.enqueued == [*queued_before, claim_id]  # handed over after the commit, as a new claim is
    with runtime.sessions() as session:
        stored = session.get(Claim, claim_id)
        assert stored.status == ClaimStatus.RECEIVED and stored.reasons == [] and stored.fields == {}
        assert [(d.position, d.filename) for d in stored.documents] == [(0, "paragon.png"), (1, "dol.png")]


def test_a_pdf_that_needs_a_retake_gets_the_button_too(runtime, claims, client):
    claim_id = _needs_retake(runtime, claims, data=pdf_bytes(1), media_type="application/pdf", filename="e.pdf")
    login(client, PARTICIPANT)
    assert 'id="retake-form"' in client.get(f"/me/claims/{claim_id}").get_data(as_text=True)


def test_only_a_claim_waiting_for_a_photo_takes_one_and_only_its_owners(runtime, claims):
    waiting, pending = _needs_retake(runtime, claims), claims.pending()
    limits = IntakeLimits(max_bytes=10_000_000, max_files=2)
    with transaction(runtime.sessions) as session:
        owner = session.scalar(select(Participant).join(User).where(User.email == PARTICIPANT))
        other = session.scalar(select(Participant).join(User).where(User.email == PARTICIPANT_2))
        with pytest.raises(NotFoundError):
            add_documents(session, runtime.blobs, other, waiting, _submission((1, 1, 1)), limits)
        with pytest.raises(ConflictError) as conflict:
            add_documents(session, runtime.blobs, owner, pending, _submission((1, 1, 1)), limits)
        assert conflict.value.code == "not_needs_retake"
        with pytest.raises(Exception) as too_many:
            add_documents(session, runtime.blobs, owner, waiting, _submission((1, 1, 1), (2, 2, 2)), limits)
        assert too_many.value.code == "too_many_files"
    assert claims.status(waiting) == ClaimStatus.NEEDS_RETAKE and len(claims.document_ids(waiting)) == 1


def test_a_better_photo_for_a_claim_not_waiting_for_one_is_refused_in_words(claims, client):
    claim_id = claims.pending()
    login(client, PARTICIPANT)
    answer = client.post(f"/me/claims/{claim_id}/documents", headers=JSON, content_type="multipart/form-data",
                         data={"files": [(io.BytesIO(png_bytes()), "x.png")]})
    assert answer.status_code == 409
    assert answer.get_json()["error"]["message"] == "To zgłoszenie nie czeka na nowe zdjęcie."


# ---- the upload's answers for the page's script -------------------------------------------------------


def test_the_script_gets_202_with_the_claims_page_and_pages_in_the_order_sent(runtime, client, claim_queue):

    login(client, PARTICIPANT)
    answer = client.post("/me/claims", headers=JSON, content_type="multipart/form-data", data={"files": [
        (io.BytesIO(png_bytes((200, 0, 0))), "gora.png"), (io.BytesIO(png_bytes((0, 200, 0))), "srodek.png"),
        (io.BytesIO(png_bytes((0, 0, 200))), "dol.png")]})
    assert answer.status_code == 202
    claim_id = answer.get_json()["id"]
    assert answer.get_json()["url"] == f"/me/claims/{claim_id}" and claim_queue.enqueued == [claim_id]
    with runtime.sessions() as session:
        names = session.scalars(select(Document.filename).where(Document.claim_id == claim_id)
                                .order_by(Document.position))
        assert list(names) == ["gora.png", "srodek.png", "dol.png"]


def test_the_script_gets_every_reason_a_photo_was_refused_in_the_users_language(client):

    from tests.hostile.photos import dark_photo

    login(client, PARTICIPANT)
    answer = client.post("/me/claims?lang=en", headers=JSON, content_type="multipart/form-data",
                         data={"files": [(io.BytesIO(dark_photo(3)), "ciemne.jpg")]})
    error = answer.get_json()["error"]
    assert answer.status_code == 422 and error["code"] == "photo_quality"
    assert error["problems"] and error["problems"][0].startswith("The photo is too dark")


# ---- what an open page polls --------------------------------------------------------------------------


def test_the_claims_fingerprint_moves_with_each_step_and_answers_304_while_nothing_changes(runtime, claims, client):
    claim_id = claims.submit()
    login(client, PARTICIPANT)

    first = client.get(f"/me/claims/{claim_id}/live").get_json()
    assert (first["status"], first["stage"], first["pace"]) == ("received", "received", "work")
    same = client.get(f"/me/claims/{claim_id}/live", headers={"If-None-Match": f'"{first["version"]}"'})
    assert same.status_code == 304 and same.data == b""

    with transaction(runtime.sessions) as session:
        start_processing(session, claim_id)
    reading = client.get(f"/me/claims/{claim_id}/live").get_json()
    with transaction(runtime.sessions) as session:
        save_reading(session, claims.document_ids(claim_id)[0], {"pages": []}, {"fields": {}}, None)
    checking = client.get(f"/me/claims/{claim_id}/live").get_json()
    with transaction(runtime.sessions) as session:
        finish_processing(session, claim_id, Outcome(status=ClaimStatus.PENDING_REVIEW, kind="receipt"))
    waiting = client.get(f"/me/claims/{claim_id}/live").get_json()

    assert [s["stage"] for s in (reading, checking, waiting)] == ["reading", "checking", "waiting"]
    assert len({first["version"], reading["version"], checking["version"], waiting["version"]}) == 4
    assert waiting["pace"] == "review"


def test_the_lists_fingerprint_moves_with_a_new_claim_and_with_points_and_rests_when_nothing_can_change(
        runtime, claims, client, app):
    login(client, PARTICIPANT)
    empty = client.get("/me/live").get_json()
    assert empty["pace"] == "idle"
    claim_id = claims.pending(points=30)
    waiting = client.get("/me/live").get_json()
    _approve(app, claim_id)
    credited = client.get("/me/live").get_json()
    assert len({empty["version"], waiting["version"], credited["version"]}) == 3
    assert (waiting["pace"], credited["pace"]) == ("review", "idle")


def test_another_participants_claim_is_not_found_by_the_poll_either(claims, client):
    theirs = claims.pending(participant_email=PARTICIPANT_2)
    login(client, PARTICIPANT)
    assert client.get(f"/me/claims/{theirs}/live").status_code == 404


# ---- the points moment and the history in words ------------------------------------------------------


def test_an_approval_is_announced_once_with_the_shop_the_date_and_the_new_balance(claims, client, app):
    claim_id = claims.pending(points=75)
    login(client, PARTICIPANT)
    assert 'id="points-notice"' not in client.get("/me").get_data(as_text=True)
    _approve(app, claim_id)

    first = client.get(f"/me/claims/{claim_id}").get_data(as_text=True)
    again = client.get("/me").get_data(as_text=True)

    assert 'id="points-notice"' in first and "Przyznaliśmy Ci 75 pkt!" in first
    assert "Za zakup: Hurtownia A Warszawa, Warszawa, 2026-03-14." in first and 'id="notice-balance">75<' in first
    assert 'id="points-notice"' not in again and 'id="balance">75<' in again


def test_the_points_history_names_the_shop_and_the_date_instead_of_a_claim_number(claims, client, app):
    claim_id = claims.pending(points=40)
    _approve(app, claim_id)
    login(client, PARTICIPANT)
    for path in ("/me/points", "/me"):
        html = client.get(path).get_data(as_text=True)
        visible = re.sub(r"<[^>]+>", " ", html)
        assert "Hurtownia A Warszawa, Warszawa, 2026-03-14" in visible
        assert claim_id[:8] not in visible


# ---- forms keep what was typed ---------------------------------------------------------------------------


def test_registration_after_a_nip_error_keeps_every_field_and_tick_but_the_passwords(client):
    form = {"email": "dekarz@example.pl", "password": "tajne-haslo-1", "password_again": "tajne-haslo-1",
            "name": "Monika Dekarz", "company_name": "Dekarz sp. z o.o.", "company_nip": "1234567890",
            "consent_rules": "yes", "consent_profiling": "yes"}
    answer = client.post("/register", data=form)
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422
    for value in ("dekarz@example.pl", "Monika Dekarz", "Dekarz sp. z o.o.", "1234567890"):
        assert f'value="{value}"' in html
    assert re.search(r'name="consent_rules" value="yes" required checked', html)
    assert re.search(r'name="consent_profiling" value="yes" checked', html)
    assert not re.search(r'name="consent_marketing" value="yes" checked', html)
    assert "tajne-haslo-1" not in html


def test_the_codes_box_keeps_the_good_lines_and_marks_the_bad_one(client, claim_queue):
    login(client, PARTICIPANT)
    typed = "ABCDEFGH234M\nQRSTUVWX678M\nZŁY-KOD\n"
    answer = client.post("/me/claims", data={"codes": typed})
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422 and claim_queue.enqueued == []
    assert "ABCDEFGH234M\nQRSTUVWX678M\nZŁY-KOD" in html  # nothing typed is lost
    assert 'aria-invalid="true"' in html and 'data-line="3"' in html and "ZŁY-KOD" in html
    assert 'data-line="1"' not in html and "Poprawne wiersze (2) zostały w polu." in html


# ---- installable ---------------------------------------------------------------------------------------


def test_the_app_can_be_installed_with_icons_a_service_worker_and_an_offline_page(client):
    manifest = client.get("/manifest.webmanifest")
    assert manifest.mimetype == "application/manifest+json"
    body = manifest.get_json()
    assert body["start_url"] == "/me" and body["display"] == "standalone"
    for icon in body["icons"]:
        assert client.get(icon["src"]).status_code == 200
    assert {i["sizes"] for i in body["icons"]} >= {"192x192", "512x512"} and any(
        i["purpose"] == "maskable" for i in body["icons"])
    worker = client.get("/sw.js")
    assert worker.status_code == 200 and worker.headers["Service-Worker-Allowed"] == "/"
    assert "'/offline'" in worker.get_data(as_text=True)
    offline = client.get("/offline").get_data(as_text=True)
    assert "Brak połączenia" in offline and "csrf" not in offline
    login(client, PARTICIPANT)
    assert 'rel="manifest"' in client.get("/me").get_data(as_text=True)
