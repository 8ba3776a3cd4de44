"""The participant's account without the command line: profile, password change that ends the other sessions,
password reset by e-mail (one hour, once, the same answer for any address), data download and deletion."""

from __future__ import annotations

import email
import io
import json
import re
import zipfile
from email import policy

from sqlalchemy import select

from claims.db.after_commit import install_handler
from claims.db.engine import transaction
from claims.db.models import AuditEvent, LedgerEntry, Participant, User
from claims.services.accounts import end_other_sessions
from claims.services.passwords import (
    RESET_LINK_SECONDS,
    RESET_TOPIC,
    ResetMail,
    reset_message,
    reset_token,
    user_for_reset_token,
)
from tests.review_ui.helpers import PARTICIPANT, PASSWORD, REVIEWER_A, login

SECRET = "test"  # the review UI tests' SECRET_KEY


def _user(runtime, email_address: str = PARTICIPANT) -> User:
    with runtime.sessions() as session:
        return session.scalar(select(User).where(User.email == email_address))


def _token(runtime, now: float | None = None) -> str:
    return reset_token(SECRET, _user(runtime), now)


def _logged_in(app):
    client = app.test_client()
    assert login(client, PARTICIPANT).status_code == 303
    return client


# ---- profile ---------------------------------------------------------------------------------------------


def test_the_profile_keeps_name_company_nip_delivery_address_and_phone(client, runtime):
    login(client, PARTICIPANT)
    saved = client.post("/me/account", data={"name": "Jan K.", "company_name": "JK Instalacje",
                                             "company_nip": "PL 526-025-02-74", "phone": "+48 600 100 200",
                                             "delivery_address": "ul. Prosta 5\n  00-001 Warszawa  "})
    assert saved.status_code == 303
    html = client.get("/me/account").get_data(as_text=True)
    assert 'value="Jan K."' in html and 'value="5260250274"' in html and 'value="+48 600 100 200"' in html
    assert "ul. Prosta 5\n00-001 Warszawa</textarea>" in html
    with runtime.sessions() as session:
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "profile_changed"))
        assert set(event.after["fields"]) == {"name", "company_name", "company_nip", "delivery_address", "phone"}


def test_a_refused_profile_comes_back_as_typed_with_the_reason(client):
    login(client, PARTICIPANT)
    answer = client.post("/me/account", data={"name": "Jan", "company_name": "JK", "company_nip": "1234567890",
                                              "phone": "zadzwoń", "delivery_address": "ul. Długa 1"})
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422 and 'value="1234567890"' in html and "ul. Długa 1" in html
    assert "NIP" in html


def test_the_account_page_shows_each_consent_with_when_it_was_given(client):
    login(client, PARTICIPANT)
    html = client.get("/me/account").get_data(as_text=True)
    assert 'data-consent="rules"' in html and "Wyrażona " in html and "(treść w wersji 2026-01)" in html


# ---- password change and the other sessions -------------------------------------------------------------


def test_changing_the_password_keeps_this_session_and_ends_every_other(app):
    here, elsewhere = _logged_in(app), _logged_in(app)

    wrong = here.post("/me/password", data={"current": "nie to", "password": "nowe-haslo-99",
                                            "password_again": "nowe-haslo-99"})
    assert wrong.status_code == 422 and "Hasło jest nieprawidłowe." in wrong.get_data(as_text=True)
    changed = here.post("/me/password", data={"current": PASSWORD, "password": "nowe-haslo-99",
                                              "password_again": "nowe-haslo-99"})

    assert changed.status_code == 303
    assert here.get("/me").status_code == 200
    assert elsewhere.get("/me").status_code == 302  # sent to the login page
    assert login(app.test_client(), PARTICIPANT, "nowe-haslo-99").status_code == 303


def test_ending_other_sessions_logs_out_every_session_the_caller_does_not_renew(app, runtime):
    first, second = _logged_in(app), _logged_in(app)
    with transaction(runtime.sessions) as session:
        user = session.scalar(select(User).where(User.email == PARTICIPANT))
        before = user.session_version
        assert end_other_sessions(session, user) == before + 1
    assert first.get("/me").status_code == 302 and second.get("/me").status_code == 302


# ---- password reset ----------------------------------------------------------------------------------------


def test_asking_for_a_link_answers_the_same_for_any_address_and_mails_only_an_account(app, runtime):
    handed_over: list[int] = []
    install_handler(runtime.sessions, RESET_TOPIC, handed_over.append)
    answers = [app.test_client().post("/password/forgot", data={"email": address})
               for address in (PARTICIPANT, "nikogo-takiego@example.pl")]

    assert [a.status_code for a in answers] == [200, 200]
    known, unknown = (re.sub(r'name="csrf_token" value="[^"]*"', "", a.get_data(as_text=True)) for a in answers)
    assert known.replace(PARTICIPANT, "") == unknown.replace("nikogo-takiego@example.pl", "")
    assert "Jeśli konto z tym adresem istnieje" in known
    assert handed_over == [_user(runtime).id]  # after the commit, and only for the real account


def test_the_reset_email_carries_a_working_link_valid_for_an_hour(runtime):
    mail = ResetMail(SECRET, "https://program.example.pl/")
    with runtime.sessions() as session:
        message = reset_message(session, _user(runtime).id, mail)
    assert message.to == PARTICIPANT and message.subject == "Ustawienie nowego hasła w programie"
    link = next(line for line in message.body.splitlines() if line.startswith("https://"))
    assert link.startswith("https://program.example.pl/password/reset/")
    assert "Link działa jeden raz, przez 60 minut." in message.body
    with runtime.sessions() as session:
        assert user_for_reset_token(session, SECRET, link.rsplit("/", 1)[1]).email == PARTICIPANT


def test_the_worker_writes_the_reset_email_into_the_outbox(runtime):
    from workers import runtime as worker_runtime
    from workers.notify import send_password_reset

    worker_runtime.install(runtime)
    assert send_password_reset(_user(runtime).id) == "sent by outbox"
    [written] = (runtime.settings.data_dir / "outbox").glob("user-*.eml")
    message = email.message_from_bytes(written.read_bytes(), policy=policy.default)
    assert message["To"] == PARTICIPANT and "/password/reset/" in message.get_content()


def test_a_reset_link_works_once_and_ends_every_session(app, runtime):
    elsewhere = _logged_in(app)
    token = _token(runtime)
    visitor = app.test_client()
    assert 'id="reset-form"' in visitor.get(f"/password/reset/{token}").get_data(as_text=True)

    done = visitor.post(f"/password/reset/{token}", data={"password": "po-resecie-1",
                                                          "password_again": "po-resecie-1"})
    again = visitor.post(f"/password/reset/{token}", data={"password": "drugi-raz-22",
                                                           "password_again": "drugi-raz-22"})

    assert done.status_code == 303 and done.headers["Location"].endswith("/login")
    assert again.status_code == 400 and "nieważny lub został już użyty" in again.get_data(as_text=True)
    assert elsewhere.get("/me").status_code == 302
    assert login(app.test_client(), PARTICIPANT, "po-resecie-1").status_code == 303
    with runtime.sessions() as session:
        assert session.scalar(select(AuditEvent.id).where(AuditEvent.action == "password_reset")) is not None


def test_an_expired_or_forged_link_is_refused_and_changes_nothing(client, runtime):
    import time

    old = _token(runtime, now=time.time() - RESET_LINK_SECONDS - 5)
    user_id, expires, signature = _token(runtime).split(".")
    forged = f"{_user(runtime, REVIEWER_A).id}.{expires}.{signature}"  # another user's number, this signature

    assert client.get(f"/password/reset/{old}").status_code == 410
    assert "wygasł" in client.get(f"/password/reset/{old}").get_data(as_text=True)
    assert client.post(f"/password/reset/{forged}", data={"password": "przejete-1", "password_again": "przejete-1"}
                       ).status_code == 400
    assert login(client, REVIEWER_A).status_code == 303  # the reviewer's password is unchanged


def test_the_login_page_offers_the_reset(client):
    assert 'href="/password/forgot"' in client.get("/login").get_data(as_text=True)


# ---- the data and the account itself ------------------------------------------------------------------


def test_the_participant_downloads_their_data_as_a_zip_from_the_page(client, claims):
    claim_id = claims.pending()
    login(client, PARTICIPANT)
    answer = client.get("/me/data.zip")
    assert answer.status_code == 200 and answer.mimetype == "application/zip"
    data = json.loads(zipfile.ZipFile(io.BytesIO(answer.data)).read("data.json"))
    assert data["account"]["email"] == PARTICIPANT and [c["id"] for c in data["claims"]] == [claim_id]


def test_deleting_the_account_needs_the_tick_and_the_password_then_erases_and_logs_out(client, runtime, claims, app):
    claim_id = claims.pending(points=50)
    reviewer = app.test_client()
    login(reviewer, REVIEWER_A)
    reviewer.post(f"/review/claims/{claim_id}/approve")
    login(client, PARTICIPANT)

    untick = client.post("/me/delete", data={"password": PASSWORD})
    wrong = client.post("/me/delete", data={"password": "nie to", "understood": "yes"})
    assert (untick.status_code, wrong.status_code) == (422, 422) and _user(runtime).active

    done = client.post("/me/delete", data={"password": PASSWORD, "understood": "yes"})

    assert done.status_code == 303 and done.headers["Location"].endswith("/login")
    assert client.get("/me").status_code == 302
    assert _user(runtime) is None  # the e-mail address is gone
    with runtime.sessions() as session:
        entry = session.scalar(select(LedgerEntry).where(LedgerEntry.claim_id == claim_id))
        participant = session.get(Participant, entry.participant_id)
        assert entry.points == 50 and participant.company_name == "" and participant.phone == ""
    assert login(app.test_client(), PARTICIPANT).status_code == 401
