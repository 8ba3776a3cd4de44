"""The job that sends one status e-mail, and the notifier that queues it after a status change commits.

Transport: SMTP when the settings carry `smtp_url` (`smtp://user:password@host:port`, `smtp+starttls://…` or
`smtps://…`), else an .eml file per message in `<data_dir>/outbox/` (the embedded default: nothing leaves the
machine). Sending is at-least-once: a job that dies between sending and recording may send again; a job run
twice after a recorded send does nothing.
"""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import unquote, urlsplit

from redis import Redis
from rq import Queue, Retry
from rq.exceptions import DuplicateJobError

from claims.db.engine import transaction
from claims.services.notifications import Message, Notifier, already_sent, record_sent, status_message
from claims.services.passwords import ResetMail, reset_message
from claims.settings import Settings
from workers.queues import DEFAULT_QUEUE
from workers.runtime import current

log = logging.getLogger(__name__)

SEND_STATUS_NOTIFICATION = "workers.notify.send_status_notification"
SEND_PASSWORD_RESET = "workers.notify.send_password_reset"
DEFAULT_SENDER = "paragon <no-reply@paragon.local>"
SMTP_TIMEOUT_SECONDS = 20


def send_status_notification(claim_id: str, old: str, new: str) -> str:
    """Send the participant the e-mail about `old` -> `new` once; returns what happened."""
    rt = current()
    settings = rt.claims.settings
    change = f"{old}>{new}"
    with transaction(rt.claims.sessions) as session:
        if already_sent(session, claim_id, change):
            return "already sent"
        message = status_message(session, claim_id, old, new, claim_url(settings, claim_id))
    if message is None:
        return "nobody to tell"
    transport = deliver(message, settings)
    with transaction(rt.claims.sessions) as session:
        record_sent(session, message, transport)
    return f"sent by {transport}"


def send_password_reset(user_id: int) -> str:
    """Send the user a password reset link made now (valid for an hour); returns what happened.

    The link is made here, in the worker, so it never sits on the queue; a job run twice sends two links, and
    either works until one of them is used.
    """
    rt = current()
    settings = rt.claims.settings
    with transaction(rt.claims.sessions) as session:
        message = reset_message(session, user_id, ResetMail(settings.secret_key, settings.public_url))
    if message is None:
        return "nobody to tell"
    return f"sent by {deliver(message, settings)}"


def claim_url(settings: Settings, claim_id: str) -> str | None:
    """The participant's claim page when the public address is configured (`public_url`, not yet a setting)."""
    base = settings.public_url
    return f"{base.rstrip('/')}/me/claims/{claim_id}" if base else None


def sender(settings: Settings) -> str:
    return settings.mail_from or DEFAULT_SENDER


def deliver(message: Message, settings: Settings) -> str:
    """Send by SMTP when configured, else write to the outbox folder; returns the transport used."""
    email = message.as_email(sender(settings))
    smtp_url = settings.smtp_url
    if smtp_url:
        send_smtp(email, smtp_url)
        return "smtp"
    write_outbox(email, Path(settings.data_dir) / "outbox", f"{message.claim_id}-{message.change}")
    return "outbox"


def send_smtp(email: EmailMessage, smtp_url: str) -> None:
    """One SMTP session for one message; errors propagate so rq retries."""
    url = urlsplit(smtp_url)
    host, secure = url.hostname or "127.0.0.1", url.scheme == "smtps"
    port = url.port or (465 if secure else 25)
    client_class = smtplib.SMTP_SSL if secure else smtplib.SMTP
    with client_class(host, port, timeout=SMTP_TIMEOUT_SECONDS) as client:
        if url.scheme == "smtp+starttls":
            client.starttls()
        if url.username:
            client.login(unquote(url.username), unquote(url.password or ""))
        client.send_message(email)


def write_outbox(email: EmailMessage, folder: Path, name: str) -> Path:
    """The message as an .eml file (one name per claim and change, so a second run overwrites, never adds)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / (name.replace(">", "-to-").replace("/", "_") + ".eml")
    partial = path.with_suffix(".tmp")
    partial.write_bytes(email.as_bytes())
    partial.replace(path)
    return path


def queue_reset_mailer(redis: Redis):
    """The after-commit handler of `claims.services.passwords.RESET_TOPIC`: puts the e-mail job on the queue."""
    queue = Queue(DEFAULT_QUEUE, connection=redis)

    def mail(user_id: int) -> None:
        queue.enqueue(SEND_PASSWORD_RESET, int(user_id), retry=Retry(max=3, interval=[10, 60, 300]),
                      result_ttl=3600, failure_ttl=24 * 3600, description=f"password reset e-mail to user {user_id}")

    return mail


def notify_job_id(claim_id: str, old: str, new: str) -> str:
    return f"notify-{claim_id}-{old}-{new}"


def queue_notifier(redis: Redis) -> Notifier:
    """A notifier for `claims.services.notifications.install_notifier`: puts the job on the default queue."""
    queue = Queue(DEFAULT_QUEUE, connection=redis)

    def notify(claim_id: str, old: str, new: str) -> None:
        try:
            queue.enqueue(SEND_STATUS_NOTIFICATION, claim_id, old, new, job_id=notify_job_id(claim_id, old, new),
                          unique=True, retry=Retry(max=5, interval=[10, 60, 300, 900, 3600]),
                          result_ttl=24 * 3600, failure_ttl=7 * 24 * 3600,
                          description=f"notify {claim_id}: {old} -> {new}")
        except DuplicateJobError:
            pass  # the same change is already queued; the job itself also refuses to send twice

    return notify
