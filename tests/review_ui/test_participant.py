"""Review UI: the participant's portal — claims, statuses, reasons, balance, uploads."""

from __future__ import annotations

import dataclasses
import io

from redis.exceptions import ConnectionError as RedisConnectionError

from claims.db.engine import transaction
from claims.reasons import reason
from claims.runtime import build_runtime
from claims.services.processing import Outcome, finish_processing, start_processing
from claims.settings import Settings
from review_ui import create_app
from review_ui.previews import placeholder_png
from tests.conftest import migrated_database
from tests.review_ui.helpers import (
    PARTICIPANT,
    PARTICIPANT_2,
    REVIEWER_A,
    Claims,
    RecordingQueue,
    load_ui_programme,
    login,
    png_bytes,
)
from vocabulary.claims import ClaimStatus
from vocabulary.reasons import ReasonCode


def _approve(app, claim_id):
    reviewer = app.test_client()
    login(reviewer, REVIEWER_A)
    reviewer.post(f"/review/claims/{claim_id}/approve")


def test_participant_sees_status_and_balance_on_me(client, app, claims):
    approved = claims.pending(points=120)
    waiting = claims.pending(points=80)
    _approve(app, approved)
    login(client, PARTICIPANT)

    html = client.get("/me").get_data(as_text=True)

    assert 'id="balance">120<' in html
    assert "Zatwierdzone" in html and "Czeka na weryfikację partnera" in html
    assert approved in html and waiting in html
    assert "Naliczenie" in html and "+120" in html
    assert html.index(waiting) < html.index(approved)  # newest first


def test_participant_sees_reasons_in_plain_words(client, claims, runtime):
    claim_id = claims.submit()
    with transaction(runtime.sessions) as session:
        start_processing(session, claim_id)
        finish_processing(session, claim_id, Outcome(status=ClaimStatus.NEEDS_RETAKE, kind="receipt",
                                                     reasons=[reason(ReasonCode.UNREADABLE, blur=0.2)]))
    login(client, PARTICIPANT)

    html = client.get("/me").get_data(as_text=True)

    assert "Wymaga ponownego zdjęcia" in html
    assert "Nie udało się odczytać dokumentu." in html
    assert "blur" not in html  # evidence is for reviewers


def test_participant_sees_rejection_reason_and_comment(client, app, claims):
    claim_id = claims.pending()
    reviewer = app.test_client()
    login(reviewer, REVIEWER_A)
    reviewer.post(
        f"/review/claims/{claim_id}/reject", data={"reason_code": "duplicate", "comment": "już był"}
    )
    login(client, PARTICIPANT)

    html = client.get(f"/me/claims/{claim_id}").get_data(as_text=True)

    assert "Odrzucone" in html
    assert "Ten dokument został już zgłoszony." in html and "już był" in html


def test_participant_claim_page_shows_points_credited(client, app, claims):
    claim_id = claims.pending(points=75)
    _approve(app, claim_id)
    login(client, PARTICIPANT)

    html = client.get(f"/me/claims/{claim_id}").get_data(as_text=True)

    assert 'id="points-credited">75<' in html
    assert "/documents/" in html


def test_participant_cannot_open_another_participants_claim(client, claims):
    theirs = claims.pending(participant_email=PARTICIPANT_2)
    login(client, PARTICIPANT)
    assert client.get(f"/me/claims/{theirs}").status_code == 404
    assert theirs not in client.get("/me").get_data(as_text=True)


def test_english_status_labels(client, claims):
    claims.pending()
    login(client, PARTICIPANT)
    assert "Waiting for the partner" in client.get("/me?lang=en").get_data(as_text=True)


def test_upload_creates_a_received_claim_and_enqueues_it(client, claims, claim_queue):
    login(client, PARTICIPANT)

    response = client.post(
        "/me/claims",
        data={"files": [(io.BytesIO(png_bytes()), "1.png"), (io.BytesIO(png_bytes((1, 2, 3))), "2.png")]},
        content_type="multipart/form-data",
    )

    assert response.status_code == 303
    claim_id = response.headers["Location"].rsplit("/", 1)[-1]
    assert claim_queue.enqueued == [claim_id]
    assert claims.status(claim_id) == "received"
    assert len(claims.document_ids(claim_id)) == 2
    assert "Zgłoszenie przyjęte" in client.get(response.headers["Location"]).get_data(as_text=True)


def _code(payload: str) -> str:
    from verification.identifiers import code_check_char

    return payload + code_check_char(payload)


def test_upload_with_product_codes(client, claims, claim_queue):
    login(client, PARTICIPANT)
    first, second = _code("ABCDEFGH234"), _code("QRSTUVWX678")

    response = client.post("/me/claims", data={"codes": f"{first.lower()}\n{second[:4]}-{second[4:]}"})

    claim_id = response.headers["Location"].rsplit("/", 1)[-1]
    assert claims.status(claim_id) == "received"
    assert claim_queue.enqueued == [claim_id]


def test_upload_refuses_unknown_file_type_with_a_clear_message(client, claim_queue):
    login(client, PARTICIPANT)

    response = client.post(
        "/me/claims",
        data={"files": [(io.BytesIO(b"MZ\x90\x00 this is an exe"), "paragon.jpg")]},
        content_type="multipart/form-data",
        follow_redirects=True,
    )

    assert "Plik „paragon.jpg” nie jest zdjęciem, PDF-em ani fakturą KSeF." in response.get_data(as_text=True)
    assert claim_queue.enqueued == []


def test_upload_refuses_files_larger_than_the_limit(runtime, claim_queue):
    settings = dataclasses.replace(runtime.settings, max_upload_bytes=16 * 1024)
    small = dataclasses.replace(runtime, settings=settings)
    client = create_app(small, claim_queue, testing=True).test_client()
    login(client, PARTICIPANT)
    big = io.BytesIO()
    from PIL import Image

    Image.effect_noise((200, 200), 50).save(big, format="PNG")

    response = client.post(
        "/me/claims", data={"files": [(io.BytesIO(big.getvalue()), "duzy.png")]},
        content_type="multipart/form-data", follow_redirects=True,
    )

    assert "Plik „duzy.png” jest za duży" in response.get_data(as_text=True)
    assert claim_queue.enqueued == []


def test_empty_upload_is_refused(client, claim_queue):
    login(client, PARTICIPANT)
    response = client.post("/me/claims", data={"codes": "  "}, follow_redirects=True)
    assert "Dodaj co najmniej jeden plik albo kod produktu." in response.get_data(as_text=True)
    assert claim_queue.enqueued == []


def test_upload_still_succeeds_when_the_queue_is_down(runtime, claims):
    down = RecordingQueue(fail_with=RedisConnectionError("redis is down"))
    client = create_app(runtime, down, testing=True).test_client()
    login(client, PARTICIPANT)

    response = client.post(
        "/me/claims", data={"files": [(io.BytesIO(png_bytes()), "p.png")]}, content_type="multipart/form-data"
    )

    assert response.status_code == 303
    claim_id = response.headers["Location"].rsplit("/", 1)[-1]
    assert claims.status(claim_id) == "received"  # the sweeper will queue it
    assert "Zgłoszenie przyjęte" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_upload_without_queue_leaves_claim_received(runtime, claims):
    client = create_app(runtime, None, testing=True).test_client()
    login(client, PARTICIPANT)
    response = client.post("/me/claims", data={"codes": _code("ABCDEFGH234")})
    assert claims.status(response.headers["Location"].rsplit("/", 1)[-1]) == "received"


def test_upload_and_preview_with_blobs_in_the_sqlite_database(tmp_path):
    """BLOB_URL=db:// on SQLite: storing and reading files must not wait on the request's own write lock."""
    settings = Settings.from_env({"PARAGON_DATA_DIR": str(tmp_path), "SECRET_KEY": "test", "BLOB_URL": "db://"})
    migrated_database(settings.database_url, "ui", load_ui_programme)
    rt = build_runtime(settings)
    try:
        client = create_app(rt, RecordingQueue(), testing=True).test_client()
        login(client, PARTICIPANT)

        files = {"files": [(io.BytesIO(png_bytes()), "p.png")]}
        response = client.post("/me/claims", data=files, content_type="multipart/form-data")

        assert response.status_code == 303
        claim_id = response.headers["Location"].rsplit("/", 1)[-1]
        document_id = Claims(rt).document_ids(claim_id)[0]
        preview = client.get(f"/documents/{document_id}/preview")
        assert preview.status_code == 200 and preview.data != placeholder_png()
    finally:
        rt.close()
