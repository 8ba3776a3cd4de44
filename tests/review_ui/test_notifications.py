"""Status e-mails: the message in the participant's language, the hand-over after commit (never after a
rollback), and the worker's job sending through a real SMTP server (aiosmtpd) or into the outbox folder."""

from __future__ import annotations

import dataclasses
import email
import socket
from email import policy

import pytest
from sqlalchemy import select

from claims.db.engine import transaction
from claims.db.models import Claim, User
from claims.services.notifications import (
    install_notifier,
    notify_status_change,
    status_message,
    worth_telling,
)
from claims.services.review import decide_claim
from tests.review_ui.helpers import PARTICIPANT, REVIEWER_A


def _with_mail(runtime, **mail):
    """The runtime with SMTP_URL / MAIL_FROM / PUBLIC_URL set."""
    return dataclasses.replace(runtime, settings=dataclasses.replace(runtime.settings, **mail))


def _approve(runtime, claim_id: str) -> None:
    with transaction(runtime.sessions) as session:
        reviewer = session.scalar(select(User).where(User.email == REVIEWER_A))
        decide_claim(session, reviewer, claim_id, "approve", "confirmed")


def _set_locale(runtime, locale: str) -> None:
    with transaction(runtime.sessions) as session:
        session.scalar(select(User).where(User.email == PARTICIPANT)).locale = locale


def test_only_decisions_retakes_and_appeals_are_worth_an_email():
    assert worth_telling("pending_review", "approved") and worth_telling("approved", "reversed")
    assert worth_telling("processing", "needs_retake") and worth_telling("rejected", "flagged")
    assert not worth_telling("received", "processing") and not worth_telling("processing", "pending_review")
    assert not worth_telling("pending_review", "flagged")


def test_approval_message_is_polish_with_the_points(runtime, claims):
    claim_id = claims.pending(points=120)
    _approve(runtime, claim_id)
    with runtime.sessions() as session:
        message = status_message(session, claim_id, "pending_review", "approved", "https://p.example/me/claims/x")
    assert message.to == PARTICIPANT and message.locale == "pl"
    assert message.subject == f"Twoje zgłoszenie {claim_id[:8]}: zatwierdzone"
    assert "Dzień dobry Jan Kowalski" in message.body and "Przyznaliśmy 120 pkt." in message.body
    assert "https://p.example/me/claims/x" in message.body


def test_rejection_message_follows_the_users_locale_and_explains(runtime, claims):
    claim_id = claims.pending()
    _set_locale(runtime, "en")
    with transaction(runtime.sessions) as session:
        reviewer = session.scalar(select(User).where(User.email == REVIEWER_A))
        decide_claim(session, reviewer, claim_id, "reject", "duplicate", "seen it before")
    with runtime.sessions() as session:
        message = status_message(session, claim_id, "pending_review", "rejected")
    assert message.locale == "en" and message.subject.endswith(": rejected")
    assert "This document has already been submitted. (seen it before)" in message.body
    assert "appeal this decision once" in message.body


def test_notifier_is_called_after_commit_and_never_after_rollback(runtime, claims):
    claim_id = claims.pending()
    told: list[tuple[str, str, str]] = []
    install_notifier(runtime.sessions, lambda *change: told.append(change))

    session = runtime.sessions()
    claim = session.get(Claim, claim_id)
    assert notify_status_change(session, claim, "pending_review", "approved")
    assert told == []  # not before the commit
    session.rollback()
    session.commit()
    assert told == []

    assert notify_status_change(session, claim, "pending_review", "rejected")
    assert not notify_status_change(session, claim, "received", "processing")
    session.commit()
    session.close()
    assert told == [(claim_id, "pending_review", "rejected")]


def test_without_a_notifier_nothing_is_handed_over(runtime, claims):
    claim_id = claims.pending()
    with runtime.sessions() as session:
        assert not notify_status_change(session, session.get(Claim, claim_id), "pending_review", "approved")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox:
    """aiosmtpd handler keeping what it received."""

    def __init__(self) -> None:
        self.received: list[tuple[str, list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 — aiosmtpd's hook name
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 OK"


@pytest.fixture
def smtp_server():
    controller_module = pytest.importorskip("aiosmtpd.controller")
    from aiosmtpd.smtp import AuthResult

    def authenticate(server, session, envelope, mechanism, auth_data):
        return AuthResult(success=auth_data.login == b"paragon" and auth_data.password == b"s3cret")

    inbox, port = Inbox(), _free_port()
    controller = controller_module.Controller(inbox, hostname="127.0.0.1", port=port, authenticator=authenticate,
                                              auth_require_tls=False)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def test_job_sends_through_smtp_once_even_when_run_twice(runtime, claims, smtp_server):
    from workers import runtime as worker_runtime
    from workers.notify import send_status_notification

    inbox, port = smtp_server
    claim_id = claims.pending(points=75)
    _approve(runtime, claim_id)
    worker_runtime.install(_with_mail(runtime, smtp_url=f"smtp://paragon:s3cret@127.0.0.1:{port}",
                                      mail_from="Program <program@example.pl>"))

    assert send_status_notification(claim_id, "pending_review", "approved") == "sent by smtp"
    assert send_status_notification(claim_id, "pending_review", "approved") == "already sent"

    assert len(inbox.received) == 1
    sender, recipients, content = inbox.received[0]
    assert sender == "program@example.pl" and recipients == [PARTICIPANT]
    message = email.message_from_bytes(content, policy=policy.default)
    assert message["Subject"] == f"Twoje zgłoszenie {claim_id[:8]}: zatwierdzone"
    assert "Przyznaliśmy 75 pkt." in message.get_content()


def test_job_writes_an_eml_into_the_outbox_without_smtp(runtime, claims):
    from workers import runtime as worker_runtime
    from workers.notify import send_status_notification

    claim_id = claims.pending()
    _approve(runtime, claim_id)
    worker_runtime.install(runtime)

    assert send_status_notification(claim_id, "pending_review", "approved") == "sent by outbox"
    assert send_status_notification(claim_id, "pending_review", "approved") == "already sent"

    files = list((runtime.settings.data_dir / "outbox").glob("*.eml"))
    assert [f.name for f in files] == [f"{claim_id}-pending_review-to-approved.eml"]
    message = email.message_from_bytes(files[0].read_bytes(), policy=policy.default)
    assert message["To"] == PARTICIPANT and "zatwierdzone" in message["Subject"]


def test_queue_notifier_enqueues_one_job_per_change(redis_conn):
    from rq import Queue

    from workers.notify import SEND_STATUS_NOTIFICATION, queue_notifier

    notify = queue_notifier(redis_conn)
    notify("c-1", "pending_review", "approved")
    notify("c-1", "pending_review", "approved")
    jobs = Queue("default", connection=redis_conn).jobs
    assert [(j.id, j.func_name, j.args) for j in jobs] == [
        ("notify-c-1-pending_review-approved", SEND_STATUS_NOTIFICATION, ("c-1", "pending_review", "approved"))]
