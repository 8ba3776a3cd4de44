"""E-mails to participants when their claim's status changes: which changes are worth telling, the message in
the participant's language, and the hand-over to whoever sends it once the change is committed.

The composition root installs a notifier on the session factory (`install_notifier(runtime.sessions, fn)`,
where `fn(claim_id, old, new)` enqueues `workers.notify.send_status_notification`); the services that move a
claim call `notify_status_change(session, claim, old, new)` inside their transaction. Nothing is handed over
when the transaction rolls back, and nothing at all when no notifier is installed (tests, one-off scripts).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session, sessionmaker

from claims.audit import record_event
from claims.db.models import AuditEvent, Claim, LedgerEntry, Participant, User
from claims.lifecycle import ClaimStatus
from claims.reasons import message as reason_message

log = logging.getLogger(__name__)

NOTIFIER_KEY = "paragon.notifier"
PENDING_KEY = "paragon.pending_notifications"
SENT_ACTION = "notification_sent"
#: (claim_id, old status, new status) -> None; called after commit, must be quick (enqueue, not send).
Notifier = Callable[[str, str, str], None]

S = ClaimStatus
#: Changes a participant hears about: a decision, a reversal, a retake to do, and their appeal arriving.
TOLD = frozenset({S.NEEDS_RETAKE, S.APPROVED, S.REJECTED, S.REVERSED})

TEXTS: dict[str, dict[str, str]] = {
    "pl": {
        "subject": "Twoje zgłoszenie {short}: {status}",
        "greeting": "Dzień dobry {name},",
        "changed": "status Twojego zgłoszenia {short} z {submitted} zmienił się na: {status}.",
        "reasons": "Wyjaśnienie:",
        "credited": "Przyznaliśmy {points} pkt.",
        "reversed": "Odjęliśmy {points} pkt przyznanych za to zgłoszenie.",
        "retake": "Prześlij nowe zdjęcie dokumentu: cały dokument w kadrze, ostro i w dobrym świetle.",
        "appeal": "Możesz raz odwołać się od tej decyzji na stronie zgłoszenia.",
        "appealed": "Otrzymaliśmy Twoje odwołanie; zgłoszenie sprawdzi audytor programu.",
        "link": "Szczegóły: {url}",
        "footer": "Wiadomość wysłana automatycznie przez program lojalnościowy. Nie odpowiadaj na nią.",
    },
    "en": {
        "subject": "Your claim {short}: {status}",
        "greeting": "Hello {name},",
        "changed": "the status of your claim {short} of {submitted} is now: {status}.",
        "reasons": "Why:",
        "credited": "We credited {points} points.",
        "reversed": "We took back the {points} points credited for this claim.",
        "retake": "Please upload a new photo: the whole document in frame, sharp, in good light.",
        "appeal": "You may appeal this decision once on the claim's page.",
        "appealed": "We received your appeal; the programme's auditor will check the claim.",
        "link": "Details: {url}",
        "footer": "This message was sent automatically by the loyalty programme. Please do not reply.",
    },
}
STATUS_WORDS: dict[str, dict[str, str]] = {
    "pl": {"needs_retake": "wymaga ponownego zdjęcia", "approved": "zatwierdzone", "rejected": "odrzucone",
           "reversed": "cofnięte", "flagged": "w weryfikacji", "pending_review": "czeka na weryfikację partnera"},
    "en": {"needs_retake": "needs a new photo", "approved": "approved", "rejected": "rejected",
           "reversed": "reversed", "flagged": "under review", "pending_review": "waiting for the partner's review"},
}


def worth_telling(old: str, new: str) -> bool:
    """Whether the participant hears about a move from `old` to `new`."""
    if old == new:
        return False
    return new in TOLD or (new == S.FLAGGED and old == S.REJECTED)


# ---- hand-over after commit --------------------------------------------------------------------------


def install_notifier(sessions: sessionmaker[Session], notifier: Notifier) -> None:
    """Sessions made by `sessions` from now on hand status changes to `notifier` after they commit."""
    info = dict(sessions.kw.get("info") or {})
    info[NOTIFIER_KEY] = notifier
    sessions.configure(info=info)


def notify_status_change(session: Session, claim: Claim, old: str, new: str) -> bool:
    """Tell the participant about the change once `session`'s transaction commits; False when not told."""
    if not worth_telling(str(old), str(new)) or session.info.get(NOTIFIER_KEY) is None:
        return False
    if not event.contains(session, "after_commit", _after_commit):
        event.listen(session, "after_commit", _after_commit)
        event.listen(session, "after_rollback", _after_rollback)
    session.info.setdefault(PENDING_KEY, []).append((str(claim.id), str(old), str(new)))
    return True


def _after_commit(session: Session) -> None:
    pending, session.info[PENDING_KEY] = session.info.get(PENDING_KEY, []), []
    notifier = session.info.get(NOTIFIER_KEY)
    for claim_id, old, new in pending:
        try:
            notifier(claim_id, old, new)
        except Exception:  # noqa: BLE001 — the change is committed; a lost e-mail must not look like a failure
            log.warning("could not hand over the notification for claim %s (%s -> %s)", claim_id, old, new,
                        exc_info=True)


def _after_rollback(session: Session) -> None:
    session.info[PENDING_KEY] = []


# ---- the message ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Message:
    """One e-mail to one participant, in their language."""

    to: str
    subject: str
    body: str
    locale: str
    claim_id: str
    change: str  # "old>new": the job's idempotency key

    def as_email(self, sender: str) -> EmailMessage:
        email = EmailMessage()
        email["From"], email["To"], email["Subject"] = sender, self.to, self.subject
        email["Date"] = formatdate(localtime=False, usegmt=True)
        email["Message-ID"] = make_msgid(idstring=f"{self.claim_id}.{self.change.replace('>', '-')}",
                                         domain="paragon.local")
        email["Content-Language"] = self.locale
        email.set_content(self.body)
        return email


def status_message(session: Session, claim_id: str, old: str, new: str, claim_url: str | None = None
                   ) -> Message | None:
    """The e-mail telling the claim's participant about `old` -> `new`; None for an inactive account."""
    claim = session.get(Claim, claim_id)
    if claim is None:
        return None
    user = session.scalar(select(User).join(Participant, Participant.user_id == User.id)
                          .where(Participant.id == claim.participant_id))
    if user is None or not user.active:
        return None
    locale = "en" if (user.locale or "").startswith("en") else "pl"
    text, short = TEXTS[locale], claim.id[:8]
    status = STATUS_WORDS[locale].get(new, new)
    lines = [text["greeting"].format(name=user.name or user.email), "",
             text["changed"].format(short=short, submitted=_day(claim), status=status), ""]
    lines += _explanation(session, claim, old, new, locale)
    if claim_url:
        lines += [text["link"].format(url=claim_url), ""]
    lines += ["--", text["footer"]]
    subject = text["subject"].format(short=short, status=status)
    return Message(user.email, subject, "\n".join(lines), locale, claim.id, f"{old}>{new}")


def _day(claim: Claim) -> str:
    return claim.submitted_at.date().isoformat() if claim.submitted_at else "—"


def _explanation(session: Session, claim: Claim, old: str, new: str, locale: str) -> list[str]:
    text, lines = TEXTS[locale], []
    if new == S.FLAGGED:
        return [text["appealed"], ""]
    reasons = _participant_reasons(claim, locale)
    if reasons and new != S.APPROVED:
        lines += [text["reasons"], *[f"- {r}" for r in reasons], ""]
    points = _ledger_points(session, claim.id, "credit" if new == S.APPROVED else "reversal")
    if new == S.APPROVED:
        lines += [text["credited"].format(points=points), ""]
    elif new == S.REVERSED:
        lines += [text["reversed"].format(points=abs(points)), ""]
    elif new == S.NEEDS_RETAKE:
        lines += [text["retake"], ""]
    elif new == S.REJECTED:
        lines += [text["appeal"], ""]
    return lines


def _participant_reasons(claim: Claim, locale: str) -> list[str]:
    shown = []
    for record in claim.reasons or []:
        if not isinstance(record, dict) or record.get("severity") == "info":
            continue
        words = record.get(f"message_{locale}") or reason_message(record.get("code", ""), locale)
        if record.get("comment"):
            words = f"{words} ({record['comment']})"
        if words not in shown:
            shown.append(words)
    return shown


def _ledger_points(session: Session, claim_id: str, kind: str) -> int:
    query = select(func.coalesce(func.sum(LedgerEntry.points), 0)).where(LedgerEntry.claim_id == claim_id,
                                                                          LedgerEntry.kind == kind)
    return int(session.scalar(query) or 0)


# ---- what was sent -------------------------------------------------------------------------------------


def already_sent(session: Session, claim_id: str, change: str) -> bool:
    """Whether the e-mail for this claim's change was sent before (a job may run twice)."""
    rows = session.scalars(select(AuditEvent.after).where(AuditEvent.claim_id == claim_id,
                                                          AuditEvent.action == SENT_ACTION))
    return any(isinstance(after, dict) and after.get("change") == change for after in rows)


def record_sent(session: Session, message: Message, transport: str) -> None:
    record_event(session, SENT_ACTION, claim_id=message.claim_id,
                 after={"change": message.change, "to": message.to, "transport": transport})
