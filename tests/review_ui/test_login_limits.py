"""Review UI, reliability and security of signing in: failed logins counted in the real Redis per e-mail and per
address (a temporary lock with Retry-After), sign-up attempts limited per address, no answer that tells whether
an e-mail is registered, and the end of every session when an admin resets a password."""

from __future__ import annotations

import uuid

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError

from claims.ratelimit import RateLimiter
from claims.services import lockout
from claims.services.lockout import FAILED_LOGINS_PER_IP, PAIR_FREE_FAILURES, REGISTRATIONS_PER_IP
from paragon.web import create_app as create_web_app
from tests.review_ui.helpers import ADMIN, PARTICIPANT, PASSWORD, REVIEWER_A, RecordingQueue, login

LOCKED = "Zbyt wiele nieudanych prób logowania na to konto."
WRONG = "Nieprawidłowy e-mail lub hasło."


@pytest.fixture
def limited_app(runtime, redis_conn):
    """The whole web app over the real Redis (database 15), its counters under a prefix of this test's own."""
    from workers.queues import ClaimQueue

    app = create_web_app(runtime, ClaimQueue(redis_conn), testing=True)
    app.extensions["paragon.ratelimiter"] = RateLimiter(redis_conn, prefix=f"test-{uuid.uuid4().hex[:8]}")
    return app


def _from(app, address: str = "192.0.2.10"):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def test_five_wrong_passwords_make_that_address_wait_with_a_polish_message_and_retry_after(limited_app):
    client = _from(limited_app)
    for _ in range(PAIR_FREE_FAILURES):
        response = login(client, REVIEWER_A, password="zle haslo")
        assert response.status_code == 401 and WRONG in response.get_data(as_text=True)

    locked = login(client, REVIEWER_A, password="zle haslo")

    assert locked.status_code == 429
    assert LOCKED in locked.get_data(as_text=True) and "spróbuj ponownie za" in locked.get_data(as_text=True)
    assert 0 < int(locked.headers["Retry-After"]) <= lockout.PAIR_FIRST_DELAY_SECONDS
    assert login(client, REVIEWER_A).status_code == 429  # even the right password waits, from that address
    assert client.get("/review").status_code == 302  # not logged in
    elsewhere = _from(limited_app, "198.51.100.7")  # the owner, from an address that has not failed
    assert login(elsewhere, REVIEWER_A).status_code == 303


def test_unknown_emails_lock_the_same_way_so_the_lock_reveals_no_account(limited_app):
    client = _from(limited_app)
    answers = [login(client, "nikt@example.pl", password="x").status_code
               for _ in range(PAIR_FREE_FAILURES + 1)]
    assert answers == [401] * (PAIR_FREE_FAILURES) + [429]


def test_a_successful_login_clears_the_emails_failures(limited_app):
    client = _from(limited_app)
    for _ in range(PAIR_FREE_FAILURES):
        login(client, REVIEWER_A, password="zle haslo")
    assert login(client, REVIEWER_A).status_code == 303
    client.post("/logout")

    again = [login(client, REVIEWER_A, password="zle haslo").status_code
             for _ in range(PAIR_FREE_FAILURES)]

    assert again == [401] * (PAIR_FREE_FAILURES)
    assert login(client, REVIEWER_A).status_code == 303


def test_one_address_trying_many_accounts_is_stopped(limited_app):
    client = _from(limited_app, "203.0.113.5")
    answers = [login(client, f"osoba{i}@example.pl", password="x").status_code
               for i in range(FAILED_LOGINS_PER_IP.attempts)]
    assert answers[-1] == 429 and set(answers[:-1]) == {401}

    blocked = login(client, PARTICIPANT)  # even a right password, from that address, for now
    assert blocked.status_code == 429
    assert "Zbyt wiele nieudanych prób logowania z tego adresu." in blocked.get_data(as_text=True)
    assert login(_from(limited_app, "203.0.113.6"), PARTICIPANT).status_code == 303


def test_sign_ups_are_limited_per_address(limited_app):
    client = _from(limited_app, "203.0.113.9")
    answers = [client.post("/register", data={"email": "x"}).status_code
               for _ in range(REGISTRATIONS_PER_IP.attempts + 1)]
    assert set(answers[:-1]) == {422} and answers[-1] == 429
    assert "Zbyt wiele prób rejestracji z tego adresu." in client.post("/register", data={}).get_data(as_text=True)
    assert _from(limited_app, "203.0.113.10").post("/register", data={"email": "x"}).status_code == 422


def test_logins_work_when_redis_is_away_and_redis_is_left_alone_for_a_while(runtime, monkeypatch):
    from claims.services import lockout

    monkeypatch.setattr(lockout, "_paused_until", 0.0)  # and back to it afterwards
    dead = _DeadRedis()
    app = create_web_app(runtime, RecordingQueue(), testing=True)
    app.extensions["paragon.ratelimiter"] = RateLimiter(dead)
    client = app.test_client()

    assert login(client, REVIEWER_A, password="zle haslo").status_code == 401
    assert dead.calls == 1  # the first refusal pauses the limits: no wait on Redis at every login
    assert login(client, REVIEWER_A).status_code == 303
    assert app.test_client().post("/register", data={"email": "x"}).status_code == 422
    assert dead.calls == 1


class _DeadRedis:
    """A Redis client whose server is gone: every command fails to connect."""

    def __init__(self) -> None:
        self.calls = 0

    def pipeline(self, transaction: bool = True):
        self.calls += 1
        raise RedisConnectionError("Connection refused")


REGISTRATION = {"email": PARTICIPANT, "password": "dobre-haslo-123", "password_again": "dobre-haslo-123",
                "name": "Ktoś", "company_name": "Firma", "company_nip": "5260250274", "consent_rules": "yes"}


def test_registering_a_taken_email_does_not_say_that_it_is_registered(client):
    response = client.post("/register", data=REGISTRATION)

    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Nie udało się założyć konta z tym adresem e-mail." in html
    assert "już istnieje" not in html and "dobre-haslo-123" not in html


def test_an_admins_password_reset_ends_the_users_other_sessions(app, runtime):
    from claims.db.models import User

    phone, laptop, admin = app.test_client(), app.test_client(), app.test_client()
    login(phone, REVIEWER_A)
    login(laptop, REVIEWER_A)
    login(admin, ADMIN)
    with runtime.sessions() as session:
        user_id = session.query(User).filter_by(email=REVIEWER_A).one().id

    admin.post(f"/admin/users/{user_id}/password")

    for client in (phone, laptop):
        assert client.get("/review").headers["Location"].startswith("/login")
    assert admin.get("/review").status_code == 200
    assert login(phone, REVIEWER_A, password=PASSWORD).status_code == 401  # the old password is gone


def test_upload_form_is_limited_per_participant_with_a_polish_message(runtime, redis_conn):
    import dataclasses
    import io

    from sqlalchemy import func, select

    from claims.db.models import Claim
    from tests.review_ui.helpers import png_bytes
    from workers.queues import ClaimQueue

    limited = dataclasses.replace(runtime, settings=dataclasses.replace(runtime.settings, uploads_per_hour=1))
    app = create_web_app(limited, ClaimQueue(redis_conn), testing=True)
    app.extensions["paragon.ratelimiter"] = RateLimiter(redis_conn, prefix=f"test-{uuid.uuid4().hex[:8]}")
    client = _from(app)
    login(client, PARTICIPANT)

    def upload(colour):
        return client.post("/me/claims", data={"files": [(io.BytesIO(png_bytes(colour)), "p.png")]},
                           content_type="multipart/form-data")

    with runtime.sessions() as session:
        before = session.scalar(select(func.count()).select_from(Claim))
    assert upload((1, 2, 3)).headers["Location"].startswith("/me/claims/")
    refused = upload((4, 5, 6))
    assert refused.status_code == 303 and refused.headers["Location"].endswith("/me")
    page = client.get("/me").get_data(as_text=True)
    assert "Za dużo zgłoszeń ze zdjęciami w ciągu godziny" in page
    with runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Claim)) == before + 1


class _Clock:
    """Time as the limits see it, moved by the test (the windows are sliding: no real waiting)."""

    def __init__(self) -> None:
        import time as real

        self.now, self.monotonic = real.time(), real.monotonic

    def time(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    from claims import ratelimit

    found = _Clock()
    monkeypatch.setattr(ratelimit, "time", found)
    monkeypatch.setattr(lockout, "time", found)
    return found


def test_issue_17_strangers_on_five_addresses_cannot_lock_the_owner_out(limited_app, clock):
    """Five wrong passwords from five addresses, repeated every 15 minutes for two hours: the owner, from the
    owner's own address, logs in at every moment."""
    owner = _from(limited_app, "192.0.2.200")
    for round_ in range(8):
        for n in range(5):
            for _ in range(PAIR_FREE_FAILURES + 1):
                login(_from(limited_app, f"198.51.100.{n + 1}"), ADMIN, password="zgadywanie")
        answer = login(owner, ADMIN)
        assert answer.status_code == 303, f"round {round_}"
        owner.post("/logout")
        clock.now += 900


def test_delays_grow_with_each_failure_and_end_when_waited_out(limited_app, clock):
    attacker = _from(limited_app, "203.0.113.77")
    waits = []
    for _ in range(PAIR_FREE_FAILURES):
        assert login(attacker, REVIEWER_A, password="zle").status_code == 401
    for _ in range(5):
        answer = login(attacker, REVIEWER_A, password="zle")
        assert answer.status_code == 429
        waits.append(int(answer.headers["Retry-After"]))
        assert login(attacker, REVIEWER_A, password="zle").status_code == 429  # refused while waiting
        clock.now += waits[-1]
    assert waits == sorted(waits) and waits[-1] > waits[0]
    assert max(waits) <= lockout.PAIR_MAX_DELAY_SECONDS
    assert login(attacker, REVIEWER_A).status_code == 303  # waited out: the right password works


def test_failures_leave_the_window_one_by_one(limited_app, clock):
    client = _from(limited_app, "203.0.113.88")
    for _ in range(PAIR_FREE_FAILURES):
        login(client, REVIEWER_A, password="zle")
        clock.now += 60
    clock.now += lockout.FAILED_LOGINS_PER_ACCOUNT_AND_IP.window_seconds - 60 * PAIR_FREE_FAILURES + 1
    # the oldest failure has left the window: one more wrong password is still free
    assert login(client, REVIEWER_A, password="zle").status_code == 401


def test_spraying_is_stopped_for_a_sliding_window_not_until_a_window_edge(limited_app, clock):
    client = _from(limited_app, "203.0.113.99")
    for i in range(FAILED_LOGINS_PER_IP.attempts):
        login(client, f"ktos{i}@example.pl", password="x")
        clock.now += 10
    blocked = login(client, "ktos-inny@example.pl", password="x")
    assert blocked.status_code == 429
    retry = int(blocked.headers["Retry-After"])
    assert FAILED_LOGINS_PER_IP.window_seconds - 10 * FAILED_LOGINS_PER_IP.attempts <= retry
    clock.now += retry
    assert login(client, PARTICIPANT).status_code == 303  # one failure has left the window: a login goes through
