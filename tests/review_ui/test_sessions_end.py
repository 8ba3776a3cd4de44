"""Sessions end on the server's word: a session cookie copied before logout, before a password change or before
"end other sessions" opens nothing afterwards (issue 17: a copied cookie still opened /review after logout)."""

from __future__ import annotations

from sqlalchemy import select

from claims.db.engine import transaction
from claims.db.models import User
from claims.services.accounts import end_other_sessions
from tests.review_ui.helpers import PARTICIPANT, PASSWORD, REVIEWER_A, login


def _copy_of(app, client):
    """A second browser holding a copy of `client`'s session cookie (as a thief would)."""
    thief = app.test_client()
    cookie = client.get_cookie("session")
    assert cookie is not None
    thief.set_cookie("session", cookie.value)
    return thief


def test_a_cookie_copied_before_logout_no_longer_opens_review(app):
    browser = app.test_client()
    assert login(browser, REVIEWER_A).status_code == 303
    thief = _copy_of(app, browser)
    assert thief.get("/review").status_code == 200  # the copy works while the session lives

    assert browser.post("/logout").status_code == 303

    answer = thief.get("/review")
    assert answer.status_code == 302 and answer.headers["Location"].startswith("/login")
    assert browser.get("/review").status_code == 302
    assert login(browser, REVIEWER_A).status_code == 303  # and logging in again works


def test_ending_other_sessions_keeps_none_of_the_old_cookies(app, runtime):
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, REVIEWER_A)
    login(phone, REVIEWER_A)
    with transaction(runtime.sessions) as session:
        end_other_sessions(session, session.scalar(select(User).where(User.email == REVIEWER_A)))
    for client in (laptop, phone):
        assert client.get("/review").headers["Location"].startswith("/login")


def test_a_password_change_ends_a_copied_cookie_but_keeps_the_changing_session(app):
    browser = app.test_client()
    login(browser, PARTICIPANT)
    thief = _copy_of(app, browser)
    new = "zupelnie-nowe-haslo-9"
    answer = browser.post("/me/password", data={"current": PASSWORD, "password": new, "password_again": new})
    assert answer.status_code == 303
    assert browser.get("/me").status_code == 200
    assert thief.get("/me").headers["Location"].startswith("/login")
