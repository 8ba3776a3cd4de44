"""Review UI: logging in and out, roles, CSRF, security headers, error pages, language."""

from __future__ import annotations

from claims.db.engine import transaction
from claims.db.models import User
from tests.review_ui.helpers import (
    ADMIN,
    AUDITOR,
    PARTICIPANT,
    REVIEWER_A,
    csrf_token_from,
    login,
)


def test_login_with_hashed_password_sends_reviewer_to_queue(client, runtime):
    with runtime.sessions() as session:
        stored = session.query(User).filter_by(email=REVIEWER_A).one().password_hash
    assert stored.startswith("scrypt$")  # the database never holds the password itself

    response = login(client, REVIEWER_A)

    assert response.status_code == 303
    assert response.headers["Location"] == "/review"
    assert client.get("/review").status_code == 200


def test_login_sends_participant_to_their_claims(client):
    response = login(client, PARTICIPANT)
    assert response.headers["Location"] == "/me"


def test_login_sends_auditor_and_admin_to_queue(client, app):
    assert login(client, AUDITOR).headers["Location"] == "/review"
    other = app.test_client()
    assert login(other, ADMIN).headers["Location"] == "/review"


def test_wrong_password_fails_and_leaves_user_anonymous(client):
    response = login(client, REVIEWER_A, password="wrong password")

    assert response.status_code == 401
    assert "Nieprawidłowy e-mail lub hasło." in response.get_data(as_text=True)
    assert client.get("/review").headers["Location"].startswith("/login")


def test_unknown_email_fails_like_a_wrong_password(client):
    response = login(client, "nobody@example.pl")
    assert response.status_code == 401
    assert "Nieprawidłowy e-mail lub hasło." in response.get_data(as_text=True)


def test_deactivated_user_is_logged_out_on_next_request(client, runtime):
    login(client, REVIEWER_A)
    with transaction(runtime.sessions) as session:
        session.query(User).filter_by(email=REVIEWER_A).one().active = False

    response = client.get("/review")

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_anonymous_user_is_redirected_to_login(client):
    for path in ("/review", "/me", "/review/claims/x", "/documents/1/preview", "/documents/1/original"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.headers["Location"].startswith("/login"), path


def test_login_returns_to_the_requested_local_page_only(client):
    response = login(client, REVIEWER_A, next="/review?status=approved")
    assert response.headers["Location"] == "/review?status=approved"

    client.post("/logout")
    response = login(client, REVIEWER_A, next="//evil.example/phish")
    assert response.headers["Location"] == "/review"


def test_root_redirects_to_login_or_the_roles_home(client):
    assert client.get("/").headers["Location"] == "/login"
    login(client, PARTICIPANT)
    assert client.get("/").headers["Location"] == "/me"


def test_participant_cannot_open_review_queue(client):
    login(client, PARTICIPANT)

    response = client.get("/review")

    assert response.status_code == 403
    assert "Nie masz dostępu do tej strony." in response.get_data(as_text=True)


def test_reviewer_cannot_open_participant_portal(client):
    login(client, REVIEWER_A)
    assert client.get("/me").status_code == 403
    assert client.post("/me/claims", data={"codes": "ABC"}).status_code == 403


def test_logout_ends_the_session(client):
    login(client, REVIEWER_A)

    response = client.post("/logout")

    assert response.headers["Location"] == "/login"
    assert client.get("/review").status_code == 302


def test_logout_is_not_a_get(client):
    login(client, REVIEWER_A)
    assert client.get("/logout").status_code == 405
    assert client.get("/review").status_code == 200


def test_post_without_csrf_token_is_refused(csrf_app, claims):
    claim_id = claims.pending()
    client = csrf_app.test_client()

    refused_login = client.post("/login", data={"email": REVIEWER_A, "password": "correct horse battery"})
    assert refused_login.status_code == 400
    assert "Formularz wygasł" in refused_login.get_data(as_text=True)

    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    assert login(client, REVIEWER_A, csrf_token=token).status_code == 303

    refused_approve = client.post(f"/review/claims/{claim_id}/approve")
    assert refused_approve.status_code == 400
    assert claims.status(claim_id) == "pending_review"
    assert claims.balance() == 0


def test_forms_carry_csrf_tokens_that_are_accepted(csrf_app, claims):
    claim_id = claims.pending()
    client = csrf_app.test_client()
    login(client, REVIEWER_A, csrf_token=csrf_token_from(client.get("/login").get_data(as_text=True)))

    page = client.get(f"/review/claims/{claim_id}").get_data(as_text=True)
    response = client.post(f"/review/claims/{claim_id}/approve", data={"csrf_token": csrf_token_from(page)})

    assert response.status_code == 303
    assert claims.status(claim_id) == "approved"


def test_csrf_protect_is_exposed_for_the_api_blueprint(app):
    from flask_wtf.csrf import CSRFProtect

    assert isinstance(app.extensions["csrf"], CSRFProtect)
    assert app.extensions["paragon"] is not None


def test_security_headers_present_on_every_response(client):
    responses = [client.get("/login"), client.get("/nowhere"), client.get("/static/app.css")]
    login(client, REVIEWER_A)
    responses.append(client.get("/review"))
    for response in responses:
        csp = response.headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp
        assert "script-src 'self'" in csp and "style-src 'self'" in csp
        assert "frame-ancestors 'none'" in csp and "form-action 'self'" in csp
        assert "img-src 'self' data: blob:" in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["Referrer-Policy"] == "same-origin"


def test_session_cookie_is_httponly_and_lax(client):
    response = login(client, REVIEWER_A)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_pages_have_no_inline_scripts_or_styles(client, claims):
    claim_id = claims.pending()
    login(client, REVIEWER_A)
    for path in ("/review", f"/review/claims/{claim_id}"):
        html = client.get(path).get_data(as_text=True)
        assert "<script>" not in html and "style=" not in html and "<style" not in html


def test_error_pages_are_polish_and_never_show_a_stack_trace(csrf_app):
    def broken():
        raise RuntimeError("secret internals")

    csrf_app.add_url_rule("/boom", "boom", broken)
    client = csrf_app.test_client()

    not_found = client.get("/nie-ma-takiej-strony")
    assert not_found.status_code == 404
    assert "Nie znaleziono strony." in not_found.get_data(as_text=True)

    failed = client.get("/boom")
    body = failed.get_data(as_text=True)
    assert failed.status_code == 500
    assert "Wystąpił błąd po naszej stronie" in body
    assert "Traceback" not in body and "secret internals" not in body


def test_language_switch_to_english_is_remembered(client):
    assert "Zaloguj się" in client.get("/login").get_data(as_text=True)
    assert "Log in" in client.get("/login?lang=en").get_data(as_text=True)
    assert "Log in" in client.get("/login").get_data(as_text=True)
    login(client, REVIEWER_A)
    assert "Claims to review" in client.get("/review").get_data(as_text=True)
