"""Review UI, the admin's accounts page: staff accounts with a password shown once, deactivation, password
resets, API tokens issued once and revoked; each change audited, never with a secret in it."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from claims.db.models import ApiToken, AuditEvent, Partner, User
from claims.errors import AuthenticationError
from claims.services.accounts import user_for_token
from tests.review_ui.helpers import ADMIN, AUDITOR, PARTICIPANT_2, REVIEWER_B, login


def _secret(html: str) -> str:
    return re.search(r'<code class="secret" id="secret">([^<]+)</code>', html).group(1)


def _user_id(runtime, email: str) -> int:
    with runtime.sessions() as session:
        return session.scalar(select(User.id).where(User.email == email))


def _actions(runtime) -> list[tuple[str, dict | None]]:
    with runtime.sessions() as session:
        rows = session.execute(select(AuditEvent.action, AuditEvent.after).order_by(AuditEvent.id))
        return [(action, after) for action, after in rows if action.startswith(("user_", "api_token"))]


def test_admin_creates_a_reviewer_whose_password_is_shown_once(client, app, runtime):
    login(client, ADMIN)
    with runtime.sessions() as session:
        partner_id = session.scalar(select(Partner.id).where(Partner.code == "HURT-B"))

    response = client.post("/admin/users/new", data={"email": "Nowa@Hurtownia-B.pl", "name": "Nowa Weryfikatorka",
                                                     "role": "partner_reviewer", "partner_id": str(partner_id)})

    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    password = _secret(response.get_data(as_text=True))
    newcomer = app.test_client()
    assert login(newcomer, "nowa@hurtownia-b.pl", password=password).headers["Location"] == "/review"
    with runtime.sessions() as session:
        user = session.scalar(select(User).where(User.email == "nowa@hurtownia-b.pl"))
        assert (user.role, user.partner_id) == ("partner_reviewer", partner_id)
    ((action, after),) = _actions(runtime)
    assert action == "user_created" and after["email"] == "nowa@hurtownia-b.pl" and password not in str(after)
    assert "nowa@hurtownia-b.pl" in client.get("/admin/users?q=hurtownia-b").get_data(as_text=True)


def test_new_account_form_refuses_a_reviewer_without_partner_a_taken_email_and_participants(client, runtime):
    login(client, ADMIN)
    cases = [
        ({"email": "x@example.pl", "name": "X", "role": "partner_reviewer"}, "partner_id",
         "To pole jest wymagane."),
        ({"email": REVIEWER_B, "name": "X", "role": "auditor"}, "email", "Konto z tym adresem e-mail już istnieje."),
        ({"email": "x@example.pl", "name": "X", "role": "participant"}, "role", "Nieprawidłowa wartość."),
    ]
    for form, field, message in cases:
        response = client.post("/admin/users/new", data=form)
        assert response.status_code == 422
        assert f'id="e-{field}">{message}<' in response.get_data(as_text=True), field
    assert _actions(runtime) == []


def test_deactivated_account_cannot_log_in_and_its_sessions_end(client, app, runtime):
    reviewer = app.test_client()
    login(reviewer, REVIEWER_B)
    login(client, ADMIN)
    user_id = _user_id(runtime, REVIEWER_B)

    response = client.post(f"/admin/users/{user_id}/active", data={"active": "0"}, follow_redirects=True)

    assert "Konto dezaktywowane" in response.get_data(as_text=True)
    assert reviewer.get("/review").status_code == 302
    assert login(app.test_client(), REVIEWER_B).status_code == 401
    client.post(f"/admin/users/{user_id}/active", data={"active": "1"})
    assert login(app.test_client(), REVIEWER_B).status_code == 303
    assert [a for a, _ in _actions(runtime)] == ["user_deactivated", "user_activated"]


def test_admin_cannot_deactivate_their_own_account(client, runtime):
    login(client, ADMIN)
    admin_id = _user_id(runtime, ADMIN)
    assert 'id="active-form"' not in client.get(f"/admin/users/{admin_id}").get_data(as_text=True)

    response = client.post(f"/admin/users/{admin_id}/active", data={"active": "0"}, follow_redirects=True)

    assert "Nie możesz dezaktywować własnego konta." in response.get_data(as_text=True)
    assert client.get("/admin/users").status_code == 200


def test_reset_password_gives_a_new_one_once(client, app, runtime):
    login(client, ADMIN)
    user_id = _user_id(runtime, AUDITOR)

    response = client.post(f"/admin/users/{user_id}/password")

    password = _secret(response.get_data(as_text=True))
    assert login(app.test_client(), AUDITOR, password=password).status_code == 303
    assert _actions(runtime) == [("user_password_reset", {"id": user_id})]
    assert password not in client.get(f"/admin/users/{user_id}").get_data(as_text=True)


def test_api_token_is_issued_once_and_revoked(client, runtime):
    login(client, ADMIN)
    user_id = _user_id(runtime, PARTICIPANT_2)

    token = _secret(client.post(f"/admin/users/{user_id}/tokens", data={"label": "aplikacja"}).get_data(as_text=True))

    with runtime.sessions() as session:
        assert user_for_token(session, token).email == PARTICIPANT_2
        assert session.scalar(select(ApiToken.token_hash).where(ApiToken.user_id == user_id)) != token
    detail = client.get(f"/admin/users/{user_id}").get_data(as_text=True)
    assert "aplikacja" in detail and token not in detail
    revoked = client.post(f"/admin/users/{user_id}/tokens/revoke", follow_redirects=True)
    assert "Unieważniono 1 token." in revoked.get_data(as_text=True)
    with runtime.sessions() as session, pytest.raises(AuthenticationError):
        user_for_token(session, token)
    assert [a for a, _ in _actions(runtime)] == ["api_token_issued", "api_tokens_revoked"]
    assert client.get("/admin/users/99999").status_code == 404


def test_an_admin_resetting_their_own_password_stays_logged_in_here_only(client, app, runtime):
    other = app.test_client()
    login(other, ADMIN)
    login(client, ADMIN)
    admin_id = _user_id(runtime, ADMIN)

    password = _secret(client.post(f"/admin/users/{admin_id}/password").get_data(as_text=True))

    assert client.get("/admin/users").status_code == 200
    assert other.get("/admin/users").status_code == 302
    assert login(app.test_client(), ADMIN, password=password).status_code == 303
